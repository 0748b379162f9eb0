"""The project's data files, read at run time from JSON generated out of their YAML sources.

``src/akscli/data/*.yaml`` stays the editable truth (comments name each fact's source); the
``.json`` twin beside each is what commands read, because the stdlib's C JSON parser loads it in
about a millisecond where ruamel's pure-Python YAML parser took most of ``akscli model plan``'s
start-up. ``python -m akscli.cli.docgen`` regenerates the twins, and a test fails when one is out
of step with its YAML.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).parent / "data"
GENERATED = ("models", "gpu_skus")


def source_path(name: str) -> Path:
    return DATA_DIR / f"{name}.yaml"


def load(name: str) -> Any:
    """The parsed data file ``name`` (for example ``models``), from its generated JSON."""
    return json.loads((DATA_DIR / f"{name}.json").read_text(encoding="utf-8"))


def generated_files() -> dict[Path, str]:
    """Each JSON twin as it should be, parsed from its YAML source (what docgen writes)."""
    from akscli import yamlio

    files: dict[Path, str] = {}
    for name in GENERATED:
        path = source_path(name)
        doc = yamlio.load(path.read_text(encoding="utf-8"), str(path))
        files[DATA_DIR / f"{name}.json"] = json.dumps(doc, indent=1, ensure_ascii=False) + "\n"
    return files
