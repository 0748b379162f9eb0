"""TAB after connection flags given before the command (`akscli -n <TAB>`, `kubectl akscli
--context prod model status <TAB>`): akscli runs such a line (leading_flags.leading_connection_flags_last),
and kubectl completes its connection flags' values there (kubernetes/kubectl dee3483a
pkg/cmd/cmd.go registerCompletionFuncForGlobalFlags), so completion reads them as a run does."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from akscli.cli.complete import protocol_lines
from akscli.cli.main import root_command
from tests.cli import invoke


def _offered(*words: str) -> list[str]:
    return [line.split("\t")[0] for line in protocol_lines(["__complete", *words], root_command)]


def test_a_namespace_before_the_command_completes_from_the_cluster(kubeconfig: Path, kube_emulator: Any) -> None:
    kube_emulator.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-b"}})
    assert _offered("-n", "team-") == ["team-b", ":4"]
    assert _offered("--context", "emulator", "--namespace", "team-") == ["team-b", ":4"]


def test_a_context_before_the_command_completes_from_the_kubeconfig(kubeconfig: Path) -> None:
    assert _offered("--context", "emu") == ["emulator", ":4"]
    assert _offered("--context=emu") == ["emulator", ":4"]


def test_a_kubeconfig_before_the_command_completes_any_file(kubeconfig: Path) -> None:
    assert _offered("--kubeconfig", "") == [":0"]


def test_a_command_after_a_leading_namespace_completes_names_in_that_namespace(
    model_emulator: Callable[..., Any],
) -> None:
    model_emulator()
    result = invoke("model", "deploy", "phi-4", "-n", "team-a", "--create-namespace", "-y")
    assert result.exit_code == 0, result
    assert _offered("-n", "team-a", "model", "status", "") == ["phi-4", ":4"]
    assert _offered("--context", "emulator", "-nteam-a", "model", "test", "") == ["phi-4", ":4"]


def test_a_command_word_after_a_leading_namespace_completes_as_a_command(kubeconfig: Path) -> None:
    assert _offered("-n", "ml", "mod")[0] == "model"
