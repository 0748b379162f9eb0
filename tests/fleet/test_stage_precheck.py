"""Which members a new placement's run will certainly cover, known before it is applied
(akscli.fleet.runchecks._certain_members, upstream kubefleet-dev/kubefleet e160c1cd
pkg/scheduler/framework/framework.go and pkg/scheduler/clustereligibilitychecker/checker.go)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from akscli.fleet.runchecks import _certain_members


def _member(name: str, *, heartbeat_age: timedelta | None = timedelta(0), joined: bool = True) -> dict[str, Any]:
    status: dict[str, Any] = {}
    if heartbeat_age is not None:
        beat = (datetime.now(UTC) - heartbeat_age).strftime("%Y-%m-%dT%H:%M:%SZ")
        conds = [{"type": "Joined", "status": str(joined)}, {"type": "Healthy", "status": "True"}]
        status["agentStatus"] = [{"type": "MemberAgent", "conditions": conds, "lastReceivedHeartbeat": beat}]
    return {"metadata": {"name": name, "labels": {}}, "spec": {}, "status": status}


def test_pick_all_covers_every_eligible_member() -> None:
    members = [_member("a"), _member("b")]
    assert _certain_members({"placementType": "PickAll"}, members) == {"a", "b"}


def test_a_member_without_a_recent_heartbeat_or_not_joined_is_not_certain() -> None:
    members = [_member("a"), _member("old", heartbeat_age=timedelta(minutes=10)), _member("new", heartbeat_age=None)]
    members.append(_member("left", joined=False))
    assert _certain_members({"placementType": "PickAll"}, members) == {"a"}


def test_pick_fixed_covers_the_named_eligible_members_only() -> None:
    members = [_member("a"), _member("b")]
    assert _certain_members({"placementType": "PickFixed", "clusterNames": ["b", "gone"]}, members) == {"b"}


def test_pick_n_with_more_candidates_than_it_picks_is_left_to_the_schedule() -> None:
    # Which N of them it picks depends on the scores: nothing is certain before the schedule.
    members = [_member("a"), _member("b"), _member("c")]
    assert _certain_members({"placementType": "PickN", "numberOfClusters": 2}, members) == set()
    assert _certain_members({"placementType": "PickN", "numberOfClusters": 3}, members) == {"a", "b", "c"}


def test_pick_n_of_an_existing_placement_counts_the_clusters_it_is_on_now() -> None:
    # The scheduler keeps the clusters placed already (framework.go, sameplacementaffinity): with
    # one more on a cluster that no longer passes, N=2 may not reach both candidates.
    members = [_member("a"), _member("b")]
    policy = {"placementType": "PickN", "numberOfClusters": 2}
    assert _certain_members(policy, members, {"a"}) == {"a", "b"}
    assert _certain_members(policy, members, {"a", "gone"}) == set()
