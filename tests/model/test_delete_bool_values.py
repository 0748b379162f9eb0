"""kubectl's bool flags take a value after ``=`` (``kubectl delete ... --wait=false``), read as
pflag reads it (upstream: spf13/pflag 01748d8 flag.go parseLongArg, bool.go: strconv.ParseBool);
akscli's deletes take them the same way (docs/grammar.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke

KAITO = "kaito.sh/v1beta1"
Start = Callable[..., Any]


def _deploy(*args: str) -> None:
    result = invoke("model", "deploy", "phi-4", *args, "-y")
    assert result.exit_code == 0, result


def test_ignore_not_found_true_deletes_nothing_and_exits_0(model_emulator: Start) -> None:
    emu = model_emulator()
    result = invoke("model", "delete", "ghost", "-y", "--ignore-not-found=true")
    assert result.exit_code == 0, result
    assert result.stdout == ""
    assert [r for r in emu.request_log if r.method not in ("GET", "HEAD")] == []


def test_yes_false_is_leaving_yes_off(model_emulator: Start) -> None:
    emu = model_emulator(controller=False)
    _deploy()
    result = invoke("model", "delete", "phi-4", "--yes=false")
    assert result.exit_code == 2, result
    assert "without confirmation" in result.stderr  # as without -y: a script is not asked
    assert emu.cluster.get(KAITO, "Workspace", "default", "phi-4") is not None


def test_a_bool_flag_value_that_is_no_bool_is_one_line_and_nothing_is_deleted(model_emulator: Start) -> None:
    emu = model_emulator(controller=False)
    _deploy()
    result = invoke("model", "delete", "phi-4", "-y", "--wait=maybe")
    assert result.exit_code == 2, result
    assert result.stderr.splitlines() == [
        "error: invalid --wait value 'maybe': not a bool"
        " (one of 1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False)",
        "hint: use --wait, --wait=true or --wait=false",
    ]
    assert emu.cluster.get(KAITO, "Workspace", "default", "phi-4") is not None
