"""Karpenter's NodeClaim disruption controller (the Drifted condition) and the node termination
controller (Drained, VolumesDetached, InstanceTerminating) write a NodeClaim's conditions with
Status().Patch and client.MergeFromWithOptimisticLock of the claim as they read it: a writer that
came between makes it 409, the reconcile is requeued and reads the claim again, so the other
writer's condition is not replaced by a list from the stale read (kubernetes-sigs/karpenter
pkg/controllers/nodeclaim/disruption/controller.go Reconcile, pkg/controllers/node/termination/
controller.go finalize). The other writer lands just before the controller's write (no sleeps)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.kube_emulator.test_disruption_budgets import budget, counts
from tests.kube_emulator.test_karpenter import H100, emu, gpu_app, gpu_pool, running_on
from tests.kube_emulator.test_karpenter_drift_marking import drifted, edit_pool, one_claim
from tests.kube_emulator.test_karpenter_replacement import CHAIN, others, replacing
from tests.kube_emulator.test_karpenter_termination import CLAIMS, conditions
from tests.kube_emulator.test_status_conflicts import before_status_write, note

__all__ = ["emu"]  # the fixture


def test_a_drifted_write_keeps_a_condition_written_after_the_claim_was_read(
    emu: KubeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    claim = one_claim(emu)

    def marking(written: dict[str, Any]) -> bool:
        return any(c.get("type") == "Drifted" for c in written.get("conditions") or [])

    before_status_write(emu, monkeypatch, "NodeClaim", marking, note(emu.cluster, *CLAIMS, None, claim))
    edit_pool(emu, {"template": {"spec": {"expireAfter": "Never"}}})
    assert wait_until(lambda: drifted(emu, claim) == ("True", "NodePoolDrifted"))
    assert "Noted" in conditions(emu.cluster.get(*CLAIMS, None, claim))
    assert emu.controllers.errors == []


def test_a_draining_write_keeps_a_condition_written_after_the_claim_was_read(
    emu: KubeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The claim deleted, its node drains behind a budget that holds its one pod, so Drained stays
    Unknown; the termination controller's first Drained write meets the other writer's condition."""
    emu.cluster.create(gpu_pool("gpu", [H100]))
    emu.cluster.create(gpu_app("llm", H100))
    running_on(emu, "llm")
    emu.cluster.create(budget("llm", "llm", minAvailable=1))
    assert wait_until(lambda: counts(emu, "llm") == (1, 1, 1, 0))
    [found] = emu.cluster.list(*CLAIMS)
    claim = found["metadata"]["name"]

    def draining(written: dict[str, Any]) -> bool:
        return any(c.get("type") == "Drained" for c in written.get("conditions") or [])

    before_status_write(emu, monkeypatch, "NodeClaim", draining, note(emu.cluster, *CLAIMS, None, claim))
    emu.cluster.delete(*CLAIMS, None, claim)
    assert wait_until(lambda: "Drained" in conditions(emu.cluster.get(*CLAIMS, None, claim)))
    assert {"Drained", "Noted"} <= set(conditions(emu.cluster.get(*CLAIMS, None, claim)))
    assert emu.controllers.errors == []


def test_clearing_a_failed_disruption_keeps_a_condition_written_after_the_claim_was_read(
    emu: KubeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A replacement that never comes fails the command: state.ClearNodeClaimsCondition clears
    DisruptionReason with the optimistic lock and retries from a fresh Get, so the other writer's
    condition stays (kubernetes-sigs/karpenter pkg/controllers/state/statenode.go)."""
    claim, _ = replacing(emu)

    def clearing(written: dict[str, Any]) -> bool:
        types = {c.get("type") for c in written.get("conditions") or []}
        return "Drifted" in types and "DisruptionReason" not in types

    before_status_write(emu, monkeypatch, "NodeClaim", clearing, note(emu.cluster, *CLAIMS, None, claim))
    emu.cluster.delete(*CLAIMS, None, others(emu, claim)[0]["metadata"]["name"])  # "replacement was deleted"
    assert wait_until(
        lambda: "DisruptionReason" not in conditions(emu.cluster.get(*CLAIMS, None, claim)), timeout=CHAIN
    )
    assert "Noted" in conditions(emu.cluster.get(*CLAIMS, None, claim))
    assert emu.controllers.errors == []
