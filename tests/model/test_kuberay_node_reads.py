"""The kuberay check of `model deploy --runtime airunway --provider kuberay` reads GPU nodes by label,
a bounded number of pages, never every node of the cluster (preflight._check_kuberay_nodes)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from akscli.model import preflight
from tests.baremetal.nodes import nc_a100_node
from tests.cli import invoke

from .conftest import AIRUNWAY_CRDS

Start = Callable[..., Any]
SKU_GPU = {"key": "sku", "value": "gpu", "effect": "NoSchedule"}
DEPLOY = ("model", "deploy", "phi-4", "--runtime", "airunway", "--provider", "kuberay", "-y")


def cpu_node(name: str) -> dict[str, Any]:
    labels = {"kubernetes.azure.com/agentpool": "system", "node.kubernetes.io/instance-type": "Standard_D4s_v5"}
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": labels}, "status": {}}


def test_the_kuberay_check_lists_only_labelled_gpu_nodes_in_small_pages(model_emulator: Start) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    for i in range(5):
        emu.cluster.create(cpu_node(f"cpu-{i}"))
    emu.cluster.create(nc_a100_node("gpu-0", pool="gpu"))
    emu.record_requests = True
    result = invoke(*DEPLOY)
    assert result.exit_code == 0, result
    reads = emu.requests("GET", "/api/v1/nodes")
    assert reads and len(reads) <= 8
    for read in reads:
        assert read.query.get("labelSelector"), read.query  # never the whole cluster's nodes
        assert read.query["limit"] == [str(preflight._GPU_NODE_PAGE)]


def test_the_kuberay_check_warns_instead_of_refusing_when_gpu_nodes_were_left_unread(
    model_emulator: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two pages of one node per label: the third tainted GPU node is never read, and it might be
    # one the workers tolerate, so the deploy is not refused on what was read.
    monkeypatch.setattr(preflight, "_GPU_NODE_PAGE", 1)
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    for i in range(3):
        emu.cluster.create(nc_a100_node(f"gpu-{i}", pool="gpu", taints=[SKU_GPU]))
    emu.record_requests = True
    result = invoke(*DEPLOY)
    assert result.exit_code == 0, result
    assert "tolerate no GPU node read (sku=gpu:NoSchedule on pool gpu (2 nodes)); others were not read" in (
        result.stderr
    )
    # The two labels these nodes carry (gpu.product, accelerator): two pages each; the two they
    # lack (AKS's accelerator label, gpu.present): one empty page each.
    assert len(emu.requests("GET", "/api/v1/nodes")) == 6
