"""``baremetal inventory --dry-run`` makes one probe Job per GPU node: 15,000 of a 75,000-node
cluster. Each Job becomes its printed text as its node's page arrives; only a batch of them is
held while the API server answers a server dry run (tests/listpages.py Held counts the Jobs
alive at once)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from akscli.baremetal import inventory
from tests.cli import invoke
from tests.listpages import Held

from . import nodes as fx
from .conftest import add_nodes

IMAGE = "registry.example.com/akscli-probe:0.1.0"
GPU_NODES = 70  # more than a batch of the server dry run (inventory._DRY_RUN_BATCH)


@pytest.fixture
def many_gpu_nodes(kube_emulator: Any) -> Any:
    add_nodes(kube_emulator, [fx.node(f"aks-gpu-{i:03d}") for i in range(GPU_NODES)])
    return kube_emulator


def counted_jobs(monkeypatch: pytest.MonkeyPatch) -> Held:
    held = Held()
    make = inventory.job
    monkeypatch.setattr(inventory, "job", lambda *args: held.counted(make(*args)))
    return held


def test_a_client_dry_run_holds_a_job_at_a_time(
    many_gpu_nodes: Any, kubeconfig: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    held = counted_jobs(monkeypatch)
    result = invoke("baremetal", "inventory", "--image", IMAGE, "--dry-run", "-o", "name")
    assert result.exit_code == 0, result
    assert len(result.stdout.split()) == GPU_NODES
    assert held.listed == GPU_NODES and held.most <= 2  # the Job printed, and the next one made


def test_a_server_dry_run_holds_a_batch_of_jobs(
    many_gpu_nodes: Any, kubeconfig: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    held = counted_jobs(monkeypatch)
    result = invoke("baremetal", "inventory", "--image", IMAGE, "--dry-run=server", "-o", "name")
    assert result.exit_code == 0, result
    assert len(result.stdout.split()) == GPU_NODES
    assert held.listed == GPU_NODES and held.most <= inventory._DRY_RUN_BATCH


def test_streamed_jobs_print_the_bytes_of_the_whole_dump(many_gpu_nodes: Any, kubeconfig: Any) -> None:
    from ruamel.yaml import YAML

    from akscli import yamlio

    as_json = invoke("baremetal", "inventory", "--image", IMAGE, "--dry-run", "-o", "json").stdout
    document = json.loads(as_json)
    assert (document["kind"], document["metadata"], len(document["items"])) == ("List", {}, GPU_NODES)
    assert as_json == yamlio.dump_json(document) + "\n"
    as_yaml = invoke("baremetal", "inventory", "--image", IMAGE, "--dry-run", "-o", "yaml").stdout
    jobs = list(YAML(typ="safe").load_all(as_yaml))
    assert [j["spec"]["template"]["spec"]["nodeName"] for j in jobs] == [
        j["spec"]["template"]["spec"]["nodeName"] for j in document["items"]
    ]
    assert as_yaml == yamlio.dump_all(jobs)
