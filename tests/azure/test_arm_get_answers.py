"""The clusters the ARM emulator answers with carry what a real GET carries, and akscli reads them.

The reference is Microsoft's own GET answers: the official REST examples of the api-version akscli
sends (Azure/azure-rest-api-specs aks/stable/2026-08-01 examples/ManagedClustersGet.json and
AgentPoolsGet.json, kept in ../shared/data/arm-examples). A cluster created through the emulator, a
cluster a test seeds (tests/azure/helpers.seed_cluster) and the example itself must all be read by
`cluster show/list` and `nodepool list/show`, and sent back by a read-modify-write without a field
the spec marks read-only."""

from __future__ import annotations

import json
import shlex
from typing import Any

import pytest

from tests.azure.helpers import RG, cluster_id, seed_cluster
from tests.azure.test_arm_write_bodies import AKS_WRITES, CONTROL_PLANE, EXAMPLES, _dry_run, _read_only
from tests.cli import invoke
from tests.emulators.arm import DEFAULT_SUBSCRIPTION, ArmEmulator

GET = "containerservice-2026-08-01/ManagedClustersGet.json"
POOL_GET = "containerservice-2026-08-01/AgentPoolsGet.json"


def _example(name: str) -> dict[str, Any]:
    """The example's 200 body, moved into the test world's subscription and resource group."""
    raw = (EXAMPLES / name).read_text()
    raw = raw.replace("00000000-0000-0000-0000-000000000000", DEFAULT_SUBSCRIPTION)
    raw = raw.replace("/resourceGroups/rg1/", f"/resourceGroups/{RG}/")
    body: dict[str, Any] = json.loads(raw)["responses"]["200"]["body"]
    return body


# What AKS fills in of a cluster it made, as the example GET shows it: the fields a create body does
# not send (the example's request has neither), plus networkProfile, which AKS completes.
FILLED = ("azurePortalFQDN", "currentKubernetesVersion", "fqdn", "maxAgentPools", "networkProfile",
          "nodeResourceGroup", "provisioningState")  # fmt: skip
# The example's networkProfile keys, less loadBalancerProfile: its outbound IPs are the two the
# example's request asked for (aksrules.created_network).
NETWORK_KEYS = sorted(set(_example(GET)["properties"]["networkProfile"]) - {"loadBalancerProfile"})


def test_a_cluster_created_without_a_network_reads_back_every_network_field_of_the_official_get(
    azure_env: ArmEmulator,
) -> None:
    # Before: podCidr, serviceCidr, dnsServiceIP and the plugin only (no podCidrs, serviceCidrs,
    # ipFamilies, loadBalancerSku, outboundType).
    assert (
        invoke("cluster", "create", "new1", "-g", RG, "--sku", "base", "--node-provisioning", "manual", "-y").exit_code
        == 0
    )
    created = azure_env.get_resource(cluster_id("new1"))
    assert created is not None
    net = created["properties"]["networkProfile"]
    assert sorted(set(net) & set(NETWORK_KEYS)) == NETWORK_KEYS
    assert (net["loadBalancerSku"], net["outboundType"], net["ipFamilies"]) == ("standard", "loadBalancer", ["IPv4"])
    assert (net["podCidrs"], net["serviceCidrs"]) == ([net["podCidr"]], [net["serviceCidr"]])


def test_a_kubenet_cluster_reads_back_its_pod_range_as_the_official_example_does(azure_env: ArmEmulator) -> None:
    # ManagedClustersCreate_UpdateWithEnableAzureRBAC.json: a kubenet request without ranges reads back
    # podCidr 10.244.0.0/16. Before: only overlay got a pod range.
    from akscli.azure import arm, clusters
    from akscli.azure.arm import AzureTarget

    spec = clusters.ClusterSpec(name="new1", resource_group=RG, location="eastus", sku="base")
    body = clusters.build_create_body(spec)
    body["properties"]["networkProfile"] = {"networkPlugin": "kubenet"}
    c = clusters.client(AzureTarget())
    arm.wait_lro(arm.call("create", lambda: c.managed_clusters.begin_create_or_update(RG, "new1", body)), "create")
    net = (azure_env.get_resource(cluster_id("new1")) or {})["properties"]["networkProfile"]
    assert (net["podCidr"], net["podCidrs"]) == ("10.244.0.0/16", ["10.244.0.0/16"])


def test_a_seeded_cluster_carries_what_the_official_get_carries(azure_env: ArmEmulator) -> None:
    # Before: no networkProfile, nodeResourceGroup, azurePortalFQDN or maxAgentPools; a pool with no
    # maxPods or nodeImageVersion.
    seed_cluster(azure_env)
    props = (azure_env.get_resource(cluster_id("aks1")) or {})["properties"]
    assert [key for key in FILLED if key not in props] == []
    assert sorted(set(props["networkProfile"]) & set(NETWORK_KEYS)) == NETWORK_KEYS
    pool = (azure_env.get_resource(cluster_id("aks1") + "/agentPools/system") or {})["properties"]
    example_pool = _example(POOL_GET)["properties"]
    assert [key for key in ("maxPods", "nodeImageVersion", "eTag") if key in example_pool and key not in pool] == []


def test_a_seeded_cluster_has_the_network_a_created_one_has(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    assert (
        invoke("cluster", "create", "new1", "-g", RG, "--sku", "base", "--node-provisioning", "manual", "-y").exit_code
        == 0
    )
    seeded, created = (azure_env.get_resource(cluster_id(n)) or {} for n in ("aks1", "new1"))
    assert seeded["properties"]["networkProfile"] == created["properties"]["networkProfile"]


def test_the_readers_take_the_official_get_examples_as_they_are(azure_env: ArmEmulator) -> None:
    # The example GETs lack what akscli's own world always has (sku, powerState, a pool's mode):
    # every reader still answers, with <none> for what is not there.
    cluster, pool = _example(GET), _example(POOL_GET)
    azure_env.put_resource(cluster["id"], cluster)
    azure_env.put_resource(pool["id"], pool)
    show = invoke("cluster", "show", "clustername1", "-g", RG, "-o", "json")
    assert show.exit_code == 0, show
    assert json.loads(show.stdout)["properties"]["networkProfile"] == cluster["properties"]["networkProfile"]
    listed = invoke("cluster", "list", "-g", RG, "-o", "wide")
    assert listed.exit_code == 0, listed
    assert listed.stdout.split("\n")[1].split() == [
        "clustername1", RG, "location1", "1.9.6", "Base/Free", "Succeeded", "<none>", "1", "3", "0", "false",
        "<none>", "dnsprefix1-abcd1234.hcp.eastus.azmk8s.io",
    ]  # fmt: skip
    pools = invoke("nodepool", "list", "-c", "clustername1", "-g", RG, "-o", "wide")
    assert pools.exit_code == 0, pools
    assert pools.stdout.split("\n")[1].split()[:7] == [
        "agentpool1",
        "<none>",
        "Standard_DS1_v2",
        "3",
        "off",
        "0",
        "1.9.6",
    ]
    shown = invoke("nodepool", "show", "agentpool1", "-c", "clustername1", "-g", RG)
    assert shown.exit_code == 0, shown
    assert "AKSUbuntu:1604:2020.03.11" in shown.stdout


def test_a_read_modify_write_of_the_official_get_sends_back_nothing_read_only(azure_env: ArmEmulator) -> None:
    # The example's read-only fields (eTag, fqdn, azurePortalFQDN, currentKubernetesVersion,
    # provisioningState, maxAgentPools, a pool's currentOrchestratorVersion and eTag,
    # effectiveOutboundIPs) stay out of the PUT, as az's SDK model leaves them out.
    cluster = _example(GET)
    azure_env.put_resource(cluster["id"], cluster)
    for request in _dry_run("cluster", "update", "clustername1", "-g", RG, "--tier", "standard"):
        assert _read_only(request) == []
        assert request["body"]["properties"]["networkProfile"]["podCidrs"] == ["10.244.0.0/16"]


@pytest.mark.parametrize(
    "case", [case for case, line in AKS_WRITES.items() if line.split()[1] not in ("create", "add")]
)
def test_a_write_built_from_a_get_carries_nothing_the_spec_marks_read_only(azure_env: ArmEmulator, case: str) -> None:
    # test_arm_write_bodies holds the creates to this; a read-modify-write (upgrade, update, scale)
    # sends back a seeded GET, now as full as Azure's.
    seed_cluster(azure_env, **CONTROL_PLANE.get(case, {}))
    for request in _dry_run(*shlex.split(AKS_WRITES[case])):
        assert _read_only(request) == []


def test_a_range_sent_only_in_its_list_reads_back_in_the_single_field_too(azure_env: ArmEmulator) -> None:
    # ManagedClustersCreate_DualStackNetworking.json reads back podCidr and serviceCidr as the first of
    # podCidrs and serviceCidrs. Before: the single fields stayed empty.
    seed_cluster(azure_env, networkProfile={"networkPlugin": "kubenet", "podCidrs": ["10.1.0.0/16"],
                                            "serviceCidrs": ["10.2.0.0/16"], "dnsServiceIP": "10.2.0.10"})  # fmt: skip
    net = (azure_env.get_resource(cluster_id("aks1")) or {})["properties"]["networkProfile"]
    assert (net["podCidr"], net["serviceCidr"]) == ("10.1.0.0/16", "10.2.0.0/16")
