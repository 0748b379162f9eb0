"""--dry-run on the fleet hub's changing commands (drain, uncordon, rollout start/stop/delete,
strategy delete, approve). Client reads what the real command reads, prints every request in
order and writes nothing; server sends them with dryRun=All and nothing changes."""

from __future__ import annotations

from typing import Any

from tests.cli import invoke, list_items
from tests.fleet.conftest import Hub
from tests.fleet.test_drain_e2e import CORDON, _place_everywhere
from tests.fleet.test_rollout_e2e import _staged

C1 = "cluster.kubernetes-fleet.io/v1"
P1 = "placement.kubernetes-fleet.io/v1"


def writes(emu: Any) -> list[str]:
    return [f"{r.method} {r.path}" for r in emu.request_log if r.method not in ("GET", "HEAD")]


def dry_runs(emu: Any, since: int) -> list[str]:
    """The methods of the requests sent with dryRun=All after the first ``since`` requests."""
    return [r.method for r in emu.request_log[since:] if r.query.get("dryRun") == ["All"]]


def taints(hub: Hub, member: str) -> Any:
    return hub.get("MemberCluster", member, api_version=C1)["spec"].get("taints")


def test_drain_client_dry_run_prints_the_cordon_and_each_eviction_and_writes_nothing(hub: Hub) -> None:
    _place_everywhere(hub)
    before = writes(hub.emu)
    result = invoke("fleet", "member", "drain", "canary", "--dry-run", "-o", "json")
    assert result.exit_code == 0, result
    cordon, eviction = list_items(result.stdout)
    assert (cordon["method"], cordon["kind"], cordon["name"]) == ("PATCH", "MemberCluster", "canary")
    assert cordon["patch"]["spec"]["taints"] == [CORDON]
    assert eviction["kind"] == "ClusterResourcePlacementEviction"
    assert eviction["spec"] == {"placementName": "llm", "clusterName": "canary"}
    assert writes(hub.emu) == before
    assert taints(hub, "canary") is None


def test_drain_server_dry_run_sends_dry_run_all_and_leaves_the_member_open(hub: Hub) -> None:
    _place_everywhere(hub)
    since = len(hub.emu.request_log)
    result = invoke("fleet", "member", "drain", "canary", "--dry-run=server")
    assert result.exit_code == 0, result
    assert dry_runs(hub.emu, since) == ["PATCH", "POST"]
    assert taints(hub, "canary") is None
    assert hub.cluster.list("placement.kubernetes-fleet.io/v1beta1", "ClusterResourcePlacementEviction") == []


def test_uncordon_client_dry_run_prints_the_patch_and_writes_nothing(hub: Hub) -> None:
    assert invoke("fleet", "member", "drain", "canary").exit_code == 0
    before = writes(hub.emu)
    result = invoke("fleet", "member", "uncordon", "canary", "--dry-run", "-o", "json")
    assert result.exit_code == 0, result
    [request] = list_items(result.stdout)
    assert request["patch"]["spec"]["taints"] is None
    assert writes(hub.emu) == before
    assert taints(hub, "canary") == [CORDON]


def test_uncordon_server_dry_run_sends_dry_run_all_and_keeps_the_cordon(hub: Hub) -> None:
    assert invoke("fleet", "member", "drain", "canary").exit_code == 0
    since = len(hub.emu.request_log)
    result = invoke("fleet", "member", "uncordon", "canary", "--dry-run=server")
    assert result.exit_code == 0, result
    assert dry_runs(hub.emu, since) == ["PATCH"]
    assert taints(hub, "canary") == [CORDON]


def test_rollout_stop_client_dry_run_prints_the_state_patch_and_writes_nothing(hub: Hub) -> None:
    _staged(hub)
    before = writes(hub.emu)
    result = invoke("fleet", "rollout", "stop", "run-1", "--dry-run", "-o", "json")
    assert result.exit_code == 0, result
    [request] = list_items(result.stdout)
    assert (request["kind"], request["name"]) == ("ClusterStagedUpdateRun", "run-1")
    assert request["patch"] == {"spec": {"state": "Stop"}}
    assert writes(hub.emu) == before


def test_rollout_start_server_dry_run_sends_dry_run_all_and_leaves_the_run(hub: Hub) -> None:
    _staged(hub)
    assert invoke("fleet", "rollout", "stop", "run-1").exit_code == 0
    hub.settle()
    since = len(hub.emu.request_log)
    result = invoke("fleet", "rollout", "start", "run-1", "--dry-run=server")
    assert result.exit_code == 0, result
    assert dry_runs(hub.emu, since) == ["PATCH"]
    assert hub.get("ClusterStagedUpdateRun", "run-1")["spec"]["state"] == "Stop"


def test_rollout_delete_client_dry_run_asks_nothing_and_deletes_nothing(hub: Hub) -> None:
    _staged(hub)
    result = invoke("fleet", "rollout", "delete", "run-1", "--dry-run", tty=True, input="")
    assert result.exit_code == 0, result
    # Cluster-scoped: kubectl's line names no namespace (kubernetes/kubectl pkg/cmd/delete/delete.go PrintObj).
    assert result.stdout == 'clusterstagedupdaterun.placement.kubernetes-fleet.io "run-1" deleted (dry run)\n'
    assert not [w for w in writes(hub.emu) if w.startswith("DELETE")]
    assert hub.cluster.get(P1, "ClusterStagedUpdateRun", None, "run-1") is not None


def test_strategy_delete_server_dry_run_sends_dry_run_all_and_keeps_the_strategy(hub: Hub) -> None:
    _staged(hub)
    since = len(hub.emu.request_log)
    result = invoke("fleet", "rollout", "strategy", "delete", "canary-first", "--dry-run=server")
    assert result.exit_code == 0, result
    assert dry_runs(hub.emu, since) == ["DELETE"]
    assert hub.cluster.get(P1, "ClusterStagedUpdateStrategy", None, "canary-first") is not None


def test_approve_client_dry_run_prints_the_status_patch_and_approves_nothing(hub: Hub) -> None:
    _staged(hub)
    before = writes(hub.emu)
    result = invoke("fleet", "approve", "run-1", "--dry-run", "-o", "json")
    assert result.exit_code == 0, result
    [request] = list_items(result.stdout)
    assert (request["kind"], request["name"], request["subresource"]) == (
        "ClusterApprovalRequest",
        "run-1-after-canary",
        "status",
    )
    assert {c["type"]: c["status"] for c in request["patch"]["status"]["conditions"]}["Approved"] == "True"
    assert writes(hub.emu) == before


def test_approve_server_dry_run_sends_dry_run_all_and_the_request_stays_pending(hub: Hub) -> None:
    _staged(hub)
    since = len(hub.emu.request_log)
    result = invoke("fleet", "approve", "run-1", "--dry-run=server")
    assert result.exit_code == 0, result
    assert dry_runs(hub.emu, since) == ["PATCH"]
    request = hub.get("ClusterApprovalRequest", "run-1-after-canary")
    assert "Approved" not in {c["type"] for c in (request.get("status") or {}).get("conditions") or []}
