"""The aggregated groups kube-aggregator serves once their APIService is Available
(tests/emulators/kube/aggregated_apis.py, upstream cited there): discovery of metrics.k8s.io and
external.metrics.k8s.io, and metrics-server's NodeMetrics and PodMetrics, read by the real
`kubectl top`."""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import pytest

from tests.emulators.kube import aggregated_apis, profiles
from tests.emulators.kube.apiserver_common import wait_until

KUBECTL = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")


def node_and_pod(emu: Any) -> None:
    emu.cluster.create({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1", "labels": {"pool": "gpu"}}})
    resources = {"cpu": "4", "memory": "16Gi", "pods": "110"}
    ready = [{"type": "Ready", "status": "True"}]
    emu.cluster.patch_status(
        "v1", "Node", None, "n1", {"capacity": resources, "allocatable": resources, "conditions": ready}
    )
    requests = {"cpu": "500m", "memory": "1Gi"}
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {"nodeName": "n1", "containers": [{"name": "c", "image": "x", "resources": {"requests": requests}}]},
    }
    emu.cluster.create(pod)
    assert wait_until(lambda: emu.cluster.get("v1", "Pod", "default", "web")["status"].get("phase") == "Running")


def available(emu: Any, group: str) -> None:
    assert wait_until(lambda: group in aggregated_apis.served(emu.cluster)), group


def kubectl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["kubectl", *args], capture_output=True, text=True, timeout=30)


def test_metrics_server_serves_a_running_pods_requests_and_its_nodes_sum(kube_emulator: Any) -> None:
    node_and_pod(kube_emulator)
    profiles.metrics_server(kube_emulator)
    available(kube_emulator, "metrics.k8s.io")
    pods = aggregated_apis.serve(kube_emulator.cluster, "metrics.k8s.io", ["namespaces", "default", "pods"], {})
    web = next(p for p in pods["items"] if p["metadata"]["name"] == "web")
    assert web["containers"] == [{"name": "c", "usage": {"cpu": "500m", "memory": "1Gi"}}]
    assert web["window"] == "15s"
    node = aggregated_apis.serve(kube_emulator.cluster, "metrics.k8s.io", ["nodes", "n1"], {})
    assert (node["kind"], node["metadata"]["labels"], node["usage"]) == (
        "NodeMetrics",
        {"pool": "gpu"},
        {"cpu": "500m", "memory": "1Gi"},
    )


@KUBECTL
def test_without_metrics_server_the_group_is_not_there(kube_emulator: Any, kubeconfig: Any) -> None:
    out = kubectl("get", "--raw", "/apis/metrics.k8s.io/v1beta1")
    assert out.returncode == 1 and "NotFound" in out.stderr


@KUBECTL
def test_kubectl_reads_both_groups_discovery(kube_emulator: Any, kubeconfig: Any) -> None:
    profiles.metrics_server(kube_emulator)
    profiles.keda_operator_pod(kube_emulator)
    available(kube_emulator, "metrics.k8s.io")
    available(kube_emulator, "external.metrics.k8s.io")
    external = json.loads(kubectl("get", "--raw", "/apis/external.metrics.k8s.io/v1beta1").stdout)
    assert external["resources"] == [
        {
            "name": "externalmetrics",
            "singularName": "",
            "namespaced": True,
            "kind": "ExternalMetricValueList",
            "verbs": ["get"],
        }
    ]
    group = json.loads(kubectl("get", "--raw", "/apis/metrics.k8s.io").stdout)
    assert group["preferredVersion"] == {"groupVersion": "metrics.k8s.io/v1beta1", "version": "v1beta1"}
    out = kubectl("api-resources", "--api-group=metrics.k8s.io", "--no-headers")
    assert [line.split()[0] for line in out.stdout.splitlines()] == ["nodes", "pods"]


@KUBECTL
def test_kubectl_top_node_and_pod(kube_emulator: Any, kubeconfig: Any) -> None:
    node_and_pod(kube_emulator)
    profiles.metrics_server(kube_emulator)
    available(kube_emulator, "metrics.k8s.io")
    nodes = kubectl("top", "node", "n1")
    assert nodes.returncode == 0, nodes.stderr
    assert [line.split() for line in nodes.stdout.splitlines()] == [
        ["NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)"],
        ["n1", "500m", "12%", "1024Mi", "6%"],
    ]
    pods = kubectl("top", "pod", "-n", "default")
    assert pods.returncode == 0, pods.stderr
    assert [line.split() for line in pods.stdout.splitlines()] == [
        ["NAME", "CPU(cores)", "MEMORY(bytes)"],
        ["web", "500m", "1024Mi"],
    ]


@KUBECTL
def test_an_unavailable_metrics_server_answers_service_unavailable(kube_emulator: Any, kubeconfig: Any) -> None:
    profiles.metrics_server(kube_emulator)
    available(kube_emulator, "metrics.k8s.io")
    kube_emulator.cluster.delete("v1", "Service", "kube-system", "metrics-server")
    assert wait_until(lambda: "metrics.k8s.io" not in aggregated_apis.served(kube_emulator.cluster))
    out = kubectl("get", "--raw", "/apis/metrics.k8s.io/v1beta1/nodes")
    assert out.returncode == 1 and "ServiceUnavailable" in out.stderr
