"""akscli counts a NodePool as nodes on demand only where Karpenter's provisioner schedules with it:
Ready, not static (spec.replicas), not being deleted (upstream: kubernetes-sigs/karpenter 2266468
pkg/controllers/provisioning/provisioner.go NewScheduler, "ignoring nodepool, not ready";
pkg/utils/nodepool/nodepool.go IsStatic; akscli.nap.admit.schedules)."""

from __future__ import annotations

from typing import Any

import pytest

from akscli.nap import admit as nap_admit
from tests.cli import invoke
from tests.emulators.kube.apiserver import wait_until
from tests.model.test_nap_fit import T4
from tests.model.test_nap_gpu_pool import Start, nap_lab, text


def pool(**parts: Any) -> dict[str, Any]:
    return {"metadata": {"name": "gpu", **parts.get("metadata", {})}, "spec": parts.get("spec", {}),
            "status": parts.get("status", {})}  # fmt: skip


def ready(status: str) -> dict[str, Any]:
    return {"conditions": [{"type": "Ready", "status": status}]}


@pytest.mark.parametrize(
    ("parts", "schedules"),
    [
        ({"status": ready("True")}, True),
        ({}, True),  # no Ready condition yet: just added
        ({"status": ready("False")}, False),
        ({"status": ready("Unknown")}, False),
        ({"status": ready("True"), "spec": {"replicas": 2}}, False),  # a static pool
        ({"status": ready("True"), "metadata": {"deletionTimestamp": "2026-01-01T00:00:00Z"}}, False),
    ],
)
def test_karpenter_schedules_only_with_a_ready_dynamic_pool_not_being_deleted(
    parts: dict[str, Any], schedules: bool
) -> None:
    assert nap_admit.schedules(pool(**parts)) is schedules


def test_a_pool_whose_node_class_is_missing_is_not_capacity_on_demand(model_emulator: Start) -> None:
    # the NodePool's NodeClassReady is False (NodeClassNotFound), so Ready is False and Karpenter
    # makes no node for the pods (pkg/controllers/nodepool/readiness/controller.go)
    emu = nap_lab(model_emulator)
    added = invoke("nodepool", "add", "gpu", "--auto-provision", "--gpu", "t4", "--node-class", "nope", "-y")
    assert added.exit_code == 0, text(added)
    # Karpenter's readiness controller writes Ready=False a moment after the add (until then the
    # pool is "just added" and counts); the deploy reads the pool after it, as on a cluster
    assert wait_until(
        lambda: not nap_admit.schedules(emu.cluster.get("karpenter.sh/v1", "NodePool", None, "gpu") or {})
    )
    result = invoke("model", "deploy", "phi-4-mini-instruct", "--runtime", "vllm", "--vm-size", T4, "-y")
    assert result.exit_code == 0, text(result)
    assert "node auto-provisioning makes" not in " ".join(text(result).split())
