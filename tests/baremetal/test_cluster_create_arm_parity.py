"""baremetal cluster create against Microsoft's ARM template for AKS on bare metal, field by field:
every field akscli sends exists at the same place in the template's resource, at its api-version,
and each difference left is pinned by a test here. Source: Azure/aksArc 3186e6c
deploymentTemplates/aks-baremetal-arm/aks-baremetal-arm.json (../shared/data/arm-examples/aks-baremetal)."""

from __future__ import annotations

import json
from typing import Any

from tests.emulators.arm import ArmEmulator
from tests.emulators.arm.baremetal import edge_machine

from .test_cluster_create_template import TEMPLATE, dry_run, path_of, template_resources, type_of
from .test_clusters import EDGE, RG, create
from .test_clusters import ssh_key as ssh_key  # autouse: the key file in the working directory


def _fields(value: Any, prefix: str = "") -> set[str]:
    """Every field path of a body; a template value that is an ARM expression ("[...]") stands for
    any value, so the fields under it are its own path's."""
    out: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            out.add(f"{prefix}{key}")
            out |= _fields(item, f"{prefix}{key}.")
    elif isinstance(value, list):
        for item in value:
            out |= _fields(item, f"{prefix}[].")
    return out


def _covered(field: str, template: set[str], expressions: set[str]) -> bool:
    return field in template or any(field.startswith(e + ".") for e in expressions)


def _expressions(value: Any, prefix: str = "") -> set[str]:
    out: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            out |= _expressions(item, f"{prefix}{key}.")
    elif isinstance(value, list):
        for item in value:
            out |= _expressions(item, f"{prefix}[].")
    elif isinstance(value, str) and value.startswith("["):
        out.add(prefix.rstrip("."))
    return out


BODY_KEYS = ("location", "tags", "identity", "kind", "extendedLocation", "properties")


def test_every_field_sent_is_in_the_templates_resource_at_its_api_version(azure_env: ArmEmulator) -> None:
    plan = dry_run("--kubernetes-version", "1.34.3-20260204", "--control-plane-ip", "10.0.0.5")
    for step, resource in zip(plan, template_resources(), strict=True):
        assert step["url"].endswith(f"?api-version={resource['apiVersion']}"), step["url"]
        body = {k: v for k, v in resource.items() if k in BODY_KEYS}
        template, expressions = _fields(body), _expressions(body)
        extra = {f for f in _fields(step["body"]) if not _covered(f, template, expressions)}
        assert extra == set(), (resource["type"], extra)
        assert template - _fields(step["body"]) == set(), (resource["type"], "not sent")


def test_the_only_tag_beyond_the_templates_is_akscli_s_on_the_connected_cluster(azure_env: ArmEmulator) -> None:
    # The template's mergedTags: its tags parameter (akscli has no flag for it) and aks-arc-cluster, purpose.
    # akscli adds akscli-baremetal-machine on the connected cluster, as the template's tags parameter could.
    tagged = {type_of(path_of(s["url"])): s["body"].get("tags") for s in dry_run() if "tags" in s["body"]}
    merged = {"aks-arc-cluster": "edge1", "purpose": "aks-arc-bmlinux"}
    assert tagged == {
        "Microsoft.AzureStackHCI/devicePools": merged,
        "Microsoft.AzureStackHCI/logicalNetworks": merged,
        "Microsoft.Kubernetes/connectedClusters": {**merged, "akscli-baremetal-machine": EDGE},
    }


def test_without_a_version_akscli_sends_none_where_the_template_sends_its_default(azure_env: ArmEmulator) -> None:
    # The template's kubernetesVersion defaults to 1.34.3-20260204 and is always sent; the API has it
    # optional (Azure/azure-rest-api-specs hybridaks 2024-09-01-preview examples/
    # ProvisionedClusters_CreateOrUpdate_MinimumSet_Gen.json sends none), so akscli leaves the choice
    # to Azure. Given in the template's form, it is sent as is.
    default = json.loads(TEMPLATE.read_text())["parameters"]["kubernetesVersion"]["defaultValue"]
    instance = [s for s in dry_run() if "provisionedClusterInstances" in s["url"]]
    assert "kubernetesVersion" not in instance[0]["body"]["properties"]
    instance = [s for s in dry_run("--kubernetes-version", default) if "provisionedClusterInstances" in s["url"]]
    assert instance[0]["body"]["properties"]["kubernetesVersion"] == default


# ARM's guid() as Azure/bicep 9beb0fee6 pins it: src/Bicep.Core.UnitTests/TypeSystem/FunctionResolverTests.cs
# (guid('foo', 'bar', 'baz')) and src/Bicep.Core.Samples/Files/baselines_bicepparam/Expressions/parameters.json
# (guid('asdf')), values from ARM's own expression library.
ARM_GUIDS = {
    ("asdf",): "228d27cc-6fdb-5934-b7ac-1efccebade04",
    ("foo", "bar", "baz"): "2ed86837-7c7c-5eaa-9864-dd077fd19b0d",
}


def test_arm_guid_gives_what_arms_guid_function_gives() -> None:
    from akscli.baremetal.provision import arm_guid

    assert {args: arm_guid(*args) for args in ARM_GUIDS} == ARM_GUIDS


def _templates_names(sub: str) -> tuple[str, str]:
    """The template's role assignment names, its guid() arguments written out as its resourceId() and
    subscriptionResourceId() give them (note 'EdgeMachines', as the template spells it)."""
    from akscli.baremetal.provision import arm_guid

    rg = f"/subscriptions/{sub}/resourceGroups/{RG}/providers/Microsoft.AzureStackHCI"
    roles = f"/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions"
    return (
        arm_guid(f"{rg}/devicePools/{EDGE}", "dpManager", f"{roles}/adc3c795-c41e-4a89-a478-0b321783324c"),
        arm_guid(f"{rg}/EdgeMachines/{EDGE}", "emContributor", f"{roles}/1a6f9009-515c-4455-b170-143e4c9ce229"),
    )


def test_role_assignments_are_named_as_the_template_names_them(azure_env: ArmEmulator) -> None:
    # Before: akscli's own UUIDv5 (URL namespace), so a later deployment of the template met Azure's
    # 409 RoleAssignmentExists over the assignments akscli had made.
    names = [path_of(s["url"]).rsplit("/", 1)[1] for s in dry_run() if "/roleAssignments/" in s["url"]]
    assert tuple(names) == _templates_names(azure_env.subscription)


def _template_role_assignments(emu: ArmEmulator, names: tuple[str, str]) -> None:
    """The device pool and its two role assignments as the template or the portal made them, under
    ``names``."""
    from akscli.azure import arm

    sub = emu.subscription
    rg = f"/subscriptions/{sub}/resourceGroups/{RG}"
    client = arm.raw_client(arm.AzureTarget(sub, None, None))
    pool_id = f"{rg}/providers/Microsoft.AzureStackHCI/devicePools/{EDGE}"
    pool_body = {
        "location": "eastus",
        "identity": {"type": "SystemAssigned"},
        "properties": {
            "devices": [{"deviceResourceId": f"{rg}/providers/Microsoft.AzureStackHCI/edgeMachines/{EDGE}"}],
            "customLocationName": EDGE,
        },
    }
    arm.wait_lro(arm.raw_begin(client, "PUT", pool_id, "2024-11-01-preview", pool_body), "put")
    principal = emu.get_resource(pool_id)["identity"]["principalId"]  # type: ignore[index]
    roles = (
        (pool_id, "adc3c795-c41e-4a89-a478-0b321783324c", names[0]),
        (f"{rg}/providers/Microsoft.AzureStackHCI/edgeMachines/{EDGE}", "1a6f9009-515c-4455-b170-143e4c9ce229",
         names[1]),
    )  # fmt: skip
    for scope, role, name in roles:
        body = {
            "properties": {
                "roleDefinitionId": f"/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{role}",
                "principalId": principal,
                "principalType": "ServicePrincipal",
            }
        }
        path = f"{scope}/providers/Microsoft.Authorization/roleAssignments/{name}"
        arm.wait_lro(arm.raw_begin(client, "PUT", path, "2022-04-01", body), "put")


def test_create_over_the_templates_role_assignments_finds_them_under_their_names(azure_env: ArmEmulator) -> None:
    edge_machine(azure_env, RG, EDGE)
    _template_role_assignments(azure_env, _templates_names(azure_env.subscription))
    result = create("edge1")
    assert result.exit_code == 0, result
    assert "role assignment Device Pool Manager for the device pool: exists, skipped" in result.stderr
    assert "exists under another name" not in result.stderr
    assert len(azure_env.list_resources("Microsoft.Authorization/roleAssignments")) == 2


def test_create_over_the_portals_role_assignments_takes_them_as_done(azure_env: ArmEmulator) -> None:
    # Azure keeps one assignment per principal, role and scope: the portal's, under names of its own,
    # meet akscli's with 409 RoleAssignmentExists, which counts as the step done.
    edge_machine(azure_env, RG, EDGE)
    _template_role_assignments(
        azure_env, ("11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222")
    )
    result = create("edge1")
    assert result.exit_code == 0, result
    assert "step 2/7: role assignment" in result.stderr and "exists under another name, skipped" in result.stderr
    assert len(azure_env.list_resources("Microsoft.Authorization/roleAssignments")) == 2
