"""The emulator's AI Runway core controller writes the conditions upstream's does (ai-runway/airunway
v0.7.0 controller/internal/controller/modeldeployment_controller.go Reconcile; simulated in
tests/emulators/kube/controllers/airunway_core.py)."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube.controllers import airunway_core
from tests.emulators.kube.status import ApiError


class _Cluster:
    """InferenceProviderConfigs only; None: the kind is not served."""

    def __init__(self, configs: list[dict[str, Any]] | None = None) -> None:
        self.configs = configs

    def list(self, api_version: str, kind: str, namespace: str | None) -> list[dict[str, Any]]:
        if self.configs is None:
            raise ApiError(404, "the server could not find the requested resource")
        return self.configs


def _md(spec: dict[str, Any], status: dict[str, Any] | None = None) -> dict[str, Any]:
    base = {"model": {"id": "phi-4", "source": "huggingface"}, "engine": {"type": "vllm"}}
    return {
        "apiVersion": airunway_core.AIRUNWAY,
        "kind": "ModelDeployment",
        "metadata": {"name": "phi-4", "namespace": "default", "generation": 1},
        "spec": {**base, **spec},
        "status": status or {},
    }


def _reasons(status: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(c["type"], c["status"], c["reason"]) for c in status["conditions"]]


def test_a_named_provider_is_recorded_with_validated_engine_and_provider_selected() -> None:
    status, go_on = airunway_core.reconcile(_Cluster(), _md({"provider": {"name": "kaito"}}))
    assert go_on and status["phase"] == "Pending" and status["observedGeneration"] == 1
    assert _reasons(status) == [
        ("Validated", "True", "ValidationPassed"),
        ("EngineSelected", "True", "ExplicitSelection"),
        ("ProviderSelected", "True", "ExplicitSelection"),
    ]
    assert status["provider"] == {"name": "kaito", "selectedReason": "explicit provider selection"}
    assert status["engine"] == {"type": "vllm", "selectedReason": "explicit engine selection"}


def test_an_engine_the_named_providers_config_lacks_fails_validation_and_stops_the_providers() -> None:
    config = {"metadata": {"name": "vllm"}, "spec": {"capabilities": {"engines": [{"name": "sglang"}]}}}
    status, go_on = airunway_core.reconcile(_Cluster([config]), _md({"provider": {"name": "vllm"}}))
    assert not go_on and status["phase"] == "Failed"
    assert status["message"] == "Validation failed: provider vllm does not support engine vllm"
    assert _reasons(status) == [("Validated", "False", "ValidationFailed")]


def test_a_provider_changed_after_one_was_recorded_fails_provider_selected() -> None:
    md = _md({"provider": {"name": "vllm"}}, {"phase": "Running", "provider": {"name": "kaito"}})
    status, go_on = airunway_core.reconcile(_Cluster(), md)
    assert not go_on and status["phase"] == "Failed"
    assert ("ProviderSelected", "False", "ProviderChangeNotSupported") in _reasons(status)
    assert status["message"].startswith('changing spec.provider.name from "kaito" to "vllm"')


def test_no_engine_and_no_provider_configs_fails_engine_selection_but_not_the_phase() -> None:
    md = _md({"engine": {}, "provider": {"name": "kaito"}})
    status, go_on = airunway_core.reconcile(_Cluster(None), md)
    assert not go_on and status["phase"] == "Pending"
    assert _reasons(status) == [("EngineSelected", "False", "SelectionFailed")]
    assert status["message"] == f"Engine selection failed: {airunway_core.NO_PROVIDERS}"


def test_conflicting_image_fields_fail_validation_with_image_resolved() -> None:
    md = _md({"image": "a:1", "engine": {"type": "vllm", "image": "b:2"}, "provider": {"name": "vllm"}})
    status, go_on = airunway_core.reconcile(_Cluster(), md)
    assert not go_on and status["phase"] == "Failed"
    assert _reasons(status) == [
        ("ImageResolved", "False", "ConflictingImageFields"),
        ("Validated", "False", "ValidationFailed"),
    ]


def test_a_condition_set_again_with_the_same_status_keeps_its_transition_time() -> None:
    old = {"type": "Validated", "status": "True", "reason": "ValidationPassed", "lastTransitionTime": "T0"}
    new = {**old, "lastTransitionTime": "T1", "observedGeneration": 2}
    assert airunway_core.set_condition([old], new) == [{**new, "lastTransitionTime": "T0"}]
