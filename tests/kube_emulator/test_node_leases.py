"""Each kubelet's node Lease in kube-node-lease, renewed while the kubelet runs, and read by the
node lifecycle controller as the node's heartbeat (upstream: kubernetes/kubernetes
staging/src/k8s.io/component-helpers/apimachinery/lease/controller.go, pkg/kubelet/kubelet.go
setNodeOwnerFunc, pkg/controller/nodelifecycle/node_lifecycle_controller.go tryUpdateNodeHealth),
on the simulator's clock."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.controllers import node_leases
from tests.emulators.kube.controllers.node_lifecycle import NodeLifecycleController
from tests.kube_emulator.test_node_lifecycle import controller, node


def lease(emu: KubeEmulator, name: str) -> dict[str, Any] | None:
    return emu.cluster.get("coordination.k8s.io/v1", "Lease", "kube-node-lease", name)


def renew_time(emu: KubeEmulator, name: str) -> float:
    found = lease(emu, name) or {}
    value = node_leases.parse_time((found.get("spec") or {}).get("renewTime"))
    assert value is not None
    return value


def ready(emu: KubeEmulator, name: str) -> str:
    obj = emu.cluster.get("v1", "Node", None, name) or {}
    return next((str(c["status"]) for c in obj["status"]["conditions"] if c["type"] == "Ready"), "")


def leased_node(emu: KubeEmulator, name: str = "n1") -> None:
    """A new node, once its kubelet has taken its Lease."""
    emu.cluster.create(node(name))
    assert wait_until(lambda: lease(emu, name) is not None)


def stopped_kubelet(emu: KubeEmulator, name: str = "n1") -> tuple[NodeLifecycleController, float]:
    """A node whose kubelet took its Lease and then stopped: the node lifecycle controller, and the
    Lease's last renewTime."""
    leased_node(emu, name)
    nlc = controller(emu)
    nlc.stop_kubelet(name)
    return nlc, renew_time(emu, name)


def test_a_new_node_gets_its_kubelets_lease(kube_emulator: KubeEmulator) -> None:
    created = kube_emulator.cluster.create(node("n1"))
    assert wait_until(lambda: lease(kube_emulator, "n1") is not None)
    found = lease(kube_emulator, "n1") or {}
    assert found["spec"]["holderIdentity"] == "n1"
    assert found["spec"]["leaseDurationSeconds"] == 40
    assert found["metadata"]["ownerReferences"] == [
        {"apiVersion": "v1", "kind": "Node", "name": "n1", "uid": created["metadata"]["uid"]}
    ]


def test_a_running_kubelet_renews_its_lease_as_the_clock_moves_on(kube_emulator: KubeEmulator) -> None:
    leased_node(kube_emulator)
    first = renew_time(kube_emulator, "n1")
    controller(kube_emulator).advance(10)
    assert wait_until(lambda: renew_time(kube_emulator, "n1") >= first + 10)


def test_a_stopped_kubelet_renews_its_lease_no_more(kube_emulator: KubeEmulator) -> None:
    nlc, last = stopped_kubelet(kube_emulator)
    nlc.advance(30)
    kube_emulator.idle()
    assert renew_time(kube_emulator, "n1") == last


def test_a_lease_renewed_by_its_holder_keeps_the_node_ready(kube_emulator: KubeEmulator) -> None:
    # the controller reads the Lease: the node is alive while its renewTime moves on, whoever
    # writes it, and Unknown a grace period after the last renewal
    nlc, _ = stopped_kubelet(kube_emulator)
    nlc.advance(30)
    node_leases.renew(kube_emulator.cluster, "n1", nlc.wall())
    nlc.advance(30)
    kube_emulator.idle()
    assert ready(kube_emulator, "n1") == "True"  # 60 s since the kubelet stopped, 30 s since the renewal
    nlc.advance(21)
    assert wait_until(lambda: ready(kube_emulator, "n1") == "Unknown")


def test_a_deleted_nodes_lease_is_collected(kube_emulator: KubeEmulator) -> None:
    leased_node(kube_emulator)
    kube_emulator.cluster.delete("v1", "Node", None, "n1")
    assert wait_until(lambda: lease(kube_emulator, "n1") is None)
