"""``fleet approve`` on the hub when another writer changes the approval request between akscli's
read and its patch: read it again and set Approved again, a bounded number of times, as
``kubectl fleet approve`` does (kubefleet-dev/kubefleet 102d9128 tools/fleet/cmd/approve/approve.go,
``retry.RetryOnConflict(retry.DefaultRetry, ...)``; DefaultRetry is 5 steps, client-go
util/retry/util.go)."""

from __future__ import annotations

from typing import Any

import pytest

from akscli.kube import retry
from tests.cli import invoke
from tests.fleet.conftest import Hub
from tests.fleet.test_rollout_e2e import _staged

P1 = "placement.kubernetes-fleet.io/v1"
REQUEST = "run-1-after-canary"
STATUS_PATCH = f"/clusterapprovalrequests/{REQUEST}/status"


@pytest.fixture
def slept(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Retries wait through ``retry.sleep``: recorded here instead of slept."""
    waited: list[float] = []
    monkeypatch.setattr(retry, "sleep", waited.append)
    return waited


def _another_writer(hub: Hub) -> Any:
    """Another client labels the request: its resourceVersion moves on under akscli's patch."""
    counter = iter(range(1000))

    def write() -> None:
        hub.cluster.patch(
            P1, "ClusterApprovalRequest", None, REQUEST, {"metadata": {"labels": {"touched": str(next(counter))}}}
        )

    return write


def _status_patches(hub: Hub) -> list[Any]:
    return [r for r in hub.emu.requests("PATCH", STATUS_PATCH) if not r.query.get("dryRun")]


def test_approve_reads_again_and_approves_when_the_request_changed_under_it(hub: Hub, slept: list[float]) -> None:
    _staged(hub)
    hub.emu.faults.add(verb="PATCH", path=STATUS_PATCH, count=1, before=_another_writer(hub))
    result = invoke("fleet", "approve", "run-1")
    assert result.exit_code == 0, result
    assert f"approved {REQUEST} (stage canary)" in result.stdout
    assert [r.status for r in _status_patches(hub)] == [409, 200]
    assert len(hub.emu.requests("GET", f"/clusterapprovalrequests/{REQUEST}")) >= 2
    request = hub.get("ClusterApprovalRequest", REQUEST)
    assert request["metadata"]["labels"]["touched"] == "0"  # the other writer's change is kept
    approved = [c for c in request["status"]["conditions"] if c["type"] == "Approved"]
    assert [(c["status"], c["reason"]) for c in approved] == [("True", "ClusterApprovalRequestApproved")]
    assert len(slept) == 1


def test_approve_gives_up_after_five_conflicts_with_one_line(hub: Hub, slept: list[float]) -> None:
    _staged(hub)
    hub.emu.faults.add(verb="PATCH", path=STATUS_PATCH, count=None, before=_another_writer(hub))
    result = invoke("fleet", "approve", "run-1")
    assert result.exit_code == 4, result
    assert [r.status for r in _status_patches(hub)] == [409] * 5
    assert len(slept) == 4
    assert "the object has been modified" in result.stderr
    assert "Traceback" not in result.stderr
    request = hub.get("ClusterApprovalRequest", REQUEST)
    assert not [c for c in (request.get("status") or {}).get("conditions") or [] if c["type"] == "Approved"]
