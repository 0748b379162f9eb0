"""TAB after a model command that acts on a deployed model (`model status|test|rollback ... <TAB>`)
offers the models deployed in the namespace, read from the cluster, as kubectl completes
`kubectl get deployment <TAB>` (kubernetes/kubectl pkg/util/completion/completion.go)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from akscli.cli.complete import protocol_lines
from akscli.cli.main import root_command
from tests.cli import invoke

Start = Callable[..., Any]


def _deploy(*args: str) -> None:
    result = invoke("model", "deploy", *args, "-y")
    assert result.exit_code == 0, result


def _offered(*words: str) -> list[str]:
    return [line.split("\t")[0] for line in protocol_lines(["__complete", *words], root_command)[:-1]]


def test_a_deployed_model_name_completes_from_the_cluster(model_emulator: Start) -> None:
    model_emulator()
    _deploy("phi-4")
    _deploy("phi-4", "--name", "phi-4-long", "--max-model-len", "16384")
    assert _offered("model", "status", "") == ["phi-4", "phi-4-long"]
    assert _offered("model", "rollback", "phi-4-l") == ["phi-4-long"]


def test_a_deployed_model_name_completes_in_the_namespace_given_with_n(model_emulator: Start) -> None:
    model_emulator()
    _deploy("phi-4", "-n", "team-a", "--create-namespace")
    assert _offered("model", "test", "") == []
    assert _offered("model", "test", "-n", "team-a", "") == ["phi-4"]


def test_no_cluster_completes_no_model_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "absent"))
    assert protocol_lines(["__complete", "model", "history", ""], root_command) == [":4"]
