"""`baremetal cluster upgrade --list` as `akscli cluster upgrade --list` and `nodepool upgrade --list`
behave (tests/azure/test_upgrade_list.py): a version with --list is refused, not ignored, and -o name
is the cluster's kind/NAME, as its show prints it."""

from __future__ import annotations

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


def test_list_o_wide_is_the_table(azure_env: ArmEmulator) -> None:
    add_edge_machine(azure_env)
    assert create("edge1", "--kubernetes-version", "1.34.2").exit_code == 0
    wide = invoke("baremetal", "cluster", "upgrade", "edge1", "-g", RG, "--list", "-o", "wide")
    table = invoke("baremetal", "cluster", "upgrade", "edge1", "-g", RG, "--list")
    assert wide.stdout == table.stdout == "AVAILABLE\n1.34.3\n"
