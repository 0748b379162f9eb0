"""An unexpected exception (a bug) inside `akscli diff` or a `--exit-code` command exits 2, not 1:
1 means "differences" there, and kubectl diff exits above 1 on any error (kubernetes/kubectl
dee3483a pkg/cmd/diff/diff.go diffLong "Exit status"; CheckDiffErr in pkg/cmd/util/helpers.go).
Elsewhere a bug still exits 1 (docs/exit-codes.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.cli import invoke

MANIFEST = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: one\ndata:\n  a: '1'\n"


def _bug(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("boom")


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    path = tmp_path / "objects.yaml"
    path.write_text(MANIFEST)
    return path


def test_a_bug_inside_diff_exits_2_with_one_line(manifest: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("akscli.cli.apply.apply_objects", _bug)
    result = invoke("diff", "-f", str(manifest))
    assert result.exit_code == 2, result
    assert result.stderr.startswith("error: unexpected error: RuntimeError: boom\n")


def test_a_bug_inside_diff_with_debug_exits_2_too(manifest: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("akscli.cli.apply.apply_objects", _bug)
    result = invoke("--debug", "diff", "-f", str(manifest))
    assert result.exit_code == 2, result
    assert "Traceback" in result.stderr


def test_a_bug_inside_an_exit_code_command_exits_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("akscli.fleet.placement.build", _bug)
    result = invoke("fleet", "place", "llm", "--select", "namespace/llm", "--dry-run=server", "--exit-code")
    assert result.exit_code == 2, result
    assert "unexpected error: RuntimeError: boom" in result.stderr


def test_a_bug_elsewhere_still_exits_1(manifest: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("akscli.cli.apply.apply_objects", _bug)
    assert invoke("diff", "-f", str(manifest)).exit_code == 2
    # The next command starts afresh: apply is no diff.
    result = invoke("apply", "-f", str(manifest), "-y")
    assert result.exit_code == 1, result
    assert result.stderr.startswith("error: unexpected error: RuntimeError: boom\n")
