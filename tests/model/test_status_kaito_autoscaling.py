"""`model status` of a KAITO model deployed with --autoscale: keda-kaito-scaler's ScaledObject.

Its scalingModifiers formula always evaluates to 2.0, 1.0 or 0.5 and it sets no activationTarget
(kaito-project/keda-kaito-scaler 3ce909d4 pkg/scaledobject/provisioner.go scaleUpMultiplier,
holdMultiplier, scaleDownMultiplier, BuildDesired). KEDA sets Active while the formula's value is
over the activationTarget, 0 when unset (kedacore/keda 8b4f083c pkg/scaling/scale_handler.go
getScaledObjectState), so a fresh deploy with no request waiting is Active True, ScalerActive, as a
real cluster says it. The status line keeps KEDA's words and says what they mean there."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from akscli.model import autoscaling_status
from tests.cli import invoke

from .test_e2e_runtimes import _eventually, _leaders

KEDA = "keda.sh/v1alpha1"
Start = Callable[..., Any]
ACTIVE = {"status": "True", "reason": "ScalerActive", "message": "Scaling is performed because triggers are active"}
NOTE = (
    "Active only says keda-kaito-scaler answered: its formula is 2 (add a replica), 1 (hold) or 0.5 "
    "(remove one), always over KEDA's activationTarget 0, whatever the queue; the HPA's wants says which"
)


def _fresh_kaito_autoscale(model_emulator: Start) -> Any:
    emu = model_emulator(serving=True)
    result = invoke("model", "deploy", "phi-4", "--autoscale", "1:4", "--wait", "--timeout", "20s", "-y")
    assert result.exit_code == 0, result
    _eventually(lambda: emu.cluster.get(KEDA, "ScaledObject", "default", "phi-4") is not None)
    for leader in _leaders(emu, "phi-4"):
        emu.serving.figures("default", leader).waiting = 0
    emu.kaito_scaler.poll(emu.cluster)
    emu.keda.poll(emu.cluster, "default", "phi-4")
    return emu


def _active(emu: Any) -> dict[str, Any]:
    scaled = emu.cluster.get(KEDA, "ScaledObject", "default", "phi-4")
    (cond,) = [c for c in scaled["status"]["conditions"] if c["type"] == "Active"]
    return {k: cond[k] for k in ("status", "reason", "message")}


def test_keda_says_a_kaito_model_with_no_request_waiting_is_active(model_emulator: Start) -> None:
    emu = _fresh_kaito_autoscale(model_emulator)
    _eventually(lambda: _active(emu) == ACTIVE)


def test_status_says_what_active_means_for_keda_kaito_scalers_formula(model_emulator: Start) -> None:
    emu = _fresh_kaito_autoscale(model_emulator)
    _eventually(lambda: _active(emu) == ACTIVE)
    result = invoke("model", "status", "phi-4")
    assert result.exit_code == 0, result
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("autoscaling")]
    assert line.endswith(f"Active True (ScalerActive); {NOTE}")


def test_status_json_names_keda_kaito_scaler_as_the_scaled_objects_manager(model_emulator: Start) -> None:
    import json

    _fresh_kaito_autoscale(model_emulator)
    result = invoke("model", "status", "phi-4", "-o", "json")
    assert result.exit_code == 0, result
    assert json.loads(result.stdout)["autoscaling"]["managedBy"] == "keda-kaito-scaler"


def _doc(**over: Any) -> dict[str, Any]:
    doc = {"min": 1, "max": 4, "hpa": "keda-hpa-phi-4", "hpaFound": True, "currentReplicas": 1,
           "desiredReplicas": 1, "ready": None, "active": ACTIVE, "idle": None, "cooldownPeriod": 300,
           "lastActiveTime": None, "managedBy": "keda-kaito-scaler"}  # fmt: skip
    return doc | over


def test_the_note_is_only_for_keda_kaito_scalers_scaled_object() -> None:
    # akscli's own ScaledObject (vLLM, KubeRay) is Active only while requests wait: no note
    assert autoscaling_status.formula_note(_doc(managedBy=None)) is None


def test_the_note_is_only_while_keda_says_active() -> None:
    # a failing trigger clears Active (scale_handler.go: "we need to reset the activity even if there is an error")
    not_active = {"status": "False", "reason": "ScalerNotActive", "message": ""}
    assert autoscaling_status.formula_note(_doc(active=not_active)) is None
