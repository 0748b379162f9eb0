"""docs/architecture.md's map of src/akscli names every package and module there is, and nothing
that is not there.

The map is the code block that starts at ``src/akscli/``. A line that starts before the
description column (``DESCRIPTION``) is an entry; a line at or after it continues the entry above.
An entry whose first word ends in ``/`` opens a package, inside the package whose entry is less
indented. Within a package's lines (its entry's and those of the entries inside it), ``name.py``
names the module ``name`` of that package. ``pkg/name.py`` (a path from src/akscli), or a bare
``name.py`` that the package lacks and src/akscli has, points at a module elsewhere: it must exist,
but names nothing, so each module is named where its package is."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SRC = REPO / "src" / "akscli"
MAP = REPO / "docs" / "architecture.md"
DESCRIPTION = 20  # the column where an entry's description starts
LEFT_OUT = {"__init__.py"}  # a package is named by its own entry
PY = re.compile(r"(?<![\w./-])((?:\w+/)*\w+\.py)\b")


def map_lines(text: str) -> list[str]:
    """The map's lines below ``src/akscli/``, up to the first line back at the left margin."""
    lines = text.split("\n")
    start = lines.index("src/akscli/") + 1
    end = next(i for i in range(start, len(lines)) if lines[i] and not lines[i].startswith(" "))
    return lines[start:end]


def read_map(lines: list[str]) -> tuple[set[str], set[str], list[str]]:
    """(the packages named, the modules named, the paths that point nowhere), each a path from
    src/akscli (``kube/readiness``, ``kube/readiness/core.py``)."""
    packages: set[str] = set()
    modules: set[str] = set()
    nowhere: list[str] = []
    stack: list[tuple[int, str]] = [(-1, "")]
    for line in lines:
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        if indent < DESCRIPTION:
            while stack[-1][0] >= indent:
                stack.pop()
            first = line.split()[0]
            if first.endswith("/"):
                path = f"{stack[-1][1]}{first}"
                stack.append((indent, path))
                packages.add(path.rstrip("/"))
                if not (SRC / path).is_dir():
                    nowhere.append(path)
        package = stack[-1][1]
        for word in PY.findall(line):
            if "/" in word:
                if not (SRC / word).is_file():
                    nowhere.append(word)
            elif (SRC / package / word).is_file():
                modules.add(package + word)
            elif not (SRC / word).is_file():
                nowhere.append(package + word)
    return packages, modules, nowhere


def source_tree() -> tuple[set[str], set[str]]:
    """(the packages, the modules) under src/akscli."""
    packages = {str(p.parent.relative_to(SRC)) for p in SRC.rglob("__init__.py") if p.parent != SRC}
    modules = {str(p.relative_to(SRC)) for p in SRC.rglob("*.py") if p.name not in LEFT_OUT}
    return packages, modules


def test_the_map_names_every_package_and_module_of_src_akscli() -> None:
    packages, modules = source_tree()
    named_packages, named_modules, _ = read_map(map_lines(MAP.read_text(encoding="utf-8")))
    assert sorted(packages - named_packages) == [], "packages missing from docs/architecture.md's map"
    assert sorted(modules - named_modules) == [], "modules missing from docs/architecture.md's map"


def test_every_path_in_the_map_is_in_src_akscli() -> None:
    _, _, nowhere = read_map(map_lines(MAP.read_text(encoding="utf-8")))
    assert nowhere == [], "paths in docs/architecture.md's map that src/akscli does not have"


def test_a_module_counts_only_where_its_package_is_mapped() -> None:
    lines = [
        "  output.py         the output layer",
        "  kube/             Kubernetes",
        "    client.py       the client, printing through output.py (a pointer: kube has none)",
        "                    a continuation names wait.py; kube/reach.py points and names nothing",
        "    gone.py         a module that is nowhere",
        "  validate.py       back at the top",
    ]
    packages, modules, nowhere = read_map(lines)
    assert packages == {"kube"}
    assert modules == {"output.py", "kube/client.py", "kube/wait.py", "validate.py"}
    assert nowhere == ["kube/gone.py"]


def test_a_package_named_by_a_path_that_does_not_exist_is_reported() -> None:
    _, _, nowhere = read_map(["  kube/             Kubernetes", "    gone/           a package removed"])
    assert nowhere == ["kube/gone/"]
