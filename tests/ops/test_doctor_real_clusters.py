"""doctor on the clusters that exist in the wild (issue #20): a plain AKS cluster with only the
KAITO add-on, KubeRay installed by kustomize or Helm, AKS-managed GPU drivers, Gateway API CRDs
without a controller, Managed Prometheus without GPU metrics. Each emulator here serves only what
its test installs (tests/emulators/kube/profiles.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.baremetal import nodes as fx
from tests.cli import invoke
from tests.emulators.kube import profiles


@pytest.fixture
def kube_emulator(kube_emulator_factory: Callable[..., Any]) -> Any:
    return kube_emulator_factory(crd_dirs=[])


def checks(result: Any, component: str) -> dict[str, dict[str, Any]]:
    return {c["check"]: c for c in json.loads(result.stdout)["checks"] if c["component"] == component}


def test_plain_doctor_passes_on_aks_with_only_the_kaito_addon(kube_emulator: Any, kubeconfig: Any) -> None:
    profiles.kaito_addon(kube_emulator)
    result = invoke("doctor")
    assert result.exit_code == 0, result
    assert "found: kaito" in result.stderr
    assert "not installed: " in result.stderr and "kuberay" in result.stderr and "fleet-member" in result.stderr


def test_plain_doctor_reports_which_groups_it_found_as_json(kube_emulator: Any, kubeconfig: Any) -> None:
    profiles.kaito_addon(kube_emulator)
    report = json.loads(invoke("doctor", "-o", "json").stdout)
    assert report["ready"] is True
    assert "kaito" in report["found"] and "kuberay" in report["absent"]


def test_plain_doctor_blocks_on_an_installed_operator_that_does_not_work(kube_emulator: Any, kubeconfig: Any) -> None:
    profiles.install_crds(kube_emulator, "kuberay")  # CRDs, but the operator is gone
    result = invoke("doctor")
    assert result.exit_code == 9, result
    assert "kuberay" in result.stderr


def test_doctor_for_a_group_still_blocks_on_what_is_absent(kube_emulator: Any, kubeconfig: Any) -> None:
    assert invoke("doctor", "--for", "ray").exit_code == 9


def test_doctor_for_model_passes_on_the_kaito_addon_without_inferencesets(kube_emulator: Any, kubeconfig: Any) -> None:
    profiles.kaito_addon(kube_emulator)
    result = invoke("doctor", "--for", "model", "-o", "json")
    assert result.exit_code == 0, result
    (row,) = checks(result, "kaito-inferenceset").values()
    assert row["status"] == "missing" and row["severity"] == "optional"
    assert "--replicas" in row["fix"] and "enable the AI toolchain operator" not in row["fix"]


@pytest.mark.parametrize("install", [profiles.kuberay_kustomize, profiles.kuberay_helm], ids=["kustomize", "helm"])
def test_kuberay_is_found_however_it_was_installed(
    kube_emulator: Any, kubeconfig: Any, install: Callable[[Any], None]
) -> None:
    install(kube_emulator)
    result = invoke("doctor", "--for", "ray", "-o", "json")
    assert result.exit_code == 0, result
    assert checks(result, "kuberay")["pods"]["status"] == "ok"


def test_both_doctors_pass_gpus_on_the_aks_managed_driver(kube_emulator: Any, kubeconfig: Any) -> None:
    for node in (fx.aks_plain_node("aks-nc-0"), fx.aks_plain_node("aks-nc-1")):
        kube_emulator.cluster.create(node)
    doctor = invoke("doctor", "--for", "baremetal", "-o", "json")
    assert doctor.exit_code == 0, doctor
    assert any("AKS-managed driver" in c["detail"] for c in checks(doctor, "gpu-driver").values())
    baremetal = invoke("baremetal", "doctor")
    assert baremetal.exit_code == 0, baremetal
    assert "AKS-managed driver" in baremetal.stdout + baremetal.stderr


def test_both_doctors_block_a_cluster_policy_nobody_reconciles(kube_emulator: Any, kubeconfig: Any) -> None:
    from tests.baremetal.conftest import install_gpu_operator

    profiles.install_crds(kube_emulator, "nvidia")
    kube_emulator.cluster.create(fx.node("aks-gpu-0"))
    install_gpu_operator(kube_emulator, operator_pod=False)
    doctor = invoke("doctor", "--for", "baremetal", "-o", "json")
    assert doctor.exit_code == 9
    assert any("no GPU Operator pod runs" in c["detail"] for c in checks(doctor, "gpu-driver").values())
    baremetal = invoke("baremetal", "doctor", "-o", "json")
    assert baremetal.exit_code == 9
    assert any("no GPU Operator pod runs" in f["message"] for f in json.loads(baremetal.stdout)["findings"])


def test_gatewayclass_gap_asks_for_a_controller_not_for_crds(kube_emulator: Any, kubeconfig: Any) -> None:
    profiles.install_crds(kube_emulator, "gateway-api")
    result = invoke("doctor", "--for", "model", "-o", "json")
    row = checks(result, "gateway-api")["gatewayclass"]
    assert row["status"] == "missing"
    assert "CRDs are installed" in row["detail"]
    assert "install the Gateway API CRDs" not in row["fix"] and "Gateway API implementation" in row["fix"]


def test_managed_prometheus_alone_does_not_pass_the_gpu_metrics_check(kube_emulator: Any, kubeconfig: Any) -> None:
    profiles.ready_pod(kube_emulator, "kube-system", "ama-metrics-5d9f8-abcde", {"rsName": "ama-metrics"})
    result = invoke("doctor", "--for", "gpu", "-o", "json")
    assert checks(result, "metrics")["pods"]["status"] == "ok"
    assert checks(result, "gpu-metrics")["pods"]["status"] == "missing"
    profiles.ready_pod(kube_emulator, "gpu-operator", "nvidia-dcgm-exporter-xyz12", {"app": "nvidia-dcgm-exporter"})
    result = invoke("doctor", "--for", "gpu", "-o", "json")
    assert checks(result, "gpu-metrics")["pods"]["status"] == "ok"


def test_doctor_for_baremetal_blocks_a_cluster_with_no_gpu_stack_at_all(kube_emulator: Any, kubeconfig: Any) -> None:
    result = invoke("doctor", "--for", "baremetal", "-o", "json")
    assert result.exit_code == 9
    (row,) = checks(result, "gpu-driver").values()
    assert row["detail"] == "no GPU nodes and no GPU Operator" and "nodepool add --gpu" in row["fix"]
    assert invoke("doctor").exit_code == 0  # nothing installed: reported, not blocking
