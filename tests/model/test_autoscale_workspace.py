"""Autoscaling on Azure Monitor managed Prometheus reads this cluster's queue: the add-on's collector
scrapes akscli's azmonitoring.coreos.com PodMonitor into a workspace that other clusters write to
as well, each series labelled with its ``cluster`` (tests/emulators/kube/controllers/
azure_monitor_collector.py; upstream: Azure/prometheus-collector 39583fd5
otelcollector/opentelemetry-collector-builder/collector-config-replicaset.yml and
otelcollector/shared/configmap/mp/tomlparser-prometheus-collector-settings.go)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.emulators.kube.controllers.azure_monitor_collector import (
    collector_deployment,
    install_azure_monitor,
    set_cluster_alias,
)
from tests.emulators.kube.profiles import keda_operator_pod

from ._queue import gpu_nodes, scraped_queue, vllm_pods

KEDA = "keda.sh/v1alpha1"
WORKSPACE_ENDPOINT = "https://amw-ml-a1b2.eastus.prometheus.monitor.azure.com"
AKS_ID = "/subscriptions/0000/resourceGroups/rg-ml/providers/Microsoft.ContainerService/managedClusters/aks-ml-eastus"
DEPLOY = ("model", "deploy", "phi-4", "--runtime", "vllm", "--autoscale", "1:4", "--prometheus", WORKSPACE_ENDPOINT)
Start = Callable[..., Any]


def _managed(model_emulator: Start, alias: str | None = None, *, keda_identity: bool = True) -> Any:
    """The lab on managed Prometheus; KEDA's operator federated (workload identity) unless told otherwise."""
    emu = model_emulator(serving=True)
    emu.prometheus = install_azure_monitor(emu, AKS_ID, alias)
    gpu_nodes(emu, 4)
    keda_operator_pod(emu, workload_identity=keda_identity)
    return emu


def _query(emu: Any) -> str:
    return str(emu.cluster.get(KEDA, "ScaledObject", "default", "phi-4")["spec"]["triggers"][0]["metadata"]["query"])


def _replicas(emu: Any) -> int:
    return int(emu.cluster.get("apps/v1", "Deployment", "default", "phi-4")["spec"]["replicas"])


def _eventually(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.05)


def test_a_cluster_alias_counts_only_under_a_schema_version_the_collector_takes() -> None:
    from akscli.model.monitoring import cluster_alias

    settings = {"data": {"prometheus-collector-settings": 'debug-mode = false\n  cluster_alias = " ml-prod "\n'}}
    assert cluster_alias(settings) == ""
    assert cluster_alias({"data": {**settings["data"], "schema-version": "v1"}}) == "ml_prod"
    assert (
        cluster_alias({"data": {"schema-version": "v2", "prometheus-collector-settings": 'cluster_alias = ""'}}) == ""
    )


def test_keda_scales_on_the_queue_the_collector_scraped_into_the_workspace(model_emulator: Start) -> None:
    emu = _managed(model_emulator)
    assert invoke(*DEPLOY, "-y").exit_code == 0
    assert _query(emu) == (
        'sum(vllm:num_requests_waiting{cluster="aks-ml-eastus",namespace="default",job="default/phi-4",'
        'model_name="microsoft/phi-4"})'
    )
    _eventually(lambda: len(vllm_pods(emu)) == 1)
    scraped_queue(emu, 12)
    _eventually(lambda: _replicas(emu) == 3)


def test_another_clusters_queue_in_the_same_workspace_does_not_scale_this_one(model_emulator: Start) -> None:
    # Without the cluster matcher KEDA read 30 (the other cluster's queue) and scaled to 4.
    emu = _managed(model_emulator)
    assert invoke(*DEPLOY, "-y").exit_code == 0
    _eventually(lambda: len(vllm_pods(emu)) == 1)
    series = {"__name__": "vllm:num_requests_waiting", "namespace": "default", "job": "default/phi-4",
              "model_name": "microsoft/phi-4", "engine": "0", "pod": "phi-4-7d9f-abcde"}  # fmt: skip
    emu.prometheus.other_cluster("aks-ml-westus", series, 30, time.time())
    scraped_queue(emu, 0)
    assert emu.idle()
    assert _replicas(emu) == 1


def test_the_collectors_cluster_alias_names_the_series(model_emulator: Start) -> None:
    emu = _managed(model_emulator, alias="ml prod/eastus")
    assert invoke(*DEPLOY, "-y").exit_code == 0
    assert 'cluster="ml_prod_eastus"' in _query(emu)
    _eventually(lambda: len(vllm_pods(emu)) == 1)
    scraped_queue(emu, 12)
    _eventually(lambda: _replicas(emu) == 3)


def test_without_the_collectors_deployment_the_deploy_warns_that_the_query_spans_every_cluster(
    model_emulator: Start,
) -> None:
    emu = _managed(model_emulator)
    emu.cluster.delete("apps/v1", "Deployment", "kube-system", "ama-metrics")
    result = invoke(*DEPLOY, "-y")
    assert result.exit_code == 0, result
    assert "not pinned to this cluster" in result.stderr and "kube-system/ama-metrics" in result.stderr
    assert "cluster=" not in _query(emu)


def test_a_fleet_deploy_has_no_workspace_query_to_pin_each_member_scales_on_its_own_pods() -> None:
    # --fleet-hub places KAITO only, and --autoscale there is keda-kaito-scaler's: it scrapes each
    # Workspace Service of the InferenceSet in its own cluster (kaito-project/keda-kaito-scaler
    # pkg/metricsource/modelpod_source.go), so no member reads a shared workspace.
    vllm = invoke(
        "model", "deploy", "phi-4", "--fleet-hub", "--runtime", "vllm", "--autoscale", "1:4", "--dry-run=client"
    )
    assert vllm.exit_code == 2 and "--fleet-hub places a KAITO Workspace" in vllm.stderr
    kaito = invoke(*("model", "deploy", "phi-4", "--fleet-hub", "--runtime", "kaito", "--autoscale", "1:4"),
                   "--dry-run=client", "-o", "yaml")  # fmt: skip
    assert kaito.exit_code == 0, kaito
    assert "ScaledObject" not in kaito.stdout and "scaledobject.kaito.sh/auto-provision: 'true'" in kaito.stdout


def test_status_warns_when_the_collectors_cluster_alias_changed_after_the_deploy(model_emulator: Start) -> None:
    # The collector restarts on a settings change and stamps the new alias: the pinned query finds
    # nothing from then on, so status names both labels and the redeploy that re-pins it.
    emu = _managed(model_emulator)
    assert invoke(*DEPLOY, "-y").exit_code == 0
    set_cluster_alias(emu, emu.prometheus, "ml-prod")
    result = invoke("model", "status", "phi-4")
    assert result.exit_code == 0, result
    assert (
        "warning: KEDA's query keeps cluster=\"aks-ml-eastus\", but the collector labels this cluster's series "
        'cluster="ml_prod" now' in result.stderr
    )
    assert "run akscli model deploy phi-4 again, with the same flags, to re-pin it" in result.stderr


def test_a_redeploy_re_pins_the_query_and_status_no_longer_warns(model_emulator: Start) -> None:
    emu = _managed(model_emulator)
    assert invoke(*DEPLOY, "-y").exit_code == 0
    set_cluster_alias(emu, emu.prometheus, "ml-prod")
    assert invoke(*DEPLOY, "-y").exit_code == 0
    assert 'cluster="ml_prod"' in _query(emu)
    result = invoke("model", "status", "phi-4", "-o", "json")
    assert result.exit_code == 0, result
    assert json.loads(result.stdout)["autoscaling"]["workspaceCluster"] == {"query": "ml_prod", "collector": "ml_prod"}
    assert "warning" not in result.stderr


def test_status_warns_of_a_query_deployed_unpinned_once_the_collector_can_be_read(model_emulator: Start) -> None:
    emu = _managed(model_emulator)
    emu.cluster.delete("apps/v1", "Deployment", "kube-system", "ama-metrics")
    assert invoke(*DEPLOY, "-y").exit_code == 0
    emu.cluster.create(collector_deployment(AKS_ID))
    result = invoke("model", "status", "phi-4")
    assert result.exit_code == 0, result
    assert 'warning: KEDA\'s query is not pinned to this cluster (cluster="aks-ml-eastus")' in result.stderr


def test_an_arc_clusters_collector_labels_its_series_with_the_connected_clusters_name() -> None:
    # The Arc extension is the add-on's chart with CLUSTER the connected cluster's resource ID
    # (Azure/prometheus-collector otelcollector/deploy/addon-chart/azure-monitor-metrics-addon/
    # templates/_arc-extension-helpers.tpl, ama-metrics-deployment.yaml).
    from akscli.model.monitoring import workspace_cluster

    arc = "/subscriptions/0000/resourceGroups/rg-edge/providers/Microsoft.Kubernetes/connectedClusters/edge-gpu-01"

    class Kube:
        def get(self, api: str, kind: str, name: str, namespace: str | None = None) -> Any:
            return collector_deployment(arc) if kind == "Deployment" else None

    assert workspace_cluster(Kube()) == ("edge-gpu-01", None)  # type: ignore[arg-type]


def test_a_keda_without_workload_identity_is_named_before_the_workspace_trigger_is_applied(
    model_emulator: Start,
) -> None:
    # The chart's default (podIdentity.azureWorkload.enabled false): no AZURE_FEDERATED_TOKEN_FILE in
    # the operator's pod, so KEDA's azure-workload credential cannot be made and no query gets a token.
    _managed(model_emulator, keda_identity=False)
    result = invoke(*DEPLOY, "-y")
    assert result.exit_code == 0, result
    assert (
        "warning: KEDA's operator pod keda/keda-operator-6b8c5d4f7-klmno has no workload identity "
        "(no AZURE_FEDERATED_TOKEN_FILE in its environment)" in result.stderr
    )
    assert "kubectl rollout restart deploy keda-operator -n keda" in result.stderr


def test_a_keda_whose_operator_has_workload_identity_deploys_without_a_warning(model_emulator: Start) -> None:
    _managed(model_emulator)
    result = invoke(*DEPLOY, "-y")
    assert result.exit_code == 0, result
    assert "workload identity" not in result.stderr
