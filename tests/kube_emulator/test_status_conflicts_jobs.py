"""A Job's status written by the Job controller loses no other writer's change: updateJobStatus is an
UpdateStatus of the Job as the sync read it, a 409 Conflict requeues the Job, and the next sync
counts again from what it reads (kubernetes/kubernetes pkg/controller/job/job_controller.go
updateJobStatus, syncJob). The other writer lands just before the controller's write (no sleeps)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.kube_emulator.test_job_suspend import NAME, conditions, pods, start, status
from tests.kube_emulator.test_status_conflicts import before_status_write

# a condition another writer adds; its type is only an example
NOTED = {"type": "Noted", "status": "True", "reason": "ByAnotherWriter", "message": "kept"}


def note_on_job(emu: KubeEmulator) -> Callable[[], None]:
    def write() -> None:
        found = emu.cluster.get("batch/v1", "Job", "default", NAME) or {}
        emu.cluster.patch_status(
            "batch/v1",
            "Job",
            "default",
            NAME,
            {"conditions": [*(found.get("status") or {}).get("conditions", []), NOTED]},
        )

    return write


def test_a_job_finishing_keeps_a_condition_written_after_its_sync_read_the_job(
    kube_emulator: KubeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sync that completes the Job read it before the other writer's condition; its UpdateStatus
    is 409, the requeued sync reads it again and writes Complete beside it."""

    def finishing(written: dict[str, Any]) -> bool:
        return any(c.get("type") == "SuccessCriteriaMet" for c in written.get("conditions") or [])

    before_status_write(kube_emulator, monkeypatch, "Job", finishing, note_on_job(kube_emulator))
    start(kube_emulator, lambda pod: 0)
    assert wait_until(lambda: "Complete" in conditions(kube_emulator), timeout=10)
    kube_emulator.idle()
    assert {"Noted", "SuccessCriteriaMet", "Complete"} <= set(conditions(kube_emulator))
    assert kube_emulator.controllers.errors == []


def test_a_job_whose_count_write_conflicts_counts_each_pod_once_on_the_next_sync(
    kube_emulator: KubeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pods a sync counted before its write met 409 are counted again by the requeued sync
    (upstream keeps them under the tracking finalizer until the status that counts them is
    written), so the Job ends after three pods, not a fourth made for a success it lost count of."""

    def counting(written: dict[str, Any]) -> bool:
        return int(written.get("succeeded") or 0) > 0

    before_status_write(kube_emulator, monkeypatch, "Job", counting, note_on_job(kube_emulator))
    start(kube_emulator, lambda pod: 0, completions=3, parallelism=1)
    assert wait_until(lambda: "Complete" in conditions(kube_emulator), timeout=10)
    kube_emulator.idle()
    assert status(kube_emulator)["succeeded"] == 3
    assert len(pods(kube_emulator)) == 3
    assert "Noted" in conditions(kube_emulator)
    assert kube_emulator.controllers.errors == []
