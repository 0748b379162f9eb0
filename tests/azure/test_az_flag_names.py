"""az's node-count flag names on akscli's node-pool commands, one option each (upstream:
Azure/azure-cli 0088c878 src/azure-cli/azure/cli/command_modules/acs/_params.py: node_count
'--node-count', min_count, max_count, '--enable-cluster-autoscaler', '--disable-cluster-autoscaler')."""

from __future__ import annotations

import json

import pytest

from tests.azure.helpers import RG, seed_cluster
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator

POOLS = [
    {"name": "system", "mode": "System", "count": 1, "vmSize": "Standard_D4ds_v5"},
    {"name": "work", "count": 1, "vmSize": "Standard_D8ds_v5"},
]


def _pool_body(emu: ArmEmulator, name: str) -> dict:
    put = emu.requests_to(f"/agentPools/{name}$", "PUT")[-1]
    return json.loads(put.body)["properties"]


def test_nodepool_add_takes_az_min_count_and_max_count(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    r = invoke(
        "nodepool", "add", "gpu", "--cluster", "aks1", "-g", RG,
        "--vm-size", "Standard_D8ds_v5", "--min-count", "0", "--max-count", "2",
    )  # fmt: skip
    assert r.exit_code == 0, r
    body = _pool_body(azure_env, "gpu")
    assert (body["enableAutoScaling"], body["minCount"], body["maxCount"], body["count"]) == (True, 0, 2, 0)


def test_nodepool_add_takes_az_node_count(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    r = invoke("nodepool", "add", "work", "-c", "aks1", "-g", RG, "--vm-size", "Standard_D8ds_v5", "--node-count", "3")
    assert r.exit_code == 0, r
    assert _pool_body(azure_env, "work")["count"] == 3


def test_nodepool_add_takes_az_enable_cluster_autoscaler_with_the_range(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    r = invoke(
        "nodepool", "add", "gpu", "-c", "aks1", "-g", RG, "--vm-size", "Standard_D8ds_v5",
        "--enable-cluster-autoscaler", "--node-count", "1", "--min-count", "1", "--max-count", "3",
    )  # fmt: skip
    assert r.exit_code == 0, r
    body = _pool_body(azure_env, "gpu")
    assert (body["enableAutoScaling"], body["minCount"], body["maxCount"], body["count"]) == (True, 1, 3, 1)


@pytest.mark.parametrize("verb", [["add", "--vm-size", "Standard_D8ds_v5"], ["scale"]], ids=["add", "scale"])
def test_enable_cluster_autoscaler_without_the_range_is_one_usage_line_and_sends_nothing(
    azure_env: ArmEmulator, verb: list[str]
) -> None:
    seed_cluster(azure_env, pools=POOLS)
    r = invoke("nodepool", verb[0], "work", "-c", "aks1", "-g", RG, *verb[1:], "--enable-cluster-autoscaler")
    assert r.exit_code == 2, r
    assert r.stderr.startswith("error: --enable-cluster-autoscaler needs both --min and --max")
    assert [e for e in azure_env.request_log if e.method != "GET"] == []


def test_nodepool_scale_takes_az_node_count_min_count_and_max_count(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, pools=POOLS)
    r = invoke("nodepool", "scale", "work", "-c", "aks1", "-g", RG, "--node-count", "4", "-o", "json")
    assert r.exit_code == 0, r
    assert json.loads(r.stdout)["properties"]["count"] == 4
    r = invoke(
        "nodepool", "scale", "work", "-c", "aks1", "-g", RG, "--min-count", "2", "--max-count", "6", "-o", "json"
    )
    props = json.loads(r.stdout)["properties"]
    assert (props["enableAutoScaling"], props["minCount"], props["maxCount"]) == (True, 2, 6)


def test_nodepool_scale_takes_az_disable_cluster_autoscaler(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, pools=POOLS)
    assert invoke("nodepool", "scale", "work", "-c", "aks1", "-g", RG, "--min", "1", "--max", "3").exit_code == 0
    r = invoke(
        "nodepool", "scale", "work", "-c", "aks1", "-g", RG,
        "--disable-cluster-autoscaler", "--node-count", "2", "-o", "json",
    )  # fmt: skip
    assert r.exit_code == 0, r
    props = json.loads(r.stdout)["properties"]
    assert (props["enableAutoScaling"], props["count"]) == (False, 2)


def test_cluster_create_takes_az_node_count_for_the_system_pool() -> None:
    r = invoke("cluster", "create", "aks1", "-g", RG, "--sku", "base", "--node-count", "2", "--dry-run", "-o", "json")
    assert r.exit_code == 0, r
    body = json.loads(r.stdout)["body"]
    assert [p["count"] for p in body["properties"]["agentPoolProfiles"]] == [2]


def test_c_is_still_the_cluster_not_az_node_count(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, pools=POOLS)
    r = invoke("nodepool", "scale", "work", "-c", "aks1", "-g", RG, "--node-count", "2", "--dry-run", "-o", "json")
    assert r.exit_code == 0, r
    assert "/managedClusters/aks1/agentPools/work" in json.loads(r.stdout)["url"]


@pytest.mark.parametrize(
    ("command", "names"),
    [
        (["nodepool", "add"], ["--count, --node-count", "--min, --min-count", "--max, --max-count"]),
        (["nodepool", "scale"], ["--count, --node-count", "--disable-autoscaler, --disable-cluster-autoscaler"]),
        (["cluster", "create"], ["--system-count, --node-count"]),
    ],
)
def test_help_names_az_flag_beside_akscli_s(command: list[str], names: list[str]) -> None:
    text = " ".join(invoke(*command, "--help").stdout.split())
    for name in names:
        assert name in text, name


def test_nodepool_add_takes_az_node_taints_comma_separated(azure_env: ArmEmulator) -> None:
    # az aks nodepool add --node-taints "k1=v1:NoSchedule,k2=v2:NoExecute" (Azure/azure-cli
    # acs/_validators.py validate_nodepool_taints splits it on commas).
    seed_cluster(azure_env)
    r = invoke(
        "nodepool", "add", "work2", "--cluster-name", "aks1", "-g", RG, "--vm-size", "Standard_D8ds_v5",
        "--node-taints", "sku=batch:NoSchedule,team=ml:NoExecute",
    )  # fmt: skip
    assert r.exit_code == 0, r
    assert _pool_body(azure_env, "work2")["nodeTaints"] == ["sku=batch:NoSchedule", "team=ml:NoExecute"]


def test_a_bad_taint_in_a_comma_separated_list_is_named_alone(azure_env: ArmEmulator) -> None:
    r = invoke(
        "nodepool", "add", "work2", "-c", "aks1", "-g", RG, "--vm-size", "Standard_D8ds_v5",
        "--taint", "sku=batch:NoSchedule,team=ml",
    )  # fmt: skip
    assert r.exit_code == 2, r
    assert r.stderr.startswith("error: invalid taint 'team=ml': it is not key[=value]:Effect")
    assert azure_env.requests_to("/agentPools/work2") == []
