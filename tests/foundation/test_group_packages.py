"""The layout shows the architecture: the logic of the gpu, nap, doctor and policy groups lives in
their packages (akscli/gpu/, nap/, doctor/, policy/), not in src/akscli's flat root, which holds the
foundation every command shares (errors, output, validate, render, audit ...)."""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "akscli"
GROUP_PREFIXES = re.compile(r"(gpu|gpus|nap|doctor|policy|dra)(_\w+)?\.py")


def test_no_group_module_sits_in_the_flat_root() -> None:
    assert sorted(p.name for p in SRC.glob("*.py") if GROUP_PREFIXES.fullmatch(p.name)) == []


def test_the_group_packages_init_files_import_nothing() -> None:
    """Importing one of a package's modules loads its __init__ too: a docstring only, so help and
    offline commands load no more than they did when the modules were flat."""
    for package in ("gpu", "nap", "doctor", "policy"):
        lines = (SRC / package / "__init__.py").read_text(encoding="utf-8").strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith('"""'), package
