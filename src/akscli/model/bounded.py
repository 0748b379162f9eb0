"""Warning lines of a bounded width: a value that grows with what the user or the Hub gave (a model
id, a --region, a config.json string, a recorded option, a list of reasons) is shortened in the
middle, and a list names its first few and counts the rest, so that each warning stays one short
line on stderr (at most WIDTH characters, the bound kaito_names.hub_note's lines keep). Plain
functions: no Typer, no rich."""

from __future__ import annotations

from collections.abc import Sequence

WIDTH = 200  # characters of one warning line, without "warning: "
ELLIPSIS = "…"


def value(text: str, width: int = 48) -> str:
    """``text``, or its head and tail around ``…`` (``width`` characters in all) where it is longer."""
    if len(text) <= width:
        return text
    head = width // 2
    tail = width - 1 - head
    return f"{text[:head]}{ELLIPSIS}{text[len(text) - tail :] if tail > 0 else ''}"


def listed(items: Sequence[str], shown: int = 3, sep: str = ", ") -> str:
    """The first ``shown`` items joined by ``sep``, and ``and N more`` for the rest."""
    if len(items) <= shown:
        return sep.join(items)
    return f"{sep.join(items[:shown])}{sep}and {len(items) - shown} more"
