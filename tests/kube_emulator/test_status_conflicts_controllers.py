"""A status a controller writes loses no other writer's change. The Job controller's updateJobStatus
is an UpdateStatus of the Job as the sync read it, a 409 Conflict requeues the Job, and the next sync
counts again from what it reads (kubernetes/kubernetes pkg/controller/job/job_controller.go
updateJobStatus, syncJob); KAITO's updateWorkspaceStatus Gets the Workspace afresh and sets its
conditions by type before Status().Update, and UpdateInferenceSetStatus does the same and retries a
conflict from a fresh Get (kaito-project/kaito pkg/workspace/controllers/workspace_status.go,
pkg/utils/inferenceset/inferenceset.go). The other writer lands just before the
controller's write (no sleeps)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.kube_emulator.test_job_suspend import NAME, conditions, pods, start, status
from tests.kube_emulator.test_kaito_scheduling import inferenceset, kaito_lab, state, workspace
from tests.kube_emulator.test_status_conflicts import NOTED, before_status_write, note


def note_on_job(emu: KubeEmulator) -> Callable[[], None]:
    return note(emu.cluster, "batch/v1", "Job", "default", NAME)


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


def test_a_workspace_status_write_keeps_a_condition_another_writer_added(
    kube_emulator: KubeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """KAITO sets its conditions by type over a fresh read, never the whole list, and a write
    overtaken between its read and its update is 409 and requeued: the other condition stays."""
    emu = kaito_lab(kube_emulator)

    def note() -> None:
        found = emu.cluster.get("kaito.sh/v1beta1", "Workspace", "default", "phi") or {}
        held = (found.get("status") or {}).get("conditions") or []
        emu.cluster.patch_status("kaito.sh/v1beta1", "Workspace", "default", "phi", {"conditions": [*held, NOTED]})

    before_status_write(emu, monkeypatch, "Workspace", lambda written: bool(written.get("conditions")), note)
    emu.cluster.create(workspace())
    assert wait_until(lambda: state(emu) == "Ready", timeout=15)
    emu.idle()
    found = emu.cluster.get("kaito.sh/v1beta1", "Workspace", "default", "phi") or {}
    assert "Noted" in {c["type"] for c in found["status"]["conditions"]}
    assert emu.controllers.errors == []


def test_a_job_synced_for_a_pod_another_writer_ended_is_requeued_on_a_conflict_not_failed(
    kube_emulator: KubeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pod someone else turns Succeeded enqueues its Job (updatePod); that sync's status write,
    overtaken by another writer, requeues the Job like any reconcile and is no controller error."""
    start(kube_emulator, lambda pod: None)
    assert wait_until(lambda: [p for p in pods(kube_emulator) if p["status"].get("phase") == "Running"], timeout=10)
    kube_emulator.idle()

    def finishing(written: dict[str, Any]) -> bool:
        return any(c.get("type") == "SuccessCriteriaMet" for c in written.get("conditions") or [])

    before_status_write(kube_emulator, monkeypatch, "Job", finishing, note_on_job(kube_emulator))
    running = pods(kube_emulator)[0]
    kube_emulator.cluster.patch_pod_status(running, {"phase": "Succeeded"})
    assert wait_until(lambda: "Complete" in conditions(kube_emulator), timeout=10)
    kube_emulator.idle()
    assert "Noted" in conditions(kube_emulator)
    assert kube_emulator.controllers.errors == []


def test_an_inferenceset_status_write_overtaken_reads_again_and_keeps_the_other_condition(
    kube_emulator: KubeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    emu = kaito_lab(kube_emulator)

    def note() -> None:
        found = emu.cluster.get("kaito.sh/v1beta1", "InferenceSet", "default", "set") or {}
        held = (found.get("status") or {}).get("conditions") or []
        emu.cluster.patch_status("kaito.sh/v1beta1", "InferenceSet", "default", "set", {"conditions": [*held, NOTED]})

    def ready() -> bool:
        found = emu.cluster.get("kaito.sh/v1beta1", "InferenceSet", "default", "set") or {}
        return (found.get("status") or {}).get("readyReplicas") == 1

    before_status_write(emu, monkeypatch, "InferenceSet", lambda written: bool(written.get("conditions")), note)
    emu.cluster.create(inferenceset("set", 1))
    assert wait_until(ready, timeout=15)
    emu.idle()
    found = emu.cluster.get("kaito.sh/v1beta1", "InferenceSet", "default", "set") or {}
    assert {"Noted", "InferenceSetReady"} <= {c["type"] for c in found["status"]["conditions"]}
    assert emu.controllers.errors == []
