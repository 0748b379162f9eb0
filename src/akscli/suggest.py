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
# The names a not-found hint reads its guess from, at most: one page of the list (kube/client.py
# DEFAULT_PAGE_SIZE), so the error path of a namespace with thousands of objects costs one request.
NAMES_LOOKED_UP = 500


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


def one_edit(word: str, other: str) -> bool:
    """Whether ``other`` is ``word`` with one letter added, dropped or changed, or two adjacent
    ones swapped (case aside): the Levenshtein distance spf13/cobra suggests a mistyped command
    within (command.go SuggestionsFor, cobra.go ld; at most 2 there), at 1, with a swap counted
    as one edit as Damerau counts it."""
    a, b = word.lower(), other.lower()
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (
            len(diff) == 2 and diff[1] == diff[0] + 1 and (a[diff[0]], a[diff[1]]) == (b[diff[1]], b[diff[0]])
        )
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long[i]:
        i += 1
    return short[i:] == long[i + 1 :]


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
