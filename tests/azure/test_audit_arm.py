"""Changes made through ARM leave one audit line each, as Kubernetes changes do."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.azure.helpers import RG, seed_cluster
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator


def audit_lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_deleting_a_node_pool_is_audited_with_its_target_and_reason(azure_env: ArmEmulator, tmp_path: Path) -> None:
    seed_cluster(azure_env, pools=[{"name": "system", "mode": "System", "count": 1, "vmSize": "Standard_D4ds_v5"},
                                   {"name": "work", "count": 1, "vmSize": "Standard_D8ds_v5"}])  # fmt: skip
    log = tmp_path / "audit.jsonl"
    r = invoke("nodepool", "delete", "work", "-c", "aks1", "-g", RG, "-y",
               "--audit-log", str(log), "--reason", "scale down for the weekend")  # fmt: skip
    assert r.exit_code == 0, r
    (line,) = audit_lines(log)
    assert line["result"] == "success"
    assert line["reason"] == "scale down for the weekend"
    assert line["target"]["resourceGroup"] == RG
    assert line["target"]["nodepool"] == "work"
    assert "delete node pool work" in json.dumps(line["objects"])
    assert line["identity"]["oid"]  # who made the change, from the ARM token's claims
    assert "eyJ" not in json.dumps(line)  # never the token itself


def test_an_operation_that_fails_in_azure_is_audited_as_failed(azure_env: ArmEmulator, tmp_path: Path) -> None:
    seed_cluster(azure_env)
    azure_env.fail_operation("PUT", r"/agentPools/gpu$", "QuotaExceeded", "Operation results in exceeding quota.")
    log = tmp_path / "audit.jsonl"
    r = invoke("nodepool", "add", "gpu", "-c", "aks1", "-g", RG, "--gpu", "h100", "--audit-log", str(log))
    assert r.exit_code == 8, r
    (line,) = audit_lines(log)
    assert str(line["result"]).startswith("failed")
    assert "add node pool gpu" in json.dumps(line["objects"])


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["nodepool", "add", "gpu", "-c", "aks1", "-g", RG, "--gpu", "h100"], "nodepool add"),
        (["nodepool", "scale", "work", "-c", "aks1", "-g", RG, "--count", "2"], "nodepool scale"),
        (["nodepool", "delete", "work", "-c", "aks1", "-g", RG, "-y"], "nodepool delete"),
        (["cluster", "stop", "aks1", "-g", RG], "cluster stop"),
        (["cluster", "delete", "aks1", "-g", RG, "-y"], "cluster delete"),
    ],
)
def test_an_arm_change_is_audited_under_its_command_so_audit_list_action_finds_it(
    azure_env: ArmEmulator, tmp_path: Path, argv: list[str], command: str
) -> None:
    seed_cluster(azure_env, pools=[{"name": "system", "mode": "System", "count": 1, "vmSize": "Standard_D4ds_v5"},
                                   {"name": "work", "count": 1, "vmSize": "Standard_D8ds_v5"}])  # fmt: skip
    log = tmp_path / "audit.jsonl"
    r = invoke(*argv, "--audit-log", str(log))
    assert r.exit_code == 0, r
    (line,) = audit_lines(log)
    assert line["action"] == command  # as `model deploy`, `fleet member join`: `--action 'nodepool*'`
    found = invoke("audit", "list", "--action", f"{command.split()[0]}*", "-o", "name", "--audit-log", str(log))
    assert found.exit_code == 0, found
    assert found.stdout.strip(), found
