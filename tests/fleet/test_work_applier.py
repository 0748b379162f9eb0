"""A connected member's work applier takes time to apply new Works: the binding and the member's
row say Applied False, ApplyInProgress, until it reports Applied and Available, and meanwhile
the rollout controller counts the binding as failed (HasBindingFailed: ApplyInProgress is not among
its non-terminal reasons), which holds maxUnavailable and frees maxSurge. The simulator's member
annotated ``fleet.emulator/apply-seconds`` applies that long on its clock.

upstream: kubefleet-dev/kubefleet e160c1cd pkg/controllers/workgenerator/controller.go Reconcile
(WorkApplyInProcess on changed Works), pkg/controllers/workapplier/controller.go,
pkg/utils/binding/binding.go HasBindingFailed, pkg/controllers/rollout/controller.go
pickBindingsToRoll, calculateMaxToRemove, calculateMaxToAdd."""

from __future__ import annotations

from typing import Any

from tests.cli import invoke
from tests.fleet.conftest import Hub

PB = "placement.kubernetes-fleet.io/v1beta1"
P1 = "placement.kubernetes-fleet.io/v1"
C1 = "cluster.kubernetes-fleet.io/v1"
APPLY_SECONDS = "fleet.emulator/apply-seconds"
FAIL = "fleet.emulator/fail"


def _ok(*args: str) -> None:
    result = invoke(*args)
    assert result.exit_code == 0, result


def _annotate(hub: Hub, member: str, key: str, value: str | None) -> None:
    hub.cluster.patch(C1, "MemberCluster", None, member, {"metadata": {"annotations": {key: value}}})
    hub.settle()


def _advance(hub: Hub, seconds: float) -> None:
    hub.controller.advance(seconds)
    hub.settle()


def _bindings(hub: Hub) -> dict[str, dict[str, Any]]:
    return {b["spec"]["targetCluster"]: b for b in hub.cluster.list(PB, "ClusterResourceBinding")}


def _applied(obj: dict[str, Any]) -> tuple[str, str]:
    cond = {c["type"]: c for c in (obj.get("status") or obj).get("conditions") or []}["Applied"]
    return cond["status"], cond["reason"]


def _row(hub: Hub, member: str) -> dict[str, Any]:
    rows = hub.get("ClusterResourcePlacement", "llm")["status"]["placementStatuses"]
    return next(r for r in rows if r["clusterName"] == member)


def _types(row: dict[str, Any]) -> dict[str, str]:
    return {c["type"]: c["status"] for c in row["conditions"]}


def _new_snapshot(hub: Hub) -> None:
    hub.cluster.patch("v1", "ConfigMap", "llm", "model-config", {"data": {"model": "phi-4-mini"}})
    hub.settle()


def _snapshots(hub: Hub) -> dict[str, str]:
    return {m: b["spec"]["resourceSnapshotName"] for m, b in _bindings(hub).items()}


def test_a_member_still_applying_reports_apply_in_progress_then_applied_and_available(hub: Hub) -> None:
    _annotate(hub, "canary", APPLY_SECONDS, "30")
    _ok("fleet", "place", "llm", "--select", "namespace/llm", "-y")
    hub.settle()
    assert _applied(_row(hub, "canary")) == ("False", "ApplyInProgress")
    assert "Available" not in _types(_row(hub, "canary"))
    assert _applied(_bindings(hub)["canary"]) == ("False", "ApplyInProgress")
    assert _types(_row(hub, "gpu-east"))["Available"] == "True"
    _advance(hub, 30)
    assert _types(_row(hub, "canary")) == {
        "Scheduled": "True",
        "RolloutStarted": "True",
        "Overridden": "True",
        "WorkSynchronized": "True",
        "Applied": "True",
        "Available": "True",
    }


def test_a_member_still_applying_a_new_snapshot_holds_the_others_back(hub: Hub) -> None:
    # maxUnavailable 25% of 3 = 1: canary (first by binding name) moves and applies for 30 s; it is
    # not ready, so 2 are ready of the 2 that must stay (calculateMaxToRemove = 2 - (3 - 1) = 0).
    _ok("fleet", "place", "llm", "--select", "namespace/llm", "-y")
    hub.settle()
    _annotate(hub, "canary", APPLY_SECONDS, "30")
    _new_snapshot(hub)
    assert _snapshots(hub) == {"canary": "llm-1-snapshot", "cpu-west": "llm-0-snapshot", "gpu-east": "llm-0-snapshot"}
    assert _types(_row(hub, "cpu-west")) == {"Scheduled": "True", "RolloutStarted": "False"}
    _advance(hub, 30)
    assert set(_snapshots(hub).values()) == {"llm-1-snapshot"}


def test_a_member_still_applying_does_not_count_against_max_surge(hub: Hub) -> None:
    # gpu-east's binding, still applying, has failed to HasBindingFailed: once it is unscheduled
    # and being deleted it is not among the bindings that can be ready, so calculateMaxToAdd =
    # 1 + maxSurge 0 - 0 binds canary at once (test_rollout_pacing: not while gpu-east is ready).
    flags = ("--select", "namespace/llm", "--max-surge", "0")
    _annotate(hub, "gpu-east", APPLY_SECONDS, "30")
    _ok("fleet", "place", "llm", *flags, "--pick-fixed", "gpu-east", "-y")
    hub.settle()
    _annotate(hub, "gpu-east", FAIL, "cleanup")  # its work applier never confirms the Works are gone
    _ok("fleet", "place", "llm", *flags, "--pick-fixed", "canary", "-y")
    hub.settle()
    bindings = hub.cluster.list(PB, "ClusterResourceBinding")
    assert {(b["spec"]["targetCluster"], b["spec"]["state"]) for b in bindings} == {
        ("gpu-east", "Unscheduled"),
        ("canary", "Bound"),
    }
