"""unavailablePeriodSeconds: KubeFleet cannot track the availability of some objects (a KAITO
Workspace among them), reports them Available for that reason, and its rollout controller counts
such a member ready only unavailablePeriodSeconds (default 60) after it became available. Upstream:
tests/emulators/kube/controllers/fleet_rollout.py and fleet_member_status.py (kubefleet-dev/kubefleet
e160c1cd pkg/controllers/rollout/controller.go isBindingReady, pkg/controllers/workapplier/
availability_tracker.go, pkg/controllers/workgenerator/controller.go setAllWorkAvailableCondition).
The simulator scales the period by ``wait_scale``; these tests keep the full period and move the
simulator's clock on (``hub.controller.advance``) instead of waiting."""

from __future__ import annotations

import time
from typing import Any

from tests.cli import invoke
from tests.fleet.conftest import Hub

PB = "placement.kubernetes-fleet.io/v1beta1"
P1 = "placement.kubernetes-fleet.io/v1"
UNTRACKABLE = "NotAllWorkAreAvailabilityTrackable"


def _ok(*args: str) -> str:
    result = invoke(*args)
    assert result.exit_code == 0, result
    return result.stdout


def _workspace_in_llm(hub: Hub) -> None:
    hub.cluster.create(
        {
            "apiVersion": "kaito.sh/v1beta1",
            "kind": "Workspace",
            "metadata": {"name": "phi-4", "namespace": "llm"},
            "resource": {"instanceType": "Standard_NC24ads_A100_v4", "labelSelector": {"matchLabels": {"apps": "phi"}}},
            "inference": {"preset": {"name": "phi-4-mini-instruct"}},
        }
    )


def _new_snapshot(hub: Hub) -> None:
    """A changed ConfigMap; the simulator looks again when the placement is touched."""
    hub.cluster.patch("v1", "ConfigMap", "llm", "model-config", {"data": {"model": "phi-4-mini"}})
    stamp = str(time.monotonic_ns())
    hub.cluster.patch(P1, "ClusterResourcePlacement", None, "llm", {"metadata": {"annotations": {"touch": stamp}}})
    hub.settle()


def _on_new_snapshot(hub: Hub) -> int:
    return sum(
        b["spec"]["resourceSnapshotName"] == "llm-1-snapshot" for b in hub.cluster.list(PB, "ClusterResourceBinding")
    )


def _available(hub: Hub) -> dict[str, Any]:
    rows = hub.get("ClusterResourcePlacement", "llm")["status"]["placementStatuses"]
    return {r["clusterName"]: next(c for c in r["conditions"] if c["type"] == "Available") for r in rows}


def test_a_placed_workspace_is_available_as_not_trackable(hub: Hub) -> None:
    _workspace_in_llm(hub)
    _ok("fleet", "place", "llm", "--select", "namespace/llm", "-y")
    hub.settle()
    available = _available(hub)["gpu-east"]
    assert (available["status"], available["reason"]) == ("True", UNTRACKABLE)
    assert available["message"] == "The availability of work object llm-work is not trackable"


def test_a_placed_config_map_alone_is_available_at_once(hub: Hub) -> None:
    _ok("fleet", "place", "llm", "--select", "namespace/llm", "-y")
    hub.settle()
    assert _available(hub)["gpu-east"]["reason"] == "AllWorkAreAvailable"


def test_the_rollout_moves_one_member_per_unavailable_period_when_it_cannot_track_a_workspace(hub: Hub) -> None:
    # 3 members, maxUnavailable 25% of 3 = 1: a member counts as ready only a period after its
    # Workspace was applied, so the new snapshot reaches one member per period. The period is the
    # full 60 s of the simulator's clock, which the test moves on (no wall-clock time matters).
    hub.controller.wait_scale = 1.0
    _workspace_in_llm(hub)
    _ok("fleet", "place", "llm", "--select", "namespace/llm", "-y")
    hub.settle()
    _new_snapshot(hub)
    seen = [_on_new_snapshot(hub)]  # every member applied its Workspace less than a period ago: 0
    for _ in range(3):
        hub.controller.advance(60)  # one unavailablePeriodSeconds
        hub.settle()
        seen.append(_on_new_snapshot(hub))
    assert seen == [0, 1, 2, 3]


def test_the_transition_time_of_a_not_trackable_member_stays_while_it_waits(hub: Hub) -> None:
    hub.controller.wait_scale = 1.0
    _workspace_in_llm(hub)
    _ok("fleet", "place", "llm", "--select", "namespace/llm", "-y")
    hub.settle()
    first = _available(hub)["gpu-east"]["lastTransitionTime"]
    hub.controller.advance(5)  # 5 s on the simulator's clock: a re-stamped condition would differ
    hub.cluster.patch(P1, "ClusterResourcePlacement", None, "llm", {"metadata": {"annotations": {"touch": "1"}}})
    hub.settle()
    assert _available(hub)["gpu-east"]["lastTransitionTime"] == first


def test_a_wait_on_a_rollout_held_with_every_member_available_says_it_may_be_the_unavailable_period(hub: Hub) -> None:
    hub.controller.wait_scale = 1.0  # the full 60 s: the rollout stays held
    _workspace_in_llm(hub)
    _ok("fleet", "place", "llm", "--select", "namespace/llm", "-y")
    hub.settle()
    _new_snapshot(hub)
    result = invoke("fleet", "place", "llm", "--select", "namespace/llm", "--wait", "--timeout", "1s", "-y")
    assert result.exit_code == 5, result
    assert "no member rolled out is unavailable: the rollout strategy waits unavailablePeriodSeconds (60s)" in (
        result.stderr
    )


def test_a_wait_names_the_members_whose_unavailable_period_holds_the_rollout(hub: Hub) -> None:
    hub.controller.wait_scale = 1.0  # the full 60 s of the simulator's clock
    _workspace_in_llm(hub)
    _ok("fleet", "place", "llm", "--select", "namespace/llm", "-y")
    hub.settle()
    _new_snapshot(hub)
    hub.controller.advance(60)  # one period: one member moves, and the rollout waits on it
    hub.settle()
    assert _on_new_snapshot(hub) == 1
    result = invoke("fleet", "place", "llm", "--select", "namespace/llm", "--wait", "--timeout", "1s", "-y")
    assert result.exit_code == 5, result
    assert "the rollout strategy waits unavailablePeriodSeconds (60s) after canary became available" in result.stderr
