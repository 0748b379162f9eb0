"""A staged update run whose placement is deleted fails for good, as KubeFleet's update run
controller fails it (kubefleet-dev/kubefleet e160c1cd pkg/controllers/updaterun/validation.go
validate -> initialization.go validatePlacement, controller.go recordUpdateRunFailed), and
`fleet rollout status` says plainly why."""

from __future__ import annotations

import json

from tests.emulators.kube.apiserver import wait_until
from tests.fleet.conftest import Hub
from tests.fleet.test_rollout_e2e import _ok, _staged

PARENT_GONE = (
    "cannot continue the updateRun: failed to validate the updateRun: "
    "failed to process the request due to a client error: parent placement not found"
)


def _conditions(hub: Hub) -> dict[str, dict[str, str]]:
    run = hub.get("ClusterStagedUpdateRun", "run-1")
    return {c["type"]: c for c in (run.get("status") or {}).get("conditions") or []}


def test_the_hub_fails_a_waiting_run_once_its_placement_is_deleted(hub: Hub) -> None:
    _staged(hub)
    assert _conditions(hub)["Progressing"]["reason"] == "UpdateRunWaiting"
    _ok("fleet", "placement", "delete", "llm", "-y")
    assert wait_until(lambda: _conditions(hub).get("Succeeded", {}).get("status") == "False", 10)
    conds = _conditions(hub)
    assert (conds["Succeeded"]["reason"], conds["Succeeded"]["message"]) == ("UpdateRunFailed", PARENT_GONE)
    assert (conds["Progressing"]["status"], conds["Progressing"]["reason"]) == ("False", "UpdateRunFailed")


def test_rollout_status_of_a_run_whose_placement_is_gone_says_so(hub: Hub) -> None:
    _staged(hub)
    _ok("fleet", "placement", "delete", "llm", "-y")
    assert wait_until(lambda: _conditions(hub).get("Succeeded", {}).get("status") == "False", 10)
    table = _ok("fleet", "rollout", "status", "run-1").splitlines()
    assert table[0] == (
        "update run run-1: Failed (placement llm, strategy canary-first): placement llm was deleted, so the run "
        "cannot go on (the hub: parent placement not found); to roll out again, place it and create a new run"
    )
    status = json.loads(_ok("fleet", "rollout", "status", "run-1", "-o", "json"))
    assert status["run"]["message"] == PARENT_GONE  # -o json keeps the hub's own words
    rows = {(r["stage"], r["member"]): r["state"] for r in status["stages"]}
    # The gate it waited at and its stage will never move again; what had ended or not begun stays.
    assert rows[("canary", "")] == rows[("canary", "(after approval)")] == "Aborted"
    assert rows[("canary", "canary")] == "Succeeded"
    assert rows[("prod", "gpu-east")] == "NotStarted"
