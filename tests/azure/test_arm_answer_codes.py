"""The status codes the ARM emulator answers, read against the published API itself (audit 33).

Each operation's answers are the ones its REST spec declares. The official SDK is generated from that
spec and refuses any other status ("Operation returned an invalid status"): each generated
``_<operation>_initial`` method lists them (``if response.status_code not in [...]``). These tests
read that list out of azure-mgmt-containerservice 41.8.0 (Azure/azure-rest-api-specs aks/stable/
2026-08-01) and azure-mgmt-containerservicefleet 4.0.0 (fleet 2026-06-01), and hold the emulator's
answer to it, for a write done at once (``lro_polls`` 0) and for one still running. Before audit 33 a
cluster's or a pool's DELETE done at once answered 200 (the spec has 202 and 204) and a node image
upgrade done at once 204 (the spec has 200 and 202): the SDK, and so akscli, failed both.
"""

from __future__ import annotations

import importlib
import inspect
import re
from collections.abc import Callable

import pytest

from tests.azure.helpers import RG, cluster_id, seed_cluster
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator, routes
from tests.fleet import armworld

AKS = {"api-version": ["2026-08-01"]}
FLEET = {"api-version": ["2026-06-01"]}


def declared(package: str, operations: str, method: str) -> list[int]:
    """The statuses the spec declares for one operation, as its generated SDK method checks them."""
    module = importlib.import_module(f"azure.mgmt.{package}.operations._operations")
    source = inspect.getsource(getattr(getattr(module, operations), method))
    found = re.search(r"status_code not in \[([\d, ]+)\]", source)
    assert found is not None, f"{operations}.{method} checks no status"
    return [int(code) for code in found.group(1).split(",")]


POOLS = [
    {"name": "system", "mode": "System", "count": 3, "vmSize": "Standard_D4ds_v5"},
    {"name": "gpu", "mode": "User", "count": 1, "vmSize": "Standard_NC24ads_A100_v4"},
]


def _pool(emu: ArmEmulator) -> str:
    seed_cluster(emu)
    return cluster_id("aks1") + "/agentPools/system"


def _user_pool(emu: ArmEmulator) -> str:
    seed_cluster(emu, pools=POOLS)
    return cluster_id("aks1") + "/agentPools/gpu"


def _cluster(emu: ArmEmulator) -> str:
    seed_cluster(emu)
    return cluster_id("aks1")


def _auto_profile(emu: ArmEmulator) -> str:
    armworld.make_fleet(emu)
    rid = f"{armworld.fleet_id(emu)}/autoUpgradeProfiles/stable"
    emu.put_resource(rid, {"properties": {"channel": "Stable"}})
    return rid


def _member(emu: ArmEmulator) -> str:
    armworld.make_fleet(emu)
    armworld.seed_member(emu, "gpu", armworld.aks_id(emu, "aks-gpu"), "cloud")
    return f"{armworld.fleet_id(emu)}/members/gpu"


# (what is seeded, method, path after the resource, body, api-version, SDK package, operations class, method)
OPERATIONS: list[tuple[Callable[[ArmEmulator], str], str, str, bytes, dict[str, list[str]], str, str, str]] = [
    (_cluster, "DELETE", "", b"", AKS, "containerservice", "ManagedClustersOperations", "_delete_initial"),
    (_user_pool, "DELETE", "", b"", AKS, "containerservice", "AgentPoolsOperations", "_delete_initial"),
    (
        _pool,
        "POST",
        "/upgradeNodeImageVersion",
        b"",
        AKS,
        "containerservice",
        "AgentPoolsOperations",
        "_upgrade_node_image_version_initial",
    ),
    (_cluster, "POST", "/stop", b"", AKS, "containerservice", "ManagedClustersOperations", "_stop_initial"),
    (
        _cluster,
        "PATCH",
        "",
        b'{"tags": {"team": "ml"}}',
        AKS,
        "containerservice",
        "ManagedClustersOperations",
        "_update_tags_initial",
    ),
    (
        _auto_profile,
        "DELETE",
        "",
        b"",
        FLEET,
        "containerservicefleet",
        "AutoUpgradeProfilesOperations",
        "_delete_initial",
    ),
    (_member, "DELETE", "", b"", FLEET, "containerservicefleet", "FleetMembersOperations", "_delete_initial"),
]
IDS = [f"{op[6]}.{op[7]}" for op in OPERATIONS]


@pytest.mark.parametrize("polls", [0, 1], ids=["done at once", "still running"])
@pytest.mark.parametrize(("seed", "method", "tail", "body", "query", "package", "ops", "name"), OPERATIONS, ids=IDS)
def test_the_emulator_answers_a_status_the_published_api_declares(
    azure_env: ArmEmulator,
    polls: int,
    seed: Callable[[ArmEmulator], str],
    method: str,
    tail: str,
    body: bytes,
    query: dict[str, list[str]],
    package: str,
    ops: str,
    name: str,
) -> None:
    rid = seed(azure_env)
    azure_env.lro_polls = polls
    status, _, _ = routes._arm(azure_env, method, rid + tail, query, body, {})
    assert status in declared(package, ops, name)


def test_a_node_image_upgrade_done_at_once_answers_200_with_no_body(azure_env: ArmEmulator) -> None:
    # AgentPools_UpgradeNodeImageVersion's 200 has no schema (aks/stable/2026-08-01 managedClusters.json).
    pool = _pool(azure_env)
    azure_env.lro_polls = 0
    assert routes._arm(azure_env, "POST", pool + "/upgradeNodeImageVersion", AKS, b"", {}) == (200, {}, None)


def test_a_cluster_delete_done_at_once_answers_204(azure_env: ArmEmulator) -> None:
    # examples/ManagedClustersDelete.json: 202 with a location header, or 204.
    rid = _cluster(azure_env)
    azure_env.lro_polls = 0
    assert routes._arm(azure_env, "DELETE", rid, AKS, b"", {}) == (204, {}, None)
    assert azure_env.get_resource(rid) is None


def test_cluster_delete_succeeds_when_azure_deletes_at_once(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    azure_env.lro_polls = 0
    r = invoke("cluster", "delete", "aks1", "-g", RG, "-y")
    assert r.exit_code == 0, r.stderr
    assert azure_env.get_resource(cluster_id("aks1")) is None


def test_nodepool_delete_succeeds_when_azure_deletes_at_once(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, pools=POOLS)
    azure_env.lro_polls = 0
    r = invoke("nodepool", "delete", "gpu", "-c", "aks1", "-g", RG, "-y")
    assert r.exit_code == 0, r.stderr
    assert azure_env.get_resource(cluster_id("aks1") + "/agentPools/gpu") is None


def test_a_node_image_upgrade_succeeds_when_azure_finishes_it_at_once(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    azure_env.lro_polls = 0
    r = invoke("nodepool", "upgrade", "system", "-c", "aks1", "-g", RG, "--node-image-only", "-y")
    assert r.exit_code == 0, r.stderr
