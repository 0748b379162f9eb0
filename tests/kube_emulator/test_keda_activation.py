"""KEDA's own 0<->1 scaling (activation and deactivation), as the KEDA simulator plays it after each
poll (controllers/keda_scale.py; upstream: kedacore/keda v2.20.2 pkg/scaling/executor/
scale_scaledobjects.go RequestScale, scaleFromZeroOrIdle, scaleToZeroOrIdle). The HPA KEDA makes
keeps 1..N; only KEDA writes 0 and leaves it. KEDA reads its triggers when a test polls it; nothing
sleeps: a cooldown is either 0 s (passed at the next poll) or an hour (not passed)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.kube_emulator.test_keda_fallback import Lab


@pytest.fixture
def lab(kube_emulator_factory: Callable[..., Any]) -> Callable[..., Lab]:
    return lambda **spec: Lab(kube_emulator_factory, **spec)


def _replicas(subject: Lab) -> int:
    return int(subject.emu.cluster.get("apps/v1", "Deployment", "default", "phi-4")["spec"]["replicas"])


def test_an_idle_trigger_scales_to_zero_once_the_cooldown_has_passed(lab: Callable[..., Lab]) -> None:
    subject = lab(minReplicaCount=0, cooldownPeriod=0)
    subject.prometheus.values["queue"] = 0
    subject.poll()
    assert _replicas(subject) == 0
    assert subject.events("KEDAScaleTargetDeactivated") == ["Deactivated apps/v1.Deployment default/phi-4 from 2 to 0"]
    assert subject.condition("Active") == ("False", "ScalerNotActive")


def test_within_the_cooldown_keda_keeps_the_replicas_and_says_it_cools_down(lab: Callable[..., Lab]) -> None:
    subject = lab(minReplicaCount=0, cooldownPeriod=3600)
    subject.prometheus.values["queue"] = 0
    subject.poll()
    assert _replicas(subject) == 2
    assert subject.condition("Active") == ("False", "ScalerCooldown")
    assert subject.events("KEDAScaleTargetDeactivated") == []


def test_an_active_trigger_at_zero_scales_to_one(lab: Callable[..., Lab]) -> None:
    subject = lab(minReplicaCount=0, cooldownPeriod=0)
    subject.prometheus.values["queue"] = 0
    subject.poll()
    subject.prometheus.values["queue"] = 3
    subject.poll()
    assert _replicas(subject) == 1
    assert subject.events("KEDAScaleTargetActivated") == [
        "Scaled apps/v1.Deployment default/phi-4 from 0 to 1, triggered by s0-prometheus"
    ]
    assert subject.condition("Active") == ("True", "ScalerActive")
    assert subject.scaled_object()["status"]["lastActiveTime"].endswith("Z")


def test_activation_goes_to_min_replica_count_from_idle_replica_count(lab: Callable[..., Lab]) -> None:
    subject = lab(minReplicaCount=2, idleReplicaCount=0, cooldownPeriod=0)
    subject.prometheus.values["queue"] = 0
    subject.poll()
    assert _replicas(subject) == 0
    subject.prometheus.values["queue"] = 3
    subject.poll()
    assert _replicas(subject) == 2


def test_keda_s_scale_write_is_on_the_scale_subresource(lab: Callable[..., Lab]) -> None:
    subject = lab(minReplicaCount=0, cooldownPeriod=0)
    subject.prometheus.values["queue"] = 0
    subject.poll()
    fields = subject.emu.cluster.get("apps/v1", "Deployment", "default", "phi-4")["metadata"]["managedFields"]
    assert {"manager": "keda", "subresource": "scale"} in [
        {k: f.get(k) for k in ("manager", "subresource")} for f in fields
    ]


def test_the_hpa_does_not_scale_a_target_keda_scaled_to_zero(lab: Callable[..., Lab]) -> None:
    subject = lab(minReplicaCount=0, cooldownPeriod=0)
    subject.prometheus.values["queue"] = 0
    subject.poll()
    assert subject.sync() == 0
    hpa = subject.emu.cluster.get("autoscaling/v2", "HorizontalPodAutoscaler", "default", "keda-hpa-phi-4")
    [active] = [c for c in hpa["status"]["conditions"] if c["type"] == "ScalingActive"]
    assert (active["status"], active["reason"]) == ("False", "ScalingDisabled")


def test_with_min_replica_count_one_an_idle_trigger_keeps_the_replicas(lab: Callable[..., Lab]) -> None:
    subject = lab(cooldownPeriod=0)
    subject.prometheus.values["queue"] = 0
    subject.poll()
    assert _replicas(subject) == 2
    assert subject.events("KEDAScaleTargetDeactivated") == []


def test_below_min_replica_count_keda_sets_it(lab: Callable[..., Lab]) -> None:
    subject = lab(minReplicaCount=3, maxReplicaCount=10)
    subject.prometheus.values["queue"] = 0
    subject.poll()
    assert _replicas(subject) == 3


def test_paused_scale_in_keeps_an_idle_target_up(lab: Callable[..., Lab]) -> None:
    subject = lab(minReplicaCount=0, cooldownPeriod=0)
    subject.emu.cluster.patch(
        "keda.sh/v1alpha1", "ScaledObject", "default", "phi-4",
        {"metadata": {"annotations": {"autoscaling.keda.sh/paused-scale-in": "true"}}},
    )  # fmt: skip
    subject.prometheus.values["queue"] = 0
    subject.poll()
    assert _replicas(subject) == 2


def test_force_activation_scales_from_zero_with_no_active_trigger(lab: Callable[..., Lab]) -> None:
    subject = lab(minReplicaCount=0, cooldownPeriod=0)
    subject.prometheus.values["queue"] = 0
    subject.poll()
    subject.emu.cluster.patch(
        "keda.sh/v1alpha1", "ScaledObject", "default", "phi-4",
        {"metadata": {"annotations": {"autoscaling.keda.sh/force-activation": "true"}}},
    )  # fmt: skip
    subject.poll()
    assert _replicas(subject) == 1
    assert subject.events("KEDAScaleTargetActivated") == [
        "Scaled apps/v1.Deployment default/phi-4 from 0 to 1, caused by forced activation annotation"
    ]
