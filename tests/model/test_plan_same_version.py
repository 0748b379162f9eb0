"""The plan diffs a dry run against the object it was applied to: an operator's write between the
stack's list and the dry run (KAITO adds its finalizer on its first reconcile) is not a change
akscli makes (upstream: kubernetes/apiserver pkg/registry/generic/registry/dryrun.go
GuaranteedUpdate: a dry-run update answers with the stored object's resourceVersion)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke

KAITO = "kaito.sh/v1beta1"
Start = Callable[..., Any]


def _operator_writes_before_the_dry_run(emu: Any) -> None:
    def write() -> None:
        ws = emu.cluster.get(KAITO, "Workspace", "default", "phi-4")
        ws["metadata"].setdefault("finalizers", []).append("example.com/operator")
        emu.cluster.update(ws)

    emu.faults.add(verb="PATCH", path="/workspaces/phi-4", dry_run=True, before=write)


def test_an_operators_write_between_the_list_and_the_dry_run_is_not_a_change(model_emulator: Start) -> None:
    emu = model_emulator()
    assert invoke("model", "deploy", "phi-4", "--wait", "--timeout", "20s", "-y").exit_code == 0
    _operator_writes_before_the_dry_run(emu)
    result = invoke("model", "deploy", "phi-4", "-y")
    assert result.exit_code == 0, result
    assert "workspace.kaito.sh/phi-4 (default): unchanged" in result.stderr, result.stderr
    assert "configured" not in result.stderr
