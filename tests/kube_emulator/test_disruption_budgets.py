"""The emulator's disruption controller writes a PodDisruptionBudget's status as kube-controller-
manager's does (kubernetes/kubernetes pkg/controller/disruption/disruption.go trySync,
getExpectedPodCount, getExpectedScale, countHealthyPods, updatePdbStatus, failSafe)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.controllers.disruption import SyncError, scaled_value
from tests.kube_emulator.helpers import a_node, deployment


def budget(name: str, app: str, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {**spec, "selector": {"matchLabels": {"app": app}}},
    }


def status(emu: KubeEmulator, name: str) -> dict[str, Any]:
    pdb = emu.cluster.get("policy/v1", "PodDisruptionBudget", "default", name)
    return dict((pdb or {}).get("status") or {})


def counts(emu: KubeEmulator, name: str) -> tuple[Any, ...]:
    s = status(emu, name)
    return tuple(s.get(k) for k in ("expectedPods", "desiredHealthy", "currentHealthy", "disruptionsAllowed"))


def test_a_percentage_is_of_the_total_rounded_up_and_a_plain_string_is_refused() -> None:
    assert (scaled_value("34%", 3), scaled_value("50%", 3), scaled_value(2, 3)) == (2, 2, 2)
    with pytest.raises(SyncError, match=r"^invalid value for IntOrString: invalid type: string is not a percentage$"):
        scaled_value("2", 3)


def test_min_available_gives_the_disruptions_the_healthy_pods_allow(kube_emulator: KubeEmulator) -> None:
    a_node(kube_emulator)
    kube_emulator.cluster.create(deployment("web", replicas=3))
    kube_emulator.cluster.create(budget("web", "web", minAvailable=2))
    assert wait_until(lambda: counts(kube_emulator, "web") == (3, 2, 3, 1))
    s = status(kube_emulator, "web")
    assert s["observedGeneration"] == 1
    [cond] = s["conditions"]
    assert {k: cond[k] for k in ("type", "status", "reason", "message", "observedGeneration")} == {
        "type": "DisruptionAllowed",
        "status": "True",
        "reason": "SufficientPods",
        "message": "",
        "observedGeneration": 1,
    }


def test_percentages_count_the_owners_scale(kube_emulator: KubeEmulator) -> None:
    a_node(kube_emulator)
    kube_emulator.cluster.create(deployment("web", replicas=3))
    kube_emulator.cluster.create(budget("most", "web", maxUnavailable="34%"))  # 2 of 3 may go: 1 desired
    kube_emulator.cluster.create(budget("half", "web", minAvailable="50%"))  # 2 of 3 desired
    assert wait_until(
        lambda: (counts(kube_emulator, "most"), counts(kube_emulator, "half")) == ((3, 1, 3, 2), (3, 2, 3, 1))
    )
    # expectedPods is the owner's spec.replicas (getExpectedScale), followed when it scales
    kube_emulator.cluster.patch("apps/v1", "Deployment", "default", "web", {"spec": {"replicas": 5}})
    assert wait_until(lambda: counts(kube_emulator, "half") == (5, 3, 5, 2))


def test_no_disruption_is_allowed_below_the_minimum_and_a_pod_without_owner_counts_no_scale(
    kube_emulator: KubeEmulator,
) -> None:
    a_node(kube_emulator)
    kube_emulator.cluster.create(deployment("web", replicas=1))
    kube_emulator.cluster.create(budget("web", "web", minAvailable=1))
    assert wait_until(lambda: counts(kube_emulator, "web") == (1, 1, 1, 0))
    assert status(kube_emulator, "web")["conditions"][0]["reason"] == "InsufficientPods"
    bare = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "bare", "labels": {"app": "bare"}}}
    kube_emulator.cluster.create({**bare, "spec": {"containers": [{"name": "c", "image": "nginx"}]}})
    kube_emulator.cluster.create(budget("bare", "bare", maxUnavailable=1))
    assert wait_until(lambda: counts(kube_emulator, "bare")[:2] == (0, 0))
    assert counts(kube_emulator, "bare")[3] == 0  # expectedPods 0: nothing may go


def test_a_pod_whose_controller_is_not_found_fails_the_budget_safe(kube_emulator: KubeEmulator) -> None:
    ref = {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "gone", "uid": "u-1", "controller": True}
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "orphan", "labels": {"app": "db"}, "ownerReferences": [ref]},
    }
    kube_emulator.cluster.create({**pod, "spec": {"containers": [{"name": "c", "image": "postgres"}]}})
    kube_emulator.cluster.create(budget("db", "db", minAvailable="50%"))
    assert wait_until(lambda: bool(status(kube_emulator, "db").get("conditions")))
    s = status(kube_emulator, "db")
    assert s["disruptionsAllowed"] == 0
    [cond] = s["conditions"]
    assert (cond["status"], cond["reason"], cond["message"]) == (
        "False",
        "SyncFailed",
        'found no controllers for pod "orphan"',
    )
