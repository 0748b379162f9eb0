"""The console script takes its own folder (a virtualenv's bin/) off the front of sys.path, as
``python -P`` would: CPython puts it there, it holds no module, and every top-level import looked
there first (akscli.cli.entry.leave_script_directory_off_path)."""

from __future__ import annotations

import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

from akscli.cli.entry import leave_script_directory_off_path

# What pip writes for `akscli = "akscli.cli.entry:main"` (pypa/pip src/pip/_vendor/distlib/scripts.py
# SCRIPT_TEMPLATE), less the shebang: the test runs it with this interpreter.
PIP_CONSOLE_SCRIPT = """\
# -*- coding: utf-8 -*-
import re
import sys
from akscli.cli.entry import main
if __name__ == '__main__':
    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])
    sys.exit(main())
"""


def test_a_module_beside_the_console_script_is_not_imported_in_place_of_a_library(tmp_path: Path) -> None:
    (tmp_path / "akscli").write_text(PIP_CONSOLE_SCRIPT)
    (tmp_path / "typer.py").write_text("raise SystemExit('typer.py beside the script was imported')\n")
    done = subprocess.run(
        [sys.executable, str(tmp_path / "akscli"), "version"], capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith("akscli:")


def _running(monkeypatch: pytest.MonkeyPatch, script: str | None, path: list[str]) -> list[str]:
    main = types.ModuleType("__main__")
    if script is not None:
        main.__file__ = script
    monkeypatch.setitem(sys.modules, "__main__", main)
    monkeypatch.setattr(sys, "path", list(path))
    leave_script_directory_off_path()
    return sys.path


def test_the_running_scripts_folder_is_taken_off_the_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    script = tmp_path / "bin" / "akscli"
    script.parent.mkdir()
    script.write_text(PIP_CONSOLE_SCRIPT)
    folder = os.path.realpath(script.parent)
    assert _running(monkeypatch, str(script), [folder, "/lib/python3", "/site-packages"]) == [
        "/lib/python3",
        "/site-packages",
    ]


def test_a_linked_script_is_matched_by_its_resolved_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """CPython resolves the script's path before it takes its folder (Python/pathconfig.c
    _PyPathConfig_ComputeSysPath0): a script reached through a link has its target's folder."""
    target = tmp_path / "venv" / "bin" / "akscli"
    target.parent.mkdir(parents=True)
    target.write_text(PIP_CONSOLE_SCRIPT)
    (tmp_path / "local-bin").mkdir()
    link = tmp_path / "local-bin" / "akscli"
    link.symlink_to(target)
    assert _running(monkeypatch, str(link), [os.path.realpath(target.parent), "/lib"]) == ["/lib"]


def test_python_m_keeps_the_working_directory_first(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """`python -m akscli`: __main__ is akscli/__main__.py and sys.path[0] the working directory."""
    main_file = str(Path(sys.modules["akscli.cli.entry"].__file__ or "").parents[1] / "__main__.py")
    assert _running(monkeypatch, main_file, [str(tmp_path), "/lib"]) == [str(tmp_path), "/lib"]


def test_python_c_keeps_its_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """`python -c`: __main__ has no file, and the empty first entry (the working directory) stays."""
    assert _running(monkeypatch, None, ["", "/lib"]) == ["", "/lib"]
