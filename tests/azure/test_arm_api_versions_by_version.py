"""The ARM emulator answers each api-version as ARM and AKS answer it (audit 35).

- What ARM answers itself (resource groups, the Microsoft.Resources namespace) it refuses at a version
  it lacks with 400 InvalidApiVersionParameter, "The api-version 'V' is invalid. The supported
  versions are '...'." (ARM's words as quoted in inspec/inspec-azure#716 and
  ansible-collections/azure#1739; its list, in ARM's order, as Azure/azure-cli#31964 quotes it;
  tests/emulators/arm/apiversions.py).
- A global type's refusal lists no location: "The supported locations are ''." (roleAssignments, as
  quoted in Azure/azure-quickstart-templates#8013).
- At 2026-01-01, the AKS version akscli's fleet member list reads clusters at, the answer lacks what
  that version's swagger lacks, and a body carrying it is refused (tests/emulators/arm/aksolder.py:
  azure-mgmt-containerservice 41.0.0, generated from aks/stable/2026-01-01/managedClusters.json).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from akscli.fleet import armclient
from tests.azure.helpers import RG, cluster_id, seed_cluster
from tests.emulators.arm import ArmEmulator, aksolder, apiversions, routes
from tests.emulators.arm.server import ArmError


def _request(emu: ArmEmulator, method: str, path: str, version: str | None, body: Any = None) -> Any:
    query = {"api-version": [version]} if version else {}
    raw = json.dumps(body).encode() if body is not None else b""
    return routes._subscription_request(emu, method, path, query, {}, raw)


def _group(emu: ArmEmulator, name: str = RG) -> str:
    return f"/subscriptions/{emu.subscription}/resourcegroups/{name}"


def test_a_resource_group_read_at_a_version_arm_lacks_is_refused_in_arms_words(azure_env: ArmEmulator) -> None:
    with pytest.raises(ArmError) as refused:
        _request(azure_env, "GET", _group(azure_env), "2023-02-01")
    assert (refused.value.status, refused.value.code) == (400, "InvalidApiVersionParameter")
    message = str(refused.value.body()["error"]["message"])
    assert message.startswith(
        "The api-version '2023-02-01' is invalid. The supported versions are '2025-04-01,2025-03-01,"
        "2024-10-01-preview,2024-11-01,2024-08-01,2024-07-01,2024-06-01-preview,2024-03-01,"
    )
    assert message.endswith(",2014-04-01,2014-01-01,2013-03-01,2014-02-26,2014-04'.")


def test_a_resource_group_create_at_a_version_arm_lacks_creates_nothing(azure_env: ArmEmulator) -> None:
    with pytest.raises(ArmError) as refused:
        _request(azure_env, "PUT", _group(azure_env, "rg-new"), "2024-01-01", {"location": "eastus"})
    assert refused.value.code == "InvalidApiVersionParameter"
    assert (azure_env.subscription.lower(), "rg-new") not in azure_env.resource_groups


def test_a_resource_group_at_one_of_arms_versions_is_answered(azure_env: ArmEmulator) -> None:
    status, _, group = _request(azure_env, "GET", _group(azure_env), "2021-04-01")
    assert status == 200 and group["type"] == "Microsoft.Resources/resourceGroups"


def test_a_resource_group_request_without_an_api_version_is_refused(azure_env: ArmEmulator) -> None:
    with pytest.raises(ArmError) as refused:
        _request(azure_env, "GET", _group(azure_env), None)
    assert (refused.value.status, refused.value.code) == (400, "MissingApiVersionParameter")


def test_a_microsoft_resources_type_is_refused_at_a_version_arm_lacks(azure_env: ArmEmulator) -> None:
    path = f"{_group(azure_env)}/providers/Microsoft.Resources/deployments/d1"
    with pytest.raises(ArmError) as refused:
        _request(azure_env, "GET", path, "2026-08-01")
    assert refused.value.code == "InvalidApiVersionParameter"


def test_a_global_types_refusal_lists_no_supported_location(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    path = f"{cluster_id('aks1')}/providers/Microsoft.Authorization/roleAssignments/a1"
    with pytest.raises(ArmError) as refused:
        _request(azure_env, "GET", path, "2015-06-15")
    message = str(refused.value.body()["error"]["message"])
    assert "for type 'roleAssignments'. The supported api-versions are '2022-04-01'." in message
    assert message.endswith("The supported locations are ''.")


def test_a_regional_types_refusal_still_lists_its_locations(azure_env: ArmEmulator) -> None:
    path = f"/subscriptions/{azure_env.subscription}/providers/Microsoft.ManagedIdentity/userAssignedIdentities"
    with pytest.raises(ArmError) as refused:
        _request(azure_env, "GET", path, "2015-08-31-preview")
    assert "The supported locations are ''" not in str(refused.value.body()["error"]["message"])


def test_the_fleet_member_list_reads_clusters_at_the_version_aksolder_describes() -> None:
    assert armclient._AKS_API in aksolder.LACKS


def test_the_fleet_member_list_shows_only_cluster_fields_its_version_has() -> None:
    """akscli/fleet/member_clusters.py SHOWN, read at 2026-01-01: each AKS field is in that version
    (connectivityStatus is an Arc cluster's, read at Microsoft.Kubernetes 2024-01-01)."""
    from akscli.fleet.member_clusters import SHOWN
    from tests.emulators.arm import schema

    aks_fields = set(SHOWN) - {"connectivityStatus"}
    assert aks_fields <= set(schema._fields(schema.aks_models(), "ManagedClusterProperties"))
    assert not aks_fields & aksolder.LACKS[armclient._AKS_API]["ManagedClusterProperties"]


def _cluster_at(emu: ArmEmulator, version: str) -> dict[str, Any]:
    status, _, cluster = routes._arm(emu, "GET", cluster_id("aks1"), {"api-version": [version]}, b"", {})
    assert status == 200
    return dict(cluster)


NEWER = {
    "hostedSystemProfile": {"enabled": True},
    "enableFIPS": False,
    "ingressProfile": {"webAppRouting": {"enabled": True, "gatewayAPIImplementations": {}}, "gatewayAPI": {}},
}


def test_a_cluster_read_at_2026_01_01_lacks_what_that_version_does_not_define(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, **NEWER)
    props = _cluster_at(azure_env, "2026-01-01")["properties"]
    assert "hostedSystemProfile" not in props and "enableFIPS" not in props
    assert props["ingressProfile"] == {"webAppRouting": {"enabled": True}}
    assert props["kubernetesVersion"] == "1.33.5"


def test_a_cluster_read_at_2026_08_01_keeps_every_property(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, **NEWER)
    props = _cluster_at(azure_env, "2026-08-01")["properties"]
    assert props["hostedSystemProfile"] == {"enabled": True} and "gatewayAPI" in props["ingressProfile"]


def test_an_older_versions_answer_leaves_the_stored_cluster_as_it_was(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, **NEWER)
    _cluster_at(azure_env, "2026-01-01")
    assert azure_env.get_resource(cluster_id("aks1"))["properties"]["hostedSystemProfile"] == {"enabled": True}


def test_a_cluster_list_at_2026_01_01_trims_each_cluster(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, **NEWER)
    path = cluster_id("aks1").rpartition("/")[0]
    status, _, listed = routes._arm(azure_env, "GET", path, {"api-version": ["2026-01-01"]}, b"", {})
    assert status == 200 and listed["value"]
    assert all("hostedSystemProfile" not in c["properties"] for c in listed["value"])


def test_a_pool_read_at_2026_01_01_lacks_its_artifact_streaming_profile(azure_env: ArmEmulator) -> None:
    pool = {"name": "system", "mode": "System", "count": 3, "artifactStreamingProfile": {"enabled": True}}
    seed_cluster(azure_env, pools=[pool])
    path = cluster_id("aks1") + "/agentPools/system"
    status, _, read = routes._arm(azure_env, "GET", path, {"api-version": ["2026-01-01"]}, b"", {})
    assert status == 200 and "artifactStreamingProfile" not in read["properties"]


def _put_at(emu: ArmEmulator, version: str, properties: dict[str, Any]) -> None:
    body = json.dumps({"location": "eastus", "properties": properties}).encode()
    routes._arm(emu, "PUT", cluster_id("aks2"), {"api-version": [version]}, body, {})


BASE_PROPS = {"dnsPrefix": "aks2", "agentPoolProfiles": [{"name": "system", "mode": "System", "count": 1}]}


def test_a_cluster_put_at_2026_01_01_with_a_newer_property_is_refused(azure_env: ArmEmulator) -> None:
    with pytest.raises(ArmError) as refused:
        _put_at(azure_env, "2026-01-01", {**BASE_PROPS, "hostedSystemProfile": {"enabled": True}})
    assert (refused.value.status, refused.value.code) == (400, "InvalidRequestContent")
    assert "'hostedSystemProfile' is not defined for ManagedClusterProperties in api-version 2026-01-01" in (
        refused.value.message
    )
    assert azure_env.get_resource(cluster_id("aks2")) is None


def test_a_cluster_put_at_2026_01_01_with_a_newer_enum_value_is_refused(azure_env: ArmEmulator) -> None:
    pools = [{"name": "system", "mode": "System", "count": 1, "osSKU": "Windows2025"}]
    with pytest.raises(ArmError, match="'Windows2025', which api-version 2026-01-01 does not have"):
        _put_at(azure_env, "2026-01-01", {**BASE_PROPS, "agentPoolProfiles": pools})


def test_aksolder_names_only_properties_the_current_model_has() -> None:
    """Every property LACKS names is one the 2026-08-01 model has (a typo would drop nothing)."""
    from tests.emulators.arm import schema

    for lacks in aksolder.LACKS.values():
        for cls, names in lacks.items():
            assert names <= set(schema._fields(schema.aks_models(), cls)), cls


def test_every_version_aksolder_describes_is_served() -> None:
    for version in aksolder.LACKS:
        assert version in apiversions.SERVED["microsoft.containerservice/managedclusters"]
