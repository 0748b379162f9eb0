"""--debug lines repeat what a server wrote: ARM's x-ms-ratelimit-remaining-* header values (audit 33,
akscli.azure.armretry._arm_left_text) and a library's warnings. A control character there is written
as its escape (akscli.printable.terminal_safe), as on every other stderr line (audit32-sec32.md):
ESC ]52 sets the terminal's clipboard, ESC [2J clears it. kubectl escapes ESC and CR in what it prints
of server text (upstream: kubernetes/cli-runtime pkg/printers/terminal.go EscapeTerminal,
kubernetes/kubernetes#101695)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.azure.helpers import RG, seed_cluster
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator, throttle
from tests.emulators.arm.throttle import Throttle

OSC52 = "\x1b]52;c;aGk=\x07"


def test_a_rate_limit_header_holding_an_escape_is_escaped_in_the_debug_line(
    azure_env: ArmEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_cluster(azure_env)

    def check(emu: Any, method: str, subscription: str) -> tuple[dict[str, str], None, int]:
        return {"x-ms-ratelimit-remaining-subscription-reads": f"249{OSC52}\x9b2J"}, None, 0

    monkeypatch.setattr(throttle, "check", check)
    r = invoke("cluster", "show", "aks1", "-g", RG, "--debug")
    assert r.exit_code == 0, r
    assert "\x1b" not in r.stderr and "\x07" not in r.stderr and "\x9b" not in r.stderr
    line = next(x for x in r.stderr.splitlines() if x.startswith("akscli.azure: GET "))
    assert line.endswith(r"x-ms-ratelimit-remaining-subscription-reads: 249\x1b]52;c;aGk=\x07\x9b2J"), line


def test_a_debug_line_keeps_its_line_breaks_and_tabs() -> None:
    import logging

    from akscli import logconfig

    formatter = logconfig._scrubbing_formatter("%(message)s")
    record = logging.LogRecord("akscli", logging.DEBUG, __file__, 1, "a\tb\nc", None, None)
    assert formatter.format(record) == "a\tb\nc"


def test_the_rate_limit_headers_in_debug_bring_no_other_header(azure_env: ArmEmulator) -> None:
    # Only x-ms-ratelimit-remaining-(subscription|tenant)-* (akscli.azure.armbudget.ARM_LEFT_HEADER):
    # neither the request's Authorization nor an answer's other headers.
    seed_cluster(azure_env)
    azure_env.throttle = Throttle(clock=lambda: 0.0)
    r = invoke("cluster", "show", "aks1", "-g", RG, "--debug")
    assert r.exit_code == 0, r
    assert "x-ms-ratelimit-remaining-subscription-reads: 249" in r.stderr
    for word in ("authorization", "bearer", "eyj", "x-ms-request-id", "set-cookie"):
        assert word not in r.stderr.lower()
