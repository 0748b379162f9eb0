"""A member leaves the fleet as on a KubeFleet hub: the hub's member cluster controller holds the
deleted MemberCluster on its finalizer, sets the InternalMemberCluster to Leave, waits for the member
agent's Left, deletes the member's namespace, then lets the member go; and each write is recorded
under the field manager its real writer has (upstream: kubefleet-dev/kubefleet e160c1cd
pkg/controllers/membercluster/v1beta1/membercluster_controller.go handleDelete, ensureFinalizer;
pkg/controllers/internalmembercluster/v1beta1/member_controller.go Reconcile; pkg/utils/common.go
MCControllerFieldManagerName; docker/member-agent.Dockerfile)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.cli import invoke
from tests.fleet.conftest import Hub

C1 = "cluster.kubernetes-fleet.io/v1"
PB = "placement.kubernetes-fleet.io/v1beta1"
IMC = "InternalMemberCluster"
FINALIZER = "kubernetes-fleet.io/membercluster-finalizer"


def _managers(obj: dict[str, Any]) -> set[tuple[str, str]]:
    return {(f["manager"], f.get("subresource", "")) for f in obj["metadata"].get("managedFields") or []}


def _conditions(obj: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["type"]: c for c in (obj.get("status") or {}).get("conditions") or []}


def _stop_agent(hub: Hub, name: str) -> None:
    """The member agent stops: its last heartbeat stays, 12 minutes old."""
    member = hub.get("MemberCluster", name, api_version=C1)
    agent = next(a for a in member["status"]["agentStatus"] if a["type"] == "MemberAgent")
    long_ago = (datetime.now(UTC) - timedelta(minutes=12)).strftime("%Y-%m-%dT%H:%M:%SZ")
    hub.cluster.patch_status(
        C1, "MemberCluster", None, name, {"agentStatus": [{**agent, "lastReceivedHeartbeat": long_ago}]}
    )
    hub.settle()


def test_the_member_agent_and_the_member_cluster_controller_write_under_their_own_managers(hub: Hub) -> None:
    imc = hub.get(IMC, "canary", "fleet-member-canary", api_version=C1)
    assert ("memberagent", "status") in _managers(imc)
    assert ("member-cluster-controller", "") in _managers(imc)
    assert not {m for m, _ in _managers(imc)} & {"hubagent"}
    namespace = hub.get("Namespace", "fleet-member-canary", api_version="v1")
    assert {m for m, _ in _managers(namespace)} == {"member-cluster-controller"}
    member = hub.get("MemberCluster", "canary", api_version=C1)
    assert ("hubagent", "status") in _managers(member)


def test_a_joined_member_holds_the_hubs_finalizer(hub: Hub) -> None:
    member = hub.get("MemberCluster", "canary", api_version=C1)
    assert FINALIZER in member["metadata"]["finalizers"]
    added = [
        f
        for f in member["metadata"]["managedFields"]
        if "f:finalizers" in (f.get("fieldsV1") or {}).get("f:metadata", {})
    ]
    assert [f["manager"] for f in added] == ["member-cluster-controller"]


def test_a_deleted_member_leaves_then_its_namespace_and_the_member_go(hub: Hub) -> None:
    # a second finalizer keeps the MemberCluster to read what the hub wrote as it left
    hub.cluster.patch(C1, "MemberCluster", None, "gpu-east", {"metadata": {"finalizers": [FINALIZER, "test/hold"]}})
    hub.cluster.delete(C1, "MemberCluster", None, "gpu-east")
    hub.settle()
    member = hub.get("MemberCluster", "gpu-east", api_version=C1)
    assert member["metadata"]["finalizers"] == ["test/hold"]
    conditions = _conditions(member)
    assert (conditions["Joined"]["status"], conditions["Joined"]["reason"]) == ("False", "MemberClusterLeft")
    assert (conditions["ReadyToJoin"]["status"], conditions["ReadyToJoin"]["reason"]) == (
        "False",
        "MemberClusterNotReadyToJoin",
    )
    agent = next(a for a in member["status"]["agentStatus"] if a["type"] == "MemberAgent")
    joined = next(c for c in agent["conditions"] if c["type"] == "Joined")
    assert (joined["status"], joined["reason"]) == ("False", "InternalMemberClusterLeft")
    assert hub.cluster.get("v1", "Namespace", None, "fleet-member-gpu-east") is None
    assert hub.cluster.get(C1, IMC, "fleet-member-gpu-east", "gpu-east") is None


def test_a_member_whose_agent_stopped_stays_leaving_until_the_force_delete_wait(hub: Hub) -> None:
    _stop_agent(hub, "gpu-east")
    hub.cluster.delete(C1, "MemberCluster", None, "gpu-east")
    hub.settle()
    member = hub.get("MemberCluster", "gpu-east", api_version=C1)
    assert member["metadata"]["finalizers"] == [FINALIZER]
    assert _conditions(member)["Joined"]["status"] == "True"  # the agent never reported Left
    imc = hub.get(IMC, "gpu-east", "fleet-member-gpu-east", api_version=C1)
    assert imc["spec"]["state"] == "Leave"
    hub.controller.advance(14 * 60)
    hub.settle()
    assert hub.cluster.get(C1, "MemberCluster", None, "gpu-east") is not None
    hub.controller.advance(2 * 60)
    hub.settle()
    assert hub.cluster.get(C1, "MemberCluster", None, "gpu-east") is None
    assert hub.cluster.get("v1", "Namespace", None, "fleet-member-gpu-east") is None


# ---- akscli fleet member remove on the hub


def test_member_remove_on_the_hub_waits_until_the_member_has_left(hub: Hub) -> None:
    assert invoke("fleet", "place", "llm", "--select", "namespace/llm", "-y").exit_code == 0
    hub.settle()
    result = invoke("fleet", "member", "remove", "gpu-east", "-y")
    assert result.exit_code == 0, result
    assert result.stdout.strip() == 'membercluster.cluster.kubernetes-fleet.io "gpu-east" deleted'
    assert "member cluster gpu-east has left the fleet" in result.stderr
    assert hub.cluster.get(C1, "MemberCluster", None, "gpu-east") is None
    hub.settle()
    assert sorted(b["spec"]["targetCluster"] for b in hub.cluster.list(PB, "ClusterResourceBinding")) == [
        "canary",
        "cpu-west",
    ]


def test_member_remove_on_the_hub_names_the_member_agent_that_has_not_left(hub: Hub) -> None:
    _stop_agent(hub, "gpu-east")
    result = invoke("fleet", "member", "remove", "gpu-east", "-y", "--timeout", "1s")
    assert result.exit_code == 5, result
    assert "member cluster gpu-east has not left the fleet within 1s" in result.stderr
    assert "the member agent has not reported Left on its InternalMemberCluster (last heartbeat 12 minutes ago" in (
        result.stderr
    )
    assert "kubectl -n fleet-system get pods" in result.stderr
    assert "15m after the delete" in result.stderr


def test_member_remove_on_the_hub_of_an_unknown_member_is_not_found(hub: Hub) -> None:
    result = invoke("fleet", "member", "remove", "nope", "-y")
    assert result.exit_code == 3, result
    assert "member cluster 'nope' is not joined to this hub" in result.stderr


def test_placement_status_says_a_member_stuck_leaving_is_being_deleted(hub: Hub) -> None:
    # Its binding stays until the MemberCluster is gone (the scheduler's member watcher ignores a
    # member being deleted "until it is left"), so its row stays Available: not a failure.
    assert invoke("fleet", "place", "llm", "--select", "namespace/llm", "-y").exit_code == 0
    hub.settle()
    _stop_agent(hub, "gpu-east")
    hub.cluster.delete(C1, "MemberCluster", None, "gpu-east")
    hub.settle()
    result = invoke("fleet", "placement", "status", "llm")
    assert result.exit_code == 0, result
    line = next(x for x in result.stdout.splitlines() if x.startswith("  member gpu-east:"))
    assert line.startswith("  member gpu-east: cluster has left the fleet (its MemberCluster is being deleted)")
    assert "its row goes once the MemberCluster is gone: the member agent has not reported Left" in line
    assert "no longer reaches the hub" not in line
    report = json.loads(invoke("fleet", "placement", "status", "llm", "-o", "json").stdout)
    assert list(report["placement"]["leaving"]) == ["gpu-east"]


def test_a_member_that_left_joins_again_under_its_name(hub: Hub) -> None:
    hub.cluster.delete(C1, "MemberCluster", None, "gpu-east")
    hub.settle()
    assert hub.cluster.get(C1, "MemberCluster", None, "gpu-east") is None
    hub.member("gpu-east", {"env": "prod"})
    hub.settle()
    member = hub.get("MemberCluster", "gpu-east", api_version=C1)
    assert _conditions(member)["Joined"]["status"] == "True"
    imc = hub.get(IMC, "gpu-east", "fleet-member-gpu-east", api_version=C1)
    assert imc["spec"]["state"] == "Join"
