"""Whether a Gatekeeper ``spec.match.name`` selects a Pod whose name the API server generates:
yes, no, or not known before the Pod exists (``None``). Plain logic: no I/O, no kubernetes import.

- What Gatekeeper compares (open-policy-agent/gatekeeper dd8507eb pkg/mutation/match/match.go
  namesMatch): ``Name.Matches(obj.GetName()) || Name.MatchesGenerateName(obj.GetGenerateName())``;
  pkg/wildcard/wildcard.go: Matches is exact, or a glob with ``*`` at the front, the end or both;
  MatchesGenerateName is Contains for ``*x*``, HasPrefix for ``x*``, and false otherwise.
- What the validating webhook sees: the generated name. kubernetes/apiserver 24a394e5
  pkg/registry/generic/registry/store.go Store.create sets ``metadata.name`` from generateName
  before it calls createValidation (validating admission, Gatekeeper's webhook among it).
- How the name is made: pkg/storage/names/generate.go SimpleNameGenerator.GenerateName cuts the
  base to maxGeneratedNameLength (58) and adds 5 characters of utilrand.String
  (kubernetes/apimachinery pkg/util/rand/rand.go: alphanums ``bcdfghjklmnpqrstvwxz2456789``).
- A generateName that is only partly known (a Deployment's ReplicaSet hash, a CronJob's schedule
  time, an Indexed Job's index, the random suffix of a RayJob's cluster) is its known prefix,
  followed by characters of a DNS-1123 label.
"""

from __future__ import annotations

MAX_GENERATED = 58  # generate.go maxGeneratedNameLength
RANDOM_LENGTH = 5  # generate.go randomLength
RANDOM_CHARS = frozenset("bcdfghjklmnpqrstvwxz2456789")  # rand.go alphanums
NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")  # a DNS-1123 label's
_MAX_NAME = 253


def _fits(text: str, chars: frozenset[str]) -> bool:
    return set(text) <= chars


def _could(pattern: str, prefix: str, chars: frozenset[str], lo: int, hi: int) -> tuple[bool, bool]:
    """(certain, possible): wildcard.go Matches of ``pattern`` against ``prefix`` followed by
    between ``lo`` and ``hi`` characters of ``chars``."""
    star_front, star_end = pattern.startswith("*"), pattern.endswith("*")
    if star_front and star_end:
        x = pattern.strip("*") if len(pattern) > 1 else ""
        if x in prefix:
            return True, True
        return False, any(prefix.endswith(x[:k]) and _fits(x[k:], chars) and len(x) - k <= hi for k in range(len(x)))
    if star_end:
        x = pattern[:-1]
        if prefix.startswith(x):
            return True, True
        rest = x[len(prefix) :]
        return False, x.startswith(prefix) and len(rest) <= hi and _fits(rest, chars)
    if star_front:
        x = pattern[1:]
        possible = False
        for t in range(lo, hi + 1):
            head, tail = (x[: len(x) - t], x[len(x) - t :]) if t < len(x) else ("", x)
            possible = possible or (prefix.endswith(head) and _fits(tail, chars))
        return hi == 0 and prefix.endswith(x), possible
    rest = pattern[len(prefix) :]
    certain = hi == 0 and pattern == prefix
    return certain, pattern.startswith(prefix) and lo <= len(rest) <= hi and _fits(rest, chars)


def _generate_could(pattern: str, generate_name: str, exact: bool) -> tuple[bool, bool]:
    """wildcard.go MatchesGenerateName against the generateName (``exact``: all of it known)."""
    if not pattern.endswith("*"):
        return False, False
    if not exact:
        return _could(pattern, generate_name, NAME_CHARS, 1, _MAX_NAME)
    if pattern.startswith("*"):
        found = (pattern.strip("*") if len(pattern) > 1 else "") in generate_name
    else:
        found = generate_name.startswith(pattern[:-1])
    return found, found


def generated_name_matches(pattern: str, generate_name: str, exact: bool) -> bool | None:
    """namesMatch for a Pod made from ``generate_name`` (``exact``: the whole generateName is known,
    else only this prefix of it): True, False, or None where it depends on what is not known."""
    if exact or len(generate_name) >= MAX_GENERATED:
        named = _could(pattern, generate_name[:MAX_GENERATED], RANDOM_CHARS, RANDOM_LENGTH, RANDOM_LENGTH)
    else:
        hi = RANDOM_LENGTH + MAX_GENERATED - len(generate_name)
        named = _could(pattern, generate_name, NAME_CHARS, RANDOM_LENGTH + 1, hi)
    if not pattern.endswith("*") and not _fits(pattern.lstrip("*")[-RANDOM_LENGTH:], RANDOM_CHARS):
        named = (False, False)  # a generated name ends in 5 of rand.go's alphanums
    generated = _generate_could(pattern, generate_name, exact)
    if named[0] or generated[0]:
        return True
    return None if named[1] or generated[1] else False
