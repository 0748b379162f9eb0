"""az's `--node-vm-size` on akscli's pool-making commands, one option each with akscli's own name
(upstream: Azure/azure-cli src/azure-cli/azure/cli/command_modules/acs/_params.py, node_vm_size
'--node-vm-size' on aks nodepool add and aks create), so an `az aks nodepool add` line runs as it
is; and an error about a VM size names the flag the user typed."""

from __future__ import annotations

import json

import pytest

from tests.azure.helpers import RG, seed_cluster
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator

ADD = ["nodepool", "add", "gpu", "-c", "aks1", "-g", RG]
CREATE = ["cluster", "create", "aks2", "-g", RG, "--dry-run", "-o", "json"]


def test_nodepool_add_takes_az_node_vm_size(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    r = invoke(*ADD, "--node-vm-size", "Standard_NC24ads_A100_v4", "--node-count", "1")
    assert r.exit_code == 0, r
    put = azure_env.requests_to("/agentPools/gpu$", "PUT")[-1]
    assert json.loads(put.body)["properties"]["vmSize"] == "Standard_NC24ads_A100_v4"


def test_cluster_create_takes_az_node_vm_size_as_the_system_pools_size(azure_env: ArmEmulator) -> None:
    r = invoke(*CREATE, "--sku", "base", "--node-vm-size", "Standard_D8ds_v5")
    assert r.exit_code == 0, r
    [pool] = json.loads(r.stdout)["body"]["properties"]["agentPoolProfiles"]
    assert pool["vmSize"] == "Standard_D8ds_v5"


@pytest.mark.parametrize(
    ("args", "lines"),
    [
        (
            [*ADD, "--node-vm-size", "bad"],
            [
                "error: --node-vm-size: invalid VM size 'bad': an Azure VM size name",
                "hint: for example: --node-vm-size Standard_",
            ],
        ),
        (
            [*ADD, "--node-vm-size", "Standard_NC24ads_A100_v4", "--gpu", "a100"],
            ["error: give --node-vm-size or --gpu"],
        ),
        (
            [*CREATE, "--sku", "base", "--system-vm-size", "bad"],
            ["error: --system-vm-size: invalid VM size 'bad'", "hint: for example: --system-vm-size Standard_D4ds_v5"],
        ),
        (
            [*CREATE, "--sku", "automatic", "--node-vm-size", "Standard_D8ds_v5"],
            ["error: AKS Automatic manages its own system node pools: --node-vm-size cannot be set"],
        ),
    ],
    ids=["add-bad-size", "add-size-and-gpu", "create-bad-system-size", "create-automatic"],
)
def test_a_vm_size_error_names_the_flag_typed(azure_env: ArmEmulator, args: list[str], lines: list[str]) -> None:
    seed_cluster(azure_env)
    r = invoke(*args)
    assert r.exit_code == 2, r
    got = r.stderr.splitlines()[: len(lines)]
    assert len(got) == len(lines) and all(line.startswith(want) for line, want in zip(got, lines, strict=True)), (
        r.stderr
    )
    assert [e for e in azure_env.request_log if e.method not in ("GET",)] == []
