"""The placement controller writes a placement's status with Status().Update of the placement as its
pass read it; a writer that came between makes it 409, the pass ends and the placement is requeued
(NewUpdateIgnoreConflictError), and the next pass sets its conditions by type over the ones it reads,
so another writer's condition stays and a condition whose status holds keeps its lastTransitionTime
(upstream: kubefleet-dev/kubefleet e160c1cd pkg/controllers/placement/controller.go handleUpdate,
setPlacementStatus; placement_status.go setPlacementConditions; kubernetes/apimachinery
pkg/api/meta/conditions.go SetStatusCondition). The other writer lands just before the placement's
status write (no sleeps)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.cli import invoke
from tests.fleet.conftest import Hub
from tests.kube_emulator.test_status_conflicts import before_status_write, note

P1 = "placement.kubernetes-fleet.io/v1"
CRP = "ClusterResourcePlacement"


def conditions(hub: Hub) -> dict[str, dict[str, Any]]:
    return {c["type"]: c for c in (hub.get(CRP, "llm").get("status") or {}).get("conditions") or []}


def test_a_placement_status_write_keeps_a_condition_written_after_the_pass_read_the_placement(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    before_status_write(
        hub.emu,
        monkeypatch,
        CRP,
        lambda written: bool(written.get("placementStatuses")),
        note(hub.cluster, P1, CRP, None, "llm"),
    )
    assert invoke("fleet", "place", "llm", "--select", "namespace/llm", "-y").exit_code == 0
    hub.settle()
    found = conditions(hub)
    assert "Noted" in found
    assert found["ClusterResourcePlacementAvailable"]["status"] == "True"


def test_an_invalid_selectors_write_keeps_a_condition_written_after_the_pass_read_the_placement(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    namespace = hub.cluster.get("v1", "Namespace", None, "llm")
    namespace["metadata"]["labels"] = {**(namespace["metadata"].get("labels") or {}), "team": "llm"}
    hub.cluster.update(namespace)

    def invalid(written: dict[str, Any]) -> bool:
        return any(c.get("reason") == "InvalidResourceSelectors" for c in written.get("conditions") or [])

    before_status_write(hub.emu, monkeypatch, CRP, invalid, note(hub.cluster, P1, CRP, None, "llm"))
    invoke("fleet", "place", "llm", "--select", "namespace/llm", "--select", "namespace:team=llm", "-y")
    hub.settle()
    found = conditions(hub)
    assert "Noted" in found
    assert found["ClusterResourcePlacementScheduled"]["reason"] == "InvalidResourceSelectors"


def test_a_placement_condition_whose_status_holds_keeps_its_transition_time(hub: Hub) -> None:
    assert invoke("fleet", "place", "llm", "--select", "namespace/llm", "-y").exit_code == 0
    hub.settle()
    before = conditions(hub)["ClusterResourcePlacementAvailable"]
    hub.controller.advance(120)  # every placement passes again, two minutes on
    hub.settle()
    after = conditions(hub)["ClusterResourcePlacementAvailable"]
    assert after["status"] == before["status"] == "True"
    assert after["lastTransitionTime"] == before["lastTransitionTime"]
