"""Run as kubectl's plugin, a command named inside -o json data (the `resume` of an ARM
--no-wait, doctor's fixes) is spelled `kubectl akscli COMMAND`, as the lines on stderr are
(statuslines.as_invoked): a script that runs it where only the plugin is installed works."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.azure.helpers import RG
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator

PLUGIN = "/usr/local/bin/kubectl-akscli"


def test_the_resume_of_an_arm_no_wait_names_the_plugin_when_run_as_the_plugin(
    azure_env: ArmEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    azure_env.lro_polls = 3
    azure_env.retry_after = 5  # keeps this process's own background poller out of the way
    monkeypatch.setattr("sys.argv", [PLUGIN])
    result = invoke("cluster", "create", "aks1", "-g", RG, "--no-wait", "-o", "json")
    assert result.exit_code == 0, result
    assert json.loads(result.stdout)["resume"] == f"kubectl akscli cluster wait aks1 -g {RG}"


def test_the_resume_of_an_arm_no_wait_names_akscli_when_run_as_akscli(
    azure_env: ArmEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    azure_env.lro_polls = 3
    azure_env.retry_after = 5
    monkeypatch.setattr("sys.argv", ["/usr/local/bin/akscli"])
    result = invoke("cluster", "create", "aks1", "-g", RG, "--no-wait", "-o", "json")
    assert json.loads(result.stdout)["resume"] == f"akscli cluster wait aks1 -g {RG}"


def test_a_baremetal_doctor_fix_names_the_plugin_when_run_as_the_plugin(
    kube_emulator: Any, kubeconfig: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.argv", [PLUGIN])
    result = invoke("baremetal", "doctor", "-o", "json")
    fixes = [f["fix"] for f in json.loads(result.stdout)["findings"] if f["check"] == "gpu-operator"]
    assert fixes[0].startswith("add a GPU node pool (kubectl akscli nodepool add --gpu ...) or join a GPU host")


def test_a_doctor_fix_names_the_plugin_when_run_as_the_plugin(
    kube_emulator: Any, kubeconfig: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.argv", [PLUGIN])
    result = invoke("doctor", "--for", "model", "-o", "json")
    fixes = [c["fix"] for c in json.loads(result.stdout)["checks"] if "cluster create" in c["fix"]]
    assert fixes and all("kubectl akscli cluster create --enable-kaito" in fix for fix in fixes), fixes
