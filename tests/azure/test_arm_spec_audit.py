"""What the 2026-08-01 field audit (docs/changes/audit21-arm6.md) found, each as the behaviour that
holds now: the bodies akscli sends carry only values of the spec's types, the ARM emulator refuses
what AKS refuses for those bodies, and a create in a missing resource group says how to make it."""

from __future__ import annotations

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
