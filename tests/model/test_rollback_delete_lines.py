"""`model rollback` (and `model deploy`) print what they delete as every other delete does:
kubectl's `kind.group "name" deleted from NS namespace` (upstream: kubernetes/kubectl HEAD
pkg/cmd/delete/delete.go, PrintObj; kubectl 1.34+) through akscli.output.deleted, with akscli's
reason in parentheses."""

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
    assert 'inferenceset.kaito.sh "phi-4" deleted from default namespace (replaced)' in result.stdout.splitlines()
    assert "inferenceset/phi-4" not in result.stdout


def test_with_o_json_the_delete_lines_go_to_stderr_and_stdout_stays_json(model_emulator: Start) -> None:
    """stdout carries the -o format alone (jq reads it); the lines for what a deploy deletes on
    the way (a Workspace replaced by an InferenceSet) are akscli's notes, on stderr."""
    import json

    model_emulator()
    _deploy("--max-model-len", "4096")
    result = invoke("model", "deploy", "phi-4", "--max-model-len", "4096", "--replicas", "2", "-y", "-o", "json")
    assert result.exit_code == 0, result
    assert {i["kind"] for i in json.loads(result.stdout)["items"]} == {"ConfigMap", "InferenceSet", "Service"}
    assert 'workspace.kaito.sh "phi-4" deleted from default namespace (replaced)' in result.stderr.splitlines()
