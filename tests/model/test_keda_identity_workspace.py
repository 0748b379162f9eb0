"""KEDA's own sign-in to an Azure Monitor workspace, and the Arc extension that reads no PodMonitor,
as they fail on a real cluster.

- KEDA without workload identity: its prometheus scaler's chained credential is empty, so the
  scaler is not built ("sources must contain at least one TokenCredential", a KEDAScalerFailed
  Event), no HPA is made and Ready is False ScaledObjectCheckFailed (kedacore/keda 8b4f083c
  pkg/scalers/azure/azure_azidentity_chain.go, pkg/scaling/scalers_builder.go,
  controllers/keda/scaledobject_controller.go; tests/emulators/kube/controllers/keda_identity.py).
- The Azure Monitor metrics Arc extension with ArcEnableOperator=false renders no target allocator
  (Azure/prometheus-collector 39583fd5 otelcollector/deploy/addon-chart/azure-monitor-metrics-addon/
  templates/_arc-extension-helpers.tpl, ama-metrics-targetallocator.yaml), so no one scrapes
  PodMonitors (tests/emulators/kube/controllers/azure_monitor_collector.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.emulators.kube.controllers.azure_monitor_collector import install_azure_monitor
from tests.emulators.kube.profiles import keda_operator_pod, restart_keda_operator

from ._queue import gpu_nodes, scraped_queue, vllm_pods
from .test_autoscale_workspace import AKS_ID, DEPLOY, _eventually, _replicas

KEDA = "keda.sh/v1alpha1"
ARC_ID = "/subscriptions/0000/resourceGroups/rg-edge/providers/Microsoft.Kubernetes/connectedClusters/edge-gpu-01"
NO_CREDENTIAL = "sources must contain at least one TokenCredential"
ARC_FIX = (
    "az k8s-extension update --name azuremonitor-metrics --cluster-name edge-gpu-01 --resource-group rg-edge "
    "--cluster-type connectedClusters --configuration-settings AzureMonitorMetrics.ArcEnableOperator=true "
    "AzureMonitorMetrics.TargetAllocatorEnabled=true"
)
Start = Callable[..., Any]


def _lab(model_emulator: Start, *, federated: bool, resource_id: str = AKS_ID, operator: bool = True) -> Any:
    emu = model_emulator(serving=True)
    emu.prometheus = install_azure_monitor(emu, resource_id, operator=operator)
    gpu_nodes(emu, 4)
    keda_operator_pod(emu, workload_identity=federated)
    return emu


def _ready(emu: Any) -> dict[str, Any]:
    scaled = emu.cluster.get(KEDA, "ScaledObject", "default", "phi-4") or {}
    return next((c for c in (scaled.get("status") or {}).get("conditions") or [] if c["type"] == "Ready"), {})


def _hpa(emu: Any) -> Any:
    return emu.cluster.get("autoscaling/v2", "HorizontalPodAutoscaler", "default", "keda-hpa-phi-4")


def test_keda_without_workload_identity_builds_no_scaler_and_makes_no_hpa(model_emulator: Start) -> None:
    emu = _lab(model_emulator, federated=False)
    assert invoke(*DEPLOY, "-y").exit_code == 0
    _eventually(lambda: _ready(emu).get("reason") == "ScaledObjectCheckFailed")
    assert _ready(emu)["status"] == "False"
    assert _ready(emu)["message"] == f"failed to ensure HPA is correctly created for ScaledObject: {NO_CREDENTIAL}"
    assert _hpa(emu) is None
    reasons = {(e["reason"], e["message"]) for e in emu.cluster.list("v1", "Event", "default")}
    assert ("KEDAScalerFailed", NO_CREDENTIAL) in reasons


def test_model_status_names_kedas_missing_workload_identity_with_the_charts_fix(model_emulator: Start) -> None:
    emu = _lab(model_emulator, federated=False)
    assert invoke(*DEPLOY, "-y").exit_code == 0
    _eventually(lambda: _ready(emu).get("reason") == "ScaledObjectCheckFailed")
    result = invoke("model", "status", "phi-4")
    assert result.exit_code == 0, result
    assert "warning: KEDA's operator pod keda/keda-operator-6b8c5d4f7-klmno has no workload identity" in result.stderr
    assert NO_CREDENTIAL in result.stderr
    assert (
        "helm upgrade keda kedacore/keda -n keda --reuse-values --set podIdentity.azureWorkload.enabled=true "
        "--set podIdentity.azureWorkload.clientId=CLIENT_ID" in result.stderr
    )
    assert "Ready False (ScaledObjectCheckFailed)" in result.stdout
    doc = json.loads(invoke("model", "status", "phi-4", "-o", "json").stdout)
    assert doc["autoscaling"]["kedaIdentity"]["ready"] is False


def test_model_status_says_nothing_of_a_federated_keda(model_emulator: Start) -> None:
    # A guard: the identity line only where KEDA cannot sign in.
    _lab(model_emulator, federated=True)
    assert invoke(*DEPLOY, "-y").exit_code == 0
    result = invoke("model", "status", "phi-4", "-o", "json")
    assert result.exit_code == 0, result
    assert "workload identity" not in result.stderr
    assert json.loads(result.stdout)["autoscaling"]["kedaIdentity"]["ready"] is True


def test_keda_restarted_with_workload_identity_builds_its_scaler_and_scales(model_emulator: Start) -> None:
    emu = _lab(model_emulator, federated=False)
    assert invoke(*DEPLOY, "-y").exit_code == 0
    _eventually(lambda: _ready(emu).get("reason") == "ScaledObjectCheckFailed")
    restart_keda_operator(emu, workload_identity=True)  # helm upgrade ... podIdentity.azureWorkload.enabled=true
    emu.keda.poll(emu.cluster, "default", "phi-4")  # the new operator reconciles every ScaledObject
    _eventually(lambda: _hpa(emu) is not None)
    _eventually(lambda: len(vllm_pods(emu)) == 1)
    scraped_queue(emu, 12)
    _eventually(lambda: _replicas(emu) == 3)


def test_an_arc_extension_without_a_target_allocator_scrapes_no_podmonitor(model_emulator: Start) -> None:
    emu = _lab(model_emulator, federated=True, resource_id=ARC_ID, operator=False)
    result = invoke("model", "deploy", "phi-4", "--runtime", "vllm", "-y")
    assert result.exit_code == 0, result
    assert emu.cluster.get("azmonitoring.coreos.com/v1", "PodMonitor", "default", "phi-4") is not None
    _eventually(lambda: len(vllm_pods(emu)) == 1)
    emu.prometheus.interval_passes()
    assert emu.prometheus.query("vllm:num_requests_waiting") == []
    assert "warning: PodMonitor default/phi-4 will not be scraped: the Azure Monitor metrics Arc extension" in (
        result.stderr
    )
    assert ARC_FIX in result.stderr


def test_autoscale_on_an_arc_extension_without_a_target_allocator_is_refused_with_the_extension_fix(
    model_emulator: Start,
) -> None:
    emu = _lab(model_emulator, federated=True, resource_id=ARC_ID, operator=False)
    result = invoke(*DEPLOY, "-y")
    assert result.exit_code == 7, result
    assert "error: --autoscale scales on vllm:num_requests_waiting, and the Azure Monitor metrics Arc extension" in (
        result.stderr
    )
    assert "no Deployment kube-system/ama-metrics-operator-targets" in result.stderr
    assert f"hint: {ARC_FIX}, then deploy again" in result.stderr
    assert emu.cluster.get(KEDA, "ScaledObject", "default", "phi-4") is None


def test_autoscale_on_an_arc_extension_with_its_target_allocator_scales(model_emulator: Start) -> None:
    # A guard: ArcEnableOperator and TargetAllocatorEnabled default to true (values-template.yaml).
    emu = _lab(model_emulator, federated=True, resource_id=ARC_ID)
    result = invoke(*DEPLOY, "-y")
    assert result.exit_code == 0, result
    assert "target allocator" not in result.stderr
    _eventually(lambda: len(vllm_pods(emu)) == 1)
    scraped_queue(emu, 12)
    _eventually(lambda: _replicas(emu) == 3)


def test_doctor_names_an_arc_extension_that_stopped_reading_podmonitors(model_emulator: Start) -> None:
    emu = _lab(model_emulator, federated=True, resource_id=ARC_ID)
    assert invoke(*DEPLOY, "-y").exit_code == 0
    emu.cluster.delete("apps/v1", "Deployment", "kube-system", "ama-metrics-operator-targets")
    result = invoke("doctor", "--for", "model", "-o", "json")
    rows = {r["check"]: r for r in json.loads(result.stdout)["checks"] if r["component"] == "keda"}
    assert rows["target allocator"]["status"] == "not-ready"
    assert rows["target allocator"]["fix"] == ARC_FIX
