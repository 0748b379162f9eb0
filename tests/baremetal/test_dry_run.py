"""--dry-run on baremetal inventory and baremetal test nccl: client prints the objects and creates
nothing; server sends them with dryRun=All and nothing is persisted."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.cli import invoke

from . import nodes as fx
from .conftest import add_nodes

IMAGE = "registry.example.com/akscli-probe:0.1.0"


@pytest.fixture
def gpu_nodes(kube_emulator: Any) -> Any:
    add_nodes(kube_emulator, [fx.cpu_node("aks-system-0")] + [fx.node(f"aks-gpu-{i}") for i in range(2)])
    return kube_emulator


def writes(emu: Any) -> list[str]:
    return [f"{r.method} {r.path}" for r in emu.request_log if r.method not in ("GET", "HEAD")]


def kinds(stdout: str) -> list[str]:
    data = json.loads(stdout)
    return [o["kind"] for o in data["items"]] if data["kind"] == "List" else [data["kind"]]


def test_inventory_client_dry_run_prints_one_job_per_gpu_node_and_creates_none(gpu_nodes: Any, kubeconfig: Any) -> None:
    result = invoke("baremetal", "inventory", "--image", IMAGE, "--dry-run", "-o", "json")
    assert result.exit_code == 0, result
    jobs = json.loads(result.stdout)["items"]
    assert [j["spec"]["template"]["spec"]["nodeName"] for j in jobs] == ["aks-gpu-0", "aks-gpu-1"]
    assert writes(gpu_nodes) == []


def test_inventory_server_dry_run_sends_dry_run_all_and_leaves_no_job(gpu_nodes: Any, kubeconfig: Any) -> None:
    result = invoke("baremetal", "inventory", "--image", IMAGE, "--dry-run=server", "-o", "name")
    assert result.exit_code == 0, result
    posts = gpu_nodes.requests(method="POST", path="/apis/batch/v1/namespaces/default/jobs")
    assert len(posts) == 2 and all(p.query.get("dryRun") == ["All"] for p in posts)
    assert gpu_nodes.cluster.list("batch/v1", "Job", namespace="default") == []


def test_nccl_client_dry_run_needs_no_cluster_and_prints_no_key() -> None:
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", "--vm-size", fx.ND_H100, "--dry-run", "-o", "json")
    assert result.exit_code == 0, result
    assert kinds(result.stdout) == ["Service", "Secret", "ConfigMap", "Job"]
    assert "PRIVATE KEY" not in result.stdout
    job = json.loads(result.stdout)["items"][3]
    assert job["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["nvidia.com/gpu"] == 8


def test_nccl_server_dry_run_sends_dry_run_all_and_creates_nothing(gpu_nodes: Any, kubeconfig: Any) -> None:
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", "--dry-run=server", "-o", "json")
    assert result.exit_code == 0, result
    applies = gpu_nodes.requests(method="PATCH")
    assert len(applies) == 4 and all(a.query.get("dryRun") == ["All"] for a in applies)
    assert gpu_nodes.cluster.list("batch/v1", "Job", namespace="default") == []
    assert "PRIVATE KEY" not in result.stdout


def test_nccl_default_image_is_one_with_sshd_pinned_by_tag() -> None:
    # run.sh starts /usr/sbin/sshd. Azure's aznhc-nv image installs only openssh-client
    # (Azure/azurehpc-health-checks dockerfile/azure-nvrt-nhc.dockerfile); coreweave/nccl-tests'
    # Dockerfile at 2eedd7c installs openssh-server, nccl-tests and HPC-X Open MPI.
    from akscli.baremetal.nccl import DEFAULT_IMAGE

    result = invoke("baremetal", "test", "nccl", "--nodes", "2", "--gpus-per-node", "8", "--dry-run", "-o", "json")
    assert result.exit_code == 0, result
    job = next(o for o in json.loads(result.stdout)["items"] if o["kind"] == "Job")
    image = job["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image == DEFAULT_IMAGE == "ghcr.io/coreweave/nccl-tests:12.8.1-devel-ubuntu22.04-nccl2.30.4-1-2eedd7c"
