"""Golden files for rendered manifests, shared by every group's tests.

``AKSCLI_UPDATE_GOLDEN=1`` rewrites them; review the diff before committing.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from akscli import yamlio

GOLDEN = Path(__file__).resolve().parent / "golden"


def assert_golden(group: str, name: str, objects: list[dict[str, Any]]) -> None:
    path = GOLDEN / group / name
    text = yamlio.dump_all(objects)
    if os.environ.get("AKSCLI_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path}: run with AKSCLI_UPDATE_GOLDEN=1 and review it"
    assert text == path.read_text(encoding="utf-8"), f"{group}/{name} differs from the golden file"
