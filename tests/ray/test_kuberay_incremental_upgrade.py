"""A RayService with upgradeStrategy NewClusterWithIncrementalUpgrade, which akscli never renders
(``akscli apply -f`` of a user's own RayService can carry it).

upstream: ray-project/kuberay v1.7.0 (59d663ae) pkg/features/features.go (RayServiceIncrementalUpgrade:
Beta, on by default); ray-operator/controllers/ray/rayservice_controller.go Reconcile (reconcileGateway
runs before calculateStatus, so without the Gateway API no status is written) and
isZeroDowntimeUpgradeEnabled (with the gate on, the incremental type prepares new clusters too).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from akscli import yamlio
from tests.baremetal.nodes import nc_a100_node
from tests.cli import invoke
from tests.emulators.kube.profiles import install_crds
from tests.ray.test_kuberay_service_replacement import _by_hand, _pending, _serve_file

RAY = "ray.io/v1"
OPTIONS = {"maxSurgePercent": 100, "stepSizePercent": 20, "intervalSeconds": 30, "gatewayClassName": "istio"}


def _incremental_service(emu: Any, tmp_path: Path) -> None:
    """llm as ray service deploy renders it (autoscaled, on gpuh100, which has no node), with the
    incremental upgrade strategy added, created straight in the emulator."""
    emu.cluster.create(nc_a100_node("aks-gpua100-0", pool="gpua100"))
    rendered = invoke(
        "ray", "service", "deploy", "llm", "-f", str(_serve_file(tmp_path)), "--worker-gpu", "1",
        "--gpu-pool", "gpuh100", "--worker-min", "1", "--worker-max", "2", "--dry-run=client", "-o", "yaml",
    )  # fmt: skip
    assert rendered.exit_code == 0, rendered
    service = yamlio.load(rendered.stdout)
    service["spec"]["upgradeStrategy"] = {"type": "NewClusterWithIncrementalUpgrade", "clusterUpgradeOptions": OPTIONS}
    emu.cluster.create(service)


def test_without_the_gateway_api_kuberay_never_writes_an_incremental_services_status(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    emu = ray_emulator(operator=False)
    _incremental_service(emu, tmp_path)
    reconcile = _by_hand(emu)
    reconcile()  # the finalizer
    reconcile()  # reconcileGateway fails before calculateStatus
    assert emu.cluster.get(RAY, "RayService", "default", "llm").get("status") is None


def test_service_status_says_an_incremental_upgrade_needs_the_gateway_api(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    emu = ray_emulator(operator=False)
    _incremental_service(emu, tmp_path)
    reconcile = _by_hand(emu)
    reconcile()
    reconcile()
    shown = json.loads(invoke("ray", "service", "status", "llm", "-o", "json").stdout)
    assert [p["reason"] for p in shown["problems"]] == ["NoGatewayAPI"], shown


def test_with_the_gate_on_an_incremental_services_outdated_pending_cluster_is_replaced(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    emu = ray_emulator(operator=False)
    install_crds(emu, "gateway-api", "gateways.gateway.networking.k8s.io")
    _incremental_service(emu, tmp_path)
    reconcile = _by_hand(emu)
    for _ in range(3):  # the finalizer, the pending name, the pending cluster
        reconcile()
    first = _pending(emu)
    assert first
    stored = emu.cluster.get(RAY, "RayService", "default", "llm")
    stored["spec"]["rayClusterConfig"]["workerGroupSpecs"][0]["template"]["spec"]["nodeSelector"] = {
        "kubernetes.azure.com/agentpool": "gpuv100"
    }
    emu.cluster.update(stored)
    reconcile()
    assert _pending(emu) not in ("", first)
