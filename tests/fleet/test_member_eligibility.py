"""Members the KubeFleet scheduler does not count as eligible: a member agent whose heartbeat stopped
gets no new placement, keeps what it has, and `fleet placement status` says which member, why and
what to check. upstream: kubefleet-dev/kubefleet e160c1cd pkg/scheduler/clustereligibilitychecker/
checker.go IsEligible; the simulator's fleet_scheduler.ineligible follows it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from akscli.fleet.eligibility import not_eligible
from tests.cli import invoke
from tests.fleet.conftest import Hub

PB = "placement.kubernetes-fleet.io/v1beta1"
C1 = "cluster.kubernetes-fleet.io/v1"
STOPPED = "cluster is not connected to the fleet: no recent heartbeat signals (last received 1"


def _ago(minutes: float) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _agent(heartbeat: str, joined: str = "True", healthy: str | None = "True", changed: str = "") -> dict[str, Any]:
    conds = [{"type": "Joined", "status": joined, "reason": "R", "message": "", "lastTransitionTime": heartbeat}]
    if healthy is not None:
        conds.append(
            {
                "type": "Healthy",
                "status": healthy,
                "reason": "R",
                "message": "",
                "lastTransitionTime": changed or heartbeat,
            }
        )
    return {"type": "MemberAgent", "conditions": conds, "lastReceivedHeartbeat": heartbeat}


def _stop_member_agent(hub: Hub, name: str) -> None:
    """The member agent's last heartbeat 12 minutes ago (the hub's copy of it stays as it was)."""
    hub.cluster.patch_status(C1, "MemberCluster", None, name, {"agentStatus": [_agent(_ago(12))]})
    hub.settle()


def _bound_members(hub: Hub) -> list[str]:
    return sorted(b["spec"]["targetCluster"] for b in hub.cluster.list(PB, "ClusterResourceBinding"))


def _ok(*args: str) -> str:
    result = invoke(*args)
    assert result.exit_code == 0, result
    return result.stdout


def test_a_joined_member_reports_its_member_agent_joined_healthy_and_its_heartbeat(hub: Hub) -> None:
    hub.settle()
    member = hub.get("MemberCluster", "gpu-east", api_version=C1)
    assert not_eligible(member) is None


def test_a_member_whose_heartbeat_stopped_gets_no_new_placement(hub: Hub) -> None:
    _stop_member_agent(hub, "gpu-east")
    _ok("fleet", "place", "llm", "--select", "namespace/llm", "-y")
    hub.settle()
    assert _bound_members(hub) == ["canary", "cpu-west"]


def test_a_member_whose_heartbeat_stopped_keeps_what_is_placed_on_it(hub: Hub) -> None:
    # The scheduler does not deselect a cluster it placed on (membercluster watcher.go, 2b).
    _ok("fleet", "place", "llm", "--select", "namespace/llm", "-y")
    hub.settle()
    _stop_member_agent(hub, "gpu-east")
    assert _bound_members(hub) == ["canary", "cpu-west", "gpu-east"]


def test_a_pick_fixed_member_whose_heartbeat_stopped_is_not_eligible_and_says_why(hub: Hub) -> None:
    _stop_member_agent(hub, "gpu-east")
    _ok("fleet", "place", "llm", "--select", "namespace/llm", "--pick-fixed", "gpu-east,canary", "-y")
    hub.settle()
    rows = {s["clusterName"]: s for s in hub.get("ClusterResourcePlacement", "llm")["status"]["placementStatuses"]}
    message = rows["gpu-east"]["conditions"][0]["message"]
    assert message.startswith('Cluster "gpu-east" is not eligible for resource placement yet: ' + STOPPED)


def test_placement_status_names_a_member_whose_member_agent_stopped_and_what_to_check(hub: Hub) -> None:
    _ok("fleet", "place", "llm", "--select", "namespace/llm", "-y")
    hub.settle()
    _stop_member_agent(hub, "gpu-east")
    out = _ok("fleet", "placement", "status", "llm")
    (line,) = [line for line in out.splitlines() if line.startswith("  member gpu-east: ")]
    assert STOPPED in line
    assert "KubeFleet places nothing new on it and what it reports no longer reaches the hub" in line
    assert "kubectl describe membercluster gpu-east" in line
    assert "kubectl -n fleet-system get pods" in line
    status = json.loads(_ok("fleet", "placement", "status", "llm", "-o", "json"))
    assert list(status["placement"]["notEligible"]) == ["gpu-east"]


def test_each_reason_the_scheduler_gives_for_a_member_not_eligible() -> None:
    def reason(**status: Any) -> str | None:
        return not_eligible({"metadata": {"name": "a"}, "status": status})

    now = _ago(0)
    assert reason() == "cluster is not connected to the fleet: member agent not online yet"
    assert (reason(agentStatus=[_agent(_ago(6))]) or "").startswith(STOPPED[:-1] + "6.0")
    assert reason(agentStatus=[_agent(now, joined="False")]) == (
        "cluster is not connected to the fleet: member agent not joined yet"
    )
    assert reason(agentStatus=[_agent(now, healthy=None)]) == (
        "cluster is not connected to the fleet: health condition from member agent is not available"
    )
    # A health check that failed lately does not count; one failing for over 5 minutes does.
    assert reason(agentStatus=[_agent(now, healthy="False", changed=_ago(1))]) is None
    assert (reason(agentStatus=[_agent(now, healthy="False", changed=_ago(7))]) or "").startswith(
        "cluster is not connected to the fleet: unhealthy for a prolonged period of time (last transitioned 7.0"
    )
    left = not_eligible({"metadata": {"name": "a", "deletionTimestamp": now}, "status": {}})
    assert left == "cluster has left the fleet"


def test_a_pick_fixed_member_placed_already_keeps_its_binding_when_its_heartbeat_stops(hub: Hub) -> None:
    # crossReferenceValidTargetsWithBindings unschedules obsolete bindings only; the decision says
    # the member is not eligible, once the scheduler runs: a member turning ineligible passes none
    # of the member watcher's checks (pkg/scheduler/watchers/membercluster/watcher.go), so here a
    # new policy snapshot runs it.
    _ok("fleet", "place", "llm", "--select", "namespace/llm", "--pick-fixed", "gpu-east,canary", "-y")
    hub.settle()
    _stop_member_agent(hub, "gpu-east")
    rows = {s["clusterName"]: s for s in hub.get("ClusterResourcePlacement", "llm")["status"]["placementStatuses"]}
    assert rows["gpu-east"]["conditions"][0]["status"] == "True"  # the watcher passed nothing
    _ok("fleet", "place", "llm", "--select", "namespace/llm", "--pick-fixed", "gpu-east,canary,cpu-west", "-y")
    hub.settle()
    (binding,) = [b for b in hub.cluster.list(PB, "ClusterResourceBinding") if b["spec"]["targetCluster"] == "gpu-east"]
    assert binding["spec"]["state"] == "Bound"
    rows = {s["clusterName"]: s for s in hub.get("ClusterResourcePlacement", "llm")["status"]["placementStatuses"]}
    assert rows["gpu-east"]["conditions"][0]["status"] == "False"
