"""``fleet approve --wait --timeout 0`` checks once, as every akscli wait's --timeout 0 and kubectl wait
--timeout=0 ("Zero means check once and don't wait": kubernetes/kubectl dee3483a pkg/cmd/wait/wait.go,
pkg/cmd/wait/condition.go getObjAndCheckCondition): the run it read is the check, nothing is watched or
polled, and a gate not there yet ends the command with the shared "condition not met for ..." and its
hint (kube/wait_report.py once_error), exit 5; the ARM case is in test_arm_run_status_wait.py. Before,
approve's own loops said "asked for no new approval within 0s" (hub) and "reached no new gate within 0s"
(ARM)."""

from __future__ import annotations

from tests.cli import invoke
from tests.fleet.conftest import Hub
from tests.fleet.test_rollout_e2e import _staged

ONCE_HINT = (
    "hint: --timeout 0 checks once and does not wait, as kubectl wait --timeout=0; give a longer --timeout to wait"
)
RUN = "clusterstagedupdaterun.placement.kubernetes-fleet.io/run-1"


def test_hub_approve_wait_timeout_zero_checks_the_run_once_and_says_the_condition_is_not_met(hub: Hub) -> None:
    # run-1 waits for the canary stage's approval; nothing of stage prod is asked for until it is given
    _staged(hub)
    hub.emu.request_log.clear()
    result = invoke("fleet", "approve", "run-1", "--stage", "prod", "--wait", "--timeout", "0")
    assert result.exit_code == 5, result
    assert result.stderr.splitlines()[-2:] == [
        f"error: condition not met for {RUN} (no new approval asked for; it is Waiting)",
        ONCE_HINT,
    ]
    runs = [r.verb for r in hub.emu.request_log if "clusterstagedupdateruns" in r.path]
    assert runs == ["get"]  # the one read is the check: no second read, no watch


def test_hub_approve_wait_that_used_up_its_timeout_is_not_a_check_once() -> None:
    from akscli.cli.fleet.approve import _left

    assert _left(0.0, 0.0) == 0.0
    assert _left(30.0, 31.0) > 0  # the next gate's wait times out; it is no --timeout 0
    assert _left(30.0, 10.0) == 20.0
