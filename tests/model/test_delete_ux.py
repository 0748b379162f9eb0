"""What `model delete` says while it waits, and what it does when it may not wait (audit 14,
docs/changes/audit14-delete-ux.md): progress on stderr naming the object and its finalizer, as
every akscli wait (docs/grammar.md); a refused list or watch is polled by GET, and a refused GET
is one warning and exit 0, as kubectl's (upstream: kubernetes/kubectl pkg/cmd/delete/delete.go
DeleteResult); an InferenceSet is held by KAITO's finalizer until its Workspaces are deleted
(upstream: kaito-project/kaito v0.12.0 pkg/inferenceset/inferenceset_controller.go garbageCollectInferenceSet)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.cli import invoke
from tests.emulators.kube.controllers.kaito import (
    INFERENCESET_FINALIZER,
    WORKSPACE_FINALIZER,
    InferenceSetController,
    WorkspaceController,
)

KAITO = "kaito.sh/v1beta1"
Start = Callable[..., Any]


def _deploy(*args: str) -> None:
    result = invoke("model", "deploy", "phi-4", *args, "--wait", "--timeout", "20s", "-y")
    assert result.exit_code == 0, result


def _slow(emu: Any, kind: type, delay: float = 5.0) -> None:
    """KAITO's clean-up takes a while, as a node's deletion does on a cluster: long enough that the
    delete's wait, which reads the model's objects one after another, still finds the object held
    on a loaded machine (at 1 s, a busy CI runner saw the InferenceSet already gone)."""
    for c in [c for c in emu.controllers.controllers if isinstance(c, kind)]:
        c.delay = delay


def _stopped(emu: Any, kind: type) -> None:
    for c in [c for c in emu.controllers.controllers if isinstance(c, kind)]:
        emu.controllers.remove(c)


def test_delete_shows_what_it_waits_for_on_stderr_only(model_emulator: Start) -> None:
    emu = model_emulator()
    _deploy()
    _slow(emu, WorkspaceController)
    result = invoke("model", "delete", "phi-4", "-y", "-o", "name")
    assert result.exit_code == 0, result
    said = f"waiting for workspace.kaito.sh/phi-4 to be deleted (finalizer {WORKSPACE_FINALIZER})"
    assert said in result.stderr
    assert "waiting" not in result.stdout and "workspace.kaito.sh/phi-4" in result.stdout.splitlines()


# 403: no permission; 405: the resource serves no such verb (IsMethodNotSupported). kubectl's
# wait starts with a GET (pkg/cmd/wait/delete.go IsDeleted), and a refused one returns without
# waiting (pkg/cmd/delete/delete.go DeleteResult).
@pytest.mark.parametrize("status", [403, 405])
def test_a_refused_get_is_one_warning_and_the_delete_succeeds(model_emulator: Start, status: int) -> None:
    emu = model_emulator()
    _deploy()
    _stopped(emu, WorkspaceController)  # the finalizer stays: the wait must read the object

    def refuse_reads() -> None:  # allowed to delete, not to read it afterwards
        for verb in ("list", "watch", "get"):
            emu.faults.add(verb=verb, path="/workspaces", status=status, count=None)

    emu.faults.add(verb="delete", path="/workspaces/phi-4", before=refuse_reads)
    result = invoke("model", "delete", "phi-4", "-y")
    assert result.exit_code == 0, result
    assert "deleted, but could not wait until gone" in result.stderr
    assert 'workspace.kaito.sh "phi-4" deleted' in result.stdout
    assert emu.cluster.get(KAITO, "Workspace", "default", "phi-4")["metadata"]["deletionTimestamp"]


# A user who may get the object but not list or watch it: kubectl's wait GETs it, then its
# UntilWithSync never syncs (client-go tools/cache/reflector.go retries the refused list) and
# times out; akscli reads it again every second, as the recreate's wait and kubectl replace
# --force do (pkg/cmd/replace/replace.go forceReplace).
@pytest.mark.parametrize("status", [403, 405])
def test_a_refused_list_and_watch_is_polled_by_get_until_gone(model_emulator: Start, status: int) -> None:
    emu = model_emulator()
    _deploy()
    _slow(emu, WorkspaceController, delay=2.0)  # held past the first read

    def refuse_list_and_watch() -> None:
        for verb in ("list", "watch"):
            emu.faults.add(verb=verb, path="/workspaces", status=status, count=None)

    emu.faults.add(verb="delete", path="/workspaces/phi-4", before=refuse_list_and_watch)
    result = invoke("model", "delete", "phi-4", "-y")
    assert result.exit_code == 0, result
    assert "could not wait" not in result.stderr
    said = f"waiting for workspace.kaito.sh/phi-4 to be deleted (finalizer {WORKSPACE_FINALIZER})"
    assert said in result.stderr
    assert emu.cluster.get(KAITO, "Workspace", "default", "phi-4") is None


def test_delete_of_an_inferenceset_waits_for_kaitos_finalizer(model_emulator: Start) -> None:
    emu = model_emulator()
    _deploy("--replicas", "2")
    assert (
        INFERENCESET_FINALIZER in emu.cluster.get(KAITO, "InferenceSet", "default", "phi-4")["metadata"]["finalizers"]
    )
    _slow(emu, InferenceSetController)
    result = invoke("model", "delete", "phi-4", "-y")
    assert result.exit_code == 0, result
    assert f"inferenceset.kaito.sh/phi-4 to be deleted (finalizer {INFERENCESET_FINALIZER})" in result.stderr
    assert emu.cluster.get(KAITO, "InferenceSet", "default", "phi-4") is None
    # KAITO deleted the set's Workspaces before it let the set go.
    left = emu.cluster.list(KAITO, "Workspace", "default", label_selector="inferenceset.kaito.sh/created-by=phi-4")
    assert all(ws["metadata"].get("deletionTimestamp") for ws in left)
