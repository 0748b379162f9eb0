"""AI Runway's kuberay and dynamo providers (ai-runway/airunway v0.7.0): the kuberay one makes a
RayService that KubeRay runs (providers/kuberay/{transformer,controller,status}.go), whose Serve app
imports a module its default Ray image lacks (ai-runway/airunway issue #399), so it never serves; where
the cluster serves no RayService or DynamoGraphDeployment (KubeRay's or NVIDIA Dynamo's operator not
installed), the provider's first Get fails with "no matches for kind" and the ModelDeployment is
Failed at once, so akscli refuses such a --wait deploy before applying anything and warns without."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.cli import invoke
from tests.emulators.kube.controllers.airunway_providers import rayservice_phase

from ._queue import gpu_nodes
from .conftest import AIRUNWAY_CRDS

MD = "airunway.ai/v1alpha1"
Start = Callable[..., Any]


def _deploy(provider: str, *args: str) -> Any:
    return invoke("model", "deploy", "phi-4", "--runtime", "airunway", "--provider", provider, *args, "-y")


def _phase(emu: Any, phase: str) -> dict[str, Any] | None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        md = emu.cluster.get(MD, "ModelDeployment", "default", "phi-4")
        if (md or {}).get("status", {}).get("phase") == phase:
            return dict(md)
        time.sleep(0.05)
    return None


def _kuberay(model_emulator: Start) -> Any:
    from tests.emulators.kube.controllers.kuberay import KubeRayController

    emu = model_emulator(crds=(*AIRUNWAY_CRDS, "kuberay"))
    emu.controllers.add(KubeRayController(delay=0.02))
    gpu_nodes(emu, 1)
    return emu


def test_a_kuberay_wait_is_refused_since_its_serve_app_imports_a_module_its_default_image_lacks(
    model_emulator: Start,
) -> None:
    emu = _kuberay(model_emulator)
    result = _deploy("kuberay", "--wait", "--timeout", "60s")
    assert result.exit_code == 7, result
    assert (
        "runs Ray app vllm_serve:deployment, which its default image rayproject/ray-llm:2.55.0-py311-cu128 "
        "lacks (ai-runway/airunway#399)"
    ) in result.stderr
    assert "use --provider vllm or llmd" in result.stderr
    assert emu.cluster.get(MD, "ModelDeployment", "default", "phi-4") is None


def test_the_kuberay_providers_rayservice_never_serves_and_the_model_stays_deploying(model_emulator: Start) -> None:
    emu = _kuberay(model_emulator)
    result = _deploy("kuberay")
    assert result.exit_code == 0, result
    assert "which its default image rayproject/ray-llm:2.55.0-py311-cu128 lacks" in result.stderr  # the warning
    rs = None
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        rs = emu.cluster.get("ray.io/v1", "RayService", "default", "phi-4")
        apps = ((rs or {}).get("status") or {}).get("pendingServiceStatus", {}).get("applicationStatuses") or {}
        if apps:
            break
        time.sleep(0.05)
    assert rs is not None
    assert "import_path: vllm_serve:deployment" in rs["spec"]["serveConfigV2"]
    worker = rs["spec"]["rayClusterConfig"]["workerGroupSpecs"][0]
    assert worker["template"]["spec"]["containers"][0]["resources"]["limits"]["nvidia.com/gpu"] == "1"
    app = rs["status"]["pendingServiceStatus"]["applicationStatuses"]["llm"]
    assert app["status"] == "DEPLOY_FAILED" and "No module named 'vllm_serve'" in app["message"]
    md = emu.cluster.get(MD, "ModelDeployment", "default", "phi-4")
    assert md["status"]["phase"] == "Deploying"
    assert md["status"]["message"] == "RayService created, waiting for pods to be ready"
    assert md["status"]["endpoint"] == {"service": "phi-4-serve-svc", "port": 8000}
    assert md["metadata"]["finalizers"] == ["airunway.ai/kuberay-provider"]
    # handleDeletion deletes the RayService and lets go once KubeRay has removed it.
    assert invoke("model", "delete", "phi-4", "-y", "--timeout", "30s").exit_code == 0
    assert emu.cluster.get("ray.io/v1", "RayService", "default", "phi-4") is None


@pytest.mark.parametrize(("provider", "kind"), [("kuberay", "RayService"), ("dynamo", "DynamoGraphDeployment")])
def test_a_wait_for_a_provider_whose_operator_is_missing_is_refused_before_anything_is_applied(
    model_emulator: Start, provider: str, kind: str
) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    gpu_nodes(emu, 1)
    result = _deploy(provider, "--wait", "--timeout", "5s")
    assert result.exit_code == 7, result
    assert f"AI Runway's {provider} provider makes a {kind}" in result.stderr
    assert "which this cluster does not serve" in result.stderr
    assert emu.cluster.get(MD, "ModelDeployment", "default", "phi-4") is None


@pytest.mark.parametrize(
    ("provider", "kind", "api"),
    [("kuberay", "RayService", "ray.io/v1"), ("dynamo", "DynamoGraphDeployment", "nvidia.com/v1alpha1")],
)
def test_without_its_operator_the_provider_fails_the_model_deployment_and_still_lets_it_go(
    model_emulator: Start, provider: str, kind: str, api: str
) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    gpu_nodes(emu, 1)
    result = _deploy(provider)
    assert result.exit_code == 0, result
    assert f"the cluster serves no {kind} ({api})" in result.stderr  # the warning
    md = _phase(emu, "Failed")
    assert md is not None
    assert md["status"]["message"] == (
        f'Failed to create {kind}: failed to get existing resource: no matches for kind "{kind}" in version "{api}"'
    )
    created = next(c for c in md["status"]["conditions"] if c["type"] == "ResourceCreated")
    assert created["reason"] == "CreateFailed"
    assert md["metadata"]["finalizers"] == [f"airunway.ai/{provider}-provider"]
    # handleDeletion: the kind is not served (meta.IsNoMatchError), so the finalizer goes at once.
    assert invoke("model", "delete", "phi-4", "-y", "--timeout", "20s").exit_code == 0
    assert emu.cluster.get(MD, "ModelDeployment", "default", "phi-4") is None


def test_a_serve_app_that_failed_leaves_the_kuberay_provider_deploying() -> None:
    # KubeRay keeps a failed application in pendingServiceStatus (never promoted), and the provider
    # reads only activeServiceStatus and a "RayServiceReady" condition KubeRay never writes.
    pending = {"applicationStatuses": {"llm": {"status": "DEPLOY_FAILED", "message": "Failed to import"}}}
    rs = {
        "metadata": {"name": "phi-4"},
        "spec": {"rayClusterConfig": {"workerGroupSpecs": [{"replicas": 1}]}},
        "status": {"pendingServiceStatus": pending, "conditions": [{"type": "Ready", "status": "False"}]},
    }
    assert rayservice_phase(rs)["phase"] == "Pending"  # the provider's Reconcile then says Deploying
    rs["status"]["activeServiceStatus"] = pending
    assert rayservice_phase(rs) == {
        "phase": "Failed",
        "message": "Failed to import",
        "replicas": {"desired": 1, "ready": 0, "available": 0},
        "endpoint": {"service": "phi-4-serve-svc", "port": 8000},
    }
