"""The pods/binding subresource as kube-apiserver serves it (kubernetes/kubernetes
pkg/registry/core/pod/storage/storage.go BindingREST.Create, setPodHostAndAnnotations), and the
real kubectl reading a pod bound through it."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.kube_emulator.helpers import deployment, raw
from tests.kube_emulator.test_kubectl_fidelity import kubectl
from tests.kube_emulator.test_scheduling import node, pods, seed


def pending_pod(name: str, **spec: Any) -> dict[str, Any]:
    """A pod no scheduler has bound, with the PodScheduled False kube-scheduler left on it."""
    unschedulable = {"type": "PodScheduled", "status": "False", "reason": "Unschedulable"}
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"containers": [{"name": "main", "image": "busybox"}], **spec},
        "status": {
            "phase": "Pending",
            "conditions": [
                {**unschedulable, "message": "0/1 nodes are available: 1 Insufficient nvidia.com/gpu."}
                | {"lastProbeTime": None, "lastTransitionTime": "2026-01-01T00:00:00Z"}
            ],
        },
    }


def bind(emu: KubeEmulator, name: str, node: str, **metadata: Any) -> Any:
    body = {
        "apiVersion": "v1",
        "kind": "Binding",
        "metadata": {"name": name, "namespace": "default", **metadata},
        "target": {"apiVersion": "v1", "kind": "Node", "name": node},
    }
    return raw(emu, "POST", f"/api/v1/namespaces/default/pods/{name}/binding", body)


def stored(emu: KubeEmulator, name: str) -> dict[str, Any]:
    pod = emu.cluster.get("v1", "Pod", "default", name)
    assert pod is not None
    return pod


def test_a_binding_sets_the_node_and_replaces_the_schedulers_false_with_pod_scheduled_true(
    kube_emulator: KubeEmulator,
) -> None:
    created = kube_emulator.cluster.create(pending_pod("p"))
    r = bind(kube_emulator, "p", "node-a")
    assert (r.status, r.json()) == (
        201,
        {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201},
    )
    pod = stored(kube_emulator, "p")
    assert pod["spec"]["nodeName"] == "node-a"
    [cond] = pod["status"]["conditions"]
    # UpdatePodCondition replaces the condition whole: no reason or message of the scheduler's is left
    assert {k: v for k, v in cond.items() if k != "lastTransitionTime"} == {
        "type": "PodScheduled",
        "status": "True",
        "lastProbeTime": None,
    }
    assert cond["lastTransitionTime"] != "2026-01-01T00:00:00Z"
    # written below the handlers that record field managers: no entry of its own
    assert pod["metadata"].get("managedFields") == created["metadata"].get("managedFields")


def test_a_binding_merges_its_annotations_into_the_pods(kube_emulator: KubeEmulator) -> None:
    pod = pending_pod("p")
    pod["metadata"]["annotations"] = {"keep": "1", "over": "old"}
    kube_emulator.cluster.create(pod)
    assert bind(kube_emulator, "p", "node-a", annotations={"over": "new", "added": "2"}).status == 201
    assert stored(kube_emulator, "p")["metadata"]["annotations"] == {"keep": "1", "over": "new", "added": "2"}


def test_a_second_binding_to_another_node_is_a_409_on_pods_binding(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(pending_pod("p"))
    assert bind(kube_emulator, "p", "node-a").status == 201
    r = bind(kube_emulator, "p", "node-b")
    assert (r.status, r.json()) == (
        409,
        {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": 'Operation cannot be fulfilled on pods/binding "p": pod p is already assigned to node "node-a"',
            "reason": "Conflict",
            "details": {"name": "p", "kind": "pods/binding"},
            "code": 409,
        },
    )
    assert stored(kube_emulator, "p")["spec"]["nodeName"] == "node-a"


def test_a_pod_with_scheduling_gates_cannot_be_bound(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(pending_pod("p", schedulingGates=[{"name": "example.com/wait"}]))
    r = bind(kube_emulator, "p", "node-a")
    assert (r.status, r.json()["message"]) == (
        409,
        'Operation cannot be fulfilled on pods/binding "p": pod p has non-empty .spec.schedulingGates',
    )
    assert not stored(kube_emulator, "p")["spec"].get("nodeName")


def test_a_binding_whose_uid_is_not_the_pods_fails_the_storage_precondition(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(pending_pod("p"))
    uid = stored(kube_emulator, "p")["metadata"]["uid"]
    r = bind(kube_emulator, "p", "node-a", uid="0000-old")
    assert (r.status, r.json()["message"], r.json()["details"]) == (
        409,
        'Operation cannot be fulfilled on pods "p": StorageError: invalid object, Code: 4, '
        "Key: /registry/pods/default/p, ResourceVersion: 0, AdditionalErrorMsg: "
        f"Precondition failed: UID in precondition: 0000-old, UID in object meta: {uid}",
        {"name": "p", "kind": "pods"},
    )
    assert not stored(kube_emulator, "p")["spec"].get("nodeName")


def test_a_binding_of_a_stale_resource_version_fails_the_storage_precondition(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(pending_pod("p"))
    rv = stored(kube_emulator, "p")["metadata"]["resourceVersion"]
    kube_emulator.cluster.patch("v1", "Pod", "default", "p", {"metadata": {"labels": {"a": "b"}}})
    r = bind(kube_emulator, "p", "node-a", resourceVersion=rv)
    assert r.status == 409
    assert f"Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion" in r.json()["message"]


def test_a_binding_to_a_target_that_is_not_a_node_is_refused_as_its_validation_error(
    kube_emulator: KubeEmulator,
) -> None:
    kube_emulator.cluster.create(pending_pod("p"))
    body = {"metadata": {"name": "p"}, "target": {"kind": "Pod", "name": "x"}}
    r = raw(kube_emulator, "POST", "/api/v1/namespaces/default/pods/p/binding", body)
    # ValidatePodBinding's ErrorList is no APIStatus: ErrorToAPIStatus answers it 500, reason ""
    assert (r.status, r.json()["message"]) == (
        500,
        'target.kind: Unsupported value: "Pod": supported values: "Node", "<empty>"',
    )


def test_a_binding_named_for_another_pod_is_a_bad_request(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(pending_pod("p"))
    body = {"metadata": {"name": "q"}, "target": {"name": "node-a"}}
    r = raw(kube_emulator, "POST", "/api/v1/namespaces/default/pods/p/binding", body)
    assert (r.status, r.json()["message"]) == (400, "name in URL does not match name in Binding object")


def test_a_dry_run_binding_leaves_the_pod_unbound(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(pending_pod("p"))
    body = {"metadata": {"name": "p"}, "target": {"name": "node-a"}}
    r = raw(kube_emulator, "POST", "/api/v1/namespaces/default/pods/p/binding?dryRun=All", body)
    assert r.status == 201
    assert not stored(kube_emulator, "p")["spec"].get("nodeName")


def test_a_binding_of_a_missing_pod_is_not_found(kube_emulator: KubeEmulator) -> None:
    r = bind(kube_emulator, "gone", "node-a")
    assert (r.status, r.json()["message"]) == (404, 'pods "gone" not found')


@pytest.mark.kubectl
@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_get_wide_shows_the_node_a_binding_set(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    kube_emulator.cluster.create(pending_pod("p"))
    assert bind(kube_emulator, "p", "node-a").status == 201
    r = kubectl("get", "pod", "p", "-o", "wide", "--no-headers")
    assert r.returncode == 0, r.stderr
    assert r.stdout.split()[6] == "node-a"  # NAME READY STATUS RESTARTS AGE IP NODE


def test_the_schedulers_bind_of_a_waiting_pod_writes_pod_scheduled_true_with_the_node(
    kube_emulator: KubeEmulator,
) -> None:
    """The Rescheduler places a pod once a node comes: its bind is the one write that sets the node
    and replaces Unschedulable by True, before any status of the kubelet's."""
    kube_emulator.cluster.create(deployment("web", replicas=1))
    assert wait_until(lambda: len(pods(kube_emulator, "web")) == 1)
    assert kube_emulator.idle()
    writes: list[dict[str, Any]] = []
    kube_emulator.api.listeners.append(lambda typ, rt, obj, ctx: writes.append(obj) if rt.kind == "Pod" else None)
    seed(kube_emulator, node("aks-system-0"))
    assert wait_until(lambda: any((w.get("spec") or {}).get("nodeName") for w in writes))
    first = next(w for w in writes if (w.get("spec") or {}).get("nodeName"))
    [cond] = [c for c in first["status"]["conditions"] if c["type"] == "PodScheduled"]
    assert (first["spec"]["nodeName"], cond["status"], "reason" in cond) == ("aks-system-0", "True", False)
    assert not first["status"].get("containerStatuses")  # the kubelet has not reported yet
