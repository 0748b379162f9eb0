"""baremetal inventory compares the NVLink links and InfiniBand HCAs a probe sees with those the
node's VM size has (akscli's interconnect table): the recorded single-H100 VM
(shared/data/gpu-probe/h100-80gb-hbm3-vm) is what a node without either reports."""

from __future__ import annotations

import json
from typing import Any

import pytest

from akscli.baremetal.inventory import missing_interconnect
from akscli.baremetal.report import RdmaPort, report_from_dict
from tests.cli import invoke
from tests.emulators.kube.controllers.gpu_pods import GpuPodController, recorded_probe_json

from . import nodes as fx
from .conftest import add_nodes

ND_H100 = "Standard_ND96isr_H100_v5"


def _report(gpus: int = 8, vm_size: str | None = None) -> Any:
    return report_from_dict(json.loads(recorded_probe_json("aks-gpu-0", gpus, vm_size)))


def test_an_nvlink_infiniband_size_without_links_or_ports_has_two_errors() -> None:
    found = missing_interconnect(_report(), ND_H100)
    assert [(a.severity, a.message) for a in found] == [
        ("error", f"NVML lists no NVLink link on any GPU; a {ND_H100} has NVLink 4"),
        ("error", f"/sys/class/infiniband shows 0 of the 8 InfiniBand HCAs a {ND_H100} has"),
    ]


def test_the_gpus_without_links_are_named_and_an_ethernet_port_is_no_hca() -> None:
    report = _report(vm_size=ND_H100)
    report.gpus[3].nvlinks = []
    report.rdma = [*report.rdma[:7], RdmaPort("mlx5_an0", 1, "ACTIVE", "LinkUp", None, "Ethernet")]
    assert [a.message for a in missing_interconnect(report, ND_H100)] == [
        f"NVML lists no NVLink link on GPU 3; a {ND_H100} has NVLink 4",
        f"/sys/class/infiniband shows 7 of the 8 InfiniBand HCAs a {ND_H100} has",
    ]


@pytest.mark.parametrize("size", ["Standard_NC40ads_H100_v5", "Standard_NC24ads_A100_v4", None])
def test_a_size_without_nvlink_or_infiniband_has_none_to_miss(size: str | None) -> None:
    assert missing_interconnect(_report(1), size) == []


def test_inventory_blocks_on_a_node_without_its_sizes_interconnect(
    kube_emulator: Any, kubeconfig: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AKSCLI_PROBE_IMAGE", "registry.example.com/akscli-probe:0.1.0")
    add_nodes(kube_emulator, [fx.node("aks-gpu-0"), fx.node("aks-gpu-1")])
    # aks-gpu-1 answers as the recorded VM does (no NVLink, no /sys/class/infiniband)
    kube_emulator.controllers.add(
        GpuPodController(probe_output=lambda n: recorded_probe_json(n, 8, ND_H100 if n == "aks-gpu-0" else None))
    )
    result = invoke("baremetal", "inventory", "-o", "json")
    assert result.exit_code == 9, result
    data = json.loads(result.stdout)
    assert {(a["node"], a["message"].split(";")[0].split(" shows")[0]) for a in data["anomalies"]} == {
        ("aks-gpu-1", "NVML lists no NVLink link on any GPU"),
        ("aks-gpu-1", "/sys/class/infiniband"),
    }
    assert {n["node"]: (n["nvlink"], n["rdma_ports"]) for n in data["nodes"]} == {
        "aks-gpu-0": ("144/144", "8/8"),
        "aks-gpu-1": ("none", "none"),
    }
