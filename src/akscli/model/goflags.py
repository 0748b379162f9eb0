"""A Go program's flags read from its container's arguments, as Go's flag package and pflag read
them (golang/go src/flag/flag.go parseOne; spf13/pflag flag.go): how akscli learns how an
operator's controller or an endpoint picker was started."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping


def go_flag(args: Iterable[str], name: str) -> str | None:
    """A string flag's value as Go's flag package reads it: ``-name`` or ``--name``, ``=VALUE`` or
    the next argument; the last one counts. None where it is not given."""
    value = None
    words = list(args)
    for index, word in enumerate(words):
        flag, sep, rest = word.removeprefix("-").removeprefix("-").partition("=")
        if not word.startswith("-") or flag != name:
            continue
        if sep:
            value = rest
        elif index + 1 < len(words):
            value = words[index + 1]
    return value


def go_bool_flag(args: Iterable[str], name: str) -> str | None:
    """A bool flag as Go's flag package reads it: ``--name`` alone is "true", ``--name=VALUE`` is
    VALUE (a bool flag takes no separate argument, golang/go src/flag/flag.go parseOne)."""
    value = None
    for word in args:
        flag, sep, rest = word.removeprefix("-").removeprefix("-").partition("=")
        if word.startswith("-") and flag == name:
            value = rest if sep else "true"
    return value


GO_BOOL_VALUES = frozenset(("1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False"))


# golang/go src/flag/flag.go ErrHelp: parseOne returns it for an undefined -h or -help, and Parse
# on an ExitOnError FlagSet (flag.CommandLine) prints the usage and exits 0.
HELP = "flag: help requested"


# Go's number literals as strconv reads a flag's value: ParseInt(s, 0, 64) for an int flag (a base
# prefix, a leading 0 octal, "_" between digits), ParseFloat(s, 64) for a float64 flag (decimal or
# hex, "_" between digits, Inf, Infinity, NaN) (golang/go src/strconv/atoi.go, atof.go, underscoreOK).
_GO_INT = re.compile(
    r"[+-]?(?:0[xX](?:_?[0-9a-fA-F])+|0[bB](?:_?[01])+|0[oO](?:_?[0-7])+|0(?:_?[0-7])*|[1-9](?:_?[0-9])*)"
)
_DIGITS, _HEX = r"[0-9](?:_?[0-9])*", r"[0-9a-fA-F](?:_?[0-9a-fA-F])*"
_GO_FLOAT = re.compile(
    rf"[+-]?(?:(?:{_DIGITS}(?:\.(?:{_DIGITS})?)?|\.{_DIGITS})(?:[eE][+-]?{_DIGITS})?"
    # golang/go src/strconv/atoi.go underscoreOK: after 0x, "_" only before a digit (no "0x_.8p1")
    rf"|0[xX](?:_?{_HEX}(?:\.(?:{_HEX})?)?|\.{_HEX})[pP][+-]?{_DIGITS})"
)
# golang/go src/strconv/atof.go special: commonPrefixLenIgnoreCase lowers ASCII 'A'-'Z' only (re.ASCII: no dotless i)
_GO_SPECIAL = re.compile(r"[+-]?(?:inf|infinity)|nan", re.IGNORECASE | re.ASCII)
_GO_BASES = {"b": 2, "B": 2, "o": 8, "O": 8, "x": 16, "X": 16}


def _go_uint_overflows(body: str) -> bool:
    """Whether ParseUint passes uint64 before the first character it cannot read: it checks the
    range digit by digit, so "18446744073709551616x" is ErrRange, not ErrSyntax, and underscoreOK
    is asked only at the end (golang/go src/strconv/atoi.go ParseUint)."""
    base = 10
    if body[:1] == "0":
        base = _GO_BASES.get(body[1], 8) if len(body) >= 3 else 8
        body = body[2:] if len(body) >= 3 and body[1] in _GO_BASES else body[1:]
    digits = ""
    for char in body:
        if char != "_" and not (char.isascii() and char.isalnum() and int(char, 36) < base):
            break
        digits += char.replace("_", "")
    return bool(digits) and int(digits, base) > 2**64 - 1


def go_number_error(kind: str, value: str) -> str | None:
    """The error a Go flag of ``kind`` ("int": flag.IntVar, "float64": flag.Float64Var) gives
    ``value``: numError's "parse error" (strconv.ErrSyntax) or "value out of range"
    (strconv.ErrRange) (golang/go src/flag/flag.go intValue.Set, float64Value.Set, numError); None
    when it parses."""
    if kind == "int":
        if not _GO_INT.fullmatch(value):
            body = value[1:] if value[:1] in ("+", "-") else value  # golang/go src/strconv/atoi.go ParseInt: one sign
            return "value out of range" if _go_uint_overflows(body) else "parse error"
        digits = value.replace("_", "")
        sign, body = (digits[0], digits[1:]) if digits[0] in "+-" else ("", digits)
        octal = len(body) > 1 and body[0] == "0" and body[1] not in "xXbBoO"
        number = int(sign + body[1:], 8) if octal else int(sign + body, 0)
        return None if -(2**63) <= number < 2**63 else "value out of range"
    if _GO_SPECIAL.fullmatch(value):
        return None
    if not _GO_FLOAT.fullmatch(value):
        return "parse error"
    digits = value.replace("_", "")
    hexadecimal = "x" in digits.lower()
    try:
        parsed = float.fromhex(digits) if hexadecimal else float(digits)
    except OverflowError:  # golang/go src/strconv/atof.go atofHex: past maxExp, ErrRange
        return "value out of range"
    return "value out of range" if math.isinf(parsed) else None


# kubernetes-sigs/controller-runtime v0.21.0-v0.24.1 pkg/log/zap/flags.go (the same Set methods in each): the
# values BindFlags' zap-* flags take after strings.ToLower, and each Set's error.
_ZAP_WORDS = {
    "zap-encoder": (("json", "console"), "invalid encoder value"),
    "zap-stacktrace-level": (("info", "error", "panic"), "invalid stacktrace level"),
    "zap-time-encoding": (
        ("rfc3339nano", "rfc3339", "iso8601", "millis", "nanos", "epoch"),
        "invalid time-encoding value",
    ),
    "zap-log-level": (("debug", "info", "error", "panic"), "invalid log level"),
}


def zap_flag_error(kind: str, value: str) -> str | None:
    """The error controller-runtime's zap flag ``kind`` (a zap-* flag name) gives ``value``, or None:
    encoderFlag, stackTraceFlag, timeEncodingFlag and levelFlag Set (pkg/log/zap/flags.go). Each
    lowers the value with Go's strings.ToLower (simple case mapping: U+0130 is "i", not Python's
    "i" and a combining dot); levelFlag also takes strconv.Atoi's base-10 integer above 0."""
    words, message = _ZAP_WORDS[kind]
    if value.replace("\u0130", "i").lower() in words:
        return None
    if kind == "zap-log-level" and re.fullmatch(r"[+-]?[0-9]+", value, re.ASCII) and 0 < int(value) < 2**63:
        return None
    return f'{message} "{value}"'


def go_parse(
    argv: Iterable[str],
    bool_flags: Iterable[str],
    defined: Iterable[str] | None = None,
    numbers: Mapping[str, str] | None = None,
) -> tuple[dict[str, str], str | None]:
    """flag.Parse of a program's ``argv`` (without the program's name), whose bool flags are
    ``bool_flags`` (golang/go src/flag/flag.go parseOne, FlagSet.Parse): each flag's last value
    (a bool flag without ``=VALUE`` is "true"), and the error Go's flag package prints before
    ``os.Exit(2)``, or None (HELP: the usage asked for, exit 0). Parsing stops before the first
    word that is no flag, or after "--". ``defined``: every flag the program defines (None: not
    known, so an undefined flag is read as a string flag); another is refused as parseOne does
    ("flag provided but not defined: -NAME"), and an undefined h or help is HELP. ``numbers``: the
    int and float64 flags (name: "int" or "float64") and controller-runtime's zap flags (name: its
    own name, ``zap_flag_error``); a value their Set refuses is refused as parseOne does ("invalid
    value %q for flag -%s: %v")."""
    bools, words = frozenset(bool_flags), list(argv)
    known = None if defined is None else frozenset(defined) | bools
    values: dict[str, str] = {}
    i = 0
    while i < len(words):
        word = words[i]
        if len(word) < 2 or word[0] != "-" or word == "--":
            break
        name = word[2:] if word[1] == "-" else word[1:]
        if not name or name[0] in "-=":
            return values, f"bad flag syntax: {word}"
        i += 1
        name, eq, value = name.partition("=")
        if known is not None and name not in known:
            return values, HELP if name in ("h", "help") else f"flag provided but not defined: -{name}"
        if name in bools:
            if eq and value not in GO_BOOL_VALUES:  # boolValue.Set: strconv.ParseBool's error is errParse
                return values, f"invalid boolean value {_go_quote(value)} for -{name}: parse error"
            values[name] = value if eq else "true"
            continue
        if not eq:
            if i >= len(words):
                return values, f"flag needs an argument: -{name}"
            value, i = words[i], i + 1
        kind = numbers.get(name) if numbers else None
        problem = (
            None
            if kind is None
            else zap_flag_error(kind, value)
            if kind in _ZAP_WORDS
            else go_number_error(kind, value)
        )
        if problem is not None:
            return values, f"invalid value {_go_quote(value)} for flag -{name}: {problem}"
        values[name] = value
    return values, None


def _go_quote(value: str) -> str:
    """fmt's %q of a printable string (strconv.Quote): double quotes, backslash escapes."""
    import json

    return json.dumps(value, ensure_ascii=False)
