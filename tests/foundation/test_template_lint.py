"""Every shipped template keeps the renderer's guarantee: each {{ expression }} is a whole value.

The renderer turns every expression into one YAML scalar or flow collection. That holds only
if an expression stands alone as a key, a value or a list item: ``image: {{ a }}:{{ b }}`` or
``name: "x-{{ n }}"`` would splice a user value into another scalar.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from akscli.render import TEMPLATE_SUFFIX, list_templates, templates_dir

EXPR = re.compile(r"\{\{-?(?:[^}]|\}(?!\}))*?-?\}\}")
STATEMENT = re.compile(r"\{%-?.*?-?%\}|\{#.*?#\}")
# What may stand right before and right after an expression so that it is a whole YAML node:
# block starts, list dashes, mapping colons and flow-collection punctuation.
BEFORE = re.compile(r"(?:^|[-:]\s|[\[{,])\s*$")
AFTER = re.compile(r"^\s*(?:$|:(?:\s|$)|[,\]}]|#)")


def spliced(line: str) -> bool:
    code = STATEMENT.sub("", line)
    for match in EXPR.finditer(code):
        before, after = code[: match.start()], code[match.end() :]
        if not BEFORE.search(before) or not AFTER.match(after):
            return True
    return False


def test_the_lint_tells_whole_values_from_spliced_ones() -> None:
    assert not spliced("  name: {{ name }}")
    assert not spliced("  - {name: A, value: {{ v }}}")
    assert not spliced("  {{ key }}: {{ value }}")
    assert not spliced('  args: ["x", {{ a ~ b }}]')
    assert spliced("  image: {{ repo }}:{{ tag }}")
    assert spliced('  name: "prefix-{{ n }}"')
    assert spliced("  cmd: run {{ x }}")


def _template_files() -> list[Path]:
    root = Path(templates_dir())
    return [root / name for name in list_templates()] + sorted(root.rglob("*.inc"))


@pytest.mark.parametrize("path", _template_files(), ids=lambda p: p.name.removesuffix(TEMPLATE_SUFFIX))
def test_each_expression_is_a_whole_yaml_key_or_value(path: Path) -> None:
    bad = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if spliced(line):
            bad.append(f"{path.name}:{number}: {line.strip()}")
    assert not bad, "expressions spliced into a scalar:\n" + "\n".join(bad)
