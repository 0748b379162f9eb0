"""``--dry-run -o name`` of an AKS write prints what it would write as its show and list print it
(``cluster/NAME``, ``nodepool/NAME``), as kubectl's ``--dry-run -o name`` prints ``kind.group/name``
(k8s.io/cli-runtime pkg/printers/name.go); and the AKS deletes take only kubectl delete's ``-o name``
(kubernetes/kubernetes staging/src/k8s.io/kubectl/pkg/cmd/delete/delete.go, Validate)."""

from __future__ import annotations

import pytest

from akscli.azure import kinds
from tests.azure.helpers import RG, seed_cluster
from tests.cli import invoke
from tests.emulators.arm.server import ArmEmulator

POOLS = [
    {"name": "system", "mode": "System", "count": 1, "vmSize": "Standard_D4ds_v5"},
    {"name": "work", "count": 1, "vmSize": "Standard_D8ds_v5"},
]


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (["cluster", "create", "aks2", "-g", RG], "cluster/aks2"),
        (["cluster", "upgrade", "aks1", "-g", RG, "-k", "1.34.2"], "cluster/aks1"),
        (["cluster", "start", "aks1", "-g", RG], "cluster/aks1"),
        (["cluster", "stop", "aks1", "-g", RG], "cluster/aks1"),
        (["cluster", "delete", "aks1", "-g", RG], "cluster/aks1"),
        (["nodepool", "add", "gpu", "--cluster", "aks1", "-g", RG, "--gpu", "t4"], "nodepool/gpu"),
        (["nodepool", "scale", "work", "--cluster", "aks1", "-g", RG, "--count", "5"], "nodepool/work"),
        (["nodepool", "upgrade", "work", "--cluster", "aks1", "-g", RG, "--node-image-only"], "nodepool/work"),
        (["nodepool", "delete", "work", "--cluster", "aks1", "-g", RG], "nodepool/work"),
    ],
    ids=lambda v: " ".join(v[:2]) if isinstance(v, list) else None,
)
def test_a_dry_run_o_name_prints_the_kind_and_name_not_the_url_path(
    azure_env: ArmEmulator, args: list[str], name: str
) -> None:
    seed_cluster(azure_env, pools=POOLS)
    result = invoke(*args, "--dry-run", "-o", "name")
    assert result.exit_code == 0, result
    assert result.stdout.split() == [name]


def test_the_dry_run_name_is_the_name_show_and_list_print(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, pools=POOLS)
    shown = invoke("nodepool", "show", "work", "--cluster", "aks1", "-g", RG, "-o", "name").stdout.split()
    listed = invoke("nodepool", "list", "--cluster", "aks1", "-g", RG, "-o", "name").stdout.split()
    dry = invoke("nodepool", "scale", "work", "-c", "aks1", "-g", RG, "--count", "2", "--dry-run", "-o", "name")
    assert shown == dry.stdout.split() == ["nodepool/work"] and "nodepool/work" in listed
    assert invoke("cluster", "show", "aks1", "-g", RG, "-o", "name").stdout.split() == ["cluster/aks1"]
    assert invoke("cluster", "list", "-g", RG, "-o", "name").stdout.split() == ["cluster/aks1"]


@pytest.mark.parametrize(
    "command",
    [["cluster", "delete", "aks1"], ["nodepool", "delete", "work", "--cluster", "aks1"]],
    ids=["cluster", "nodepool"],
)
@pytest.mark.parametrize("fmt", ["json", "yaml", "table", "wide"])
def test_a_delete_refuses_any_output_but_name_before_any_request(
    azure_env: ArmEmulator, command: list[str], fmt: str
) -> None:
    seed_cluster(azure_env, pools=POOLS)
    before = len(azure_env.request_log)
    result = invoke(*command, "-g", RG, "-y", "-o", fmt)
    assert result.exit_code == 2, result
    assert result.stderr.count("error:") == 1 and "name" in result.stderr
    assert len(azure_env.request_log) == before


@pytest.mark.parametrize(
    ("command", "name"),
    [(["cluster", "delete", "aks1"], "cluster/aks1"), (["nodepool", "delete", "work", "-c", "aks1"], "nodepool/work")],
    ids=["cluster", "nodepool"],
)
def test_a_no_wait_delete_o_name_prints_the_name_as_kubectl_delete_wait_false_does(
    azure_env: ArmEmulator, command: list[str], name: str
) -> None:
    seed_cluster(azure_env, pools=POOLS)
    result = invoke(*command, "-g", RG, "-y", "--no-wait", "-o", "name")
    assert result.exit_code == 0, result
    assert result.stdout.split() == [name]


SUB = "/subscriptions/s/resourceGroups/rg/providers"
AKS = f"{SUB}/Microsoft.ContainerService"
CC = f"{SUB}/Microsoft.Kubernetes/connectedClusters/edge1"
POOL = f"{SUB}/Microsoft.AzureStackHCI/devicePools/p"


@pytest.mark.parametrize(
    ("url", "name"),
    [
        (f"https://management.azure.com{AKS}/managedClusters/ml?api-version=1", "cluster/ml"),
        (f"{AKS}/managedClusters/ml/stop", "cluster/ml"),
        (f"{AKS}/managedClusters/ml/agentPools/gpu/upgradeNodeImageVersion", "nodepool/gpu"),
        (f"{SUB}/Microsoft.ContainerService/fleets/f", "fleet/f"),
        (f"{SUB}/Microsoft.ContainerService/fleets/f/members/m", "member/m"),
        (f"{SUB}/Microsoft.ContainerService/fleets/f/updateRuns/r/start", "updaterun/r"),
        (f"{SUB}/Microsoft.ContainerService/fleets/f/updateStrategies/s", "updatestrategy/s"),
        (f"{SUB}/Microsoft.ContainerService/fleets/f/autoUpgradeProfiles/p", "autoupgradeprofile/p"),
        (f"{SUB}/Microsoft.ContainerService/fleets/f/gates/g", "gate/g"),
        (CC, "connectedcluster/edge1"),
        (f"{CC}/providers/Microsoft.HybridContainerService/provisionedClusterInstances/default",
         "baremetalcluster/edge1"),
        (f"{CC}/providers/Microsoft.KubernetesConfiguration/extensions/azure-policy", "extension/azure-policy"),
        (f"{POOL}/providers/Microsoft.Authorization/roleAssignments/1-2", "roleassignment/1-2"),
        (POOL, "devicepool/p"),
        (f"{SUB}/Microsoft.AzureStackHCI/logicalNetworks/edge1-lnet", "logicalnetwork/edge1-lnet"),
    ],
)  # fmt: skip
def test_every_resource_type_akscli_writes_has_one_kind(url: str, name: str) -> None:
    assert kinds.ref(url) == name
