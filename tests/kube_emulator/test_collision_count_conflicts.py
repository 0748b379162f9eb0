"""A hash collision raises status.collisionCount with UpdateStatus of the object as read, not a patch:
a count another writer raised in between makes it 409 and the next try reads that count, so it is
not overwritten (kubernetes/kubernetes pkg/controller/deployment/sync.go getNewReplicaSet, the
error dropped and the sync requeued; pkg/controller/daemon/update.go snapshot, UpdateStatus of a
fresh Get, its error the sync's). The other writer lands just before the controller's write."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.controllers.pods import compute_hash
from tests.kube_emulator.test_deployment_collision import get, name_taken, rolled
from tests.kube_emulator.test_kubectl_daemonset_rollout import agent, set_image, status
from tests.kube_emulator.test_status_conflicts import before_status_write

__all__ = ["agent"]  # the fixture

RAISED = 5  # the count the other writer sets


def raise_count(emu: KubeEmulator, kind: str, name: str) -> Callable[[], None]:
    """Another writer: status.collisionCount set to RAISED (a merge patch)."""
    return lambda: emu.cluster.patch_status("apps/v1", kind, "default", name, {"collisionCount": RAISED})


def counting(written: dict[str, Any]) -> bool:
    return "collisionCount" in written


def test_a_deployment_collision_keeps_a_count_raised_after_the_sync_read_it(
    kube_emulator: KubeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    template = name_taken(kube_emulator)
    before_status_write(
        kube_emulator, monkeypatch, "Deployment", counting, raise_count(kube_emulator, "Deployment", "web")
    )
    d = get(kube_emulator)
    d["spec"]["template"] = template
    kube_emulator.cluster.update(d)
    assert wait_until(lambda: rolled(kube_emulator, "nginx:1.28"))
    assert get(kube_emulator)["status"]["collisionCount"] == RAISED
    names = {rs["metadata"]["name"] for rs in kube_emulator.cluster.list("apps/v1", "ReplicaSet", "default")}
    assert f"web-{compute_hash(template, RAISED)}" in names


def test_a_daemonset_collision_keeps_a_count_raised_after_the_sync_read_it(
    agent: KubeEmulator, kubeconfig: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ds = agent.cluster.get("apps/v1", "DaemonSet", "default", "agent") or {}
    template = copy.deepcopy(ds["spec"]["template"])
    template["spec"]["containers"][0]["image"] = "nginx:1.28"
    agent.cluster.create(
        {
            "apiVersion": "apps/v1",
            "kind": "ControllerRevision",
            "metadata": {"name": f"agent-{compute_hash(template, None)}", "namespace": "default"},
            "data": {"spec": {"template": {"$patch": "replace"}}},
            "revision": 1,
        }
    )
    before_status_write(agent, monkeypatch, "DaemonSet", counting, raise_count(agent, "DaemonSet", "agent"))
    set_image("nginx:1.28")
    raised = f"agent-{compute_hash(template, RAISED)}"
    assert wait_until(
        lambda: any(r["metadata"]["name"] == raised for r in agent.cluster.list("apps/v1", "ControllerRevision"))
    )
    assert status(agent)["collisionCount"] == RAISED
    assert agent.controllers.errors == []
