"""`model status` says what the autoscaler does now when the model has a KEDA ScaledObject: its
min:max, the HPA KEDA made (``keda-hpa-NAME``, kedacore/keda apis/keda/v1alpha1/scaledobject_webhook.go
getHpaName) with its current and desired replicas, and the ScaledObject's Ready and Active
conditions (apis/keda/v1alpha1/condition_types.go). One GET of each; in -o json as
``autoscaling``. A model without one reads neither and shows none."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from akscli.model import autoscaling_status
from tests.cli import invoke

from ._queue import gpu_nodes, scraped_queue, vllm_pods
from .test_scraping_and_routing import _eventually

KEDA = "keda.sh/v1alpha1"
HPA = "autoscaling/v2"
Start = Callable[..., Any]
# KEDA's operator sets Active while a trigger is active: the queue above the trigger's
# activationThreshold, 0 by default (pkg/scaling/executor/scale_scaledobjects.go RequestScale,
# pkg/scalers/prometheus_scaler.go GetMetricsAndActivity).
ACTIVE = {"status": "True", "reason": "ScalerActive", "message": "Scaling is performed because triggers are active"}


def _hpa_status(emu: Any) -> dict[str, Any]:
    hpa = emu.cluster.get(HPA, "HorizontalPodAutoscaler", "default", "keda-hpa-phi-4") or {}
    return dict(hpa.get("status") or {})


def _scaled_to_three(model_emulator: Start) -> Any:
    emu = model_emulator(monitoring=True)
    gpu_nodes(emu, 3)  # one per replica the autoscaler asks for
    result = invoke("model", "deploy", "phi-4", "--runtime", "vllm", "--autoscale", "1:4", "-y")
    assert result.exit_code == 0, result
    _eventually(lambda: len(vllm_pods(emu)) == 1)
    scraped_queue(emu, 12)
    _eventually(lambda: _hpa_status(emu).get("desiredReplicas") == 3)
    _eventually(lambda: len(vllm_pods(emu)) == 3)
    emu.hpa.sync_period_passes()  # the HPA controller's next sync counts the three replicas
    _eventually(lambda: _hpa_status(emu).get("currentReplicas") == 3)
    return emu


def test_status_json_says_the_autoscalers_bounds_replicas_and_conditions(model_emulator: Start) -> None:
    _scaled_to_three(model_emulator)
    result = invoke("model", "status", "phi-4", "-o", "json")
    assert result.exit_code == 0, result
    doc = json.loads(result.stdout)["autoscaling"]
    assert (doc["scaledObject"], doc["min"], doc["max"], doc["hpa"]) == ("phi-4", 1, 4, "keda-hpa-phi-4")
    assert (doc["currentReplicas"], doc["desiredReplicas"]) == (3, 3)
    assert doc["ready"]["status"] == "True" and doc["ready"]["reason"] == "ScaledObjectReady"
    assert doc["active"] == ACTIVE  # 12 requests wait


def test_status_table_has_one_autoscaling_line(model_emulator: Start) -> None:
    _scaled_to_three(model_emulator)
    result = invoke("model", "status", "phi-4")
    assert result.exit_code == 0, result
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("autoscaling")]
    assert line.split(":", 1)[1].strip() == (
        "1:4 by KEDA; HPA keda-hpa-phi-4: 3 replicas, wants 3; "
        "Ready True (ScaledObjectReady), Active True (ScalerActive)"
    )


def test_an_empty_queue_clears_active(model_emulator: Start) -> None:
    emu = _scaled_to_three(model_emulator)
    scraped_queue(emu, 0)
    result = invoke("model", "status", "phi-4", "-o", "json")
    assert result.exit_code == 0, result
    active = json.loads(result.stdout)["autoscaling"]["active"]
    assert (active["status"], active["reason"]) == ("False", "ScalerNotActive")


def test_status_of_a_model_without_autoscaler_reads_no_hpa_and_shows_none(model_emulator: Start) -> None:
    emu = model_emulator(monitoring=True)
    assert invoke("model", "deploy", "phi-4", "--runtime", "vllm", "-y").exit_code == 0
    before = len(emu.request_log)
    result = invoke("model", "status", "phi-4", "-o", "json")
    assert result.exit_code == 0, result
    assert json.loads(result.stdout)["autoscaling"] is None
    assert not [r for r in emu.request_log[before:] if "horizontalpodautoscalers" in r.path]
    assert "autoscaling" not in invoke("model", "status", "phi-4").stdout


def test_the_line_names_the_active_condition_and_an_hpa_not_made_yet() -> None:
    from akscli.model.autoscaling_status import line

    doc = {"min": 1, "max": 8, "hpa": "keda-hpa-phi-4", "hpaFound": False, "ready": None, "active": ACTIVE}
    assert line(doc) == "1:8 by KEDA; HPA keda-hpa-phi-4 not made yet; Ready <none>, Active True (ScalerActive)"


def test_the_hpa_is_the_one_the_scaled_object_names_when_it_names_one() -> None:
    from akscli.model.autoscaling_status import hpa_name

    named = {"metadata": {"name": "phi-4"}, "spec": {"advanced": {"horizontalPodAutoscalerConfig": {"name": "h"}}}}
    assert hpa_name(named) == "h"
    assert hpa_name({"metadata": {"name": "phi-4"}, "spec": {}}) == "keda-hpa-phi-4"


def _doc(**over: Any) -> dict[str, Any]:
    doc = {"min": 0, "max": 4, "hpa": "keda-hpa-phi-4", "hpaFound": True, "currentReplicas": 0,
           "desiredReplicas": 0, "ready": None, "active": None, "idle": None, "cooldownPeriod": 300,
           "lastActiveTime": None}  # fmt: skip
    return doc | over


NOT_ACTIVE = {"status": "False", "reason": "ScalerNotActive", "message": ""}


def test_the_line_says_keda_scaled_the_model_to_zero() -> None:
    from akscli.model.autoscaling_status import keda_state

    assert keda_state(_doc(active=NOT_ACTIVE)) == "scaled to zero by KEDA: the first active trigger scales it to 1"


def test_the_line_says_keda_activates_a_model_at_zero() -> None:
    from akscli.model.autoscaling_status import keda_state

    assert keda_state(_doc(active=ACTIVE)) == "activating: a trigger is active, KEDA scales from 0 to 1"


def test_the_line_says_keda_cools_down_before_it_scales_to_zero() -> None:
    from akscli.model.autoscaling_status import keda_state

    cooling = {"status": "False", "reason": "ScalerCooldown", "message": ""}
    doc = _doc(currentReplicas=2, active=cooling, lastActiveTime="2026-12-07T13:00:00Z")
    assert keda_state(doc) == (
        "cooling down: no trigger is active since 2026-12-07T13:00:00Z; KEDA scales to 0 once cooldownPeriod "
        "300s has passed"
    )


def test_the_line_says_nothing_of_keda_where_the_hpa_keeps_min_replicas() -> None:
    from akscli.model.autoscaling_status import keda_state

    assert keda_state(_doc(min=1, currentReplicas=1, active=NOT_ACTIVE)) is None


def test_status_says_a_model_keda_scaled_to_zero(model_emulator: Start) -> None:
    # a user's own edit of akscli's ScaledObject (akscli renders MIN >= 1): minReplicaCount 0, no
    # cooldown; with no request waiting KEDA scales the Deployment to 0 at its next poll
    emu = model_emulator(monitoring=True)
    gpu_nodes(emu, 1)
    result = invoke("model", "deploy", "phi-4", "--runtime", "vllm", "--autoscale", "1:4", "-y")
    assert result.exit_code == 0, result
    _eventually(lambda: len(vllm_pods(emu)) == 1)
    emu.cluster.patch(KEDA, "ScaledObject", "default", "phi-4", {"spec": {"minReplicaCount": 0, "cooldownPeriod": 0}})
    scraped_queue(emu, 0)
    _eventually(lambda: emu.cluster.get("apps/v1", "Deployment", "default", "phi-4")["spec"]["replicas"] == 0)
    emu.hpa.sync_period_passes()
    _eventually(lambda: _hpa_status(emu).get("currentReplicas") == 0)
    result = invoke("model", "status", "phi-4")
    assert result.exit_code == 0, result
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("autoscaling")]
    assert line.endswith("scaled to zero by KEDA: the first active trigger scales it to 1")


def test_a_new_hpa_without_status_is_said_to_have_no_count_yet() -> None:
    # kubernetes/kubernetes pkg/controller/podautoscaler/horizontal.go: the status is written by
    # the controller's first reconcile; until then an HPA has neither count.
    doc = {
        "hpaFound": True,
        "hpa": "keda-hpa-phi-4",
        "currentReplicas": None,
        "desiredReplicas": None,
        "min": 1,
        "max": 4,
        "ready": None,
        "active": None,
    }
    assert autoscaling_status.line(doc).startswith(
        "1:4 by KEDA; HPA keda-hpa-phi-4: no replica count yet (the HPA controller has not synced it); "
    )
