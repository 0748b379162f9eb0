"""The fast path: a few offline commands run without Typer or Click when their words are plain.

``akscli version``, ``akscli model catalog`` and ``akscli model plan`` (the README's first job)
are offline, and importing Typer and building its command (about 166 M of the 205 M instructions
of any Typer command: docs/changes/audit33-perf33.md) cost more than the command itself. Here
their words are read by the spec docgen writes from the Click commands (cli/fast.json,
akscli.cli.fast_spec) and the command's body (the function its Typer callback calls with the same
arguments) runs directly.

The command tree stays the one source of truth and the one error path: this module serves only
what it fully understands and answers None ("defer") for anything else, which the command tree
then runs from the start as before: help (-h, --help), a flag the command lacks (global flags
are taken out first by the same code the tree runs: run_common.prepared), ``--``, an option
given twice, a value that does not convert, a missing argument or value, ``-oVALUE``, a boolean
flag with ``=VALUE``, a value that starts with ``-``, completion, or AKSCLI_NO_FAST_PATH=1. So
every usage error keeps its wording. Around the body it does what the tree does around a command
(run_common: the same report, Ctrl-C line, closed-pipe exit and cleanup) and what Typer does
around a callback (typer/core.py _main: a Ctrl-C is exit 130, an EOFError a newline then the
Ctrl-C line, a closed pipe exit 0). tests/foundation/test_fast_path*.py hold the two paths equal.
"""

import os
import sys
from collections.abc import Sequence
from typing import Any

# The commands served here: path -> the typer-free body its Typer callback calls.
BODIES: dict[str, str] = {
    "version": "akscli.cli.version_body:version",
    "model catalog": "akscli.cli.model_catalog_body:catalog_models",
    "model plan": "akscli.cli.model_plan_body:plan",
}
FAST_SPEC = os.path.join(os.path.dirname(__file__), "fast.json")
# Set (to anything but empty) to run every command through the command tree.
SWITCH_OFF = "AKSCLI_NO_FAST_PATH"
_FIRST_WORDS = frozenset(path.split()[0] for path in BODIES)


class Defer(BaseException):
    """The fast path does not fully understand the command line: the command tree runs it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def run(argv: Sequence[str]) -> int | None:
    """The exit code of ``argv`` run here, or None: the command tree (akscli.cli.main) runs it."""
    if not any(word in _FIRST_WORDS for word in argv) or os.environ.get(SWITCH_OFF):
        return None
    if any(key.endswith("AKSCLI_COMPLETE") for key in os.environ):
        return None  # shell completion (Click's protocol)
    from akscli.cli import run_common

    try:
        return run_common.guarded(lambda: _serve(argv))
    except Defer:
        return None
    finally:
        run_common.cleanup()


def _serve(argv: Sequence[str]) -> int:
    from akscli import logconfig
    from akscli.cli import run_common

    args = run_common.prepared(argv, _takes_namespace)
    path, kwargs = parse(args, _specs())
    logconfig.configure()
    return run_common.command_result(_call(path, kwargs))


def _takes_namespace(_args: list[str]) -> bool:
    """A leading -n before a command: only the command tree knows whether the command has -n."""
    raise Defer("a leading namespace flag")


def _specs() -> dict[str, Any]:
    import json

    try:
        with open(FAST_SPEC, encoding="utf-8") as file:
            specs: dict[str, Any] = json.load(file)
    except (OSError, ValueError) as exc:
        raise Defer(f"no spec: {exc}") from None
    return specs


def parse(args: Sequence[str], specs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The command ``args`` name and the keyword arguments Click and Typer would give its
    callback; Defer for anything not fully understood."""
    words = list(args)
    path = next((p for p in BODIES if words[: len(p.split())] == p.split()), None)
    if path is None or path not in specs:
        raise Defer("not a fast command")
    spec = specs[path]
    if spec.get("defer"):
        raise Defer(f"the spec defers {path}: {spec['defer']}")
    return path, _values(words[len(path.split()) :], spec["params"])


def _values(words: list[str], params: list[dict[str, Any]]) -> dict[str, Any]:
    by_name = {name: p for p in params if "opts" in p for name in p["opts"]}
    arguments = [p for p in params if p.get("argument")]
    given: dict[str, Any] = {}
    positionals: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        if not word.startswith("-"):
            positionals.append(word)
            continue
        name, value = _option_word(word, by_name)
        param = by_name[name]
        if param["name"] in given:
            raise Defer(f"{name} given twice")
        if param["type"] == "flag":
            given[param["name"]] = True
            continue
        if value is None:
            if index == len(words) or words[index].startswith("-"):
                raise Defer(f"{name}: no value, or one that starts with '-'")
            value = words[index]
            index += 1
        given[param["name"]] = _converted(param, value)
    if len(positionals) > len(arguments):
        raise Defer("more arguments than the command takes")
    for param, word in zip(arguments, positionals, strict=False):
        given[param["name"]] = _converted(param, word)
    values: dict[str, Any] = {}
    for param in params:  # in the command's order, as Click fills ctx.params
        if param["name"] in given:
            values[param["name"]] = given[param["name"]]
        elif param.get("required"):
            raise Defer(f"{param['name']}: missing")
        else:
            default = param["default"]
            values[param["name"]] = default if default is None else _converted(param, default)
    for param in params:
        if "formats" in param and values[param["name"]] is not None:
            values[param["name"]] = _checked_format(values[param["name"]], param["formats"])
    return values


def _option_word(word: str, by_name: dict[str, Any]) -> tuple[str, str | None]:
    """The option ``word`` names and the value it carries: ``--name=VALUE`` as Click reads it,
    ``-o=VALUE`` as options.split_shorthand_values turns it into ``-o VALUE``."""
    if word in by_name:
        return word, None
    name, eq, value = word.partition("=")
    short = len(word) > 2 and word[2] == "=" and not word.startswith("--")
    if eq and name in by_name and by_name[name]["type"] != "flag" and (word.startswith("--") or short):
        return name, value
    raise Defer(f"{word!r}: not an option the fast path reads")


def _converted(param: dict[str, Any], value: Any) -> Any:
    """``value`` as Click's type converts it (typer/_click/types.py: StringParamType returns a str
    as it is, IntParamType and FloatParamType call int() and float()); Defer where Click would refuse it."""
    kind = param["type"]
    if kind == "flag":
        return bool(value)
    if kind == "str":
        return value if isinstance(value, str) else str(value)
    try:
        return int(value) if kind == "int" else float(value)
    except (TypeError, ValueError):
        raise Defer(f"{param['name']}: not a number") from None


def _checked_format(value: str, formats: list[str]) -> str:
    """-o's check (options.output_option's callback, output.check_format); Defer where it
    refuses, so the command tree words the refusal."""
    from akscli import output
    from akscli.errors import AkscliError

    try:
        return output.check_format(value, tuple(formats))
    except AkscliError:
        raise Defer("-o: refused") from None


def _call(path: str, kwargs: dict[str, Any]) -> Any:
    import importlib

    module_name, _, attr = BODIES[path].partition(":")
    body = getattr(importlib.import_module(module_name), attr)
    block = _specs()[path].get("block")
    if block is not None:
        build_module, _, build_name = block["build"].partition(":")
        build = getattr(importlib.import_module(build_module), build_name)
        kwargs[block["into"]] = build(**{name: kwargs.pop(name) for name in block["params"]})
    try:
        return body(**kwargs)
    except KeyboardInterrupt:
        from akscli.errors import EXIT_INTERRUPTED

        return EXIT_INTERRUPTED  # typer/core.py _main: raise Exit(130), returned as the result
    except EOFError:
        from akscli.cli import run_common

        sys.stderr.write("\n")  # typer/core.py _main: _click.echo(file=sys.stderr), then Abort
        sys.stderr.flush()
        sys.stderr.write(run_common.interrupted())  # main._run's typer.Abort
        from akscli.errors import EXIT_INTERRUPTED

        return EXIT_INTERRUPTED
    except OSError as exc:
        import errno

        if exc.errno != errno.EPIPE:
            raise
        # typer/core.py _main: stdout and stderr wrapped so that no later flush fails, then
        # sys.exit(1), which run_common.guarded reads as a closed pipe (exit 0).
        from typer._click.utils import PacifyFlushWrapper

        sys.stdout = PacifyFlushWrapper(sys.stdout)
        sys.stderr = PacifyFlushWrapper(sys.stderr)
        sys.exit(1)
