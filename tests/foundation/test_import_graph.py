"""No import cycle among the modules of src/akscli, as Python runs them at import time: the
imports at module level (not in a function, not under ``if TYPE_CHECKING``). ``from P import N``
points at the module P.N when there is one, else at P (it reads a name P defines); the package
``__init__`` that Python runs before a submodule is left out, so a package that gathers its
submodules (akscli.ray, akscli.kube.readiness) is no cycle, while a submodule that reads a name from
that package would be. A function's own ``import`` runs when it is called, once every module is
loaded, so it may point back (the lazy imports that keep help and offline commands light)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"


def _modules() -> dict[str, Path]:
    found = {}
    for path in (SRC / "akscli").rglob("*.py"):
        parts = path.relative_to(SRC).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _module_level_imports(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield from _module_level_imports(node.orelse)
        elif not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            for block in ("body", "orelse", "finalbody"):
                yield from _module_level_imports(getattr(node, block, []))
            for handler in getattr(node, "handlers", []):
                yield from _module_level_imports(handler.body)


def _imported(module: str, node: ast.Import | ast.ImportFrom, modules: dict[str, Path]) -> set[str]:
    """The modules of ours an import statement reads."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            package = module.split(".") if modules[module].name == "__init__.py" else module.split(".")[:-1]
            package = package[: len(package) - node.level + 1]
            base = ".".join([*package, base] if base else package)
        names = [f"{base}.{alias.name}" for alias in node.names]
    loaded = set()
    for name in names:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        if name:
            loaded.add(name)
    return loaded - {module}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        imports = _module_level_imports(ast.parse(path.read_text()).body)
        graph[module] = set().union(*(_imported(module, node, modules) for node in imports))
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components of more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while (top := stack.pop()) != node:
                component.append(top)
            if component:
                found.append(sorted([node, *component]))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_src_has_no_module_level_import_cycle() -> None:
    assert _cycles(_graph()) == []


def test_the_cycle_check_finds_each_cycle_once() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a", "e"}, "e": {"d"}, "f": set()}
    assert sorted(_cycles(graph)) == [["a", "b", "c"], ["d", "e"]]


def test_from_a_package_import_reads_the_submodule_or_else_the_package() -> None:
    modules = {
        "akscli": Path("__init__.py"),
        "akscli.ray": Path("__init__.py"),
        "akscli.ray.job": Path("job.py"),
        "akscli.ray.build": Path("build.py"),
    }
    read = ast.parse("from akscli.ray import job, RayJob\nfrom . import job").body
    assert [_imported("akscli.ray.build", node, modules) for node in read] == [
        {"akscli.ray.job", "akscli.ray"},
        {"akscli.ray.job"},
    ]


def test_imports_under_type_checking_or_in_a_function_are_not_module_level() -> None:
    body = ast.parse(
        "import x\nif TYPE_CHECKING:\n    import y\nelse:\n    import z\ndef f():\n    import w\ntry:\n    import v\n"
        "except ImportError:\n    import u\n"
    ).body
    assert [ast.unparse(node) for node in _module_level_imports(body)] == [
        "import x",
        "import z",
        "import v",
        "import u",
    ]
