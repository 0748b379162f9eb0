"""Start-up stays fast: help and offline commands import neither kubernetes, azure nor pydantic."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from akscli.cli.main import COMMANDS

PROBE = """
import contextlib, io, json, sys
from akscli.cli.main import run
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    code = run(sys.argv[1:])
heavy = sorted(m for m in sys.modules
               if m in ("kubernetes", "pydantic") or m.startswith(("kubernetes.", "azure", "pydantic.")))
print(json.dumps({"code": code, "heavy": heavy}))
"""


def _imports(*args: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=True, timeout=60)
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_root_help_imports_no_kubernetes_or_azure_module() -> None:
    assert _imports("--help") == {"code": 0, "heavy": []}


@pytest.mark.parametrize("group", sorted(COMMANDS))
def test_group_help_imports_no_kubernetes_or_azure_module(group: str) -> None:
    assert _imports(group, "--help") == {"code": 0, "heavy": []}


@pytest.mark.parametrize(
    "args",
    [
        ("version",),
        ("version", "-o", "json"),
        ("completion", "bash"),
        ("render", "--list"),
    ],
)
def test_offline_commands_import_no_kubernetes_or_azure_module(args: tuple[str, ...]) -> None:
    assert _imports(*args) == {"code": 0, "heavy": []}


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_runs_akscli_as_a_plugin() -> None:
    bin_dir = Path(sys.executable).parent
    if not (bin_dir / "kubectl-akscli").exists():
        pytest.skip("kubectl-akscli is not installed beside this Python")
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    done = subprocess.run(["kubectl", "akscli", "version", "-o", "json"], capture_output=True, text=True,
                          env=env, timeout=60, check=True)  # fmt: skip
    assert json.loads(done.stdout)["akscli"]
    helped = subprocess.run(["kubectl", "akscli", "--help"], capture_output=True, text=True, env=env, timeout=60)
    assert helped.stdout.startswith("Usage: kubectl akscli")
