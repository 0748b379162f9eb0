"""Waiting for a deleted object to go: the garbage collector removes it asynchronously, so it may
vanish between the GET that sees it and the watch that waits for its DELETED event (found when the
Kubernetes emulator stopped collecting synchronously, issue 17)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from akscli.kube.client import KubeTarget
from akscli.kube.connecting import connect
from akscli.kube.deletion import wait_deleted
from tests.emulators.kube import KubeEmulator

CM = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "old", "namespace": "default"}}


def test_a_deletion_between_the_get_and_the_watch_is_not_missed(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    held = {**CM, "metadata": {**CM["metadata"], "finalizers": ["example.com/hold"]}}
    kube_emulator.cluster.create(held)
    kube_emulator.cluster.delete("v1", "ConfigMap", "default", "old")
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    kube.get("v1", "ConfigMap", "old", namespace="default")  # connected, discovery done
    # the watch request reaches the server only after the object is gone
    kube_emulator.faults.add(verb="watch", path="/configmaps", delay=0.6, count=1)
    threading.Timer(0.3, lambda: kube_emulator.cluster.remove_finalizers("v1", "ConfigMap", "default", "old")).start()
    start = time.monotonic()
    wait_deleted(kube, [CM], timeout=10)
    assert time.monotonic() - start < 5
