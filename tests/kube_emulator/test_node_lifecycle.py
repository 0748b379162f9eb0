"""Node condition taints and taint-based eviction, as kube-controller-manager's node lifecycle
and taint eviction controllers do them (kubernetes/kubernetes pkg/controller/nodelifecycle,
pkg/controller/tainteviction/taint_eviction.go), on the simulator's clock."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.controllers.node_lifecycle import NodeLifecycleController
from tests.kube_emulator.helpers import deployment


def controller(emu: KubeEmulator) -> NodeLifecycleController:
    return next(c for c in emu.controllers.controllers if isinstance(c, NodeLifecycleController))


def node(name: str, ready: str = "True") -> dict[str, Any]:
    allocatable = {"cpu": "8", "memory": "32Gi", "pods": "110"}
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}},
        "spec": {},
        "status": {
            "allocatable": allocatable,
            "capacity": dict(allocatable),
            "conditions": [{"type": "Ready", "status": ready, "reason": "KubeletReady"}],
        },
    }


def pod(name: str, on: str, tolerations: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"nodeName": on, "containers": [{"name": "main", "image": "busybox"}]}
    if tolerations is not None:
        spec["tolerations"] = tolerations
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"}, "spec": spec}


def set_ready(emu: KubeEmulator, name: str, status: str) -> None:
    conditions = [{"type": "Ready", "status": status, "reason": "NodeStatusUnknown"}]
    emu.cluster.patch_status("v1", "Node", None, name, {"conditions": conditions})


def taints(emu: KubeEmulator, name: str) -> set[tuple[str, str]]:
    obj = emu.cluster.get("v1", "Node", None, name) or {}
    return {(t["key"], t["effect"]) for t in (obj.get("spec") or {}).get("taints") or []}


def exists(emu: KubeEmulator, name: str) -> bool:
    found = emu.cluster.get("v1", "Pod", "default", name)
    return found is not None and not found["metadata"].get("deletionTimestamp")


def test_a_node_whose_ready_is_false_is_tainted_not_ready_noschedule_and_noexecute(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(node("n1"))
    set_ready(kube_emulator, "n1", "False")
    want = {("node.kubernetes.io/not-ready", "NoSchedule"), ("node.kubernetes.io/not-ready", "NoExecute")}
    assert wait_until(lambda: taints(kube_emulator, "n1") == want)
    stamped = (kube_emulator.cluster.get("v1", "Node", None, "n1") or {})["spec"]["taints"]
    assert all(t.get("timeAdded") for t in stamped)


def test_an_unknown_node_is_tainted_unreachable_and_loses_the_taints_once_ready(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(node("n1"))
    set_ready(kube_emulator, "n1", "Unknown")
    want = {("node.kubernetes.io/unreachable", "NoSchedule"), ("node.kubernetes.io/unreachable", "NoExecute")}
    assert wait_until(lambda: taints(kube_emulator, "n1") == want)
    set_ready(kube_emulator, "n1", "True")
    assert wait_until(lambda: taints(kube_emulator, "n1") == set())


def test_a_pod_stays_on_an_unreachable_node_for_the_default_300_seconds(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(node("n1"))
    kube_emulator.cluster.create(pod("web", "n1"))
    set_ready(kube_emulator, "n1", "Unknown")
    assert wait_until(lambda: ("node.kubernetes.io/unreachable", "NoExecute") in taints(kube_emulator, "n1"))
    controller(kube_emulator).advance(299)
    kube_emulator.idle()
    assert exists(kube_emulator, "web")
    controller(kube_emulator).advance(2)
    assert wait_until(lambda: not exists(kube_emulator, "web"))
    events = kube_emulator.cluster.list("v1", "Event", "default")
    assert any(
        e["reason"] == "TaintManagerEviction" and e["message"] == "Marking for deletion Pod default/web" for e in events
    )


def test_a_pod_that_tolerates_the_taint_for_ever_is_not_evicted(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(node("n1"))
    forever = [{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"}]
    kube_emulator.cluster.create(pod("agent", "n1", forever))
    set_ready(kube_emulator, "n1", "False")
    assert wait_until(lambda: ("node.kubernetes.io/not-ready", "NoExecute") in taints(kube_emulator, "n1"))
    controller(kube_emulator).advance(3600)
    kube_emulator.idle()
    assert exists(kube_emulator, "agent")


def test_a_pod_that_does_not_tolerate_a_noexecute_taint_is_evicted_at_once(kube_emulator: KubeEmulator) -> None:
    """An empty tolerations list still gets DefaultTolerationSeconds' two; another NoExecute taint
    no toleration matches evicts at once."""
    kube_emulator.cluster.create(node("n1"))
    kube_emulator.cluster.create(pod("web", "n1"))
    kube_emulator.cluster.patch(
        "v1", "Node", None, "n1", {"spec": {"taints": [{"key": "maintenance", "effect": "NoExecute"}]}}
    )
    assert wait_until(lambda: not exists(kube_emulator, "web"))


def test_a_node_ready_again_in_time_keeps_its_pods(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(node("n1"))
    kube_emulator.cluster.create(pod("web", "n1"))
    set_ready(kube_emulator, "n1", "False")
    assert wait_until(lambda: ("node.kubernetes.io/not-ready", "NoExecute") in taints(kube_emulator, "n1"))
    controller(kube_emulator).advance(200)
    set_ready(kube_emulator, "n1", "True")
    assert wait_until(lambda: taints(kube_emulator, "n1") == set())
    controller(kube_emulator).advance(200)
    kube_emulator.idle()
    assert exists(kube_emulator, "web")


def test_a_lost_nodes_pods_are_marked_not_ready_and_its_deployment_counts_them(kube_emulator: KubeEmulator) -> None:
    """MarkPodsNotReady: Ready Unknown makes the node's pods Ready=False, and the Deployment's
    readyReplicas follow; Ready again, they are ready again (the kubelet's status sync)."""
    kube_emulator.cluster.create(node("n1"))
    kube_emulator.cluster.create(deployment("web", replicas=1))

    def ready_replicas() -> int:
        obj = kube_emulator.cluster.get("apps/v1", "Deployment", "default", "web") or {}
        return int((obj.get("status") or {}).get("readyReplicas") or 0)

    assert wait_until(lambda: ready_replicas() == 1)
    set_ready(kube_emulator, "n1", "Unknown")
    assert wait_until(lambda: ready_replicas() == 0)
    [pod_] = kube_emulator.cluster.list("v1", "Pod", "default", label_selector="app=web")
    assert {c["type"]: c["status"] for c in pod_["status"]["conditions"]}["Ready"] == "False"

    # The controller records its event after the pod's status, where the Deployment may already
    # have counted it: waited for, not read once.
    def reasons() -> set[tuple[str, str]]:
        return {(e["reason"], e["message"]) for e in kube_emulator.cluster.list("v1", "Event", "default")}

    assert wait_until(lambda: ("NodeNotReady", "Node is not ready") in reasons()), reasons()
    set_ready(kube_emulator, "n1", "True")
    assert wait_until(lambda: ready_replicas() == 1)
