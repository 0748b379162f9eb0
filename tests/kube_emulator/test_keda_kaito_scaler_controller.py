"""keda-kaito-scaler's auto-provision controller as the lab runs it (controllers/keda.py
KaitoScalerController; upstream: kaito-project/keda-kaito-scaler v0.6.2
pkg/controllers/autoprovision/auto_provision_controller.go Reconcile, syncDesired, reconcileTo,
cleanupManagedScaledObjects, listManagedScaledObjects). Each change is followed by the controllers'
settling (``controllers.idle``), never a sleep."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.emulators.kube.controllers.keda_kaito_scaler import KaitoScalerController

KAITO, KEDA = "kaito.sh/v1beta1", "keda.sh/v1alpha1"
PREFIX = "scaledobject.kaito.sh/"
METRICS = "- name: vllm:num_requests_waiting\n  type: gauge\n  upthreshold: 5\n  downthreshold: 1\n"


class Lab:
    """An emulator with the auto-provision controller and an InferenceSet phi-4 in ml."""

    def __init__(self, factory: Callable[..., Any]) -> None:
        self.emu = factory(tls=False, builtin_controllers=False)
        self.emu.controllers.add(KaitoScalerController(delay=0.01))
        self.emu.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ml"}})

    def make_set(self, **annotations: str) -> None:
        ann = {f"{PREFIX}auto-provision": "true", f"{PREFIX}max-replicas": "4", f"{PREFIX}metrics": METRICS}
        self.emu.cluster.create({
            "apiVersion": KAITO, "kind": "InferenceSet",
            "metadata": {"name": "phi-4", "namespace": "ml", "annotations": ann | annotations},
            "spec": {"replicas": 1, "labelSelector": {"matchLabels": {"app": "phi-4"}},
                     "template": {"resource": {"instanceType": "Standard_NC24ads_A100_v4"},
                                  "inference": {"preset": {"name": "phi-4"}}}},
        })  # fmt: skip
        self.settle()

    def annotate(self, **annotations: str | None) -> None:
        body = {"metadata": {"annotations": {f"{PREFIX}{k.replace('_', '-')}": v for k, v in annotations.items()}}}
        self.emu.cluster.patch(KAITO, "InferenceSet", "ml", "phi-4", body)
        self.settle()

    def settle(self) -> None:
        assert self.emu.controllers.idle()
        assert self.emu.controllers.errors == []

    def scaled_object(self) -> dict[str, Any] | None:
        found: dict[str, Any] | None = self.emu.cluster.get(KEDA, "ScaledObject", "ml", "phi-4")
        return found


@pytest.fixture
def lab(kube_emulator_factory: Callable[..., Any]) -> Lab:
    return Lab(kube_emulator_factory)


def test_a_new_max_replicas_annotation_updates_the_scaled_object(lab: Lab) -> None:
    lab.make_set()
    lab.annotate(max_replicas="8")
    so = lab.scaled_object()
    assert so is not None and so["spec"]["maxReplicaCount"] == 8


def test_new_thresholds_update_the_formula(lab: Lab) -> None:
    lab.make_set()
    lab.annotate(metrics=METRICS.replace("upthreshold: 5", "upthreshold: 9"))
    so = lab.scaled_object()
    assert so is not None and "vllm_num_requests_waiting > 9" in so["spec"]["advanced"]["scalingModifiers"]["formula"]


def test_an_unchanged_set_leaves_the_scaled_object_unwritten(lab: Lab) -> None:
    lab.make_set()
    before = lab.scaled_object()
    lab.annotate(unrelated="x")
    after = lab.scaled_object()
    assert before is not None and after is not None
    assert after["metadata"]["resourceVersion"] == before["metadata"]["resourceVersion"]


def test_turning_auto_provision_off_deletes_the_scaled_object_it_made(lab: Lab) -> None:
    lab.make_set()
    lab.annotate(auto_provision="false")
    assert lab.scaled_object() is None


def test_a_scaled_object_of_the_sets_name_it_did_not_make_is_left_alone(lab: Lab) -> None:
    mine = {
        "apiVersion": KEDA, "kind": "ScaledObject", "metadata": {"name": "phi-4", "namespace": "ml"},
        "spec": {"scaleTargetRef": {"name": "phi-4"}, "maxReplicaCount": 2,
                 "triggers": [{"type": "cpu", "metricType": "Utilization", "metadata": {"value": "50"}}]},
    }  # fmt: skip
    lab.emu.cluster.create(mine)
    lab.make_set()
    lab.annotate(auto_provision="false")
    so = lab.scaled_object()
    assert so is not None and so["spec"]["maxReplicaCount"] == 2


def _events(lab: Lab, reason: str) -> list[str]:
    return [e["message"] for e in lab.emu.cluster.list("v1", "Event", "ml") if e["reason"] == reason]


def test_a_max_below_the_min_is_an_invalid_replica_range_event_and_no_scaled_object(lab: Lab) -> None:
    # Reconcile: maxReplicas < minReplicas, a Warning on the InferenceSet and nothing provisioned.
    lab.make_set(**{f"{PREFIX}min-replicas": "6"})
    assert lab.scaled_object() is None
    assert _events(lab, "InvalidReplicaRange") == [
        "Skip auto-provisioning ScaledObject: max-replicas (4) is less than min-replicas (6)"
    ]


def test_a_max_replicas_that_is_no_number_is_skipped_silently(lab: Lab) -> None:
    # autoscalingConfigValid: strconv.Atoi fails, so no ScaledObject, no event, no controller error.
    lab.make_set(**{f"{PREFIX}max-replicas": "four"})
    assert lab.scaled_object() is None
    assert _events(lab, "InvalidReplicaRange") == []
