"""An AI Runway ModelDeployment deleted and created again while its old Workspace is still there:
the kaito provider refuses the old one (verifyOwnerReference: phase Failed, reason ResourceConflict,
no retry; ai-runway/airunway v0.7.0 providers/kaito/controller.go). So `model delete --wait` deletes
the ModelDeployment with foreground propagation (kubectl delete --cascade=foreground) and returns
once the Workspace is gone too, and a deploy that meets the conflict says so at once, with the fix."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tests.baremetal.nodes import nc_a100_node
from tests.cli import invoke
from tests.emulators.kube.controllers.kaito import WorkspaceController

from .conftest import AIRUNWAY_CRDS

KAITO = "kaito.sh/v1beta1"
MD = "airunway.ai/v1alpha1"
Start = Callable[..., Any]


def _deploy(*args: str) -> Any:
    return invoke("model", "deploy", "phi-4", "--runtime", "airunway", *args, "-y")


def _drop_provider_finalizer(emu: Any, provider: str = "kaito") -> None:
    """What lets a ModelDeployment go before its Workspace: the kaito provider holds it under
    airunway.ai/kaito-provider until the Workspace is gone (ai-runway/airunway v0.7.0
    providers/kaito/controller.go handleDeletion), so only a user who clears the finalizer by hand
    (kubectl patch) gets there; the vllm provider's own FinalizerTimeout (5 minutes) does the same."""
    md = emu.cluster.get(MD, "ModelDeployment", "default", "phi-4")
    kept = [f for f in md["metadata"].get("finalizers") or [] if f != f"airunway.ai/{provider}-provider"]
    emu.cluster.patch(MD, "ModelDeployment", "default", "phi-4", {"metadata": {"finalizers": kept or None}})


def test_deploy_right_after_delete_creates_the_model_again(model_emulator: Start) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    assert _deploy("--wait", "--timeout", "120s").exit_code == 0
    old = emu.cluster.get(KAITO, "Workspace", "default", "phi-4")["metadata"]["uid"]
    for c in [c for c in emu.controllers.controllers if isinstance(c, WorkspaceController)]:
        c.delay = 1.0  # KAITO's clean-up takes a while, as a node's deletion does on a cluster
    assert invoke("model", "delete", "phi-4", "-y").exit_code == 0
    assert emu.cluster.get(KAITO, "Workspace", "default", "phi-4") is None
    result = _deploy("--wait", "--timeout", "120s")
    assert result.exit_code == 0, result
    ws = emu.cluster.get(KAITO, "Workspace", "default", "phi-4")
    assert ws["metadata"]["uid"] != old and not ws["metadata"].get("deletionTimestamp")


def test_a_resource_conflict_is_one_line_with_the_fix_at_once(model_emulator: Start) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    assert _deploy("--wait", "--timeout", "120s").exit_code == 0
    # The old Workspace stays, held by a finalizer: as on a cluster whose GC or KAITO is slow.
    emu.cluster.patch(KAITO, "Workspace", "default", "phi-4", {"metadata": {"finalizers": ["test/hold"]}})
    assert invoke("model", "delete", "phi-4", "-y", "--no-wait").exit_code == 0
    _drop_provider_finalizer(emu)
    deadline = time.monotonic() + 10
    while emu.cluster.get(MD, "ModelDeployment", "default", "phi-4") is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    started = time.monotonic()
    result = _deploy("--wait", "--timeout", "60s")
    assert result.exit_code != 0, result
    assert time.monotonic() - started < 20
    assert "ResourceConflict" in result.stderr
    assert "kubectl get workspace phi-4 -n default" in result.stderr
    md = emu.cluster.get(MD, "ModelDeployment", "default", "phi-4")
    assert md["status"]["phase"] == "Failed"


def test_a_delete_that_times_out_names_the_workspace_it_waits_for(model_emulator: Start) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    assert _deploy("--wait", "--timeout", "120s").exit_code == 0
    emu.cluster.patch(KAITO, "Workspace", "default", "phi-4", {"metadata": {"finalizers": ["test/hold"]}})
    result = invoke("model", "delete", "phi-4", "-y", "--timeout", "1s")
    assert result.exit_code == 5, result
    assert "still waiting for its dependents: workspace.kaito.sh/phi-4" in result.stderr
    assert "kubectl get workspace phi-4 -n default" in result.stderr


def test_a_deploy_without_wait_warns_that_the_old_workspace_is_still_there(model_emulator: Start) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    assert _deploy("--wait", "--timeout", "120s").exit_code == 0
    assert "still there" not in _deploy().stderr  # an update of the same ModelDeployment: no warning
    emu.cluster.patch(KAITO, "Workspace", "default", "phi-4", {"metadata": {"finalizers": ["test/hold"]}})
    assert invoke("model", "delete", "phi-4", "-y", "--no-wait").exit_code == 0
    _drop_provider_finalizer(emu)
    deadline = time.monotonic() + 10
    while emu.cluster.get(MD, "ModelDeployment", "default", "phi-4") is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    result = _deploy()
    assert result.exit_code == 0, result
    assert "workspace.kaito.sh/phi-4 of the deleted deployment is still there" in result.stderr
    assert "kubectl get workspace phi-4 -n default" in result.stderr


def test_a_delete_that_times_out_names_the_pool_and_route_ai_runway_made_for_expose(model_emulator: Start) -> None:
    # --expose: AI Runway's InferencePool and HTTPRoute are the ModelDeployment's too (ai-runway/airunway
    # v0.7.0 controller/internal/controller/gateway_reconciler.go, SetControllerReference), held here.
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    emu.cluster.create(nc_a100_node())  # the provider's vLLM pod is Ready only on a node that has its GPU
    assert _deploy("--provider", "vllm", "--expose", "--wait", "--timeout", "120s").exit_code == 0
    for api, kind in (
        ("inference.networking.k8s.io/v1", "InferencePool"),
        ("gateway.networking.k8s.io/v1", "HTTPRoute"),
    ):
        emu.cluster.patch(api, kind, "default", "phi-4", {"metadata": {"finalizers": ["test/hold"]}})
    result = invoke("model", "delete", "phi-4", "-y", "--timeout", "1s")
    assert result.exit_code == 5, result
    line = " ".join(result.stderr.split())
    assert "inferencepool.inference.networking.k8s.io/phi-4" in line
    assert "httproute.gateway.networking.k8s.io/phi-4" in line
    assert "kubectl get inferencepool phi-4 -n default; kubectl get httproute phi-4 -n default" in line
