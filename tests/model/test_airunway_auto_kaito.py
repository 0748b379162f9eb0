"""`model deploy --runtime airunway --provider auto` where AI Runway would pick its kaito provider
(akscli.model.airunway_pick). Upstream: ai-runway/airunway v0.7.0 controller/internal/controller/
modeldeployment_controller.go runSelectionAlgorithm (the pick); providers/kaito/transformer.go
buildResource (scaling.replicas -> resource.count; instanceType only from the provider's
AIRUNWAY_KAITO_* environment) and buildInference (preset name = spec.model.id); kaito-project/kaito
v0.12.0 api/v1beta1/workspace_validation.go Workspace.validateCreate (instanceType required with node
auto-provisioning). The emulator's pick: tests/emulators/kube/controllers/airunway_select.py."""

from __future__ import annotations

from typing import Any

from akscli.model import airunway_pick
from tests.cli import invoke
from tests.emulators.kube.airunway_configs import AIRUNWAY_PROVIDER_ENGINES, AIRUNWAY_PROVIDER_RULES
from tests.emulators.kube.profiles import KAITO_CHART_FEATURE_GATES, ready_pod

from ._airunway import MD
from ._queue import gpu_nodes
from .conftest import AIRUNWAY_CRDS

AUTO = ("model", "deploy", "phi-4", "--runtime", "airunway", "--provider", "auto")


def _set_ready(emu: Any, **ready: bool) -> None:
    for config in emu.cluster.list(MD, "InferenceProviderConfig", None):
        if config["metadata"]["name"] in ready:
            emu.cluster.update_status({**config, "status": {"ready": ready[config["metadata"]["name"]]}})


def _md(emu: Any) -> dict[str, Any] | None:
    found: dict[str, Any] | None = emu.cluster.get(MD, "ModelDeployment", "default", "phi-4")
    return found


def test_auto_is_refused_where_ai_runway_would_pick_kaito_and_kaito_needs_an_instance_type(model_emulator: Any) -> None:
    # kaito, llmd and vllm ready (no KubeRay, no Dynamo): all score 0 for a 1-GPU vLLM model, the
    # tie goes to kaito, whose Workspace has no instanceType, and KAITO runs node auto-provisioning.
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    gpu_nodes(emu, 1)
    result = invoke(*AUTO, "-y")
    assert result.exit_code == 2, result
    assert (
        "would pick its kaito provider here (its selection rules score 0, the same as llmd and vllm, and a tie"
        in result.stderr
    )
    assert "instanceType is required when node auto-provisioning is enabled" in result.stderr
    assert "hint: use --provider vllm (or llmd), or --provider kaito" in result.stderr
    assert "Traceback" not in result.stderr and _md(emu) is None


def test_auto_with_replicas_is_refused_where_kaito_would_read_them_as_gpu_nodes(model_emulator: Any) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    gpu_nodes(emu, 2)
    _set_ready(emu, llmd=False, vllm=False)
    result = invoke(*AUTO, "--replicas", "2", "-y")
    assert result.exit_code == 2, result
    assert "the only ready provider for a vLLM GPU model" in result.stderr
    assert "resource.count (GPU nodes of one server), not as replicas" in result.stderr
    assert "--provider vllm (or llmd) for 2 replicas" in result.stderr and _md(emu) is None


def test_auto_with_replicas_is_kept_where_another_provider_would_serve(model_emulator: Any) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    gpu_nodes(emu, 2)
    _set_ready(emu, kaito=False)
    result = invoke(*AUTO, "--replicas", "2", "-y")
    assert result.exit_code == 0, result
    assert "kaito" not in result.stderr
    assert (_md(emu) or {})["spec"]["scaling"]["replicas"] == 2


def test_auto_is_kept_where_a_provider_with_a_higher_rule_is_ready(model_emulator: Any) -> None:
    # dynamo's rule gives a vLLM model with GPUs 50 (providers/dynamo/config.go): it, not kaito, serves.
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    gpu_nodes(emu, 1)
    _set_ready(emu, dynamo=True)
    result = invoke(*AUTO, "-y")
    assert result.exit_code == 0, result
    assert "kaito" not in result.stderr and _md(emu) is not None


def test_auto_warns_where_kaito_would_serve_on_its_own_nodes(model_emulator: Any) -> None:
    # KAITO with disableNodeAutoProvisioning=true (AI Runway's own KAITO install command,
    # providers/kaito/config.go GetInstallationInfo) takes a Workspace without an instanceType.
    emu = model_emulator(crds=AIRUNWAY_CRDS, controller=False)
    gpu_nodes(emu, 1)
    gates = {**KAITO_CHART_FEATURE_GATES, "disableNodeAutoProvisioning": True}
    joined = ",".join(f"{k}={str(v).lower()}" for k, v in sorted(gates.items()))
    ready_pod(
        emu,
        "kube-system",
        "kaito-workspace-0",
        {"app.kubernetes.io/name": "workspace"},
        args=[f"--feature-gates={joined}"],
    )
    result = invoke(*AUTO, "-y")
    assert result.exit_code == 0, result
    assert (
        "KAITO serves microsoft/phi-4 as a Hugging Face preset on GPU nodes that KAITO's labelSelector" in result.stderr
    )


def test_auto_waits_where_the_kaito_provider_writes_an_instance_type(model_emulator: Any) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    gpu_nodes(emu, 1)
    env = [
        {"name": "AIRUNWAY_KAITO_NODE_AUTO_PROVISIONING", "value": "true"},
        {"name": "AIRUNWAY_KAITO_GPU_INSTANCE_TYPE", "value": "Standard_NC24ads_A100_v4"},
    ]
    labels = {"control-plane": "kaito-provider", "app.kubernetes.io/name": "airunway"}
    ready_pod(emu, "airunway-system", "airunway-kaito-provider-0", labels, env=env)
    result = invoke(*AUTO, "--wait", "--timeout", "5m", "-y")
    assert result.exit_code == 0, result
    assert "on a Standard_NC24ads_A100_v4 node KAITO provisions" in result.stderr
    assert "AI Runway selected provider kaito" in result.stderr + result.stdout
    ws = emu.cluster.get("kaito.sh/v1beta1", "Workspace", "default", "phi-4")
    assert ws["resource"]["instanceType"] == "Standard_NC24ads_A100_v4"
    assert ws["inference"]["preset"]["name"] == "microsoft/phi-4"


def test_auto_is_not_refused_on_a_rule_akscli_cannot_read(model_emulator: Any) -> None:
    # cel-go would evaluate size(); akscli's reader does not, so it does not guess the pick.
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    gpu_nodes(emu, 1)
    vllm = emu.cluster.get(MD, "InferenceProviderConfig", None, "vllm")
    vllm["spec"]["selectionRules"] = [{"condition": "size(spec.model.id) > 0", "priority": 10}]
    emu.cluster.update(vllm)
    result = invoke(*AUTO, "-y")
    assert result.exit_code == 0, result
    assert "kaito" not in result.stderr


def _configs(*ready: str) -> list[dict[str, Any]]:
    """The providers' own configs (the emulator's copy of providers/*/config.go), these ready."""
    return [
        {
            "metadata": {"name": name},
            "spec": {"capabilities": {"engines": engines}, "selectionRules": AIRUNWAY_PROVIDER_RULES[name]},
            "status": {"ready": name in ready},
        }
        for name, engines in AIRUNWAY_PROVIDER_ENGINES.items()
    ]


def test_pick_follows_the_providers_rules() -> None:
    one, two = (
        {"engine": {"type": "vllm"}, "resources": {"gpu": {"count": n}}, "scaling": {"replicas": 1}} for n in (1, 2)
    )
    assert airunway_pick.pick(one, _configs("kaito", "vllm", "llmd")) == ("kaito", {"kaito": 0, "vllm": 0, "llmd": 0})
    assert (airunway_pick.pick(one, _configs("kaito", "dynamo")) or ("",))[0] == "dynamo"
    assert (airunway_pick.pick(two, _configs("kaito", "kuberay", "dynamo")) or ("",))[0] == "kuberay"
    assert airunway_pick.pick(one, _configs()) is None
