"""The emulator's StatefulSet controller rolls its pods when the pod template changes, as
kube-controller-manager's does (upstream: kubernetes/kubernetes v1.34.0
pkg/controller/statefulset/stateful_set_control.go rollingUpdateStatefulsetPods): a
`kubectl rollout restart` (an annotation on the template) replaces every pod; OnDelete replaces
none."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.controllers.builtin import StatefulSetController
from tests.kube_emulator.helpers import deployment

RESTART = {
    "spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": "2026-12-04T19:00:00Z"}}}}
}


def _statefulset(emu: KubeEmulator, strategy: str | None = None) -> None:
    emu.generate_cluster(nodes=1, pods=0, gpu_fraction=0.0, variety=False)  # a pod is Ready on a node only
    sts = deployment("db", replicas=2)
    sts["kind"] = "StatefulSet"
    sts["spec"]["serviceName"] = "db"
    if strategy:
        sts["spec"]["updateStrategy"] = {"type": strategy}
    emu.cluster.create(sts)
    assert wait_until(lambda: len(_uids(emu)) == 2)


def _uids(emu: KubeEmulator) -> dict[str, str]:
    pods: list[dict[str, Any]] = emu.cluster.list("v1", "Pod", "default")
    return {p["metadata"]["name"]: p["metadata"]["uid"] for p in pods if not p["metadata"].get("deletionTimestamp")}


def test_a_restarted_statefulset_replaces_every_pod(kube_emulator: KubeEmulator) -> None:
    _statefulset(kube_emulator)
    before = _uids(kube_emulator)
    kube_emulator.cluster.patch("apps/v1", "StatefulSet", "default", "db", RESTART)
    assert wait_until(
        lambda: (u := _uids(kube_emulator)).keys() == before.keys() and not set(u.values()) & set(before.values())
    )
    assert wait_until(
        lambda: (
            (kube_emulator.cluster.get("apps/v1", "StatefulSet", "default", "db") or {})
            .get("status", {})
            .get("readyReplicas")
            == 2
        )
    )
    assert kube_emulator.controllers.idle()
    sts = kube_emulator.cluster.get("apps/v1", "StatefulSet", "default", "db") or {}
    pod = kube_emulator.cluster.get("v1", "Pod", "default", "db-0") or {}
    assert pod["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"] == "2026-12-04T19:00:00Z"
    assert sts["status"]["updateRevision"] == pod["metadata"]["labels"]["controller-revision-hash"]


def test_an_on_delete_statefulset_keeps_its_pods(kube_emulator: KubeEmulator) -> None:
    _statefulset(kube_emulator, "OnDelete")
    before = _uids(kube_emulator)
    kube_emulator.cluster.patch("apps/v1", "StatefulSet", "default", "db", RESTART)
    assert kube_emulator.controllers.idle()
    assert _uids(kube_emulator) == before


def test_a_statefulset_deleted_while_it_reconciles_is_dropped_without_an_error(kube_emulator: KubeEmulator) -> None:
    _statefulset(kube_emulator)
    sts = kube_emulator.cluster.get("apps/v1", "StatefulSet", "default", "db")
    kube_emulator.cluster.delete("apps/v1", "StatefulSet", "default", "db")
    controller = next(c for c in kube_emulator.controllers.controllers if isinstance(c, StatefulSetController))
    controller.reconcile(kube_emulator.cluster, sts)  # its status write meets the API server's 404
    assert kube_emulator.controllers.idle()
    assert not kube_emulator.controllers.errors
