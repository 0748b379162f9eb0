"""No import cycle among the modules of src/akscli, counting every import a module has: at module
level, inside a function, and under ``if TYPE_CHECKING``. A function's import runs later than the
module's, and a TYPE_CHECKING one only for mypy, so neither breaks at import time; but each says the
module needs the other, and a cycle of needs is two modules that belong together or a shared piece
in the wrong one (session 22 found six; each was broken by moving that piece where it belongs).

``from P import N`` points at the module P.N when there is one, else at P (it reads a name P
defines). The package ``__init__`` that Python runs before a submodule is left out, so a package
that gathers its submodules (akscli.ray, akscli.kube.readiness) is no cycle, while a submodule that
reads a name from that package would be. ``importlib.import_module`` of a name in a string (the
command table of akscli.cli.main) is not an import statement and is not counted."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"


def _modules(src: Path = SRC) -> dict[str, Path]:
    found = {}
    for path in (src / "akscli").rglob("*.py"):
        parts = path.relative_to(src).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement in a module, wherever it stands."""
    return [node for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)]


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


def _graph(src: Path = SRC) -> dict[str, set[str]]:
    modules = _modules(src)
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        imports = _imports(ast.parse(path.read_text()))
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


def test_src_has_no_import_cycle() -> None:
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


def test_imports_in_functions_methods_and_under_type_checking_count() -> None:
    tree = ast.parse(
        "import x\nif TYPE_CHECKING:\n    import y\nelse:\n    import z\ndef f():\n    import w\n"
        "class C:\n    def m(self):\n        from v import n\ntry:\n    import u\nexcept ImportError:\n    import t\n"
    )
    assert sorted(ast.unparse(node) for node in _imports(tree)) == [
        "from v import n",
        "import t",
        "import u",
        "import w",
        "import x",
        "import y",
        "import z",
    ]


def test_two_modules_that_import_each_other_inside_functions_are_a_cycle(tmp_path: Path) -> None:
    package = tmp_path / "akscli"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    from akscli import b\n")
    (package / "b.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from akscli.a import f\n")
    (package / "c.py").write_text("import akscli.a\n")
    assert _cycles(_graph(tmp_path)) == [["akscli.a", "akscli.b"]]
