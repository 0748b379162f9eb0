"""baremetal prepare and the chart's NFD worker: where AKS's sku=gpu taint keeps the worker off a GPU
node, prepare adds the toleration to the worker's DaemonSet (asked, or with -y) and gives the helm
line that keeps it through upgrades (upstream: NVIDIA/gpu-operator deployments/gpu-operator/
values.yaml node-feature-discovery.worker.tolerations; kubernetes-sigs/node-feature-discovery
deployment/helm/node-feature-discovery/templates/worker.yaml)."""

from __future__ import annotations

from typing import Any

from tests.cli import invoke
from tests.emulators.kube.controllers.nvidia import ClusterPolicyController

from .conftest import helm_gpu_operator
from .test_prepare_gfd_labels import aks_gpu_node, gpu_label_findings

WORKER = "gpu-operator-node-feature-discovery-worker"
SKU = {"key": "sku", "value": "gpu", "effect": "NoSchedule"}
SKU_TOLERATION = {"key": "sku", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"}
NFD_LABEL = "feature.node.kubernetes.io/pci-10de.present"


def _cluster(emu: Any, taint: dict[str, str] = SKU) -> None:
    emu.cluster.create(aks_gpu_node("aks-gpu-0", taint=taint))
    helm_gpu_operator(emu, nfd=True)
    emu.controllers.add(ClusterPolicyController(delay=0.01, nfd=True))


def _worker_tolerations(emu: Any) -> list[dict[str, Any]]:
    worker = emu.cluster.get("apps/v1", "DaemonSet", "gpu-operator", WORKER)
    return list(worker["spec"]["template"]["spec"]["tolerations"])


def test_prepare_with_yes_lets_nfds_worker_onto_a_sku_gpu_node_and_gfd_labels_it(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    # Before: prepare left the worker as it was; doctor kept naming the node, with a helm line only.
    _cluster(kube_emulator)
    result = invoke("baremetal", "prepare", "--no-driver", "-y")
    assert result.exit_code == 0, result
    assert (
        f"Node Feature Discovery's worker (DaemonSet gpu-operator/{WORKER}) does not tolerate sku=gpu:NoSchedule, so "
        "it has not labelled 1 NVIDIA GPU node(s) (aks-gpu-0)" in result.stderr
    )
    assert f"added the toleration of sku=gpu:NoSchedule to DaemonSet gpu-operator/{WORKER}" in result.stderr
    assert (
        "to keep it through helm upgrades: helm upgrade gpu-operator nvidia/gpu-operator -n gpu-operator "
        "--reuse-values --set-json 'node-feature-discovery.worker.tolerations=[" in result.stderr
    )
    assert _worker_tolerations(kube_emulator)[-1] == SKU_TOLERATION
    assert kube_emulator.idle(10.0)
    labels = kube_emulator.cluster.get("v1", "Node", None, "aks-gpu-0")["metadata"]["labels"]
    assert labels[NFD_LABEL] == "true" and labels["nvidia.com/gpu.product"] == "NVIDIA-A100-PCIe-80GB"
    assert gpu_label_findings(kube_emulator) == []


def test_the_helm_line_keeps_the_charts_tolerations_and_adds_the_taints(kube_emulator: Any, kubeconfig: Any) -> None:
    _cluster(kube_emulator)
    result = invoke("baremetal", "prepare", "--no-driver", "-y")
    assert result.exit_code == 0, result
    assert (
        'tolerations=[{"key":"node-role.kubernetes.io/control-plane","operator":"Equal","value":"","effect":'
        '"NoSchedule"},{"key":"nvidia.com/gpu","operator":"Exists","effect":"NoSchedule"},{"key":"sku",'
        '"operator":"Equal","value":"gpu","effect":"NoSchedule"}]' in result.stderr
    )


def test_without_yes_or_a_terminal_prepare_leaves_the_worker_and_says_how(kube_emulator: Any, kubeconfig: Any) -> None:
    _cluster(kube_emulator)
    before = _worker_tolerations(kube_emulator)
    result = invoke("baremetal", "prepare", "--no-driver")
    assert result.exit_code == 0, result
    assert f"pass -y to add the toleration of sku=gpu:NoSchedule to DaemonSet gpu-operator/{WORKER}" in result.stderr
    assert _worker_tolerations(kube_emulator) == before


def test_a_server_dry_run_sends_the_patch_as_a_dry_run_and_changes_nothing(kube_emulator: Any, kubeconfig: Any) -> None:
    _cluster(kube_emulator)
    before = _worker_tolerations(kube_emulator)
    result = invoke("baremetal", "prepare", "--no-driver", "--dry-run=server")
    assert result.exit_code == 0, result
    patches = kube_emulator.requests(method="PATCH", path=f"/daemonsets/{WORKER}")
    assert [p.query.get("dryRun") for p in patches] == [["All"]]
    assert "server dry run: adding the toleration of sku=gpu:NoSchedule" in result.stderr
    assert _worker_tolerations(kube_emulator) == before


def test_a_node_the_worker_tolerates_gets_no_offer(kube_emulator: Any, kubeconfig: Any) -> None:
    _cluster(kube_emulator, taint={"key": "nvidia.com/gpu", "effect": "NoSchedule"})
    result = invoke("baremetal", "prepare", "--no-driver", "-y")
    assert result.exit_code == 0, result
    assert "Node Feature Discovery's worker" not in result.stderr
