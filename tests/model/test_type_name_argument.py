"""A deployed model's NAME may be given in kubectl's TYPE/NAME form, ``model/NAME``: the line that
`model list -o name` (and `status`/`endpoint -o name`) prints, so that a script hands each line
back to akscli as it is, as `kubectl get pods -o name` lines go back to kubectl (k8s.io/cli-runtime
pkg/resource/builder.go splitResourceTypeName). They were refused as an invalid name (exit 2)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.emulators.kube.controllers.vllm import VllmMetrics

Start = Callable[..., Any]


def _deploy(*args: str) -> None:
    result = invoke("model", "deploy", "phi-4", *args, "-y")
    assert result.exit_code == 0, result


def test_each_line_of_model_list_names_the_model_to_status(model_emulator: Start) -> None:
    model_emulator()
    _deploy("--wait", "--timeout", "20s")
    lines = invoke("model", "list", "-o", "name").stdout.splitlines()
    assert lines == ["model/phi-4"]
    result = invoke("model", "status", lines[0], "-o", "json")
    assert result.exit_code == 0, result
    assert '"name": "phi-4"' in result.stdout


def test_history_and_rollback_take_the_type_name_form(model_emulator: Start) -> None:
    model_emulator()
    _deploy("--max-model-len", "4096")
    _deploy("--max-model-len", "8192")
    history = invoke("model", "history", "model/phi-4", "-o", "name")
    assert history.exit_code == 0, history
    assert history.stdout.splitlines() == ["configmap/phi-4-rev-1", "configmap/phi-4-rev-2"]
    rollback = invoke("model", "rollback", "model/phi-4", "-y")
    assert rollback.exit_code == 0, rollback
    assert "rolled phi-4 back to revision 1" in rollback.stderr + rollback.stdout


def test_delete_takes_the_type_name_form(model_emulator: Start) -> None:
    emu = model_emulator()
    _deploy()
    result = invoke("model", "delete", "model/phi-4", "-y", "-o", "name")
    assert result.exit_code == 0, result
    assert "workspace.kaito.sh/phi-4" in result.stdout.splitlines()
    assert emu.cluster.get("kaito.sh/v1beta1", "Workspace", "default", "phi-4") is None


def test_another_type_is_one_usage_line(model_emulator: Start) -> None:
    model_emulator()
    result = invoke("model", "status", "pod/phi-4")
    assert result.exit_code == 2, result
    assert result.stderr.splitlines() == [
        "error: invalid model deployment name 'pod/phi-4': give NAME or model/NAME, as model list -o name prints it",
        "hint: list them with: akscli model list -o name",
    ]


def test_top_takes_the_type_name_form(model_emulator: Start) -> None:
    emu = model_emulator()
    _deploy("--wait", "--timeout", "20s")
    emu.register_pod_proxy("default", "phi-4-0", 5000, VllmMetrics("phi-4").handler())
    result = invoke("model", "top", "model/phi-4", "--interval", "100ms", "-o", "name")
    assert result.exit_code == 0, result
    assert result.stdout.splitlines() == ["pod/phi-4-0"]
