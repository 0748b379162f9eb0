"""`--kubeconfig -` on a credentials command. `az aks get-credentials --file -` prints the kubeconfig
(Azure/azure-cli src/azure-cli/azure/cli/command_modules/acs/_params.py); akscli merged the
credentials into a file named '-' in the working folder. It is refused before Azure is asked: akscli
writes credentials into a kubeconfig file and prints none to stdout."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.azure.helpers import RG, seed_cluster
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator


@pytest.mark.parametrize(
    "command",
    [
        ["cluster", "credentials", "aks1", "-g", RG],
        ["fleet", "credentials", "fl", "-g", RG],
        ["baremetal", "cluster", "credentials", "edge1", "-g", RG],
    ],
)
@pytest.mark.parametrize("flag", [["--kubeconfig", "-"], ["--kubeconfig=-"]])
def test_kubeconfig_dash_is_refused_and_no_file_named_dash_is_written(
    azure_env: ArmEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str], flag: list[str]
) -> None:
    seed_cluster(azure_env)
    monkeypatch.chdir(tmp_path)
    r = invoke(*command, *flag)
    assert r.exit_code == 2, r
    assert r.stderr.startswith("error: --kubeconfig - would write the credentials into a file named '-'")
    assert "hint: give a file" in r.stderr and r.stdout == ""
    assert not (tmp_path / "-").exists()
    assert not azure_env.requests_to("/subscriptions/")
