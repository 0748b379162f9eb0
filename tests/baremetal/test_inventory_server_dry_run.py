"""``baremetal inventory --dry-run=server`` sends one dry-run create per GPU node, as kubectl's
--dry-run=server sends each object: 15,000 at 75,000 nodes. It says so before the first, sends at
most ``inventory.CREATE_PARALLEL`` at once, and sends the first alone, so that a refusal every
Job would get costs one request, not the up to 8 in flight when the first refusal comes back."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from akscli.baremetal import inventory
from akscli.kube.client import Kube
from tests.cli import invoke

from . import nodes as fx
from .conftest import add_nodes

IMAGE = "registry.example.com/akscli-probe:0.1.0"
GPU_NODES = 70  # more than a batch (inventory._DRY_RUN_BATCH)


@pytest.fixture
def many_gpu_nodes(kube_emulator: Any) -> Any:
    add_nodes(kube_emulator, [fx.node(f"aks-gpu-{i:03d}") for i in range(GPU_NODES)])
    return kube_emulator


def job_posts(emu: Any, namespace: str) -> list[Any]:
    return emu.requests(method="POST", path=f"/apis/batch/v1/namespaces/{namespace}/jobs")


def test_server_dry_run_sends_one_create_per_gpu_node_and_says_so_first(many_gpu_nodes: Any, kubeconfig: Any) -> None:
    result = invoke("baremetal", "inventory", "--image", IMAGE, "--dry-run=server", "-o", "name")
    assert result.exit_code == 0, result
    posts = job_posts(many_gpu_nodes, "default")
    assert len(posts) == GPU_NODES and all(p.query.get("dryRun") == ["All"] for p in posts)
    assert "one per GPU node, 8 at a time" in result.stderr


def test_a_refusal_of_the_first_job_costs_one_request(many_gpu_nodes: Any, kubeconfig: Any) -> None:
    result = invoke("baremetal", "inventory", "--image", IMAGE, "--dry-run=server", "-n", "nowhere", "-o", "name")
    assert result.exit_code != 0 and "nowhere" in result.stderr, result
    assert len(job_posts(many_gpu_nodes, "nowhere")) == 1
    assert result.stdout == ""


def test_no_more_than_eight_creates_are_in_flight(
    many_gpu_nodes: Any, kubeconfig: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    lock, now, most = threading.Lock(), [0], [0]
    create = Kube.create

    def counted(self: Kube, obj: Any, **kwargs: Any) -> Any:
        with lock:
            now[0] += 1
            most[0] = max(most[0], now[0])
        try:
            return create(self, obj, **kwargs)
        finally:
            with lock:
                now[0] -= 1

    monkeypatch.setattr(Kube, "create", counted)
    result = invoke("baremetal", "inventory", "--image", IMAGE, "--dry-run=server", "--parallel", "500", "-o", "name")
    assert result.exit_code == 0, result
    assert 1 <= most[0] <= inventory.CREATE_PARALLEL == 8
