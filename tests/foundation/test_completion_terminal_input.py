"""A <TAB> gives what it starts no terminal to read: a kubeconfig exec plugin run to read the
cluster's names gets the null device as stdin, as client-go gives a plugin that is not interactive
(kubernetes/client-go plugin/pkg/client/auth/exec/exec.go; cli/complete.py no_terminal_input).
Before, the plugin inherited the shell's terminal, and one still running after the TAB's budget
read the keys typed at the prompt."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/fd")


# The console script's entry point (pyproject.toml [project.scripts] akscli), with the <TAB>'s
# budget for the cluster (complete.CLUSTER_TIMEOUT_S, 1.5 s) raised to a cap it never reaches: on a
# loaded machine the thread that reads the cluster took over 2 s to start the plugin, and the <TAB>
# answered without it, so the plugin never ran and left nothing to check. The plugin exits 1 at
# once, which ends that read: the run takes no longer.
ENTRY_WITH_TIME_TO_RUN_THE_PLUGIN = (
    "import sys; import akscli.cli.complete as complete; complete.CLUSTER_TIMEOUT_S = 60.0; "
    "from akscli.cli.entry import main; sys.exit(main())"
)


def _kubeconfig(tmp_path: Path, seen: Path) -> Path:
    plugin = tmp_path / "token-plugin"
    plugin.write_text(f"#!/bin/sh\nreadlink /proc/self/fd/0 > {seen}\nexit 1\n")
    plugin.chmod(0o755)
    path = tmp_path / "kubeconfig"
    path.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: c\n"
        "clusters: [{name: c, cluster: {server: 'https://127.0.0.1:1'}}]\n"
        "contexts: [{name: c, context: {cluster: c, user: u, namespace: team-a}}]\n"
        f"users: [{{name: u, user: {{exec: {{apiVersion: client.authentication.k8s.io/v1beta1, command: {plugin}, "
        "interactiveMode: Never}}}]\n"
    )
    return path


def test_an_exec_plugin_a_tab_runs_reads_the_null_device_not_the_terminal(tmp_path: Path) -> None:
    seen = tmp_path / "stdin-of-plugin"
    env = {**os.environ, "KUBECONFIG": str(_kubeconfig(tmp_path, seen))}
    terminal, other_end = os.openpty()
    try:
        result = subprocess.run(
            [sys.executable, "-c", ENTRY_WITH_TIME_TO_RUN_THE_PLUGIN, "__complete", "ray", "cluster", "delete", ""],
            stdin=other_end,
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
    finally:
        os.close(terminal)
        os.close(other_end)
    assert result.stdout.splitlines()[-1] == ":4"
    assert seen.read_text().strip() == os.devnull
