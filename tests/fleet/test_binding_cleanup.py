"""Bindings being deleted: the work generator's finalizer holds a binding while its member removes
what was placed, the rollout controller paces the deletions and waits for them, a run stopped in
its deletion stage stops there, and a member that leaves the fleet has its bindings unscheduled.
Upstream for each: tests/emulators/kube/controllers/fleet_bindings.py and fleet_runs.py
(kubefleet-dev/kubefleet e160c1cd pkg/controllers/workgenerator, rollout, updaterun/stop.go,
pkg/scheduler/framework)."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest

from tests.cli import invoke
from tests.emulators.kube.apiserver import wait_until
from tests.fleet.conftest import Hub

PB = "placement.kubernetes-fleet.io/v1beta1"
P1 = "placement.kubernetes-fleet.io/v1"
C1 = "cluster.kubernetes-fleet.io/v1"
WORK_FINALIZER = "kubernetes-fleet.io/work-cleanup"
PREVIOUS_STATE = "kubernetes-fleet.io/previous-binding-state"
DELETE_STAGE = "kubernetes-fleet.io/deleteStage"
EVICTION = "ClusterResourcePlacementEviction"


def _ok(*args: str) -> str:
    result = invoke(*args)
    assert result.exit_code == 0, result
    return result.stdout


def _bindings(hub: Hub) -> list[dict[str, Any]]:
    return sorted(hub.cluster.list(PB, "ClusterResourceBinding"), key=lambda b: b["spec"]["targetCluster"])


def _on(hub: Hub, member: str) -> list[dict[str, Any]]:
    return [b for b in _bindings(hub) if b["spec"]["targetCluster"] == member]


def _member(hub: Hub, name: str, labels: dict[str, str] | None = None, annotations: Any = ...) -> None:
    meta: dict[str, Any] = {}
    if labels is not None:
        meta["labels"] = labels
    if annotations is not ...:
        meta["annotations"] = annotations
    hub.cluster.patch(C1, "MemberCluster", None, name, {"metadata": meta})
    hub.settle()


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


def _works_stay_on(hub: Hub, member: str) -> None:
    """The member's work applier never confirms that a deleted binding's Works are gone."""
    _member(hub, member, annotations={"fleet.emulator/fail": "cleanup"})


def _place_on_staging(hub: Hub, *flags: str) -> None:
    # canary is the one member labelled env=staging
    _ok("fleet", "place", "llm", "--select", "namespace/llm", "--require-labels", "env=staging", *flags, "-y")
    hub.settle()


def test_the_work_generator_adds_its_finalizer_to_a_bound_binding_only(hub: Hub) -> None:
    _ok("fleet", "place", "llm", "--select", "namespace/llm", "--external", "-y")
    hub.settle()
    assert [WORK_FINALIZER in b["metadata"]["finalizers"] for b in _bindings(hub)] == [False] * 3  # Scheduled
    _ok("fleet", "placement", "delete", "llm", "-y")
    _ok("fleet", "place", "llm", "--select", "namespace/llm", "-y")
    hub.settle()
    assert [WORK_FINALIZER in b["metadata"]["finalizers"] for b in _bindings(hub)] == [True] * 3  # Bound


def test_a_deleted_binding_stays_until_its_member_has_removed_the_works(hub: Hub) -> None:
    _place_on_staging(hub)
    _works_stay_on(hub, "canary")
    _member(hub, "canary", labels={"env": "prod"})
    _new_policy(hub)  # no longer picked: the rollout controller deletes it
    (binding,) = _on(hub, "canary")
    assert binding["metadata"].get("deletionTimestamp")
    assert binding["metadata"]["finalizers"] == [WORK_FINALIZER]  # the scheduler's is off
    _member(hub, "canary", annotations=None)
    assert _bindings(hub) == []


def test_the_rollout_controller_keeps_an_unscheduled_binding_while_too_few_members_are_available(hub: Hub) -> None:
    # calculateMaxToRemove: (ready bindings) - (target - maxUnavailable) = 1 - (1 - 0) = 0 while
    # gpu-east, the one member left, is not available.
    _member(hub, "gpu-east", annotations={"fleet.emulator/fail": "available"})
    _ok("fleet", "place", "llm", "--select", "namespace/llm", "--require-labels", "env=prod", "--max-unavailable", "0")
    hub.settle()
    _member(hub, "cpu-west", labels={"env": "staging"})
    _new_policy(hub)
    (binding,) = _on(hub, "cpu-west")
    assert (binding["spec"]["state"], binding["metadata"]["annotations"]) == ("Unscheduled", {PREVIOUS_STATE: "Bound"})
    assert not binding["metadata"].get("deletionTimestamp")
    _member(hub, "gpu-east", annotations=None)  # available: 2 - (1 - 0) = 1 may go
    assert _on(hub, "cpu-west") == []


def _pick_canary_again_while_its_old_binding_is_deleted(hub: Hub) -> None:
    _place_on_staging(hub)
    _works_stay_on(hub, "canary")
    _member(hub, "canary", labels={"env": "prod"})
    _new_policy(hub)
    _member(hub, "canary", labels={"env": "staging"})
    _new_policy(hub)


def test_a_member_picked_again_is_bound_only_once_its_old_binding_is_gone(hub: Hub) -> None:
    # The scheduler ignores the deleting binding and makes a new one; the rollout controller binds
    # nothing while a member has both (waitForResourcesToCleanUp).
    _pick_canary_again_while_its_old_binding_is_deleted(hub)
    old, new = sorted(_on(hub, "canary"), key=lambda b: bool(b["metadata"].get("deletionTimestamp")), reverse=True)
    assert old["metadata"].get("deletionTimestamp") and not new["metadata"].get("deletionTimestamp")
    assert new["spec"]["state"] == "Scheduled"
    status = json.loads(_ok("fleet", "placement", "status", "llm", "-o", "json"))
    assert [(c["cluster"], c["state"]) for c in status["clusters"]] == [("canary", "RolloutStarted=Unknown")]
    _member(hub, "canary", annotations=None)
    (binding,) = _on(hub, "canary")
    assert (binding["metadata"]["name"], binding["spec"]["state"]) == (new["metadata"]["name"], "Bound")


def test_drain_waits_for_a_binding_still_being_removed_and_then_evicts(hub: Hub) -> None:
    # The hub refuses the first eviction: "Found more than one scheduler decision" (validateEviction);
    # the drain watches the placement's bindings and evicts again once the old one is gone.
    _pick_canary_again_while_its_old_binding_is_deleted(hub)

    def member_removes_the_old_works() -> None:
        assert wait_until(lambda: any(_refused_for_two_bindings(e) for e in hub.cluster.list(PB, EVICTION)), timeout=10)
        hub.cluster.patch(C1, "MemberCluster", None, "canary", {"metadata": {"annotations": None}})

    helper = threading.Thread(target=member_removes_the_old_works)
    helper.start()
    result = invoke("fleet", "member", "drain", "canary", "--timeout", "30s", "-y")
    helper.join()
    assert result.exit_code == 0, result
    assert "waiting for the old binding of placement llm on canary to be removed" in result.stderr
    assert [line.split()[:2] for line in result.stdout.splitlines()[1:]] == [["llm", "Evicted"]]
    assert _on(hub, "canary") == []


def test_drain_times_out_while_a_binding_is_still_being_removed(hub: Hub) -> None:
    _pick_canary_again_while_its_old_binding_is_deleted(hub)
    result = invoke("fleet", "member", "drain", "canary", "--timeout", "2s", "-y")
    assert result.exit_code == 5, result
    assert "member cluster canary still has a binding of placement llm being deleted beside a new one" in (
        result.stderr
    )
    assert "kubectl get clusterresourcebindings -l kubernetes-fleet.io/parent-CRP=llm -w" in result.stderr


def _refused_for_two_bindings(eviction: dict[str, Any]) -> bool:
    conds = {c["type"]: c for c in (eviction.get("status") or {}).get("conditions") or []}
    return conds.get("Valid", {}).get("message", "").startswith("Found more than one scheduler decision")


def test_a_member_that_leaves_the_fleet_loses_its_binding_of_a_rolling_placement(hub: Hub) -> None:
    # classifyBindings: a binding of a member gone is dangling, marked Unscheduled, then deleted by
    # the rollout controller; its Works go with the member's namespace (garbageCollectWork).
    _ok("fleet", "place", "llm", "--select", "namespace/llm", "-y")
    hub.settle()
    _works_stay_on(hub, "gpu-east")
    hub.cluster.delete(C1, "MemberCluster", None, "gpu-east")
    hub.settle()
    assert [b["spec"]["targetCluster"] for b in _bindings(hub)] == ["canary", "cpu-west"]
    status = hub.get("ClusterResourcePlacement", "llm")["status"]
    assert [s["clusterName"] for s in status["placementStatuses"]] == ["canary", "cpu-west"]


def _delete_held(hub: Hub, name: str) -> None:
    """The MemberCluster is deleted and stays, deleting, on a finalizer."""
    hub.cluster.patch(C1, "MemberCluster", None, name, {"metadata": {"finalizers": ["test/hold"]}})
    hub.cluster.delete(C1, "MemberCluster", None, name)
    hub.settle()


def test_a_member_being_deleted_has_left_the_fleet_for_the_scheduler(hub: Hub) -> None:
    # clustereligibilitychecker/checker.go IsEligible: "cluster has left the fleet" while the
    # MemberCluster waits on its finalizers; its binding dangles and the rollout controller deletes it.
    # The scheduler's member watcher ignores a member being deleted "until it is left"
    # (pkg/scheduler/watchers/membercluster/watcher.go): the binding goes once the scheduler runs
    # for another reason, here another member's labels changing (a PickAll placement passes).
    _ok("fleet", "place", "llm", "--select", "namespace/llm", "-y")
    hub.settle()
    _delete_held(hub, "gpu-east")
    assert [b["spec"]["targetCluster"] for b in _bindings(hub)] == ["canary", "cpu-west", "gpu-east"]
    _member(hub, "canary", labels={"env": "staging", "tier": "edge"})
    assert [b["spec"]["targetCluster"] for b in _bindings(hub)] == ["canary", "cpu-west"]


def test_a_pass_for_an_override_does_not_run_the_scheduler(hub: Hub) -> None:
    # The scheduler runs only when its watchers enqueue the placement (pkg/scheduler/watchers/
    # {membercluster,schedulingpolicysnapshot,binding,placement}/watcher.go); an override's change
    # makes the placement controller and the rollout controller pass, not the scheduler.
    _ok("fleet", "place", "llm", "--select", "namespace/llm", "-y")
    hub.settle()
    _delete_held(hub, "gpu-east")
    _ok("fleet", "place", "llm", "--select", "namespace/llm", "--override", "env=prod@/metadata/labels/a=1", "-y")
    hub.settle()
    assert [b["spec"]["targetCluster"] for b in _bindings(hub)] == ["canary", "cpu-west", "gpu-east"]


def test_a_pick_fixed_member_being_deleted_is_not_eligible(hub: Hub) -> None:
    # framework.go pickFixedInvalidClusterReasonTemplate, one failed-to-schedule row, once the
    # scheduler runs: not on a member update while the placement is fully scheduled
    # (membercluster/utils.go classifyPlacements), but on a new policy snapshot.
    _ok("fleet", "place", "llm", "--select", "namespace/llm", "--pick-fixed", "gpu-east,canary", "-y")
    hub.settle()
    _delete_held(hub, "gpu-east")
    _member(hub, "canary", labels={"env": "staging", "tier": "edge"})
    scheduled = {s["clusterName"]: s for s in hub.get("ClusterResourcePlacement", "llm")["status"]["placementStatuses"]}
    assert scheduled["gpu-east"]["conditions"][0]["status"] == "True"
    _ok("fleet", "place", "llm", "--select", "namespace/llm", "--pick-fixed", "gpu-east,canary,cpu-west", "-y")
    hub.settle()
    rows = {
        s["clusterName"]: s["conditions"][0]
        for s in hub.get("ClusterResourcePlacement", "llm")["status"]["placementStatuses"]
    }
    assert rows["gpu-east"]["status"] == "False"
    assert rows["gpu-east"]["message"] == (
        'Cluster "gpu-east" is not eligible for resource placement yet: cluster has left the fleet'
    )


def test_a_member_that_leaves_the_fleet_keeps_an_unscheduled_binding_of_an_external_placement(hub: Hub) -> None:
    # The next update run's deletion stage deletes it (updaterun/initialization.go).
    _ok("fleet", "place", "llm", "--select", "namespace/llm", "--external", "-y")
    hub.settle()
    hub.cluster.delete(C1, "MemberCluster", None, "gpu-east")
    hub.settle()
    (binding,) = _on(hub, "gpu-east")
    assert (binding["spec"]["state"], binding["metadata"]["annotations"]) == (
        "Unscheduled",
        {PREVIOUS_STATE: "Scheduled"},
    )


# ---- a run stopped in its deletion stage (updaterun/stop.go stopDeleteStage)


def _progressing(hub: Hub, run: str) -> str:
    conditions = (hub.get("ClusterStagedUpdateRun", run).get("status") or {}).get("conditions") or []
    return next((str(c.get("reason")) for c in conditions if c["type"] == "Progressing"), "")


def _status(run: str) -> tuple[str, dict[tuple[str, str], str]]:
    report = json.loads(_ok("fleet", "rollout", "status", run, "-o", "json"))
    return report["run"]["state"], {(r["stage"], r["member"]): r["state"] for r in report["stages"]}


def _run_in_its_deletion_stage(hub: Hub) -> None:
    """run-2 of an External placement has deleted canary's binding, which its Works hold."""
    _place_on_staging(hub, "--external")
    _ok("fleet", "rollout", "strategy", "create", "staging-first", "--stage", "staging;labels=env=staging", "-y")
    create = ("fleet", "rollout", "create", "--placement", "llm", "--strategy", "staging-first", "--start", "-y")
    _ok(*create[:3], "run-1", *create[3:])
    hub.settle()
    _works_stay_on(hub, "canary")
    _member(hub, "canary", labels={"env": "prod"})
    _new_policy(hub)
    _ok(*create[:3], "run-2", *create[3:])
    assert wait_until(lambda: _status("run-2")[1].get((DELETE_STAGE, "canary")) == "Running", timeout=10)
    assert _on(hub, "canary")[0]["metadata"].get("deletionTimestamp")


def test_a_run_stopped_in_its_deletion_stage_is_stopping_while_a_binding_is_being_deleted(hub: Hub) -> None:
    _run_in_its_deletion_stage(hub)
    _ok("fleet", "rollout", "stop", "run-2")
    assert wait_until(lambda: _progressing(hub, "run-2") == "UpdateRunStopping", timeout=10)
    state, rows = _status("run-2")
    assert (state, rows[(DELETE_STAGE, "")], rows[(DELETE_STAGE, "canary")]) == ("Stopping", "Stopping", "Running")


def test_a_run_stopped_in_its_deletion_stage_stops_once_the_binding_is_gone_and_finishes_when_started(
    hub: Hub,
) -> None:
    _run_in_its_deletion_stage(hub)
    _ok("fleet", "rollout", "stop", "run-2")
    assert wait_until(lambda: _progressing(hub, "run-2") == "UpdateRunStopping", timeout=10)
    _member(hub, "canary", annotations=None)
    assert wait_until(lambda: _progressing(hub, "run-2") == "UpdateRunStopped", timeout=10)
    state, rows = _status("run-2")
    assert (state, rows[(DELETE_STAGE, "")], rows[(DELETE_STAGE, "canary")]) == ("Stopped", "Stopped", "Succeeded")
    _ok("fleet", "rollout", "start", "run-2")
    assert wait_until(lambda: _status("run-2")[0] == "Succeeded", timeout=10)


def test_the_scheduler_removes_its_finalizer_with_an_update_of_the_binding_as_read(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """removeFinalizerAndUpdate (kubefleet-dev/kubefleet e160c1cd pkg/scheduler/framework/framework.go):
    controllerutil.RemoveFinalizer and hubClient.Update, a PUT carrying the resourceVersion read
    (a JSON patch before)."""
    api = hub.emu.cluster.api
    original = api.update
    sent: list[dict[str, Any]] = []

    def update(rt: Any, *args: Any, **kwargs: Any) -> Any:
        bodies = [json.loads(a) if isinstance(a, bytes) else a for a in args]
        if rt.kind == "ClusterResourceBinding" and not kwargs.get("subresource"):
            sent.extend(b["metadata"] for b in bodies if isinstance(b, dict) and isinstance(b.get("metadata"), dict))
        return original(rt, *args, **kwargs)

    monkeypatch.setattr(api, "update", update)
    _place_on_staging(hub)
    _works_stay_on(hub, "canary")
    _member(hub, "canary", labels={"env": "prod"})
    _new_policy(hub)
    (binding,) = _on(hub, "canary")
    assert binding["metadata"]["finalizers"] == [WORK_FINALIZER]
    removals = [md for md in sent if md.get("deletionTimestamp") and md.get("finalizers") == [WORK_FINALIZER]]
    assert removals and all(md.get("resourceVersion") for md in removals)
