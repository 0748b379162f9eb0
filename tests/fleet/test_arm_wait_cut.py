"""Fleet's ARM writes wait as every ARM write does (azure/arm.py wait_lro, cli/common.audited): a
--timeout (default 60m) past which akscli stops waiting (exit 5) and says the operation continues in
Azure, an audit line when the wait is cut (--timeout, Ctrl-C, SIGTERM) naming the operation and the
command that follows it, and polls that honour Retry-After and are jittered. Azure goes on with an
operation a client stops polling (Azure/azure-resource-manager-rpc 69e229f
v1.0/async-api-reference.md). There is no `fleet ... wait`: the follow command is the show, the
run's status, a member's or strategy's show, or the list of the auto-upgrade profiles, which shows
its provisioningState. The emulator
holds an operation running with ``lro_polls``."""

from __future__ import annotations

import json
import signal
from pathlib import Path
from typing import Any

import pytest

from tests.azure.helpers import record_pauses
from tests.cli import interrupt, invoke
from tests.fleet.armworld import ARM, FLEET, RG, aks_id, fleet_id, seed_member, seed_members

HELD = 10**9  # polls: the operation never ends while the test runs
WHERE = f"--fleet {FLEET} -g {RG}"


def _audit(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


@pytest.fixture
def held(fleet: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The fleet world, its next operations held running."""
    monkeypatch.setenv("AKSCLI_LRO_POLL_INTERVAL", "0.2")
    fleet.lro_polls = HELD
    return fleet


def test_a_fleet_create_past_its_timeout_exits_5_and_names_the_show_that_follows_it(
    azure_env: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AKSCLI_LRO_POLL_INTERVAL", "0.2")
    azure_env.lro_polls = HELD
    log = tmp_path / "audit.jsonl"
    r = invoke("fleet", "create", FLEET, "-g", RG, "--timeout", "1s", "--audit-log", str(log))
    assert r.exit_code == 5, r
    assert (
        f"error: creating fleet {FLEET} is still running in Azure (InProgress) after 1s: akscli stopped waiting, "
        "the operation continues" in r.stderr
    )
    follow = f"akscli fleet show {FLEET} -g {RG}"
    assert f"follow it with '{follow}'; nothing was rolled back" in r.stderr
    (entry,) = _audit(log)
    assert entry["action"] == "fleet create"
    assert entry["result"] == f"timed out: creating fleet {FLEET} continues in Azure; follow it with: {follow}"
    (obj,) = entry["objects"]
    assert obj["object"] == f"fleet/{FLEET}"
    assert "/operations/" in obj["operation"] and "?api-version=" in obj["operation"]
    assert azure_env.get_resource(fleet_id(azure_env))["properties"]["provisioningState"] == "Creating"


@pytest.mark.parametrize(
    ("args", "what", "follow"),
    [
        (["fleet", "delete", FLEET, "-g", RG, "-y"], f"deleting fleet {FLEET}", f"akscli fleet show {FLEET} -g {RG}"),
        (
            ["fleet", "member", "remove", "gpu", *ARM, "-y"],
            "deleting member gpu",
            f"akscli fleet member show gpu {WHERE}",
        ),
        (
            ["fleet", "member", "update", "gpu", *ARM, "--update-group", "canary"],
            "updating member gpu",
            f"akscli fleet member show gpu {WHERE}",
        ),
        (
            ["fleet", "rollout", "strategy", "create", "safe", *ARM, "--stage", "canary;groups=cloud"],
            "creating update strategy safe",
            f"akscli fleet rollout strategy show safe {WHERE}",
        ),
        (
            ["fleet", "autoupgrade", "create", "stable", *ARM, "--channel", "Stable"],
            "creating auto-upgrade profile stable",
            f"akscli fleet autoupgrade show stable {WHERE}",
        ),
    ],
)
def test_each_fleet_arm_write_takes_timeout_and_names_its_follow_command(
    held: Any, tmp_path: Path, args: list[str], what: str, follow: str
) -> None:
    seed_member(held, "gpu", aks_id(held, "aks-gpu"), "cloud")  # AKS only: a profile refuses Arc members
    log = tmp_path / "audit.jsonl"
    r = invoke(*args, "--timeout", "1s", "--audit-log", str(log))
    assert r.exit_code == 5, r
    assert f"error: {what} is still running in Azure" in r.stderr
    assert f"follow it with '{follow}'" in r.stderr
    (entry,) = _audit(log)
    assert entry["result"] == f"timed out: {what} continues in Azure; follow it with: {follow}"


def test_an_update_run_start_past_its_timeout_names_the_runs_status(held: Any, tmp_path: Path) -> None:
    held.lro_polls = 0
    seed_members(held)
    created = invoke("fleet", "rollout", "create", "run-1", *ARM, "-k", "1.34.1", "--stage", "all;groups=cloud")
    assert created.exit_code == 0, created
    held.lro_polls = HELD
    log = tmp_path / "audit.jsonl"
    r = invoke("fleet", "rollout", "start", "run-1", *ARM, "--timeout", "1s", "--audit-log", str(log))
    assert r.exit_code == 5, r
    follow = f"akscli fleet rollout status run-1 {WHERE}"
    assert f"follow it with '{follow}'" in r.stderr
    (entry,) = _audit(log)
    assert (entry["action"], entry["objects"][0]["object"]) == ("fleet rollout start", f"fleet/{FLEET}/updateRun/run-1")
    assert entry["result"] == f"timed out: starting update run run-1 continues in Azure; follow it with: {follow}"


def test_ctrl_c_during_a_member_join_says_it_continues_and_audits_the_operation(held: Any, tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    args = ("fleet", "member", "join", "gpu", "--cluster", "aks-gpu", *ARM, "--audit-log", str(log))
    code, err = interrupt(args, lambda line: "InProgress" in line)
    assert code == 130, err
    last = err.strip().splitlines()[-1]
    what = "joining AKS cluster aks-gpu as gpu"
    assert last == f"interrupted: {what} continues in Azure; follow it with: akscli fleet member show gpu {WHERE}"
    (entry,) = _audit(log)
    assert (entry["action"], entry["result"]) == ("fleet member join", last)
    (obj,) = entry["objects"]
    assert obj["object"] == f"fleet/{FLEET}/member/gpu" and "/operations/" in obj["operation"]


def test_sigterm_during_a_fleet_delete_is_audited_as_ctrl_c_is(held: Any, tmp_path: Path) -> None:
    # A CI job cancelled: the runner sends SIGTERM; Azure goes on deleting the fleet.
    log = tmp_path / "audit.jsonl"
    args = ("fleet", "delete", FLEET, "-g", RG, "-y", "--audit-log", str(log))
    code, err = interrupt(args, lambda line: "InProgress" in line, signal.SIGTERM)
    assert code == 130, err
    (entry,) = _audit(log)
    assert entry["result"] == (
        f"interrupted: deleting fleet {FLEET} continues in Azure; follow it with: akscli fleet show {FLEET} -g {RG}"
    )


def test_a_fleet_write_that_succeeds_is_audited_once_and_a_dry_run_not_at_all(fleet: Any, tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    dry = invoke("fleet", "member", "join", "gpu", "--cluster", "aks-gpu", *ARM, "--dry-run", "--audit-log", str(log))
    assert dry.exit_code == 0, dry
    assert _audit(log) == []
    r = invoke("fleet", "member", "join", "gpu", "--cluster", "aks-gpu", *ARM, "--audit-log", str(log))
    assert r.exit_code == 0, r
    (entry,) = _audit(log)
    assert entry["result"] == "success"
    assert entry["objects"] == [{"object": f"fleet/{FLEET}/member/gpu", "action": "create"}]


def test_timeout_is_refused_where_the_hub_makes_the_change(fleet: Any) -> None:
    r = invoke("fleet", "rollout", "strategy", "create", "safe", "--stage", "canary", "--timeout", "5m")
    assert r.exit_code == 2, r
    assert "--timeout bounds the wait for Azure's operation (--fleet); the hub's change has none" in r.stderr


def test_a_fleet_poll_waits_the_retry_after_azure_asks(fleet: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    waited: list[float] = []
    record_pauses(monkeypatch, waited.append)
    fleet.lro_polls = 2
    fleet.retry_after = 300  # the RPC allows 10 s to 10 min
    r = invoke("fleet", "member", "join", "gpu", "--cluster", "aks-gpu", *ARM)
    assert r.exit_code == 0, r
    assert waited and set(waited) == {300.0}


def test_a_fleet_poll_without_retry_after_waits_the_interval_with_jitter_never_less(
    fleet: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from akscli.azure import armretry

    waited: list[float] = []
    record_pauses(monkeypatch, waited.append)
    monkeypatch.setattr(armretry, "uniform", lambda low, high: high - 0.05 if low == 1.0 else low)
    monkeypatch.setenv("AKSCLI_LRO_POLL_INTERVAL", "60")
    fleet.lro_polls = 2
    r = invoke("fleet", "member", "join", "gpu", "--cluster", "aks-gpu", *ARM)
    assert r.exit_code == 0, r
    assert waited and waited == pytest.approx([60 * 1.25] * len(waited))


def test_a_join_whose_operation_fails_in_azure_is_audited_as_failed(fleet: Any, tmp_path: Path) -> None:
    # Azure accepted the PUT: the member is in the fleet, Failed, so the change is recorded.
    fleet.fail_operation("PUT", r"/members/gpu$", "OperationFailed", "the member agent did not start (injected)")
    log = tmp_path / "audit.jsonl"
    r = invoke("fleet", "member", "join", "gpu", "--cluster", "aks-gpu", *ARM, "--audit-log", str(log))
    assert r.exit_code != 0, r
    (entry,) = _audit(log)
    assert entry["result"].startswith("failed: joining AKS cluster aks-gpu as gpu: failed in Azure (OperationFailed)")
    assert entry["objects"] == [{"object": f"fleet/{FLEET}/member/gpu", "action": "create"}]


def test_an_arm_run_delete_bounds_its_wait_by_the_deletes_timeout_and_0_is_a_week(
    held: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from akscli.azure import arm

    held.put_resource(f"{fleet_id(held)}/updateRuns/run-1", {"properties": {"strategy": {"stages": []}}})
    r = invoke("fleet", "rollout", "delete", "run-1", *ARM, "-y", "--timeout", "1s")
    assert r.exit_code == 5, r
    assert f"follow it with 'akscli fleet rollout status run-1 {WHERE}'" in r.stderr
    seen: list[float] = []
    monkeypatch.setattr(arm.Deadline, "passed", lambda self: seen.append(self.seconds) or True)
    held.lro_polls = 1
    held.put_resource(f"{fleet_id(held)}/updateRuns/run-2", {"properties": {"strategy": {"stages": []}}})
    invoke("fleet", "rollout", "delete", "run-2", *ARM, "-y", "--timeout", "0")
    assert seen and set(seen) == {168 * 3600.0}
