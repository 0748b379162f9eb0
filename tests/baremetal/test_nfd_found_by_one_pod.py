"""Whether Node Feature Discovery runs, and where, is read from its first pod: its workers are a
DaemonSet's, one a node (kubernetes-sigs/node-feature-discovery eeb1f0d5
deployment/helm/node-feature-discovery/templates/worker.yaml), so reading every one of them was a page
of 50 pods for every 50 nodes, 1,500 requests at 75,000 nodes. Requests are counted, never timed."""

from __future__ import annotations

from typing import Any

from akscli.gpu import stack as gpu_stack
from tests.emulators.kube.profiles import ready_pod

NFD = {"app.kubernetes.io/name": "node-feature-discovery", "role": "worker"}


def _nfd_workers(emu: Any, count: int) -> None:
    for i in range(count):
        ready_pod(emu, "gpu-operator", f"gpu-operator-node-feature-discovery-worker-{i:03d}", NFD)


def _pod_lists(emu: Any, selector: str) -> list[Any]:
    return [
        r
        for r in emu.requests(method="GET", path="/api/v1/pods")
        if r.verb == "list" and r.query.get("labelSelector") == [selector]
    ]


def test_nfd_is_found_in_one_request_of_one_pod_whatever_the_number_of_workers(kube_emulator: Any, kube: Any) -> None:
    # Before: pages of 50 for the chart's label (3 at 120 workers), then one list each for app=nfd-master
    # and app=nfd-worker.
    _nfd_workers(kube_emulator, 120)
    kube_emulator.request_log.clear()
    found = gpu_stack.detect(kube)
    assert (found.nfd_pod, found.nfd_namespace) == (True, "gpu-operator")
    [request] = _pod_lists(kube_emulator, gpu_stack.NFD_PODS[0])
    assert request.query["limit"] == ["1"]
    assert not _pod_lists(kube_emulator, "app=nfd-master") and not _pod_lists(kube_emulator, "app=nfd-worker")


def test_nfd_of_the_upstream_manifests_label_is_found_after_the_charts_finds_none(
    kube_emulator: Any, kube: Any
) -> None:
    ready_pod(kube_emulator, "node-feature-discovery", "nfd-master-0", {"app": "nfd-master"})
    found = gpu_stack.detect(kube)
    assert (found.nfd_pod, found.nfd_namespace) == (True, "node-feature-discovery")


def test_no_nfd_pod_is_no_nfd(kube_emulator: Any, kube: Any) -> None:
    assert not gpu_stack.detect(kube).nfd_pod
