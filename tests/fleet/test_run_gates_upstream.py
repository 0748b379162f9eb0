"""Staged update run gates and states as KubeFleet has them (upstream: kubefleet-dev/kubefleet e160c1cd).

- `fleet approve` writes what `kubectl fleet approve` writes (tools/fleet/cmd/approve/approve.go).
- The update-run controller takes an Approved condition only with the request's generation as its
  observedGeneration (pkg/controllers/updaterun/execution.go handleStageApprovalTask,
  pkg/utils/condition/condition.go IsConditionStatusTrue), and recreates a request deleted before it
  was accepted (controller.go handleApprovalRequestDelete).
- A run still in state Initialize cannot be stopped: the CRD's rule "invalid state transition: cannot
  transition from Initialize to Stop" (apis/placement/v1beta1/stageupdate_types.go UpdateRunSpec)."""

from __future__ import annotations

from typing import Any

from akscli.fleet import approvals
from akscli.fleet.placement import PlacementRequest, build
from akscli.fleet.rollout import run_objects, strategy_objects
from akscli.fleet.stages import parse_stages
from tests.cli import invoke
from tests.emulators.kube.apiserver import wait_until
from tests.fleet.conftest import Hub

P1 = "placement.kubernetes-fleet.io/v1"
GATE = "run-1-before-all"


def _gated_run(hub: Hub, *, start: bool = True) -> None:
    """An External placement of namespace llm, one stage `all` behind a before-stage approval, and run-1."""
    for obj in build(PlacementRequest(name="llm", selects=["namespace/llm"], external=True)):
        hub.cluster.create(obj)
    for obj in strategy_objects("all", None, parse_stages(["all;max=100%;before=approval"])):
        hub.cluster.create(obj)
    hub.settle()
    for obj in run_objects("run-1", None, "llm", "all", None, start=start):
        hub.cluster.create(obj)
    hub.settle()


def _conditions(obj: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["type"]: c for c in (obj.get("status") or {}).get("conditions") or []}


def _gate_passed(hub: Hub) -> bool:
    run = hub.get("ClusterStagedUpdateRun", "run-1")
    task = run["status"]["stagesStatus"][0]["beforeStageTaskStatus"][0]
    return any(c["type"] == "ApprovalRequestApproved" and c["status"] == "True" for c in task.get("conditions") or [])


def _set_approved(hub: Hub, **fields: Any) -> None:
    """Approved True on the gate's request, as a user's own status write would put it."""
    approved = {
        "type": "Approved",
        "status": "True",
        "reason": "lgtm",
        "message": "approved by hand",
        "lastTransitionTime": "2026-12-07T12:00:00Z",
        **fields,
    }
    hub.cluster.patch_status(P1, "ClusterApprovalRequest", None, GATE, {"conditions": [approved]})


def test_approve_writes_the_condition_kubectl_fleet_approve_writes(hub: Hub) -> None:
    _gated_run(hub)
    result = invoke("fleet", "approve", "run-1")
    assert result.exit_code == 0, result
    approved = _conditions(hub.get("ClusterApprovalRequest", GATE))["Approved"]
    assert (approved["status"], approved["reason"], approved["message"], approved["observedGeneration"]) == (
        "True",
        "ClusterApprovalRequestApproved",
        "ClusterApprovalRequest has been approved",
        hub.get("ClusterApprovalRequest", GATE)["metadata"]["generation"],
    )
    assert wait_until(lambda: _gate_passed(hub), 10)


def test_approve_keeps_the_transition_time_of_an_approval_already_there(hub: Hub) -> None:
    # meta.SetStatusCondition: the same status keeps lastTransitionTime; akscli used to stamp it anew.
    # observedGeneration 0: the controller has not taken it, so the gate is still pending.
    _gated_run(hub)
    _set_approved(hub, observedGeneration=0)
    hub.settle()
    assert invoke("fleet", "approve", "run-1").exit_code == 0
    approved = _conditions(hub.get("ClusterApprovalRequest", GATE))["Approved"]
    assert approved["lastTransitionTime"] == "2026-12-07T12:00:00Z"
    assert approved["message"] == "ClusterApprovalRequest has been approved"


def test_an_approval_without_the_requests_generation_leaves_the_gate_closed(hub: Hub) -> None:
    # A `kubectl patch --subresource=status` that leaves observedGeneration out (0) is not an approval
    # to the controller (IsConditionStatusTrue compares it with the request's generation).
    _gated_run(hub)
    _set_approved(hub)
    hub.settle()
    assert not _gate_passed(hub)
    assert "ApprovalAccepted" not in _conditions(hub.get("ClusterApprovalRequest", GATE))
    status = invoke("fleet", "rollout", "status", "run-1")
    assert "WaitingForApproval" in status.stdout, status


def test_an_approval_with_the_requests_generation_opens_the_gate(hub: Hub) -> None:
    # Guard: the same write with observedGeneration set is taken and accepted.
    _gated_run(hub)
    generation = hub.get("ClusterApprovalRequest", GATE)["metadata"]["generation"]
    _set_approved(hub, observedGeneration=generation)
    assert wait_until(lambda: _gate_passed(hub), 10)
    assert _conditions(hub.get("ClusterApprovalRequest", GATE))["ApprovalAccepted"]["status"] == "True"


def test_a_deleted_request_not_yet_approved_is_created_again(hub: Hub) -> None:
    _gated_run(hub)
    first = hub.get("ClusterApprovalRequest", GATE)["metadata"]["uid"]
    hub.cluster.delete(P1, "ClusterApprovalRequest", None, GATE)

    def recreated() -> bool:
        request = hub.cluster.get(P1, "ClusterApprovalRequest", None, GATE)
        return request is not None and request["metadata"]["uid"] != first

    assert wait_until(recreated, 10)
    assert invoke("fleet", "approve", "run-1").exit_code == 0
    assert wait_until(lambda: _gate_passed(hub), 10)


def test_stopping_a_run_not_started_is_refused_before_anything_is_sent(hub: Hub) -> None:
    _gated_run(hub, start=False)
    version = hub.get("ClusterStagedUpdateRun", "run-1")["metadata"]["resourceVersion"]
    result = invoke("fleet", "rollout", "stop", "run-1")
    assert result.exit_code == 4, result
    assert result.stderr.splitlines() == [
        "error: update run 'run-1' has not started (state Initialize): it cannot be stopped, "
        "the hub takes no Initialize to Stop",
        "hint: start it with: akscli fleet rollout start run-1, or drop it with: akscli fleet rollout delete run-1",
    ]
    run = hub.get("ClusterStagedUpdateRun", "run-1")
    assert (run["spec"]["state"], run["metadata"]["resourceVersion"]) == ("Initialize", version)


def test_a_server_dry_run_stop_of_a_run_not_started_is_refused_the_same_way(hub: Hub) -> None:
    _gated_run(hub, start=False)
    result = invoke("fleet", "rollout", "stop", "run-1", "--dry-run=server")
    assert result.exit_code == 4, result
    assert "has not started (state Initialize)" in result.stderr


class _Kube:
    """Answers every read with one object (approval_write reads the request, then builds its write)."""

    def __init__(self, obj: dict[str, Any]) -> None:
        self.obj = obj

    def get(self, *_args: Any, **_kw: Any) -> dict[str, Any]:
        return self.obj


def test_approving_a_namespaced_request_writes_the_approval_request_reason_in_place() -> None:
    # approveApprovalRequest: reason ApprovalRequestApproved; SetStatusCondition changes a condition of
    # the type in place, other types stay where they are.
    noted = {"type": "Noted", "status": "True", "reason": "x", "lastTransitionTime": "2026-12-07T11:00:00Z"}
    withdrawn = {"type": "Approved", "status": "False", "reason": "no", "lastTransitionTime": "2026-12-07T11:00:00Z"}
    request = {
        "apiVersion": P1,
        "kind": "ApprovalRequest",
        "metadata": {"name": "run-1-after-all", "namespace": "llm", "generation": 1, "resourceVersion": "7"},
        "status": {"conditions": [withdrawn, noted]},
    }
    kube: Any = _Kube(request)
    write = approvals.approval_write(kube, "run-1-after-all", "llm")
    assert (write.kind, write.namespace, write.subresource) == ("ApprovalRequest", "llm", "status")
    first, second = write.body["status"]["conditions"]
    assert second == noted
    assert {k: first[k] for k in ("type", "status", "reason", "message", "observedGeneration")} == {
        "type": "Approved",
        "status": "True",
        "reason": "ApprovalRequestApproved",
        "message": "ApprovalRequest has been approved",
        "observedGeneration": 1,
    }
    assert first["lastTransitionTime"] != "2026-12-07T11:00:00Z"  # False to True: a new transition
    assert write.body["metadata"]["resourceVersion"] == "7"


def test_a_run_that_failed_to_initialize_stays_failed_when_its_state_changes(hub: Hub) -> None:
    # Reconcile first gives every condition the run's new generation (updateAllStatusConditionsGeneration),
    # so Initialized False stays final after a spec change: the run is not initialized again, even
    # once its strategy exists (controller.go: "The updateRun has failed to initialize").
    for obj in build(PlacementRequest(name="llm", selects=["namespace/llm"], external=True)):
        hub.cluster.create(obj)
    hub.settle()
    for obj in run_objects("run-1", None, "llm", "all", None, start=False):
        hub.cluster.create(obj)
    hub.settle()
    failed = _conditions(hub.get("ClusterStagedUpdateRun", "run-1"))["Initialized"]
    assert failed["status"] == "False"
    for obj in strategy_objects("all", None, parse_stages(["all;max=100%"])):
        hub.cluster.create(obj)
    hub.cluster.patch(P1, "ClusterStagedUpdateRun", None, "run-1", {"spec": {"state": "Run"}})
    hub.settle()
    run = hub.get("ClusterStagedUpdateRun", "run-1")
    initialized = _conditions(run)["Initialized"]
    assert (initialized["status"], initialized["message"]) == ("False", failed["message"])
    assert "stagesStatus" not in run["status"]


def test_deleting_a_run_deletes_its_approval_requests(hub: Hub) -> None:
    # handleDelete (controller.go): DeleteAllOf the requests labelled kubernetes-fleet.io/targetUpdateRun.
    _gated_run(hub)
    assert hub.cluster.get(P1, "ClusterApprovalRequest", None, GATE) is not None
    result = invoke("fleet", "rollout", "delete", "run-1", "-y")
    assert result.exit_code == 0, result
    assert wait_until(lambda: not hub.cluster.list(P1, "ClusterApprovalRequest"), 10)
