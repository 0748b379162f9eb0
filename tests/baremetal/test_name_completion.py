"""TAB on a bare-metal cluster's NAME (`baremetal cluster show|upgrade|credentials|delete <TAB>`) offers
the connected clusters of kind ProvisionedCluster that `baremetal cluster list` lists, of -g or else of
the subscription, through the `__complete` protocol (cli/complete_arm.py baremetal_clusters), as the AKS
cluster names complete (tests/azure/test_arm_name_completion.py). `create NAME` names a new one."""

from __future__ import annotations

from akscli.cli.complete import protocol_lines
from akscli.cli.main import root_command
from tests.baremetal.test_clusters import RG, add_edge_machine, create
from tests.baremetal.test_clusters import ssh_key as ssh_key  # the autouse fixture: a key file
from tests.emulators.arm import ArmEmulator


def _lines(*words: str) -> list[str]:
    return protocol_lines(["__complete", *words], root_command)


def test_a_bare_metal_cluster_name_completes_from_arm(azure_env: ArmEmulator) -> None:
    add_edge_machine(azure_env)
    assert create("edge1", "--kubernetes-version", "1.34.2").exit_code == 0
    assert _lines("baremetal", "cluster", "show", "") == [f"edge1\t-g {RG}", ":4"]
    assert _lines("baremetal", "cluster", "upgrade", "-g", RG, "e") == [f"edge1\t-g {RG}", ":4"]
    assert _lines("baremetal", "cluster", "show", "-g", "rg-other", "") == [":4"]


def test_the_name_of_a_bare_metal_cluster_to_create_reads_nothing(azure_env: ArmEmulator) -> None:
    add_edge_machine(azure_env)
    before = len(azure_env.request_log)
    assert _lines("baremetal", "cluster", "create", "") == [":4"]
    assert len(azure_env.request_log) == before
