"""akscli.cli.complete (the completers and the __complete protocol, 490 lines) loads when the shell
asks for candidates, not for a command that is run: the commands name akscli.cli.completers'
stand-ins, which load it on their first call."""

from __future__ import annotations

import subprocess
import sys
import typing

import pytest

RUN = """
import contextlib, io, sys
from akscli.cli.main import run
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    code = run(sys.argv[1:])
print(code, "akscli.cli.complete" in sys.modules)
"""


@pytest.mark.parametrize(
    "args",
    [["model", "show", "phi-4"], ["render", "core/namespace", "--set", "name=demo"], ["model", "list", "--help"]],
    ids=" ".join,
)
def test_a_command_that_is_run_does_not_load_the_completers(args: list[str]) -> None:
    done = subprocess.run([sys.executable, "-c", RUN, *args], capture_output=True, text=True, check=True, timeout=60)
    assert done.stdout.split()[-1] == "False"


def test_a_stand_in_answers_as_the_completer_it_names() -> None:
    from akscli.cli import complete, completers

    assert completers.models("phi-4") == complete.models("phi-4")
    assert completers.output_formats("j") == complete.output_formats("j")


def test_a_stand_in_has_its_completers_parameters() -> None:
    """Typer hands a callback the context and the word by its parameters' annotations
    (typer/main.py get_param_completion)."""
    from akscli.cli import complete, completers

    for name in ("models", "namespaces", "hub_runs", "shells"):
        assert typing.get_type_hints(getattr(completers, name)) == typing.get_type_hints(getattr(complete, name))
