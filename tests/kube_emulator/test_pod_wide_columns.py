"""`kubectl get pods -o wide` shows what a real API server's Table gives it: IP, NODE, NOMINATED NODE
and READINESS GATES (upstream: kubernetes/kubernetes pkg/printers/internalversion/printers.go
podColumnDefinitions and printPod); before, the emulator's Table stopped at NODE."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator

from .test_kubectl_fidelity import kubectl

pytestmark = [
    pytest.mark.kubectl,
    pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed"),
]


def pod(name: str, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"containers": [{"name": "main", "image": "busybox"}], **spec},
    }


def wide() -> list[list[str]]:
    r = kubectl("get", "pods", "-o", "wide")
    assert r.returncode == 0, r.stderr
    return [line.split() for line in r.stdout.splitlines()]


def test_wide_header_has_nominated_node_and_readiness_gates(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    kube_emulator.cluster.create(pod("p", nodeName="node-1"))
    header = kubectl("get", "pods", "-o", "wide").stdout.splitlines()[0].split("  ")
    assert [h.strip() for h in header if h.strip()] == [
        "NAME",
        "READY",
        "STATUS",
        "RESTARTS",
        "AGE",
        "IP",
        "NODE",
        "NOMINATED NODE",
        "READINESS GATES",
    ]


def test_readiness_gates_count_the_true_conditions(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    gates = [{"conditionType": "example.com/lb"}, {"conditionType": "example.com/dns"}]
    kube_emulator.cluster.create(pod("p", nodeName="node-1", readinessGates=gates))
    kube_emulator.cluster.patch_status(
        "v1", "Pod", "default", "p", {"conditions": [{"type": "example.com/lb", "status": "True"}]}
    )
    _, row = wide()
    assert row[-2:] == ["<none>", "1/2"]


def test_nominated_node_is_shown(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    kube_emulator.cluster.create(pod("p"))
    kube_emulator.cluster.patch_status("v1", "Pod", "default", "p", {"nominatedNodeName": "node-2"})
    _, row = wide()
    assert row[-3:] == ["<none>", "node-2", "<none>"]


def test_the_kubelets_status_lists_the_pod_and_host_ips() -> None:
    from tests.emulators.kube.controllers.pods import pod_status

    status = pod_status({"containers": [{"name": "main", "image": "busybox"}]}, None)
    assert status["podIPs"] == [{"ip": status["podIP"]}]
    assert status["hostIPs"] == [{"ip": status["hostIP"]}]
