"""The member agent's status goes through the member's InternalMemberCluster, as on a KubeFleet hub
(upstream: kubefleet-dev/kubefleet e160c1cd pkg/controllers/membercluster/v1beta1/
membercluster_controller.go join, syncInternalMemberClusterStatus, aggregateJoinedCondition;
pkg/controllers/internalmembercluster/v1beta1/member_controller.go Reconcile), and `fleet member
uncordon` says when the scheduler still gives a member nothing (pkg/scheduler/
clustereligibilitychecker/checker.go IsEligible)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from akscli.kube import readiness
from tests.cli import invoke
from tests.fleet.conftest import Hub

C1 = "cluster.kubernetes-fleet.io/v1"
IMC = "InternalMemberCluster"
SPEC = {"identity": {"kind": "ServiceAccount", "name": "fleet-member", "namespace": "fleet-system"}}


def _agent(obj: dict[str, Any]) -> dict[str, Any]:
    return next(a for a in obj["status"]["agentStatus"] if a["type"] == "MemberAgent")


def _conditions(obj: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["type"]: c for c in (obj.get("status") or {}).get("conditions") or []}


def test_a_joining_member_gets_its_namespace_and_internal_member_cluster(hub: Hub) -> None:
    hub.member("edge", {"env": "edge"})
    hub.settle()
    member = hub.get("MemberCluster", "edge", api_version=C1)
    owner = {
        "apiVersion": "cluster.kubernetes-fleet.io/v1beta1",
        "kind": "MemberCluster",
        "name": "edge",
        "uid": member["metadata"]["uid"],
        "controller": True,
    }
    namespace = hub.get("Namespace", "fleet-member-edge", api_version="v1")
    assert namespace["metadata"]["labels"]["kubernetes-fleet.io/is-fleet-resource"] == "true"
    assert namespace["metadata"]["ownerReferences"] == [owner]
    imc = hub.get(IMC, "edge", "fleet-member-edge", api_version=C1)
    assert imc["metadata"]["ownerReferences"] == [owner]
    assert imc["spec"] == {"state": "Join", "heartbeatPeriodSeconds": 60}
    reported = {c["type"]: c["status"] for c in _agent(imc)["conditions"]}
    assert reported == {"Joined": "True", "Healthy": "True"}
    # the hub's copy: the same heartbeat, the agent's conditions for the member's generation
    assert _agent(member)["lastReceivedHeartbeat"] == _agent(imc)["lastReceivedHeartbeat"]
    assert _conditions(member)["Joined"]["status"] == "True"


def test_a_member_seeded_joined_with_no_agent_status_is_joined_unknown_after_a_spec_change(hub: Hub) -> None:
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    joined = {
        "type": "Joined",
        "status": "True",
        "reason": "MemberClusterJoined",
        "message": "",
        "observedGeneration": 1,
        "lastTransitionTime": now,
    }
    body = {"name": "seeded", "labels": {"env": "edge"}}
    hub.cluster.create(
        {"apiVersion": C1, "kind": "MemberCluster", "metadata": body, "spec": SPEC, "status": {"conditions": [joined]}}
    )
    hub.settle()
    assert _conditions(hub.get("MemberCluster", "seeded", api_version=C1))["Joined"]["status"] == "True"
    taint = {"key": "k", "value": "v", "effect": "NoSchedule"}
    hub.cluster.patch(C1, "MemberCluster", None, "seeded", {"spec": {"taints": [taint]}})
    hub.settle()
    member = hub.get("MemberCluster", "seeded", api_version=C1)
    found = _conditions(member)["Joined"]
    assert found["status"] == "Unknown"
    assert found["reason"] == "MemberClusterJoinStateUnknown"
    assert found["message"] == "Member cluster seeded has not reported all the expected agents, expected 1, got 0"
    assert found["observedGeneration"] == member["metadata"]["generation"]
    verdict = readiness.check(member)
    assert not verdict.ready and "expected 1, got 0" in verdict.message


def test_what_the_member_agent_reports_on_its_internal_member_cluster_reaches_the_member(hub: Hub) -> None:
    hub.settle()
    hub.controller.advance(60)  # the fixture's properties, written on the member, reach the IMC
    hub.settle()
    imc = hub.get(IMC, "canary", "fleet-member-canary", api_version=C1)
    agent = _agent(imc)
    agent["conditions"] = [
        {**c, "status": "False", "reason": "InternalMemberClusterUnhealthy", "message": "health probe failed"}
        if c["type"] == "Healthy"
        else c
        for c in agent["conditions"]
    ]
    properties = {"kubernetes-fleet.io/node-count": {"value": "3", "observationTime": "2026-12-01T00:00:00Z"}}
    usage = {"capacity": {"cpu": "24", "memory": "96Gi"}, "observationTime": "2026-12-01T00:00:00Z"}
    collected = {
        "type": "ClusterPropertyCollectionSucceeded",
        "status": "True",
        "reason": "PropertiesCollected",
        "message": "The property provider has returned the latest cluster properties",
        "lastTransitionTime": "2026-12-01T00:00:00Z",
    }
    status = {"agentStatus": [agent], "properties": properties, "resourceUsage": usage, "conditions": [collected]}
    hub.cluster.patch_status(C1, IMC, "fleet-member-canary", "canary", status)
    hub.controller.advance(60)  # the agent's next heartbeat: the hub copies its IMC
    hub.settle()
    member = hub.get("MemberCluster", "canary", api_version=C1)
    imc = hub.get(IMC, "canary", "fleet-member-canary", api_version=C1)
    assert member["status"]["properties"] == imc["status"]["properties"]  # the whole map, as the IMC has it
    assert member["status"]["properties"]["kubernetes-fleet.io/node-count"]["value"] == "3"
    assert member["status"]["resourceUsage"] == usage
    healthy = {c["type"]: c for c in _agent(member)["conditions"]}["Healthy"]
    assert healthy["status"] == "False" and healthy["observedGeneration"] == member["metadata"]["generation"]
    assert _conditions(member)["ClusterPropertyCollectionSucceeded"]["reason"] == "PropertiesCollected"
    assert _agent(member)["lastReceivedHeartbeat"] == _agent(imc)["lastReceivedHeartbeat"]


def test_uncordon_says_when_the_members_agent_stopped_heartbeating(hub: Hub) -> None:
    hub.settle()
    assert invoke("fleet", "member", "drain", "canary").exit_code == 0
    running = invoke("fleet", "member", "uncordon", "canary")
    assert running.exit_code == 0 and "places nothing new" not in running.stderr  # its agent runs
    assert invoke("fleet", "member", "drain", "canary").exit_code == 0
    long_ago = (datetime.now(UTC) - timedelta(minutes=12)).strftime("%Y-%m-%dT%H:%M:%SZ")
    member = hub.get("MemberCluster", "canary", api_version=C1)
    agent = {**_agent(member), "lastReceivedHeartbeat": long_ago}
    hub.cluster.patch_status(C1, "MemberCluster", None, "canary", {"agentStatus": [agent]})
    hub.settle()
    # The hub still says Joined True: only the heartbeat's age shows the stopped agent.
    assert _conditions(hub.get("MemberCluster", "canary", api_version=C1))["Joined"]["status"] == "True"
    result = invoke("fleet", "member", "uncordon", "canary")
    assert result.exit_code == 0, result
    assert result.stdout.strip() == "membercluster.cluster.kubernetes-fleet.io/canary uncordoned"
    assert "the scheduler places nothing new on member cluster canary" in result.stderr
    assert "no recent heartbeat signals (last received 12" in result.stderr
    assert "kubectl describe membercluster canary" in result.stderr
