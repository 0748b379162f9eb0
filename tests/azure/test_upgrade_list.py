"""`cluster upgrade --list` and `nodepool upgrade --list`: the versions Azure offers, as `az aks
get-upgrades` and `az aks nodepool get-upgrades` show them, read from the upgrade profile
(GET .../managedClusters/{name}/upgradeProfiles/default and .../agentPools/{pool}/upgradeProfiles/default).

Leaving out -k lists too (as before, and the tests of the listing's shape use that form); --list says
so and refuses a flag that would upgrade something.
The preview marks and the order follow az (Azure/azure-cli src/azure-cli/azure/cli/command_modules/acs/
_format.py aks_upgrades_table_format: sort_versions, then set_preview's `(preview)` suffix), on the
profile of Azure's own example (Azure/azure-rest-api-specs aks/stable/2026-01-01
examples/ManagedClustersGetUpgradeProfile.json, kept in ../shared/data/arm-examples)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.azure.helpers import RG, seed_cluster
from tests.azure.test_arm_write_bodies import EXAMPLES
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator

PROFILE = "containerservice-2026-01-01/ManagedClustersGetUpgradeProfile.json"
MC = r"Microsoft\.ContainerService/managedClusters"
AP = r"Microsoft\.ContainerService/managedClusters/agentPools"


def _answer_with(emu: ArmEmulator, parent: str, body: dict[str, Any]) -> None:
    """The emulator answers the upgrade profile GET with ``body`` (as Azure's example shows one)."""
    emu.register_get(parent, "upgradeProfiles/default", lambda _emu, rid, _obj, _q: body)


def _example_profile() -> dict[str, Any]:
    body: dict[str, Any] = json.loads((EXAMPLES / PROFILE).read_text())["responses"]["200"]["body"]
    return body


def test_cluster_upgrade_list_shows_the_versions_offered(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, "aks1", version="1.32.6")
    r = invoke("cluster", "upgrade", "aks1", "-g", RG, "--list")
    assert r.exit_code == 0, r
    assert "current version:    1.32.6" in r.stdout
    assert "available upgrades: 1.32.9, 1.33.3, 1.33.5" in r.stdout


def test_nodepool_upgrade_list_shows_the_pool_versions_and_node_image(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, version="1.33.5", pools=[{"name": "system", "mode": "System", "count": 1,
                                                      "vmSize": "Standard_D4ds_v5", "orchestratorVersion": "1.32.9",
                                                      "currentOrchestratorVersion": "1.32.9"}])  # fmt: skip
    r = invoke("nodepool", "upgrade", "system", "-c", "aks1", "-g", RG, "--list", "-o", "json")
    assert r.exit_code == 0, r
    info = json.loads(r.stdout)
    assert info["availableUpgrades"] == ["1.33.3", "1.33.5"]
    assert info["latestNodeImageVersion"]


@pytest.mark.parametrize(
    ("command", "flag"),
    [
        (["cluster", "upgrade", "aks1"], ["-k", "1.33"]),
        (["cluster", "upgrade", "aks1"], ["--node-image-only"]),
        (["cluster", "upgrade", "aks1"], ["--control-plane-only"]),
        (["nodepool", "upgrade", "system", "-c", "aks1"], ["-k", "1.33"]),
        (["nodepool", "upgrade", "system", "-c", "aks1"], ["--node-image-only"]),
    ],
)
def test_list_refuses_a_flag_that_upgrades(azure_env: ArmEmulator, command: list[str], flag: list[str]) -> None:
    seed_cluster(azure_env, "aks1", version="1.32.6")
    r = invoke(*command, "-g", RG, "--list", *flag, "-y")
    assert r.exit_code == 2, r
    assert r.stderr.startswith("error: --list and ") and "exclude each other" in r.stderr
    assert "hint: drop --list to upgrade" in r.stderr
    assert not azure_env.requests_to(".", "PUT") and not azure_env.requests_to(".", "POST")


def test_list_prints_the_cluster_as_its_show_names_it_for_o_name(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, "aks1", version="1.32.6")
    r = invoke("cluster", "upgrade", "aks1", "-g", RG, "-o", "name")
    assert (
        r.stdout.strip() == invoke("cluster", "show", "aks1", "-g", RG, "-o", "name").stdout.strip() == "cluster/aks1"
    )


def test_preview_versions_are_marked_in_the_table_as_az_marks_them(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, "aks1", version="1.32.6")
    _answer_with(azure_env, MC, _example_profile())
    r = invoke("cluster", "upgrade", "aks1", "-g", RG)
    assert r.exit_code == 0, r
    # The example: the control plane at 1.7.7 is offered 1.7.9 (isPreview) and 1.7.11.
    assert "available upgrades: 1.7.9(preview), 1.7.11" in r.stdout


def test_preview_versions_are_listed_apart_in_json(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, "aks1", version="1.32.6")
    _answer_with(azure_env, MC, _example_profile())
    info = json.loads(invoke("cluster", "upgrade", "aks1", "-g", RG, "-o", "json").stdout)
    assert info["availableUpgrades"] == ["1.7.9", "1.7.11"]
    assert info["previewUpgrades"] == ["1.7.9"]


def test_versions_are_sorted_as_versions_not_as_text(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, version="1.33.5", pools=[{"name": "system", "mode": "System", "count": 1,
                                                      "vmSize": "Standard_D4ds_v5"}])  # fmt: skip
    pool = {"properties": {"kubernetesVersion": "1.9.8", "osType": "Linux",
                           "upgrades": [{"kubernetesVersion": "1.10.2"}, {"kubernetesVersion": "1.9.10"},
                                        {"kubernetesVersion": "1.10.12", "isPreview": True}]}}  # fmt: skip
    _answer_with(azure_env, AP, pool)
    r = invoke("nodepool", "upgrade", "system", "-c", "aks1", "-g", RG)
    assert "available upgrades: 1.9.10, 1.10.2, 1.10.12(preview)" in r.stdout, r
