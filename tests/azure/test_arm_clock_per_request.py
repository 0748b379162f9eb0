"""The ARM emulator's clock is read once per request: a test's move of ``clock_offset`` made while
a request is being answered shows from the next request, as ARM answers in milliseconds, not the
seconds moved (a Fleet update run's GET reads the clock for each step it takes: the after-stage wait's
start and its end must be one instant). The clock is tests/emulators/clock.py PassHeld, the one
clock-holding piece the Kubernetes emulator's simulators use too (audit37-simclock37b). Emulator
structure, no upstream behaviour."""

from __future__ import annotations

import json
import ssl
import urllib.request
from typing import Any

from tests.emulators.arm.server import ArmEmulator


def test_a_clock_moved_while_a_request_is_answered_counts_from_the_next_request() -> None:
    read: dict[str, float] = {}

    def moved_under(emu: ArmEmulator, path: str, query: Any, body: bytes) -> tuple[int, Any]:
        del path, query, body
        read.setdefault("before", emu.clock_offset)
        emu.clock_offset += 30.0  # the move, made exactly while this request is answered
        read.setdefault("after", emu.clock_offset)
        return 200, {"offset": emu.clock_offset}

    with ArmEmulator(require_auth=False) as emu:
        emu.register_route("GET", r"^/clock$", moved_under)
        context = ssl.create_default_context(cafile=emu.ca_file)
        with urllib.request.urlopen(f"{emu.url}/clock", context=context) as answer:
            first = json.load(answer)["offset"]
        with urllib.request.urlopen(f"{emu.url}/clock", context=context) as answer:
            second = json.load(answer)["offset"]
        assert read["after"] == read["before"] == first == 0.0  # the request kept the clock it came in with
        assert second == 30.0  # the next request: the moved clock (it moved it again, for the one after)
        assert emu.clock_offset == 60.0  # outside a request: both moves
