"""docs/getting-started.md's "Deploy, look, change, roll back" block runs as written, in a script
(no terminal), against the lab the runbooks run in: its `--replicas` line swaps the Workspace for
an InferenceSet and its rollback swaps it back, and each asks first, so each needs `-y` there."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests import runbooks
from tests.emulators import lab

GUIDE = runbooks.REPO / "docs" / "getting-started.md"
_BLOCK = re.compile(r"^## Deploy, look, change, roll back\n.*?^```bash[ \t]*\n(.*?)^```[ \t]*$", re.M | re.S)


def _lines() -> list[str]:
    match = _BLOCK.search(GUIDE.read_text(encoding="utf-8"))
    assert match is not None, "getting-started.md has no bash block under '## Deploy, look, change, roll back'"
    return [line.strip() for line in match.group(1).splitlines() if line.strip()]


def test_the_getting_started_deploy_block_runs_in_a_script(tmp_path: Path) -> None:
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    steps = _lines()
    with lab.running(tmp_path / "lab") as the_lab:
        outcome = runbooks.run(GUIDE, the_lab.environment(), tmp_path / "work", steps=steps)
    failed = steps[int(outcome.failed_step) - 1] if outcome.failed_step not in (None, "?") else ""
    assert outcome.returncode == 0, f"line {failed!r} failed:\n{outcome.output[-3000:]}"
    assert "rolled phi-4 back to revision 2 (recorded as revision 4)" in outcome.output
