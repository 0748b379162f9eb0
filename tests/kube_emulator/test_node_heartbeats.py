"""The node lifecycle controller counts a silent node's grace period from when it last observed a
heartbeat (a Lease renewTime later than the one it saw, or a new Ready lastHeartbeatTime), not
from the times those stamps record; and a running kubelet renews its Lease every 10 s of wall
time, not only when a test moves the clock (upstream: kubernetes/kubernetes pkg/controller/
nodelifecycle/node_lifecycle_controller.go tryUpdateNodeHealth; staging/src/k8s.io/
component-helpers/apimachinery/lease/controller.go renewInterval)."""

from __future__ import annotations

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.controllers import node_leases
from tests.kube_emulator.test_node_leases import lease, leased_node, ready, renew_time, stopped_kubelet
from tests.kube_emulator.test_node_lifecycle import controller


def test_a_renewal_counts_from_when_it_is_observed(kube_emulator: KubeEmulator) -> None:
    nlc, last = stopped_kubelet(kube_emulator)
    nlc.advance(40)
    # a holder whose clock runs 39 s behind renews: its renewTime is later than the last one
    node_leases.renew(kube_emulator.cluster, "n1", last + 1)
    nlc.advance(15)
    kube_emulator.idle()
    assert ready(kube_emulator, "n1") == "True"  # 55 s since the stop, 15 s since the renewal was seen


def test_a_renew_time_that_goes_back_is_no_heartbeat(kube_emulator: KubeEmulator) -> None:
    nlc, last = stopped_kubelet(kube_emulator)
    nlc.advance(40)
    node_leases.renew(kube_emulator.cluster, "n1", last - 60)
    nlc.advance(11)
    assert wait_until(lambda: ready(kube_emulator, "n1") == "Unknown")


def test_a_new_ready_heartbeat_counts_whatever_time_it_records(kube_emulator: KubeEmulator) -> None:
    nlc, _ = stopped_kubelet(kube_emulator)
    nlc.advance(40)
    current = kube_emulator.cluster.get("v1", "Node", None, "n1") or {}
    conditions = [
        c | {"lastHeartbeatTime": "2020-01-01T00:00:00Z"} if c["type"] == "Ready" else c
        for c in current["status"]["conditions"]
    ]
    kube_emulator.cluster.patch_status("v1", "Node", None, "n1", {"conditions": conditions})
    nlc.advance(15)
    kube_emulator.idle()
    assert ready(kube_emulator, "n1") == "True"


def test_a_running_kubelet_renews_its_lease_on_the_wall_clock(kube_emulator: KubeEmulator) -> None:
    nlc = controller(kube_emulator)
    nlc.renew_interval = 0.2  # the test's kubelets renew every 0.2 s instead of 10 s
    leased_node(kube_emulator)
    first = renew_time(kube_emulator, "n1")
    assert wait_until(lambda: renew_time(kube_emulator, "n1") > first)  # no advance: the timer renews it


def test_a_bulk_loaded_node_gets_its_lease_when_its_kubelet_stops(kube_emulator: KubeEmulator) -> None:
    kube_emulator.generate_cluster(nodes=3, pods=0, gpu_fraction=0.0, variety=False)
    name = kube_emulator.cluster.list("v1", "Node")[0]["metadata"]["name"]
    assert lease(kube_emulator, name) is None  # 3 nodes, no Lease until the controller syncs one
    controller(kube_emulator).stop_kubelet(name)
    found = lease(kube_emulator, name) or {}
    assert found.get("spec", {}).get("holderIdentity") == name
    assert found["metadata"]["ownerReferences"][0]["kind"] == "Node"
