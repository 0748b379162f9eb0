"""The line Ctrl-C ends on says whether the change was made: a wait cut after the apply leaves
the objects applied, as a timed-out wait says ("nothing was rolled back"); a Ctrl-C before any
change says only "interrupted"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.cli import interrupt, invoke
from tests.foundation.test_apply import deployment
from tests.foundation.test_apply_reliability import manifest


def test_ctrl_c_during_the_wait_after_an_apply_says_the_change_stays(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path
) -> None:
    for controller in kube_emulator.controllers.controllers:
        controller.delay = 3600  # the Deployment never becomes available
    web = {**deployment(), "metadata": {"name": "web", "namespace": "default"}}
    log = str(tmp_path / "audit.jsonl")
    args = ("apply", "-f", manifest(tmp_path, web), "--wait", "--timeout", "10m", "--audit-log", log)
    code, err = interrupt(args, lambda line: line.startswith("waiting"))
    assert code == 130, err
    last = err.strip().splitlines()[-1]
    assert last == "interrupted after the change was made: it stays, nothing was rolled back (akscli audit list)"
    assert kube_emulator.cluster.get("apps/v1", "Deployment", "default", "web") is not None


def test_a_run_after_one_that_made_a_change_starts_with_nothing_recorded(
    kubeconfig: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    # akscli runs in-process in the tests: what one run recorded must not colour the next one's line.
    web = {**deployment(), "metadata": {"name": "web", "namespace": "default"}}
    assert invoke("apply", "-f", manifest(tmp_path, web), "--audit-log", str(tmp_path / "a.jsonl")).exit_code == 0
    from akscli.cli import version_body as version_module

    def interrupted(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(version_module.output, "emit_object", interrupted)
    result = invoke("version")
    assert (result.exit_code, result.stderr) == (130, "interrupted\n")


def test_ctrl_c_in_the_middle_of_an_apply_says_what_was_applied_stays(monkeypatch: Any) -> None:
    from akscli import audit
    from akscli.cli import run_common

    monkeypatch.setattr(audit, "RESULTS", ["interrupted"])  # apply_objects recorded the cut apply
    assert run_common.interrupted().startswith("interrupted while applying: what was applied stays")


def test_ctrl_c_while_start_up_imports_the_command_tree_ends_on_the_same_line_and_130(
    monkeypatch: Any, capsys: Any
) -> None:
    # A Ctrl-C in the first 100 ms or so (the command tree's import) escaped run_common.guarded:
    # Python printed its KeyboardInterrupt traceback.
    import sys

    import pytest

    from akscli import process
    from akscli.cli import entry
    from akscli.cli import main as main_module

    def importing(*_args: object) -> int:
        raise KeyboardInterrupt

    def finish(code: int, **_kwargs: object) -> None:
        raise SystemExit(code)

    monkeypatch.setattr(main_module, "run_tree", importing)
    monkeypatch.setattr(process, "finish", finish)
    monkeypatch.setattr(process, "start", lambda: None)  # the collector stays as pytest has it
    monkeypatch.setattr(process, "started", lambda: None)
    monkeypatch.setattr(sys, "argv", ["akscli", "model", "list"])
    try:
        entry.main()
    except KeyboardInterrupt:
        pytest.fail("the Ctrl-C escaped main() as Python's KeyboardInterrupt (a traceback)")
    except SystemExit as ended:
        assert (ended.code, capsys.readouterr().err) == (130, "interrupted\n")
    else:
        pytest.fail("main() returned")
