"""The fast path's spec (cli/fast_table.py, a generated module: no JSON parser on the fast path),
read from the command tree by docgen.

For each command the fast path serves (akscli.cli.fast.BODIES), its Click command's parameters
as Click parses them: names and aliases, flag or value, the type, the default, whether an
argument is required, and the -o check (options.output_option). A parameter whose parsing the
fast path does not reproduce (a callback of its own, a custom or range type, an envvar, a
repeatable option with a default, several values, a --x/--no-x pair) puts a ``defer`` reason on its command:
then the fast path never serves it. The command tree stays the one source of truth; a test fails
when the file is stale (tests/foundation/test_docs.py).
"""

from typing import Any

from typer import _click as click
from typer._click import types as click_types

from akscli.cli.fast import BODIES
from akscli.cli.main import _running

TYPES = {click_types.StringParamType: "str", click_types.IntParamType: "int", click_types.FloatParamType: "float"}


def leaf(path: str) -> click.Command:
    """The Click command ``path`` names, built as it is built to run (main._running)."""
    words = path.split()
    command = _running(words[0], words[1] if len(words) > 1 else None)
    for word in words[1:]:
        command = command.commands[word]  # type: ignore[attr-defined]
    return command


def _type(param: click.Parameter) -> Any:
    kind = type(param.type)
    if getattr(param, "is_flag", False):
        # typer/core.py TyperOption: a bool flag's parser constant is _depr_flag_value (True)
        flag = getattr(param, "is_bool_flag", False) and getattr(param, "_depr_flag_value", None) is True
        return "flag" if flag and not getattr(param, "secondary_opts", ()) else None
    return TYPES.get(kind)  # a Choice (typer's TyperChoice), a range, a path ...: deferred


def _deferred(param: click.Parameter) -> str | None:
    """Why the fast path cannot parse ``param`` as Click does; None when it can."""
    callback = param.callback
    if callback is not None and not hasattr(callback, "akscli_formats"):
        return f"{param.name}: a callback"
    if _type(param) is None:
        return f"{param.name}: type {type(param.type).__name__}"
    if param.envvar or param.nargs != 1 or param.is_eager:
        return f"{param.name}: envvar, nargs or eager"
    if param.multiple and (param.default is not None or param.param_type_name != "option"):
        return f"{param.name}: multiple with a default"
    extras = ("count", "secondary_opts", "prompt")
    if param.param_type_name == "option" and any(getattr(param, a, None) for a in extras):
        return f"{param.name}: count, --x/--no-x or prompt"
    if callable(param.default) or not isinstance(param.default, (str, int, float, bool, type(None))):
        return f"{param.name}: default {param.default!r}"
    return None


def command_spec(command: click.Command) -> dict[str, Any]:
    params: list[dict[str, Any]] = []
    reasons: list[str] = []
    for param in command.params:
        reason = _deferred(param)
        if reason is not None:
            reasons.append(reason)
            continue
        entry: dict[str, Any] = {"name": param.name, "type": _type(param), "default": param.default}
        if param.param_type_name == "argument":
            entry["argument"] = True
            entry["required"] = param.required
        else:
            entry["opts"] = list(param.opts)
        if param.multiple:
            # typer/main.py generate_list_convertor: a repeatable option given none is None
            entry["multiple"] = True
        if param.callback is not None:
            entry["formats"] = list(param.callback.akscli_formats)  # type: ignore[attr-defined]
        params.append(entry)
    spec: dict[str, Any] = {"params": params}
    block = getattr(command.callback, "akscli_block", None)
    if block is not None:
        into, build, names = block
        spec["block"] = {"into": into, "build": build, "params": list(names)}
    if not command.add_help_option or command.allow_extra_args or command.ignore_unknown_options:
        reasons.append("help option, extra arguments or unknown options")
    if not command.allow_interspersed_args:
        reasons.append("options only before arguments")
    if any(p.name == "all_namespaces" for p in command.params):
        reasons.append("-A with a NAME (options.name_across_namespaces)")
    if reasons:
        spec["defer"] = reasons
    return spec


def fast_spec() -> str:
    """cli/fast_table.py: each fast command's spec, keyed by its path."""
    import pprint

    specs = {path: command_spec(leaf(path)) for path in BODIES}
    return (
        "# Generated from the command tree by `python -m akscli.cli.docgen` (akscli.cli.fast_spec): do not edit.\n"
        "from typing import Any\n\n"
        f"SPECS: Any = {pprint.pformat(specs, width=100, sort_dicts=True)}\n"
    )
