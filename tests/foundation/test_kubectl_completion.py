"""kubectl completes `kubectl akscli ...` through kubectl_complete-akscli (cobra's __complete)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from akscli.cli.kubectl_complete import completions


def test_group_names_complete_with_their_help() -> None:
    assert any(line.startswith("model\t") for line in completions(["__complete", "mo"]))


def test_subcommands_complete_inside_a_group() -> None:
    assert [line.split("\t")[0] for line in completions(["__complete", "model", "pl"])] == ["plan"]


def test_options_complete_for_a_command() -> None:
    values = [line.split("\t")[0] for line in completions(["__complete", "model", "plan", "--conc"])]
    assert values == ["--concurrency"]


def test_the_protocol_ends_with_the_no_file_directive() -> None:
    script = Path(sys.executable).parent / "kubectl_complete-akscli"
    if not script.exists():
        pytest.skip("kubectl_complete-akscli is not installed beside this Python")
    done = subprocess.run([str(script), "__complete", "ray", ""], capture_output=True, text=True, check=True)
    lines = done.stdout.splitlines()
    assert lines[-1] == ":4"
    assert {"cluster", "job", "service"} <= {line.split("\t")[0] for line in lines[:-1]}


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_itself_completes_the_plugin() -> None:
    bin_dir = Path(sys.executable).parent
    if not (bin_dir / "kubectl_complete-akscli").exists():
        pytest.skip("kubectl_complete-akscli is not installed beside this Python")
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    done = subprocess.run(
        ["kubectl", "__complete", "akscli", "mo"], capture_output=True, text=True, env=env, timeout=60
    )
    assert "model" in done.stdout
