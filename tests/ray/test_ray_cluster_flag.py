"""The Ray cluster given as a flag to a command that takes it as its first argument:
``ray workergroup add cpu --cluster rc`` (akscli's own ``ray job submit --cluster``), or kubectl
ray's ``--ray-cluster rc`` / ``-c rc`` (ray-project/kuberay f789988b
kubectl-plugin/pkg/cmd/create/create_workergroup.go, kubectl-plugin/pkg/cmd/get/get_nodes.go).
kubectl's --cluster refusal named a kubeconfig context, and --ray-cluster was click's bare
``No such option``; the line now says the Ray cluster is the argument, and the hint is the line
written akscli's way. Exit 2, before any kubeconfig is read."""

from __future__ import annotations

import pytest

from akscli.cli.name_flag import RAY_CLUSTER_ARGUMENT
from tests.cli import invoke
from tests.foundation.test_bad_input import leaves

NO_KUBECONFIG = {"KUBECONFIG": "/nonexistent/kubeconfig"}


def test_cluster_flag_on_workergroup_add_names_the_argument_and_the_line_akscli_takes() -> None:
    result = invoke("ray", "workergroup", "add", "cpu", "--cluster", "rc", "--replicas", "1", env=NO_KUBECONFIG)
    assert result.exit_code == 2, result
    assert result.stderr.splitlines() == [
        "error: 'akscli ray workergroup add' takes the Ray cluster as its argument CLUSTER, not --cluster "
        "(ray job submit's flag)",
        "hint: akscli ray workergroup add rc cpu --replicas 1",
    ]


@pytest.mark.parametrize("words", [["--ray-cluster", "rc"], ["--ray-cluster=rc"], ["-c", "rc"], ["-crc"]])
def test_kubectl_rays_ray_cluster_flag_gets_the_same_answer(words: list[str]) -> None:
    result = invoke("ray", "cluster", "nodes", *words, "--group", "gpu", env=NO_KUBECONFIG)
    assert result.exit_code == 2, result
    flag = words[0][:2] if words[0].startswith("-c") else words[0].partition("=")[0]
    assert result.stderr.splitlines() == [
        f"error: 'akscli ray cluster nodes' takes the Ray cluster as its argument NAME, not {flag} "
        "(kubectl ray's flag)",
        "hint: akscli ray cluster nodes rc --group gpu",
    ]


def test_cluster_flag_beside_the_argument_keeps_kubectls_refusal() -> None:
    result = invoke("ray", "cluster", "status", "rc", "--cluster", "prod", env=NO_KUBECONFIG)
    assert result.exit_code == 2, result
    assert result.stderr.startswith("error: 'akscli ray cluster status' takes no --cluster, kubectl's flag")


def test_every_ray_command_whose_first_argument_is_a_ray_cluster_is_listed() -> None:
    found = set()
    for path, command in leaves():
        arguments = [p for p in command.params if p.param_type_name == "argument"]
        help_text = getattr(arguments[0], "help", "") or "" if arguments else ""
        if path[0] == "ray" and help_text.startswith(("Ray cluster", "A Ray cluster")):
            found.add(tuple(path))
    assert found == RAY_CLUSTER_ARGUMENT
