"""`kubectl get hpa` on the emulator shows kube-apiserver's HorizontalPodAutoscaler columns:
REFERENCE, TARGETS, MINPODS, MAXPODS, REPLICAS, AGE (upstream: kubernetes/kubernetes
pkg/printers/internalversion/printers.go printHorizontalPodAutoscaler, formatHPAMetrics), read
through the real kubectl. The HPA controller simulator is left out: the status is the test's."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")

EXTERNAL = {
    "type": "External",
    "external": {
        "metric": {"name": "s0-prometheus", "selector": {"matchLabels": {"scaledobject.keda.sh/name": "phi-4"}}},
        "target": {"type": "AverageValue", "averageValue": "5"},
    },
}
CPU = {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}


@pytest.fixture
def emulator(kube_emulator_factory: Callable[..., Any], tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    emu = kube_emulator_factory(builtin_controllers=False, crd_dirs=[])
    monkeypatch.setenv("KUBECONFIG", str(emu.write_kubeconfig(tmp_path / "kc", context="e", namespace="default")))
    return emu


def hpa(emu: Any, metrics: list[dict[str, Any]], min_replicas: int | None = 1) -> None:
    spec: dict[str, Any] = {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "phi-4"},
        "maxReplicas": 4,
        "metrics": metrics,
    }
    if min_replicas is not None:
        spec["minReplicas"] = min_replicas
    emu.cluster.create(
        {
            "apiVersion": "autoscaling/v2",
            "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "keda-hpa-phi-4", "namespace": "default"},
            "spec": spec,
        }
    )


def table() -> list[list[str]]:
    out = subprocess.run(["kubectl", "get", "hpa"], capture_output=True, text=True, timeout=30, check=True)
    return [line.split() for line in out.stdout.splitlines()]


def test_the_columns_are_kube_apiservers(emulator: Any) -> None:
    hpa(emulator, [EXTERNAL])
    assert table()[0] == ["NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"]


def test_an_external_target_before_the_first_reading_is_unknown_over_its_average(emulator: Any) -> None:
    hpa(emulator, [EXTERNAL])
    assert table()[1][:6] == ["keda-hpa-phi-4", "Deployment/phi-4", "<unknown>/5", "(avg)", "1", "4"]


def test_a_reading_shows_current_over_target_and_the_replicas(emulator: Any) -> None:
    hpa(emulator, [CPU])
    status = {
        "currentReplicas": 2,
        "desiredReplicas": 2,
        "currentMetrics": [{"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 40}}}],
    }
    emulator.cluster.patch_status("autoscaling/v2", "HorizontalPodAutoscaler", "default", "keda-hpa-phi-4", status)
    row = table()[1]
    assert row[2:7] == ["cpu:", "40%/80%", "1", "4", "2"]


def test_more_than_two_metrics_are_summed_up(emulator: Any) -> None:
    hpa(emulator, [EXTERNAL, CPU, CPU], min_replicas=None)
    row = " ".join(table()[1])
    assert "<unknown>/5 (avg), cpu: <unknown>/80% + 1 more..." in row
    assert " <unset> 4 0 " in row
