"""APIServices and kube-aggregator's Available condition (controllers/aggregator.py, upstream cited
there): what `kubectl get apiservice` and `akscli doctor` read."""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

import pytest

from tests.emulators.kube import profiles
from tests.emulators.kube.apiserver_common import wait_until

APISERVICE = ("apiregistration.k8s.io/v1", "APIService")


def available(emu: Any, name: str) -> dict[str, Any] | None:
    found = emu.cluster.get(*APISERVICE, None, name) or {}
    conds = (found.get("status") or {}).get("conditions") or []
    return next((c for c in conds if c.get("type") == "Available"), None)


def settled(emu: Any, name: str, status: str) -> dict[str, Any]:
    assert wait_until(lambda: (available(emu, name) or {}).get("status") == status), available(emu, name)
    cond = available(emu, name)
    assert cond is not None
    return cond


def test_metrics_server_with_a_ready_pod_is_available(kube_emulator: Any) -> None:
    profiles.metrics_server(kube_emulator)
    cond = settled(kube_emulator, "v1beta1.metrics.k8s.io", "True")
    assert (cond["reason"], cond["message"]) == ("Passed", "all checks passed")


def test_keda_registers_external_metrics_through_its_metrics_apiserver(kube_emulator: Any) -> None:
    profiles.keda_operator_pod(kube_emulator)
    found = kube_emulator.cluster.get(*APISERVICE, None, "v1beta1.external.metrics.k8s.io")
    assert found["spec"]["service"] == {"name": "keda-operator-metrics-apiserver", "namespace": "keda", "port": 443}
    assert settled(kube_emulator, "v1beta1.external.metrics.k8s.io", "True")["reason"] == "Passed"


def test_an_apiservice_whose_service_is_deleted_is_not_available(kube_emulator: Any) -> None:
    profiles.metrics_server(kube_emulator)
    settled(kube_emulator, "v1beta1.metrics.k8s.io", "True")
    kube_emulator.cluster.delete("v1", "Service", "kube-system", "metrics-server")
    cond = settled(kube_emulator, "v1beta1.metrics.k8s.io", "False")
    assert cond["reason"] == "ServiceNotFound"
    assert cond["message"] == 'service/metrics-server in "kube-system" is not present'


def test_a_service_without_a_ready_pod_leaves_it_missing_endpoints(kube_emulator: Any) -> None:
    profiles.aggregated_api(kube_emulator, "default", "adapter", {"app": "adapter"}, "custom.metrics.k8s.io")
    cond = settled(kube_emulator, "v1beta1.custom.metrics.k8s.io", "False")
    assert cond["reason"] == "MissingEndpoints"


def test_a_local_apiservice_is_always_available(kube_emulator: Any) -> None:
    kube_emulator.cluster.create(
        {
            "apiVersion": "apiregistration.k8s.io/v1",
            "kind": "APIService",
            "metadata": {"name": "v1.example.com"},
            "spec": {"group": "example.com", "version": "v1", "groupPriorityMinimum": 100, "versionPriority": 15},
        }
    )
    assert settled(kube_emulator, "v1.example.com", "True")["reason"] == "Local"


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_get_apiservice_shows_the_service_and_availability(kube_emulator: Any, kubeconfig: Any) -> None:
    profiles.metrics_server(kube_emulator)
    profiles.aggregated_api(kube_emulator, "default", "adapter", {"app": "adapter"}, "custom.metrics.k8s.io")
    settled(kube_emulator, "v1beta1.metrics.k8s.io", "True")
    settled(kube_emulator, "v1beta1.custom.metrics.k8s.io", "False")
    out = subprocess.run(["kubectl", "get", "apiservice"], capture_output=True, text=True, timeout=30, check=True)
    lines = [line.split() for line in out.stdout.splitlines()]
    assert lines[0] == ["NAME", "SERVICE", "AVAILABLE", "AGE"]
    assert lines[2][:3] == ["v1beta1.metrics.k8s.io", "kube-system/metrics-server", "True"]
    assert lines[1][:4] == ["v1beta1.custom.metrics.k8s.io", "default/adapter", "False", "(MissingEndpoints)"]
