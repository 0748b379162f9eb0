"""The layout the style guide asks for: no hand-written module over 600 lines, in src/ and tests/."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "akscli"
TESTS = ROOT / "tests"
# Written by `python -m akscli.cli.docgen` from the YAML beside them (akscli.datafiles): data, not code.
GENERATED = {SRC / "data" / "models.py", SRC / "data" / "gpu_skus.py"}
LIMIT = 600


def _long_modules(top: Path) -> dict[str, int]:
    return {
        str(path.relative_to(ROOT)): lines
        for path in top.rglob("*.py")
        if path not in GENERATED and (lines := len(path.read_text().splitlines())) > LIMIT
    }


def test_no_hand_written_module_is_over_600_lines() -> None:
    assert _long_modules(SRC) == {}


def test_no_hand_written_test_or_emulator_module_is_over_600_lines() -> None:
    assert _long_modules(TESTS) == {}
