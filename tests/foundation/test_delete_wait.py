"""akscli.kube.deletion.wait_deleted: the one wait for deleted objects (every Kubernetes delete,
and recreate), uid-aware as kubectl's (upstream: kubernetes/kubectl pkg/cmd/wait/delete.go IsDeleted:
an object of the same name with another UID than the one deleted is gone)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from akscli.errors import WaitTimeoutError
from akscli.kube.client import Kube, KubeTarget
from akscli.kube.connecting import connect
from akscli.kube.deletion import deleted_ref, wait_deleted, waiting_for
from tests.emulators.kube import KubeEmulator

HELD = {
    "apiVersion": "v1",
    "kind": "ConfigMap",
    "metadata": {"name": "old", "namespace": "default", "finalizers": ["example.com/hold"]},
}


def _delete_held(kube_emulator: KubeEmulator, kubeconfig: Path) -> tuple[Kube, dict[str, Any]]:
    """HELD created and deleted: its finalizer holds it. The connection, and the deleted object as
    wait_deleted takes it (its UID from the DELETE's answer)."""
    kube_emulator.cluster.create(HELD)
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    answer = kube.delete("v1", "ConfigMap", "old", namespace="default")
    return kube, deleted_ref("v1", "ConfigMap", "old", "default", answer)


def _expire_the_watch(kube_emulator: KubeEmulator, before: Callable[[], None]) -> None:
    """The wait's watch is answered 410 in its stream, ``before`` run first."""
    kube_emulator.faults.add(
        verb="watch", path="/configmaps", status=410, message="too old resource version", in_stream=True, before=before
    )


def test_an_object_of_the_same_name_with_another_uid_counts_as_gone(
    kube_emulator: KubeEmulator, kubeconfig: Path
) -> None:
    kube, deleted = _delete_held(kube_emulator, kubeconfig)
    # the finalizer goes and someone creates the name again before the wait reads it
    kube_emulator.cluster.remove_finalizers("v1", "ConfigMap", "default", "old")
    kube_emulator.cluster.create(HELD)
    start = time.monotonic()
    wait_deleted(kube, [deleted], timeout=10)
    assert time.monotonic() - start < 5


def test_an_object_held_by_two_finalizers_names_both_in_the_plural() -> None:
    held = {**HELD, "metadata": {**HELD["metadata"], "finalizers": ["example.com/hold", "foregroundDeletion"]}}
    said = waiting_for(held)
    assert said == "waiting for configmap/old to be deleted (finalizers example.com/hold, foregroundDeletion)"


def _since(kube_emulator: KubeEmulator, mark: int) -> list[tuple[str, str | None]]:
    """(verb, fieldSelector) of each request to the config maps after ``mark``."""
    return [
        (r.verb, (r.query.get("fieldSelector") or [None])[0])
        for r in kube_emulator.request_log[mark:]
        if "/configmaps" in r.path
    ]


def test_the_wait_watch_lists_the_name_and_sends_no_get(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    # upstream: kubernetes/kubectl pkg/cmd/wait/delete.go IsDeleted (a ListWatch whose list and
    # watch both carry fields.OneTermEqualSelector("metadata.name", name)); the synced list
    # stands for kubectl's first GET. The list is a watch-list: one request (kube/reflector.py).
    kube, deleted = _delete_held(kube_emulator, kubeconfig)
    mark = len(kube_emulator.request_log)
    threading.Timer(0.3, lambda: kube_emulator.cluster.remove_finalizers("v1", "ConfigMap", "default", "old")).start()
    wait_deleted(kube, [deleted], timeout=10)
    assert _since(kube_emulator, mark) == [("watch", "metadata.name=old")]


def test_the_wait_lists_the_name_then_watches_it_where_the_server_refuses_watch_lists(
    kube_emulator: KubeEmulator, kubeconfig: Path
) -> None:
    kube, deleted = _delete_held(kube_emulator, kubeconfig)
    kube.watch_list = False
    mark = len(kube_emulator.request_log)
    threading.Timer(0.3, lambda: kube_emulator.cluster.remove_finalizers("v1", "ConfigMap", "default", "old")).start()
    wait_deleted(kube, [deleted], timeout=10)
    assert _since(kube_emulator, mark) == [("list", "metadata.name=old"), ("watch", "metadata.name=old")]


def test_a_name_already_gone_ends_the_wait_at_the_synced_list(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    kube.get("v1", "ConfigMap", "old", namespace="default")  # connected, discovery done
    mark = len(kube_emulator.request_log)
    start = time.monotonic()
    wait_deleted(kube, [HELD], timeout=10)
    assert time.monotonic() - start < 2
    assert _since(kube_emulator, mark) == [("watch", "metadata.name=old")]  # a watch-list, synced empty


def test_a_410_relists_and_the_object_gone_in_the_gap_ends_the_wait(
    kube_emulator: KubeEmulator, kubeconfig: Path
) -> None:
    kube, deleted = _delete_held(kube_emulator, kubeconfig)
    mark = len(kube_emulator.request_log)
    # the finalizer goes just before the watch is answered 410: its DELETED event is never sent
    _expire_the_watch(
        kube_emulator, lambda: kube_emulator.cluster.remove_finalizers("v1", "ConfigMap", "default", "old")
    )
    start = time.monotonic()
    wait_deleted(kube, [deleted], timeout=10)
    assert time.monotonic() - start < 5
    # the watch-list answered 410 in its stream, then a second that lacks the name
    assert [verb for verb, _ in _since(kube_emulator, mark)] == ["watch", "watch"]


def test_the_name_created_again_in_a_410_gap_ends_the_wait(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    kube, deleted = _delete_held(kube_emulator, kubeconfig)

    def recreate() -> None:
        kube_emulator.cluster.remove_finalizers("v1", "ConfigMap", "default", "old")
        kube_emulator.cluster.create(HELD)

    _expire_the_watch(kube_emulator, recreate)
    start = time.monotonic()
    wait_deleted(kube, [deleted], timeout=10)
    assert time.monotonic() - start < 5


def test_a_timeout_of_0_names_the_week_it_waited_not_0s(
    kube_emulator: KubeEmulator, kubeconfig: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # --timeout 0 waits a week, as kubectl's --timeout=0s (delete.go effectiveTimeout): its
    # timeout must not say "within 0s" (the week shortened here to 0.5 s).
    from akscli.kube import deletion

    monkeypatch.setattr(deletion, "UNBOUNDED", 0.5)
    kube, deleted = _delete_held(kube_emulator, kubeconfig)
    with pytest.raises(WaitTimeoutError) as raised:
        wait_deleted(kube, [deleted], timeout=0)
    assert raised.value.message.startswith("not deleted within 0.5s:")
