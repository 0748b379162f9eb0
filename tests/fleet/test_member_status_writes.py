"""A MemberCluster's status is written as the hub's member cluster controller writes it
(kubefleet-dev/kubefleet e160c1cd pkg/controllers/membercluster/v1beta1/membercluster_controller.go):
a Status().Update of the member as read, as the hub agent, its conditions set by type for the
member's generation and the member agent's status copied from its InternalMemberCluster; a 409 is
requeued and computed again from a fresh read. And a wait on a member does not print a line per
heartbeat. The other writer lands just before the hub's write (no sleeps)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from akscli import errors
from akscli.kube import readiness
from akscli.kube.client import KubeTarget
from akscli.kube.connecting import connect
from akscli.kube.readiness import Readiness
from akscli.kube.wait import wait_for
from tests.fleet.conftest import Hub
from tests.kube_emulator.test_status_conflicts import NOTED, before_status_write

C1 = "cluster.kubernetes-fleet.io/v1"
MEMBER = "MemberCluster"
LONG_AGO = "2026-01-01T00:00:00Z"
OTHER_AGENT = {
    "type": "ServiceExportImportAgent",
    "conditions": [
        {"type": "Joined", "status": "True", "reason": "Joined", "message": "", "lastTransitionTime": LONG_AGO}
    ],
    "lastReceivedHeartbeat": LONG_AGO,
}


def _member(hub: Hub, name: str) -> dict[str, Any]:
    return hub.get(MEMBER, name, api_version=C1)


def _conditions(obj: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["type"]: c for c in (obj.get("status") or {}).get("conditions") or []}


def _agents(obj: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {a["type"]: a for a in (obj.get("status") or {}).get("agentStatus") or []}


def _sets(field: str) -> Callable[[dict[str, Any]], bool]:
    return lambda written: field in written


def test_the_join_keeps_a_condition_written_after_the_member_was_read(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    def note() -> None:
        found = _member(hub, "edge")
        hub.cluster.patch_status(C1, MEMBER, None, "edge", {"conditions": [*_conditions(found).values(), NOTED]})

    before_status_write(hub.emu, monkeypatch, MEMBER, _sets("conditions"), note)
    hub.member("edge", {"env": "edge"})
    hub.settle()
    found = _conditions(_member(hub, "edge"))
    assert "Noted" in found
    assert found["Joined"]["status"] == "True"


def test_a_heartbeat_keeps_another_agents_status_written_after_the_member_was_read(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    joined = _agents(_member(hub, "canary"))["MemberAgent"]["lastReceivedHeartbeat"]

    def report() -> None:
        agents = list(_agents(_member(hub, "canary")).values())
        hub.cluster.patch_status(C1, MEMBER, None, "canary", {"agentStatus": [*agents, OTHER_AGENT]})

    before_status_write(hub.emu, monkeypatch, MEMBER, _sets("agentStatus"), report)
    hub.controller.advance(60)
    hub.settle()
    agents = _agents(_member(hub, "canary"))
    assert agents["ServiceExportImportAgent"]["lastReceivedHeartbeat"] == LONG_AGO
    assert agents["MemberAgent"]["lastReceivedHeartbeat"] != joined


def test_the_hub_agent_writes_a_members_status_its_heartbeats_included(hub: Hub) -> None:
    """Every status write is the hub agent's (its binary /hubagent names no user agent): the join and
    the heartbeats a moved clock renews, not the test's manager."""
    hub.member("edge", {"env": "edge"})
    hub.settle()
    hub.controller.advance(60)
    hub.settle()
    entries = _member(hub, "edge")["metadata"]["managedFields"]
    assert {e["manager"] for e in entries if e.get("subresource") == "status"} == {"hubagent"}


def test_a_cordoned_member_is_joined_for_its_new_generation(hub: Hub) -> None:
    """The controller reconciles a spec change (GenerationChangedPredicate) and writes its conditions
    for the new generation, so a wait on the member does not hang on a stale Joined."""
    taint = {"key": "cordon-key", "value": "cordon-value", "effect": "NoSchedule"}
    hub.cluster.patch(C1, MEMBER, None, "canary", {"spec": {"taints": [taint]}})
    hub.settle()
    member = _member(hub, "canary")
    generation = member["metadata"]["generation"]
    assert generation > 1
    joined = _conditions(member)["Joined"]
    assert (joined["status"], joined["observedGeneration"]) == ("True", generation)
    assert {c["observedGeneration"] for c in _agents(member)["MemberAgent"]["conditions"]} == {generation}
    assert readiness.check(member).ready


def test_a_wait_on_a_member_prints_no_line_per_heartbeat(hub: Hub, kubeconfig: Any, tmp_path: Path) -> None:
    """Each heartbeat moves the member's resourceVersion (a watch event); the wait says a line only
    when its verdict changes. The rule holds the member not ready, so the wait sees the heartbeats."""
    kube = connect(KubeTarget(kubeconfig=str(hub.emu.write_kubeconfig(tmp_path / "config"))))
    seen: set[str] = set()

    def held(obj: Any) -> Readiness:
        seen.add(str(obj["metadata"]["resourceVersion"]))
        return Readiness(False, message="held")

    lines: list[str] = []

    def progress(line: str) -> None:
        lines.append(line)
        for _ in range(3):
            hub.controller.advance(60)
            assert hub.emu.idle(10.0)

    started = time.monotonic()
    with pytest.raises(errors.WaitTimeoutError):
        wait_for(kube, [_member(hub, "canary")], timeout=2, progress=progress, rule=held)
    assert time.monotonic() - started < 30
    assert len(seen) >= 2, "the wait saw no heartbeat"
    assert lines == ["0/1 ready; membercluster.cluster.kubernetes-fleet.io/canary: held"]
