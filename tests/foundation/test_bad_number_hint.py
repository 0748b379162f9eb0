"""Click's own refusal of a number flag's value reads as akscli's other refusals of a number
(validate.integer, validate.number: `invalid --count 'abc': it is not a whole number`), and its hint
says what the flag takes (cli/bad_number.py): the form, the declared range and the default, read from
the flag's click type in one place for every command. Before, the line was click's (`Invalid value for
'--count': 'abc' is not a valid int.`) and the hint `run '... --help' for usage`."""

from __future__ import annotations

from typing import Annotated, Any

import pytest

from akscli.cli import bad_number
from tests.cli import invoke
from tests.foundation.test_bad_input import leaves


@pytest.mark.parametrize(
    ("args", "error", "hint"),
    [
        (
            ("model", "plan", "phi-4", "--concurrency", "abc"),
            "error: invalid --concurrency 'abc': it is not a whole number",
            "hint: --concurrency takes a whole number, e.g. --concurrency 1",
        ),
        (
            ("model", "plan", "phi-4", "--budget", "abc"),
            "error: invalid --budget 'abc': it is not a number",
            "hint: --budget takes a number",
        ),
        (
            ("gpu", "usage", "--page-size", "10"),
            "error: invalid --page-size '10': it must be between 50 and 5000",
            "hint: --page-size takes a whole number from 50 to 5000, e.g. --page-size 500",
        ),
        (
            ("baremetal", "test", "nccl", "--min-ratio", "x"),
            "error: invalid --min-ratio 'x': it is not a number",
            "hint: --min-ratio takes a number from 0.1 to 2, e.g. --min-ratio 1",
        ),
        (
            ("baremetal", "inventory", "--max-nodes", "0"),
            "error: invalid --max-nodes '0': it must be at least 1",
            "hint: --max-nodes takes a whole number of at least 1",
        ),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, tuple) else None,
)
def test_a_number_flag_click_refuses_is_said_in_akscli_words_with_a_hint_naming_its_form_and_range(
    args: tuple[str, ...], error: str, hint: str
) -> None:
    result = invoke(*args)
    assert result.exit_code == 2, result
    assert result.stderr.splitlines() == [error, hint]


def test_a_parameter_that_is_no_number_keeps_clicks_own_hint() -> None:
    strings = [p for _, command in leaves() for p in command.params if type(p.type).__name__ == "StringParamType"]
    assert strings
    assert all(bad_number.hint(p) is None for p in strings)


def _number_params() -> list[Any]:
    return [
        pytest.param(p, id=f"{' '.join(path)} {p.opts[0] if p.opts else p.name}")
        for path, command in leaves()
        for p in command.params
        if type(p.type).__name__ in ("IntParamType", "FloatParamType", "IntRange", "FloatRange")
    ]


@pytest.mark.parametrize("param", _number_params())
def test_every_number_flag_has_a_hint_that_names_it_and_an_example_only_from_its_default(param: Any) -> None:
    said = bad_number.hint(param)
    assert said is not None
    assert said.startswith(f"{max(param.opts, key=len)} takes ")
    assert (", e.g. " in said) == (param.default is not None)


def test_a_choice_click_refuses_gets_the_hint_validate_choice_gives() -> None:
    # akscli checks its choices with validate.choice ("use one of: ..."); a click Choice added later
    # gets the same hint from the one place main.py asks (before: "run '... --help' for usage").
    from types import SimpleNamespace

    from typer._types import TyperChoice

    param = SimpleNamespace(type=TyperChoice(["System", "User"]), opts=["--mode"], param_type_name="option")
    assert bad_number.hint(param) == "use one of: System, User"


def test_no_flag_of_the_tree_is_a_typer_choice_so_every_choice_refusal_today_is_validate_choices() -> None:
    assert not [p.opts for _, command in leaves() for p in command.params if "Choice" in type(p.type).__name__]


@pytest.mark.parametrize("flag", ["--count", "--node-count"])
def test_a_flag_of_two_spellings_is_refused_under_the_one_typed(flag: str) -> None:
    """`--count abc` said `'--count' / '--node-count'` and hinted `--node-count`: both now name
    the flag the user typed, as pflag names the flag it was parsing (spf13/pflag flag.go FlagSet.set)."""
    r = invoke("nodepool", "scale", "np1", "--cluster", "c", "-g", "rg", flag, "abc")
    assert r.exit_code == 2, r
    assert r.stderr.splitlines() == [
        f"error: invalid {flag} 'abc': it is not a whole number",
        f"hint: {flag} takes a whole number",
    ]


def test_a_flag_typed_with_equals_is_the_one_named() -> None:
    r = invoke("nodepool", "scale", "np1", "--cluster", "c", "-g", "rg", "--count=abc")
    assert r.stderr.splitlines()[-1] == "hint: --count takes a whole number"


def _refused(*args: str) -> Any:
    """The BadParameter click raises for ``akscli ARGS`` (the exception main.py reports)."""
    from typer import _click as click

    from akscli.cli.main import root_command

    with pytest.raises(click.exceptions.BadParameter) as caught:
        root_command().main(args=list(args), prog_name="akscli", standalone_mode=False)
    return caught.value


@pytest.mark.parametrize(
    ("args", "error", "hint"),
    [
        (
            ("nodepool", "scale", "np1", "--cluster", "c", "-g", "rg", "--count", "abc"),
            "invalid --count 'abc': it is not a whole number",
            "--count takes a whole number",
        ),
        (
            ("nodepool", "scale", "np1", "--cluster", "c", "-g", "rg", "--node-count=3.5"),
            "invalid --node-count '3.5': it is not a whole number",
            "--node-count takes a whole number",
        ),
        (
            ("model", "plan", "phi-4", "--budget", "abc"),
            "invalid --budget 'abc': it is not a number",
            "--budget takes a number",
        ),
        (
            ("gpu", "usage", "--page-size", "10"),
            "invalid --page-size '10': it must be between 50 and 5000",
            "--page-size takes a whole number from 50 to 5000, e.g. --page-size 500",
        ),
        (
            ("baremetal", "inventory", "--max-nodes", "0"),
            "invalid --max-nodes '0': it must be at least 1",
            "--max-nodes takes a whole number of at least 1",
        ),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, tuple) else None,
)
def test_clicks_refusal_of_a_number_is_put_in_the_words_akscli_refuses_a_number_with(
    args: tuple[str, ...], error: str, hint: str
) -> None:
    """validate.integer's and validate.number's line (`--count -1`: "invalid --count '-1': it must be
    between 0 and 1000"), not click's "Invalid value for '--count': 'abc' is not a valid int.";
    main.py's BadParameter branch reports it (docs/changes/audit34-review34.md)."""
    said = bad_number.refusal(_refused(*args), args)
    assert said is not None
    assert (said.message, said.hint, said.exit_code) == (error, hint, 2)


def _refused_by(option: Any, annotation: Any, args: list[str]) -> Any:
    """The BadParameter click raises for ``args`` given to a one-option Typer command."""
    import typer
    from typer import _click as click

    app = typer.Typer()

    def one(value: Any = None) -> None:
        pass

    one.__annotations__ = {"value": Annotated[annotation, option], "return": None}
    app.command()(one)
    with pytest.raises(click.exceptions.BadParameter) as caught:
        typer.main.get_command(app).main(args=args, standalone_mode=False)
    return caught.value


def test_a_short_flag_glued_to_its_value_is_named_as_typed() -> None:
    """`-c3x` named `'-c' / '--count'` and hinted `--count`: both now name `-c`, the flag typed. No
    akscli number flag has a short spelling today; click's parser reads `-c3x` as `-c 3x`."""
    import typer

    refused = _refused_by(typer.Option("-c", "--count"), int | None, ["-c3x"])
    assert bad_number.typed_flag(refused.param, ["-c3x"]) == "-c"
    said = bad_number.refusal(refused, ["-c3x"])
    assert said is not None
    assert (said.message, said.hint) == ("invalid -c '3x': it is not a whole number", "-c takes a whole number")


def test_a_value_only_an_open_bound_refuses_is_said_with_that_bound() -> None:
    import typer
    from typer import _click as click

    ratio = typer.Option("--ratio", click_type=click.types.FloatRange(min=0, min_open=True))
    refused = _refused_by(ratio, float | None, ["--ratio", "0"])
    said = bad_number.refusal(refused, ["--ratio", "0"])
    assert said is not None
    assert said.message == "invalid --ratio '0': it must be greater than 0"


def test_a_refusal_of_no_number_flag_keeps_clicks_line() -> None:
    import typer

    def no_name(value: str | None) -> str | None:
        raise typer.BadParameter("no such name")

    refused = _refused_by(typer.Option("--name", callback=no_name), str | None, ["--name", "x"])
    assert bad_number.refusal(refused, ["--name", "x"]) is None
