"""Runbooks that run: every fenced ``bash`` block of docs/runbooks/*.md, in order, in one bash
process, against the lab (tests.emulators.lab). ``python -m tests.runbooks [FILE.md ...]`` runs
them from a shell; tests/runbooks/test_runbooks.py runs each in the suite."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RUNBOOKS = REPO / "docs" / "runbooks"
_BLOCK = re.compile(r"^```bash[ \t]*\n(.*?)^```[ \t]*$", re.M | re.S)


def runbooks() -> list[Path]:
    return sorted(p for p in RUNBOOKS.glob("*.md") if p.name != "README.md")


# A runbook's line asking for a node auto-provisioning lab (tests.emulators.lab.install_lab_nap).
NAP_MARKER = "<!-- lab: node-auto-provisioning -->"


def wants_nap(path: Path) -> bool:
    return NAP_MARKER in path.read_text(encoding="utf-8")


def blocks(path: Path) -> list[str]:
    """The fenced ``bash`` blocks of a runbook, in order (other fences are prose or output)."""
    return [m.group(1) for m in _BLOCK.finditer(path.read_text(encoding="utf-8"))]


def script(path: Path, steps: list[str] | None = None) -> str:
    """One bash script: each block (or each of ``steps``) a step that says which it is, stopping at
    the first failure."""
    lines = ["set -euo pipefail"]
    for number, block in enumerate(blocks(path) if steps is None else steps, 1):
        lines.append(f"echo '--- {path.name} step {number}' >&2")
        lines.append(block.rstrip())
    return "\n".join(lines) + "\n"


@dataclass
class Outcome:
    path: Path
    returncode: int
    output: str

    @property
    def failed_step(self) -> str | None:
        if self.returncode == 0:
            return None
        steps = re.findall(r"--- \S+ step (\d+)", self.output)
        return steps[-1] if steps else "?"


def run(
    path: Path, env: dict[str, str], workdir: Path, timeout: float = 600, steps: list[str] | None = None
) -> Outcome:
    """Run a runbook (or ``steps``, lines taken from ``path``) in ``workdir`` with the lab's
    environment; akscli is this checkout's."""
    bin_dir = str(Path(sys.executable).parent)
    full = dict(env)
    full["PATH"] = bin_dir + os.pathsep + env.get("PATH", os.environ.get("PATH", ""))
    full["PYTHONPATH"] = str(REPO / "src") + os.pathsep + str(REPO)
    full["AKSCLI_SHARED_DIR"] = os.environ.get("AKSCLI_SHARED_DIR", str(REPO.parent / "shared"))
    workdir.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["bash", "-c", script(path, steps)],
        cwd=workdir,
        env=full,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
    )
    return Outcome(path, done.returncode, done.stdout)
