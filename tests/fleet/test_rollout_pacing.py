"""The rollout controller paces a RollingUpdate placement: a new resource snapshot reaches the members
a few at a time (maxUnavailable), bindings are bound a few at a time (maxSurge), and a member whose
workload is not available holds the others back. Upstream: tests/emulators/kube/controllers/
fleet_rollout.py (kubefleet-dev/kubefleet e160c1cd pkg/controllers/rollout/controller.go)."""

from __future__ import annotations

import json
import time
from typing import Any

from tests.cli import invoke
from tests.fleet.conftest import Hub

PB = "placement.kubernetes-fleet.io/v1beta1"
P1 = "placement.kubernetes-fleet.io/v1"
C1 = "cluster.kubernetes-fleet.io/v1"
FAIL = "fleet.emulator/fail"


def _ok(*args: str) -> str:
    result = invoke(*args)
    assert result.exit_code == 0, result
    return result.stdout


def _snapshots_of_bindings(hub: Hub) -> dict[str, str]:
    return {
        b["spec"]["targetCluster"]: b["spec"]["resourceSnapshotName"]
        for b in hub.cluster.list(PB, "ClusterResourceBinding")
    }


def _new_snapshot(hub: Hub) -> None:
    """A changed ConfigMap; the simulator looks again when the placement is touched (its resource
    change detector is not modelled)."""
    hub.cluster.patch("v1", "ConfigMap", "llm", "model-config", {"data": {"model": "phi-4-mini"}})
    stamp = str(time.monotonic_ns())
    hub.cluster.patch(P1, "ClusterResourcePlacement", None, "llm", {"metadata": {"annotations": {"touch": stamp}}})
    hub.settle()


def _annotate(hub: Hub, member: str, value: str | None) -> None:
    hub.cluster.patch(C1, "MemberCluster", None, member, {"metadata": {"annotations": {FAIL: value}}})
    hub.settle()


def _rows(hub: Hub) -> dict[str, dict[str, Any]]:
    status = json.loads(_ok("fleet", "placement", "status", "llm", "-o", "json"))
    return {row["cluster"]: row for row in status["clusters"]}


def _placed_and_gpu_east_unavailable(hub: Hub, *flags: str) -> None:
    _ok("fleet", "place", "llm", "--select", "namespace/llm", *flags, "-y")
    hub.settle()
    _annotate(hub, "gpu-east", "available")


def test_a_member_not_available_holds_back_a_new_snapshot_on_the_others(hub: Hub) -> None:
    # 3 members, maxUnavailable 25% of 3 = 1: with gpu-east not available, 2 are ready and 2 must
    # stay so (calculateMaxToRemove = 2 - (3 - 1) = 0). gpu-east's binding has failed
    # (NotAllWorkAreAvailable is terminal to HasBindingFailed), so it is updated all the same.
    _placed_and_gpu_east_unavailable(hub)
    _new_snapshot(hub)
    assert _snapshots_of_bindings(hub) == {
        "canary": "llm-0-snapshot",
        "cpu-west": "llm-0-snapshot",
        "gpu-east": "llm-1-snapshot",
    }


def test_a_member_held_back_by_the_rollout_strategy_says_so_and_is_not_failed(hub: Hub) -> None:
    _placed_and_gpu_east_unavailable(hub)
    _new_snapshot(hub)
    rows = _rows(hub)
    assert (rows["canary"]["state"], rows["canary"]["reason"]) == ("RolloutStarted=False", "RolloutNotStartedYet")
    assert rows["canary"]["message"] == "The rollout is being blocked by the rollout strategy"
    assert rows["gpu-east"]["state"] == "Available=False"
    status = json.loads(_ok("fleet", "placement", "status", "llm", "-o", "json"))["placement"]
    assert status["conditions"]["RolloutStarted"] == "False"
    assert status["message"] == "The rollout is being blocked by the rollout strategy in 2 cluster(s)"
    assert "0/3 member(s) available, 2 held back by the rollout strategy" in _ok("fleet", "placement", "status", "llm")
    # Not a failure: a wait goes on until its timeout (exit 5), it does not end the wait (exit 10),
    # and names the member the rollout waits for.
    waited = invoke("fleet", "place", "llm", "--select", "namespace/llm", "--wait", "--timeout", "2s", "-y")
    assert waited.exit_code == 5, waited
    assert "the rollout strategy waits for gpu-east (Available=False: Work object llm-work is not yet available)" in (
        waited.stderr
    )


def test_the_rollout_goes_on_once_the_member_is_available_again(hub: Hub) -> None:
    _placed_and_gpu_east_unavailable(hub)
    _new_snapshot(hub)
    _annotate(hub, "gpu-east", None)
    assert set(_snapshots_of_bindings(hub).values()) == {"llm-1-snapshot"}
    assert {row["state"] for row in _rows(hub).values()} == {"Available"}


def test_max_unavailable_zero_with_a_member_not_available_moves_only_the_failed_one(hub: Hub) -> None:
    # --max-unavailable 0: every target must stay available, so nothing but the failed binding moves.
    _placed_and_gpu_east_unavailable(hub, "--max-unavailable", "0")
    _annotate(hub, "gpu-east", None)
    _annotate(hub, "cpu-west", "available")
    _new_snapshot(hub)
    assert _snapshots_of_bindings(hub) == {
        "canary": "llm-0-snapshot",
        "cpu-west": "llm-1-snapshot",
        "gpu-east": "llm-0-snapshot",
    }


def _moved_from_gpu_east_to_canary_while_gpu_east_still_removes_it(hub: Hub, *flags: str) -> None:
    _ok("fleet", "place", "llm", "--select", "namespace/llm", "--pick-fixed", "gpu-east", *flags, "-y")
    hub.settle()
    _annotate(hub, "gpu-east", "cleanup")  # its work applier never confirms the Works are gone
    _ok("fleet", "place", "llm", "--select", "namespace/llm", "--pick-fixed", "canary", *flags, "-y")
    hub.settle()


def _state_on(hub: Hub, member: str) -> str:
    (binding,) = [b for b in hub.cluster.list(PB, "ClusterResourceBinding") if b["spec"]["targetCluster"] == member]
    return str(binding["spec"]["state"])


def test_max_surge_zero_binds_a_new_member_only_once_the_old_one_has_removed_the_workload(hub: Hub) -> None:
    # calculateMaxToAdd: target 1 + maxSurge 0 - 1 binding that can be ready (gpu-east's, being
    # deleted while its member removes the workload) = 0.
    _moved_from_gpu_east_to_canary_while_gpu_east_still_removes_it(hub, "--max-surge", "0")
    assert _state_on(hub, "canary") == "Scheduled"
    assert (_rows(hub)["canary"]["state"], _rows(hub)["canary"]["reason"]) == (
        "RolloutStarted=False",
        "RolloutNotStartedYet",
    )
    _annotate(hub, "gpu-east", None)
    assert _state_on(hub, "canary") == "Bound"
    assert "gpu-east" not in _snapshots_of_bindings(hub)


def test_the_default_max_surge_binds_the_new_member_while_the_old_one_removes_the_workload(hub: Hub) -> None:
    # maxSurge 25% of 1, rounded up: 1 + 1 - 1 = 1.
    _moved_from_gpu_east_to_canary_while_gpu_east_still_removes_it(hub)
    assert _state_on(hub, "canary") == "Bound"
