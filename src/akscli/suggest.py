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


def closest(
    word: str,
    known: Iterable[str] | Mapping[str, str],
    n: int = 3,
    cutoff: float = CUTOFF,
    margin: float | None = None,
) -> list[str]:
    """Up to ``n`` of ``known`` closest to ``word``, closest first, compared without case. A
    mapping compares its keys (the spellings a name is typed in) and gives their values (the
    name to show), each once. ``margin``: only those about as close as the closest, within that
    much of its ratio (``east-us`` is eastus, 0.92, not also westus, 0.77)."""
    names = dict(known) if isinstance(known, Mapping) else {k: k for k in known}
    by_key = {key.lower(): shown for key, shown in names.items()}
    typed = word.strip().lower()
    hits = difflib.get_close_matches(typed, list(by_key), n=n * 2, cutoff=cutoff)
    if hits and margin is not None:
        best = difflib.SequenceMatcher(None, typed, hits[0]).ratio()
        hits = [hit for hit in hits if difflib.SequenceMatcher(None, typed, hit).ratio() >= best - margin]
    out: list[str] = []
    for hit in hits:
        if by_key[hit] not in out:
            out.append(by_key[hit])
    return out[:n]


def did_you_mean(
    word: str,
    known: Iterable[str] | Mapping[str, str],
    n: int = 3,
    cutoff: float = CUTOFF,
    margin: float | None = None,
) -> str:
    """``did you mean a, b? `` to lead a hint, or "" where nothing is close."""
    near = closest(word, known, n, cutoff, margin)
    return f"did you mean {', '.join(near)}? " if near else ""
