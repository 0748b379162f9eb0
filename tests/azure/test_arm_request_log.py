"""--debug (and -vv) print the API request log on stderr (akscli --help). The Kubernetes client
writes one line per request (akscli.kube.client); ARM requests get the same line: method, path
with its api-version, status, latency. Never the token, a body, or the rest of the query."""

from __future__ import annotations

import re

import pytest

from tests.azure.helpers import RG, seed_cluster
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator

SHOW = f"/resourceGroups/{RG}/providers/Microsoft.ContainerService/managedClusters/aks1?api-version=2026-08-01"


@pytest.mark.parametrize("flag", [["--debug"], ["-v", "-v"]])
def test_an_arm_request_is_logged_with_debug_or_double_v(azure_env: ArmEmulator, flag: list[str]) -> None:
    seed_cluster(azure_env)
    r = invoke("cluster", "show", "aks1", "-g", RG, *flag)
    assert r.exit_code == 0, r
    lines = [line for line in r.stderr.splitlines() if line.startswith("akscli.azure: GET ")]
    assert len(lines) == 1, r.stderr
    assert "Bearer" not in r.stderr and "secret" not in r.stderr.lower()
    assert re.fullmatch(
        r"akscli\.azure: GET /subscriptions/[0-9a-f-]+" + re.escape(SHOW) + r" -> 200 in \d+ ms", lines[0]
    )


def test_a_failed_arm_request_is_logged_with_its_status(azure_env: ArmEmulator) -> None:
    r = invoke("cluster", "show", "nope", "-g", RG, "--debug")
    assert r.exit_code == 3, r
    assert "managedClusters/nope?api-version=2026-08-01 -> 404 in " in r.stderr


def test_without_debug_no_arm_request_is_logged(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    r = invoke("cluster", "show", "aks1", "-g", RG)
    assert r.exit_code == 0, r
    assert "akscli.azure" not in r.stderr
    assert "Bearer" not in r.stderr
