"""Every AI Runway provider holds its ModelDeployment under a finalizer, airunway.ai/<provider>-provider,
added before it makes anything; on deletion it sets phase Terminating, deletes what it made and lets go
once that is gone (ai-runway/airunway v0.7.0 providers/{kaito,vllm}/controller.go: Reconcile, FinalizerName,
handleDeletion). So a ModelDeployment deleted without waiting stays, Terminating, while its Deployment or
Workspace goes."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.cli import invoke

from ._queue import gpu_nodes
from .conftest import AIRUNWAY_CRDS

MD = "airunway.ai/v1alpha1"
Start = Callable[..., Any]


def _until(check: Callable[[], Any], seconds: float = 10) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    return check()


@pytest.mark.parametrize("provider", ["kaito", "vllm", "llmd"])
def test_each_provider_holds_its_model_deployment_under_its_finalizer(model_emulator: Start, provider: str) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    gpu_nodes(emu, 1)  # the vllm and llmd providers' pods are Ready only on a node with its GPU
    deploy = ("model", "deploy", "phi-4", "--runtime", "airunway", "--provider", provider, "-y")
    assert invoke(*deploy, "--wait", "--timeout", "60s").exit_code == 0
    md = emu.cluster.get(MD, "ModelDeployment", "default", "phi-4")
    assert md["metadata"]["finalizers"] == [f"airunway.ai/{provider}-provider"]


def test_a_model_deployment_deleted_without_waiting_is_terminating_until_its_deployment_is_gone(
    model_emulator: Start,
) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    gpu_nodes(emu, 1)
    deploy = ("model", "deploy", "phi-4", "--runtime", "airunway", "--provider", "vllm", "-y")
    assert invoke(*deploy, "--wait", "--timeout", "60s").exit_code == 0
    # The Deployment is slow to go, as on a cluster whose GC is busy.
    emu.cluster.patch("apps/v1", "Deployment", "default", "phi-4", {"metadata": {"finalizers": ["test/hold"]}})
    assert invoke("model", "delete", "phi-4", "-y", "--no-wait").exit_code == 0

    def terminating() -> dict[str, Any] | None:
        md = emu.cluster.get(MD, "ModelDeployment", "default", "phi-4")
        return md if (md or {}).get("status", {}).get("phase") == "Terminating" else None

    md = _until(terminating)
    assert md is not None and md["metadata"]["finalizers"] == ["airunway.ai/vllm-provider"]
    # handleDeletion deleted the Deployment itself (whatever the delete's propagation).
    assert emu.cluster.get("apps/v1", "Deployment", "default", "phi-4")["metadata"].get("deletionTimestamp")
    emu.cluster.patch("apps/v1", "Deployment", "default", "phi-4", {"metadata": {"finalizers": None}})
    assert _until(lambda: emu.cluster.get(MD, "ModelDeployment", "default", "phi-4") is None)
