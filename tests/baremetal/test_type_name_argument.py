"""`baremetal cluster list -o name` prints ``baremetalcluster/NAME``; the commands that take an
existing cluster's NAME take that line as it is (kubectl's TYPE/NAME: k8s.io/cli-runtime
pkg/resource/builder.go splitResourceTypeName). It was refused as an invalid name (exit 2)."""

from __future__ import annotations

from tests.baremetal.test_clusters import RG, add_edge_machine, create, writes
from tests.baremetal.test_clusters import ssh_key as ssh_key  # the autouse fixture: a key file
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator


def test_each_line_of_the_list_names_the_cluster_to_show(azure_env: ArmEmulator) -> None:
    add_edge_machine(azure_env)
    assert create("edge1").exit_code == 0
    lines = invoke("baremetal", "cluster", "list", "-g", RG, "-o", "name").stdout.splitlines()
    assert lines == ["baremetalcluster/edge1"]
    shown = invoke("baremetal", "cluster", "show", lines[0], "-g", RG, "-o", "name")
    assert shown.exit_code == 0, shown
    assert shown.stdout.splitlines() == lines


def test_another_type_is_one_usage_line_and_nothing_is_sent(azure_env: ArmEmulator) -> None:
    before = len(azure_env.request_log)
    result = invoke("baremetal", "cluster", "delete", "cluster/edge1", "-g", RG, "-y")
    assert result.exit_code == 2, result
    assert result.stderr.splitlines() == [
        "error: invalid bare-metal cluster name 'cluster/edge1': give NAME or baremetalcluster/NAME, "
        "as baremetal cluster list -o name prints it",
        "hint: list them with: akscli baremetal cluster list -o name",
    ]
    assert len(azure_env.request_log) == before
    assert not writes(azure_env)
