"""baremetal prepare through the apply engine, against the Kubernetes emulator."""

from __future__ import annotations

from typing import Any

from tests.cli import invoke
from tests.emulators.kube.controllers.nvidia import ClusterPolicyController

from . import nodes as fx
from .conftest import add_nodes, helm_gpu_operator


def test_prepare_applies_the_policy_and_the_rdma_plugin(kube_emulator: Any, kubeconfig: Any) -> None:
    helm_gpu_operator(kube_emulator)
    result = invoke("baremetal", "prepare", "--rdma", "--gpudirect-rdma", "--host-mofed", "-y")
    assert result.exit_code == 0, result
    cluster = kube_emulator.cluster
    policy = cluster.get("nvidia.com/v1", "ClusterPolicy", None, "akscli-cluster-policy")
    assert policy is not None
    assert policy["spec"]["driver"]["rdma"] == {"enabled": True, "useHostMofed": True}
    assert cluster.list("apps/v1", "DaemonSet", namespace="node-feature-discovery") == []
    plugin = cluster.get("apps/v1", "DaemonSet", "gpu-operator", "rdma-shared-dp-ds")
    assert plugin is not None
    assert plugin["metadata"]["labels"]["akscli.io/stack"] == "baremetal-gpu"


def test_prepare_again_plans_no_change(kube_emulator: Any, kubeconfig: Any) -> None:
    helm_gpu_operator(kube_emulator)
    assert invoke("baremetal", "prepare", "-y").exit_code == 0
    again = invoke("baremetal", "prepare", "--dry-run", "server")
    assert again.exit_code == 0, again
    lines = [line for line in again.stdout.splitlines() if line.strip()]
    assert lines == ["clusterpolicy.nvidia.com/akscli-cluster-policy (cluster): unchanged"], again.stdout


def test_prepared_cluster_passes_doctor_once_the_operator_is_ready(kube_emulator: Any, kubeconfig: Any) -> None:
    add_nodes(kube_emulator, fx.healthy_cluster(2))
    helm_gpu_operator(kube_emulator)
    kube_emulator.controllers.add(ClusterPolicyController(delay=0.01))
    assert invoke("baremetal", "prepare", "-y").exit_code == 0
    assert kube_emulator.idle(10.0)
    policy = kube_emulator.cluster.get("nvidia.com/v1", "ClusterPolicy", None, "akscli-cluster-policy")
    assert policy["status"]["state"] == "ready"
    result = invoke("baremetal", "doctor")
    assert result.exit_code == 0, result


def test_prepare_without_the_gpu_operator_fails_clearly(kube_emulator: Any, kubeconfig: Any) -> None:
    result = invoke("baremetal", "prepare", "--rdma", "-y")
    assert result.exit_code != 0
    assert "GPU Operator is not running" in result.stderr
    assert "--set clusterPolicy.deployCR=false" in result.stderr
    assert "Traceback" not in result.stderr


def test_prepare_wait_returns_once_the_operator_reports_ready(kube_emulator: Any, kubeconfig: Any) -> None:
    add_nodes(kube_emulator, fx.healthy_cluster(1))
    helm_gpu_operator(kube_emulator)
    kube_emulator.controllers.add(ClusterPolicyController(delay=0.01))
    result = invoke("baremetal", "prepare", "--wait", "--timeout", "30s", "-y")
    assert result.exit_code == 0, result
    assert "all 1 object(s) ready" in result.stderr
