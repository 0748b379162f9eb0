"""The members of the validation-first class found by test_validation_first.py, each one line: a
command refuses its input with the error alone, never after an info line or a read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.cli import invoke


def only_the_error(result: Any, about: str) -> None:
    assert result.exit_code == 2, result
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0].startswith("error: ") and about in lines[0], result
    assert all(line.startswith("hint: ") for line in lines[1:]), result


def test_nodepool_add_gpu_prints_no_size_line_before_a_missing_subscription(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("AZURE_SUBSCRIPTION_ID", raising=False)
    monkeypatch.setenv("AZURE_CONFIG_DIR", str(tmp_path / "no-azure-config"))
    result = invoke("nodepool", "add", "gpu", "--cluster", "ml", "-g", "rg-ml", "--gpu", "h100")
    only_the_error(result, "subscription")


def test_nodepool_add_auto_provision_prints_no_size_line_before_a_zones_error() -> None:
    result = invoke("nodepool", "add", "h100", "--auto-provision", "--gpu", "h100", "--zones", "1", "--dry-run=client")
    only_the_error(result, "--zones")
