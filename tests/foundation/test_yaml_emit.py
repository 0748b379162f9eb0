"""-o yaml through libyaml's C emitter (akscli.yamlemit): the bytes of ruamel.yaml's pure-Python
dumper, on every golden file, on the strings where YAML readers and the two emitters disagree,
and on generated data; what the C emitter would write otherwise goes to the pure one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from akscli import yamlemit, yamlio

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
GOLDEN_FILES = sorted(GOLDEN.rglob("*.yaml"))


def pure(data: Any) -> str:
    """What yamlio.dump wrote before: ruamel.yaml's pure-Python dumper alone."""
    return yamlio._pure_dump_all([yamlio._plain(data)])


def fast(data: Any) -> str | None:
    return yamlemit.dump(yamlio._plain(data), yamlio._dumper)


def test_there_are_golden_files_to_compare() -> None:
    assert len(GOLDEN_FILES) >= 20


@pytest.mark.parametrize("path", GOLDEN_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_golden_manifest_is_written_by_the_c_emitter_to_the_same_bytes(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    docs = yamlio.load_all(text)
    assert [fast(doc) for doc in docs] == [pure(doc) for doc in docs]
    assert yamlio.dump_all(docs) == text


# Each string is written plain, quoted or escaped by a rule that kubectl's YAML 1.1 reading, YAML
# 1.2 or one of the two emitters has about it; the C emitter takes each of these.
ODD_STRINGS = [
    *("yes", "no", "on", "off", "y", "n", "Yes", "ON", "true", "null", "~", ""),
    *("0o12", "012", "0x1F", "1e3", "1_000", ".inf", "-.inf", ".nan", "2001-12-14", "1.33.5", "<<", "="),
    *(
        "- a",
        "a: b",
        "a #b",
        "a:",
        "#a",
        "...",
        "---",
        "? a",
        "[a]",
        "{a}",
        "&a",
        "*a",
        "!a",
        "|",
        ">",
        "%a",
        "@a",
        "`a",
    ),
    *(" lead", "trail ", "two  spaces", "tab\there", "quote ' inside", "'quoted'", "it's", "' ", "x: 'y'"),
    *('say "hi"', "back\\slash", "line\nbreak", "trailing\n", "\n", "lines\n\n  indented\n"),
    *("é ü 日本", "\u00a0nbsp", "\ufeffbom", "\ufffdreplacement", "\x85nel", "a\x85b"),
    # sec32: control characters are written as escapes, never raw (\e, \x9B, \x7F)
    *("\x1b]52;c;aGk=\x07", "\x1b[2J", "\x9b31m", "del\x7f", "nul\x00", "\x08bs"),
    "x" * 300,
    "y " * 200,
]


@pytest.mark.parametrize("text", ODD_STRINGS, ids=repr)
def test_an_odd_string_as_key_value_and_item_is_written_as_the_pure_dumper_writes_it(text: str) -> None:
    key = text if len(text) < yamlemit.KEY_CHARS else "k"
    data = {key: [text, {"k": text}], "v": text}
    assert fast(data) is not None
    assert fast(data) == pure(data)


# Where the two emitters write differently: these documents are the pure dumper's to write.
PURE_ONLY = {
    "an emoji, beyond U+FFFF": "ship it \U0001f680",
    "a carriage return": "a\r\nb",
    "a line separator": "a\u2028b",
    "a paragraph separator": "a\u2029b",
    "a lone surrogate": "a\ud800b",
    "a line past the width": "word " * 900,
}


@pytest.mark.parametrize("text", PURE_ONLY.values(), ids=PURE_ONLY.keys())
def test_a_string_the_c_emitter_writes_otherwise_leaves_the_document_to_the_pure_dumper(text: str) -> None:
    data = {"metadata": {"name": "a"}, "value": text}
    assert fast(data) is None
    assert yamlio.dump(data) == pure(data)


@pytest.mark.parametrize("size", [122, 123, 128, 129])
def test_a_key_of_123_characters_or_more_leaves_the_document_to_the_pure_dumper(size: int) -> None:
    # ruamel writes "key: 1" while the key and "!!str" are below 128 characters, libyaml while the
    # key is up to 128 UTF-8 bytes; past that "? key"
    data = {"k" * size: 1}
    assert (fast(data) is None) == (size >= 123)
    assert yamlio.dump(data) == pure(data)
    assert yamlio.dump(data).startswith("? ") == (size >= 123)


def test_a_key_of_few_characters_but_over_128_utf8_bytes_leaves_the_document_to_the_pure_dumper() -> None:
    data = {"日" * 43: 1}  # 43 characters, 129 bytes
    assert fast(data) is None
    assert yamlio.dump(data) == pure(data)


def test_a_type_that_is_no_plain_data_leaves_the_document_to_the_pure_dumper() -> None:
    import datetime

    data = {"when": datetime.date(2026, 12, 7)}
    assert fast(data) is None
    assert yamlio.dump(data) == pure(data) == "when: 2026-12-07\n"


@pytest.mark.parametrize(
    "value", [0, -1, 2**63, True, False, None, 1.5, -0.0, 0.0, 1e17, 1e-05, float("inf"), float("nan")]
)
def test_numbers_bools_and_null_are_written_by_ruamels_own_representer(value: Any) -> None:
    data = {"a": value, "b": [value]}
    assert fast(data) == pure(data)


def test_kubectl_style_is_kept_block_lists_at_their_keys_indent_strings_kubectl_reads_otherwise_quoted() -> None:
    # kubectl -o yaml (sigs.k8s.io/yaml on go-yaml v2) writes a mapping's list at the key's indent
    # and quotes "yes" and "0644"; akscli's convention, which the C emitter keeps
    data = {"metadata": {"labels": {"on": "yes"}}, "spec": {"args": ["--mode", "0644"], "empty": {}, "none": []}}
    expected = (
        "metadata:\n  labels:\n    'on': 'yes'\nspec:\n  args:\n  - --mode\n  - '0644'\n  empty: {}\n  none: []\n"
    )
    assert fast(data) == expected == pure(data)


def test_control_characters_are_escaped_in_the_c_emitters_output() -> None:
    text = fast({"message": "\x1b]52;c;aGk=\x07 \x9b31m \x7f"})
    assert text == 'message: "\\e]52;c;aGk=\\a \\x9B31m \\x7F"\n'


def test_without_libyaml_every_document_is_written_by_the_pure_dumper(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlemit, "_parts", lambda _dumper: None)
    data = {"a": ["b", "yes"]}
    assert fast(data) is None
    assert yamlio.dump(data) == pure(data)


STREAMS = [
    [{"a": 1}, {"b": [1]}],
    [{"a": 1}, "x", {"b": 2}],
    [{"a": 1}, {}, {"b": 2}],
    [{"a": 1}, [], "y", None],
    ["x", {"a": 1}],
    [{"a": "ship \U0001f680"}, {"b": 1}],
    [],
]


@pytest.mark.parametrize("docs", STREAMS, ids=repr)
def test_a_stream_of_documents_is_the_pure_dumpers_whole_stream(docs: list[Any]) -> None:
    assert yamlio.dump_all(iter(docs)) == yamlio._pure_dump_all([yamlio._plain(d) for d in docs])


_TEXT = st.text(st.characters(max_codepoint=0xFFFF, exclude_characters="\r\u2028\u2029", exclude_categories=("Cs",)))
_PIECES = ["é", "日", " ", "'", "\n", ":", "#", "-", "\t", "\x85", "\x1b"]
_SPECIAL = st.sampled_from([*(s for s in ODD_STRINGS if len(s) < 50), *_PIECES])
_STRINGS = st.one_of(_TEXT, st.lists(st.one_of(_SPECIAL, _TEXT), max_size=6).map("".join))
_SCALARS = st.one_of(_STRINGS, st.integers(), st.floats(), st.booleans(), st.none())
_DATA = st.recursive(
    _SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_STRINGS, inner, max_size=4))
)


@settings(max_examples=300, deadline=None)
@given(_DATA)
def test_generated_data_is_written_to_the_pure_dumpers_bytes(data: Any) -> None:
    assert yamlio.dump(data) == pure(data)
