"""requiredDuringSchedulingIgnoredDuringExecution: a member placed already keeps its placement when
its labels change; only a new policy (a new policy snapshot) filters it afresh. Upstream:
kubefleet-dev/kubefleet e160c1cd pkg/scheduler/framework/framework.go (bound and scheduled bindings
of the latest policy snapshot are kept; the sameplacementaffinity plugin sets their clusters apart)
and pkg/scheduler/watchers/membercluster/watcher.go (cases 2a, 2b: "CRPs which have already selected
this cluster ... cannot deselect it")."""

from __future__ import annotations

from typing import Any

from tests.cli import invoke
from tests.fleet.conftest import Hub

PB = "placement.kubernetes-fleet.io/v1beta1"
P1 = "placement.kubernetes-fleet.io/v1"
C1 = "cluster.kubernetes-fleet.io/v1"


def _ok(*args: str) -> None:
    result = invoke(*args)
    assert result.exit_code == 0, result


def _bound(hub: Hub) -> dict[str, str]:
    return {b["spec"]["targetCluster"]: b["spec"]["state"] for b in hub.cluster.list(PB, "ClusterResourceBinding")}


def _relabel(hub: Hub, member: str, labels: dict[str, str]) -> None:
    hub.cluster.patch(C1, "MemberCluster", None, member, {"metadata": {"labels": labels}})
    hub.settle()


def _picked(hub: Hub) -> list[str]:
    status: dict[str, Any] = hub.get("ClusterResourcePlacement", "llm")["status"]
    return sorted(
        s["clusterName"]
        for s in status["placementStatuses"]
        if any(c["type"] == "Scheduled" and c["status"] == "True" for c in s["conditions"])
    )


def test_a_placed_member_whose_labels_no_longer_match_keeps_its_placement(hub: Hub) -> None:
    _ok("fleet", "place", "llm", "--select", "namespace/llm", "--require-labels", "env=prod", "-y")
    hub.settle()
    _relabel(hub, "cpu-west", {"env": "staging"})
    assert _picked(hub) == ["cpu-west", "gpu-east"]
    assert _bound(hub) == {"cpu-west": "Bound", "gpu-east": "Bound"}


def test_a_member_whose_labels_now_match_is_picked_by_a_pick_all_placement(hub: Hub) -> None:
    _ok("fleet", "place", "llm", "--select", "namespace/llm", "--require-labels", "env=prod", "-y")
    hub.settle()
    _relabel(hub, "canary", {"env": "prod"})
    assert _picked(hub) == ["canary", "cpu-west", "gpu-east"]


def test_a_new_policy_filters_a_placed_member_afresh(hub: Hub) -> None:
    _ok("fleet", "place", "llm", "--select", "namespace/llm", "--require-labels", "env=prod", "-y")
    hub.settle()
    _relabel(hub, "cpu-west", {"env": "staging"})
    toleration = [{"key": "dedicated", "operator": "Exists"}]
    hub.cluster.patch(P1, "ClusterResourcePlacement", None, "llm", {"spec": {"policy": {"tolerations": toleration}}})
    hub.settle()
    assert _picked(hub) == ["gpu-east"]
    assert _bound(hub) == {"gpu-east": "Bound"}


def test_a_pick_n_placement_keeps_its_member_whose_labels_changed_rather_than_pick_another(hub: Hub) -> None:
    _ok("fleet", "place", "llm", "--select", "namespace/llm", "--require-labels", "env=prod", "--pick-n", "1", "-y")
    hub.settle()
    (first,) = _picked(hub)
    _relabel(hub, first, {"env": "staging"})
    assert _picked(hub) == [first]
