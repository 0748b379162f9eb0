"""`fleet place --max-unavailable N --wait` on the hub simulator: pacing reads what the hub can tell for
a ResourcePlacement in its own namespace, counts an override only when it selects something the
placement holds, and takes a candidate stamp the hub left after an undone change for what it is
(upstream: kubefleet-dev/kubefleet e160c1cd pkg/utils/controller/resource_snapshot_resolver.go,
pkg/utils/overrider/overrider.go FetchAllMatchingOverridesForResourceSnapshot; akscli.fleet.pacing_change)."""

from __future__ import annotations

from typing import Any

import pytest

from akscli.fleet import pacing_change
from tests.cli import invoke
from tests.emulators.kube.controllers.fleet_conditions import Clock
from tests.fleet.conftest import Hub
from tests.fleet.test_place_pacing_warning import GOLD, _workspace_in_llm

PB = "placement.kubernetes-fleet.io/v1beta1"
PACE = ("--max-unavailable", "1", "--unavailable-period", "300", "--wait", "--timeout", "5m")
# A ResourcePlacement in namespace llm of its ConfigMap and its KAITO Workspace (a kind KubeFleet
# cannot track, availability_tracker.go), on the three members.
RP = ("fleet", "place", "llm", "-n", "llm", "--select", "configmap/model-config", "--select", "workspace/phi-4", "-y")
CRP = ("fleet", "place", "llm", "--select", "namespace/llm", "-y")
WARNED = "warning: --wait may run out before the rollout ends"


def _placed(hub: Hub, *command: str) -> None:
    _workspace_in_llm(hub)
    result = invoke(*command)
    assert result.exit_code == 0, result
    hub.settle()


def test_a_resource_placement_update_is_paced_from_its_namespaces_snapshots_and_bindings(hub: Hub) -> None:
    # ResourceSnapshot and ResourceBinding live beside the ResourcePlacement, labelled
    # kubernetes-fleet.io/parent-CRP=llm (resource_snapshot_resolver.go BuildMasterResourceSnapshot,
    # ListLatestResourceSnapshots: InNamespace); the ResourceOverride's rule selects env=prod.
    _placed(hub, *RP)
    assert [s["metadata"]["name"] for s in hub.cluster.list(PB, "ResourceSnapshot", "llm")] == ["llm-0-snapshot"]
    result = invoke(*RP, *GOLD, *PACE)
    assert result.exit_code == 0, result
    assert (
        f"{WARNED}: the placement is on 3 members, 2 of them to update in place and --max-unavailable 1 "
        "updates 1 at a time, 2 steps; for objects KubeFleet cannot track (here Workspace/phi-4)"
    ) in result.stderr


def test_a_resource_placement_re_placed_unchanged_is_not_warned(hub: Hub) -> None:
    # Every ResourceBinding is on the latest ResourceSnapshot of namespace llm: no member moves. Had
    # either list missed them, every member kept would count as updated and this would warn.
    _placed(hub, *RP)
    bindings = hub.cluster.list(PB, "ResourceBinding", "llm")
    assert {b["spec"]["resourceSnapshotName"] for b in bindings} == {"llm-0-snapshot"} and len(bindings) == 3
    result = invoke(*RP, *PACE)
    assert result.exit_code == 0, result
    assert "warning: --wait may" not in result.stderr


def test_an_override_of_an_object_the_placement_does_not_hold_moves_no_member_and_is_not_warned(hub: Hub) -> None:
    # The ResourceOverride names ConfigMap other-config, which placement llm does not hold: the hub
    # counts it for no binding (FetchAllMatchingOverridesForResourceSnapshot), whatever its rules select.
    _placed(hub, *CRP)
    target = ("--override-target", "llm/configmap/other-config")
    result = invoke(*CRP, *GOLD, *target, *PACE)
    assert result.exit_code == 0, result
    assert "warning: --wait may" not in result.stderr
    hub.settle()
    bindings = hub.cluster.list(PB, "ClusterResourceBinding")
    assert [b["spec"].get("resourceOverrideSnapshots") for b in bindings] == [None, None, None]


def test_an_override_of_an_object_the_placement_holds_is_warned(hub: Hub) -> None:
    _placed(hub, *CRP)
    result = invoke(*CRP, *GOLD, "--override-target", "llm/configmap/model-config", *PACE)
    assert result.exit_code == 0, result
    assert f"{WARNED}: the placement is on 3 members, 2 of them to update in place" in result.stderr
    hub.settle()
    overridden = {
        b["spec"]["targetCluster"]
        for b in hub.cluster.list(PB, "ClusterResourceBinding")
        if b["spec"].get("resourceOverrideSnapshots")
    }
    assert overridden == {"gpu-east", "cpu-west"}


def _change_undone(hub: Hub) -> None:
    """The hub sees model-config change and stamps its snapshot; the change is undone before the
    collection duration ends, so no snapshot is made and the stamp stays (GetOrCreateResourceSnapshot)."""
    hub.controller.collection_duration = 15.0
    for model in ("phi-4-mini", "phi-4"):
        hub.cluster.patch("v1", "ConfigMap", "llm", "model-config", {"data": {"model": model}})
        hub.settle()
    hub.controller.advance(16)
    hub.settle()
    snapshots = hub.cluster.list("placement.kubernetes-fleet.io/v1", "ClusterResourceSnapshot")
    assert [s["metadata"]["name"] for s in snapshots] == ["llm-0-snapshot"]
    assert pacing_change.CANDIDATE_DETECTED in snapshots[0]["metadata"]["annotations"]


@pytest.fixture
def hub_clock(monkeypatch: Any) -> None:
    """akscli reads the time on the hub simulator's clock (which a test moves on), as it reads the hub's."""
    monkeypatch.setattr(pacing_change, "_now", Clock.epoch)


def test_a_stamp_left_by_an_undone_change_moves_no_member_once_the_hub_would_have_snapshot_it(
    hub: Hub, hub_clock: None
) -> None:
    _placed(hub, *CRP)
    _change_undone(hub)
    hub.controller.advance(7 * 60)  # past the 5m the hub may wait at most, and akscli's margin
    result = invoke(*CRP, *PACE)
    assert result.exit_code == 0, result
    assert "warning: --wait may" not in result.stderr


def test_a_stamp_within_the_longest_wait_of_the_hub_counts_every_member_kept(hub: Hub, hub_clock: None) -> None:
    # The hub may still be about to snapshot a change it saw: akscli cannot tell it was undone.
    _placed(hub, *CRP)
    _change_undone(hub)
    result = invoke(*CRP, *PACE)
    assert result.exit_code == 0, result
    assert (
        f"{WARNED}: the placement is on 3 members and --max-unavailable 1 updates 1 at a time, 3 steps" in result.stderr
    )
