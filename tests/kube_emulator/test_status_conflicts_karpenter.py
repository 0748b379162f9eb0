"""Karpenter's NodeClaim disruption controller writes the Drifted condition with Status().Patch and
client.MergeFromWithOptimisticLock of the claim as it read it: a writer that came between makes it
409, the reconcile is requeued and reads the claim again, so the other writer's condition is not
replaced by a list from the stale read (kubernetes-sigs/karpenter
pkg/controllers/nodeclaim/disruption/controller.go Reconcile). The other writer lands just before
the controller's write (no sleeps)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.kube_emulator.test_karpenter import emu
from tests.kube_emulator.test_karpenter_drift_marking import drifted, edit_pool, one_claim
from tests.kube_emulator.test_karpenter_termination import CLAIMS, conditions
from tests.kube_emulator.test_status_conflicts import before_status_write

__all__ = ["emu"]  # the fixture
# a condition another writer adds; its type is only an example
NOTED = {"type": "Noted", "status": "True", "reason": "ByAnotherWriter", "message": "kept",
         "lastTransitionTime": "2026-01-01T00:00:00Z"}  # fmt: skip


def test_a_drifted_write_keeps_a_condition_written_after_the_claim_was_read(
    emu: KubeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    claim = one_claim(emu)

    def note() -> None:
        found = emu.cluster.get(*CLAIMS, None, claim) or {}
        emu.cluster.patch_status(
            *CLAIMS, None, claim, {"conditions": [*(found.get("status") or {}).get("conditions", []), NOTED]}
        )

    def marking(written: dict[str, Any]) -> bool:
        return any(c.get("type") == "Drifted" for c in written.get("conditions") or [])

    before_status_write(emu, monkeypatch, "NodeClaim", marking, note)
    edit_pool(emu, {"template": {"spec": {"expireAfter": "Never"}}})
    assert wait_until(lambda: drifted(emu, claim) == ("True", "NodePoolDrifted"))
    assert "Noted" in conditions(emu.cluster.get(*CLAIMS, None, claim))
    assert emu.controllers.errors == []
