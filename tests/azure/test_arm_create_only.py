"""Create-only AKS properties: the ARM emulator refuses a change to one, as AKS refuses dnsPrefix,
and akscli never sends one other than as it was read.

The 2026-08-01 spec (Azure/azure-rest-api-specs aks/stable/2026-08-01 managedClusters.json) says
dnsPrefix and fqdnSubdomain "cannot be updated once the Managed Cluster has been created", and a
pool's osDiskType "May not be changed after creation". Its outboundType line ("can only be set at
cluster creation time") is out of date: AKS's own page lists the supported changes
(MicrosoftDocs/azure-aks-docs articles/aks/egress-outboundtype.md, "Update outboundType after cluster
creation"), so the emulator takes one; akscli sends none either way.
"""

from __future__ import annotations

import re
import shlex
from typing import Any

import pytest

from tests.azure.helpers import cluster_id, seed_cluster
from tests.azure.test_arm_write_bodies import AKS_WRITES, CONTROL_PLANE, _dry_run
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator

CREATE_ONLY = ("dnsPrefix", "fqdnSubdomain", "osDiskType", "outboundType")


def _put(path: str, body: dict[str, Any]) -> None:
    from akscli.azure import arm

    client = arm.raw_client(arm.AzureTarget())
    arm.wait_lro(arm.raw_begin(client, "PUT", path, "2026-08-01", body), "put")


def _refused(key: str) -> Any:
    from akscli.errors import AkscliError

    return pytest.raises(AkscliError, match=re.escape(f"(PropertyChangeNotAllowed): Changing property '{key}'"))


def _seed(azure_env: ArmEmulator, pools: list[dict[str, Any]] | None = None, **props: Any) -> str:
    """The seeded cluster; ``pools`` (a case's own, CONTROL_PLANE's) each with an Ephemeral OS disk (AS_READ)."""
    system = {"name": "system", "mode": "System", "count": 3, "vmSize": "Standard_D4ds_v5"}
    return seed_cluster(azure_env, pools=[{**p, "osDiskType": "Ephemeral"} for p in pools or [system]], **props)


def _cluster_body(azure_env: ArmEmulator, **props: Any) -> dict[str, Any]:
    cluster = azure_env.get_resource(cluster_id("aks1"))
    assert cluster is not None
    return {"location": cluster["location"], "sku": cluster["sku"], "properties": props}


def test_the_emulator_refuses_a_new_fqdn_subdomain_on_an_existing_cluster(azure_env: ArmEmulator) -> None:
    _seed(azure_env, fqdnSubdomain="team-a")
    with _refused("fqdnSubdomain"):
        _put(cluster_id("aks1"), _cluster_body(azure_env, fqdnSubdomain="team-b"))


def test_the_emulator_refuses_an_fqdn_subdomain_added_to_a_cluster_created_without_one(
    azure_env: ArmEmulator,
) -> None:
    _seed(azure_env)
    with _refused("fqdnSubdomain"):
        _put(cluster_id("aks1"), _cluster_body(azure_env, fqdnSubdomain="team-a"))


def test_the_emulator_takes_the_same_fqdn_subdomain_sent_back(azure_env: ArmEmulator) -> None:
    rid = _seed(azure_env, fqdnSubdomain="team-a")
    _put(cluster_id("aks1"), _cluster_body(azure_env, fqdnSubdomain="team-a"))
    stored = azure_env.get_resource(rid)
    assert stored is not None and stored["properties"]["fqdnSubdomain"] == "team-a"


def test_the_emulator_refuses_a_new_os_disk_type_on_an_existing_pool(azure_env: ArmEmulator) -> None:
    rid = _seed(azure_env) + "/agentPools/system"
    with _refused("osDiskType"):
        _put(rid, {"properties": {"vmSize": "Standard_D4ds_v5", "count": 3, "osDiskType": "Managed"}})


def test_the_emulator_refuses_a_new_os_disk_type_in_a_clusters_pool_profiles(azure_env: ArmEmulator) -> None:
    _seed(azure_env)
    pools = [{"name": "system", "mode": "System", "count": 3, "vmSize": "Standard_D4ds_v5", "osDiskType": "Managed"}]
    with _refused("osDiskType"):
        _put(cluster_id("aks1"), _cluster_body(azure_env, agentPoolProfiles=pools))


def test_the_emulator_takes_a_pool_sent_back_with_its_os_disk_type(azure_env: ArmEmulator) -> None:
    rid = _seed(azure_env) + "/agentPools/system"
    _put(rid, {"properties": {"vmSize": "Standard_D4ds_v5", "count": 4, "osDiskType": "Ephemeral"}})
    stored = azure_env.get_resource(rid)
    assert stored is not None and stored["properties"]["count"] == 4


def _create_only(value: Any, path: str = "") -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        return [
            found
            for k, v in value.items()
            for found in ([(f"{path}.{k}", v)] if k in CREATE_ONLY else _create_only(v, f"{path}.{k}"))
        ]
    if isinstance(value, list):
        return [found for i, v in enumerate(value) for found in _create_only(v, f"{path}[{i}]")]
    return []


# What the seeded cluster holds: a PUT built from a GET carries these back unchanged.
AS_READ = {
    "dnsPrefix": "aks1-dns",
    "fqdnSubdomain": "team-a",
    "osDiskType": "Ephemeral",
    "outboundType": "loadBalancer",
}


@pytest.mark.parametrize("case", list(AKS_WRITES))
def test_akscli_sends_a_create_only_property_only_as_it_was_read(azure_env: ArmEmulator, case: str) -> None:
    network = {"networkProfile": {"networkPlugin": "azure", "outboundType": "loadBalancer"}}
    _seed(azure_env, fqdnSubdomain="team-a", **{**network, **CONTROL_PLANE.get(case, {})})
    if "autoscaler off" in case:
        azure_env.update_resource(
            cluster_id("aks1") + "/agentPools/system",
            lambda o: o["properties"].update(enableAutoScaling=True, minCount=1, maxCount=5),
        )
    creates = AKS_WRITES[case].split()[1] in ("create", "add")
    for request in _dry_run(*shlex.split(AKS_WRITES[case])):
        found = _create_only(request.get("body"))
        # A create sets only the cluster's DNS prefix (from its name); an update sends back what it read.
        expected = (
            [(p, v) for p, v in found if p == ".properties.dnsPrefix"]
            if creates
            else [(p, AS_READ[p.rsplit(".")[-1]]) for p, _ in found]
        )
        assert found == expected


def test_nodepool_scale_keeps_the_pools_os_disk_type(azure_env: ArmEmulator) -> None:
    rid = _seed(azure_env) + "/agentPools/system"
    r = invoke("nodepool", "scale", "system", "-c", "aks1", "-g", "rg-ml", "--count", "4")
    assert r.exit_code == 0, r
    stored = azure_env.get_resource(rid)
    assert stored is not None
    assert (stored["properties"]["count"], stored["properties"]["osDiskType"]) == (4, "Ephemeral")
