"""A binding's conditions and an eviction's status are written as the hub's controllers write them
(kubefleet-dev/kubefleet e160c1cd): the rollout controller sets RolloutStarted on the binding as it
read it with Status().Update, a 409 requeued (pkg/controllers/rollout/controller.go
updateBindingStatus); the work generator sets its own types over the binding it Gets and retries a
409 from a fresh Get whose RolloutStarted it keeps (pkg/controllers/workgenerator/controller.go
updateBindingStatusWithRetry); the eviction controller's Status().Update is requeued on a 409
(pkg/controllers/clusterresourceplacementeviction/controller.go updateEvictionStatus); the member's
work applier sets its conditions on the Work it read, Status().Update, a 409 requeued
(pkg/controllers/workapplier/status.go refreshWorkStatus). The other writer lands just before the
controller's write (no sleeps)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.cli import invoke
from tests.fleet.conftest import Hub
from tests.kube_emulator.test_status_conflicts import NOTED, before_status_write

PB = "placement.kubernetes-fleet.io/v1beta1"
P1 = "placement.kubernetes-fleet.io/v1"
CRB = "ClusterResourceBinding"
EVICTION = "ClusterResourcePlacementEviction"
LONG_AGO = "2026-01-01T00:00:00Z"


def conditions(obj: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["type"]: c for c in (obj.get("status") or {}).get("conditions") or []}


def sets(ctype: str) -> Callable[[dict[str, Any]], bool]:
    return lambda written: any(c.get("type") == ctype for c in written.get("conditions") or [])


def rewrite_bindings(hub: Hub, change: Callable[[list[dict[str, Any]]], list[dict[str, Any]] | None]) -> list[str]:
    """Another writer: each binding's conditions as ``change`` makes them (None: left alone), as a
    merge patch; the names of the bindings it wrote."""
    written = []
    for binding in hub.cluster.list(PB, CRB):
        new = change(list((binding.get("status") or {}).get("conditions") or []))
        if new is not None:
            name = binding["metadata"]["name"]
            hub.cluster.patch_status(PB, CRB, None, name, {"conditions": new})
            written.append(name)
    return written


def test_a_binding_status_write_keeps_a_condition_written_after_the_binding_was_read(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    noted: list[str] = []
    before_status_write(
        hub.emu,
        monkeypatch,
        CRB,
        sets("RolloutStarted"),
        lambda: noted.extend(rewrite_bindings(hub, lambda found: [*found, NOTED])),
    )
    assert invoke("fleet", "place", "llm", "--select", "namespace/llm", "-y").exit_code == 0
    hub.settle()
    assert noted
    for name in noted:
        found = conditions(hub.get(CRB, name, api_version=PB))
        assert "Noted" in found
        assert found["Available"]["status"] == "True"


def test_the_work_generator_keeps_the_rollout_started_written_after_it_read_the_binding(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its retry takes RolloutStarted from a fresh Get: a RolloutStarted of the same status written
    in between keeps its lastTransitionTime (the rollout controller's SetConditions keeps it too)."""

    def restamp(found: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
        if not any(c["type"] == "RolloutStarted" for c in found):
            return None
        return [{**c, "lastTransitionTime": LONG_AGO} if c["type"] == "RolloutStarted" else c for c in found]

    restamped: list[str] = []
    before_status_write(
        hub.emu, monkeypatch, CRB, sets("Applied"), lambda: restamped.extend(rewrite_bindings(hub, restamp))
    )
    assert invoke("fleet", "place", "llm", "--select", "namespace/llm", "-y").exit_code == 0
    hub.settle()
    assert restamped
    for name in restamped:
        started = conditions(hub.get(CRB, name, api_version=PB))["RolloutStarted"]
        assert (started["status"], started["lastTransitionTime"]) == ("True", LONG_AGO)


def test_an_eviction_status_write_keeps_a_condition_written_after_the_eviction_was_read(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    def note() -> None:
        found = hub.get(EVICTION, "e1", api_version=PB)
        hub.cluster.patch_status(PB, EVICTION, None, "e1", {"conditions": [*conditions(found).values(), NOTED]})

    before_status_write(hub.emu, monkeypatch, EVICTION, sets("Valid"), note)
    spec = {"placementName": "missing", "clusterName": "canary"}
    hub.cluster.create({"apiVersion": PB, "kind": EVICTION, "metadata": {"name": "e1"}, "spec": spec})
    hub.settle()
    found = conditions(hub.get(EVICTION, "e1", api_version=PB))
    assert "Noted" in found
    assert (found["Valid"]["status"], found["Valid"]["message"]) == (
        "False",
        "Failed to find ClusterResourcePlacement targeted by eviction",
    )


def test_a_work_status_write_keeps_a_condition_written_after_the_work_was_read(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    noted: list[tuple[str, str]] = []

    def note() -> None:
        for work in hub.cluster.list(P1, "Work"):
            meta = work["metadata"]
            found = list((work.get("status") or {}).get("conditions") or [])
            hub.cluster.patch_status(P1, "Work", meta["namespace"], meta["name"], {"conditions": [*found, NOTED]})
            noted.append((meta["namespace"], meta["name"]))

    before_status_write(hub.emu, monkeypatch, "Work", sets("DiffReported"), note)
    args = ("fleet", "place", "llm", "--select", "namespace/llm", "--apply-strategy", "ReportDiff", "-y")
    assert invoke(*args).exit_code == 0
    hub.settle()
    assert noted
    for namespace, name in noted:
        found = conditions(hub.get("Work", name, namespace))
        assert "Noted" in found
        assert found["DiffReported"]["status"] == "True"
