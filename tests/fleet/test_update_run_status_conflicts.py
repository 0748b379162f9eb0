"""The update run controller writes a run's status, and an approval request's ApprovalAccepted, with
Status().Update of what its pass read; a writer that came between makes it 409, the pass ends
(NewUpdateIgnoreConflictError) and the run is requeued, so what the other writer wrote stays
(upstream: kubefleet-dev/kubefleet e160c1cd pkg/controllers/updaterun/controller.go
recordUpdateRunStatus, execution.go updateApprovalRequestAccepted). The other writer lands just
before the controller's write (no sleeps)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.cli import invoke
from tests.emulators.kube.apiserver import wait_until
from tests.fleet.conftest import Hub
from tests.fleet.test_rollout_e2e import _staged
from tests.kube_emulator.test_status_conflicts import before_status_write, note

P1 = "placement.kubernetes-fleet.io/v1"
RUN = "ClusterStagedUpdateRun"
REQUEST = "ClusterApprovalRequest"


def types(hub: Hub, kind: str, name: str) -> set[str]:
    return {c["type"] for c in (hub.get(kind, name).get("status") or {}).get("conditions") or []}


def test_a_run_status_write_keeps_a_condition_written_after_the_pass_read_the_run(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    def progressing(written: dict[str, Any]) -> bool:
        return any(c.get("type") == "Progressing" for c in written.get("conditions") or [])

    before_status_write(hub.emu, monkeypatch, RUN, progressing, note(hub.cluster, P1, RUN, None, "run-1"))
    _staged(hub)
    hub.settle()
    assert {"Noted", "Initialized", "Progressing"} <= types(hub, RUN, "run-1")


def test_an_approval_accepted_write_keeps_a_condition_written_after_the_request_was_read(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    _staged(hub)
    hub.settle()

    def accepting(written: dict[str, Any]) -> bool:
        return any(c.get("type") == "ApprovalAccepted" for c in written.get("conditions") or [])

    before_status_write(
        hub.emu, monkeypatch, REQUEST, accepting, note(hub.cluster, P1, REQUEST, None, "run-1-after-canary")
    )
    assert invoke("fleet", "approve", "run-1").exit_code == 0
    assert wait_until(lambda: "ApprovalAccepted" in types(hub, REQUEST, "run-1-after-canary"))
    hub.settle()
    assert {"Noted", "Approved", "ApprovalAccepted"} <= types(hub, REQUEST, "run-1-after-canary")
