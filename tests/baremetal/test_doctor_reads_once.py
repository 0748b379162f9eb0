"""baremetal doctor reads each node's GPU facts once: on 75,000 nodes the check is client CPU."""

from __future__ import annotations

import collections
from typing import Any

import pytest

from akscli.baremetal import doctor
from akscli.gpu import devices

from . import nodes as fx
from .conftest import add_nodes, install_gpu_operator


def test_each_nodes_gpu_facts_are_read_once(kube_emulator: Any, kube: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    add_nodes(kube_emulator, fx.healthy_cluster(2))
    install_gpu_operator(kube_emulator)
    reads: collections.Counter[str] = collections.Counter()
    real = devices.read

    def read(node: Any) -> devices.NodeGpus:
        reads[str(node["metadata"]["name"])] += 1
        return real(node)

    monkeypatch.setattr(devices, "read", read)
    report = doctor.diagnose(kube, doctor.Options())
    assert (report.nodes_seen, set(reads.values())) == (3, {1})
