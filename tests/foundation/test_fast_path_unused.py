"""A command the fast path does not serve pays nothing for it: the console script and main.run
decide from the command's words (akscli.cli.fast_words.may_be_fast) before the fast path's parser
(akscli.cli.fast) or its table (akscli.cli.fast_table) is imported, and the model commands that
are not the catalog do not load its body (akscli.cli.model_catalog_body)."""

from __future__ import annotations

import subprocess
import sys

import pytest

FAST_ONLY = ("akscli.cli.fast", "akscli.cli.fast_table", "akscli.cli.model_catalog_body")

CONSOLE_SCRIPT = """
import contextlib, io, sys, akscli.process as p
FAMILIES = sys.argv[1].split(",")
def finished(code, **_):
    print(code, sorted(set(FAMILIES) & set(sys.modules)), file=sys.__stdout__)
    sys.exit(0)
p.finish = finished
sys.argv = ["akscli", *sys.argv[2:]]
from akscli.cli.entry import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    main()
"""

IN_PROCESS = """
import contextlib, io, sys
from akscli.cli.main import run
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    code = run(sys.argv[2:])
print(code, sorted(set(sys.argv[1].split(",")) & set(sys.modules)))
"""

TREE_LINES = [
    ["model", "show", "phi-4"],
    ["model", "show", "phi-4", "-o", "name"],
    ["completion", "bash"],
]


def _loaded(probe: str, args: list[str], families: tuple[str, ...] = FAST_ONLY) -> str:
    command = [sys.executable, "-c", probe, ",".join(families), *args]
    done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=60)
    return done.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize("args", TREE_LINES, ids=" ".join)
def test_the_console_script_runs_a_command_the_fast_path_does_not_serve_without_loading_it(args: list[str]) -> None:
    assert _loaded(CONSOLE_SCRIPT, args) == "0 []"


@pytest.mark.parametrize("args", TREE_LINES, ids=" ".join)
def test_main_run_runs_a_command_the_fast_path_does_not_serve_without_loading_it(args: list[str]) -> None:
    assert _loaded(IN_PROCESS, args) == "0 []"


def test_a_fast_command_still_loads_the_fast_path() -> None:
    assert _loaded(CONSOLE_SCRIPT, ["model", "catalog", "phi"]) == (
        "0 ['akscli.cli.fast', 'akscli.cli.fast_table', 'akscli.cli.model_catalog_body']"
    )


@pytest.mark.parametrize("args", [["version"], ["model", "catalog"], ["model", "plan", "phi-4"]], ids=" ".join)
def test_the_fast_path_does_not_load_inspect(args: list[str]) -> None:
    """inspect brings ast, dis, tokenize and linecache: a fifth of these commands' start-up
    instructions. akscli.records reads a Record's fields from its own __annotations__."""
    assert _loaded(CONSOLE_SCRIPT, args, families=("inspect", "ast", "dis")) == "0 []"


@pytest.mark.parametrize(
    "args",
    [["version"], ["model", "catalog"], ["model", "plan", "phi-4"], ["render", "core/namespace", "--set", "name=demo"]],
    ids=" ".join,
)
def test_the_fast_path_does_not_load_pathlib(args: list[str]) -> None:
    """pathlib brings urllib.parse, ipaddress, fnmatch and ntpath: 14 M instructions of `version`
    (111 M), which reads no file (render still loads urllib.parse: jinja2.utils imports it).
    akscli.validate, akscli.datafiles, akscli.model.skus and akscli.cli.render_body import pathlib
    where a file is read; akscli.render finds its templates by os.path."""
    assert _loaded(CONSOLE_SCRIPT, args, families=("pathlib",)) == "0 []"


@pytest.mark.parametrize("args", [["version"], ["version", "-o", "json"]], ids=" ".join)
def test_version_through_the_fast_path_does_not_load_platform(args: list[str]) -> None:
    """platform's import and its sys.version parsers are 8.6 M instructions of `version`'s 97 M:
    the Python version and the system/machine pair come from sys.version and os.uname
    (akscli.cli.version_body), the same text (tests/foundation/test_version_text.py)."""
    assert _loaded(CONSOLE_SCRIPT, args, families=("platform",)) == "0 []"
