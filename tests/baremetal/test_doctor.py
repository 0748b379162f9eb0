"""baremetal doctor against the Kubernetes emulator: one node fixture per finding."""

from __future__ import annotations

import json
from typing import Any

import pytest

from akscli.baremetal import doctor
from tests.cli import invoke

from . import nodes as fx
from .conftest import add_nodes, cluster_policy, helm_gpu_operator, install_gpu_operator


def run(kube: Any, **kw: Any) -> doctor.Report:
    return doctor.diagnose(kube, doctor.Options(**kw))


def found(report: doctor.Report) -> set[tuple[str, str, str]]:
    return {(f.check, f.severity, f.message) for f in report.findings}


def only(report: doctor.Report, check: str) -> doctor.Finding:
    [finding] = [f for f in report.findings if f.check == check]
    return finding


@pytest.fixture
def healthy(kube_emulator: Any) -> Any:
    add_nodes(kube_emulator, fx.healthy_cluster(2))
    install_gpu_operator(kube_emulator)
    return kube_emulator


def test_healthy_gpu_cluster_has_no_findings(healthy: Any, kube: Any) -> None:
    report = run(kube)
    assert report.findings == []
    assert (report.nodes_seen, report.gpu_nodes) == (3, 2)


def test_healthy_cluster_exits_0(healthy: Any, kubeconfig: Any) -> None:
    result = invoke("baremetal", "doctor")
    assert result.exit_code == 0, result
    assert "No findings: the cluster is ready for GPU work." in result.stderr


def test_an_operator_namespace_that_does_not_exist_is_refused_before_any_node_is_read(
    healthy: Any, kubeconfig: Any
) -> None:
    # Its DaemonSets and pods would be looked for in a namespace with none: the operator blamed.
    result = invoke("baremetal", "doctor", "--operator-namespace", "nosuch")
    assert result.exit_code == 3, result
    assert result.stderr.splitlines()[-2:] == [
        'error: --operator-namespace: namespaces "nosuch" not found',
        "hint: the GPU Operator's pod runs in gpu-operator: leave --operator-namespace out to look there",
    ]
    assert healthy.requests(method="GET", path="/api/v1/nodes") == []


def test_pools_are_summarised_with_gpu_counts(healthy: Any, kube: Any) -> None:
    [gpu] = [p for p in run(kube).pools if p.pool == "gpu"]
    assert (gpu.nodes, gpu.gpu_nodes, gpu.gpu_capacity, gpu.gpu_allocatable, gpu.expected_gpus) == (2, 2, 16, 16, 16)
    assert gpu.vm_size == fx.ND_H100
    assert dict(gpu.drivers) == {"550.90.07": 2}


def test_not_ready_node_blocks(healthy: Any, kube: Any) -> None:
    healthy.cluster.create(fx.node("aks-gpu-9", ready=False))
    finding = only(run(kube), "node-ready")
    assert (finding.severity, finding.nodes) == ("error", ["aks-gpu-9"])


def test_memory_pressure_blocks(healthy: Any, kube: Any) -> None:
    healthy.cluster.create(fx.node("aks-gpu-9", pressure="MemoryPressure"))
    assert ("node-pressure", "error", "node reports MemoryPressure") in found(run(kube))


def test_gpu_node_without_gpu_capacity_blocks(healthy: Any, kube: Any) -> None:
    healthy.cluster.create(fx.node("aks-gpu-9", gpus=0))
    finding = only(run(kube), "gpu-capacity")
    assert finding.severity == "error" and "no nvidia.com/gpu capacity" in finding.message
    assert "device-plugin" in finding.fix


def test_fewer_gpus_than_the_vm_size_has_blocks(healthy: Any, kube: Any) -> None:
    healthy.cluster.create(fx.node("aks-gpu-9", gpus=7))
    assert ("gpu-count", "error", f"node advertises 7 GPUs but {fx.ND_H100} has 8") in found(run(kube))


def test_unhealthy_gpus_make_allocatable_lower_than_capacity(healthy: Any, kube: Any) -> None:
    healthy.cluster.create(fx.node("aks-gpu-9", allocatable_gpus=6))
    assert (
        "gpu-allocatable",
        "error",
        "2 of 8 GPUs are not allocatable (the device plugin marked them unhealthy)",
    ) in found(run(kube))


@pytest.mark.parametrize("condition", ["GPUMissing", "NVLinkStatusInactive", "XIDErrors", "IBLinkFlapping"])
def test_aks_gpu_health_conditions_block(healthy: Any, kube: Any, condition: str) -> None:
    healthy.cluster.create(fx.node("aks-gpu-9", aks_condition=condition))
    finding = only(run(kube), "aks-gpu-health")
    assert condition in finding.message and finding.nodes == ["aks-gpu-9"]


def test_missing_gpu_feature_labels_warn(healthy: Any, kube: Any) -> None:
    unlabelled = fx.node("aks-gpu-9", gpu_labels=False, ready=False)
    # NFD found the GPU and the operator's labeller marked it: only GFD's labels are missing. GFD
    # labels a node once its pod runs there (nvidia_gfd.label_gfd). The node is not Ready yet and
    # carries the node lifecycle controller's not-ready:NoSchedule taint (kubernetes/kubernetes
    # pkg/controller/nodelifecycle/node_lifecycle_controller.go doNoScheduleTaintingPass), which a
    # DaemonSet's pod does not tolerate (pkg/controller/daemon/util/daemonset_util.go
    # AddOrUpdateDaemonPodTolerations adds not-ready:NoExecute only): no GFD pod is made there, so
    # the node stays unlabelled while doctor reads it, however slow the machine.
    unlabelled["metadata"]["labels"].update(
        {"feature.node.kubernetes.io/pci-10de.present": "true", "nvidia.com/gpu.present": "true"}
    )
    unlabelled["spec"]["taints"].append({"key": "node.kubernetes.io/not-ready", "effect": "NoSchedule"})
    healthy.cluster.create(unlabelled)
    finding = only(run(kube), "gpu-labels")
    assert finding.message == "GPU feature labels missing: gpu.product, gpu.count, gpu.memory"
    assert "akscli baremetal prepare" in (finding.fix or "")


def test_mixed_driver_versions_in_a_pool_warn(healthy: Any, kube: Any) -> None:
    healthy.cluster.create(fx.node("aks-gpu-9", driver="535.161.08"))
    finding = only(run(kube), "driver-mixed")
    assert finding.message == ("mixed NVIDIA driver versions in the pool: 550.90.07 (2 nodes), 535.161.08 (1 nodes)")
    assert finding.pool == "gpu"


def test_gpu_node_without_the_gpu_taint_warns(healthy: Any, kube: Any) -> None:
    healthy.cluster.create(fx.node("aks-gpu-9", taint=False))
    finding = only(run(kube), "gpu-taint")
    assert finding.severity == "warning" and "sku=gpu:NoSchedule" in finding.fix


def test_infiniband_size_without_rdma_capable_label_warns(healthy: Any, kube: Any) -> None:
    healthy.cluster.create(fx.node("aks-gpu-9", rdma_capable=None, rdma_available=None))
    assert (
        "rdma-labels",
        "warning",
        "NFD does not label the node feature.node.kubernetes.io/rdma.capable=true",
    ) in found(run(kube))


def test_rdma_hardware_without_loaded_modules_warns(healthy: Any, kube: Any) -> None:
    healthy.cluster.create(fx.node("aks-gpu-9", rdma_available=False))
    assert any(f.check == "rdma-labels" and "kernel modules are not loaded" in f.message for f in run(kube).findings)


def test_infiniband_size_without_an_rdma_resource_blocks(healthy: Any, kube: Any) -> None:
    healthy.cluster.create(fx.node("aks-gpu-9", rdma_resource=None))
    finding = only(run(kube), "rdma-resource")
    assert finding.severity == "error" and "rdma/rdma_shared_device_a" in finding.message


def test_rdma_resource_list_is_configurable(healthy: Any, kube: Any) -> None:
    healthy.cluster.create(fx.node("aks-gpu-9", rdma_resource="rdma/ib"))
    assert not any(f.check == "rdma-resource" for f in run(kube).findings)
    report = run(kube, rdma_resources=("rdma/shared_ib",))
    assert only(report, "rdma-resource").count == 3


def test_gpu_size_without_infiniband_needs_no_rdma(healthy: Any, kube: Any) -> None:
    healthy.cluster.create(
        fx.node(
            "aks-nc-0", pool="nc", size=fx.NC_A100, gpus=1, rdma_capable=None, rdma_available=None, rdma_resource=None
        )
    )
    assert not any(f.check.startswith("rdma") for f in run(kube).findings)


def test_crashing_device_plugin_blocks_and_names_the_node(kube_emulator: Any, kube: Any) -> None:
    add_nodes(kube_emulator, fx.healthy_cluster(2))
    install_gpu_operator(kube_emulator, failure="device-plugin-crash")
    report = run(kube)
    assert ("gpu-operator", "error", "devicePlugin pods ready on 1 of 2 nodes") in found(report)
    pod = only(report, "gpu-operator-pod")
    assert (pod.message, pod.nodes) == ("devicePlugin pod CrashLoopBackOff", ["aks-gpu-0"])


def test_a_not_ready_cluster_policy_is_reported_with_the_operators_error_condition(
    kube_emulator: Any, kube: Any
) -> None:
    add_nodes(kube_emulator, fx.healthy_cluster(2))
    install_gpu_operator(kube_emulator, failure="device-plugin-crash")
    message = (
        "ClusterPolicy cluster-policy is notReady: ClusterPolicy is not ready; states not ready: [state-device-plugin]"
    )
    assert ("gpu-operator", "error", message) in found(run(kube))


def test_a_ready_cluster_policy_whose_operator_sees_no_gpu_node_blocks_where_gpu_nodes_exist(
    kube_emulator: Any, kube: Any
) -> None:
    """Without NFD's labels the operator finds no GPU node and calls the policy ready (NoGPUNodes)."""
    bare = fx.node("aks-gpu-0", gpus=0, gpu_labels=False)
    bare["metadata"]["labels"]["kubernetes.azure.com/accelerator"] = "nvidia"
    add_nodes(kube_emulator, [fx.cpu_node("aks-system-0"), bare])
    install_gpu_operator(kube_emulator)
    [finding] = [f for f in run(kube).findings if "sees no GPU node" in f.message]
    assert finding.severity == "error"
    assert finding.message.startswith(
        "ClusterPolicy cluster-policy is ready but the GPU Operator sees no GPU node (NoGPUNodes: No GPU node found"
    )
    assert "nfd.enabled=true" in finding.fix


def test_a_cluster_policy_the_running_operator_has_not_reconciled_yet_is_pending_not_broken(
    kube_emulator: Any, kube: Any
) -> None:
    """Upstream writes status.state only when a reconcile ends: until then the field is empty."""
    add_nodes(kube_emulator, fx.healthy_cluster(1))
    helm_gpu_operator(kube_emulator)  # its pod is ready; no operator simulator runs, so no state
    kube_emulator.cluster.create(cluster_policy())
    [finding] = [f for f in run(kube).findings if f.check == "gpu-operator"]
    assert (finding.severity, finding.message) == (
        "warning",
        "ClusterPolicy cluster-policy has no state yet: the GPU Operator has not finished its first reconcile of it",
    )
    assert "logs deploy/gpu-operator" in finding.fix


def test_a_cluster_policy_with_no_state_and_no_operator_pod_blocks(kube_emulator: Any, kube: Any) -> None:
    add_nodes(kube_emulator, fx.healthy_cluster(1))
    kube_emulator.cluster.create(cluster_policy())
    messages = {(f.severity, f.message) for f in run(kube).findings if f.check == "gpu-operator"}
    assert ("error", "ClusterPolicy cluster-policy has no state: no ready GPU Operator pod reconciles it") in messages


PCI = "feature.node.kubernetes.io/pci-10de.present"


def test_the_operator_finds_gpu_nodes_by_nfds_pci_label_and_labels_them_gpu_present(
    kube_emulator: Any, kube: Any
) -> None:
    """As the operator's node labeler: gpu.present follows NFD's PCI label, both ways."""
    unlabelled, stale = fx.node("aks-gpu-0"), fx.node("aks-gpu-1")
    del unlabelled["metadata"]["labels"]["nvidia.com/gpu.present"]  # NFD has labelled it, the operator not yet
    del stale["metadata"]["labels"][PCI]  # labelled by the operator, but NFD no longer sees an NVIDIA GPU
    add_nodes(kube_emulator, [unlabelled, stale])
    install_gpu_operator(kube_emulator)
    present = {
        n["metadata"]["name"]: n["metadata"]["labels"].get("nvidia.com/gpu.present")
        for n in kube_emulator.cluster.list("v1", "Node")
    }
    assert present == {"aks-gpu-0": "true", "aks-gpu-1": "false"}
    plugin = kube_emulator.cluster.get("apps/v1", "DaemonSet", "gpu-operator", "nvidia-device-plugin-daemonset")
    assert plugin["status"]["desiredNumberScheduled"] == 1


def test_a_node_nfd_labels_later_is_labelled_and_served_without_a_cluster_policy_change(
    kube_emulator: Any, kube: Any
) -> None:
    """The operator's node labeller watches nodes (nodelabeling_controller.go), and the ClusterPolicy
    is reconciled again once a node gets gpu.present (clusterpolicy_controller.go addWatchNewGPUNode)."""
    add_nodes(kube_emulator, [fx.node("aks-gpu-0")])
    install_gpu_operator(kube_emulator)
    late = fx.node("aks-gpu-1")
    del late["metadata"]["labels"][PCI]
    del late["metadata"]["labels"]["nvidia.com/gpu.present"]
    add_nodes(kube_emulator, [late])
    assert kube_emulator.idle(10.0)
    kube_emulator.cluster.patch("v1", "Node", None, "aks-gpu-1", {"metadata": {"labels": {PCI: "true"}}})  # NFD
    assert kube_emulator.idle(10.0)
    node = kube_emulator.cluster.get("v1", "Node", None, "aks-gpu-1")
    assert node["metadata"]["labels"]["nvidia.com/gpu.present"] == "true"
    plugin = kube_emulator.cluster.get("apps/v1", "DaemonSet", "gpu-operator", "nvidia-device-plugin-daemonset")
    assert plugin["status"]["desiredNumberScheduled"] == 2


def test_gpu_nodes_without_any_nfd_label_are_reported_as_the_operator_reports_them(
    kube_emulator: Any, kube: Any
) -> None:
    """No feature.node.kubernetes.io/ label on any node: the operator says NFDLabelsMissing."""
    gpu = fx.node("aks-gpu-0", rdma_capable=None, rdma_available=None)
    del gpu["metadata"]["labels"][PCI]
    add_nodes(kube_emulator, [fx.cpu_node("aks-system-0"), gpu])
    install_gpu_operator(kube_emulator)
    [finding] = [f for f in run(kube).findings if "sees no GPU node" in f.message]
    assert finding.message.startswith(
        "ClusterPolicy cluster-policy is ready but the GPU Operator sees no GPU node "
        "(NFDLabelsMissing: No NFD labels found)"
    )
    assert "so NFD does not run" in finding.fix and "nfd.enabled=true" in finding.fix


def test_operator_without_a_cluster_policy_blocks(kube_emulator: Any, kube: Any) -> None:
    add_nodes(kube_emulator, fx.healthy_cluster(1))
    helm_gpu_operator(kube_emulator)
    assert kube_emulator.idle(10.0)
    finding = only(run(kube), "gpu-operator")
    assert finding.severity == "error" and "no ClusterPolicy" in finding.message


def test_cluster_without_gpu_nodes_blocks(kube_emulator: Any, kube: Any) -> None:
    add_nodes(kube_emulator, [fx.cpu_node("aks-system-0")])
    assert ("gpu-nodes", "error", "no GPU nodes in the cluster") in found(run(kube))


def test_blocking_findings_exit_9_for_runbooks(healthy: Any, kubeconfig: Any) -> None:
    healthy.cluster.create(fx.node("aks-gpu-9", ready=False))
    result = invoke("baremetal", "doctor", "-o", "json")
    assert result.exit_code == 9
    data = json.loads(result.stdout)
    assert data["summary"]["ok"] is False
    assert [f["check"] for f in data["findings"] if f["severity"] == "error"] == ["node-ready"]
    assert "blocking finding" in result.stderr


def test_findings_aggregate_per_pool_with_sample_nodes(kube_emulator: Any, kube: Any) -> None:
    add_nodes(kube_emulator, [fx.node(f"aks-gpu-{i}", taint=False) for i in range(12)])
    install_gpu_operator(kube_emulator)
    finding = only(run(kube), "gpu-taint")
    assert finding.count == 12
    assert len(finding.nodes) == doctor.SAMPLE


def test_nodes_are_streamed_page_by_page(kube_emulator: Any, kube: Any) -> None:
    add_nodes(
        kube_emulator,
        [fx.node(f"aks-gpu-{i:04d}") if i % 4 == 0 else fx.cpu_node(f"aks-cpu-{i:04d}") for i in range(1200)],
    )
    report = run(kube, page_size=500)
    assert (report.nodes_seen, report.gpu_nodes) == (1200, 300)
    assert report.pages == 3
    lists = [r for r in kube_emulator.requests(method="GET", path="/api/v1/nodes")]
    assert len(lists) == 3
    assert [r.query.get("limit") for r in lists] == [["500"]] * 3
    assert [bool(r.query.get("continue")) for r in lists] == [False, True, True]


def test_rdma_labels_missing_where_a_taint_keeps_nfd_off_names_the_toleration(healthy: Any, kube: Any) -> None:
    # The chart's worker tolerates nvidia.com/gpu and the control plane only: prepare -y adds the
    # node's taint to it (it deploys no NFD of its own), and the helm line keeps it.
    healthy.cluster.create(fx.node("aks-gpu-9", gpu_labels=False, rdma_capable=None, rdma_available=None))
    finding = only(run(kube), "rdma-labels")
    assert "akscli baremetal prepare -y adds the toleration to the worker's DaemonSet" in finding.fix
    assert '{"key":"sku","operator":"Equal","value":"gpu","effect":"NoSchedule"}' in finding.fix
