"""`nodepool add --min/--max` on a cluster with node auto-provisioning (AKS Automatic, or
`--node-provisioning auto`) is refused, as AKS refuses it. The hint said only "leave node creation
to auto-provisioning", and named no way to do that: it now names the commands that make the same
nodes on demand, a Karpenter NodePool of the pool's name and size on the cluster's kube context."""

from __future__ import annotations

import shlex

from tests.azure.helpers import RG, seed_cluster
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator

H100 = "Standard_ND96isr_H100_v5"


def _add_autoscaled_gpu_pool() -> object:
    return invoke(
        "nodepool", "add", "gpu", "-c", "aks1", "-g", RG, "--gpu", "h100", "--gpus-per-node", "8", "--min", "0",
        "--max", "4",
    )  # fmt: skip


def test_the_refusal_names_the_auto_provisioned_pool_that_makes_the_same_nodes(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, nodeProvisioningProfile={"mode": "Auto"})
    result = _add_autoscaled_gpu_pool()
    assert result.exit_code == 2, result
    assert result.stderr.splitlines()[-1] == (
        "hint: give a fixed size with --count 1, or let auto-provisioning make the nodes: "
        f"akscli cluster credentials aks1 -g {RG}, then akscli nodepool add gpu --auto-provision --vm-size {H100}"
    )
    assert azure_env.requests_to("/agentPools/gpu$", "PUT") == []


def test_the_named_auto_provisioned_pool_is_one_akscli_takes(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, nodeProvisioningProfile={"mode": "Auto"})
    hint = _add_autoscaled_gpu_pool().stderr.splitlines()[-1]
    command = shlex.split(hint.rpartition(", then ")[2])
    assert command[:3] == ["akscli", "nodepool", "add"]
    result = invoke(*command[1:], "--dry-run=client")
    assert result.exit_code == 0, result
    assert "kind: NodePool" in result.stdout and f"- {H100}" in result.stdout


def test_scaling_an_existing_pool_keeps_its_hint(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, nodeProvisioningProfile={"mode": "Auto"})
    result = invoke("nodepool", "scale", "system", "-c", "aks1", "-g", RG, "--min", "1", "--max", "3")
    assert result.exit_code == 2, result
    assert result.stderr.splitlines()[-1] == (
        "hint: give a fixed size with --count 1, or leave node creation to auto-provisioning"
    )
