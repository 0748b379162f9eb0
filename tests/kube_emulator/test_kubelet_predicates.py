"""The kubelet runs a pod bound by its creator once it admits it, and refuses it on the rest of
GeneralPredicates: node affinity, host ports, NoExecute taints (kubernetes/kubernetes
pkg/kubelet/lifecycle/predicate.go Admit and generalFilter, pkg/scheduler/scheduler.go
AdmissionCheck, pkg/scheduler/framework/types.go HostPortInfo.CheckConflict)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.controllers.kubelet_admission import refusal
from tests.kube_emulator.test_kubelet_admission import bound_pod, kubectl_of_bound_pod, rejected, status_of
from tests.kube_emulator.test_scheduling import node, seed


def with_port(pod: dict[str, Any], port: int, host_ip: str = "") -> dict[str, Any]:
    entry: dict[str, Any] = {"containerPort": port, "hostPort": port}
    if host_ip:
        entry["hostIP"] = host_ip
    pod["spec"]["containers"][0]["ports"] = [entry]
    return pod


def running(emu: KubeEmulator, name: str) -> dict[str, Any]:
    assert wait_until(lambda: status_of(emu, name).get("phase") == "Running")
    return status_of(emu, name)


def reason_and_message(status: dict[str, Any]) -> tuple[str, str]:
    return status["reason"], status["message"]


def test_an_admitted_bound_pod_runs_with_its_containers_ready(kube_emulator: KubeEmulator) -> None:
    seed(kube_emulator, node("node-0"))
    kube_emulator.cluster.create(bound_pod("small", {"memory": "1Gi"}))
    status = running(kube_emulator, "small")
    conditions = {c["type"]: c["status"] for c in status["conditions"]}
    assert conditions["Ready"] == conditions["ContainersReady"] == "True"
    assert [c["ready"] for c in status["containerStatuses"]] == [True]
    assert status["qosClass"] == "Burstable"


def test_a_node_selector_the_node_does_not_match_is_refused_as_node_affinity(kube_emulator: KubeEmulator) -> None:
    seed(kube_emulator, node("node-0"))
    pod = bound_pod("picky", {"memory": "1Gi"})
    pod["spec"]["nodeSelector"] = {"agentpool": "gpu"}
    kube_emulator.cluster.create(pod)
    assert reason_and_message(rejected(kube_emulator, "picky")) == (
        "NodeAffinity",
        "Pod was rejected: Predicate NodeAffinity failed: node(s) didn't match Pod's node affinity/selector",
    )


def test_required_node_affinity_the_node_does_not_match_is_refused(kube_emulator: KubeEmulator) -> None:
    seed(kube_emulator, node("node-0"))
    pod = bound_pod("picky", {"memory": "1Gi"})
    term = {"matchExpressions": [{"key": "kubernetes.io/hostname", "operator": "In", "values": ["node-1"]}]}
    pod["spec"]["affinity"] = {
        "nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [term]}}
    }
    kube_emulator.cluster.create(pod)
    assert rejected(kube_emulator, "picky")["reason"] == "NodeAffinity"


def test_a_host_port_another_pod_on_the_node_holds_is_refused_as_node_ports(kube_emulator: KubeEmulator) -> None:
    seed(kube_emulator, node("node-0"))
    kube_emulator.cluster.create(with_port(bound_pod("first", {"memory": "1Gi"}), 8080))
    running(kube_emulator, "first")
    kube_emulator.cluster.create(with_port(bound_pod("second", {"memory": "1Gi"}), 8080, "10.224.0.4"))
    assert reason_and_message(rejected(kube_emulator, "second")) == (
        "NodePorts",
        "Pod was rejected: Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports",
    )


def test_the_same_host_port_on_two_addresses_is_admitted(kube_emulator: KubeEmulator) -> None:
    seed(kube_emulator, node("node-0"))
    kube_emulator.cluster.create(with_port(bound_pod("first", {"memory": "1Gi"}), 8080, "10.224.0.4"))
    running(kube_emulator, "first")
    kube_emulator.cluster.create(with_port(bound_pod("second", {"memory": "1Gi"}), 8080, "10.224.0.5"))
    running(kube_emulator, "second")


def test_an_untolerated_no_execute_taint_is_refused_as_taint_toleration() -> None:
    # Checked on the kubelet's own function: in the cluster the taint manager deletes such a pod
    # as well (node_lifecycle.py), and which of the two acts first is a race there too.
    tainted = node("node-0")
    tainted["spec"]["taints"] = [{"key": "maintenance", "value": "true", "effect": "NoExecute"}]
    assert refusal(bound_pod("small", {"memory": "1Gi"}), tainted, []) == (
        "TaintToleration",
        "Predicate TaintToleration failed: node(s) had taints that the pod didn't tolerate",
    )


def test_a_tolerated_no_execute_taint_is_admitted() -> None:
    tainted = node("node-0")
    tainted["spec"]["taints"] = [{"key": "maintenance", "value": "true", "effect": "NoExecute"}]
    pod = bound_pod("small", {"memory": "1Gi"})
    pod["spec"]["tolerations"] = [{"key": "maintenance", "operator": "Exists", "effect": "NoExecute"}]
    assert refusal(pod, tainted, []) is None


def test_a_no_schedule_taint_does_not_stop_the_kubelet(kube_emulator: KubeEmulator) -> None:
    seed(kube_emulator, node("gpu-0", gpus=1))  # sku=gpu:NoSchedule: only the scheduler reads it
    kube_emulator.cluster.create(bound_pod("small", {"memory": "1Gi"}, on="gpu-0"))
    running(kube_emulator, "small")


def test_the_resources_are_checked_before_the_node_affinity(kube_emulator: KubeEmulator) -> None:
    seed(kube_emulator, node("node-0"))
    pod = bound_pod("big", {"memory": "30Gi"})
    pod["spec"]["nodeSelector"] = {"agentpool": "gpu"}
    kube_emulator.cluster.create(pod)
    assert rejected(kube_emulator, "big")["reason"] == "OutOfmemory"


@pytest.mark.kubectl
@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_get_pods_shows_the_admitted_pod_running_and_ready(
    kube_emulator: KubeEmulator, kubeconfig: Path
) -> None:
    pod = bound_pod("small", {"memory": "1Gi"})
    out = kubectl_of_bound_pod(kube_emulator, pod, "get", "pod", "small", "--no-headers", settle=running)
    assert out.split()[:3] == ["small", "1/1", "Running"]


@pytest.mark.kubectl
@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_get_pods_shows_node_affinity(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    pod = bound_pod("picky", {"memory": "1Gi"})
    pod["spec"]["nodeSelector"] = {"agentpool": "gpu"}
    out = kubectl_of_bound_pod(kube_emulator, pod, "get", "pod", "picky", "--no-headers")
    assert out.split()[:3] == ["picky", "0/1", "NodeAffinity"]
