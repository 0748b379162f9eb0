"""``fleet rollout status --wait``: a hub staged update run followed to its end on the one wait rule
(a watch of the run's Succeeded condition), for runs that need no approval."""

from __future__ import annotations

from akscli.fleet.placement import PlacementRequest, build
from akscli.fleet.rollout import run_objects, strategy_objects
from akscli.fleet.stages import parse_stages
from tests.cli import invoke
from tests.fleet.conftest import Hub


def _run(hub: Hub, *stages: str) -> None:
    """An External placement of namespace llm, a strategy of ``stages`` and run-1, started."""
    objects = build(PlacementRequest(name="llm", selects=["namespace/llm"], external=True))
    objects += strategy_objects("plain", None, parse_stages(list(stages)))
    for obj in objects:
        hub.cluster.create(obj)
    hub.settle()
    for obj in run_objects("run-1", None, "llm", "plain", None, start=True):
        hub.cluster.create(obj)


def _succeeded(hub: Hub) -> str | None:
    run = hub.get("ClusterStagedUpdateRun", "run-1")
    conds = {c["type"]: c for c in (run.get("status") or {}).get("conditions") or []}
    return conds.get("Succeeded", {}).get("status")


def test_status_wait_returns_once_a_run_without_gates_has_succeeded(hub: Hub) -> None:
    hub.controller.delay = 0.2  # the run takes a few steps, as on a real hub
    _run(hub, "canary;labels=env=staging", "prod;labels=env=prod")
    result = invoke("fleet", "rollout", "status", "run-1", "--wait", "--timeout", "30s")
    assert result.exit_code == 0, result
    # Read at once: the wait returned only after the hub marked the run Succeeded.
    assert _succeeded(hub) == "True"
    assert result.stdout.splitlines()[0].startswith("update run run-1: Succeeded")


def test_status_wait_on_a_run_held_at_a_gate_times_out_saying_it_waits(hub: Hub) -> None:
    _run(hub, "canary;labels=env=staging;after=approval", "prod;labels=env=prod")
    hub.settle()
    result = invoke("fleet", "rollout", "status", "run-1", "--wait", "--timeout", "1s")
    assert result.exit_code == 5, result
    assert "clusterstagedupdaterun" in result.stderr.lower() and "Progressing=False" in result.stderr
