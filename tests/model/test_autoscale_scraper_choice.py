"""Which scraper's PodMonitor `model deploy --autoscale` makes, and whether KEDA's trigger signs in,
follow what --prometheus names: an Azure Monitor workspace answers only a request with an Entra
token (kedacore/keda v2.20.2 pkg/scalers/prometheus_scaler.go with podIdentity azure-workload),
and managed Prometheus reads azmonitoring.coreos.com PodMonitors only, beside the Prometheus
Operator's monitoring.coreos.com ones (MicrosoftDocs/azure-aks-docs articles/aks/deploy-postgresql-ha.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml

from tests.cli import invoke

from ._queue import gpu_nodes, scraped_queue, vllm_pods
from .conftest import install_podmonitor_api, keda_operator_pod
from .test_autoscale_workspace import _eventually, _replicas

KEDA = "keda.sh/v1alpha1"
AZURE_MONITOR = "azmonitoring.coreos.com/v1"
OPERATOR = "monitoring.coreos.com/v1"
WORKSPACE = "https://amw-ml-a1b2.eastus.prometheus.monitor.azure.com"
IN_CLUSTER = "http://prometheus-operated.monitoring.svc.cluster.local:9090"
AUTOSCALE = ("model", "deploy", "phi-4", "--runtime", "vllm", "--autoscale", "1:4")
Start = Callable[..., Any]


def _kinds(stdout: str) -> dict[str, dict[str, Any]]:
    return {f"{d['apiVersion']} {d['kind']}": d for d in yaml.safe_load_all(stdout) if d}


def test_a_client_dry_run_on_a_workspace_renders_azure_monitors_podmonitor_and_keda_signing_in() -> None:
    # Before: the Prometheus Operator's PodMonitor, which managed Prometheus never reads, and a
    # trigger with no TriggerAuthentication, which the workspace answers with 401.
    result = invoke(*AUTOSCALE, "--prometheus", WORKSPACE, "--dry-run=client", "-o", "yaml")
    assert result.exit_code == 0, result
    objects = _kinds(result.stdout)
    assert f"{AZURE_MONITOR} PodMonitor" in objects and f"{OPERATOR} PodMonitor" not in objects
    auth = objects[f"{KEDA} TriggerAuthentication"]
    assert auth["spec"] == {"podIdentity": {"provider": "azure-workload"}}
    trigger = objects[f"{KEDA} ScaledObject"]["spec"]["triggers"][0]
    assert trigger["authenticationRef"] == {"name": auth["metadata"]["name"]}


def test_a_client_dry_run_on_a_workspace_says_its_query_names_no_cluster() -> None:
    result = invoke(*AUTOSCALE, "--prometheus", WORKSPACE, "--dry-run=client", "-o", "yaml")
    assert result.exit_code == 0, result
    assert "warning: --dry-run=client asks no cluster, so KEDA's query names no cluster label" in result.stderr
    assert "cluster=" not in result.stdout


def test_a_client_dry_run_on_an_in_cluster_prometheus_keeps_the_operators_podmonitor() -> None:
    result = invoke(*AUTOSCALE, "--prometheus", IN_CLUSTER, "--dry-run=client", "-o", "yaml")
    assert result.exit_code == 0, result
    objects = _kinds(result.stdout)
    assert f"{OPERATOR} PodMonitor" in objects and f"{KEDA} TriggerAuthentication" not in objects
    assert "names no cluster label" not in result.stderr


def test_with_both_scrapers_an_in_cluster_prometheus_gets_the_podmonitor_it_reads_and_keda_scales(
    model_emulator: Start,
) -> None:
    # Managed Prometheus beside kube-prometheus-stack: the queue KEDA asks the in-cluster
    # Prometheus for is there only if that Prometheus scrapes the pods. Before: refused (exit 2,
    # "the cluster scrapes with Azure Monitor managed Prometheus").
    emu = model_emulator(monitoring=True)
    install_podmonitor_api(emu, "azmonitoring.coreos.com")
    gpu_nodes(emu, 3)
    result = invoke(*AUTOSCALE, "--prometheus", IN_CLUSTER, "-y")
    assert result.exit_code == 0, result
    monitor = emu.cluster.get(OPERATOR, "PodMonitor", "default", "phi-4")
    assert monitor["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    assert emu.cluster.get(AZURE_MONITOR, "PodMonitor", "default", "phi-4") is None
    _eventually(lambda: len(vllm_pods(emu)) == 1)
    scraped_queue(emu, 12)
    _eventually(lambda: _replicas(emu) == 3)


def test_with_both_scrapers_a_workspace_still_gets_azure_monitors_podmonitor(model_emulator: Start) -> None:
    emu = model_emulator(monitoring=True)
    install_podmonitor_api(emu, "azmonitoring.coreos.com")
    keda_operator_pod(emu, workload_identity=True)
    result = invoke(*AUTOSCALE, "--prometheus", WORKSPACE, "-y")
    assert result.exit_code == 0, result
    assert emu.cluster.get(AZURE_MONITOR, "PodMonitor", "default", "phi-4") is not None
    assert emu.cluster.get(OPERATOR, "PodMonitor", "default", "phi-4") is None


def test_a_workspace_a_self_managed_prometheus_remote_writes_to_is_queried_with_kedas_identity(
    model_emulator: Start,
) -> None:
    # Only the Prometheus Operator, remote-writing to an Azure Monitor workspace
    # (MicrosoftDocs/azure-monitor-docs articles/azure-monitor/metrics/prometheus-remote-write-configure.md):
    # its PodMonitor is the operator's, and the workspace still wants a token. Before: no
    # TriggerAuthentication, so every query was a 401.
    emu = model_emulator(monitoring=True)
    keda_operator_pod(emu, workload_identity=True)
    result = invoke(*AUTOSCALE, "--prometheus", WORKSPACE, "-y")
    assert result.exit_code == 0, result
    assert emu.cluster.get(OPERATOR, "PodMonitor", "default", "phi-4") is not None
    trigger = emu.cluster.get(KEDA, "ScaledObject", "default", "phi-4")["spec"]["triggers"][0]
    assert trigger["authenticationRef"] == {"name": "phi-4-prometheus"}
    auth = emu.cluster.get(KEDA, "TriggerAuthentication", "default", "phi-4-prometheus")
    assert auth["spec"]["podIdentity"]["provider"] == "azure-workload"


def test_a_workspace_whose_prometheus_remote_writes_nowhere_is_warned_about(model_emulator: Start) -> None:
    emu = model_emulator(monitoring=True)
    keda_operator_pod(emu, workload_identity=True)
    result = invoke(*AUTOSCALE, "--prometheus", WORKSPACE, "-y")
    assert result.exit_code == 0, result
    assert (
        "warning: KEDA queries the Azure Monitor workspace amw-ml-a1b2.eastus.prometheus.monitor.azure.com, but "
        "Prometheus monitoring/kube-prometheus-stack-prometheus, which scrapes PodMonitor default/phi-4, "
        "remote-writes nowhere (no spec.remoteWrite)" in result.stderr
    )


def _remote_writing(emu: Any, external_labels: dict[str, str]) -> None:
    spec = {"remoteWrite": [{"url": "https://dce-ml.eastus-1.metrics.ingest.monitor.azure.com/dataCollectionRules/"
                                   "dcr-0000/streams/Microsoft-PrometheusMetrics/api/v1/write"}],
            "externalLabels": external_labels}  # fmt: skip
    emu.cluster.patch(OPERATOR, "Prometheus", "monitoring", "kube-prometheus-stack-prometheus",
                      {"spec": spec})  # fmt: skip


def test_a_remote_written_workspace_query_names_the_prometheus_external_cluster_label(model_emulator: Start) -> None:
    # Prometheus puts its external labels on every series it remote-writes, and the workspace holds
    # every cluster's: the cluster external label keeps this cluster's queue.
    emu = model_emulator(monitoring=True)
    keda_operator_pod(emu, workload_identity=True)
    _remote_writing(emu, {"cluster": "aks-ml-westus"})
    result = invoke(*AUTOSCALE, "--prometheus", WORKSPACE, "-y")
    assert result.exit_code == 0, result
    query = emu.cluster.get(KEDA, "ScaledObject", "default", "phi-4")["spec"]["triggers"][0]["metadata"]["query"]
    assert query.startswith('sum(vllm:num_requests_waiting{cluster="aks-ml-westus",namespace="default"')
    assert "remote-writes nowhere" not in result.stderr and "query is not pinned" not in result.stderr


def test_a_remote_written_workspace_without_a_cluster_external_label_warns_the_query_is_unpinned(
    model_emulator: Start,
) -> None:
    emu = model_emulator(monitoring=True)
    keda_operator_pod(emu, workload_identity=True)
    _remote_writing(emu, {})
    result = invoke(*AUTOSCALE, "--prometheus", WORKSPACE, "-y")
    assert result.exit_code == 0, result
    assert (
        "warning: KEDA's query is not pinned to this cluster (Prometheus monitoring/kube-prometheus-stack-prometheus"
        in (result.stderr)
    )
    assert "set spec.externalLabels.cluster on monitoring/kube-prometheus-stack-prometheus" in result.stderr
