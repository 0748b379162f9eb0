"""The ARM emulator's eTags and If-Match / If-None-Match on PUT, PATCH and DELETE, as the RPC and
AKS publish them (upstream: Azure/azure-resource-manager-rpc 69e229f v1.0/Addendum.md "ETags for
Resources"; MicrosoftDocs/azure-aks-docs fb060abe articles/aks/use-etags.md)."""

from __future__ import annotations

from typing import Any

import pytest

from akscli.azure import arm
from akscli.azure.armerrors import arm_endpoint
from akscli.azure.clusters import API_VERSION
from tests.azure.helpers import cluster_id, seed_cluster
from tests.emulators.arm import ArmEmulator

CLUSTER = cluster_id("aks1")
POOL = f"{CLUSTER}/agentPools/system"


def send(method: str, path: str, headers: dict[str, str], body: dict[str, Any] | None = None) -> tuple[int, str]:
    """One raw request: its status and its error code ("" when it has none)."""
    from azure.core.rest import HttpRequest

    client = arm.raw_client(arm.AzureTarget())
    request = HttpRequest(
        method, arm_endpoint() + path, params={"api-version": API_VERSION}, json=body, headers=headers
    )
    response = client.send_request(request)
    code = ""
    if response.status_code >= 400:
        code = str(response.json().get("error", {}).get("code", ""))
    return response.status_code, code


def etag(emu: ArmEmulator, rid: str) -> str:
    obj = emu.get_resource(rid) or {}
    return str(obj["properties"]["eTag"] if "/agentPools/" in rid else obj["eTag"])


def pool_put_body(emu: ArmEmulator) -> dict[str, Any]:
    props = dict((emu.get_resource(POOL) or {})["properties"])
    for read_only in ("eTag", "provisioningState", "currentOrchestratorVersion"):
        props.pop(read_only, None)
    return {"properties": {**props, "count": 4}}


def test_a_pool_put_with_a_stale_if_match_is_412_preconditionfailed(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    assert send("PUT", POOL, {"If-Match": "stale"}, pool_put_body(azure_env)) == (412, "PreConditionFailed")
    assert (azure_env.get_resource(POOL) or {})["properties"]["count"] == 3


def test_a_pool_put_with_the_current_if_match_succeeds_and_changes_the_etag(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    before = etag(azure_env, POOL)
    status, _ = send("PUT", POOL, {"If-Match": before}, pool_put_body(azure_env))
    assert status in (200, 201)
    assert etag(azure_env, POOL) != before


def test_a_pool_operation_changes_only_the_pool_etag(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    cluster_before = etag(azure_env, CLUSTER)
    send("PUT", POOL, {}, pool_put_body(azure_env))
    azure_env.complete_operation(POOL)
    assert etag(azure_env, CLUSTER) == cluster_before
    profile = (azure_env.get_resource(CLUSTER) or {})["properties"]["agentPoolProfiles"][0]
    assert profile["eTag"] == etag(azure_env, POOL)


def test_a_cluster_operation_changes_the_cluster_and_pool_etags(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    cluster_before, pool_before = etag(azure_env, CLUSTER), etag(azure_env, POOL)
    assert send("POST", f"{CLUSTER}/stop", {})[0] in (200, 202)
    azure_env.complete_operation(CLUSTER)
    assert etag(azure_env, CLUSTER) != cluster_before and etag(azure_env, POOL) != pool_before


def test_if_none_match_star_on_an_existing_cluster_is_412(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    body = {"location": "eastus", "properties": {"dnsPrefix": "x"}}
    assert send("PUT", CLUSTER, {"If-None-Match": "*"}, body) == (412, "PreConditionFailed")


def test_if_match_on_a_put_of_a_cluster_that_does_not_exist_is_412(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    body = {"location": "eastus", "properties": {"dnsPrefix": "x"}}
    assert send("PUT", cluster_id("aks9"), {"If-Match": "*"}, body) == (412, "PreConditionFailed")


def test_a_tags_patch_with_a_stale_if_match_is_412(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    assert send("PATCH", CLUSTER, {"If-Match": "stale"}, {"tags": {"a": "b"}}) == (412, "PreConditionFailed")


def test_a_tags_patch_of_a_missing_cluster_is_404_whatever_its_if_match(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    assert send("PATCH", cluster_id("aks9"), {"If-Match": "stale"}, {"tags": {"a": "b"}})[0] == 404


def test_a_delete_with_a_stale_if_match_is_412_and_keeps_the_cluster(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    assert send("DELETE", CLUSTER, {"If-Match": "stale"}) == (412, "PreConditionFailed")
    assert azure_env.get_resource(CLUSTER) is not None


def test_a_delete_of_a_missing_cluster_is_204_whatever_its_if_match(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    assert send("DELETE", cluster_id("aks9"), {"If-Match": "stale"}) == (204, "")


@pytest.mark.parametrize(
    "headers",
    [{"If-None-Match": "abc"}, {"If-Match": "abc", "If-None-Match": "*"}],
    ids=["if-none-match not *", "both headers"],
)
def test_aks_prevalidation_refuses_bad_condition_headers_with_400(
    azure_env: ArmEmulator, headers: dict[str, str]
) -> None:
    seed_cluster(azure_env)
    assert send("PUT", POOL, headers, pool_put_body(azure_env)) == (400, "BadRequest")


def test_a_cluster_put_changes_its_pools_etags_too(azure_env: ArmEmulator) -> None:
    from tests.azure.helpers import RG
    from tests.cli import invoke

    seed_cluster(azure_env)
    before = etag(azure_env, POOL)
    assert invoke("cluster", "upgrade", "aks1", "-g", RG, "-k", "1.34.2", "-y").exit_code == 0
    assert etag(azure_env, POOL) != before
    assert (azure_env.get_resource(CLUSTER) or {})["properties"]["agentPoolProfiles"][0]["eTag"] == etag(
        azure_env, POOL
    )
