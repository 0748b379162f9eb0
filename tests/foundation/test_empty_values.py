"""An empty value is refused in one place for every command (argv_check.command_line), however the
flag is spelled. A one-letter flag's value after '=' (`-n=`, `-l=`, `-g=`: pflag's shorthand
form, spf13/pflag flag.go parseSingleShortArg, which akscli reads as kubectl does) was not seen by
that check: `-l=` listed everything, `-g=` said only that a resource group is required."""

from __future__ import annotations

import pytest

from akscli import argv_check
from akscli.errors import UsageError
from tests.cli import invoke


@pytest.mark.parametrize(
    "args",
    [("model", "list", "-n="), ("model", "list", "-l="), ("cluster", "show", "ml", "-g="), ("model", "list", "-o=")],
    ids=lambda a: " ".join(a),
)
def test_an_empty_shorthand_value_after_an_equals_sign_is_refused_as_the_long_form_is(args: tuple[str, ...]) -> None:
    result = invoke(*args)
    assert result.exit_code == 2, result
    flag = args[-1].rstrip("=")
    assert result.stderr.splitlines() == [
        f"error: the value of {flag} is empty",
        f"hint: give {flag} a value, or leave the option out for its default",
    ]


@pytest.mark.parametrize("words", [["-5"], ["-A=false"], ["-o=json"], ["--", "-n="]], ids=lambda w: " ".join(w))
def test_words_that_are_no_empty_shorthand_value_pass(words: list[str]) -> None:
    argv_check.command_line(words)


def test_a_blank_shorthand_value_is_refused() -> None:
    with pytest.raises(UsageError) as info:
        argv_check.command_line(["-n= "])
    assert info.value.message == "the value of -n is blank"


def test_a_namespace_flag_followed_by_another_flag_names_the_missing_namespace() -> None:
    # `-n -o json`: the parser took -o as the namespace and refused json as an extra argument
    # ("Got unexpected extra argument(s) (json)"), which named neither -n nor the namespace.
    result = invoke("model", "list", "-n", "-o", "json")
    assert (result.exit_code, result.stderr.splitlines()) == (
        2,
        [
            "error: -n needs a namespace name, and '-o' after it is a flag",
            "hint: put the namespace right after -n, e.g. -n team-a",
        ],
    )


@pytest.mark.parametrize("words", [["-n", "team-a", "-o", "json"], ["-n", "-"], ["--", "-n", "-x"]], ids=" ".join)
def test_a_namespace_flag_followed_by_a_name_or_after_the_double_dash_passes(words: list[str]) -> None:
    argv_check.command_line(words)


def test_an_empty_word_of_its_own_is_not_told_to_leave_an_option_out() -> None:
    # `akscli cluster delete "$NAME" -g rg-ml` with NAME unset: there is no option to leave out.
    result = invoke("cluster", "delete", "", "-g", "rg-ml")
    assert (result.exit_code, result.stdout, result.stderr.splitlines()) == (
        2,
        "",
        [
            "error: NAME is empty",
            "hint: give the word a value or leave it out (a shell variable that is not set?)",
        ],
    )
