"""What `apply --prune` leaves of a stack and says so, never deleting it silently: a staged update
run still rolling out, and a cluster-scoped object an older akscli applied without the
stack-namespace label (whose namespace's stack it is cannot be told). Plain logic, no typer or
rich; the apply engine (kube/apply.py) finds them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from akscli.kube.changes import Change
from akscli.render import STACK_NAMESPACE_LABEL

UNLABELLED = "no stack-namespace label"
ROLLING_OUT = "still rolling out"


def rolling_out(obj: Mapping[str, Any]) -> bool:
    """A staged update run that has not finished: deleting it ends the rollout where it is, its
    approval requests deleted and its finalizer removed, with the members of the later stages
    left on the old resources (kubefleet-dev/kubefleet pkg/controllers/updaterun/controller.go
    handleDelete). Finished: Succeeded True or False, or Initialized False, for its generation
    (controller.go Reconcile never reconciles such a run again)."""
    if obj.get("kind") not in ("ClusterStagedUpdateRun", "StagedUpdateRun"):
        return False
    from akscli.kube.readiness.fleet_runs import run_finished

    return not run_finished(obj)


def left_warnings(left: Sequence[Change], stack: str) -> list[str]:
    """One line for each reason --prune left objects of ``stack``, naming them and the command
    that deletes them."""
    lines = []
    unlabelled = [c.ref for c in left if c.diff == [UNLABELLED]]
    if unlabelled:
        lines.append(
            f"--prune left {len(unlabelled)} cluster-scoped object(s) of stack {stack} that an older akscli "
            f"applied without the {STACK_NAMESPACE_LABEL} label, so the namespace whose stack they belong to "
            f"is unknown: {', '.join(unlabelled)}; if this stack's, delete them with: kubectl delete "
            f"{' '.join(unlabelled)}"
        )
    rolling = [c.ref for c in left if c.diff == [ROLLING_OUT]]
    if rolling:
        lines.append(running_left(rolling, f"--prune of stack {stack}") + "; prune again once it finished")
    return lines


def running_left(refs: Sequence[str], who: str) -> str:
    """The line for staged update runs ``who`` (a prune, a deploy) did not delete as they still roll out."""
    return (
        f"{who} left {len(refs)} staged update run(s) still rolling out: {', '.join(refs)}; "
        "deleting one stops its rollout part way"
    )
