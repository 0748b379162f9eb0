"""`baremetal cluster upgrade --list` as `akscli cluster upgrade --list` and `nodepool upgrade --list`
behave (tests/azure/test_upgrade_list.py): a version with --list is refused, not ignored, -o name
is the cluster's kind/NAME, as its show prints it, and the listing has AKS's shape (name,
currentVersion, availableUpgrades, previewUpgrades) and marks a preview version as AKS's does.

The preview tests serve the hybrid upgrade profile of Azure's own example (Azure/azure-rest-api-specs
specification/hybridaks/resource-manager/Microsoft.HybridContainerService/stable/2024-01-01/examples/
ProvisionedClusterInstanceGetUpgradeProfile.json): the emulator offers no preview version."""

from __future__ import annotations

import json
from typing import Any

from tests.baremetal.test_clusters import RG, add_edge_machine, create
from tests.baremetal.test_clusters import ssh_key as ssh_key  # the autouse fixture: a key file
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator


def test_list_with_a_version_is_refused_and_nothing_is_sent(azure_env: ArmEmulator) -> None:
    add_edge_machine(azure_env)
    assert create("edge1", "--kubernetes-version", "1.34.2").exit_code == 0
    result = invoke("baremetal", "cluster", "upgrade", "edge1", "-g", RG, "--list", "-k", "1.34.3", "-y")
    assert result.exit_code == 2, result
    assert result.stderr.startswith("error: --list and --kubernetes-version 1.34.3 exclude each other")
    shown = invoke("baremetal", "cluster", "show", "edge1", "-g", RG, "-o", "jsonpath={.kubernetesVersion}")
    assert shown.stdout == "1.34.2"


def test_list_prints_the_cluster_as_its_show_names_it_for_o_name(azure_env: ArmEmulator) -> None:
    add_edge_machine(azure_env)
    assert create("edge1", "--kubernetes-version", "1.34.2").exit_code == 0
    result = invoke("baremetal", "cluster", "upgrade", "edge1", "-g", RG, "--list", "-o", "name")
    assert result.exit_code == 0, result
    shown = invoke("baremetal", "cluster", "show", "edge1", "-g", RG, "-o", "name")
    assert result.stdout == shown.stdout == "baremetalcluster/edge1\n"


PCI = r"Microsoft\.HybridContainerService/provisionedClusterInstances"
# The response body of the example named in the docstring, as published.
EXAMPLE_PROFILE: dict[str, Any] = {
    "name": "default",
    "type": "Microsoft.HybridContainerService/provisionedClusterInstances/upgradeprofiles",
    "properties": {
        "controlPlaneProfile": {
            "kubernetesVersion": "1.7.7",
            "name": "master",
            "osType": "Linux",
            "upgrades": [{"kubernetesVersion": "1.7.9", "isPreview": True}, {"kubernetesVersion": "1.7.11"}],
        }
    },
}


def _listing(*extra: str) -> Any:
    return invoke("baremetal", "cluster", "upgrade", "edge1", "-g", RG, "--list", *extra)


def test_list_o_wide_is_the_table(azure_env: ArmEmulator) -> None:
    add_edge_machine(azure_env)
    assert create("edge1", "--kubernetes-version", "1.34.2").exit_code == 0
    wide, table = _listing("-o", "wide"), _listing()
    assert wide.stdout == table.stdout
    assert table.stdout.splitlines() == [
        "name:               edge1",
        "current version:    1.34.2",
        "available upgrades: 1.34.3",
    ]


def test_list_json_has_the_shape_of_the_aks_listing(azure_env: ArmEmulator) -> None:
    """`cluster upgrade --list -o json` prints {name, currentVersion, availableUpgrades, previewUpgrades}
    (azure.upgrades.upgrade_info); bare metal printed {current, available}."""
    add_edge_machine(azure_env)
    assert create("edge1", "--kubernetes-version", "1.34.2").exit_code == 0
    result = _listing("-o", "json")
    assert result.exit_code == 0, result
    assert json.loads(result.stdout) == {
        "name": "edge1",
        "currentVersion": "1.34.2",
        "availableUpgrades": ["1.34.3"],
        "previewUpgrades": [],
    }


def test_list_marks_a_preview_version_in_the_table_as_aks_listing_does(azure_env: ArmEmulator) -> None:
    add_edge_machine(azure_env)
    assert create("edge1", "--kubernetes-version", "1.34.2").exit_code == 0
    azure_env.register_get(PCI, "upgradeProfiles/default", lambda _emu, _rid, _obj, _q: EXAMPLE_PROFILE)
    result = _listing()
    assert result.exit_code == 0, result
    assert "available upgrades: 1.7.9(preview), 1.7.11" in result.stdout


def test_list_names_the_preview_versions_apart_in_json(azure_env: ArmEmulator) -> None:
    add_edge_machine(azure_env)
    assert create("edge1", "--kubernetes-version", "1.34.2").exit_code == 0
    azure_env.register_get(PCI, "upgradeProfiles/default", lambda _emu, _rid, _obj, _q: EXAMPLE_PROFILE)
    info = json.loads(_listing("-o", "json").stdout)
    assert (info["availableUpgrades"], info["previewUpgrades"]) == (["1.7.9", "1.7.11"], ["1.7.9"])
