"""Hub writes guarded by resourceVersion when another writer changes the object between akscli's
read and its patch: read it again and write again, a bounded number of times, as kubectl fleet does
(kubefleet-dev/kubefleet tools/fleet/cmd: approve/approve.go, draincluster/draincluster.go cordon and
uncordoncluster, all ``retry.RetryOnConflict(retry.DefaultRetry, ...)``; DefaultRetry is 5 steps,
client-go util/retry/util.go)."""

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


C1 = "cluster.kubernetes-fleet.io/v1"
CORDON = {"key": "cordon-key", "value": "cordon-value", "effect": "NoSchedule"}


def _label_member(hub: Hub) -> Any:
    counter = iter(range(1000))

    def write() -> None:
        hub.cluster.patch(
            C1, "MemberCluster", None, "canary", {"metadata": {"labels": {"touched": str(next(counter))}}}
        )

    return write


def test_drain_cordons_again_when_the_member_changed_under_it(hub: Hub, slept: list[float]) -> None:
    hub.emu.faults.add(verb="PATCH", path="/memberclusters/canary$", count=1, before=_label_member(hub))
    result = invoke("fleet", "member", "drain", "canary")
    assert result.exit_code == 0, result
    assert [r.status for r in hub.emu.requests("PATCH", "/memberclusters/canary")] == [409, 200]
    member = hub.get("MemberCluster", "canary", api_version=C1)
    assert member["spec"]["taints"] == [CORDON] and member["metadata"]["labels"]["touched"] == "0"


def test_uncordon_uncordons_again_when_the_member_changed_under_it(hub: Hub, slept: list[float]) -> None:
    assert invoke("fleet", "member", "drain", "canary").exit_code == 0
    hub.emu.faults.add(verb="PATCH", path="/memberclusters/canary$", count=1, before=_label_member(hub))
    result = invoke("fleet", "member", "uncordon", "canary")
    assert result.exit_code == 0, result
    assert result.stdout.strip() == "membercluster.cluster.kubernetes-fleet.io/canary uncordoned"
    assert [r.status for r in hub.emu.requests("PATCH", "/memberclusters/canary")][-2:] == [409, 200]
    assert not (hub.get("MemberCluster", "canary", api_version=C1)["spec"].get("taints") or [])
