"""Waiting on the emulator's AI Runway ModelDeployment in a test."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

MD = "airunway.ai/v1alpha1"


def model_until(emu: Any, check: Callable[[dict[str, Any]], bool], name: str = "phi-4") -> dict[str, Any]:
    """The ModelDeployment once ``check`` holds (10 s at most: the emulator's controllers run every 20 ms)."""
    deadline = time.monotonic() + 10
    md: dict[str, Any] = {}
    while time.monotonic() < deadline:
        md = emu.cluster.get(MD, "ModelDeployment", "default", name) or {}
        if check(md):
            return md
        time.sleep(0.05)
    raise AssertionError(md.get("status"))
