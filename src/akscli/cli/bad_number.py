"""Click's own refusal of a number (or choice) flag's value (`'abc' is not a valid int.`, `10 is
not in the range 50<=x<=5000.`) in akscli's words: a number's line as validate says it (``refusal``)
and a hint of what the flag takes, read from its declared type (``hint``), in place of the generic
`run '... --help' for usage`. One place for every command: main.py asks it for each click
BadParameter.

The words follow kubectl's for a number flag it cannot parse (`invalid argument "abc" for
"--replicas" flag: strconv.ParseInt: parsing "abc": invalid syntax`, spf13/pflag flag.go
FlagSet.set), which names the flag and the form; akscli adds the range and the default where the flag
declares them. No example is made up: a flag with no default gets none, as a made-up number may
lie outside the range the command checks later (validate.number)."""

from collections.abc import Sequence
from typing import Any

from akscli import validate
from akscli.errors import UsageError

_WHOLE = ("IntParamType", "IntRange")
_DECIMAL = ("FloatParamType", "FloatRange")
_CHOICES = ("Choice", "TyperChoice")  # click's, typer's (an Enum or a Literal flag)


def typed_flag(param: Any, args: Sequence[str]) -> str | None:
    """Which of an option's spellings the user typed (the last one in ``args``: ``--count`` of
    ``--count/--node-count``, ``-c`` of ``-c3``), so the refusal and its hint name the flag as typed, as
    pflag's message names the flag it was parsing (spf13/pflag flag.go FlagSet.set); None where none is found."""
    typed = _typed(param, args)
    return None if typed is None else typed[0]


def _typed(param: Any, args: Sequence[str]) -> tuple[str, str | None] | None:
    """The spelling of ``param`` typed last in ``args`` and the value given with it: ``--x v``,
    ``--x=v``, or a short flag's value glued to it, ``-x3`` (click's parser reads ``-x3`` as ``-x 3``
    when -x takes a value: pallets/click src/click/parser.py, _OptionParser._match_short_opt, "the
    rest of the argument is the value")."""
    if param is None or getattr(param, "param_type_name", "") != "option":
        return None
    opts = [*getattr(param, "opts", []), *getattr(param, "secondary_opts", [])]
    takes_value = not getattr(param, "is_flag", False) and not getattr(param, "count", False)
    typed = None
    for at, arg in enumerate(args):
        if arg == "--":
            break
        for opt in opts:
            if arg == opt:
                typed = (opt, args[at + 1] if at + 1 < len(args) else None)
            elif opt.startswith("--") and arg.startswith(opt + "="):
                typed = (opt, arg[len(opt) + 1 :])
            elif takes_value and len(opt) == 2 and not arg.startswith("--") and arg.startswith(opt) and arg != opt:
                typed = (opt, arg[2:])
    return typed


def refusal(exc: Any, args: Sequence[str]) -> UsageError | None:
    """click's refusal of a number flag's value (``Invalid value for '--count': 'abc' is not a valid
    int.``) in akscli's words for every other bad value (validate.integer and validate.number, which
    the commands use for the values they check themselves, as ``--count -1``):

        error: invalid --count 'abc': it is not a whole number
        hint: --count takes a whole number

    The flag is named as typed (``_typed``), and the hint is ``hint``'s. None for a parameter that is
    no number option, or whose value is not found in ``args`` (click's line stays)."""
    param: Any = getattr(exc, "param", None)
    kind = type(getattr(param, "type", None)).__name__
    typed = _typed(param, args)
    if kind not in (*_WHOLE, *_DECIMAL) or typed is None or typed[1] is None:
        return None
    flag, value = typed
    low, high = getattr(param.type, "min", None), getattr(param.type, "max", None)
    try:
        if kind in _WHOLE:
            validate.integer(value, flag, low, high)
        else:
            validate.number(value, flag, low, high)
    except UsageError as said:
        return UsageError(said.message, hint=hint(param, flag))
    # Only an open bound refuses what validate accepts (0 for FloatRange(min=0, min_open=True)).
    bounds = _range(param.type).removeprefix(" of ").removeprefix(" from ")
    return UsageError(f"invalid {flag} {value!r}: it must be {bounds}", hint=hint(param, flag))


def hint(param: Any, typed: str | None = None) -> str | None:
    """``--page-size takes a whole number from 50 to 5000, e.g. --page-size 500`` (``typed``: the
    spelling the user typed, else the longest); for a click Choice,
    ``use one of: a, b, c`` (validate.choice's words: akscli's own choice flags are checked there, and
    none is an Enum or Literal flag, typer's TyperChoice, today, so a future one says the same); None
    for any other parameter (click's own hint stays)."""
    kind = type(getattr(param, "type", None)).__name__
    if param is None or kind not in (*_WHOLE, *_DECIMAL, *_CHOICES):
        return None
    if kind in _CHOICES:
        return "use one of: " + ", ".join(str(c) for c in param.type.choices)
    opts = getattr(param, "opts", None) or []
    flag = typed or (max(opts, key=len) if param.param_type_name == "option" and opts else param.human_readable_name)
    form = "a whole number" if kind in _WHOLE else "a number"
    text = f"{flag} takes {form}{_range(param.type)}"
    default = param.default
    if isinstance(default, int | float) and not isinstance(default, bool):
        shown = f"{flag} {_number(default)}" if param.param_type_name == "option" else _number(default)
        text += f", e.g. {shown}"
    return text


def _range(kind: Any) -> str:
    """`` from 50 to 5000``, `` of at least 1``, `` greater than 0 and at most 2``; empty without bounds."""
    low, high = getattr(kind, "min", None), getattr(kind, "max", None)
    low_open, high_open = getattr(kind, "min_open", False), getattr(kind, "max_open", False)
    if low is not None and high is not None and not (low_open or high_open):
        return f" from {_number(low)} to {_number(high)}"
    words = []
    if low is not None:
        words.append(f"{'greater than' if low_open else 'at least'} {_number(low)}")
    if high is not None:
        words.append(f"{'less than' if high_open else 'at most'} {_number(high)}")
    return f" of {' and '.join(words)}" if words else ""


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
