"""gpu usage --utilization on AKS managed GPU nodes, end to end against the Kubernetes emulator
(tests/emulators/kube/controllers/aks_managed_gpu.py): AKS runs their dcgm-exporter as a systemd
service on port 19400 without --kubernetes, so no PodMonitor finds it and its series name no pod."""

from __future__ import annotations

import json
import time
from typing import Any

from tests.cli import invoke
from tests.emulators.kube.controllers.aks_managed_gpu import ManagedDcgmExporter, managed_gpu_node, scrape_node
from tests.emulators.kube.controllers.nvidia_dcgm import install_dcgm_exporter
from tests.emulators.kube.profiles import install_podmonitor_api
from tests.ops.test_ops_emulator import gpu_node, gpu_pod

MANAGED, ADDRESS = "aks-gpunp-0", "10.224.0.7"


def _cluster(emu: Any, *, operator_node: bool) -> Any:
    """A managed A100 node running a pod of ``serving``; with ``operator_node``, a GPU Operator node
    whose exporter pod a PodMonitor scrapes. The Prometheus server of ``monitoring``."""
    managed_gpu_node(emu, MANAGED, "gpunp", "Standard_NC24ads_A100_v4", 1, ADDRESS)
    gpu_pod(emu, "serving", "llm-0", MANAGED, 1)
    install_podmonitor_api(emu, scrape_loop=False)
    if operator_node:
        gpu_node(emu, "h100-0", "h100", "Standard_NC96ads_A100_v4", 4)
        gpu_pod(emu, "research", "train-0", "h100-0", 1)
        install_dcgm_exporter(emu, "h100-0", {"research/train-0": (40.0, 1000.0)})
    return emu.prometheus_servers["monitoring"]


def test_a_scraped_managed_node_counts_for_its_pool_and_is_said_to_have_no_namespace(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    server = _cluster(kube_emulator, operator_node=True)
    exporter = ManagedDcgmExporter(kube_emulator, MANAGED)
    exporter.busy["serving/llm-0"] = (60.0, 8000.0)
    now = server.scrape(time.time() - 30, every=True)
    scrape_node(server, exporter, ADDRESS, now)
    result = invoke("gpu", "usage", "--utilization", "-o", "json")
    assert result.exit_code == 0, result
    data = json.loads(result.stdout)
    assert {p["pool"]: p["gpu_util_percent"] for p in data["pools"]} == {"gpunp": 60.0, "h100": 10.0}
    assert {n["namespace"]: n["gpu_util_percent"] for n in data["namespaces"]} == {"serving": None, "research": 40.0}
    assert f"leaves out 1 AKS managed GPU node(s) (kubernetes.azure.com/dcgm-exporter=enabled, e.g. {MANAGED})" in (
        result.stderr
    )


def test_a_managed_node_no_scrape_reaches_is_named_with_its_port(kube_emulator: Any, kubeconfig: Any) -> None:
    server = _cluster(kube_emulator, operator_node=True)
    server.scrape(time.time() - 30, every=True)
    result = invoke("gpu", "usage", "--utilization", "-o", "json")
    assert result.exit_code == 0, result
    [line] = [x for x in result.stderr.splitlines() if MANAGED in x]
    assert "leaves out 1 AKS managed GPU node(s)" in line
    assert "nvidia-dcgm-exporter service on port 19400, with no pod for a PodMonitor to select" in line
    assert "per-namespace utilization is not available" in line


def test_with_only_managed_nodes_unscraped_the_fix_is_not_the_gpu_operators(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    _cluster(kube_emulator, operator_node=False)
    result = invoke("gpu", "usage", "--utilization")
    assert result.exit_code == 0, result
    [line] = [x for x in result.stderr.splitlines() if "GPU utilization not shown" in x]
    assert "has no DCGM_FI_DEV_GPU_UTIL series" in line and "port 19400" in line
    assert "GPU Operator" not in line
