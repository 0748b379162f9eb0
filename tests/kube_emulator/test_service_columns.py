"""`kubectl get svc` on the emulator shows the columns kube-apiserver's Table has for a Service:
TYPE, CLUSTER-IP, EXTERNAL-IP, PORT(S), AGE, and SELECTOR with -o wide (upstream: kubernetes/kubernetes
pkg/printers/internalversion/printers.go serviceColumnDefinitions, printService,
getServiceExternalIP, makePortString), checked through the real kubectl."""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

import pytest

pytestmark = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")


def service(name: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": "default"}, "spec": spec}


def rows(*args: str) -> dict[str, list[str]]:
    out = subprocess.run(["kubectl", "get", "svc", *args], capture_output=True, text=True, timeout=30, check=True)
    lines = [line.split() for line in out.stdout.splitlines()]
    return {line[0]: line for line in lines}


def test_a_cluster_ip_service_shows_its_ports_and_no_external_ip(kube_emulator: Any, kubeconfig: Any) -> None:
    kube_emulator.cluster.create(
        service("api", {"selector": {"app": "api"}, "clusterIP": "10.0.0.10", "ports": [{"port": 80}]})
    )
    table = rows()
    assert table["NAME"] == ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]
    assert table["api"][:5] == ["api", "ClusterIP", "10.0.0.10", "<none>", "80/TCP"]


def test_a_load_balancer_shows_pending_then_its_address_and_node_ports(kube_emulator: Any, kubeconfig: Any) -> None:
    spec = {
        "type": "LoadBalancer",
        "selector": {"app": "gw"},
        "clusterIP": "10.0.0.20",
        "ports": [{"port": 80, "nodePort": 30080}, {"port": 443, "nodePort": 30443}],
    }
    kube_emulator.cluster.create(service("gw", spec))
    assert rows()["gw"][3:5] == ["<pending>", "80:30080/TCP,443:30443/TCP"]
    kube_emulator.cluster.patch_status(
        "v1", "Service", "default", "gw", {"loadBalancer": {"ingress": [{"ip": "20.1.2.3"}]}}
    )
    assert rows()["gw"][3] == "20.1.2.3"


def test_wide_adds_the_selector(kube_emulator: Any, kubeconfig: Any) -> None:
    kube_emulator.cluster.create(service("api", {"selector": {"tier": "web", "app": "api"}, "ports": [{"port": 80}]}))
    table = rows("-o", "wide")
    assert table["NAME"][-1] == "SELECTOR"
    assert table["api"][-1] == "app=api,tier=web"
