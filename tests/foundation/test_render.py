"""The renderer: every value is exactly one YAML value, whatever the user typed."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from akscli import render, yamlio
from akscli.errors import UsageError

DEMO = Path(__file__).parent / "templates"

# Any text a user could type: newlines, ': ', '---', '{{ }}', quotes, '#', unicode, controls.
# Lone surrogates are excluded: they are not text (validate.text rejects them before rendering).
user_text = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=60),
    st.sampled_from(
        [
            "",
            "a: b",
            "---\nkind: Secret",
            "{{ 7*7 }}",
            "{% raw %}",
            "'\"",
            "# c",
            "- x",
            "? k",
            "&a *a",
            "!!python/object x",
            "\u2028\u0085",
            "null",
            "true",
            "0x1F",
            "1e3",
            "|",
            ">",
            "@`",
            "\t",
            "key: [1, {a: b}]",
        ]
    ),
)


@pytest.fixture
def demo_templates(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render, "templates_dir", lambda: DEMO)


@settings(max_examples=300, deadline=None)
@given(value=user_text)
def test_any_string_stays_one_value_in_every_position(value: str) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(render, "templates_dir", lambda: DEMO)
        first, second = render.render("demo/all-positions", {"value": value})
    assert first["metadata"]["labels"] == {"plain": value}
    assert first["metadata"]["annotations"] == {value: "key-position"}
    assert first["data"] == {
        "block": value,
        "after": "fixed",
        "nested": {"inner": value, "list": [value, value]},
        "listed": [value, "second"],
    }
    assert second == {
        "apiVersion": "demo.akscli.io/v1",
        "kind": "Demo",
        "metadata": {"name": "second"},
        "data": {"again": value},
    }


def test_numbers_and_booleans_keep_their_types(demo_templates: None) -> None:
    for value in (3, 2.5, True, None):
        first, _ = yamlio.load_all(render.render_text("demo/all-positions", {"value": value}), "demo")
        assert first["data"]["block"] == value


def test_a_rendered_field_of_the_wrong_type_is_refused_not_printed(demo_templates: None) -> None:
    # metadata.labels is map[string]string (k8s.io/apimachinery meta/v1 ObjectMeta): a number
    # there is an object the API server cannot decode.
    with pytest.raises(UsageError) as caught:
        render.render("demo/all-positions", {"value": 3})
    assert "metadata.labels.plain must be a string (it is a number)" in caught.value.message


def test_missing_value_names_the_template_and_the_value(demo_templates: None) -> None:
    with pytest.raises(UsageError) as caught:
        render.render("demo/all-positions", {})
    assert "demo/all-positions.yaml.j2" in caught.value.message
    assert "'value'" in caught.value.message
    assert caught.value.hint and "--set value=" in caught.value.hint


def test_unknown_template_lists_the_known_ones(demo_templates: None) -> None:
    with pytest.raises(UsageError) as caught:
        render.render("demo/nope", {"value": 1})
    assert "demo/all-positions" in (caught.value.hint or "")


def test_template_can_be_named_by_its_basename(demo_templates: None) -> None:
    assert render.resolve_template("all-positions") == "demo/all-positions.yaml.j2"


def test_sandbox_refuses_unsafe_attribute_access(demo_templates: None, tmp_path: Path) -> None:
    (DEMO / "demo").mkdir(exist_ok=True)
    evil = DEMO / "demo" / "evil.yaml.j2"
    evil.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ value.__class__.__mro__ }}\n")
    try:
        with pytest.raises(UsageError):
            render.render("demo/evil", {"value": "x"})
    finally:
        evil.unlink()


def test_stack_labels_mark_objects_as_managed_by_akscli(demo_templates: None) -> None:
    objects = render.render("demo/all-positions", {"value": "v"}, stack="llama")
    for obj in objects:
        assert obj["metadata"]["labels"][render.MANAGED_BY] == "akscli"
        assert obj["metadata"]["labels"][render.STACK_LABEL] == "llama"


def test_every_shipped_template_is_found() -> None:
    names = render.list_templates()
    assert names == sorted(names)
    assert all(n.endswith(".yaml.j2") for n in names)
    assert Path(render.templates_dir()).name == "templates"


def test_every_character_the_renderer_escapes_is_one_python_counts_as_unprintable() -> None:
    """_quote skips the escaping pattern when a value is printable: that is only right while each
    character the pattern escapes is unprintable to str.isprintable."""
    every_character = "".join(chr(code) for code in range(0x110000))
    escaped = render._yaml_unsafe().findall(every_character)
    assert len(escaped) > 2000
    assert not [ch for ch in escaped if ch.isprintable()]


@pytest.mark.parametrize("character", ["\x85", "\u2028", "\u2029", "\ufeff", "\x7f", "\x9f"])
def test_a_character_yaml_reads_as_a_break_or_refuses_is_escaped_in_a_rendered_value(character: str) -> None:
    quoted = render.yaml_value(f"a{character}b")
    assert quoted == f'"a\\u{ord(character):04x}b"'
    assert yamlio.load(f"v: {quoted}") == {"v": f"a{character}b"}


def test_templates_are_listed_as_a_recursive_glob_lists_them(tmp_path: Path) -> None:
    """The template list (os.walk, for start-up) holds what ``Path.rglob("*.yaml.j2")`` finds:
    nested and hidden names, a folder with the suffix, a linked folder listed but not entered."""
    (tmp_path / "core" / "deep").mkdir(parents=True)
    (tmp_path / "other").mkdir()
    for name in ("top.yaml.j2", "core/a.yaml.j2", "core/deep/b.yaml.j2", "core/.hidden.yaml.j2", "core/a.values.yaml"):
        (tmp_path / name).write_text("x: 1\n", encoding="utf-8")
    (tmp_path / "other" / "dir.yaml.j2").mkdir()
    (tmp_path / "other" / "dir.yaml.j2" / "inner.yaml.j2").write_text("x: 1\n", encoding="utf-8")
    (tmp_path / "linked.yaml.j2").symlink_to(tmp_path / "core", target_is_directory=True)
    (tmp_path / "linked").symlink_to(tmp_path / "core", target_is_directory=True)
    expected = tuple(sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob(f"*{render.TEMPLATE_SUFFIX}")))
    assert render._templates(tmp_path) == expected
    assert "linked.yaml.j2" in expected and not any(t.startswith("linked/") for t in expected)


def test_the_shipped_templates_are_listed_as_a_recursive_glob_lists_them() -> None:
    root = Path(render.templates_dir())
    assert render.list_templates() == sorted(str(p.relative_to(root)) for p in root.rglob(f"*{render.TEMPLATE_SUFFIX}"))
