"""`fleet approve` on a run the hub will not move again. A finished run (Succeeded True or False)
is never reconciled again (kubefleet-dev/kubefleet e160c1cd pkg/controllers/updaterun/controller.go
Reconcile: "The updateRun is finished"), so the ApprovalRequest it left still reads as pending and
approving it changes nothing; a stopped run is resumed by state Run (apis/placement/v1beta1
stageupdate_types.go StateRun) and then reads the approval (execution.go handleStageApprovalTask)."""

from __future__ import annotations

from tests.cli import invoke
from tests.emulators.kube.apiserver import wait_until
from tests.fleet.conftest import Hub
from tests.fleet.test_rollout_e2e import _ok, _staged


def _approved(hub: Hub) -> bool:
    request = hub.get("ClusterApprovalRequest", "run-1-after-canary")
    return any(c["type"] == "Approved" for c in (request.get("status") or {}).get("conditions") or [])


def _succeeded(hub: Hub) -> str | None:
    run = hub.get("ClusterStagedUpdateRun", "run-1")
    conds = {c["type"]: c for c in (run.get("status") or {}).get("conditions") or []}
    return conds.get("Succeeded", {}).get("status")


def test_approve_on_a_failed_run_says_it_has_finished_and_approves_nothing(hub: Hub) -> None:
    _staged(hub)
    _ok("fleet", "placement", "delete", "llm", "-y")
    assert wait_until(lambda: _succeeded(hub) == "False", 10)
    result = invoke("fleet", "approve", "run-1")
    assert result.exit_code == 4, result
    assert result.stderr.splitlines()[0] == "error: update run 'run-1' has finished (Failed): it cannot be approved"
    assert "approved" not in result.stdout
    assert not _approved(hub)


def test_approve_on_a_stopped_run_still_approves_its_gate_for_when_it_resumes(hub: Hub) -> None:
    _staged(hub)
    _ok("fleet", "rollout", "stop", "run-1")
    hub.settle()
    result = invoke("fleet", "approve", "run-1")
    assert result.exit_code == 0, result
    assert "approved run-1-after-canary (stage canary)" in result.stdout
    assert _approved(hub)
