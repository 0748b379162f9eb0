"""A binding's conditions observe the binding's own generation, and the rollout controller counts
only those (condition.IsConditionStatusTrue(cond, binding.GetGeneration())). A member whose member
agent stopped therefore holds the rollout once its binding moves to a new resource snapshot: the hub's
work generator says its Works are being applied, and nothing from the member changes that.
Upstream: kubefleet-dev/kubefleet e160c1cd pkg/controllers/rollout/controller.go isBindingReady,
pkg/controllers/workgenerator/controller.go Reconcile, pkg/controllers/placement/placement_status.go
setResourcePlacementStatusBasedOnBinding."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.cli import invoke
from tests.emulators.kube.apiserver import wait_until
from tests.fleet.conftest import Hub

PB = "placement.kubernetes-fleet.io/v1beta1"
P1 = "placement.kubernetes-fleet.io/v1"
C1 = "cluster.kubernetes-fleet.io/v1"
FAIL = "fleet.emulator/fail"


def _ok(*args: str) -> str:
    result = invoke(*args)
    assert result.exit_code == 0, result
    return result.stdout


def _new_snapshot(hub: Hub) -> None:
    """A changed ConfigMap; the simulator looks again when the placement is touched."""
    hub.cluster.patch("v1", "ConfigMap", "llm", "model-config", {"data": {"model": "phi-4-mini"}})
    stamp = str(time.monotonic_ns())
    hub.cluster.patch(P1, "ClusterResourcePlacement", None, "llm", {"metadata": {"annotations": {"touch": stamp}}})
    hub.settle()


def _bindings(hub: Hub) -> dict[str, dict[str, Any]]:
    return {b["spec"]["targetCluster"]: b for b in hub.cluster.list(PB, "ClusterResourceBinding")}


def _stop_member_agent(hub: Hub, name: str) -> None:
    """The member agent's last heartbeat 12 minutes ago."""
    ago = (datetime.now(UTC) - timedelta(minutes=12)).strftime("%Y-%m-%dT%H:%M:%SZ")
    conds = [
        {"type": t, "status": "True", "reason": "R", "message": "", "lastTransitionTime": ago}
        for t in ("Joined", "Healthy")
    ]
    agent = {"type": "MemberAgent", "conditions": conds, "lastReceivedHeartbeat": ago}
    hub.cluster.patch_status(C1, "MemberCluster", None, name, {"agentStatus": [agent]})
    hub.settle()


def test_a_binding_s_conditions_observe_the_binding_s_own_generation(hub: Hub) -> None:
    _ok("fleet", "place", "llm", "--select", "namespace/llm", "-y")
    hub.settle()
    _new_snapshot(hub)
    assert wait_until(
        lambda: {b["spec"]["resourceSnapshotName"] for b in _bindings(hub).values()} == {"llm-1-snapshot"}
    )
    binding = _bindings(hub)["gpu-east"]
    generation = binding["metadata"]["generation"]
    assert generation > hub.get("ClusterResourcePlacement", "llm")["metadata"]["generation"]
    assert {c["observedGeneration"] for c in binding["status"]["conditions"]} == {generation}


def test_a_member_whose_agent_stopped_holds_the_rollout_once_its_binding_moves(hub: Hub) -> None:
    # maxUnavailable 25% of 3 = 1: canary (first by binding name) moves, its Works are being
    # applied and stay so; 2 members ready of the 2 the strategy keeps, so the others wait.
    _ok("fleet", "place", "llm", "--select", "namespace/llm", "-y")
    hub.settle()
    _stop_member_agent(hub, "canary")
    _new_snapshot(hub)
    snapshots = {m: b["spec"]["resourceSnapshotName"] for m, b in _bindings(hub).items()}
    assert snapshots == {"canary": "llm-1-snapshot", "cpu-west": "llm-0-snapshot", "gpu-east": "llm-0-snapshot"}
    rows = {r["clusterName"]: r for r in hub.get("ClusterResourcePlacement", "llm")["status"]["placementStatuses"]}
    applied = rows["canary"]["conditions"][-1]
    assert (applied["type"], applied["status"], applied["reason"]) == ("Applied", "False", "ApplyInProgress")


def test_a_wait_on_works_being_applied_is_not_a_failure(hub: Hub) -> None:
    # The placement says Applied False (ApplyFailed) while any member's Works are being applied
    # (FalseClusterResourcePlacementCondition, pkg/utils/condition/condition.go): progress, not failure.
    # Every member may move at once (maxUnavailable 3), so the rollout holds nothing back.
    place = ("fleet", "place", "llm", "--select", "namespace/llm", "--max-unavailable", "3")
    _ok(*place, "-y")
    hub.settle()
    _stop_member_agent(hub, "canary")
    _new_snapshot(hub)
    result = invoke(*place, "--wait", "--timeout", "1s", "-y")
    assert result.exit_code == 5, result
    assert "member canary: ApplyInProgress: Resources are being applied" in result.stderr


def test_a_member_whose_agent_stopped_held_back_by_the_strategy_says_so(hub: Hub) -> None:
    # The rollout controller writes RolloutStarted False on a stale binding it holds back, whatever
    # its member agent (updateStaleBindingsStatus, pkg/controllers/rollout/controller.go), and the
    # placement's row follows the binding. canary is not available (its binding has failed, so it
    # moves whatever the budget); cpu-west and gpu-east are the 2 of 3 that must stay ready.
    _ok("fleet", "place", "llm", "--select", "namespace/llm", "-y")
    hub.settle()
    hub.cluster.patch(C1, "MemberCluster", None, "canary", {"metadata": {"annotations": {FAIL: "available"}}})
    hub.settle()
    _stop_member_agent(hub, "gpu-east")
    _new_snapshot(hub)
    binding = _bindings(hub)["gpu-east"]
    assert binding["spec"]["resourceSnapshotName"] == "llm-0-snapshot"
    started = {c["type"]: c for c in binding["status"]["conditions"]}["RolloutStarted"]
    assert (started["status"], started["reason"]) == ("False", "RolloutNotStartedYet")
    rows = {r["clusterName"]: r for r in hub.get("ClusterResourcePlacement", "llm")["status"]["placementStatuses"]}
    last = rows["gpu-east"]["conditions"][-1]
    assert (last["type"], last["status"], last["reason"]) == ("RolloutStarted", "False", "RolloutNotStartedYet")
