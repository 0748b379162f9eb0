"""What AI Runway refuses or changes in a ModelDeployment is refused by `model deploy` before
anything is sent, with the fix (upstream: ai-runway/airunway v0.7.0 f5fd48d1
controller/internal/webhook/v1alpha1/modeldeployment_webhook.go; providers/*/transformer.go)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.cli import invoke
from tests.emulators.kube.admission_airunway import WEBHOOK
from tests.emulators.kube.controllers.airunway import AIRUNWAY
from tests.emulators.kube.status import ApiError
from tests.model.conftest import AIRUNWAY_CRDS

Start = Callable[..., Any]


def _dry_run(*args: str) -> Any:
    return invoke("model", "deploy", "phi-4", "--runtime", "airunway", *args, "--dry-run=client")


def _deploy(*args: str) -> Any:
    return invoke("model", "deploy", "phi-4", "--runtime", "airunway", "--max-model-len", "4096", *args, "-y")


# ---- --replicas ---------------------------------------------------------------------------


@pytest.mark.parametrize("provider", ["vllm", "llmd", "kuberay", "dynamo"])
def test_replicas_0_is_refused_because_every_provider_runs_one_replica_for_it(provider: str) -> None:
    # providers/*/transformer.go read scaling.replicas only when it is above 0, else run 1.
    result = _dry_run("--provider", provider, "--replicas", "0")
    assert result.exit_code == 2, result
    assert "run 1 replica for scaling.replicas 0" in result.stderr
    assert "akscli model delete phi-4" in result.stderr and "--runtime vllm --replicas 0" in result.stderr
    assert result.stdout == ""


def test_replicas_0_names_the_namespace_in_the_delete_it_suggests() -> None:
    result = _dry_run("--provider", "vllm", "--replicas", "0", "-n", "models")
    assert "akscli model delete phi-4 -n models" in result.stderr


def test_replicas_above_the_webhooks_ceiling_are_refused() -> None:
    result = _dry_run("--provider", "vllm", "--replicas", "33")
    assert result.exit_code == 2, result
    assert "refuses scaling.replicas above 32" in result.stderr and "--replicas 1 to 32" in result.stderr
    assert result.stdout == ""


def test_replicas_at_the_webhooks_ceiling_are_rendered() -> None:
    result = _dry_run("--provider", "vllm", "--replicas", "32")
    assert result.exit_code == 0, result
    assert "replicas: 32" in result.stdout


# ---- the identity fields the webhook keeps --------------------------------------------------


def test_a_new_provider_asks_for_recreate(model_emulator: Start) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    assert _deploy("--provider", "vllm").exit_code == 0
    result = _deploy("--provider", "llmd")
    assert result.exit_code == 2, result
    assert "modeldeployment.airunway.ai/phi-4 spec.provider.name: vllm -> llmd" in result.stderr
    assert "add --recreate" in result.stderr
    md = emu.cluster.get(AIRUNWAY, "ModelDeployment", "default", "phi-4")
    assert md["spec"]["provider"]["name"] == "vllm"


def test_recreate_takes_the_new_provider(model_emulator: Start) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    assert _deploy("--provider", "vllm").exit_code == 0
    result = _deploy("--provider", "llmd", "--recreate")
    assert result.exit_code == 0, result
    md = emu.cluster.get(AIRUNWAY, "ModelDeployment", "default", "phi-4")
    assert md["spec"]["provider"]["name"] == "llmd"


def test_a_new_model_under_the_same_name_asks_for_recreate(model_emulator: Start) -> None:
    model_emulator(crds=AIRUNWAY_CRDS)
    assert _deploy("--provider", "vllm").exit_code == 0
    result = invoke(
        "model", "deploy", "phi-4-mini-instruct", "--name", "phi-4", "--runtime", "airunway", "--provider", "vllm", "-y"
    )
    assert result.exit_code == 2, result
    assert "modeldeployment.airunway.ai/phi-4 spec.model.id: " in result.stderr and "add --recreate" in result.stderr


def test_the_kaito_provider_on_a_new_vm_size_asks_for_recreate(model_emulator: Start) -> None:
    # The kaito provider updates its Workspace from the overrides, and KAITO refuses a new instanceType.
    model_emulator(crds=AIRUNWAY_CRDS)
    assert _deploy("--vm-size", "Standard_NC24ads_A100_v4").exit_code == 0
    result = _deploy("--vm-size", "Standard_NC48ads_A100_v4")
    assert result.exit_code == 2, result
    assert (
        "modeldeployment.airunway.ai/phi-4 spec.provider.overrides.resource.instanceType: "
        "Standard_NC24ads_A100_v4 -> Standard_NC48ads_A100_v4" in result.stderr
    )


# ---- the emulated webhook (held to the upstream messages) -------------------------------------


def test_the_emulated_webhook_refuses_a_changed_provider(model_emulator: Start) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    assert _deploy("--provider", "vllm").exit_code == 0
    md = emu.cluster.get(AIRUNWAY, "ModelDeployment", "default", "phi-4")
    md["spec"]["provider"]["name"] = "llmd"
    with pytest.raises(ApiError) as denied:
        emu.cluster.update(md)
    assert denied.value.code == 403
    assert str(denied.value) == (
        f'admission webhook "{WEBHOOK}" denied the request: spec.provider.name: Invalid value: "llmd": '
        "provider.name is immutable (changing it requires delete and recreate)"
    )


# ---- the provider must be installed ------------------------------------------------------------


def test_a_provider_that_is_not_installed_is_refused_before_anything_is_applied(model_emulator: Start) -> None:
    # The webhook refuses it: "InferenceProviderConfig "llmd" not found" (validateSpec).
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    emu.cluster.delete(AIRUNWAY, "InferenceProviderConfig", None, "llmd")
    result = _deploy("--provider", "llmd")
    assert result.exit_code == 7, result
    assert "AI Runway's llmd provider is not installed (no InferenceProviderConfig llmd)" in result.stderr
    assert "providers/llmd/deploy/llmd.yaml" in result.stderr
    assert emu.cluster.get(AIRUNWAY, "ModelDeployment", "default", "phi-4") is None
    assert emu.cluster.get("v1", "ConfigMap", "default", "phi-4-inference-config") is None


def test_a_provider_akscli_may_not_check_is_refused_by_the_webhook_before_anything_is_applied(
    model_emulator: Start,
) -> None:
    # Without RBAC to read InferenceProviderConfigs akscli only warns; the webhook's own lookup
    # refuses the plan's server dry run, so the ConfigMap applied before it in a real run is not.
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    emu.cluster.delete(AIRUNWAY, "InferenceProviderConfig", None, "kaito")
    emu.auth.deny(verb="get", resource="inferenceproviderconfigs")
    result = _deploy("--provider", "kaito")
    assert result.exit_code == 2, result  # the webhook's refusal of the dry run, as every one
    assert "cannot read InferenceProviderConfig kaito" in result.stderr
    assert f'admission webhook "{WEBHOOK}" denied the request' in result.stderr
    assert 'spec.provider.name: Invalid value: "kaito": InferenceProviderConfig "kaito" not found' in result.stderr
    assert "Traceback" not in result.stderr
    assert emu.cluster.get(AIRUNWAY, "ModelDeployment", "default", "phi-4") is None
    assert emu.cluster.get("v1", "ConfigMap", "default", "phi-4-inference-config") is None


def test_an_installed_provider_is_deployed(model_emulator: Start) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    emu.cluster.delete(AIRUNWAY, "InferenceProviderConfig", None, "llmd")
    assert _deploy("--provider", "vllm").exit_code == 0
    assert emu.cluster.get(AIRUNWAY, "ModelDeployment", "default", "phi-4") is not None


# ---- the overrides akscli writes (kaito provider) ------------------------------------------------

# modeldeployment_webhook.go blockedOverrideKeys and sizingOverrideKeys, refused at any depth.
FORBIDDEN_OVERRIDE_KEYS = {
    "securityContext",
    "serviceAccountName",
    "serviceAccount",
    "hostNetwork",
    "hostPID",
    "hostIPC",
    "automountServiceAccountToken",
    "nodeName",
    "priorityClassName",
    "runtimeClassName",
    "replicas",
    "resources",
}


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_the_kaito_providers_overrides_hold_no_key_the_webhook_forbids() -> None:
    from .test_deploy_upstream_fields import _model_deployment

    md = _model_deployment(model="llama-3.1-8b-instruct", access_secret="hf-token", context=8192)
    overrides = md["spec"]["provider"]["overrides"]
    assert overrides["resource"]["instanceType"]
    assert not _keys(overrides) & FORBIDDEN_OVERRIDE_KEYS


# ---- the provider's declared capabilities (CheckProviderCompatibility) --------------------------


def _declare(emu: Any, provider: str, *engines: dict[str, Any]) -> None:
    """The provider's InferenceProviderConfig, as if edited to declare only ``engines``."""
    config = emu.cluster.get(AIRUNWAY, "InferenceProviderConfig", None, provider)
    config["spec"]["capabilities"]["engines"] = list(engines)
    emu.cluster.update(config)


def _model_deployment(**spec: Any) -> dict[str, Any]:
    base = {"model": {"id": "microsoft/phi-4"}, "provider": {"name": "vllm"}, "engine": {"type": "vllm"}}
    return {
        "apiVersion": AIRUNWAY,
        "kind": "ModelDeployment",
        "metadata": {"name": "phi-4", "namespace": "default"},
        "spec": {**base, **spec},
    }


def _denial(emu: Any, obj: dict[str, Any]) -> str:
    with pytest.raises(ApiError) as denied:
        emu.cluster.create(obj)
    assert denied.value.code == 403
    return str(denied.value)


def test_the_emulated_webhook_refuses_an_engine_the_provider_does_not_declare(model_emulator: Start) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    _declare(emu, "vllm", {"name": "sglang", "servingModes": ["aggregated"], "gpuSupport": True})
    assert _denial(emu, _model_deployment(resources={"gpu": {"count": 1}})) == (
        f'admission webhook "{WEBHOOK}" denied the request: spec.engine.type: Invalid value: "vllm": '
        "provider vllm does not support engine vllm"
    )


def test_the_emulated_webhook_refuses_a_serving_mode_the_engine_does_not_declare(model_emulator: Start) -> None:
    # The defaulter's aggregated mode is what is checked when the spec names none.
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    _declare(emu, "vllm", {"name": "vllm", "servingModes": ["disaggregated"], "gpuSupport": True})
    assert _denial(emu, _model_deployment(resources={"gpu": {"count": 1}})) == (
        f'admission webhook "{WEBHOOK}" denied the request: spec.serving.mode: Invalid value: "aggregated": '
        "provider vllm does not support aggregated mode for engine vllm"
    )


def test_the_emulated_webhook_refuses_no_gpu_for_an_engine_without_cpu_support(model_emulator: Start) -> None:
    # With spec.image set the defaulter adds no GPU; the vllm provider declares cpuSupport false.
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    assert _denial(emu, _model_deployment(image="vllm/vllm-openai:v0.11.0")) == (
        f'admission webhook "{WEBHOOK}" denied the request: spec.resources.gpu.count: Invalid value: 0: '
        "vllm engine on provider vllm requires GPU (set resources.gpu.count > 0)"
    )


def test_the_emulated_webhook_takes_no_gpu_where_the_engine_declares_cpu_support(model_emulator: Start) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    obj = _model_deployment(provider={"name": "kaito"}, engine={"type": "llamacpp"})
    emu.cluster.create(obj)
    assert emu.cluster.get(AIRUNWAY, "ModelDeployment", "default", "phi-4") is not None


@pytest.mark.parametrize("provider", ["kaito", "vllm", "kuberay", "dynamo", "llmd"])
def test_every_provider_as_upstream_declares_it_takes_akscli_s_model_deployment(
    model_emulator: Start, provider: str
) -> None:
    model_emulator(crds=AIRUNWAY_CRDS)
    result = invoke("model", "deploy", "phi-4", "--runtime", "airunway", "--provider", provider, "--dry-run=server")
    assert result.exit_code == 0, result


def test_a_provider_that_declares_no_vllm_engine_is_refused_before_anything_is_applied(model_emulator: Start) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    _declare(emu, "kuberay", {"name": "sglang", "servingModes": ["aggregated"], "gpuSupport": True})
    result = _deploy("--provider", "kuberay")
    assert result.exit_code == 2, result
    assert (
        "AI Runway's kuberay provider does not support engine vllm (its InferenceProviderConfig lists: sglang): "
        "AI Runway's webhook refuses a ModelDeployment for it"
    ) in result.stderr
    assert "kubectl get inferenceproviderconfig kuberay -o yaml" in result.stderr
    assert emu.cluster.get(AIRUNWAY, "ModelDeployment", "default", "phi-4") is None


def test_a_provider_without_aggregated_vllm_is_refused_before_anything_is_applied(model_emulator: Start) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    _declare(emu, "llmd", {"name": "vllm", "servingModes": ["disaggregated"], "gpuSupport": True})
    result = _deploy("--provider", "llmd")
    assert result.exit_code == 2, result
    assert "AI Runway's llmd provider does not support aggregated mode for engine vllm" in result.stderr
    assert emu.cluster.get(AIRUNWAY, "ModelDeployment", "default", "phi-4") is None


def test_capabilities_akscli_may_not_read_are_checked_by_the_webhooks_dry_run(model_emulator: Start) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    _declare(emu, "kaito", {"name": "llamacpp", "servingModes": ["aggregated"], "gpuSupport": True})
    emu.auth.deny(verb="get", resource="inferenceproviderconfigs")
    result = _deploy("--provider", "kaito")
    assert result.exit_code == 2, result
    assert 'spec.engine.type: Invalid value: "vllm": provider kaito does not support engine vllm' in result.stderr
    assert "Traceback" not in result.stderr
    assert emu.cluster.get(AIRUNWAY, "ModelDeployment", "default", "phi-4") is None
    assert emu.cluster.get("v1", "ConfigMap", "default", "phi-4-inference-config") is None
