"""TAB on the NAME of `nodepool show` and `nodepool delete`, which take both kinds of pool, offers the
node auto-provisioning NodePools (karpenter.sh/v1, cluster-scoped) of the cluster of --context, as
`nodepool list --auto-provision` reads them (akscli.nap.nodepool.list_pools), and as kubectl completes
`kubectl get nodepool <TAB>` from the cluster (kubernetes/kubectl pkg/util/completion/completion.go
ResourceNameCompletionFunc). Without --auto-provision each line says the flag the command then needs;
with --cluster or -g the NAME is an agent pool's (tests/azure/test_arm_name_completion.py)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from akscli.cli.complete import protocol_lines
from akscli.cli.main import root_command
from tests.cli import invoke
from tests.foundation.test_shell_completion import _env as shell_env
from tests.foundation.test_shell_completion import _fish as fish
from tests.foundation.test_shell_completion import _script as shell_script
from tests.model.test_nap_gpu_pool import nap_lab
from tests.shells import interactive

Start = Callable[..., Any]


def _add(name: str) -> None:
    result = invoke("nodepool", "add", name, "--auto-provision", "--gpu", "h100", "-y")
    assert result.exit_code == 0, result


def _lines(*words: str) -> list[str]:
    return protocol_lines(["__complete", *words], root_command)


def test_a_nodepool_name_completes_from_the_clusters_nodepools_with_auto_provision(model_emulator: Start) -> None:
    nap_lab(model_emulator)
    _add("gpu")
    _add("gpu-spot")
    # NAP's own `default` NodePool too (tests/emulators/kube/controllers/karpenter_install.py).
    assert _lines("nodepool", "show", "--auto-provision", "") == ["default", "gpu", "gpu-spot", ":4"]
    assert _lines("nodepool", "delete", "--auto-provision", "gpu-s") == ["gpu-spot", ":4"]


def test_without_auto_provision_each_nodepool_line_names_the_flag_to_add(model_emulator: Start) -> None:
    nap_lab(model_emulator)
    _add("gpu")
    assert _lines("nodepool", "show", "g") == ["gpu\t--auto-provision", ":4"]


def test_with_cluster_the_name_is_an_agent_pools_and_no_nodepool_is_offered(model_emulator: Start) -> None:
    nap_lab(model_emulator)
    _add("gpu")
    assert _lines("nodepool", "show", "--cluster", "ml", "") == [":4"]  # -g missing: no agent pool either


def test_a_command_on_agent_pools_only_offers_no_nodepool(model_emulator: Start) -> None:
    # scale acts on Azure agent pools only (nodepool_flags.ArmName): a NodePool is no answer there.
    nap_lab(model_emulator)
    _add("gpu")
    assert _lines("nodepool", "scale", "") == [":4"]


def test_a_cluster_without_node_auto_provisioning_completes_nothing_and_says_nothing(
    model_emulator: Start, capfd: Any
) -> None:
    model_emulator()  # no karpenter.sh CRDs
    assert _lines("nodepool", "show", "--auto-provision", "") == [":4"]
    assert capfd.readouterr().err == ""


# ---- in the shells the completion scripts serve (completions/; tests/foundation/test_shell_completion.py)


def _shell_env(tmp_path: Path) -> dict[str, str]:
    env = shell_env(tmp_path)
    env["KUBECONFIG"] = os.environ["KUBECONFIG"]  # the emulator's cluster, which has node auto-provisioning
    return env


def test_fish_offers_a_nodepool_with_the_flag_it_needs(model_emulator: Start, tmp_path: Path) -> None:
    nap_lab(model_emulator)
    _add("gpu")
    assert fish(tmp_path, "akscli nodepool show g", _shell_env(tmp_path)) == ["gpu\t--auto-provision"]


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_bash_and_zsh_complete_a_nodepool_name(model_emulator: Start, tmp_path: Path, shell: str) -> None:
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed")
    nap_lab(model_emulator)
    _add("gpu")
    script = shell_script(tmp_path, shell)
    terminal = interactive(shell, _shell_env(tmp_path), script)
    try:
        line = terminal.complete("akscli nodepool delete --auto-provision gp")
    finally:
        terminal.close()
    assert line.rstrip() == "akscli nodepool delete --auto-provision gpu"


# ---- a delete of several: the names already on the line are not offered again, as kubectl's completion
# drops "choices already on the command-line" (kubernetes/kubectl dee3483a pkg/util/completion/completion.go
# resourceTypeAndNameCompletionFunc, cmdutil.Difference). The protocol's own test: tests/ray/test_name_completion.py.


def test_fish_offers_only_the_nodepools_not_yet_typed(model_emulator: Start, tmp_path: Path) -> None:
    nap_lab(model_emulator)
    _add("gpu")
    _add("gpu-spot")
    offered = fish(tmp_path, "akscli nodepool delete --auto-provision gpu ", _shell_env(tmp_path))
    assert offered == ["default", "gpu-spot"]


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_bash_and_zsh_complete_the_one_nodepool_not_yet_typed(
    model_emulator: Start, tmp_path: Path, shell: str
) -> None:
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed")
    nap_lab(model_emulator)
    _add("gpu")
    _add("gpu-spot")
    terminal = interactive(shell, _shell_env(tmp_path), shell_script(tmp_path, shell))
    try:
        # gpu and gpu-spot both start with gp: with gpu typed, gpu-spot is the one answer.
        line = terminal.complete("akscli nodepool delete --auto-provision gpu gp")
    finally:
        terminal.close()
    assert line.rstrip() == "akscli nodepool delete --auto-provision gpu gpu-spot"
