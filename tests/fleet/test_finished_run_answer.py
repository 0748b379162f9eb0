"""One answer for start, stop and approve on a hub run that has finished. kubefleet never moves such
a run again (kubefleet-dev/kubefleet e160c1cd pkg/controllers/updaterun/controller.go Reconcile:
Initialized False, "The updateRun has failed to initialize", and Succeeded True or False, "The
updateRun is finished", both return before execute or stop), so akscli refuses each action with
the same line and exit 4 (conflict: the run's state forbids it)."""

from __future__ import annotations

from tests.cli import invoke
from tests.emulators.kube.apiserver import wait_until
from tests.fleet.conftest import Hub
from tests.fleet.test_approve_finished_run import _succeeded
from tests.fleet.test_rollout_e2e import _ok, _staged


def test_start_stop_and_approve_of_a_finished_run_give_one_answer(hub: Hub) -> None:
    _staged(hub)
    _ok("fleet", "placement", "delete", "llm", "-y")
    assert wait_until(lambda: _succeeded(hub) == "False", 10)
    for action, done in (("approve", "approved"), ("rollout start", "started"), ("rollout stop", "stopped")):
        result = invoke("fleet", *action.split(), "run-1", "-y")
        assert result.exit_code == 4, (action, result)
        assert result.stderr.splitlines()[0] == f"error: update run 'run-1' has finished (Failed): it cannot be {done}"
        assert result.stdout == ""


def test_a_run_that_failed_to_initialize_cannot_be_started(hub: Hub) -> None:
    from akscli.fleet.rollout import run_objects

    # A placement without the External strategy: the run fails to initialize (initialization.go).
    _ok("fleet", "place", "llm", "--select", "namespace/llm", "-y")
    _ok("fleet", "rollout", "strategy", "create", "s", "--stage", "all", "-y")
    hub.settle()
    for obj in run_objects("run-2", None, "llm", "s", None, start=False):
        hub.cluster.create(obj)
    hub.settle()
    result = invoke("fleet", "rollout", "start", "run-2", "-y")
    assert result.exit_code == 4, result
    assert "has finished (InitializationFailed): it cannot be started" in result.stderr
    assert (hub.get("ClusterStagedUpdateRun", "run-2").get("spec") or {}).get("state") != "Run"
