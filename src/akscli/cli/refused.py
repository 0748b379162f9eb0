"""Every refusal of a typed value names the option or argument it refuses.

A usage error about a value the user typed starts with that parameter's name, as Click words a
value it cannot convert (``Invalid value for '-n' / '--namespace': ...``, pallets/click
src/click/core.py Parameter.handle_parse_result via BadParameter.format_message) and kubectl a
bad flag value (``invalid argument "x" for "-n, --namespace" flag``, spf13/pflag flag.go
FlagSet.set): ``NAME: invalid cluster name 'Demo.': ...``, ``--node-vm-size: invalid VM size
'bad': ...`` (an option as it was typed, of its spellings). One line, as every error.

Four places, one rule (``name_it``):
- a parameter's own check (its Click callback) is the parameter's: ``wrap_callbacks``;
- a check the command's body makes (validate.name(namespace, "namespace"), the kubeconfig's
  --context) is attributed by the value: the one typed parameter whose value the message quotes
  most surely (validate._fail and the other checks quote it with ``repr``; a path also as it is),
  ``wrap_invoke``. Where no typed value, or two as surely, is quoted, the message is left as it
  is: it is not about one value;
- a typed path the file system cannot hold (ENAMETOOLONG), by the path: ``_path_refused``;
- argv_check's refusal of a word of its own (``an argument is empty``), before any command is
  parsed, by its place among the command's arguments: ``name_word`` (``NAME is empty``).

A message that already names the parameter (``invalid --replicas '-1'``) is left as it is.
"""

import functools
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from akscli.errors import UsageError

if TYPE_CHECKING:  # the fast path (cli/fast.py) reads ``quotes`` without importing Typer
    from typer import _click as click

    from akscli.argv_check import WordRefused


# Where main._read_kubectl_values keeps the words a leaf command parsed (ctx.meta), so that a
# refusal names the spelling of the flag that was typed (``--node-vm-size``, not every alias).
ARGS = "akscli.args"


def label(param: "click.Parameter", args: Sequence[str] = ()) -> str:
    """The parameter as the user knows it: an argument's metavar (NAME); an option's flag as typed
    (the last of its spellings in ``args``: bad_number.typed_flag, as pflag names the flag it was
    parsing), or all its flags (``-n/--namespace``, as akscli's messages write ``-l/--selector``)."""
    if param.param_type_name == "argument":
        return str(param.metavar or (param.name or "").upper()).rstrip(".")
    from akscli.cli.bad_number import typed_flag

    return typed_flag(param, args) or "/".join(sorted(param.opts, key=len))


def names(message: str, param: "click.Parameter") -> bool:
    """Whether ``message`` already names ``param``."""
    if param.param_type_name == "argument":
        return label(param) in message
    # a flag as a word of its own: -n is not named by --node-count's "-n" nor by "a-n"
    return any(re.search(rf"(?<![\w-]){re.escape(opt)}(?![\w-])", message) for opt in param.opts)


def name_it(exc: UsageError, param: "click.Parameter", ctx: "click.Context | None" = None) -> UsageError:
    """``exc`` naming ``param`` (the same exception, its message led by the parameter's name)."""
    if not names(exc.message, param):
        args = ctx.meta.get(ARGS, ()) if ctx is not None else ()
        exc.message = f"{label(param, args)}: {exc.message}"
        exc.args = (exc.message,)
    return exc


def quotes(message: str, value: object) -> int:
    """How surely ``message`` quotes ``value`` as akscli's checks do: 3 for the whole of it
    (``repr`` of it, of its first 77 characters and ``...`` where it is long: validate._fail; a
    path also as it is, as file errors give it: ``no kubeconfig found at /home/me/kc``), 2 for a
    long value's start with its length (``'/tmp/...' (382 characters)``), 1 for a long value's
    start alone; 0 where it is not quoted. Two paths may start alike: the surer quote tells."""
    values: Iterable[object] = value if isinstance(value, list | tuple) else (value,)
    best = 0
    for one in (_as_typed(v) for v in values):
        if one is None or len(one) == 1:
            continue  # 'a' may be a message's own quote; '' is an empty value's (validate._fail)
        shown = one if len(one) <= 80 else f"{one[:77]}..."
        path = one.startswith(("/", "./", "../", "~/"))
        if repr(shown) in message or (path and one in message):
            return 3
        if len(one) > 80 and (repr(one[:40])[:-1] in message or (path and one[:40] in message)):
            counted = any(f"({n} characters)" in message for n in (len(one), len(one) + 2))
            best = max(best, 2 if counted else 1)
    return best


def _as_typed(value: object) -> str | None:
    """A value as akscli's checks quote it: a string, a number as typed (validate._fail writes a
    whole float as an integer: --budget -5); None for anything else (a flag's bool)."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def the_surest(scores: list[int]) -> int | None:
    """The index of the one surest quote in ``scores`` (quotes of each typed value); None where
    none is quoted or two are quoted as surely."""
    top = max(scores, default=0)
    return scores.index(top) if top and scores.count(top) == 1 else None


def typed(ctx: "click.Context") -> "list[click.Parameter]":
    """The parameters whose value the user typed on the command line (or in the environment)."""
    from typer._click.core import ParameterSource

    found = []
    for param in ctx.command.params:
        source = ctx.get_parameter_source(param.name or "")
        if source in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT):
            found.append(param)
    return found


def the_one_quoted(exc: UsageError, ctx: "click.Context") -> "click.Parameter | None":
    """The one typed parameter whose value ``exc`` quotes; None where none or several are."""
    given = typed(ctx)
    at = the_surest([quotes(exc.message, ctx.params.get(p.name or "")) for p in given])
    return None if at is None else given[at]


def wrap_callbacks(command: "click.Command") -> None:
    """Each parameter's own check names the parameter when it refuses (every command of the tree)."""
    for param in command.params:
        if param.callback is not None:
            param.callback = _naming(param.callback, param)
    for child in getattr(command, "commands", {}).values():
        wrap_callbacks(child)


def _naming(callback: Any, param: "click.Parameter") -> Any:
    @functools.wraps(callback)
    def checked(ctx: "click.Context", this: "click.Parameter", value: Any) -> Any:
        try:
            return callback(ctx, this, value)
        except UsageError as exc:
            raise name_it(exc, param, ctx) from None
        except OSError as exc:  # a path the check reads (--kubeconfig's folder) too long to hold
            from akscli.cli.run_common import path_too_long

            too_long = path_too_long(exc)
            if too_long is None:
                raise
            raise name_it(too_long, param, ctx) from exc

    return checked


def wrap_invoke(command: "click.Command") -> None:
    """Each leaf command's body names the typed value it refuses, where its message quotes one."""
    children = getattr(command, "commands", None)
    if children is not None:
        for child in children.values():
            wrap_invoke(child)
        return
    invoke = command.invoke

    def invoked(ctx: "click.Context") -> Any:
        try:
            return invoke(ctx)
        except UsageError as exc:
            param = the_one_quoted(exc, ctx)
            if param is not None:
                name_it(exc, param, ctx)
            raise
        except OSError as exc:
            too_long = _path_refused(exc, ctx)
            if too_long is None:
                raise
            raise too_long from exc

    command.invoke = invoked  # type: ignore[method-assign]


def _path_refused(exc: OSError, ctx: "click.Context") -> UsageError | None:
    """A typed path the file system cannot hold (run_common.path_too_long) as the refusal of the
    option it was given to, which the error's file name is; None for any other OSError."""
    from akscli.cli.run_common import path_too_long

    too_long = path_too_long(exc)
    if too_long is None:
        return None
    # the typed path the file is, or is in or beside (a kubeconfig's lock file, a root's files)
    touched = str(exc.filename or "")
    given = [
        (len(value), param)
        for param in typed(ctx)
        for value in _each(ctx.params.get(param.name or ""))
        if isinstance(value, str) and len(value) > 1 and touched.startswith(value)
    ]
    longest = max(given, key=lambda found: found[0], default=None)
    return too_long if longest is None else name_it(too_long, longest[1], ctx)


def _each(value: object) -> list[object]:
    return list(value) if isinstance(value, list | tuple) else [value]


def name_word(exc: "WordRefused", root: "click.Command", words: Sequence[str]) -> UsageError:
    """``exc`` (argv_check's refusal of a word of its own, ``an argument is empty``) as the
    argument it is to the command ``words`` name: ``NAME is empty``. The command is the one the
    words before it name; the argument, by its place among the command's words that are no option
    or option value (Click's order: each argument takes its ``nargs``, -1 the rest). Left as it is
    where the word names no argument (a command name, a word past the arguments)."""
    command, at = root, 0
    for at, word in enumerate(words):  # noqa: B007 - ``at``: where the command's own words start
        if word.startswith("-"):
            continue
        get = getattr(command, "get_command", None)
        sub = get(click_context(command), word) if get is not None else None
        if sub is None:
            break
        command = sub
    param = _argument_at(command, list(words[at:]), exc.word)
    if param is None:
        return exc
    exc.message = f"{label(param)} {exc.problem}"
    exc.args = (exc.message,)
    return exc


def click_context(command: "click.Command") -> "click.Context":
    from typer import _click

    return _click.Context(command)


def _argument_at(command: "click.Command", words: list[str], word: str) -> "click.Parameter | None":
    """The argument of ``command`` that ``word`` is, among ``words`` (the command's own)."""
    takes_value = {
        opt
        for p in command.params
        if p.param_type_name == "option" and not getattr(p, "is_flag", False) and not getattr(p, "count", False)
        for opt in p.opts
    }
    arguments = [p for p in command.params if p.param_type_name == "argument"]
    positionals: list[str] = []
    skip = False
    for one in words:
        if skip:
            skip = False
        elif one == "--":
            break
        elif one.startswith("-") and len(one) > 1 and not (one.startswith("--") and one.strip("-").strip() == ""):
            skip = one in takes_value
        else:
            positionals.append(one)
    if word not in positionals:
        return None
    place = positionals.index(word)
    for param in arguments:
        taken = len(positionals) if param.nargs < 0 else param.nargs
        if place < taken:
            return param
        place -= taken
    return None
