"""AI Runway's vllm provider refuses a Deployment or Service of the ModelDeployment's name that
another owner holds, as its kaito provider refuses such a Workspace (ai-runway/airunway v0.7.0
providers/vllm/controller.go: createOrUpdateResource checks verifyOwnerReference before its apply;
Reconcile sets phase Failed, Ready and ResourceCreated False with reason ResourceConflict, and
requeues nothing). akscli's wait names the kinds that provider makes, and a deploy without --wait
warns of the old Deployment first."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from akscli.kube.readiness.kaito import model_deployment
from akscli.model.airunway import old_object_warning
from tests.cli import invoke

from ._queue import gpu_nodes
from .conftest import AIRUNWAY_CRDS

MD = "airunway.ai/v1alpha1"
Start = Callable[..., Any]
WHY = (
    "resource default/phi-4 exists but is not managed by this ModelDeployment "
    "(owned by ModelDeployment/phi-4 (uid old))"
)


def _conflicted(provider: str) -> dict[str, Any]:
    """A ModelDeployment as the provider leaves it on a conflict: status.provider has the name the
    core controller set, no resourceKind yet (the provider sets it once every object is applied)."""
    return {
        "kind": "ModelDeployment",
        "metadata": {"name": "phi-4", "namespace": "default", "generation": 1},
        "spec": {"provider": {"name": provider}},
        "status": {
            "phase": "Failed",
            "message": f"Failed to create/update resource phi-4: {WHY}",
            "provider": {"name": provider, "selectedReason": "explicit provider selection"},
            "conditions": [{"type": "Ready", "status": "False", "reason": "ResourceConflict", "message": WHY}],
        },
    }


def test_the_wait_names_the_vllm_providers_deployment_and_service() -> None:
    verdict = model_deployment(_conflicted("vllm"))
    assert verdict.failed
    assert "kubectl get deployment,service phi-4 -n default" in verdict.message
    assert "workspace" not in verdict.message


class _Kube:
    def __init__(self, objects: dict[str, dict[str, Any]]) -> None:
        self.objects = objects

    def get(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> dict[str, Any] | None:
        return self.objects.get(kind)


def test_the_warning_reads_the_vllm_providers_deployment() -> None:
    old = {"metadata": {"name": "phi-4", "ownerReferences": [{"kind": "ModelDeployment", "uid": "old"}]}}
    kube: Any = _Kube({"Deployment": old})
    warning = old_object_warning(kube, "phi-4", "default", "vllm")
    assert warning is not None
    assert warning.startswith("deployment.apps/phi-4 of the deleted deployment is still there")
    assert "kubectl get deployment phi-4 -n default" in warning


def test_an_old_deployment_fails_the_vllm_provider_at_once(model_emulator: Start) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    gpu_nodes(emu, 1)  # the provider's vLLM pod is Ready only on a node with its GPU
    deploy = ("model", "deploy", "phi-4", "--runtime", "airunway", "--provider", "vllm", "-y")
    assert invoke(*deploy, "--wait", "--timeout", "60s").exit_code == 0
    old = emu.cluster.get(MD, "ModelDeployment", "default", "phi-4")["metadata"]["uid"]
    # The old Deployment stays, held by a finalizer: as on a cluster whose GC is slow.
    emu.cluster.patch("apps/v1", "Deployment", "default", "phi-4", {"metadata": {"finalizers": ["test/hold"]}})
    assert invoke("model", "delete", "phi-4", "-y", "--no-wait").exit_code == 0
    # The provider holds the ModelDeployment (airunway.ai/vllm-provider) until its Deployment is
    # gone or 5 minutes passed (providers/vllm/controller.go handleDeletion, FinalizerTimeout): the
    # timeout, here at once.
    md = emu.cluster.get(MD, "ModelDeployment", "default", "phi-4")
    assert md["metadata"]["finalizers"] == ["airunway.ai/vllm-provider"]
    emu.cluster.patch(MD, "ModelDeployment", "default", "phi-4", {"metadata": {"finalizers": None}})
    deadline = time.monotonic() + 10
    while emu.cluster.get(MD, "ModelDeployment", "default", "phi-4") is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    started = time.monotonic()
    result = invoke(*deploy, "--wait", "--timeout", "20s")
    assert result.exit_code != 0, result
    assert time.monotonic() - started < 15
    assert "ResourceConflict" in result.stderr
    assert f"(owned by ModelDeployment/phi-4 (uid {old}))" in result.stderr
    assert "kubectl get deployment,service phi-4 -n default" in result.stderr
    md = emu.cluster.get(MD, "ModelDeployment", "default", "phi-4")
    assert md["status"]["phase"] == "Failed"
    assert emu.cluster.get("apps/v1", "Deployment", "default", "phi-4")["metadata"]["ownerReferences"][0]["uid"] == old


def test_a_deploy_onto_a_modeldeployment_being_deleted_is_refused(model_emulator: Start) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    gpu_nodes(emu, 1)  # the provider's vLLM pod is Ready only on a node with its GPU
    deploy = ("model", "deploy", "phi-4", "--runtime", "airunway", "--provider", "vllm", "-y")
    assert invoke(*deploy, "--wait", "--timeout", "60s").exit_code == 0
    # The provider's finalizer holds it until its Deployment is gone (providers/vllm/controller.go
    # FinalizerName, handleDeletion); the Deployment stays here, as on a cluster whose GC is slow.
    emu.cluster.patch("apps/v1", "Deployment", "default", "phi-4", {"metadata": {"finalizers": ["test/hold"]}})
    assert invoke("model", "delete", "phi-4", "-y", "--no-wait").exit_code == 0
    result = invoke(*deploy, "--wait", "--timeout", "20s")
    assert result.exit_code == 4, result
    assert "is being deleted (finalizers: airunway.ai/vllm-provider)" in result.stderr
    assert "kubectl get modeldeployment phi-4 -n default` finds none" in result.stderr
    assert "ready" not in result.stderr.splitlines()[-1]


def test_the_llmd_provider_runs_its_deployment(model_emulator: Start) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    gpu_nodes(emu, 1)  # the provider's vLLM pod is Ready only on a node with its GPU
    deploy = ("model", "deploy", "phi-4", "--runtime", "airunway", "--provider", "llmd", "-y")
    result = invoke(*deploy, "--wait", "--timeout", "30s")
    assert result.exit_code == 0, result
    pod = emu.cluster.get("apps/v1", "Deployment", "default", "phi-4")["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert container["args"][:2] == ["--model", "microsoft/phi-4"]  # providers/llmd: no --host, --port
    status = emu.cluster.get(MD, "ModelDeployment", "default", "phi-4")["status"]
    assert status["provider"]["name"] == "llmd" and status["endpoint"] == {"service": "phi-4", "port": 8000}


def _workspace_when(emu: Any, done: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    deadline = time.monotonic() + 5
    ws = emu.cluster.get("kaito.sh/v1beta1", "Workspace", "default", "phi-4")
    while not done(ws) and time.monotonic() < deadline:
        time.sleep(0.05)
        ws = emu.cluster.get("kaito.sh/v1beta1", "Workspace", "default", "phi-4")
    return dict(ws)


def test_the_kaito_provider_updates_the_workspace_it_made(model_emulator: Start) -> None:
    """providers/kaito/controller.go createOrUpdateResource: a changed spec reaches the Workspace's
    resource and inference, and a key the provider wrote before but writes no more goes (its
    last-applied annotation). akscli changes none of them in place: the mutable ones it writes are
    fixed (the config's name, the count), the others immutable (kinds.IMMUTABLE_FIELDS)."""
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    assert invoke("model", "deploy", "phi-4", "--runtime", "airunway", "-y").exit_code == 0
    assert _workspace_when(emu, lambda ws: ws is not None)["inference"]["config"] == "phi-4-inference-config"
    over = {"spec": {"provider": {"overrides": {"inference": {"config": "other", "adapters": [{"source": {}}]}}}}}
    emu.cluster.patch(MD, "ModelDeployment", "default", "phi-4", over)
    ws = _workspace_when(emu, lambda ws: ws["inference"].get("config") == "other")
    assert ws["inference"]["config"] == "other" and ws["inference"]["adapters"]
    emu.cluster.patch(MD, "ModelDeployment", "default", "phi-4", {"spec": {"provider": {"overrides": {
        "inference": {"adapters": None}}}}})  # fmt: skip
    assert "adapters" not in _workspace_when(emu, lambda ws: "adapters" not in ws["inference"])["inference"]


def test_the_llmd_and_vllm_providers_name_prefix_caching_as_upstream() -> None:
    """ai-runway/airunway v0.7.0 providers/llmd/transformer.go and providers/vllm/transformer.go
    buildVLLMArgs: enablePrefixCaching (true by the CRD's default) is --enable-prefix-caching for
    both; off, llmd says --no-enable-prefix-caching and vllm nothing."""
    from tests.emulators.kube.controllers.airunway_objects import _vllm_objects

    def args(provider: str, caching: bool) -> list[str]:
        md = {
            "apiVersion": MD,
            "kind": "ModelDeployment",
            "metadata": {"name": "m", "namespace": "ml", "uid": "u1"},
            "spec": {"model": {"id": "microsoft/phi-4"}, "engine": {"enablePrefixCaching": caching}},
        }
        return list(_vllm_objects(md, provider)[0]["spec"]["template"]["spec"]["containers"][0]["args"])

    assert args("llmd", True) == ["--model", "microsoft/phi-4", "--enable-prefix-caching"]
    assert args("llmd", False) == ["--model", "microsoft/phi-4", "--no-enable-prefix-caching"]
    assert args("vllm", True)[-1] == "--enable-prefix-caching"
    assert "--no-enable-prefix-caching" not in args("vllm", False)
