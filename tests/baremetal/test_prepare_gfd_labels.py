"""After `baremetal prepare`, the simulated GPU Operator's NFD and GFD label the GPU nodes as upstream
does (tests/emulators/kube/controllers/nvidia_gfd.py), so `baremetal doctor` stops asking for
prepare; a node NFD's worker cannot run on is named with the toleration that lets it."""

from __future__ import annotations

import json
import random
from typing import Any

from tests.cli import invoke
from tests.emulators.kube.controllers.nvidia import ClusterPolicyController
from tests.emulators.kube.generate import gpu_sizes, node

from .conftest import helm_gpu_operator

A100 = next(s for s in gpu_sizes() if s.name == "Standard_NC24ads_A100_v4")


def aks_gpu_node(name: str, *, taint: dict[str, str]) -> dict[str, Any]:
    """A GPU node as AKS makes it with no GPU Operator yet: no NFD or GFD label (generate.py's
    "aks" flavour), with the given taint."""
    made = node(A100, "gpu", "12345678", 0, "User", random.Random(1), flavour="aks")
    made["metadata"]["name"] = made["metadata"]["labels"]["kubernetes.io/hostname"] = name
    made["spec"]["taints"] = [taint]
    return {"apiVersion": "v1", "kind": "Node", **made}


def prepare_with_nfd(kube_emulator: Any) -> None:
    helm_gpu_operator(kube_emulator)
    kube_emulator.controllers.add(ClusterPolicyController(delay=0.01, nfd=True))
    assert invoke("baremetal", "prepare", "--no-driver", "-y").exit_code == 0
    assert kube_emulator.idle(10.0)


def gpu_label_findings(kube_emulator: Any) -> list[dict[str, Any]]:
    result = invoke("baremetal", "doctor", "-o", "json")
    return [f for f in json.loads(result.stdout)["findings"] if f["check"] == "gpu-labels"]


def test_gfd_labels_a_node_nfd_found_and_doctor_no_longer_asks_for_them(kube_emulator: Any, kubeconfig: Any) -> None:
    kube_emulator.cluster.create(aks_gpu_node("aks-gpu-0", taint={"key": "nvidia.com/gpu", "effect": "NoSchedule"}))
    prepare_with_nfd(kube_emulator)
    labels = kube_emulator.cluster.get("v1", "Node", None, "aks-gpu-0")["metadata"]["labels"]
    assert labels["feature.node.kubernetes.io/pci-10de.present"] == "true"
    assert labels["nvidia.com/gpu.product"] == "NVIDIA-A100-PCIe-80GB"
    assert (labels["nvidia.com/gpu.count"], labels["nvidia.com/gpu.memory"]) == ("1", "81920")
    assert gpu_label_findings(kube_emulator) == []


def test_a_node_nfd_cannot_run_on_is_named_with_the_toleration_not_prepare(kube_emulator: Any, kubeconfig: Any) -> None:
    sku = {"key": "sku", "value": "gpu", "effect": "NoSchedule"}
    kube_emulator.cluster.create(aks_gpu_node("aks-gpu-0", taint=sku))
    prepare_with_nfd(kube_emulator)
    labels = kube_emulator.cluster.get("v1", "Node", None, "aks-gpu-0")["metadata"]["labels"]
    assert "feature.node.kubernetes.io/pci-10de.present" not in labels  # the chart's worker does not tolerate sku=gpu
    [finding] = gpu_label_findings(kube_emulator)
    assert "Node Feature Discovery has not labelled it" in finding["message"]
    assert finding["fix"].startswith(  # prepare adds it to the worker's DaemonSet (test_prepare_nfd_toleration.py)
        "NFD's worker does not tolerate the node's taint sku=gpu:NoSchedule: akscli baremetal prepare -y adds"
    )
    assert "node-feature-discovery.worker.tolerations=" in finding["fix"]
    assert '{"key":"sku","operator":"Equal","value":"gpu","effect":"NoSchedule"}' in finding["fix"]
