"""kubectl's log level flag, ``-v=6`` (also ``--v=6``, ``--v 6``, ``-v6``), as a script author types
it to see each request: client-go logs each request's method, URL, status and time from level 6
on (upstream: kubernetes/client-go 32ce75a7 transport/round_trippers.go, DebugWrappers: klog.V(6)
wraps the transport in NewDebuggingRoundTripper; levelsV6 is DebugURLTiming). akscli's -vv is that
request log, one line per request, and never a header or a body (so 7 to 9 print no more), and
-v is "more detail": levels 1 to 5."""

from __future__ import annotations

import subprocess
import sys

import pytest

from akscli import errors
from akscli.globals import FLAGS, extract, reset, without_globals


@pytest.fixture(autouse=True)
def _fresh_flags() -> object:
    yield None
    reset()


@pytest.mark.parametrize("spelling", [["-v=6"], ["--v=6"], ["--v", "6"], ["-v6"], ["-v=8"], ["--v=9"]])
def test_kubectl_log_level_six_and_up_is_the_request_log(spelling: list[str]) -> None:
    assert extract(["model", "list", *spelling, "-n", "ml"]) == ["model", "list", "-n", "ml"]
    assert FLAGS.verbose == 2


@pytest.mark.parametrize(("spelling", "verbose"), [("-v=0", 0), ("-v=1", 1), ("--v=5", 1)])
def test_kubectl_log_levels_below_six_are_no_detail_or_more_detail(spelling: str, verbose: int) -> None:
    extract(["model", "list", spelling])
    assert FLAGS.verbose == verbose


def test_a_log_level_that_is_not_a_number_is_one_usage_line() -> None:
    with pytest.raises(errors.UsageError) as caught:
        extract(["model", "list", "-v=debug"])
    assert caught.value.message == "-v=debug: kubectl's log level is a number (0 to 9)"
    assert "-v=6" in (caught.value.hint or "")


@pytest.mark.parametrize(("given", "named"), [(["--v=x"], "--v=x"), (["--v", "x"], "--v x")])
def test_a_log_level_that_is_not_a_number_is_named_as_it_was_typed(given: list[str], named: str) -> None:
    with pytest.raises(errors.UsageError) as caught:
        extract(["model", "list", *given])
    assert caught.value.message == f"{named}: kubectl's log level is a number (0 to 9)"


def test_completion_leaves_the_log_level_and_its_value_out() -> None:
    assert without_globals(["model", "list", "--v", "6", "-v=6", "-n"]) == ["model", "list", "-n"]


def test_a_run_with_kubectl_log_level_six_prints_the_request_log_on_stderr() -> None:
    script = (
        "import contextlib, io, sys, logging\n"
        "from akscli.cli.main import run\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    run(sys.argv[1:])\n"
        "logging.getLogger('akscli.kube').debug('GET /api -> 200')\n"
    )
    done = subprocess.run([sys.executable, "-c", script, "version", "-v=6"], capture_output=True, text=True, timeout=60)
    assert "akscli.kube: GET /api -> 200" in done.stderr


@pytest.mark.parametrize(("spelling", "verbose"), [(["-v", "6"], 2), (["-v", "3"], 1), (["-v", "0"], 0)])
def test_kubectl_short_log_level_takes_its_number_after_a_space(spelling: list[str], verbose: int) -> None:
    """kubectl's ``-v`` is ``--v``'s shorthand, so pflag reads ``-v 6`` as level 6; akscli read the
    6 as a command or an extra argument ("No such command '6'")."""
    assert extract(["-v", *spelling[1:], "model", "list"]) == ["model", "list"]
    assert FLAGS.verbose == verbose


def test_a_bare_short_v_before_a_word_that_is_not_a_number_still_counts() -> None:
    assert extract(["-v", "model", "list"]) == ["model", "list"]
    assert FLAGS.verbose == 1
