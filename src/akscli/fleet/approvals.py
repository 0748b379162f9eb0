"""Hub staged rollouts: answering the (Cluster)ApprovalRequests of a staged update run, and
waiting for its next gate (moved out of fleet/rollout.py, which keeps the runs' progress)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from akscli import timestamps
from akscli.errors import ConflictError, NotFoundError, WaitTimeoutError
from akscli.fleet import AR, CAR, CSUR, PLACEMENT_V1, SUR, TARGET_UPDATE_RUN_LABEL, hub
from akscli.fleet.rollout import fail_if_stuck_on_apply, get_run, ns_flag, refuse_finished, run_summary
from akscli.kube import retry
from akscli.kube.client import Kube
from akscli.kube.readiness import fleet_runs as fleet_rules
from akscli.kube.wait_report import failure_error
from akscli.kube.writes import Write
from akscli.output import object_ref


@dataclass(frozen=True)
class PendingApproval:
    name: str
    stage: str
    namespace: str | None
    # The run is stopped (spec.state Stop): the approval is written, but the run reads it only once
    # it runs again (run_stopped).
    held: bool = False


def run_stopped(run: Mapping[str, Any]) -> bool:
    """Whether the run is asked to stop (spec.state Stop), stopping or stopped.

    upstream: kubefleet-dev/kubefleet e160c1cd pkg/controllers/updaterun/controller.go Reconcile:
    under StateStop it calls stop (stop.go stopUpdatingStage), which only lets the members already
    updating finish; the approval tasks are read by handleStageApprovalTask, from execute
    (execution.go checkBeforeStageTasksStatus, checkAfterStageTasksStatus), which only StateRun
    calls. So an approved request leaves the run where it is, its task still "request created",
    until `fleet rollout start` sets Run."""
    return (run.get("spec") or {}).get("state") == "Stop"


def pending_approvals(run: Mapping[str, Any]) -> list[PendingApproval]:
    """Approval tasks the run has asked for (request created) and nobody has approved yet."""
    namespace = (run.get("metadata") or {}).get("namespace")
    result = []
    for stage in (run.get("status") or {}).get("stagesStatus") or []:
        for task in [
            *(stage.get("beforeStageTaskStatus") or []),
            *(stage.get("afterStageTaskStatus") or []),
        ]:
            conds = hub.conditions(task)
            if (
                task.get("type") == "Approval"
                and task.get("approvalRequestName")
                and conds.get("ApprovalRequestCreated", {}).get("status") == "True"
                and conds.get("ApprovalRequestApproved", {}).get("status") != "True"
            ):
                result.append(PendingApproval(str(task["approvalRequestName"]), str(stage.get("stageName")), namespace))
    return result


def approval_write(kube: Kube, name: str, namespace: str | None) -> Write:
    """The status write that approves a (Cluster)ApprovalRequest as ``kubectl fleet approve`` does
    (upstream: kubefleet-dev/kubefleet e160c1cd tools/fleet/cmd/approve/approve.go): the request as
    read, with meta.SetStatusCondition of Approved True, reason ``<Kind>Approved``, message ``<Kind> has
    been approved`` and the request's generation as observedGeneration -- the update-run controller
    takes the approval only with that generation (pkg/controllers/updaterun/execution.go
    handleStageApprovalTask, pkg/utils/condition/condition.go IsConditionStatusTrue)."""
    kind = AR if namespace else CAR
    hint = f"see pending approvals with: akscli fleet rollout status RUN{ns_flag(namespace)}"
    request = hub.read(kube, kind, name, namespace, hint)
    meta = request.get("metadata") or {}
    approved = {
        "type": "Approved",
        "status": "True",
        "reason": f"{kind}Approved",
        "message": f"{kind} has been approved",
        "observedGeneration": meta.get("generation", 1),
    }
    conditions = set_status_condition((request.get("status") or {}).get("conditions") or [], approved)
    # The tool sends Status().Update of the request as read; a merge patch replaces the list, and
    # its resourceVersion makes a concurrent change a conflict instead of a lost update, as there.
    body = {"metadata": {"resourceVersion": meta.get("resourceVersion")}, "status": {"conditions": conditions}}
    return Write.patch(request, body, subresource="status")


def set_status_condition(conditions: list[dict[str, Any]], new: Mapping[str, Any]) -> list[dict[str, Any]]:
    """meta.SetStatusCondition (upstream: kubernetes/apimachinery eed236ce pkg/api/meta/conditions.go): a condition of
    the same type is changed in place, and keeps its lastTransitionTime unless its status changes;
    a new type is appended, stamped now."""
    result = [dict(c) for c in conditions]
    for cond in result:
        if cond.get("type") == new["type"]:
            if cond.get("status") != new["status"]:
                cond["lastTransitionTime"] = timestamps.format()
            cond.update({k: new[k] for k in ("status", "reason", "message", "observedGeneration")})
            return result
    return [*result, {**new, "lastTransitionTime": timestamps.format()}]


def approve_request(kube: Kube, name: str, namespace: str | None) -> dict[str, Any] | None:
    """Approve one (Cluster)ApprovalRequest. Another writer between the read and the patch
    makes it a Conflict: read it again and set Approved again, as ``kubectl fleet approve`` does
    (upstream: kubefleet-dev/kubefleet e160c1cd tools/fleet/cmd/approve/approve.go,
    ``retry.RetryOnConflict(retry.DefaultRetry, ...)``)."""
    return retry.on_conflict(lambda: approval_write(kube, name, namespace).send(kube))


def requests_for_run(kube: Kube, run: str, namespace: str | None) -> list[dict[str, Any]]:
    kind = AR if namespace else CAR
    return list(
        kube.list(
            PLACEMENT_V1,
            kind,
            namespace=namespace,
            label_selector=f"{TARGET_UPDATE_RUN_LABEL}={run}",
        )
    )


def pending_for(
    kube: Kube, run: str, namespace: str | None, stage: str | None, wait: float | None = None
) -> list[PendingApproval]:
    """The approvals the run waits for (in ``stage`` only, when given); NotFoundError when none.
    With ``wait`` (approve --wait's seconds), a run still going is watched until it asks for one
    (wait_for_next_gate); [] when it ends first."""
    obj = get_run(kube, run, namespace)
    # A stopped run is not finished: Run resumes it (apis/placement/v1beta1 stageupdate_types.go
    # StateRun) and handleStageApprovalTask then reads the approval, so its gate may be approved
    # beforehand.
    refuse_finished(obj, run, "approve")
    pending = [p for p in pending_approvals(obj) if stage is None or p.stage == stage]
    if run_stopped(obj):
        if wait is not None:
            # Refused before anything is approved: a stopped run asks for no next gate and never
            # ends by itself, so --wait could only time out (or read the stop as a failure).
            raise ConflictError(
                f"update run {run!r} is stopped: it reads no approval and asks for no next gate until it "
                "is started again, so --wait would wait for nothing",
                hint=f"approve without --wait, then start it: akscli fleet rollout start {run}{ns_flag(namespace)}",
            )
        pending = [PendingApproval(p.name, p.stage, p.namespace, held=True) for p in pending]
    verdict = fleet_rules.run_state(obj)
    # Only a run asked to run moves on by itself (spec.state Run; Initialize and Stop hold it).
    running = (obj.get("spec") or {}).get("state") == "Run" and not verdict.ready and not verdict.failed
    if not pending and wait is not None and running:
        # Right after `rollout create --start` the first stage's members update before the run asks
        # for its after-stage approval (kubefleet-dev/kubefleet pkg/controllers/updaterun/execution.go
        # handleStageCompletion creates the ApprovalRequest then).
        return wait_for_next_gate(kube, run, namespace, set(), wait, stage=stage, first=obj)[1]
    if not pending:
        raise NotFoundError(
            f"update run {run!r} is waiting for no approval"
            + (f" in stage {stage}" if stage else "")
            + f" (it is {run_summary(obj)['state']})",
            hint=f"see where it stands with: akscli fleet rollout status {run}{ns_flag(namespace)}",
        )
    return pending


def approve_pending(
    kube: Kube, run: str, namespace: str | None, stage: str | None, wait: float | None = None
) -> list[PendingApproval]:
    """Approve every approval the run waits for (in ``stage`` only, when given; see pending_for's ``wait``)."""
    pending = pending_for(kube, run, namespace, stage, wait)
    for item in pending:
        approve_request(kube, item.name, namespace)
    return pending


def wait_for_next_gate(
    kube: Kube,
    name: str,
    namespace: str | None,
    answered: set[str],
    timeout: float,
    on_event: Callable[[str], None] | None = None,
    stage: str | None = None,
    first: Mapping[str, Any] | None = None,
) -> tuple[str, list[PendingApproval]]:
    """Watch the run until it asks for a new approval (of ``stage``, when given) or ends:
    ('gate'|'done'|'failed', gates). ``first``: the run as the caller just read it (else it is read
    here); a ``timeout`` of 0 checks that read once (hub.follow)."""

    def outcome(run: Mapping[str, Any]) -> tuple[str, list[PendingApproval]] | None:
        found = _gate_outcome(run, answered, stage)
        if found is None:
            fail_if_stuck_on_apply(kube, run)
        return found

    return hub.follow(
        kube,
        PLACEMENT_V1,
        SUR if namespace else CSUR,
        name,
        namespace,
        first if first is not None else get_run(kube, name, namespace),
        outcome,
        timeout=timeout,
        timeout_error=lambda: WaitTimeoutError(
            f"update run {name!r} asked for no new approval within {int(timeout)}s",
            hint=f"see where it stands with: akscli fleet rollout status {name}{ns_flag(namespace)}",
        ),
        on_change=(lambda run: on_event(run_summary(run)["state"])) if on_event else None,
        state=lambda run: f"no new approval asked for; it is {run_summary(run)['state']}",
    )


def _gate_outcome(
    run: Mapping[str, Any], answered: set[str], stage: str | None = None
) -> tuple[str, list[PendingApproval]] | None:
    """Through the one wait rule: done, failed for good (failed, stopped), or a new gate."""
    verdict = fleet_rules.run_state(run)
    if verdict.ready:
        return "done", []
    if verdict.failed:
        raise failure_error(object_ref(run), verdict)
    fresh = [p for p in pending_approvals(run) if p.name not in answered and stage in (None, p.stage)]
    if fresh:
        return "gate", fresh
    return None
