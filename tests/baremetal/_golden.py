"""Golden files for rendered bare-metal manifests: AKSCLI_UPDATE_GOLDEN=1 rewrites them."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from akscli import yamlio

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "baremetal"


def assert_golden(name: str, objects: list[dict[str, Any]]) -> None:
    path = GOLDEN / name
    text = yamlio.dump_all(objects)
    if os.environ.get("AKSCLI_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path}: run with AKSCLI_UPDATE_GOLDEN=1 and review it"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from the golden file"
