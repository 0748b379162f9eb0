"""`model delete` waits until its objects are gone, finalizers included, as kubectl delete does by
default (upstream: kubernetes/kubectl pkg/cmd/delete/delete.go DeleteResult; pkg/cmd/wait/wait.go
IsDeleted). The KAITO simulator holds a deleted Workspace with KAITO's finalizer until its nodes
are gone (upstream: kaito-project/kaito v0.12.0 pkg/workspace/controllers/workspace_gc_finalizer.go)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.cli import invoke
from tests.emulators.kube.controllers.kaito import WORKSPACE_FINALIZER, WorkspaceController

KAITO = "kaito.sh/v1beta1"
Start = Callable[..., Any]


def _deploy(*args: str) -> None:
    result = invoke("model", "deploy", "phi-4", *args, "-y")
    assert result.exit_code == 0, result


def _held_by_a_stopped_operator(emu: Any) -> None:
    """phi-4 deployed (KAITO put its finalizer on the Workspace), then KAITO's Workspace
    controller stopped: nothing removes the finalizer, as on a cluster whose operator is down."""
    _deploy("--wait", "--timeout", "120s")
    assert WORKSPACE_FINALIZER in emu.cluster.get(KAITO, "Workspace", "default", "phi-4")["metadata"]["finalizers"]
    for c in [c for c in emu.controllers.controllers if isinstance(c, WorkspaceController)]:
        emu.controllers.remove(c)


def test_delete_returns_once_kaitos_finalizer_let_the_workspace_go(model_emulator: Start) -> None:
    emu = model_emulator()
    _deploy("--wait", "--timeout", "120s")
    assert WORKSPACE_FINALIZER in emu.cluster.get(KAITO, "Workspace", "default", "phi-4")["metadata"]["finalizers"]
    result = invoke("model", "delete", "phi-4", "-y")
    assert result.exit_code == 0, result
    assert emu.cluster.get(KAITO, "Workspace", "default", "phi-4") is None


def test_deploy_right_after_delete_creates_the_model_again(model_emulator: Start) -> None:
    # A script's `model delete NAME -y && model deploy NAME` must not meet the old Workspace.
    emu = model_emulator()
    _deploy("--wait", "--timeout", "120s")
    old = emu.cluster.get(KAITO, "Workspace", "default", "phi-4")["metadata"]["uid"]
    for c in [c for c in emu.controllers.controllers if isinstance(c, WorkspaceController)]:
        c.delay = 1.0  # KAITO's clean-up takes a while, as a node's deletion does on a cluster
    assert invoke("model", "delete", "phi-4", "-y").exit_code == 0
    _deploy("--wait", "--timeout", "120s")
    ws = emu.cluster.get(KAITO, "Workspace", "default", "phi-4")
    assert ws["metadata"]["uid"] != old and not ws["metadata"].get("deletionTimestamp")


# --wait=false: kubectl's spelling, a bool flag's value (docs/changes/audit14-boolflags.md).
@pytest.mark.parametrize("no_wait", ["--no-wait", "--wait=false"])
def test_no_wait_returns_while_a_finalizer_holds_the_workspace(model_emulator: Start, no_wait: str) -> None:
    emu = model_emulator()
    _held_by_a_stopped_operator(emu)
    start = time.monotonic()
    result = invoke("model", "delete", "phi-4", "-y", no_wait)
    assert result.exit_code == 0, result
    assert time.monotonic() - start < 5
    assert 'workspace.kaito.sh "phi-4" deleted' in result.stdout
    assert emu.cluster.get(KAITO, "Workspace", "default", "phi-4")["metadata"]["deletionTimestamp"]


def test_a_timeout_names_the_object_left_and_its_finalizer(model_emulator: Start) -> None:
    emu = model_emulator()
    _held_by_a_stopped_operator(emu)
    result = invoke("model", "delete", "phi-4", "-y", "--timeout", "1s")
    assert result.exit_code == 5, result
    assert f"workspace.kaito.sh/phi-4 (held by finalizer {WORKSPACE_FINALIZER})" in result.stderr
    assert "--no-wait" in result.stderr  # the hint
    assert 'workspace.kaito.sh "phi-4" deleted' in result.stdout  # as kubectl: printed once accepted


def test_a_server_dry_run_does_not_wait(model_emulator: Start) -> None:
    emu = model_emulator()
    _held_by_a_stopped_operator(emu)
    result = invoke("model", "delete", "phi-4", "--dry-run=server", "--timeout", "30s")
    assert result.exit_code == 0, result
    assert "(server dry run)" in result.stdout
    assert not emu.cluster.get(KAITO, "Workspace", "default", "phi-4")["metadata"].get("deletionTimestamp")


def test_a_bad_timeout_is_refused_before_anything_is_deleted(model_emulator: Start) -> None:
    emu = model_emulator(controller=False)
    _deploy()
    result = invoke("model", "delete", "phi-4", "-y", "--timeout", "soon")
    assert result.exit_code == 2, result
    assert emu.cluster.get(KAITO, "Workspace", "default", "phi-4") is not None
