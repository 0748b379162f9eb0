"""A silent kubelet's node turns Unknown after the grace period, as kube-controller-manager's node
lifecycle controller does it (kubernetes/kubernetes pkg/controller/nodelifecycle/
node_lifecycle_controller.go monitorNodeHealth, tryUpdateNodeHealth), on the simulator's clock."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.kube_emulator.test_node_lifecycle import controller, exists, node, pod, taints

UNREACHABLE = {("node.kubernetes.io/unreachable", "NoSchedule"), ("node.kubernetes.io/unreachable", "NoExecute")}


def conditions(emu: KubeEmulator, name: str) -> dict[str, dict[str, Any]]:
    obj = emu.cluster.get("v1", "Node", None, name) or {}
    return {c["type"]: c for c in (obj.get("status") or {}).get("conditions") or []}


def status_of(emu: KubeEmulator, name: str, kind: str = "Ready") -> str:
    return str(conditions(emu, name).get(kind, {}).get("status"))


def with_pressure(name: str) -> dict[str, Any]:
    obj = node(name)
    obj["status"]["conditions"] += [
        {"type": "MemoryPressure", "status": "False", "reason": "KubeletHasSufficientMemory"},
        {"type": "NetworkUnavailable", "status": "False", "reason": "RouteCreated"},
    ]
    return obj


def test_a_silent_kubelets_node_turns_unknown_after_the_grace_period(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(with_pressure("n1"))
    kube_emulator.cluster.create(node("n2"))
    nlc = controller(kube_emulator)
    nlc.stop_kubelet("n1")
    nlc.advance(49)
    kube_emulator.idle()
    assert status_of(kube_emulator, "n1") == "True"
    nlc.advance(2)
    assert wait_until(lambda: status_of(kube_emulator, "n1") == "Unknown")
    ready = conditions(kube_emulator, "n1")["Ready"]
    assert (ready["reason"], ready["message"]) == ("NodeStatusUnknown", "Kubelet stopped posting node status.")
    assert {k: status_of(kube_emulator, "n1", k) for k in ("MemoryPressure", "DiskPressure", "NetworkUnavailable")} == {
        "MemoryPressure": "Unknown",
        "DiskPressure": "Unknown",  # never posted: added
        "NetworkUnavailable": "False",  # the control plane's, left alone
    }
    assert wait_until(lambda: taints(kube_emulator, "n1") == UNREACHABLE)
    assert status_of(kube_emulator, "n2") == "True"  # its kubelet still renews its lease


def test_a_node_whose_kubelet_never_posted_is_unknown_after_the_startup_grace_period(
    kube_emulator: KubeEmulator,
) -> None:
    bare = node("n1")
    bare["status"]["conditions"] = []
    kube_emulator.cluster.create(bare)
    nlc = controller(kube_emulator)
    nlc.stop_kubelet("n1")
    nlc.advance(51)
    kube_emulator.idle()
    assert "Ready" not in conditions(kube_emulator, "n1")
    nlc.advance(10)
    assert wait_until(lambda: status_of(kube_emulator, "n1") == "Unknown")
    ready = conditions(kube_emulator, "n1")["Ready"]
    assert (ready["reason"], ready["message"]) == ("NodeStatusNeverUpdated", "Kubelet never posted node status.")


def test_a_silent_kubelets_pods_are_evicted_300_seconds_after_it_turned_unknown(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(node("n1"))
    kube_emulator.cluster.create(pod("web", "n1"))
    nlc = controller(kube_emulator)
    nlc.stop_kubelet("n1")
    nlc.advance(51)
    assert wait_until(lambda: ("node.kubernetes.io/unreachable", "NoExecute") in taints(kube_emulator, "n1"))
    nlc.advance(299)
    kube_emulator.idle()
    assert exists(kube_emulator, "web")
    nlc.advance(2)
    assert wait_until(lambda: not exists(kube_emulator, "web"))


def test_a_kubelet_back_in_time_makes_its_node_ready_again(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(node("n1"))
    nlc = controller(kube_emulator)
    nlc.stop_kubelet("n1")
    nlc.advance(51)
    assert wait_until(lambda: taints(kube_emulator, "n1") == UNREACHABLE)
    nlc.start_kubelet("n1")
    assert wait_until(lambda: taints(kube_emulator, "n1") == set())
    nlc.advance(120)
    kube_emulator.idle()
    assert status_of(kube_emulator, "n1") == "True"
