"""What the 2026-08-01 field audit (docs/changes/audit21-arm6.md) found, each as the behaviour that
holds now: the bodies akscli sends carry only values of the spec's types, the ARM emulator refuses
what AKS refuses for those bodies, and a create in a missing resource group says how to make it."""

from __future__ import annotations

import re
import shlex
from typing import Any

import pytest

from tests.azure.helpers import cluster_id, seed_cluster
from tests.azure.test_arm_write_bodies import AKS_WRITES, CONTROL_PLANE, _dry_run
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator


def test_a_create_in_a_missing_resource_group_hints_the_command_with_its_name_and_region(
    azure_env: ArmEmulator,
) -> None:
    r = invoke("cluster", "create", "aks1", "-g", "rg-missing", "-l", "westus2", "--sku", "base", "-y")
    assert r.exit_code == 3, r
    assert "Resource group 'rg-missing' could not be found" in r.stderr
    assert "to create it: 'az group create -n rg-missing -l westus2'" in r.stderr


def _nulls(value: Any, path: str = "") -> list[str]:
    if value is None:
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _nulls(v, f"{path}.{k}" if path else k)]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _nulls(v, f"{path}[{i}]")]
    return []


@pytest.mark.parametrize("case", list(AKS_WRITES))
def test_an_aks_put_body_carries_no_null(azure_env: ArmEmulator, case: str) -> None:
    # The spec's properties akscli sends are none of them x-nullable (a null is no int32); a PUT
    # replaces the resource, so a property to clear is left out, as az's SDK model leaves it out.
    seed_cluster(azure_env, **CONTROL_PLANE.get(case, {}))
    if "autoscaler off" in case:
        azure_env.update_resource(
            cluster_id("aks1") + "/agentPools/system",
            lambda o: o["properties"].update(enableAutoScaling=True, minCount=1, maxCount=5),
        )
    for request in _dry_run(*shlex.split(AKS_WRITES[case])):
        assert _nulls(request.get("body")) == []


def _put(azure_env: ArmEmulator, path: str, body: dict[str, Any]) -> None:
    from akscli.azure import arm

    client = arm.raw_client(arm.AzureTarget())
    arm.wait_lro(arm.raw_begin(client, "PUT", path, "2026-08-01", body), "put")


def test_the_emulator_refuses_a_new_dns_prefix_on_an_existing_cluster(azure_env: ArmEmulator) -> None:
    from akscli.errors import AkscliError

    rid = seed_cluster(azure_env)
    cluster = azure_env.get_resource(rid)
    assert cluster is not None
    body = {"location": cluster["location"], "sku": cluster["sku"], "properties": {"dnsPrefix": "other-dns"}}
    with pytest.raises(AkscliError, match=re.escape("(PropertyChangeNotAllowed): Changing property 'dnsPrefix'")):
        _put(azure_env, cluster_id("aks1"), body)


def test_the_emulator_takes_the_same_dns_prefix_sent_back(azure_env: ArmEmulator) -> None:
    rid = seed_cluster(azure_env)
    cluster = azure_env.get_resource(rid)
    assert cluster is not None
    prefix = cluster["properties"]["dnsPrefix"]
    _put(azure_env, cluster_id("aks1"), {"location": cluster["location"], "properties": {"dnsPrefix": prefix}})
    stored = azure_env.get_resource(rid)
    assert stored is not None and stored["properties"]["dnsPrefix"] == prefix


def test_the_emulator_refuses_a_read_only_property_on_a_create(azure_env: ArmEmulator) -> None:
    from akscli.errors import AkscliError

    seed_cluster(azure_env)
    body = {
        "properties": {"vmSize": "Standard_D4ds_v5", "count": 1, "mode": "User", "currentOrchestratorVersion": "1.33.5"}
    }
    with pytest.raises(AkscliError, match=re.escape("'properties.currentOrchestratorVersion' is read-only")):
        _put(azure_env, cluster_id("aks1") + "/agentPools/p2", body)


def test_the_emulator_takes_a_pool_read_back_with_its_read_only_values(azure_env: ArmEmulator) -> None:
    rid = seed_cluster(azure_env) + "/agentPools/system"
    pool = azure_env.get_resource(rid)
    assert pool is not None and pool["properties"]["provisioningState"] == "Succeeded"
    pool["properties"]["count"] = 4
    _put(azure_env, rid, {"properties": pool["properties"]})
    stored = azure_env.get_resource(rid)
    assert stored is not None and stored["properties"]["count"] == 4


def test_no_wait_exits_zero_once_azure_accepted_even_if_the_operation_then_fails(azure_env: ArmEmulator) -> None:
    # az discards the poller of a --no-wait command (result = None) and waits for nothing, so only
    # a refused request exits non-zero (Azure/azure-cli 2c15d4ec src/azure-cli-core/azure/cli/core/
    # commands/__init__.py _run_job; sdk_no_wait: polling=False). akscli does the same, and its line
    # says what Azure reported by then (azopts.no_wait_line).
    seed_cluster(azure_env)
    azure_env.fail_operation("PUT", "/agentPools/gpu$", "QuotaExceeded", "Operation results in exceeding quota.")
    r = invoke("nodepool", "add", "gpu", "-c", "aks1", "-g", "rg-ml", "--vm-size", "Standard_D8ds_v5", "--no-wait")
    assert r.exit_code == 0, r
    assert "nodepool show gpu" in r.stderr
