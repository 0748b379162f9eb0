"""A stopped cluster, or a stopped pool, keeps its configured `count` in ARM while its VMs are
stopped (upstream: Azure/azure-rest-api-specs aks/stable/2026-08-01 AgentPool powerState, "A stopped
Agent Pool stops all of its VMs"; ManagedClusters Stop, "stops the control plane and agent nodes
entirely"): the summary counts running nodes and GPUs and says how many are stopped."""

from __future__ import annotations

from tests.azure.helpers import RG, seed_cluster
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator

POOLS = [
    {"name": "system", "mode": "System", "count": 3, "vmSize": "Standard_D4ds_v5"},
    {"name": "gpu", "count": 2, "vmSize": "Standard_NC24ads_A100_v4"},
]


def _row(name: str = "aks1") -> dict[str, str]:
    r = invoke("cluster", "list", "-g", RG)
    assert r.exit_code == 0, r
    lines = r.stdout.splitlines()
    header = lines[0]
    starts = [header.index(h) for h in header.split()]
    for line in lines[1:]:
        if line.startswith(name + " "):
            cells = [line[a:b].strip() for a, b in zip(starts, [*starts[1:], None], strict=True)]
            return dict(zip(header.lower().split(), cells, strict=True))
    raise AssertionError(r.stdout)


def test_a_stopped_cluster_counts_no_running_nodes_or_gpus(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, pools=POOLS)
    assert (_row()["nodes"], _row()["gpus"]) == ("5", "2")
    assert invoke("cluster", "stop", "aks1", "-g", RG).exit_code == 0
    row = _row()
    assert (row["power"], row["nodes"], row["gpus"]) == ("Stopped", "0 (5 stopped)", "0 (2 stopped)")


def test_a_stopped_pool_of_a_running_cluster_is_counted_as_stopped(azure_env: ArmEmulator) -> None:
    pools = [POOLS[0], {**POOLS[1], "powerState": {"code": "Stopped"}}]
    seed_cluster(azure_env, pools=pools)
    row = _row()
    assert (row["power"], row["nodes"], row["gpus"]) == ("Running", "3 (2 stopped)", "0 (2 stopped)")
