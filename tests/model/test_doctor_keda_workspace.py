"""`doctor` makes the checks of KEDA on an Azure Monitor workspace that `model deploy --autoscale` and
`model status` make for one model (akscli.doctor.keda): KEDA's workload identity, and each workspace
query's ``cluster`` label against the collector's (upstream cited there)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.emulators.kube.controllers.azure_monitor_collector import install_azure_monitor, set_cluster_alias
from tests.emulators.kube.profiles import keda_operator_pod

from ._queue import gpu_nodes

WORKSPACE_ENDPOINT = "https://amw-ml-a1b2.eastus.prometheus.monitor.azure.com"
AKS_ID = "/subscriptions/0000/resourceGroups/rg-ml/providers/Microsoft.ContainerService/managedClusters/aks-ml-eastus"
DEPLOY = ("model", "deploy", "phi-4", "--runtime", "vllm", "--autoscale", "1:4", "--prometheus", WORKSPACE_ENDPOINT)
Start = Callable[..., Any]


def _deployed(model_emulator: Start, **operator: Any) -> Any:
    emu = model_emulator(serving=True)
    emu.prometheus = install_azure_monitor(emu, AKS_ID, None)
    gpu_nodes(emu, 4)
    keda_operator_pod(emu, **operator)
    assert invoke(*DEPLOY, "-y").exit_code == 0
    return emu


def _keda_rows() -> dict[str, dict[str, Any]]:
    result = invoke("doctor", "--for", "model", "-o", "json")
    assert "Traceback" not in result.stderr, result
    return {r["check"]: r for r in json.loads(result.stdout)["checks"] if r["component"] == "keda"}


def test_doctor_names_a_keda_operator_without_workload_identity_once_a_scaledobject_queries_a_workspace(
    model_emulator: Start,
) -> None:
    _deployed(model_emulator)
    row = _keda_rows()["workload identity"]
    assert row["status"] == "not-ready" and row["severity"] == "optional"
    assert "keda/keda-operator-6b8c5d4f7-klmno has no workload identity (no AZURE_FEDERATED_TOKEN_FILE" in row["detail"]
    assert row["fix"].startswith(
        "helm upgrade keda kedacore/keda -n keda --reuse-values --set podIdentity.azureWorkload.enabled=true"
    )
    assert "kubectl rollout restart deploy keda-operator -n keda" in row["fix"]


def test_doctor_names_a_service_account_with_no_client_id_annotation(model_emulator: Start) -> None:
    # The webhook mutated the pod (token file) but had no client ID to inject: KEDA cannot sign in.
    _deployed(model_emulator, workload_identity=True, client_id="")
    row = _keda_rows()["workload identity"]
    assert row["status"] == "not-ready"
    assert row["detail"].startswith(
        "serviceaccount keda/keda-operator has no azure.workload.identity/client-id annotation"
    )
    assert "kubectl annotate serviceaccount keda-operator -n keda azure.workload.identity/client-id=" in row["fix"]


def test_doctor_says_an_annotation_added_after_the_operator_started_needs_a_restart(model_emulator: Start) -> None:
    emu = _deployed(model_emulator, workload_identity=True, client_id="")
    client = "00000000-0000-0000-0000-00000000beef"
    patch = {"metadata": {"annotations": {"azure.workload.identity/client-id": client}}}
    emu.cluster.patch("v1", "ServiceAccount", "keda", "keda-operator", patch)
    row = _keda_rows()["workload identity"]
    assert row["status"] == "not-ready"
    assert (
        f"names client {client}, but pod keda/keda-operator-6b8c5d4f7-klmno started with no AZURE_CLIENT_ID"
        in (row["detail"])
    )
    assert row["fix"] == "kubectl rollout restart deploy keda-operator -n keda"


def test_doctor_passes_a_federated_keda_whose_query_keeps_the_collectors_label(model_emulator: Start) -> None:
    _deployed(model_emulator, workload_identity=True)
    rows = _keda_rows()
    assert rows["workload identity"]["status"] == "ok"
    assert rows["cluster label"]["status"] == "ok"
    assert 'keep the collector\'s cluster="aks-ml-eastus"' in rows["cluster label"]["detail"]


def test_doctor_names_the_scaledobject_whose_query_keeps_a_label_the_collector_no_longer_stamps(
    model_emulator: Start,
) -> None:
    emu = _deployed(model_emulator, workload_identity=True)
    set_cluster_alias(emu, emu.prometheus, "ml-prod")
    row = _keda_rows()["scaledobject default/phi-4"]
    assert row["status"] == "not-ready"
    assert (
        "KEDA's query keeps cluster=\"aks-ml-eastus\", but the collector labels this cluster's series " in row["detail"]
    )
    assert row["fix"] == "run akscli model deploy phi-4 -n default again, with the same flags, to re-pin it"


def test_doctor_cannot_tell_the_label_without_the_collector_and_says_why(model_emulator: Start) -> None:
    emu = _deployed(model_emulator, workload_identity=True)
    emu.cluster.delete("apps/v1", "Deployment", "kube-system", "ama-metrics")
    row = _keda_rows()["cluster label"]
    assert row["status"] == "unknown"
    assert "no Deployment kube-system/ama-metrics with the collector's CLUSTER" in row["detail"]


def test_doctor_has_no_workspace_rows_where_no_scaledobject_queries_a_workspace(model_emulator: Start) -> None:
    # A guard (it passes before too): KEDA needs no Azure identity for other triggers.
    emu = model_emulator(serving=True)
    keda_operator_pod(emu)
    rows = _keda_rows()
    assert "workload identity" not in rows and "cluster label" not in rows
