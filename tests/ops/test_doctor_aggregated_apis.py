"""doctor's aggregated API checks: KEDA's external.metrics.k8s.io and metrics-server's
metrics.k8s.io, against the emulator's APIServices (tests/emulators/kube/controllers/aggregator.py),
and the fix each names."""

from __future__ import annotations

import json
from typing import Any

from akscli.doctor import checks as doctor
from tests.cli import invoke
from tests.emulators.kube import profiles
from tests.emulators.kube.apiserver_common import wait_until
from tests.ops.fakes import FakeReader

KEDA_API = "apiservice v1beta1.external.metrics.k8s.io"
METRICS_API = "apiservice v1beta1.metrics.k8s.io"


def checks(component: str) -> dict[str, dict[str, Any]]:
    result = invoke("doctor", "--for", "model", "-o", "json")
    return {c["check"]: c for c in json.loads(result.stdout)["checks"] if c["component"] == component}


def available(emu: Any, name: str, status: str) -> None:
    def now() -> bool:
        found = emu.cluster.get("apiregistration.k8s.io/v1", "APIService", None, name) or {}
        conds = (found.get("status") or {}).get("conditions") or []
        return any(c.get("type") == "Available" and c.get("status") == status for c in conds)

    assert wait_until(now)


def test_keda_with_its_metrics_apiserver_passes_the_external_metrics_check(kube_emulator: Any, kubeconfig: Any) -> None:
    profiles.keda_operator_pod(kube_emulator)
    available(kube_emulator, "v1beta1.external.metrics.k8s.io", "True")
    keda = checks("keda")
    assert keda[KEDA_API]["status"] == "ok", keda
    assert keda[KEDA_API]["detail"] == "APIService v1beta1.external.metrics.k8s.io is Available"


def test_aks_metrics_server_passes_the_metrics_api_check(kube_emulator: Any, kubeconfig: Any) -> None:
    profiles.metrics_server(kube_emulator)
    available(kube_emulator, "v1beta1.metrics.k8s.io", "True")
    assert checks("metrics")[METRICS_API]["status"] == "ok"


def test_an_unavailable_metrics_api_names_metrics_server_not_managed_prometheus(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    profiles.metrics_server(kube_emulator)
    kube_emulator.cluster.delete("v1", "Service", "kube-system", "metrics-server")
    available(kube_emulator, "v1beta1.metrics.k8s.io", "False")
    check = checks("metrics")[METRICS_API]
    assert check["status"] == "not-ready"
    assert "metrics-server" in check["fix"] and "Prometheus" not in check["fix"]


def test_an_unregistered_metrics_api_names_metrics_server(kube_emulator: Any, kubeconfig: Any) -> None:
    check = checks("metrics")[METRICS_API]
    assert check["status"] == "missing"
    assert "metrics-server" in check["fix"] and "Prometheus" not in check["fix"]


def test_an_unknown_external_metrics_check_does_not_say_autoscaling_is_unavailable() -> None:
    results = doctor.run(FakeReader(unserved=("APIService",)), ("model",))
    (keda,) = [r for r in results if r.component == "keda" and r.check == KEDA_API]
    assert keda.status == "unknown"
    assert "autoscaling is unavailable" not in keda.fix
    assert keda.fix == "kubectl get apiservice v1beta1.external.metrics.k8s.io shows whether the API server serves it"


def test_a_missing_keda_still_says_what_is_lost(kube_emulator: Any, kubeconfig: Any) -> None:
    assert "(model autoscaling is unavailable)" in checks("keda")[KEDA_API]["fix"]
