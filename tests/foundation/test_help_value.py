"""-h/--help is a boolean flag, as cobra's is (upstream: spf13/cobra command.go, execute:
``helpVal, err := c.Flags().GetBool("help")``; help only when true; InitDefaultHelpFlag declares
it with BoolP), so it takes ``=true|false`` as every other bool flag does
(akscli.cli.options.bool_flag_values)."""

from __future__ import annotations

from tests.cli import invoke


def test_help_false_on_a_command_runs_the_command() -> None:
    r = invoke("version", "--help=false")
    assert r.exit_code == 0, r
    assert "Usage:" not in r.stdout and r.stdout.startswith("akscli:"), r


def test_help_false_before_the_command_runs_the_command() -> None:
    r = invoke("--help=false", "version")
    assert r.exit_code == 0, r
    assert "Usage:" not in r.stdout and r.stdout.startswith("akscli:"), r


def test_short_help_false_runs_the_command() -> None:
    r = invoke("version", "-h=false")
    assert r.exit_code == 0 and r.stdout.startswith("akscli:"), r


def test_help_true_prints_the_help() -> None:
    r = invoke("version", "--help=true")
    assert r.exit_code == 0, r
    assert r.stdout.startswith("Usage: akscli version"), r


def test_help_false_after_help_takes_it_back() -> None:
    # pflag: the last value wins
    r = invoke("version", "--help", "--help=false")
    assert r.exit_code == 0 and r.stdout.startswith("akscli:"), r


def test_help_false_alone_prints_the_top_level_help() -> None:
    # akscli with no command prints its help, as kubectl does; --help=false changes nothing there
    r = invoke("--help=false")
    assert r.exit_code == 0, r
    assert r.stdout.startswith("Usage: akscli"), r


def test_help_with_a_value_that_is_no_bool_is_one_line_and_exit_2() -> None:
    r = invoke("version", "--help=maybe")
    assert r.exit_code == 2, r
    assert r.stdout == ""
    first = r.stderr.splitlines()[0]
    assert first.startswith("error: invalid --help value 'maybe': not a bool (one of 1, t, T,"), r
