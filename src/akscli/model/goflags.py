"""A Go program's flags read from its container's arguments, as Go's flag package and pflag read
them (golang/go src/flag/flag.go parseOne; spf13/pflag flag.go): how akscli learns how an
operator's controller or an endpoint picker was started."""

from __future__ import annotations

from collections.abc import Iterable


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
