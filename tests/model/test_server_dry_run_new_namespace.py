"""`model deploy --create-namespace --dry-run=server` into a namespace that does not exist: the API
server refuses every object in it, dry run or not (upstream: kubernetes/kubernetes
plugin/pkg/admission/namespace/lifecycle/admission.go), so the plan used to end on the first
object's bare `namespaces "x" not found`, with no word of why or what to do instead."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke

Start = Callable[..., Any]


def test_a_server_dry_run_into_a_namespace_to_be_created_says_why_it_cannot(model_emulator: Start) -> None:
    emu = model_emulator()
    result = invoke("model", "deploy", "phi-4", "-n", "team-b", "--create-namespace", "--dry-run=server")
    assert result.exit_code == 3, result
    assert "namespace team-b does not exist yet, and the API server dry-runs no object" in result.stderr
    assert "--dry-run=client" in result.stderr
    assert "configmap/" not in result.stderr
    assert emu.cluster.get("v1", "Namespace", None, "team-b") is None
