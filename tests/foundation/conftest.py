"""Fixtures of the foundation tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.foundation.manifest_files import CONFIG_MAPS


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    """objects.yaml, the manifest of the apply -f and diff -f tests (manifest_files.py)."""
    path = tmp_path / "objects.yaml"
    path.write_text(CONFIG_MAPS)
    return path
