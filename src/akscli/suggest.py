"""The one "did you mean" of akscli: the known names closest to one typed wrong (a model in the
catalog, a deployed model, a Ray cluster or job, a node pool, a flag: cli/unknown_flag.py), by
difflib's ratio as Typer suggests a mistyped command (typer/core.py TyperGroup.resolve_command,
difflib.get_close_matches; cli/main.py does the same for the lazy root). Plain functions;
nothing is printed."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping

# difflib.get_close_matches' own cutoff: a ratio under it is no likely typo.
CUTOFF = 0.6


def closest(word: str, known: Iterable[str] | Mapping[str, str], n: int = 3, cutoff: float = CUTOFF) -> list[str]:
    """Up to ``n`` of ``known`` closest to ``word``, closest first, compared without case. A
    mapping compares its keys (the spellings a name is typed in) and gives their values (the
    name to show), each once."""
    names = dict(known) if isinstance(known, Mapping) else {k: k for k in known}
    by_key = {key.lower(): shown for key, shown in names.items()}
    out: list[str] = []
    for hit in difflib.get_close_matches(word.strip().lower(), list(by_key), n=n * 2, cutoff=cutoff):
        if by_key[hit] not in out:
            out.append(by_key[hit])
    return out[:n]


def did_you_mean(word: str, known: Iterable[str] | Mapping[str, str], n: int = 3, cutoff: float = CUTOFF) -> str:
    """``did you mean a, b? `` to lead a hint, or "" where nothing is close."""
    near = closest(word, known, n, cutoff)
    return f"did you mean {', '.join(near)}? " if near else ""
