"""The hub's (Cluster)ResourceBindings: the KubeFleet hub simulator writes one per placement and
picked member as the scheduler and rollout controllers do (tests/emulators/kube/controllers/
fleet_bindings.py names the upstream files), and `fleet member drain` finds the placements to evict
through them, as kubectl fleet draincluster does (kubefleet-dev/kubefleet e160c1cd
tools/fleet/cmd/draincluster/draincluster.go fetchClusterResourcePlacementNamesToEvict)."""

from __future__ import annotations

import json
import re
from typing import Any

from akscli.fleet.placement import PlacementRequest, build
from tests.cli import invoke, list_items
from tests.emulators.kube.apiserver import wait_until
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


# ---- the scheduler's finalizer and the Unscheduled state (kubefleet e160c1cd
# pkg/scheduler/framework/frameworkutils.go generateBinding, framework.go markUnscheduledForAndUpdate)

SCHEDULER_FINALIZER = "kubernetes-fleet.io/scheduler-crb-cleanup"
PREVIOUS_STATE = "kubernetes-fleet.io/previous-binding-state"
C1 = "cluster.kubernetes-fleet.io/v1"
P1 = "placement.kubernetes-fleet.io/v1"


def _place_on_staging(hub: Hub, *flags: str) -> None:
    result = invoke(  # canary is the one member labelled env=staging
        "fleet", "place", "llm", "--select", "namespace/llm", "--require-labels", "env=staging", *flags, "-y"
    )
    assert result.exit_code == 0, result
    hub.settle()


def _move_canary_to_prod(hub: Hub) -> None:
    hub.cluster.patch(C1, "MemberCluster", None, "canary", {"metadata": {"labels": {"env": "prod"}}})
    _new_policy(hub)


def _new_policy(hub: Hub) -> None:
    """The placement's policy changes (one more toleration): a new policy snapshot, whose cycle
    filters every member afresh. A member whose labels changed keeps its placement until then
    (requiredDuringSchedulingIgnoredDuringExecution; kubefleet-dev/kubefleet e160c1cd
    pkg/scheduler/framework/framework.go: a binding of an older policy snapshot is obsolete)."""
    crp = hub.get("ClusterResourcePlacement", "llm")
    tolerations = list((crp["spec"].get("policy") or {}).get("tolerations") or [])
    tolerations.append({"key": f"policy-change-{len(tolerations)}", "operator": "Exists"})
    hub.cluster.patch(P1, "ClusterResourcePlacement", None, "llm", {"spec": {"policy": {"tolerations": tolerations}}})
    hub.settle()


def test_the_scheduler_creates_each_binding_with_its_cleanup_finalizer(hub: Hub) -> None:
    _place_everywhere(hub)
    # The work generator adds its own once the binding is Bound (tests/fleet/test_binding_cleanup.py).
    assert [b["metadata"]["finalizers"][0] for b in _bindings(hub).values()] == [SCHEDULER_FINALIZER] * 3


def test_a_member_an_external_placement_no_longer_picks_keeps_an_unscheduled_binding(hub: Hub) -> None:
    # Only an update run's deletion stage deletes it (updaterun/initialization.go toBeDeletedBindings).
    _place_on_staging(hub, "--external")
    _move_canary_to_prod(hub)
    canary = _bindings(hub)["canary"]
    assert canary["spec"]["state"] == "Unscheduled"
    assert canary["metadata"]["annotations"] == {PREVIOUS_STATE: "Scheduled"}


def test_a_member_picked_again_gets_its_binding_back_in_its_previous_state(hub: Hub) -> None:
    _place_on_staging(hub, "--external")
    name = _bindings(hub)["canary"]["metadata"]["name"]
    _move_canary_to_prod(hub)
    hub.cluster.patch(C1, "MemberCluster", None, "canary", {"metadata": {"labels": {"env": "staging"}}})
    _new_policy(hub)
    canary = _bindings(hub)["canary"]
    assert (canary["metadata"]["name"], canary["spec"]["state"]) == (name, "Scheduled")
    # The scheduler's merge patch is taken from the binding after it deleted the annotation from its
    # copy, so the patch does not remove it: it stays on the server (kubefleet-dev/kubefleet e160c1cd
    # pkg/scheduler/framework/frameworkutils.go crossReferencePickedClustersAndDeDupBindings,
    # patchBindingFromScoredCluster; framework_test.go "matching 1 unscheduled bindings").
    assert canary["metadata"]["annotations"] == {PREVIOUS_STATE: "Scheduled"}


def test_a_member_a_rolling_placement_no_longer_picks_loses_its_binding(hub: Hub) -> None:
    # The rollout controller deletes an Unscheduled binding; the scheduler then drops its finalizer.
    _place_on_staging(hub)
    _move_canary_to_prod(hub)
    assert _bindings(hub) == {}


def test_drain_evicts_nothing_for_an_unscheduled_binding_that_never_placed_anything(hub: Hub) -> None:
    # The binding was Scheduled, never Bound: nothing of the placement is on the member
    # (pkg/utils/eviction/eviction.go IsPlacementPresent), and the hub would refuse the eviction
    # as "not propagated yet" -- which no run will change, since the member is no longer picked.
    _place_on_staging(hub, "--external")
    _move_canary_to_prod(hub)
    result = invoke("fleet", "member", "drain", "canary", "-y")
    assert result.exit_code == 0, result
    assert hub.cluster.list("placement.kubernetes-fleet.io/v1beta1", "ClusterResourcePlacementEviction") == []


def test_drain_evicts_an_unscheduled_binding_that_was_bound(hub: Hub) -> None:
    # Unscheduled from Bound: the resources stay on the member until the binding is deleted.
    _place_everywhere(hub)
    hub.emu.controllers.remove(hub.controller)
    binding = _bindings(hub)["canary"]["metadata"]["name"]
    patch = {"metadata": {"annotations": {PREVIOUS_STATE: "Bound"}}, "spec": {"state": "Unscheduled"}}
    hub.cluster.patch(PB, "ClusterResourceBinding", None, binding, patch)
    result = invoke("fleet", "member", "drain", "canary", "--dry-run=client", "-o", "json")
    assert result.exit_code == 0, result
    evictions = [o for o in list_items(result.stdout) if o["kind"] == "ClusterResourcePlacementEviction"]
    assert [e["spec"] for e in evictions] == [{"placementName": "llm", "clusterName": "canary"}]


def _run(hub: Hub, name: str) -> None:
    args = ("fleet", "rollout", "create", name, "--placement", "llm", "--strategy", "staging-first", "--start", "-y")
    assert invoke(*args).exit_code == 0
    hub.settle()


def _run_succeeded(hub: Hub, name: str) -> bool:
    conditions = (hub.get("ClusterStagedUpdateRun", name).get("status") or {}).get("conditions") or []
    return any(c["type"] == "Succeeded" and c["status"] == "True" for c in conditions)


def test_the_next_run_deletes_an_unscheduled_binding_in_its_deletion_stage(hub: Hub) -> None:
    # updaterun/initialization.go collectScheduledClusters puts the Unscheduled binding in the
    # deletion stage; execution.go executeDeleteStage deletes it once every stage is done.
    _place_on_staging(hub, "--external")
    stage = ("--stage", "staging;labels=env=staging")
    assert invoke("fleet", "rollout", "strategy", "create", "staging-first", *stage, "-y").exit_code == 0
    _run(hub, "run-1")
    _move_canary_to_prod(hub)
    assert _bindings(hub)["canary"]["metadata"]["annotations"] == {PREVIOUS_STATE: "Bound"}
    _run(hub, "run-2")
    assert _bindings(hub) == {}
    # The run looks at its deletion stage again after clusterUpdatingWaitTime (execution.go).
    assert wait_until(lambda: _run_succeeded(hub, "run-2"), timeout=10)
    status = invoke("fleet", "rollout", "status", "run-2", "-o", "json")
    assert status.exit_code == 0, status
    report = json.loads(status.stdout)
    assert report["run"]["state"] == "Succeeded"
    rows = [(r["stage"], r["member"], r["state"]) for r in report["stages"]]
    assert ("kubernetes-fleet.io/deleteStage", "canary", "Succeeded") in rows


def test_a_run_of_a_placement_on_no_member_and_with_nothing_to_delete_is_refused(hub: Hub) -> None:
    # "no scheduled or to-be-deleted bindings found" fails the run for good (collectScheduledClusters).
    # The placement goes straight to the hub: fleet place refuses one that matches no member.
    request = PlacementRequest(name="llm", selects=["namespace/llm"], require_labels=["env=nowhere"], external=True)
    for obj in build(request):
        hub.cluster.create(obj)
    stage = ("--stage", "staging;labels=env=staging")
    assert invoke("fleet", "rollout", "strategy", "create", "staging-first", *stage, "-y").exit_code == 0
    hub.settle()
    create = ("fleet", "rollout", "create", "run-1", "--placement", "llm", "--strategy", "staging-first", "-y")
    result = invoke(*create)
    assert result.exit_code == 10, result
    assert "scheduled onto no member cluster: a staged update run would have nothing to update" in result.stderr


def test_an_eviction_of_a_binding_being_deleted_is_executed_at_once(hub: Hub) -> None:
    # executeEviction: EvictionAllowedPlacementRemovedMessage, the binding is not touched.
    _place_everywhere(hub)
    binding = _bindings(hub)["canary"]["metadata"]["name"]
    hub.cluster.patch(PB, "ClusterResourceBinding", None, binding, {"metadata": {"finalizers": ["test/hold"]}})
    hub.cluster.delete(PB, "ClusterResourceBinding", None, binding)
    eviction = {"placementName": "llm", "clusterName": "canary"}
    hub.cluster.create(
        {"apiVersion": PB, "kind": "ClusterResourcePlacementEviction", "metadata": {"name": "e1"}, "spec": eviction}
    )
    hub.settle()
    executed = {
        c["type"]: c for c in hub.get("ClusterResourcePlacementEviction", "e1", api_version=PB)["status"]["conditions"]
    }
    assert executed["Executed"]["status"] == "True"
    assert executed["Executed"]["message"].startswith(
        "Eviction is allowed, resources propagated by placement is currently"
    )
