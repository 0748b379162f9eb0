"""Every boolean flag takes kubectl's ``=true``/``=false`` (upstream: spf13/pflag 01748d8 flag.go
parseLongArg and parseSingleShortArg, bool.go: NoOptDefVal "true", strconv.ParseBool), read from
the commands' own Click parameters (akscli.cli.main._read_kubectl_values, docs/grammar.md)."""

from __future__ import annotations

from typing import Any

import pytest
from typer import _click as click

from akscli.cli import grammar, options
from akscli.validate import GO_BOOLS

BOOL_FLAGS = [
    (path, command, option)
    for path, command in grammar.leaf_commands()
    for option in command.params
    if option.param_type_name == "option" and getattr(option, "is_bool_flag", False)
]


def _value(command: click.Command, option: click.Parameter, *args: str) -> Any:
    """What ``option`` is when the command's flags are ``args`` (its NAME and such left out)."""
    ctx = command.make_context(command.name or "", list(args), resilient_parsing=True)
    return ctx.params[option.name or ""]


def test_the_tree_has_boolean_flags() -> None:
    assert len(BOOL_FLAGS) > 100


@pytest.mark.parametrize(
    ("path", "command", "option"), BOOL_FLAGS, ids=[f"{' '.join(p)} {o.opts[-1]}" for p, _, o in BOOL_FLAGS]
)
def test_every_boolean_flag_takes_true_and_false_after_an_equals_sign(
    path: list[str], command: click.Command, option: click.Parameter
) -> None:
    for name in grammar.names(option):
        given = _value(command, option, name)
        assert _value(command, option, f"{name}=true") == given, (path, name)
        assert _value(command, option, f"{name}=false") == (not given), (path, name)


def test_every_go_bool_spelling_is_read() -> None:
    flags = {"--wait": options.BoolFlag(frozenset({"--wait", "--no-wait"}), "--no-wait")}
    read = {v: options.bool_flag_values([f"--wait={v}"], flags, frozenset()) for v in GO_BOOLS}
    assert read == {v: ["--wait" if on else "--no-wait"] for v, on in GO_BOOLS.items()}


def _delete_params(*args: str) -> dict[str, Any]:
    delete = next(c for p, c in grammar.leaf_commands() if p == ["model", "delete"])
    return dict(delete.make_context("delete", ["phi-4", *args]).params)


def test_wait_false_on_a_pair_is_its_other_half() -> None:
    assert _delete_params("--wait=false")["wait"] is False


def test_false_on_a_single_flag_takes_back_the_flag_given_before_it() -> None:
    # pflag: the last value wins (`-y --yes=false` is no --yes)
    assert _delete_params("-y", "--yes=false")["yes"] is False


def test_a_value_after_a_space_is_not_the_flags() -> None:
    # pflag reads `--wait false` as --wait and a positional false (NoOptDefVal): for kubectl
    # delete, whose NAME... takes it, another name (as `model delete` NAME... does).
    params = _delete_params("--wait", "false")
    assert (params["wait"], params["names"]) == (True, ["phi-4", "false"])


def test_flags_that_take_a_value_keep_it() -> None:
    params = _delete_params("--dry-run=server", "-o=name", "--timeout=1s")
    assert (params["dry_run"], params["output_"], params["timeout"]) == ("server", "name", "1s")


def test_the_value_of_an_option_is_never_read_as_a_bool_flag() -> None:
    flags = {"--wait": options.BoolFlag(frozenset({"--wait", "--no-wait"}), "--no-wait")}
    argv = ["--env", "--wait=false", "--", "--wait=false"]
    assert options.bool_flag_values(argv, flags, frozenset({"--env"})) == argv


def test_shell_completion_drops_a_word_that_is_no_bool() -> None:
    flags = {"-y": options.BoolFlag(frozenset({"-y", "--yes"}), None)}
    assert options.bool_flag_values(["-y=maybe", "x"], flags, frozenset(), lenient=True) == ["x"]


def test_a_flag_taken_back_is_never_the_value_of_an_option() -> None:
    # pflag gives --set the next word whatever it looks like; `--yes=false` takes back a -y flag,
    # not the -y that is --set's value (upstream: spf13/pflag flag.go parseLongArg).
    params = _delete_params("--context", "-y", "--yes=false")
    assert (params["kube_context"], params["yes"]) == ("-y", False)


def test_the_word_after_an_options_value_is_read_again() -> None:
    flags = {name: options.BoolFlag(frozenset({"-y", "--yes"}), None) for name in ("-y", "--yes")}
    argv = ["--set", "--set", "-y=true"]
    assert options.bool_flag_values(argv, flags, frozenset({"--set"})) == ["--set", "--set", "-y"]
