"""No value a user types changes a manifest's structure: for every template value `akscli render`
takes as text (--set), a value holding ":", "{{ }}", "---", "#" or flow syntax is either refused
with one usage error or rendered as that one string, in the same objects with the same keys."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from akscli import render, yamlio
from tests.cli import invoke
from tests.foundation.test_render_values import TEMPLATES, example, required_only

HOSTILE = ("a: b", "{{ 7 * 7 }}", "--- x", "x #c", "[a, b]", "{a: b}", "'q\"", "$(id)", "&a *a", "!!python/object x")
# The declared types --set gives text to (map and labels: as the value of k=).
TEXT_TYPES = {"text", "image", "name", "subdomain", "quantity"}

# Values that need another value with them.
COMPANIONS = {
    ("model/fleet", "staged_strategy"): ["--set", "update_run=run-1"],
    ("model/fleet", "update_run"): ["--set", "staged_strategy=canary"],
}


def swapped(node: Any, text: str, plain: str) -> Any:
    """``node`` with ``text`` put back to ``plain`` wherever it stands, in keys and values."""
    if isinstance(node, dict):
        return {swapped(key, text, plain): swapped(value, text, plain) for key, value in node.items()}
    if isinstance(node, list):
        return [swapped(value, text, plain) for value in node]
    return node.replace(text, plain) if isinstance(node, str) else node


def typed(kind: str, text: str) -> str | None:
    """``text`` as --set gives it to a value of ``kind`` (None: the type takes no such text)."""
    if kind in TEXT_TYPES:
        return text
    if kind in ("map", "labels"):
        return f"k={text}"
    return None


def rendered(template: str, sets: list[str], files: list[str]) -> Any:
    result = invoke("render", template, *sets, *files, "-o", "json")
    return result, (json.loads(result.stdout) if result.exit_code == 0 else None)


def cases() -> list[tuple[str, str, str]]:
    out = []
    for template in TEMPLATES:
        for key, decl in render.values_spec(template + render.TEMPLATE_SUFFIX).items():
            kind = decl.get("type", "text")
            if typed(kind, "x") is not None and kind != "choice":
                out.append((template, key, kind))
    return out


@pytest.mark.parametrize(("template", "key", "kind"), cases())
def test_a_value_is_refused_or_stays_one_string(template: str, key: str, kind: str, tmp_path: Path) -> None:
    sets, structured = required_only(template)
    files: list[str] = []
    if structured:
        values = tmp_path / "values.yaml"
        values.write_text(yamlio.dump(structured), encoding="utf-8")
        files = ["--values", str(values)]
    pairs = [sets[i + 1] for i in range(0, len(sets), 2)]  # sets is --set K=V, --set K=V ...
    base = [word for pair in pairs if not pair.startswith(f"{key}=") for word in ("--set", pair)]
    base += COMPANIONS.get((template, key), [])
    decl = render.values_spec(template + render.TEMPLATE_SUFFIX)[key]
    if "pattern" in decl:  # a value with its field's pattern: the schema's own example matches it
        plain = str(decl["example"])
        plain = plain.split("=", 1)[1] if kind in ("map", "labels") else plain  # a map's example is k=v
    else:
        plain = "plain" if kind not in ("quantity", "image") else example(template, key, {"type": kind})
    benign_result, benign = rendered(template, [*base, "--set", f"{key}={typed(kind, plain)}"], files)
    assert benign is not None, benign_result
    broken = []
    for text in HOSTILE:
        result, doc = rendered(template, [*base, "--set", f"{key}={typed(kind, text)}"], files)
        if doc is None:
            lines = result.stderr.splitlines()
            if result.exit_code != 2 or result.stdout or len([x for x in lines if x.startswith("error: ")]) != 1:
                broken.append(f"{text!r}: {result!r}")
        elif swapped(doc, text, plain) != benign:
            broken.append(f"{text!r}: the rendered objects differ by more than the value")
    assert not broken, broken
