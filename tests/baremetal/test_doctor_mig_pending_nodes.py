"""doctor on several GPU nodes changing their MIG layout: every pending node is looked into (up to
gpu_nodes.MIG_LOOKED, one pod list each), the message names a stuck one wherever it is in the
list, and says how many of those looked at are stuck (akscli.gpu.mig)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from akscli.gpu import mig as gpu_mig
from akscli.gpu import nodes as gpu_nodes
from akscli.gpu.nodes import GpuNodes
from tests.emulators.kube.controllers.mig_manager import MigManager

from . import nodes as fx
from .conftest import hold_plugin_pod, mig_findings, mig_past_its_wait, release_pod, settle

APPLYING, STUCK = "aks-gpu-0", "aks-gpu-1"


def test_a_stuck_node_after_one_still_applying_makes_the_finding_an_error(
    kube_emulator: Any, kube: Any, mig: MigManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    mig.hold.add(APPLYING)  # its clients gone, the apply holds: under way
    pod = hold_plugin_pod(kube_emulator, STUCK)
    for node in (APPLYING, STUCK):
        kube_emulator.cluster.patch(
            "v1", "Node", None, node, {"metadata": {"labels": {gpu_nodes.MIG_CONFIG: "all-1g.10gb"}}}
        )
    settle(kube_emulator)
    mig_past_its_wait(kube_emulator, mig, monkeypatch)
    [found] = mig_findings(kube)
    assert found.severity == "error"
    assert f"; {STUCK} is stuck: pending 6 minute(s) with {pod} still on it" in found.message
    assert found.message.endswith(f"; 1 of the 2 pending node(s) looked at is stuck ({STUCK})")
    assert found.fix.startswith(f"find why {pod} stays")
    release_pod(kube_emulator, pod)
    mig.release(APPLYING)


def pending_node(index: int) -> dict[str, Any]:
    node = fx.node(f"aks-gpu-{index}")
    node["metadata"]["labels"].update({gpu_nodes.MIG_CONFIG: "all-1g.10gb", gpu_nodes.MIG_STATE: "pending"})
    node["metadata"]["managedFields"] = [
        {"manager": gpu_nodes.MIG_MANAGER, "operation": "Update", "time": datetime.now(UTC).isoformat()}
    ]
    return node


class PodLists:
    """A Kube that answers every pod list with no pod (each node's clients gone) and counts them."""

    def __init__(self) -> None:
        self.calls = 0

    def list(self, *_args: Any, **_kwargs: Any) -> list[dict[str, Any]]:
        self.calls += 1
        return []


def test_pending_nodes_are_looked_into_up_to_the_bound_and_the_rest_counted() -> None:
    found = gpu_nodes.GpuNodes()
    for index in range(gpu_nodes.MIG_LOOKED + 5):
        found.add(pending_node(index))
    kube = PodLists()
    [rule] = gpu_mig.rules(kube, found, "gpu-operator", lambda *a, **k: a)  # type: ignore[arg-type]
    assert kube.calls == gpu_nodes.MIG_LOOKED
    assert rule[1] == "warning"
    assert rule[2].endswith(
        f"; none of the {gpu_nodes.MIG_LOOKED} pending node(s) looked at is stuck, 5 more not looked at"
    )


class ClientPods:
    """A Kube whose every node still has one GPU client pod, the device plugin's, deleted
    ``minutes`` ago (None: not being deleted) and held by a finalizer."""

    def __init__(self, minutes: int | None) -> None:
        self.minutes = minutes

    def list(self, *_args: Any, **_kwargs: Any) -> list[dict[str, Any]]:
        meta: dict[str, Any] = {"name": "nvidia-device-plugin-daemonset-x1", "labels": {"app": gpu_mig.CLIENTS[0]}}
        if self.minutes is not None:
            # The kubelet's final delete (grace 0) of a pod a finalizer holds: deletionTimestamp is its time.
            deleted = datetime.now(UTC) - timedelta(minutes=self.minutes)
            meta.update(deletionTimestamp=deleted.strftime("%Y-%m-%dT%H:%M:%SZ"), deletionGracePeriodSeconds=0)
        return [{"metadata": meta}]


def unwritten_pending_node() -> GpuNodes:
    """One pending node whose managedFields has no MIG manager entry (another manager took its fields)."""
    node = pending_node(1)
    del node["metadata"]["managedFields"]
    found = gpu_nodes.GpuNodes()
    found.add(node)
    return found


def test_a_pending_node_without_the_managers_write_is_dated_by_its_clients_deletion() -> None:
    [rule] = gpu_mig.rules(ClientPods(minutes=11), unwritten_pending_node(), "gpu-operator", lambda *a, **k: a)  # type: ignore[arg-type]
    assert rule[1] == "error"
    assert rule[2].endswith(
        "; aks-gpu-1 is stuck: pending 11 minute(s) (counted from its GPU clients' deletion: no MIG manager write in "
        "managedFields) with nvidia-device-plugin-daemonset-x1 still on it, longer than the MIG manager waits for "
        "it (5 minutes for each GPU client up to it): it gave up, and acts again only when the label changes or "
        "its pod restarts"
    )


def test_a_pending_node_whose_clients_are_not_being_deleted_is_a_warning_that_says_so() -> None:
    [rule] = gpu_mig.rules(ClientPods(minutes=None), unwritten_pending_node(), "gpu-operator", lambda *a, **k: a)  # type: ignore[arg-type]
    assert rule[1] == "warning"
    assert rule[2].endswith(
        "; aks-gpu-1 is pending with nvidia-device-plugin-daemonset-x1 still on it and not being deleted: the MIG "
        "manager has not paused its GPU clients yet, or their DaemonSets do not select nodes by the "
        "nvidia.com/gpu.deploy.* labels"
    )
