"""The hub's (Cluster)ResourceBindings: the KubeFleet hub simulator writes one per placement and
picked member as the scheduler and rollout controllers do (tests/emulators/kube/controllers/
fleet_bindings.py names the upstream files), and `fleet member drain` finds the placements to evict
through them, as kubectl fleet draincluster does (kubefleet-dev/kubefleet e160c1cd
tools/fleet/cmd/draincluster/draincluster.go fetchClusterResourcePlacementNamesToEvict)."""

from __future__ import annotations

import re
from typing import Any

from tests.cli import invoke, list_items
from tests.fleet.conftest import Hub

PB = "placement.kubernetes-fleet.io/v1beta1"
PARENT = "kubernetes-fleet.io/parent-CRP"


def _place_everywhere(hub: Hub) -> None:
    result = invoke("fleet", "place", "llm", "--select", "namespace/llm", "-y")
    assert result.exit_code == 0, result
    hub.settle()


def _bindings(hub: Hub) -> dict[str, dict[str, Any]]:
    return {b["spec"]["targetCluster"]: b for b in hub.cluster.list(PB, "ClusterResourceBinding")}


def test_the_hub_binds_each_member_a_placement_picked(hub: Hub) -> None:
    _place_everywhere(hub)
    bindings = _bindings(hub)
    assert sorted(bindings) == ["canary", "cpu-west", "gpu-east"]
    canary = bindings["canary"]
    # uniquename.NewBindingName: {placement}-{cluster}-{8 random}; the parent-CRP label names the placement.
    assert re.fullmatch(r"llm-canary-[0-9a-f]{8}", canary["metadata"]["name"])
    assert canary["metadata"]["labels"] == {PARENT: "llm"}
    assert (canary["spec"]["state"], canary["spec"]["resourceSnapshotName"]) == ("Bound", "llm-0-snapshot")
    conditions = {c["type"]: c["status"] for c in canary["status"]["conditions"]}
    assert conditions["Applied"] == "True" and "Scheduled" not in conditions


def test_a_deleted_placement_leaves_no_bindings(hub: Hub) -> None:
    _place_everywhere(hub)
    assert invoke("fleet", "placement", "delete", "llm", "-y").exit_code == 0
    hub.settle()
    assert _bindings(hub) == {}


def test_drain_evicts_a_placement_whose_status_waits_for_the_scheduler(hub: Hub) -> None:
    # A placement whose spec changed has no per-cluster status until the scheduler runs again
    # (kubefleet pkg/controllers/placement/controller.go setPlacementStatus, Scheduled Unknown);
    # its bindings, and what they put on the members, stay. The hub is stopped in that state.
    _place_everywhere(hub)
    hub.emu.controllers.remove(hub.controller)
    hub.cluster.patch_status(
        "placement.kubernetes-fleet.io/v1", "ClusterResourcePlacement", None, "llm", {"placementStatuses": []}
    )
    result = invoke("fleet", "member", "drain", "canary", "--dry-run=client", "-o", "json")
    assert result.exit_code == 0, result
    evictions = [o for o in list_items(result.stdout) if o["kind"] == "ClusterResourcePlacementEviction"]
    assert [e["spec"] for e in evictions] == [{"placementName": "llm", "clusterName": "canary"}]


def test_drain_skips_a_binding_being_deleted(hub: Hub) -> None:
    _place_everywhere(hub)
    hub.emu.controllers.remove(hub.controller)
    binding = _bindings(hub)["canary"]["metadata"]["name"]
    hub.cluster.patch(PB, "ClusterResourceBinding", None, binding, {"metadata": {"finalizers": ["test/hold"]}})
    hub.cluster.delete(PB, "ClusterResourceBinding", None, binding)
    result = invoke("fleet", "member", "drain", "canary", "--dry-run=client", "-o", "json")
    assert result.exit_code == 0, result
    assert [o["kind"] for o in list_items(result.stdout)] == ["MemberCluster"]


def test_drain_stops_at_a_binding_that_names_no_placement(hub: Hub) -> None:
    # kubectl fleet draincluster stops too: "failed to get CRP name from binding".
    _place_everywhere(hub)
    hub.emu.controllers.remove(hub.controller)
    binding = _bindings(hub)["canary"]["metadata"]["name"]
    hub.cluster.patch(PB, "ClusterResourceBinding", None, binding, {"metadata": {"labels": None}})
    result = invoke("fleet", "member", "drain", "canary", "--dry-run=client")
    assert result.exit_code == 9, result
    assert f"binding {binding} of member cluster canary names no placement" in result.stderr
