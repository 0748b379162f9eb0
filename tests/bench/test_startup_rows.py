"""The start-up bench's rows (tests/bench/bench_foundation.py STARTUP) are served by the path each
names: a later change that sends `akscli version`, `model plan`, `model catalog` or `render` back
through Typer fails here, not silently in a bench nobody reads. The check is the bench's own
(``served_by``: the console script's entry run in akscli's interpreter), so what it prints is
what this holds."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from tests.bench.bench_foundation import STARTUP, importing, served_by

from akscli.cli.fast import BODIES


@pytest.mark.parametrize("row", STARTUP, ids=lambda row: " ".join(row[1]))
def test_each_startup_row_is_served_by_the_path_it_names(row: tuple[object, ...]) -> None:
    args, path = row[1], row[4]
    assert isinstance(args, tuple)
    served, modules = served_by(args)
    assert served == path
    assert not {"typer", "click"} & {m.partition(".")[0] for m in modules}


def test_every_command_the_fast_path_serves_has_a_startup_row() -> None:
    rows = {" ".join(args[: len(p.split())]) for _, args, _, _, path in STARTUP if path == "fast path" for p in BODIES}
    assert set(BODIES) <= rows


def test_a_command_the_fast_path_defers_is_said_to_be_typers() -> None:
    # served_by tells the paths apart: `model show` is not a fast command, and -h is the tree's help.
    assert served_by(("model", "show", "phi-4"))[0] == "Typer"
    assert served_by(("model", "plan", "phi-4", "--concurrency", "abc"))[0] == "Typer"


def test_a_rows_floor_imports_only_modules_python_can_import_by_name() -> None:
    import subprocess

    _, modules = served_by(("render", "core/namespace", "--set", "name=demo"))
    assert {"jinja2", "ruamel.yaml"} <= set(modules)
    assert not [m for m in modules if m.partition(".")[0] == "akscli"]
    assert subprocess.run(importing(modules), capture_output=True, check=False).returncode == 0


def test_a_rows_floor_ends_as_akscli_ends(tmp_path: Path) -> None:
    # akscli.process.finish runs the atexit handlers, then os._exit: no module teardown. A floor
    # that tore its modules down (about 30 M instructions after render's 136) paid what the
    # command does not, and akscli's own share read nil (docs/changes/audit38-render38.md).
    import subprocess

    (tmp_path / "teardown_probe.py").write_text(
        "import atexit, os\n"
        "atexit.register(lambda: open(os.environ['PROBE'] + '.atexit', 'w').close())\n"
        "class Probe:\n"
        "    def __del__(self, path=os.environ['PROBE'] + '.teardown', open=open):\n"
        "        open(path, 'w').close()\n"
        "probe = Probe()\n"
    )
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "PROBE": str(tmp_path / "probe")}
    subprocess.run(importing(["teardown_probe"]), check=True, env=env)
    assert (tmp_path / "probe.atexit").exists()
    assert not (tmp_path / "probe.teardown").exists()
