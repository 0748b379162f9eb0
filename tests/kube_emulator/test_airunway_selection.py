"""The emulator's AI Runway core controller picks an engine and a provider where the spec names none,
as upstream's does (ai-runway/airunway v0.7.0 controller/internal/controller/
modeldeployment_controller.go selectEngine, selectProvider, runSelectionAlgorithm, over the
InferenceProviderConfigs providers/*/config.go registers; simulated in
tests/emulators/kube/controllers/airunway_select.py)."""

from __future__ import annotations

import copy
from typing import Any

from tests.emulators.kube.airunway_configs import AIRUNWAY_PROVIDER_ENGINES, AIRUNWAY_PROVIDER_RULES
from tests.emulators.kube.controllers import airunway_core
from tests.emulators.kube.controllers.airunway_select import cel


class _Cluster:
    def __init__(self, configs: list[dict[str, Any]]) -> None:
        self.configs = configs

    def list(self, api_version: str, kind: str, namespace: str | None) -> list[dict[str, Any]]:
        return self.configs


def _configs(*names: str, ready: bool = True) -> list[dict[str, Any]]:
    """The providers' registered configs (all five unless named), as tests/emulators/kube/airunway_configs.py."""
    out = []
    for name in names or tuple(AIRUNWAY_PROVIDER_ENGINES):
        spec = {
            "capabilities": {"engines": AIRUNWAY_PROVIDER_ENGINES[name]},
            "selectionRules": AIRUNWAY_PROVIDER_RULES[name],
        }
        out.append({"metadata": {"name": name}, "spec": copy.deepcopy(spec), "status": {"ready": ready}})
    return out


def _md(spec: dict[str, Any], status: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "apiVersion": airunway_core.AIRUNWAY,
        "kind": "ModelDeployment",
        "metadata": {"name": "phi-4", "namespace": "default", "generation": 1},
        "spec": {"model": {"id": "microsoft/phi-4", "source": "huggingface"}, **spec},
        "status": status or {},
    }


def _gpus(count: int) -> dict[str, Any]:
    return {"resources": {"gpu": {"count": count}}}


def _conditions(status: dict[str, Any]) -> dict[str, tuple[str, str, str]]:
    return {c["type"]: (c["status"], c["reason"], c["message"]) for c in status["conditions"]}


def test_no_engine_on_gpus_auto_selects_vllm_named_after_the_first_provider_offering_it() -> None:
    status, go_on = airunway_core.reconcile(_Cluster(_configs()), _md(_gpus(1)))
    assert go_on
    assert status["engine"] == {"type": "vllm", "selectedReason": "auto-selected from provider dynamo capabilities"}
    assert _conditions(status)["EngineSelected"] == (
        "True",
        "AutoSelected",
        "Engine vllm auto-selected from provider capabilities",
    )


def test_no_engine_and_no_gpus_auto_selects_the_only_cpu_engine_llamacpp_on_kaito() -> None:
    status, _ = airunway_core.reconcile(_Cluster(_configs()), _md({}))
    assert status["engine"]["type"] == "llamacpp"
    # kaito's first rule errors (spec.resources is absent, so has() cannot select), its second matches.
    assert status["provider"] == {
        "name": "kaito",
        "selectedReason": "matched capabilities: engine=llamacpp, gpu=false, mode=aggregated",
    }


def test_no_engine_that_no_ready_provider_offers_fails_engine_selection_with_the_phase_left() -> None:
    configs = [*_configs("kaito"), *_configs("dynamo", ready=False)]
    md = _md({"serving": {"mode": "disaggregated"}}, {"phase": "Pending"})
    status, go_on = airunway_core.reconcile(_Cluster(configs), md)
    assert not go_on and status["phase"] == "Pending"
    why = (
        "no engines available from registered providers (hasGPU=true, servingMode=disaggregated, "
        "advertised=map[kaito:[vllm llamacpp]])"
    )
    assert _conditions(status) == {"EngineSelected": ("False", "SelectionFailed", why)}
    assert status["message"] == f"Engine selection failed: {why}"


def test_one_gpu_vllm_goes_to_dynamo_whose_rule_scores_50() -> None:
    status, go_on = airunway_core.reconcile(_Cluster(_configs()), _md({"engine": {"type": "vllm"}, **_gpus(1)}))
    assert go_on
    assert status["provider"] == {
        "name": "dynamo",
        "selectedReason": "matched capabilities: engine=vllm, gpu=true, mode=aggregated",
    }
    assert _conditions(status)["ProviderSelected"] == ("True", "AutoSelected", "Provider dynamo auto-selected")


def test_more_than_one_gpu_goes_to_kuberay_whose_rule_scores_80() -> None:
    status, _ = airunway_core.reconcile(_Cluster(_configs()), _md({"engine": {"type": "vllm"}, **_gpus(2)}))
    assert status["provider"]["name"] == "kuberay"


def test_disaggregated_serving_goes_to_dynamo_whose_rule_scores_90() -> None:
    part = {"replicas": 1, "gpu": {"count": 1}}
    spec = {
        "engine": {"type": "vllm"},
        "serving": {"mode": "disaggregated"},
        "scaling": {"prefill": part, "decode": part},
    }
    status, _ = airunway_core.reconcile(_Cluster(_configs("kuberay", "llmd", "dynamo")), _md(spec))
    assert status["provider"]["name"] == "dynamo"
    assert status["provider"]["selectedReason"].endswith("gpu=true, mode=disaggregated")


def test_equal_scores_go_to_the_smaller_name_and_vllm_never_wins_by_a_rule() -> None:
    status, _ = airunway_core.reconcile(
        _Cluster(_configs("vllm", "llmd")), _md({"engine": {"type": "vllm"}, **_gpus(1)})
    )
    assert status["provider"]["name"] == "llmd"


def test_a_provider_not_ready_is_no_candidate() -> None:
    configs = [*_configs("kaito", "kuberay", "llmd", "vllm"), *_configs("dynamo", ready=False)]
    status, _ = airunway_core.reconcile(_Cluster(configs), _md({"engine": {"type": "vllm"}, **_gpus(1)}))
    assert status["provider"]["name"] == "kaito"  # all score 0: the smallest name


def test_no_ready_provider_fails_provider_selection_with_the_phase_left() -> None:
    md = _md({"engine": {"type": "vllm"}, **_gpus(1)}, {"phase": "Pending"})
    status, go_on = airunway_core.reconcile(_Cluster(_configs(ready=False)), md)
    assert not go_on and status["phase"] == "Pending" and "provider" not in status
    assert _conditions(status)["ProviderSelected"] == ("False", "SelectionFailed", "no healthy providers available")
    assert status["message"] == "Provider selection failed: no healthy providers available"


def test_no_provider_fitting_the_engine_and_mode_fails_provider_selection() -> None:
    part = {"replicas": 1, "gpu": {"count": 1}}
    spec = {
        "engine": {"type": "trtllm"},
        "serving": {"mode": "disaggregated"},
        "scaling": {"prefill": part, "decode": part},
    }
    status, go_on = airunway_core.reconcile(_Cluster(_configs()), _md(spec))
    assert not go_on
    assert status["message"] == "Provider selection failed: no compatible provider found for this configuration"


def test_a_provider_once_selected_is_kept_when_the_scores_would_now_pick_another() -> None:
    recorded = {"name": "kaito", "selectedReason": "matched capabilities: engine=vllm, gpu=true, mode=aggregated"}
    md = _md({"engine": {"type": "vllm"}, **_gpus(1)}, {"phase": "Running", "provider": recorded})
    status, go_on = airunway_core.reconcile(_Cluster(_configs()), md)
    assert go_on and "provider" not in status and "ProviderSelected" not in _conditions(status)


def test_an_auto_selected_engine_is_kept_once_recorded() -> None:
    md = _md(
        _gpus(1), {"engine": {"type": "sglang", "selectedReason": "auto-selected from provider dynamo capabilities"}}
    )
    status, _ = airunway_core.reconcile(_Cluster(_configs()), md)
    assert "engine" not in status
    assert _conditions(status)["EngineSelected"][2] == "Engine sglang auto-selected from provider capabilities"
    assert status["provider"]["name"] == "dynamo"  # its sglang rule: 100


def test_cel_errors_are_absorbed_by_a_deciding_side_as_cel_defines() -> None:
    assert cel("!has(spec.resources.gpu) || spec.resources.gpu.count == 0", {}) is None
    assert cel("spec.engine.type == 'vllm' || spec.resources.gpu.count == 0", {"engine": {"type": "vllm"}}) is True
    assert cel("spec.resources.gpu.count > 0 && spec.engine.type == 'x'", {"engine": {"type": "vllm"}}) is False
    assert cel("spec.resources.gpu.count > 1.5", {"resources": {"gpu": {"count": 2}}}) is None  # not its grammar
    assert cel("size(spec.engine)", {"engine": {}}) is None
