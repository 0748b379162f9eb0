"""akscli.kube.deletion.wait_deleted: the one wait for deleted objects (every Kubernetes delete,
and recreate), uid-aware as kubectl's (upstream: kubernetes/kubectl pkg/cmd/wait/wait.go IsDeleted:
an object of the same name with another UID than the one deleted is gone)."""

from __future__ import annotations

import time
from pathlib import Path

from akscli.kube.client import KubeTarget, connect
from akscli.kube.deletion import deleted_ref, wait_deleted, waiting_for
from tests.emulators.kube import KubeEmulator

HELD = {
    "apiVersion": "v1",
    "kind": "ConfigMap",
    "metadata": {"name": "old", "namespace": "default", "finalizers": ["example.com/hold"]},
}


def test_an_object_of_the_same_name_with_another_uid_counts_as_gone(
    kube_emulator: KubeEmulator, kubeconfig: Path
) -> None:
    kube_emulator.cluster.create(HELD)
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    answer = kube.delete("v1", "ConfigMap", "old", namespace="default")
    # the finalizer goes and someone creates the name again before the wait reads it
    kube_emulator.cluster.remove_finalizers("v1", "ConfigMap", "default", "old")
    kube_emulator.cluster.create(HELD)
    start = time.monotonic()
    wait_deleted(kube, [deleted_ref("v1", "ConfigMap", "old", "default", answer)], timeout=10)
    assert time.monotonic() - start < 5


def test_an_object_held_by_two_finalizers_names_both_in_the_plural() -> None:
    held = {**HELD, "metadata": {**HELD["metadata"], "finalizers": ["example.com/hold", "foregroundDeletion"]}}
    said = waiting_for(held)
    assert said == "waiting for configmap/old to be deleted (finalizers example.com/hold, foregroundDeletion)"
