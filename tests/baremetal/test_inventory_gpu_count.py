"""baremetal inventory compares the GPUs NVML sees on each node with the GPUs its VM size has: a
GPU fallen off the bus (Xid 79) leaves NVML, and the probe, one GPU short."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.cli import invoke
from tests.emulators.kube.controllers.gpu_pods import GpuPodController, recorded_probe_json

from . import nodes as fx
from .conftest import add_nodes

IMAGE = "registry.example.com/akscli-probe:0.1.0"
ND_H100 = "Standard_ND96isr_H100_v5"


@pytest.fixture(autouse=True)
def probe_image(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AKSCLI_PROBE_IMAGE", IMAGE)


def test_a_node_whose_probe_sees_fewer_gpus_than_its_size_has_is_a_blocking_anomaly(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    add_nodes(kube_emulator, [fx.node("aks-gpu-0")])  # Standard_ND96isr_H100_v5: 8 GPUs
    kube_emulator.controllers.add(GpuPodController(probe_output=lambda node: recorded_probe_json(node, 7, ND_H100)))
    result = invoke("baremetal", "inventory", "-o", "json")
    assert result.exit_code == 9, result
    data = json.loads(result.stdout)
    assert data["anomalies"] == [
        {
            "node": "aks-gpu-0",
            "scope": "node",
            "severity": "error",
            "message": "NVML sees 7 of the 8 GPUs a Standard_ND96isr_H100_v5 has",
            "fix": "look for Xid 79 (GPU fallen off the bus) in the node's kernel log and compare 'nvidia-smi -L'; "
            "drain the node and reimage it, or report the VM to Azure",
        }
    ]
    assert (data["nodes"][0]["gpus"], data["nodes"][0]["expected_gpus"]) == (7, 8)


def test_the_table_names_the_missing_gpu_on_stderr(kube_emulator: Any, kubeconfig: Any) -> None:
    add_nodes(kube_emulator, [fx.node("aks-gpu-0")])
    kube_emulator.controllers.add(GpuPodController(probe_output=recorded_probe_json))
    result = invoke("baremetal", "inventory")
    assert result.exit_code == 9
    assert "aks-gpu-0 node: NVML sees 1 of the 8 GPUs a Standard_ND96isr_H100_v5 has" in result.stderr


def test_a_node_whose_probe_sees_every_gpu_of_its_size_has_no_count_anomaly(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    add_nodes(kube_emulator, [fx.node("aks-gpu-0")])
    kube_emulator.controllers.add(GpuPodController())  # the recorded H100, 8 times on an ND H100 v5
    result = invoke("baremetal", "inventory", "-o", "json")
    assert result.exit_code == 0, result
    data = json.loads(result.stdout)
    assert data["anomalies"] == []
    assert (data["nodes"][0]["gpus"], data["nodes"][0]["expected_gpus"]) == (8, 8)


def test_the_simulated_probe_gives_each_gpu_of_a_node_its_own_index_uuid_and_bus() -> None:
    gpus = json.loads(recorded_probe_json("aks-gpu-0", 8))["gpus"]
    assert [g["index"] for g in gpus] == list(range(8))
    assert len({g["uuid"] for g in gpus}) == len({g["pci_bus_id"] for g in gpus}) == 8
