"""The hub simulator's model of KubeFleet's scheduler member watcher predicate (upstream:
kubefleet-dev/kubefleet e160c1cd pkg/scheduler/watchers/membercluster/watcher.go, utils.go)."""

from __future__ import annotations

import copy
from typing import Any

from tests.emulators.kube.controllers.fleet_member_watch import fully_scheduled_fixed_or_n, reschedules

MEMBER: dict[str, Any] = {
    "metadata": {"name": "gpu-east", "labels": {"env": "prod"}},
    "spec": {"taints": [{"key": "gpu", "value": "a100", "effect": "NoSchedule"}]},
    "status": {"properties": {"kubernetes-fleet.io/node-count": {"value": "6", "observationTime": "t1"}}},
}


def _changed(**path: Any) -> dict[str, Any]:
    new = copy.deepcopy(MEMBER)
    for dotted, value in path.items():
        *parents, leaf = dotted.split("__")
        node = new
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = value
    return new


def test_a_create_is_ignored() -> None:
    assert not reschedules(None, MEMBER)


def test_a_label_change_passes() -> None:
    assert reschedules(MEMBER, _changed(metadata__labels={"env": "staging"}))


def test_a_taint_added_does_not_pass_but_one_removed_does() -> None:
    more = MEMBER["spec"]["taints"] + [{"key": "maintenance", "effect": "NoSchedule"}]
    assert not reschedules(MEMBER, _changed(spec__taints=more))
    assert reschedules(MEMBER, _changed(spec__taints=[]))


def test_a_property_observed_again_does_not_pass_but_a_new_value_does() -> None:
    again = {"kubernetes-fleet.io/node-count": {"value": "6", "observationTime": "t2"}}
    assert not reschedules(MEMBER, _changed(status__properties=again))
    grown = {"kubernetes-fleet.io/node-count": {"value": "7", "observationTime": "t2"}}
    assert reschedules(MEMBER, _changed(status__properties=grown))


def test_a_member_being_deleted_is_ignored_until_it_is_gone() -> None:
    assert not reschedules(MEMBER, _changed(metadata__deletionTimestamp="2026-01-01T00:00:00Z", metadata__labels={}))


def test_a_fully_scheduled_pick_fixed_placement_is_not_passed_over_but_pick_all_is() -> None:
    scheduled = {"type": "ClusterResourcePlacementScheduled", "status": "True", "observedGeneration": 2}
    placement = {"metadata": {"name": "llm", "generation": 2}, "status": {"conditions": [scheduled]}}
    assert fully_scheduled_fixed_or_n({**placement, "spec": {"policy": {"placementType": "PickFixed"}}})
    assert not fully_scheduled_fixed_or_n({**placement, "spec": {"policy": {"placementType": "PickAll"}}})
    stale = {**placement, "metadata": {"name": "llm", "generation": 3}, "spec": {"policy": {"placementType": "PickN"}}}
    assert not fully_scheduled_fixed_or_n(stale)
