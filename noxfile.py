"""Developer sessions: nox -s tests | lint | typecheck | bench | docs."""

from __future__ import annotations

from pathlib import Path

import nox

nox.options.sessions = ["lint", "typecheck", "tests"]
nox.options.reuse_existing_virtualenvs = True

# Start-up first: its rows time 20-150 ms commands, best taken on a settled machine, not in the
# wake of the benches where kubectl holds 3-6 GiB for 75,000 nodes (the load average is still
# over 1 when they end).
FIRST = Path("tests/bench/bench_foundation.py")
BENCHMARKS = [FIRST, *sorted(p for p in Path("tests/bench").glob("bench_*.py") if p != FIRST)]


@nox.session
def tests(session: nox.Session) -> None:
    """The test suite against the Kubernetes and ARM emulators (what CI runs)."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    session.install("ruff>=0.6")
    session.run("ruff", "check", "src", "tests", "noxfile.py")
    session.run("ruff", "format", "--check", "src", "tests", "noxfile.py")


@nox.session
def typecheck(session: nox.Session) -> None:
    session.install("-e", ".[dev]")
    session.run("mypy", "--strict", "src/akscli")


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks that print ratios against a peer measured in the same run (kubectl).

    The harness (emulators, kubectl) runs from this session's environment; the akscli it times
    is installed as users install it, `pip install .` into a virtualenv of its own, with no
    editable finder and no test dependency (tests/bench/_harness.py, AKSCLI_BENCH_TOOL)."""
    session.install("-e", ".[test]")
    tool = Path(session.virtualenv.location).with_name("bench-tool")
    if not (tool / "bin" / "python").exists():
        session.run("python", "-m", "venv", str(tool))
    session.run(str(tool / "bin" / "python"), "-m", "pip", "install", "-q", ".", external=True)
    only = session.posargs
    for script in BENCHMARKS:
        if only and not any(name in script.name for name in only):
            continue
        session.log(f"--- {script.name}")
        session.run("python", str(script), env={"AKSCLI_BENCH_TOOL": str(tool / "bin" / "akscli")})


@nox.session
def docs(session: nox.Session) -> None:
    """Regenerate docs/reference.md, docs/exit-codes.md, docs/grammar.md, completions/, the help cache
    and the Python modules of the data files."""
    session.install("-e", ".")
    session.run("python", "-m", "akscli.cli.docgen")
