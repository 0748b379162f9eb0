"""What `--no-wait -o json` prints: the operation, its state when akscli returned, the URL Azure
reports it at (only its api-version kept, as the audit line keeps it) and the command that follows
it. az prints nothing for --no-wait (Azure/azure-cli azure-cli-core commands/__init__.py _run_job);
akscli keeps what a script needs, and not azure-core's continuation token: ~5 KB of base64 holding
the first response and its operation headers in full, which a provider may sign."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest

from tests.azure.helpers import RG
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator


def test_create_no_wait_json_names_the_operation_url_and_the_resume_command_not_the_token(
    azure_env: ArmEmulator,
) -> None:
    azure_env.lro_polls = 3
    r = invoke("cluster", "create", "aks1", "-g", RG, "--no-wait", "-o", "json")
    assert r.exit_code == 0, r
    started = json.loads(r.stdout)
    assert sorted(started) == ["operation", "operationUrl", "resume", "status"]
    put = azure_env.requests_to(r"/managedClusters/aks1$", "PUT")[0]
    assert put.status == 201
    assert "/providers/Microsoft.ContainerService/locations/" in started["operationUrl"]
    assert started["operationUrl"].split("?")[1].startswith("api-version=")
    assert started["resume"] == f"akscli cluster wait aks1 -g {RG}"
    assert len(r.stdout) < 1000


class _Poller:
    """An LROPoller as report_accepted reads it, Azure having answered with a signed operation URL."""

    def __init__(self, url: str) -> None:
        response = SimpleNamespace(http_response=SimpleNamespace(headers={"Azure-AsyncOperation": url}))
        self._method = SimpleNamespace(_initial_response=response)

    def polling_method(self) -> Any:
        return self._method

    def status(self) -> str:
        return "InProgress"

    def continuation_token(self) -> str:
        return "c2lnbmVkLXRva2Vu"  # what the old report printed


def test_a_signed_operation_url_is_printed_without_its_signature(capsys: pytest.CaptureFixture[str]) -> None:
    from akscli.cli.azopts import report_accepted

    url = (
        "https://management.azure.com/subscriptions/s/providers/Microsoft.ContainerService/locations/eastus/"
        "operations/8d2c?api-version=2026-08-01&t=638677&c=MIIHsecret&s=sig&h=hash"
    )
    report_accepted(_Poller(url), "create cluster aks1", "json", "akscli cluster wait aks1 -g rg")  # type: ignore[arg-type]
    printed = capsys.readouterr().out
    assert json.loads(printed)["operationUrl"] == url.split("&")[0]
    assert "MIIHsecret" not in printed and "c2lnbmVkLXRva2Vu" not in printed
