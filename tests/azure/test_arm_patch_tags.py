"""The ARM emulator's PATCH: the properties envelope is merged (JSON merge patch), the top-level
tags are replaced whole (Azure/azure-resource-manager-rpc v1.0/resource-api-reference.md,
"Patch Resource")."""

from __future__ import annotations

import pytest

from akscli.azure import arm, clusters
from akscli.azure.arm import AzureTarget
from akscli.errors import AkscliError
from tests.azure.helpers import RG, cluster_id, seed_cluster
from tests.emulators.arm import ArmEmulator


def test_a_patch_of_tags_replaces_every_tag_the_resource_had(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    azure_env.update_resource(cluster_id("aks1"), lambda c: c.update(tags={"tag1": "a", "tag2": "b"}))
    c = clusters.client(AzureTarget())
    # AKS's updateTags: a PATCH whose body is a TagsObject (ManagedClustersUpdateTags.json).
    arm.wait_lro(c.managed_clusters.begin_update_tags(RG, "aks1", {"tags": {"tag3": "c"}}), "tag aks1")
    assert azure_env.get_resource(cluster_id("aks1"))["tags"] == {"tag3": "c"}


def test_a_patch_without_tags_keeps_the_tags_and_merges_the_properties(azure_env: ArmEmulator) -> None:
    # A type with no rule of its own gets ARM's generic PATCH (AKS's own PATCH takes tags only: below).
    seed_cluster(azure_env)
    widget = cluster_id("aks1").rsplit("/providers/", 1)[0] + "/providers/Microsoft.Example/widgets/w1"
    azure_env.put_resource(widget, {"location": "eastus", "tags": {"tag1": "a"}, "properties": {"a": 1, "b": 2}})
    client = arm.raw_client(AzureTarget())
    arm.wait_lro(arm.raw_begin(client, "PATCH", widget, "2026-01-01", {"properties": {"b": 3}}), "patch w1")
    after = azure_env.get_resource(widget)
    assert after["tags"] == {"tag1": "a"}
    assert after["properties"]["a"] == 1
    assert after["properties"]["b"] == 3


def test_a_cluster_patch_with_anything_but_tags_is_refused(azure_env: ArmEmulator) -> None:
    # ManagedClusters_UpdateTags takes a TagsObject (2026-08-01 managedClusters.json).
    seed_cluster(azure_env)
    client = arm.raw_client(AzureTarget())
    body = {"properties": {"nodeResourceGroup": "x"}}
    with pytest.raises(AkscliError, match="property 'properties' is not defined for TagsObject"):
        arm.wait_lro(arm.raw_begin(client, "PATCH", cluster_id("aks1"), "2026-08-01", body), "patch aks1")
    assert azure_env.get_resource(cluster_id("aks1"))["properties"].get("nodeResourceGroup") != "x"
