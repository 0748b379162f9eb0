"""A pod created with spec.nodeName skips the scheduler; the node's kubelet refuses it when it does
not fit beside the pods already there (kubernetes/kubernetes pkg/kubelet/lifecycle/predicate.go
Admit, pkg/kubelet/kubelet.go rejectPod, noderesources/fit.go fitsRequest)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.kube_emulator.test_kubectl_fidelity import kubectl
from tests.kube_emulator.test_scheduling import node, seed

CAPACITY = 28000000 * 1024  # test_scheduling.node's allocatable memory, 28000000Ki, in bytes


Settle = Callable[[KubeEmulator, str], Any]


def bound_pod(name: str, requests: dict[str, str], on: str = "node-0") -> dict[str, Any]:
    resources = {"requests": requests, "limits": {k: v for k, v in requests.items() if "/" in k}}
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"nodeName": on, "containers": [{"name": "main", "image": "vllm", "resources": resources}]},
    }


def status_of(emu: KubeEmulator, name: str) -> dict[str, Any]:
    return dict((emu.cluster.get("v1", "Pod", "default", name) or {}).get("status") or {})


def rejected(emu: KubeEmulator, name: str) -> dict[str, Any]:
    assert wait_until(lambda: status_of(emu, name).get("phase") == "Failed")
    return status_of(emu, name)


def kubectl_of_bound_pod(emu: KubeEmulator, pod: dict[str, Any], *args: str, settle: Settle = rejected) -> str:
    """The real kubectl's stdout for ``args`` once ``pod``, bound to a fresh node-0, is settled by
    the kubelet (``settle``: rejected, or running)."""
    seed(emu, node("node-0"))
    emu.cluster.create(pod)
    settle(emu, pod["metadata"]["name"])
    r = kubectl(*args)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_a_bound_pod_larger_than_the_nodes_memory_is_rejected_out_of_memory(kube_emulator: KubeEmulator) -> None:
    seed(kube_emulator, node("node-0"))
    kube_emulator.cluster.create(bound_pod("big", {"memory": "30Gi"}))
    status = rejected(kube_emulator, "big")
    assert (status["reason"], status["message"]) == (
        "OutOfmemory",
        f"Pod was rejected: Node didn't have enough resource: memory, requested: {30 * 2**30}, used: 0, "
        f"capacity: {CAPACITY}",
    )
    assert status["qosClass"] == "Burstable" and status["startTime"]


def test_the_pods_already_on_the_node_count_as_used(kube_emulator: KubeEmulator) -> None:
    seed(kube_emulator, node("node-0"))
    kube_emulator.cluster.create(bound_pod("first", {"memory": "19Gi"}))
    kube_emulator.cluster.create(bound_pod("second", {"memory": "8Gi"}))
    status = rejected(kube_emulator, "second")
    assert status["message"].endswith(f"requested: {8 * 2**30}, used: {19 * 2**30}, capacity: {CAPACITY}")
    assert kube_emulator.idle()
    assert status_of(kube_emulator, "first").get("phase") != "Failed"


def test_cpu_is_counted_in_millicores(kube_emulator: KubeEmulator) -> None:
    seed(kube_emulator, node("node-0"))
    kube_emulator.cluster.create(bound_pod("busy", {"cpu": "8"}))
    status = rejected(kube_emulator, "busy")
    assert (status["reason"], status["message"]) == (
        "OutOfcpu",
        "Pod was rejected: Node didn't have enough resource: cpu, requested: 8000, used: 0, capacity: 7860",
    )


def test_too_many_gpus_are_out_of_the_extended_resource(kube_emulator: KubeEmulator) -> None:
    seed(kube_emulator, node("node-0", gpus=1))
    kube_emulator.cluster.create(bound_pod("llm", {"nvidia.com/gpu": "2"}))
    status = rejected(kube_emulator, "llm")
    assert (status["reason"], status["message"]) == (
        "OutOfnvidia.com/gpu",
        "Pod was rejected: Node didn't have enough resource: nvidia.com/gpu, requested: 2, used: 0, capacity: 1",
    )


def test_the_rejection_is_a_warning_event_without_the_prefix(kube_emulator: KubeEmulator) -> None:
    seed(kube_emulator, node("node-0"))
    kube_emulator.cluster.create(bound_pod("big", {"memory": "30Gi"}))
    rejected(kube_emulator, "big")
    [event] = [e for e in kube_emulator.cluster.list("v1", "Event", "default") if e.get("reason") == "OutOfmemory"]
    assert event["type"] == "Warning"
    assert event["message"].startswith("Node didn't have enough resource: memory, requested: ")


def test_a_pod_that_fits_is_not_rejected(kube_emulator: KubeEmulator) -> None:
    seed(kube_emulator, node("node-0"))
    kube_emulator.cluster.create(bound_pod("small", {"memory": "1Gi"}))
    assert kube_emulator.idle()
    assert status_of(kube_emulator, "small").get("phase") != "Failed"


def test_a_pod_already_shown_succeeded_is_not_started_again(kube_emulator: KubeEmulator) -> None:
    # generateAPIPodStatus: no transition out of a terminal phase, even before the kubelet admitted it
    seed(kube_emulator, node("node-0"))
    kube_emulator.cluster.create(bound_pod("done", {"memory": "1Gi"}))
    kube_emulator.cluster.patch_status("v1", "Pod", "default", "done", {"phase": "Succeeded"})
    assert kube_emulator.idle()
    assert status_of(kube_emulator, "done")["phase"] == "Succeeded"


def test_an_extended_resource_the_node_lacks_is_not_checked(kube_emulator: KubeEmulator) -> None:
    # removeMissingExtendedResources: the kubelet drops what the node has no entry for at all
    seed(kube_emulator, node("node-0"))
    kube_emulator.cluster.create(bound_pod("llm", {"nvidia.com/gpu": "1"}))
    assert kube_emulator.idle()
    assert status_of(kube_emulator, "llm").get("phase") != "Failed"


@pytest.mark.kubectl
@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_get_pods_shows_the_kubelets_reason(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    out = kubectl_of_bound_pod(kube_emulator, bound_pod("big", {"memory": "30Gi"}), "get", "pod", "big", "--no-headers")
    assert out.split()[:3] == ["big", "0/1", "OutOfmemory"]


@pytest.mark.kubectl
@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_describe_shows_the_rejection(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    out = kubectl_of_bound_pod(kube_emulator, bound_pod("big", {"memory": "30Gi"}), "describe", "pod", "big")
    fields = {k.strip(): v.strip() for k, _, v in (ln.partition(":") for ln in out.splitlines()) if v}
    assert (fields["Status"], fields["Reason"]) == ("Failed", "OutOfmemory")
    assert fields["Message"].startswith("Pod was rejected: Node didn't have enough resource: memory")
    assert "Warning  OutOfmemory" in out
