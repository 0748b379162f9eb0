"""``fleet member drain`` / ``uncordon`` on the hub, as kubectl fleet draincluster/uncordoncluster."""

from __future__ import annotations

import json

from tests.cli import invoke, list_items
from tests.fleet.conftest import Hub

C1 = "cluster.kubernetes-fleet.io/v1"
PB = "placement.kubernetes-fleet.io/v1beta1"
CORDON = {"key": "cordon-key", "value": "cordon-value", "effect": "NoSchedule"}


def _place_everywhere(hub: Hub) -> None:
    result = invoke("fleet", "place", "llm", "--select", "namespace/llm", "-y")
    assert result.exit_code == 0, result
    hub.settle()


def test_drain_cordons_the_member_and_evicts_each_placement(hub: Hub) -> None:
    _place_everywhere(hub)
    result = invoke("fleet", "member", "drain", "canary", "-o", "json")
    assert result.exit_code == 0, result
    [eviction] = list_items(result.stdout)
    assert (eviction["placement"], eviction["outcome"]) == ("llm", "Evicted")
    assert hub.get("MemberCluster", "canary", api_version=C1)["spec"]["taints"] == [CORDON]
    hub.settle()
    rows = json.loads(invoke("fleet", "placement", "status", "llm", "-o", "json").stdout)["clusters"]
    assert "canary" not in [r["cluster"] for r in rows]


def test_drain_of_a_member_without_placements_only_cordons(hub: Hub) -> None:
    result = invoke("fleet", "member", "drain", "canary")
    assert result.exit_code == 0, result
    assert "no placement had resources on canary" in result.stderr
    assert hub.get("MemberCluster", "canary", api_version=C1)["spec"]["taints"] == [CORDON]


def test_drain_blocked_by_a_disruption_budget_fails_and_says_why(hub: Hub) -> None:
    _place_everywhere(hub)
    hub.cluster.create(
        {
            "apiVersion": PB,
            "kind": "ClusterResourcePlacementDisruptionBudget",
            "metadata": {"name": "llm"},
            "spec": {"minAvailable": 3},
        }
    )
    result = invoke("fleet", "member", "drain", "canary")
    assert result.exit_code == 9, result
    assert "blocked by specified ClusterResourcePlacementDisruptionBudget" in result.stderr
    assert "hint:" in result.stderr
    rows = json.loads(invoke("fleet", "placement", "status", "llm", "-o", "json").stdout)["clusters"]
    assert "canary" in [r["cluster"] for r in rows]


def _placed_on(placement: str) -> list[str]:
    rows = json.loads(invoke("fleet", "placement", "status", placement, "-o", "json").stdout)["clusters"]
    return [r["cluster"] for r in rows]


def test_an_uncordoned_member_is_placed_on_again(hub: Hub) -> None:
    # The eviction only deletes the binding; the cordon taint keeps the scheduler away, and once it
    # is gone the PickAll placement picks the member again (upstream: Azure/fleet docs/concepts/
    # EvictionAndDisruptionBudget/README.md). The emulator kept an evicted member out for good.
    _place_everywhere(hub)
    assert invoke("fleet", "member", "drain", "canary").exit_code == 0
    hub.settle()
    assert "canary" not in _placed_on("llm")
    result = invoke("fleet", "member", "uncordon", "canary")
    assert result.exit_code == 0, result
    hub.settle()
    assert "canary" in _placed_on("llm")


def test_uncordon_removes_only_the_cordon_taint(hub: Hub) -> None:
    _place_everywhere(hub)
    member = hub.get("MemberCluster", "canary", api_version=C1)
    member["spec"]["taints"] = [{"key": "maintenance", "value": "true", "effect": "NoSchedule"}]
    hub.cluster.update(member)
    hub.settle()
    assert invoke("fleet", "member", "drain", "canary").exit_code == 0
    result = invoke("fleet", "member", "uncordon", "canary")
    assert result.exit_code == 0, result
    assert hub.get("MemberCluster", "canary", api_version=C1)["spec"]["taints"] == [
        {"key": "maintenance", "value": "true", "effect": "NoSchedule"}
    ]


def test_uncordon_of_a_member_not_cordoned_says_already_uncordoned_as_kubectl(hub: Hub) -> None:
    # upstream: kubernetes/kubectl pkg/cmd/drain/drain.go already(false): "node/NAME already uncordoned"
    result = invoke("fleet", "member", "uncordon", "canary")
    assert result.exit_code == 0, result
    assert result.stdout.strip() == "membercluster.cluster.kubernetes-fleet.io/canary already uncordoned"


def test_drain_of_a_cordoned_member_says_already_cordoned_as_kubectl(hub: Hub) -> None:
    # upstream: kubernetes/kubectl pkg/cmd/drain/drain.go already(true): "node/NAME already cordoned"
    assert invoke("fleet", "member", "drain", "canary").exit_code == 0
    result = invoke("fleet", "member", "drain", "canary")
    assert result.exit_code == 0, result
    assert "membercluster.cluster.kubernetes-fleet.io/canary already cordoned" in result.stderr


def test_drain_of_an_unknown_member_is_not_found_and_hints_the_hubs_own_member_list(hub: Hub) -> None:
    # drain works from the hub context alone; 'akscli fleet member list' would need --fleet and -g
    result = invoke("fleet", "member", "drain", "ghost")
    assert result.exit_code == 3
    assert "hint: list the hub's members with: kubectl get memberclusters" in result.stderr


def test_drain_of_a_pick_fixed_placement_says_it_is_never_evicted_not_that_a_budget_protects_it(hub: Hub) -> None:
    assert invoke("fleet", "place", "llm", "--select", "namespace/llm", "--pick-fixed", "canary", "-y").exit_code == 0
    hub.settle()
    result = invoke("fleet", "member", "drain", "canary")
    assert result.exit_code == 9, result
    assert "llm (PickFixed)" in result.stderr
    assert "PickFixed and KubeFleet never evicts it" in result.stderr
    assert "DisruptionBudget protects" not in result.stderr


def test_drain_of_a_placement_no_run_has_rolled_out_says_so(hub: Hub) -> None:
    assert invoke("fleet", "place", "llm", "--select", "namespace/llm", "--external", "-y").exit_code == 0
    hub.settle()
    result = invoke("fleet", "member", "drain", "canary")
    assert result.exit_code == 9, result
    assert "llm (NotPlacedYet)" in result.stderr
    assert "has not rolled out to this member yet" in result.stderr
    assert "DisruptionBudget protects" not in result.stderr


def test_drain_says_which_resource_placements_stay_as_kubefleet_evicts_cluster_placements_only(hub: Hub) -> None:
    # ClusterResourcePlacementEviction names a ClusterResourcePlacement (kubefleet
    # clusterresourceplacementeviction/controller.go validateEviction): a ResourcePlacement stays.
    assert invoke("fleet", "place", "cfg", "-n", "llm", "--select", "configmap/model-config", "-y").exit_code == 0
    hub.settle()
    result = invoke("fleet", "member", "drain", "canary", "-y")
    assert result.exit_code == 0, result
    assert (
        "1 ResourcePlacement(s) keep their resources on canary: llm/cfg; KubeFleet evicts ClusterResourcePlacements "
        "only" in result.stderr
    )
    assert "akscli fleet place NAME -n NAMESPACE" in result.stderr
