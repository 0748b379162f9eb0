"""`cluster list -o name` prints ``cluster/NAME`` and `nodepool list -o name` ``nodepool/NAME``;
the commands that take a cluster's or a pool's NAME take those lines as they are, as kubectl takes
its TYPE/NAME (k8s.io/cli-runtime pkg/resource/builder.go splitResourceTypeName). They were
refused as invalid names (exit 2)."""

from __future__ import annotations

from tests.azure.helpers import RG, seed_cluster
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator


def test_each_line_of_cluster_list_names_the_cluster_to_show(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    lines = invoke("cluster", "list", "-g", RG, "-o", "name").stdout.splitlines()
    assert lines == ["cluster/aks1"]
    result = invoke("cluster", "show", lines[0], "-g", RG, "-o", "name")
    assert result.exit_code == 0, result
    assert result.stdout.splitlines() == lines


def test_each_line_of_nodepool_list_names_the_pool_to_show(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    lines = invoke("nodepool", "list", "-c", "aks1", "-g", RG, "-o", "name").stdout.splitlines()
    assert lines == ["nodepool/system"]
    result = invoke("nodepool", "show", lines[0], "-c", "aks1", "-g", RG, "-o", "json")
    assert result.exit_code == 0, result
    assert '"name": "system"' in result.stdout


def test_another_type_is_one_usage_line_and_nothing_is_read(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    before = len(azure_env.requests_to("managedClusters"))
    result = invoke("cluster", "show", "nodepool/aks1", "-g", RG)
    assert result.exit_code == 2, result
    assert result.stderr.splitlines() == [
        "error: invalid cluster name 'nodepool/aks1': give NAME or cluster/NAME, as cluster list -o name prints it",
        "hint: list them with: akscli cluster list -o name",
    ]
    assert len(azure_env.requests_to("managedClusters")) == before
