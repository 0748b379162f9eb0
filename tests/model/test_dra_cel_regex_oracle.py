"""matches() in a DeviceClass selector is RE2's (cel-go's standard function; the pattern literal
is compiled with the expression: cel.ValidateRegexLiterals in kubernetes/apiserver v0.34.0
pkg/cel/environment/base.go). akscli evaluates a pattern with Python's re only where the two read
it alike (akscli.gpu.dra_cel_lib.compile_re2), and refuses the rest as not judged. Here that is held to
an oracle outside akscli: RE2 itself (google-re2, which cel-python, a test dependency, brings).

For 5,000 patterns drawn (seed 25) from RE2's and Python's tokens, and the subjects below, a
pattern akscli accepts is one RE2 compiles, and both find a match in the same subjects."""

from __future__ import annotations

import random

import pytest

from akscli.gpu.dra_cel_lib import Unsupported, compile_re2

re2 = pytest.importorskip("re2")

TOKENS = [
    *"abA1_ \n.^$*+?|()[]-{}é&~#",
    "(?:", "[^", "{2}", "{1,3}", "{2,}", "{1", "{,2}", "*?", "+?", "??", "?+", "(?i)", "(?=a)", "(?P<n>",
    "\\d", "\\w", "\\b", "\\B", "\\s", "\\.", "\\$", "\\\\", "\\D", "\\W", "\\A", "\\z", "\\Z", "\\t", "\\n",
    "\\x41", "\\-", "\\v", "\\f", "\\1", "[]a]", "[^]]", "[a-]", "[$]", "[\\]]", "[\\b]", "[[:alpha:]]", "[a&&b]",
]  # fmt: skip
SUBJECTS = ["", "a", "ab", "A1_", "a\n", "\na", "aaa", "b a", "é1", "a b\n", "1.5", "$a", "ab$", "x\ty", "]",
            "[", "a-", "{", "{1}", "aa{2}", "\\", "&", "~", "#", "\v", "\f", "A", "-"]  # fmt: skip


def patterns() -> list[str]:
    draw = random.Random(25)
    return ["".join(draw.choice(TOKENS) for _ in range(draw.randint(1, 6))) for _ in range(5000)]


def test_a_pattern_akscli_evaluates_matches_what_re2_matches() -> None:
    accepted = 0
    for pattern in patterns():
        try:
            mine = compile_re2(pattern)
        except Unsupported:
            continue
        accepted += 1
        theirs = re2.compile(pattern)  # a pattern RE2 refuses would raise here
        disagree = [s for s in SUBJECTS if (mine.search(s) is None) != (theirs.search(s) is None)]
        assert not disagree, (pattern, disagree)
    assert accepted > 1500  # the oracle is not vacuous


@pytest.mark.parametrize("pattern", ["^a$", "\\B", "[\\b]", "(?i)a", "a{,2}", "\\s"])
def test_the_patterns_on_which_re2_and_python_differ_are_refused_or_translated(pattern: str) -> None:
    # $ is RE2's end of text (Python's matches before a final newline too): translated to \Z;
    # \B on "", \b in a class, flags, {,n} and \s differ: refused
    try:
        mine = compile_re2(pattern)
    except Unsupported:
        return
    assert (mine.search("a\n") is None) == (re2.compile(pattern).search("a\n") is None)
