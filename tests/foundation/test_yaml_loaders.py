"""The fast paths of yamlio read every document exactly as ruamel's pure-Python loader does.

Manifests are parsed by ruamel's C parser (ruamel.yaml.clib) under the same bounded composer,
and a JSON document by the stdlib's json; both must give the same values, value types and
refusals as the pure-Python path they replace.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from akscli import errors, yamlio
from tests.foundation.test_input_bounds import ALIAS_BOMB, DEEP_BLOCK, DEEP_FLOW

C_PARSER = yamlio._c_loader() is not None
needs_c = pytest.mark.skipif(not C_PARSER, reason="ruamel.yaml.clib is not installed")

DOCUMENTS = {
    "yaml-1.1-words-stay-strings": "a: yes\nb: no\nc: on\nd: off\ne: y\nf: Yes\n",
    "numbers": "a: 0777\nb: 0o17\nc: 0x1F\nd: 1e3\ne: .5\nf: 1_000\ng: +12\nh: -0.0\ni: .inf\nj: .NaN\nk: 12:30\n",
    "nulls-and-bools": "a: ~\nb: null\nc: True\nd: TRUE\ne: false\n",
    "timestamps": "a: 2001-12-14\nb: 2001-12-14t21:59:43.10-05:00\n",
    "tags": "a: !!str 5\nb: !!binary aGVsbG8=\nc: !!set {x, y}\nd: !!omap [x: 1]\ne: !!float 1\n",
    "yaml-1.1-directive": "%YAML 1.1\n---\na: yes\nb: 0777\nc: on\n",
    "directive-later-in-the-stream": "a: yes\n...\n%YAML 1.1\n---\nb: yes\n---\nc: on\n",
    "anchors-and-merge-keys": "base: &b {cpu: 1}\nworker: *b\nmerged:\n  <<: *b\n  mem: 2\n",
    "complex-keys": "? [1, 2]\n: x\n- a\n",
    "flow-and-block": "- [a, b]\n- {x: 1}\n- ? complex\n  : key\n",
    "empty-documents": "---\n---\nfoo\n---\n",
    "block-scalars": "a: |\n  line1\n  line2\nb: >\n  folded\n  text\nc: |-\n  kept\n",
    "escapes": "a: \"esc \\t \\u00e9 \\x41 \\/\"\nb: 'it''s'\n",
    "duplicate-key": "a: 1\na: 2\n",
    "bad-indentation": "a:\n  - x\n - y\n",
    "unclosed-flow": "a: [1, 2\n",
    "tab-indentation": "a:\n\tb: 1\n",
    "undefined-alias": "a: *nowhere\n",
    "json-with-nan": '{"a": NaN, "b": Infinity}',
    "json-duplicate": '{"a": 1, "a": 2}',
    "json-stream": '{"a": 1}\n{"b": 2}',
    "json-control-character": '{"a": "x\x7fy"}',
    "yaml-control-character": 'a: "x\x07y"\n',
    "colon-in-flow-scalars": "a: [http://x:8080, b]\nb: {c:d}\nc: {server: https://h.example:443}\n",
    "yaml-1.1-line-breaks": 'a: foo\u2028bar\nb: foo\x85bar\nc: "x\x85y"\n',
    "bom-inside-the-stream": "a: 1\n\ufeffb: 2\n",
    "tab-after-dash": "- a\n-\tb\n",
    "lone-surrogate-escape": 'a: "\\ud800"\n',
    "json-lone-surrogate": '{"a": "\\ud800"}',
    "json-surrogate-pair": '{"a": "\\ud83d\\ude00"}',
    "json-line-separator": '{"a\u2028": "b\x85"}',
    "alias-bomb": ALIAS_BOMB,
    "deep-flow": DEEP_FLOW,
    "deep-block": DEEP_BLOCK,
}


def pure_python(text: str, monkeypatch: pytest.MonkeyPatch, kubernetes: bool = False) -> Any:
    with monkeypatch.context() as patch:
        patch.setattr(yamlio, "_c_loader", lambda: None)
        patch.setattr(yamlio, "_json_document", lambda *_: yamlio._NOT_JSON)
        return outcome(lambda: yamlio.load_all(text, "doc.yaml", kubernetes))


def outcome(call: Callable[[], Any]) -> Any:
    """The documents, or the first words of the refusal."""
    try:
        return ("documents", call())
    except errors.UsageError as exc:
        return ("refused", exc.message.split(":")[0])


@needs_c
@pytest.mark.parametrize("kubernetes", [False, True], ids=["yaml-1.2", "kubernetes-manifest"])
@pytest.mark.parametrize("text", DOCUMENTS.values(), ids=DOCUMENTS.keys())
def test_the_c_parser_reads_what_the_pure_python_parser_reads(
    text: str, kubernetes: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = pure_python(text, monkeypatch, kubernetes)
    got = outcome(lambda: yamlio.load_all(text, "doc.yaml", kubernetes))
    assert got == expected
    assert repr(got) == repr(expected)  # the same types too: True is not 1, 1.0 is not 1


@needs_c
def test_deep_block_sequences_are_refused_not_crashing_the_c_parser() -> None:
    # ruamel's own C composer recurses in C: a million "- " crashes the process (SIGSEGV)
    started = time.monotonic()
    with pytest.raises(errors.UsageError, match="nested more than"):
        yamlio.load_all("- " * 1_000_000 + "x\n", "deep.yaml")
    assert time.monotonic() - started < 10


@needs_c
def test_the_alias_bomb_is_refused_at_once_by_the_c_parser() -> None:
    started = time.monotonic()
    with pytest.raises(errors.UsageError, match="aliases"):
        yamlio.load_all(ALIAS_BOMB, "bomb.yaml")
    assert time.monotonic() - started < 2


BMP_TEXT = st.text(st.characters(max_codepoint=0xFFFF, exclude_categories=("Cs",)), max_size=20)
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    # Astral characters escaped as surrogate pairs go to the YAML path (two halves there, one
    # character to json), so the comparison of the JSON path keeps to the Basic Multilingual Plane.
    | BMP_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(BMP_TEXT, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(value=st.dictionaries(BMP_TEXT, JSON_VALUES, max_size=4) | st.lists(JSON_VALUES, max_size=4))
def test_a_json_document_reads_as_the_pure_python_yaml_loader_reads_it(value: Any) -> None:
    text = json.dumps(value, ensure_ascii=bool(len(repr(value)) % 2))
    if not yamlio._non_printable().search(text):
        assert yamlio._json_document(text) is not yamlio._NOT_JSON  # the fast path took it
    for kubernetes in (False, True):  # a manifest too: JSON has none of YAML 1.1's plain scalars
        got = outcome(lambda kubernetes=kubernetes: yamlio.load_all(text, "doc.yaml", kubernetes))
        with pytest.MonkeyPatch.context() as patch:
            expected = pure_python(text, patch, kubernetes)
        assert got == expected
        assert repr(got) == repr(expected)


REPO = Path(__file__).resolve().parents[2]
REPO_YAML = sorted(p for top in ("templates", "tests/golden", "src/akscli/data") for p in (REPO / top).rglob("*.yaml"))


@needs_c
@pytest.mark.parametrize("path", REPO_YAML, ids=[str(p.relative_to(REPO)) for p in REPO_YAML])
def test_the_repository_s_own_yaml_reads_the_same_through_the_c_parser(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = path.read_text(encoding="utf-8")
    expected = pure_python(text, monkeypatch)
    got = outcome(lambda: yamlio.load_all(text, "doc.yaml"))
    assert repr(got) == repr(expected)
