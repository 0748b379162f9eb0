"""Run as kubectl's plugin (kubectl runs `kubectl-akscli`), a line that tells the user to run an
akscli command names it `kubectl akscli COMMAND`, as the usage hint does: the akscli script need
not be on PATH where only the plugin is."""

from __future__ import annotations

from pathlib import Path

import pytest

from akscli import statuslines
from akscli.cli.main import root_command
from tests.cli import invoke

PLUGIN = "/usr/local/bin/kubectl-akscli"


def test_an_error_hint_names_the_plugin_when_run_as_the_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.argv", [PLUGIN])
    result = invoke("audit", "show", "abcd1234", "--audit-log", str(tmp_path / "audit.jsonl"))
    assert result.exit_code == 3
    assert result.stderr.splitlines()[1] == "hint: list ids with 'kubectl akscli audit list'"


def test_an_error_hint_names_akscli_when_run_as_akscli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.argv", ["/usr/local/bin/akscli"])
    result = invoke("audit", "show", "abcd1234", "--audit-log", str(tmp_path / "audit.jsonl"))
    assert result.stderr.splitlines()[1] == "hint: list ids with 'akscli audit list'"


def test_a_progress_line_names_the_plugin_when_run_as_the_plugin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.argv", [PLUGIN])
    statuslines.info("submitted Ray job j; follow it with: akscli ray job status j -n default")
    assert (
        capsys.readouterr().err == "submitted Ray job j; follow it with: kubectl akscli ray job status j -n default\n"
    )


@pytest.mark.parametrize(
    "text",
    [
        "list them with: kubectl akscli model list",  # already the plugin's
        "the kubeconfig runs akscli token",  # what kubeconfigs run, whatever runs akscli
        "label akscli.io/model=phi-4",  # not a command
        "an older akscli made it",  # prose
    ],
)
def test_a_line_that_names_no_akscli_command_is_left_as_it_is(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr("sys.argv", [PLUGIN])
    assert statuslines.as_invoked(text) == text


def test_every_top_level_command_but_token_is_spelled_as_the_plugin(monkeypatch: pytest.MonkeyPatch) -> None:
    from typer._click import Context

    root = root_command()
    commands = set(root.list_commands(Context(root))) - {"token"}
    monkeypatch.setattr("sys.argv", [PLUGIN])
    spelled = {c for c in commands if statuslines.as_invoked(f"run akscli {c}") == f"run kubectl akscli {c}"}
    assert spelled == commands


def test_a_new_top_level_command_makes_the_generated_names_stale(monkeypatch: pytest.MonkeyPatch) -> None:
    # plugin_spelling reads akscli/command_names.py, which docgen writes from the command tree;
    # test_docs fails while the committed file differs from what docgen would write.
    from akscli import command_names
    from akscli.cli import docgen, main

    committed = Path(command_names.__file__).read_text(encoding="utf-8")
    assert docgen.command_names_module() == committed
    assert Path(command_names.__file__) in docgen.expected_files(Path(command_names.__file__).parents[2])
    monkeypatch.setitem(main.COMMANDS, "newcmd", ("akscli.cli.version:version", "A new command."))
    regenerated = docgen.command_names_module()
    assert regenerated != committed
    assert '    "newcmd",\n' in regenerated


def test_cached_help_names_its_examples_as_the_plugin_when_run_as_the_plugin() -> None:
    from akscli.cli.entry import cached_help

    text = cached_help(["model", "--help"], "kubectl akscli")
    assert text is not None
    assert "    kubectl akscli model deploy phi-4 --wait\n" in text
    assert "\n    akscli " not in text


def test_help_names_its_examples_as_the_plugin_when_run_as_the_plugin(monkeypatch: pytest.MonkeyPatch) -> None:
    # -n before the command: not the cached help, the command tree's (cli/main.py).
    monkeypatch.setattr("sys.argv", [PLUGIN])
    result = invoke("-n", "ml", "model", "deploy", "--help")
    assert result.exit_code == 0, result
    assert "    kubectl akscli model deploy phi-4 --wait\n" in result.stdout
    assert "\n    akscli " not in result.stdout


def test_help_keeps_akscli_token_as_kubeconfigs_run_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.argv", [PLUGIN])
    result = invoke("cluster", "--help")
    assert "'akscli token'" in result.stdout
    assert "    kubectl akscli cluster create ml -g rg-ml --enable-kaito\n" in result.stdout
