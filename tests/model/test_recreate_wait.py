"""What a wait before a create of the same name says and does (audit 14,
docs/changes/audit14-recreate-wait.md): `--recreate` and the replacement of a server a deploy no
longer renders show what they wait for on stderr, as a delete does; a refused watch is polled by
GET, and a refused GET fails before the create, as kubectl replace --force (upstream:
kubernetes/kubectl pkg/cmd/replace/replace.go forceReplace: wait.PollUntilContextTimeout(1s) on info.Get,
any error but NotFound returned before the create)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.emulators.kube.apiserver_common import wait_until
from tests.emulators.kube.controllers.kaito import (
    INFERENCESET_FINALIZER,
    WORKSPACE_FINALIZER,
    InferenceSetController,
    WorkspaceController,
)

KAITO = "kaito.sh/v1beta1"
H100 = "Standard_NC40ads_H100_v5"
Start = Callable[..., Any]


def _slow(emu: Any, kind: type, delay: float = 1.0) -> None:
    """KAITO's clean-up takes a while, as a node's deletion does on a cluster."""
    for c in [c for c in emu.controllers.controllers if isinstance(c, kind)]:
        c.delay = delay


def _cleanup_after_the_wait_watches(emu: Any, controller: type, kind: str, finalizer: str) -> None:
    """KAITO's clean-up starts only once akscli's wait watches the deleted object and the garbage
    collector has taken its foregroundDeletion (the object held by KAITO's finalizer alone), as a
    node's deletion outlasts the client on a cluster. A delay instead lets a reconcile queued
    before it (the first deploy's pods coming up) or a slow machine remove the finalizer before
    akscli reads the object, and the wait then has nothing to show."""
    held = [c for c in emu.controllers.controllers if isinstance(c, controller)]
    for c in held:
        emu.controllers.remove(c)

    def alone() -> bool:
        obj = emu.cluster.get(KAITO, kind, "default", "phi-4")
        return obj is not None and (obj["metadata"].get("finalizers") or []) == [finalizer]

    def release() -> None:
        # Runs before the watch is served: the watch starts from the wait's list and shows each
        # change since, the garbage collector's included, before KAITO's deletion.
        wait_until(alone, timeout=10.0)
        for c in held:
            emu.controllers.add(c)

    emu.faults.add(verb="watch", path=f"/{kind.lower()}s", before=release)


def _held(emu: Any, kind: str, finalizer: str) -> None:
    """KAITO put its finalizer on the object (on its first reconcile, after the deploy returned):
    the delete that follows is held until KAITO's clean-up is done."""

    def held() -> bool:
        obj = emu.cluster.get(KAITO, kind, "default", "phi-4")
        return obj is not None and finalizer in (obj["metadata"].get("finalizers") or [])

    assert wait_until(held, timeout=10.0)


def _uid(emu: Any) -> str:
    return str(emu.cluster.get(KAITO, "Workspace", "default", "phi-4")["metadata"]["uid"])


def _recreate() -> Any:
    return invoke("model", "deploy", "phi-4", "--vm-size", H100, "--recreate", "-y", "-o", "name")


def test_recreate_shows_what_it_waits_for_on_stderr_only(model_emulator: Start) -> None:
    emu = model_emulator()
    assert invoke("model", "deploy", "phi-4", "-y").exit_code == 0
    _held(emu, "Workspace", WORKSPACE_FINALIZER)
    _cleanup_after_the_wait_watches(emu, WorkspaceController, "Workspace", WORKSPACE_FINALIZER)
    result = _recreate()
    assert result.exit_code == 0, result
    said = f"waiting for workspace.kaito.sh/phi-4 to be deleted (finalizer {WORKSPACE_FINALIZER})"
    assert said in result.stderr
    assert "waiting" not in result.stdout


def test_a_replaced_server_shows_what_it_waits_for_on_stderr(model_emulator: Start) -> None:
    emu = model_emulator()
    assert invoke("model", "deploy", "phi-4", "--autoscale", "1:2", "-y").exit_code == 0
    _held(emu, "InferenceSet", INFERENCESET_FINALIZER)
    _cleanup_after_the_wait_watches(emu, InferenceSetController, "InferenceSet", INFERENCESET_FINALIZER)
    result = invoke("model", "deploy", "phi-4", "-y")
    assert result.exit_code == 0, result
    # The foreground delete may hold it by the garbage collector's foregroundDeletion too.
    said = "waiting for inferenceset.kaito.sh/phi-4 to be deleted (finalizer"
    assert any(said in line and INFERENCESET_FINALIZER in line for line in result.stderr.splitlines())


def test_a_recreate_whose_watch_is_refused_polls_until_gone(model_emulator: Start) -> None:
    emu = model_emulator()
    assert invoke("model", "deploy", "phi-4", "-y").exit_code == 0
    old = _uid(emu)
    _held(emu, "Workspace", WORKSPACE_FINALIZER)
    _slow(emu, WorkspaceController, delay=2.0)  # held past the first read: the wait must watch
    emu.faults.add(verb="watch", path="/workspaces", status=403, count=None)
    result = _recreate()
    assert result.exit_code == 0, result
    assert _uid(emu) != old  # created again, not the old one patched while it was deleted
    assert emu.cluster.get(KAITO, "Workspace", "default", "phi-4")["metadata"].get("deletionTimestamp") is None


def test_a_recreate_whose_get_is_refused_fails_before_the_create(model_emulator: Start) -> None:
    emu = model_emulator()
    assert invoke("model", "deploy", "phi-4", "-y").exit_code == 0
    _held(emu, "Workspace", WORKSPACE_FINALIZER)
    _slow(emu, WorkspaceController)

    def refuse_reads() -> None:  # allowed to delete, not to read it afterwards
        for verb in ("list", "watch", "get"):
            emu.faults.add(verb=verb, path="/workspaces", status=403, count=None)

    emu.faults.add(verb="delete", path="/workspaces/phi-4", before=refuse_reads)
    result = _recreate()
    assert result.exit_code == 6, result  # docs/exit-codes.md: not authorised
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "deleted workspace.kaito.sh/phi-4 to create it again, but could not wait" in errors[0]
    assert "nothing was created again" in result.stderr
    assert "Traceback" not in result.stderr
