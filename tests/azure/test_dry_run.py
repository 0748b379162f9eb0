"""--dry-run on the ARM commands that change something: the reads go out, the write is printed
(method, URL with its api-version, body) and never sent; --dry-run=server is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.azure.helpers import RG, seed_cluster
from tests.cli import invoke
from tests.emulators.arm.server import ArmEmulator

WRITES = ("PUT", "PATCH", "POST", "DELETE")


def _writes(emu: ArmEmulator) -> list[str]:
    return [f"{e.method} {e.path}" for e in emu.request_log if e.method in WRITES and "/oauth2/" not in e.path]


@pytest.mark.parametrize(
    ("args", "method", "path_end"),
    [
        (["cluster", "stop", "aks1", "-g", RG], "POST", "/managedClusters/aks1/stop"),
        (["cluster", "start", "aks1", "-g", RG], "POST", "/managedClusters/aks1/start"),
        (["cluster", "delete", "aks1", "-g", RG], "DELETE", "/managedClusters/aks1"),
        (["cluster", "upgrade", "aks1", "-g", RG, "-k", "1.34.2"], "PUT", "/managedClusters/aks1"),
        (["nodepool", "scale", "system", "--cluster", "aks1", "-g", RG, "--count", "5"], "PUT", "/agentPools/system"),
        (["nodepool", "delete", "system", "--cluster", "aks1", "-g", RG], "DELETE", "/agentPools/system"),
    ],
)
def test_dry_run_prints_the_write_and_sends_nothing(
    azure_env: ArmEmulator, args: list[str], method: str, path_end: str
) -> None:
    seed_cluster(azure_env)
    before = _writes(azure_env)
    result = invoke(*args, "--dry-run")  # JSON by default (a delete takes only -o name, as kubectl delete)
    assert result.exit_code == 0, result
    request = json.loads(result.stdout)
    assert request["method"] == method
    assert request["url"].split("?")[0].endswith(path_end)
    assert "api-version=" in request["url"]
    assert _writes(azure_env) == before


def test_a_dry_run_scale_shows_the_new_count_in_the_body(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    result = invoke(
        "nodepool", "scale", "system", "--cluster", "aks1", "-g", RG, "--count", "5", "--dry-run", "-o", "json"
    )
    assert json.loads(result.stdout)["body"]["properties"]["count"] == 5


def test_a_dry_run_upgrade_asks_no_confirmation(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    result = invoke("cluster", "upgrade", "aks1", "-g", RG, "-k", "1.34.2", "--dry-run", tty=True, input="")
    assert result.exit_code == 0, result
    assert "kubernetesVersion" in result.stdout


@pytest.mark.parametrize(
    "command", [["cluster", "delete", "aks1"], ["nodepool", "delete", "system", "--cluster", "aks1"]]
)
def test_server_dry_run_is_refused_with_the_reason(azure_env: ArmEmulator, command: list[str]) -> None:
    result = invoke(*command, "-g", RG, "--dry-run=server")
    assert result.exit_code == 2
    assert "no server-side dry run" in result.stderr


def test_credentials_dry_run_reports_the_merge_and_writes_nothing(azure_env: ArmEmulator, tmp_path: Path) -> None:
    seed_cluster(azure_env)
    cfg = tmp_path / "config"
    cfg.write_text("apiVersion: v1\nkind: Config\nclusters: []\nusers: []\ncontexts: []\n")
    before = cfg.read_bytes()
    result = invoke("cluster", "credentials", "aks1", "-g", RG, "--kubeconfig", str(cfg), "--dry-run", "-o", "json")
    assert result.exit_code == 0, result
    report = json.loads(result.stdout)
    assert report["added"] and "dry run: not written" in report["path"]
    assert cfg.read_bytes() == before
    assert not list(tmp_path.glob("config.*"))  # no backup, no lock left behind


@pytest.mark.parametrize(
    ("args", "path_end", "body_key"),
    [
        (["cluster", "create", "aks2", "-g", RG], "/managedClusters/aks2", "sku"),
        (["nodepool", "add", "gpu", "--cluster", "aks1", "-g", RG, "--gpu", "t4"], "/agentPools/gpu", "properties"),
        (
            ["fleet", "rollout", "strategy", "create", "safe", "--fleet", "fl", "-g", RG, "--stage", "s1;groups=a"],
            "/fleets/fl/updateStrategies/safe",
            "properties",
        ),
        (
            ["fleet", "rollout", "create", "up-1", "--fleet", "fl", "-g", RG, "--upgrade-type", "NodeImageOnly"],
            "/fleets/fl/updateRuns/up-1",
            "properties",
        ),
    ],
    ids=["cluster create", "nodepool add", "rollout strategy create", "rollout create"],
)
def test_a_create_dry_run_prints_method_url_and_body_as_every_arm_dry_run_does(
    azure_env: ArmEmulator, args: list[str], path_end: str, body_key: str
) -> None:
    # These printed the body alone; docs/grammar.md (and cluster start, fleet create ...) print the
    # request: method, URL with its api-version, body. They read nothing first, so nothing goes out.
    result = invoke(*args, "--dry-run", "-o", "json")
    assert result.exit_code == 0, result
    request = json.loads(result.stdout)
    assert set(request) - {"headers"} == {"method", "url", "body"}  # headers: its If-None-Match, where it has one
    assert request["method"] == "PUT"
    assert request["url"].split("?")[0].endswith(path_end)
    assert "?api-version=" in request["url"]
    assert body_key in request["body"]
    assert [e for e in azure_env.request_log if "/subscriptions/" in e.path] == []


@pytest.mark.parametrize(
    "command",
    [
        ["cluster", "create", "aks2", "-g", RG],
        ["nodepool", "add", "gpu", "--cluster", "aks1", "-g", RG, "--gpu", "t4"],
        ["fleet", "rollout", "strategy", "create", "safe", "--fleet", "fl", "-g", RG, "--stage", "s1;groups=a"],
    ],
    ids=["cluster create", "nodepool add", "rollout strategy create"],
)
def test_a_server_dry_run_of_a_create_is_refused_before_any_request(azure_env: ArmEmulator, command: list[str]) -> None:
    result = invoke(*command, "--dry-run=server")
    assert result.exit_code == 2
    assert "no server-side dry run" in result.stderr and result.stderr.count("error:") == 1
    assert [e for e in azure_env.request_log if "/subscriptions/" in e.path] == []
