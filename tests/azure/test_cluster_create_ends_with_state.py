"""`cluster create` ends with the state ARM reported for the operation, as `nodepool add` does, also
when the operation is done before akscli's first poll (the emulator's create is): the wait printed
only `create cluster aks1...`, so a user could not tell it had succeeded without reading the table.
az aks create ends with the created resource, its provisioningState in it (Azure/azure-cli
src/azure-cli/azure/cli/command_modules/acs/custom.py aks_create: returns create_mc's result)."""

from __future__ import annotations

import json

import pytest

from tests.azure.helpers import RG
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_cluster_create_ends_with_the_state_arm_reported(azure_env: ArmEmulator, fmt: str) -> None:
    r = invoke("cluster", "create", "aks1", "-g", RG, "--sku", "base", "-o", fmt)
    assert r.exit_code == 0, r
    assert r.stderr.splitlines()[-1].startswith("create cluster aks1: Succeeded"), r.stderr
    if fmt == "json":
        assert json.loads(r.stdout)["properties"]["provisioningState"] == "Succeeded"
    else:
        assert "provisioningState: Succeeded" in r.stdout.splitlines()
