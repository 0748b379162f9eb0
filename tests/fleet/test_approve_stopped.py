"""`fleet approve` on a stopped run: the approval is written, but the run reads it only once started.

upstream: kubefleet-dev/kubefleet e160c1cd pkg/controllers/updaterun/controller.go Reconcile calls
stop (stop.go) under spec.state Stop, which lets the members already updating finish and reads no
approval task; handleStageApprovalTask runs from execute (execution.go), under Run only."""

from __future__ import annotations

import json

from akscli.fleet.placement import PlacementRequest, build
from akscli.fleet.rollout import run_objects, strategy_objects
from akscli.fleet.stages import parse_stages
from tests.cli import invoke
from tests.fleet.conftest import Hub


def _ok(*args: str) -> str:
    result = invoke(*args)
    assert result.exit_code == 0, result
    return result.stdout


def _stopped_at_the_canary_gate(hub: Hub) -> None:
    objects = build(PlacementRequest(name="llm", selects=["namespace/llm"], external=True))
    stages = ["canary;labels=env=staging;after=approval", "prod;labels=env=prod"]
    objects += strategy_objects("canary-first", None, parse_stages(stages))
    for obj in objects:
        hub.cluster.create(obj)
    hub.settle()
    for obj in run_objects("run-1", None, "llm", "canary-first", None, start=True):
        hub.cluster.create(obj)
    hub.settle()
    _ok("fleet", "rollout", "stop", "run-1", "-y")
    hub.settle()
    assert json.loads(_ok("fleet", "rollout", "status", "run-1", "-o", "json"))["run"]["state"] == "Stopped"


def _approved(hub: Hub) -> bool:
    request = hub.get("ClusterApprovalRequest", "run-1-after-canary")
    return {c["type"]: c["status"] for c in (request.get("status") or {}).get("conditions") or []}.get(
        "Approved"
    ) == "True"


def test_approving_a_stopped_run_says_it_moves_on_only_once_started(hub: Hub) -> None:
    _stopped_at_the_canary_gate(hub)
    result = invoke("fleet", "approve", "run-1")
    assert result.exit_code == 0, result
    assert "approved run-1-after-canary (stage canary)" in result.stdout
    # Before: nothing said the run stays where it is, and `rollout status` still shows the gate waiting.
    assert "update run run-1 is stopped: it moves past the approved gate only once started again" in result.stderr
    assert "akscli fleet rollout start run-1)" in result.stderr
    assert _approved(hub)
    hub.settle()
    status = json.loads(_ok("fleet", "rollout", "status", "run-1", "-o", "json"))
    assert status["run"]["state"] == "Stopped"
    _ok("fleet", "rollout", "start", "run-1", "-y")
    hub.settle()
    assert json.loads(_ok("fleet", "rollout", "status", "run-1", "-o", "json"))["run"]["state"] == "Succeeded"


def test_approve_wait_on_a_stopped_run_is_refused_before_anything_is_approved(hub: Hub) -> None:
    _stopped_at_the_canary_gate(hub)
    result = invoke("fleet", "approve", "run-1", "--wait", "--timeout", "5s")
    # Before: the request was approved, then the wait read the stop as "run-1 failed" (exit 10).
    assert result.exit_code == 4, result
    assert "update run 'run-1' is stopped" in result.stderr
    assert "so --wait would wait for nothing" in result.stderr
    assert "akscli fleet rollout start run-1" in result.stderr
    assert "Traceback" not in result.stderr
    assert not _approved(hub)
