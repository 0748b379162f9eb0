"""Karpenter's NodePool readiness controller and the Azure provider's AKSNodeClass status controller
write conditions with Status().Patch and client.MergeFromWithOptimisticLock of the object as they
read it: a writer that came between makes it 409, the object is requeued and read again, and its
condition type stays (operatorpkg's Set replaces only its own types). The NodePool counter
controller's resources and nodes are a plain client.MergeFrom patch of what changed, which never
carries the condition list (kubernetes-sigs/karpenter 2266468 pkg/controllers/nodepool/readiness/
controller.go, pkg/controllers/nodepool/counter/controller.go; Azure/karpenter-provider-azure 352646f
pkg/controllers/nodeclass/status/controller.go). The other writer lands just before the write."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.kube_emulator.test_karpenter import H100, emu, gpu_app, gpu_pool, running_on
from tests.kube_emulator.test_status_conflicts import before_status_write, note

__all__ = ["emu"]  # the fixture

POOL = ("karpenter.sh/v1", "NodePool")
CLASS = ("karpenter.azure.com/v1beta1", "AKSNodeClass")


def condition_types(emu: KubeEmulator, kind: tuple[str, str], name: str) -> dict[str, str]:
    found = emu.cluster.get(*kind, None, name) or {}
    return {c["type"]: c["status"] for c in (found.get("status") or {}).get("conditions") or []}


def sets(ctype: str) -> Any:
    return lambda written: any(c.get("type") == ctype for c in written.get("conditions") or [])


def test_a_nodepool_readiness_write_keeps_a_condition_written_after_the_pool_was_read(
    emu: KubeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert emu.idle(10.0)  # the default NodePool's own writes done: the next one is the new pool's
    before_status_write(emu, monkeypatch, "NodePool", sets("NodeClassReady"), note(emu.cluster, *POOL, None, "gpu"))
    emu.cluster.create(gpu_pool("gpu", [H100]))
    assert wait_until(lambda: condition_types(emu, POOL, "gpu").get("Ready") == "True")
    assert condition_types(emu, POOL, "gpu").get("Noted") == "True"
    assert emu.controllers.errors == []


def test_a_nodepool_count_write_carries_no_conditions_and_keeps_another_writers(
    emu: KubeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    emu.cluster.create(gpu_pool("gpu", [H100]))
    assert wait_until(lambda: condition_types(emu, POOL, "gpu").get("Ready") == "True")
    before_status_write(
        emu, monkeypatch, "NodePool", lambda written: written.get("nodes") == 1, note(emu.cluster, *POOL, None, "gpu")
    )
    emu.cluster.create(gpu_app("llm", H100))
    running_on(emu, "llm")
    assert wait_until(lambda: (emu.cluster.get(*POOL, None, "gpu") or {}).get("status", {}).get("nodes") == 1)
    assert condition_types(emu, POOL, "gpu").get("Noted") == "True"
    assert emu.controllers.errors == []


def test_an_aksnodeclass_status_write_keeps_a_condition_written_after_the_class_was_read(
    emu: KubeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert emu.idle(10.0)  # the default class's own writes done: the next one is the new class's
    before_status_write(emu, monkeypatch, "AKSNodeClass", sets("SubnetsReady"), note(emu.cluster, *CLASS, None, "gpu"))
    emu.cluster.create({"apiVersion": CLASS[0], "kind": CLASS[1], "metadata": {"name": "gpu"}, "spec": {}})
    assert wait_until(lambda: condition_types(emu, CLASS, "gpu").get("Ready") == "True")
    assert condition_types(emu, CLASS, "gpu").get("Noted") == "True"
    assert emu.controllers.errors == []
