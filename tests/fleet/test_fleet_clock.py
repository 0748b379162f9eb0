"""The Fleet simulator's clock (fleet_conditions.Clock) moves the staged update runs' TimedWait and
stuck threshold and the scheduler's heartbeat check, as a test moves it on with ``advance``: no
test sleeps for them. upstream: kubefleet-dev/kubefleet e160c1cd pkg/controllers/updaterun/
execution.go (TimedWait, updateRunStuckThreshold), pkg/scheduler/clustereligibilitychecker/
checker.go IsEligible (time.Since of the last heartbeat, 5 minutes)."""

from __future__ import annotations

import time
from typing import Any

from akscli.fleet.placement import PlacementRequest, build
from akscli.fleet.rollout import run_objects, strategy_objects
from akscli.fleet.stages import parse_stages
from tests.emulators.kube.controllers.fleet_conditions import Clock
from tests.fleet.conftest import Hub

C1 = "cluster.kubernetes-fleet.io/v1"
NO_HEARTBEAT = "cluster is not connected to the fleet: no recent heartbeat signals"


def _conds(obj: Any) -> dict[str, dict[str, Any]]:
    return {c["type"]: c for c in (obj.get("status") or obj).get("conditions") or []}


def _start_run(hub: Hub, stages: list[str]) -> None:
    """An External placement on every member, a strategy of ``stages`` and a started run."""
    objects = build(PlacementRequest(name="llm", selects=["namespace/llm"], external=True))
    objects += strategy_objects("strategy", None, parse_stages(stages))
    for obj in objects:
        hub.cluster.create(obj)
    hub.settle()
    for obj in run_objects("run-1", None, "llm", "strategy", None, start=True):
        hub.cluster.create(obj)
    hub.settle()


def _stage(hub: Hub, name: str) -> dict[str, Any]:
    run = hub.get("ClusterStagedUpdateRun", "run-1")
    return next(s for s in run["status"]["stagesStatus"] if s["stageName"] == name)


def _advance(hub: Hub, seconds: float) -> None:
    hub.controller.advance(seconds)
    hub.settle()


def _stamp(seconds_before_now: float) -> str:
    """A time ``seconds_before_now`` before the simulator's now."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(Clock.epoch() - seconds_before_now))


def _member_agent_last_seen(hub: Hub, name: str, seconds_ago: float) -> None:
    """The member agent stops, its last heartbeat ``seconds_ago`` on the simulator's clock."""
    member = hub.get("MemberCluster", name, api_version=C1)
    agent = dict(member["status"]["agentStatus"][0])
    agent["lastReceivedHeartbeat"] = _stamp(seconds_ago)
    hub.cluster.patch_status(C1, "MemberCluster", None, name, {"agentStatus": [agent]})
    hub.settle()


def _place_everywhere(hub: Hub, name: str) -> None:
    for obj in build(PlacementRequest(name=name, selects=["namespace/llm"])):
        hub.cluster.create(obj)
    hub.settle()


def _rows(hub: Hub, placement: str) -> dict[str, dict[str, Any]]:
    crp = hub.get("ClusterResourcePlacement", placement)
    return {r["clusterName"]: r for r in crp["status"].get("placementStatuses") or []}


def test_an_after_stage_timed_wait_ends_once_the_simulator_clock_has_passed_it(hub: Hub) -> None:
    hub.controller.wait_scale = 1.0  # the full hour, on the simulator's clock
    _start_run(hub, ["canary;labels=env=staging;after=wait:1h", "prod;labels=env=prod"])
    assert _conds(_stage(hub, "canary"))["Progressing"]["reason"] == "StageUpdatingWaiting"
    _advance(hub, 3590)
    assert "Succeeded" not in _conds(_stage(hub, "canary"))
    _advance(hub, 20)
    canary = _stage(hub, "canary")
    assert _conds(canary)["Succeeded"]["status"] == "True"
    assert _conds(canary["afterStageTaskStatus"][0])["WaitTimeElapsed"]["status"] == "True"


def test_a_member_not_available_leaves_the_run_stuck_once_the_threshold_passes_on_the_clock(hub: Hub) -> None:
    # updateRunStuckThreshold (5 minutes), not shortened: the clock moves past it.
    hub.member("flaky", {"env": "prod", "order": "3"}, fail="available")
    _start_run(hub, ["all;max=4"])
    run = hub.get("ClusterStagedUpdateRun", "run-1")
    assert _conds(run)["Progressing"]["reason"] == "UpdateRunProgressing"
    _advance(hub, 301)
    run = hub.get("ClusterStagedUpdateRun", "run-1")
    assert _conds(run)["Progressing"]["reason"] == "UpdateRunStuck"
    assert "flaky" in _conds(run)["Progressing"]["message"]


def test_a_running_member_agent_keeps_its_member_eligible_as_the_clock_moves_on(hub: Hub) -> None:
    _advance(hub, 600)
    _place_everywhere(hub, "later")
    assert sorted(_rows(hub, "later")) == ["canary", "cpu-west", "gpu-east"]


def test_a_member_whose_agent_stopped_is_not_eligible_once_five_minutes_pass_on_the_clock(hub: Hub) -> None:
    _member_agent_last_seen(hub, "canary", 30)
    _advance(hub, 271)
    _place_everywhere(hub, "later")
    assert sorted(_rows(hub, "later")) == ["cpu-west", "gpu-east"]


def test_a_heartbeat_stamped_after_an_advance_is_judged_on_the_simulator_clock(hub: Hub) -> None:
    # After the clock moved on 10 minutes, a heartbeat 6 minutes before its now is too old, as
    # time.Since finds it upstream (on the wall clock it would lie 4 minutes in the future), and
    # one 4 minutes before its now is recent.
    _advance(hub, 600)
    _member_agent_last_seen(hub, "canary", 360)
    _member_agent_last_seen(hub, "cpu-west", 240)
    _place_everywhere(hub, "later")
    assert sorted(_rows(hub, "later")) == ["cpu-west", "gpu-east"]


def test_the_scheduler_gives_the_heartbeat_age_on_the_simulator_clock(hub: Hub) -> None:
    _advance(hub, 600)
    _member_agent_last_seen(hub, "canary", 720)
    for obj in build(PlacementRequest(name="fixed", selects=["namespace/llm"], pick_fixed=["canary"])):
        hub.cluster.create(obj)
    hub.settle()
    rows = _rows(hub, "fixed")
    message = rows["canary"]["conditions"][0]["message"]
    assert NO_HEARTBEAT + " (last received 12.0" in message
