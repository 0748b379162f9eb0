"""`model rollback` (and `model deploy`) print what they delete as every other delete does:
kubectl's `kind.group "name" deleted` (upstream: kubernetes/kubernetes
staging/src/k8s.io/kubectl/pkg/cmd/delete/delete.go, PrintObj) through akscli.output.deleted,
with akscli's reason in parentheses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke

Start = Callable[..., Any]


def _deploy(*args: str) -> None:
    result = invoke("model", "deploy", "phi-4", *args, "-y")
    assert result.exit_code == 0, result


def test_rollback_prints_kubectls_delete_line_for_the_server_it_replaces(model_emulator: Start) -> None:
    model_emulator()
    _deploy("--max-model-len", "4096")
    _deploy("--max-model-len", "8192", "--autoscale", "1:2")
    result = invoke("model", "rollback", "phi-4", "--to-revision", "1", "-y")
    assert result.exit_code == 0, result
    assert 'inferenceset.kaito.sh "phi-4" deleted (replaced)' in result.stdout.splitlines()
    assert "inferenceset/phi-4" not in result.stdout
