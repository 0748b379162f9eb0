"""The member agents of a standalone emulator's Fleet hub keep sending heartbeats on the wall clock,
as a real member agent does every heartbeatPeriodSeconds (upstream: kubefleet-dev/kubefleet e160c1cd
pkg/controllers/internalmembercluster/v1beta1/member_controller.go). Without them every member of
`python -m tests.emulators.kube` stopped being eligible 5 minutes after it started, and `fleet place`
failed there with "no recent heartbeat signals"."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.emulators.kube.controllers.fleet import FleetHubController
from tests.emulators.kube.controllers.fleet_conditions import Clock
from tests.emulators.kube.controllers.fleet_scheduler import ineligible
from tests.fleet.conftest import Hub

C1 = "cluster.kubernetes-fleet.io/v1"


@pytest.fixture
def clock_back() -> Iterator[None]:
    yield
    Clock.offset = 0.0


def _heartbeat(hub: Hub, name: str) -> str:
    member = hub.get("MemberCluster", name, api_version=C1)
    agents = (member.get("status") or {}).get("agentStatus") or [{}]
    return str(agents[0].get("lastReceivedHeartbeat", ""))


def _renewed(hub: Hub, name: str, before: str) -> bool:
    """Waits for the heartbeat to differ from ``before`` (a state, not a duration; a hub whose
    agents tick is never idle, so ``Hub.settle`` cannot be used)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if _heartbeat(hub, name) != before:
            return True
        time.sleep(0.02)
    return False


def _joined(kube_emulator: Any) -> Hub:
    hub = Hub(kube_emulator, FleetHubController(delay=0.01, agent_period=0.05))
    kube_emulator.controllers.add(hub.controller)
    hub.member("gpu-east", {"env": "prod"})
    assert _renewed(hub, "gpu-east", ""), "the member did not join"
    return hub


def test_a_member_agent_of_a_standalone_hub_renews_its_heartbeat_as_the_wall_clock_passes(
    kube_emulator: Any, clock_back: None
) -> None:
    hub = _joined(kube_emulator)
    joined = _heartbeat(hub, "gpu-east")
    Clock.offset += 600  # ten minutes of wall clock, which no test moves on with advance()
    assert _renewed(hub, "gpu-east", joined)
    # The KubeFleet scheduler's check, on the simulator's clock: eligible, 10 minutes after joining.
    assert ineligible(hub.get("MemberCluster", "gpu-east", api_version=C1)) is None


def test_a_stopped_member_agent_stays_stopped_on_a_standalone_hub(kube_emulator: Any, clock_back: None) -> None:
    """A heartbeat another writer stamped (a test stopping the agent) is not renewed."""
    hub = _joined(kube_emulator)
    member = hub.get("MemberCluster", "gpu-east", api_version=C1)
    [agent] = member["status"]["agentStatus"]
    stopped = {**agent, "lastReceivedHeartbeat": "2026-01-01T00:00:00Z"}
    kube_emulator.cluster.patch_status(C1, "MemberCluster", None, "gpu-east", {"agentStatus": [stopped]})
    # Another member, joined after the patch, gets its own heartbeats renewed: the ticks ran.
    hub.member("gpu-west", {"env": "prod"})
    assert _renewed(hub, "gpu-west", "")
    first = _heartbeat(hub, "gpu-west")
    Clock.offset += 600
    assert _renewed(hub, "gpu-west", first)
    assert _heartbeat(hub, "gpu-east") == "2026-01-01T00:00:00Z"
