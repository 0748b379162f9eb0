"""Two writers of one object's status lose neither's update: a controller that updates the status it
read meets 409 Conflict where another wrote in between, and reads again (kubernetes/client-go
util/retry/util.go RetryOnConflict); the kubelet and the taint eviction controller patch only what
they change (kubernetes/kubernetes pkg/util/pod/pod.go PatchPodStatus)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, ClassVar

import pytest

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.cluster import RETRY_STEPS, TEST_MANAGER, ClusterState, retry_on_conflict
from tests.emulators.kube.controllers.base import Controller
from tests.emulators.kube.status import ApiError
from tests.kube_emulator.test_node_lifecycle import node, set_ready

DISRUPTION = {"type": "DisruptionTarget", "status": "True", "reason": "PreemptionByScheduler"}


def running_pod(name: str, on: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"nodeName": on, "containers": [{"name": "main", "image": "busybox"}]},
        "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]},
    }


def conditions(emu: KubeEmulator, name: str) -> dict[str, str]:
    found = emu.cluster.get("v1", "Pod", "default", name) or {}
    return {c["type"]: c["status"] for c in (found.get("status") or {}).get("conditions") or []}


def before_first_write(emu: KubeEmulator, monkeypatch: pytest.MonkeyPatch, other: Callable[[], None]) -> None:
    """``other`` lands between a writer's read of the pod and its first write: run just before the
    first update or patch of a pod's status the emulator receives after this call."""
    before_status_write(emu, monkeypatch, "Pod", lambda written: True, other)


# a condition another writer adds; its type is only an example
NOTED = {
    "type": "Noted",
    "status": "True",
    "reason": "ByAnotherWriter",
    "message": "kept",
    "lastTransitionTime": "2026-01-01T00:00:00Z",
}


def note(cluster: ClusterState, api_version: str, kind: str, namespace: str | None, name: str) -> Callable[[], None]:
    """Another writer: NOTED added to the object's conditions as it finds them (a merge patch)."""

    def write() -> None:
        found = cluster.get(api_version, kind, namespace, name) or {}
        conditions = [*(found.get("status") or {}).get("conditions", []), NOTED]
        cluster.patch_status(api_version, kind, namespace, name, {"conditions": conditions})

    return write


def before_status_write(
    emu: KubeEmulator,
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
    when: Callable[[dict[str, Any]], bool],
    other: Callable[[], None],
) -> None:
    """``other`` lands between a writer's read of a ``kind`` and its first status write whose
    status ``when`` accepts: run just before the emulator receives that update or patch."""
    done: list[bool] = []
    api = emu.cluster.api
    for method in ("update", "patch"):
        original = getattr(api, method)

        def wrapped(rt: Any, *args: Any, original: Any = original, **kwargs: Any) -> dict[str, Any]:
            # an update's body is the object; a patch's is its JSON (ClusterState._patch)
            sent = [json.loads(a) if isinstance(a, bytes) else a for a in args]
            bodies = [a for a in sent if isinstance(a, dict) and isinstance(a.get("status"), dict)]
            written = bodies[0]["status"] if bodies else {}
            if not done and rt.kind == kind and kwargs.get("subresource") == "status" and when(written):
                done.append(True)
                other()
            return dict(original(rt, *args, **kwargs))

        monkeypatch.setattr(api, method, wrapped)


def add_disruption_target(emu: KubeEmulator, name: str) -> Callable[[], None]:
    def write() -> None:
        pod = emu.cluster.get("v1", "Pod", "default", name) or {}
        emu.cluster.patch_pod_status(
            pod, {"conditions": [*(pod.get("status") or {}).get("conditions", []), DISRUPTION]}
        )

    return write


def test_marking_pods_not_ready_keeps_a_condition_written_after_the_pods_were_listed(
    kube_emulator: KubeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """MarkPodsNotReady's UpdateStatus of a pod that changed since the list is 409; the node
    lifecycle controller reads it again and the other writer's DisruptionTarget stays."""
    kube_emulator.cluster.create(node("n1"))
    kube_emulator.cluster.create(running_pod("web", "n1"))
    assert wait_until(lambda: conditions(kube_emulator, "web").get("Ready") == "True")
    kube_emulator.idle()
    before_first_write(kube_emulator, monkeypatch, add_disruption_target(kube_emulator, "web"))
    set_ready(kube_emulator, "n1", "Unknown")
    assert wait_until(lambda: conditions(kube_emulator, "web").get("Ready") == "False")
    kube_emulator.idle()
    assert conditions(kube_emulator, "web") == {"Ready": "False", "DisruptionTarget": "True"}
    assert kube_emulator.controllers.errors == []


def test_a_status_update_from_a_stale_read_is_a_conflict(kube_emulator: KubeEmulator) -> None:
    stale = kube_emulator.cluster.create(running_pod("web", "n1"))
    add_disruption_target(kube_emulator, "web")()
    with pytest.raises(ApiError) as caught:
        kube_emulator.cluster.update_status({**stale, "status": {"phase": "Failed"}})
    assert (caught.value.code, caught.value.reason) == (409, "Conflict")
    assert conditions(kube_emulator, "web")["DisruptionTarget"] == "True"


def test_a_pod_status_patch_from_a_stale_read_sends_only_what_changed(kube_emulator: KubeEmulator) -> None:
    stale = kube_emulator.cluster.create(running_pod("web", "n1"))
    add_disruption_target(kube_emulator, "web")()
    kube_emulator.cluster.patch_pod_status(stale, {"conditions": [{"type": "Ready", "status": "False"}]})
    assert conditions(kube_emulator, "web") == {"Ready": "False", "DisruptionTarget": "True"}


def test_a_pod_status_patch_for_a_pod_replaced_under_its_name_is_refused(kube_emulator: KubeEmulator) -> None:
    """The uid in the kubelet's patch is its precondition: the API server's BeforeUpdate refuses
    another uid on the status subresource as on the object (422 field is immutable)."""
    old = kube_emulator.cluster.create(running_pod("web", "n1"))
    kube_emulator.cluster.delete("v1", "Pod", "default", "web")
    assert wait_until(lambda: kube_emulator.cluster.get("v1", "Pod", "default", "web") is None)
    kube_emulator.cluster.create(running_pod("web", "n1"))
    with pytest.raises(ApiError) as caught:
        kube_emulator.cluster.patch_pod_status(old, {"phase": "Failed"})
    assert caught.value.code == 422
    assert "metadata.uid" in caught.value.message


def test_retry_on_conflict_tries_five_times_then_gives_the_conflict() -> None:
    calls: list[int] = []

    def write() -> None:
        calls.append(1)
        raise ApiError(409, "the object has been modified", "Conflict")

    with pytest.raises(ApiError):
        retry_on_conflict(write)
    assert len(calls) == RETRY_STEPS == 5


def test_retry_on_conflict_does_not_retry_another_error() -> None:
    calls: list[int] = []

    def write() -> None:
        calls.append(1)
        raise ApiError(409, 'pods "web" already exists', "AlreadyExists")

    with pytest.raises(ApiError):
        retry_on_conflict(write)
    assert len(calls) == 1


def test_the_kubelet_starting_a_pod_keeps_a_condition_another_writer_added_after_its_read(
    kube_emulator: KubeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kubelet's Running status is a patch from the pod it read: a DisruptionTarget written in
    between stays (mergePodStatus keeps the conditions the kubelet does not own)."""
    kube_emulator.cluster.create(node("n1"))
    kube_emulator.idle()
    before_first_write(kube_emulator, monkeypatch, add_disruption_target(kube_emulator, "web"))
    kube_emulator.cluster.create({**running_pod("web", "n1"), "status": {"phase": "Pending"}})
    assert wait_until(
        lambda: (kube_emulator.cluster.get("v1", "Pod", "default", "web") or {})["status"].get("phase") == "Running"
    )
    kube_emulator.idle()
    assert conditions(kube_emulator, "web")["DisruptionTarget"] == "True"
    assert conditions(kube_emulator, "web")["Ready"] == "True"


class StaleOnce(Controller):
    """Writes a ConfigMap's data from the read it was given; the first time, another writer has
    changed the ConfigMap since."""

    field_manager = TEST_MANAGER  # a test's own controller writes as the tests do

    watches: ClassVar[list[tuple[str, str]]] = [("v1", "ConfigMap")]

    def __init__(self) -> None:
        super().__init__(delay=0.01)
        self.reads: list[str] = []

    def reconcile(self, cluster: ClusterState, obj: dict[str, Any]) -> None:
        if obj["metadata"]["name"] != "cm":
            return
        self.reads.append(str(obj["metadata"]["resourceVersion"]))
        if len(self.reads) == 1:
            cluster.patch("v1", "ConfigMap", "default", "cm", {"data": {"other": "x"}})
        data = {**(obj.get("data") or {}), "seen": "yes"}
        cluster.api.update(
            cluster.api.rt("v1", "ConfigMap"), "v1", "default", "cm", {**obj, "data": data}, cluster._ctx()
        )


def test_a_reconcile_that_meets_a_conflict_is_requeued_not_recorded_as_an_error(kube_emulator: KubeEmulator) -> None:
    """controller-runtime's reconcileHandler: the error requeues the object, read afresh."""
    stale = StaleOnce()
    kube_emulator.controllers.add(stale)
    kube_emulator.cluster.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}, "data": {}})
    assert wait_until(
        lambda: (
            ((kube_emulator.cluster.get("v1", "ConfigMap", "default", "cm") or {}).get("data") or {}).get("seen")
            == "yes"
        )
    )
    kube_emulator.idle()
    assert (kube_emulator.cluster.get("v1", "ConfigMap", "default", "cm") or {})["data"] == {
        "other": "x",
        "seen": "yes",
    }
    assert kube_emulator.controllers.errors == []
