"""TAB after the names already typed on a delete of several (NAME...) offers only the others, as
kubectl's completion drops "choices already on the command-line" (kubernetes/kubectl dee3483a
pkg/util/completion/completion.go resourceTypeAndNameCompletionFunc, cmdutil.Difference), here in
the shells the completion scripts serve (completions/; tests/foundation/test_shell_completion.py).
The protocol's answer itself: tests/ray/test_name_completion.py."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.foundation.test_shell_completion import _env as shell_env
from tests.foundation.test_shell_completion import _script as shell_script
from tests.ray.test_name_completion import ray_world  # noqa: F401 (a fixture)
from tests.shells import interactive


def _shell_env(tmp_path: Path) -> dict[str, str]:
    env = shell_env(tmp_path)
    env["KUBECONFIG"] = os.environ["KUBECONFIG"]  # the emulator's cluster (ray_world: train, tune)
    return env


def test_fish_offers_only_the_names_not_yet_typed(ray_world: Any, tmp_path: Path) -> None:  # noqa: F811
    if shutil.which("fish") is None:
        pytest.skip("fish is not installed")
    script = shell_script(tmp_path, "fish")
    done = subprocess.run(
        ["fish", "--no-config", "-c", f"source {script}; complete -C 'akscli ray cluster delete train '"],
        capture_output=True,
        text=True,
        env=_shell_env(tmp_path),
        timeout=60,
    )
    assert done.stdout.splitlines() == ["tune"], done.stderr


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_bash_and_zsh_complete_the_one_name_not_yet_typed(
    ray_world: Any,  # noqa: F811
    tmp_path: Path,
    shell: str,
) -> None:
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed")
    script = shell_script(tmp_path, shell)
    terminal = interactive(shell, _shell_env(tmp_path), script)
    try:
        # train and tune both start with t: with train typed, tune is the one answer.
        line = terminal.complete("akscli ray cluster delete train t")
    finally:
        terminal.close()
    assert line.rstrip() == "akscli ray cluster delete train tune"
