"""`fleet create --no-wait` and `fleet member join --no-wait` return once Azure accepted the PUT, as
az fleet create and az fleet member create --no-wait do (Azure/azure-cli-extensions
src/fleet/azext_fleet/commands.py: create_fleet, create_fleet_member, supports_no_wait=True), and
report it as every ARM --no-wait (azopts.report_accepted): the show command to check on it, -o json
the operation, the audit line "accepted". A hub takes minutes to create, a join minutes too."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli import invoke
from tests.fleet.armworld import ARM, RG

HELD = 10**9  # polls: the operation never ends while the test runs


def test_fleet_create_no_wait_returns_once_azure_accepted_it(
    fleet: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AKSCLI_LRO_POLL_INTERVAL", "0.2")
    fleet.lro_polls = HELD
    log = tmp_path / "audit.jsonl"
    result = invoke("fleet", "create", "f2", "-g", RG, "--no-wait", "--audit-log", str(log))
    assert result.exit_code == 0, result
    assert result.stdout == ""
    assert (
        f"create fleet f2: accepted by Azure, in progress (InProgress); check on it with: akscli fleet show f2 -g {RG}"
    ) in result.stderr
    puts = [r for r in fleet.request_log if r.method == "PUT"]
    assert len(puts) == 1 and puts[0].path.endswith("/fleets/f2")
    (entry,) = [json.loads(line) for line in log.read_text().splitlines()]
    assert entry["result"] == "accepted (--no-wait)"


def test_fleet_create_no_wait_o_json_prints_the_operation(fleet: Any) -> None:
    fleet.lro_polls = HELD
    result = invoke("fleet", "create", "f2", "-g", RG, "--no-wait", "-o", "json")
    assert result.exit_code == 0, result
    accepted = json.loads(result.stdout)
    assert (accepted["operation"], accepted["status"]) == ("create fleet f2", "InProgress")
    assert accepted["resume"] == f"akscli fleet show f2 -g {RG}"


def test_fleet_create_no_wait_of_an_existing_fleet_is_refused(fleet: Any) -> None:
    first = invoke("fleet", "create", "f2", "-g", RG)
    assert first.exit_code == 0, first
    result = invoke("fleet", "create", "f2", "-g", RG, "--no-wait")
    assert result.exit_code == 4, result
    assert "error: fleet f2 already exists in resource group" in result.stderr


def test_member_join_no_wait_returns_once_azure_accepted_it(
    fleet: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AKSCLI_LRO_POLL_INTERVAL", "0.2")
    fleet.lro_polls = HELD
    log = tmp_path / "audit.jsonl"
    result = invoke(
        "fleet", "member", "join", "gpu", *ARM, "--cluster", "aks-gpu", "--no-wait", "--audit-log", str(log)
    )
    assert result.exit_code == 0, result
    assert result.stdout == ""
    assert (
        "join member gpu: accepted by Azure, in progress (InProgress); check on it with: "
        f"akscli fleet member show gpu {' '.join(ARM)}"
    ) in result.stderr
    puts = [r for r in fleet.request_log if r.method == "PUT"]
    assert len(puts) == 1 and puts[0].path.endswith("/members/gpu")
    (entry,) = [json.loads(line) for line in log.read_text().splitlines()]
    assert entry["result"] == "accepted (--no-wait)"


def test_member_join_no_wait_of_a_missing_cluster_joins_nothing(fleet: Any) -> None:
    result = invoke("fleet", "member", "join", "gpu", *ARM, "--cluster", "nope", "--no-wait")
    assert result.exit_code == 3, result
    assert [r for r in fleet.request_log if r.method == "PUT"] == []
