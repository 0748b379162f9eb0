"""The layout the style guide asks for: no hand-written module over 600 lines."""

from __future__ import annotations

from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "akscli"
# Written by `python -m akscli.cli.docgen` from the YAML beside them (akscli.datafiles): data, not code.
GENERATED = {SRC / "data" / "models.py", SRC / "data" / "gpu_skus.py"}


def test_no_hand_written_module_is_over_600_lines() -> None:
    long = {
        str(path.relative_to(SRC)): lines
        for path in SRC.rglob("*.py")
        if path not in GENERATED and (lines := len(path.read_text().splitlines())) > 600
    }
    assert long == {}
