"""The project's data files, read at run time from Python modules generated out of their YAML sources.

``src/akscli/data/*.yaml`` stays the editable truth (comments name each fact's source); the
module beside each (``models.yaml`` -> ``akscli.data.models``, its ``DATA``) is what commands
read. Its bytecode, compiled when akscli is installed, loads the data with no parser at all:
about 1.2 ms for the model catalog and the GPU table together, where importing the stdlib's
json and parsing them took 3.5 ms, and ruamel's pure-Python YAML parser once took most of
``akscli model plan``'s start-up (docs/changes/issue-16.md). ``python -m akscli.cli.docgen``
regenerates the modules, and a test fails when one is out of step with its YAML.
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

# A folder name, not a Path: `model plan` and `model catalog` load this module and read no file,
# and pathlib (with urllib.parse, fnmatch, ntpath) is 4.7 M instructions of their start-up.
DATA_DIR = os.path.join(os.path.dirname(__file__), "data")
GENERATED = ("models", "gpu_skus")


def source_path(name: str) -> Path:
    from pathlib import Path

    return Path(DATA_DIR, f"{name}.yaml")


def load(name: str) -> Any:
    """The data file ``name`` (for example ``models``), from its generated module. The value is
    shared by the whole process: read it, never change it."""
    return importlib.import_module(f"akscli.data.{name}").DATA


def generated_files() -> dict[Path, str]:
    """Each generated module as it should be, from its YAML source (what docgen writes)."""
    import pprint

    from akscli import yamlio

    files: dict[Path, str] = {}
    for name in GENERATED:
        path = source_path(name)
        doc = yamlio.load(path.read_text(encoding="utf-8"), str(path))
        files[path.with_suffix(".py")] = (
            f"# Generated from {path.name} by `python -m akscli.cli.docgen`: edit the YAML, not this file.\n"
            "from typing import Any\n\n"
            f"DATA: Any = {pprint.pformat(doc, width=100, sort_dicts=False)}\n"
        )
    return files
