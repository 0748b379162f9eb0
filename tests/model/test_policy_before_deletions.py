"""A deploy the policy blocks is refused before any question and before anything is deleted on
the way (the server a new runtime replaces, or --recreate: cli/model_rollout.py checks the policy
before either): nothing half-applied, the running model stays as it was (docs/grammar.md;
kubectl delete --interactive lists what it found before it asks: upstream kubernetes/kubectl
pkg/cmd/delete/delete.go confirmation(infos))."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke

Start = Callable[..., Any]
KAITO = "kaito.sh/v1beta1"
LATEST = "vllm/vllm-openai:latest"  # the image-latest rule blocks it (policy/rules.py, severity error)


def test_a_blocked_runtime_switch_keeps_the_running_workspace(model_emulator: Start) -> None:
    emu = model_emulator()
    assert invoke("model", "deploy", "phi-4", "-y").exit_code == 0
    result = invoke("model", "deploy", "phi-4", "--runtime", "vllm", "--image", LATEST, "-y")
    assert result.exit_code == 9, result
    assert "image-latest" in result.stderr and "deleted" not in result.stdout, result
    assert emu.cluster.get(KAITO, "Workspace", "default", "phi-4") is not None


def test_a_blocked_runtime_switch_asks_nothing(model_emulator: Start) -> None:
    model_emulator()
    assert invoke("model", "deploy", "phi-4", "-y").exit_code == 0
    result = invoke("model", "deploy", "phi-4", "--runtime", "vllm", "--image", LATEST, input="y\n", tty=True)
    assert result.exit_code == 9, result
    assert "[y/N]" not in result.stderr, result
