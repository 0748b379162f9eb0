"""A DaemonSet's changed template rolls node by node, as upstream's controller does
(kubernetes/kubernetes pkg/controller/daemon/update.go rollingUpdate, maxSurge 0: an available old
pod is deleted while fewer than maxUnavailable, default 1, are unavailable; the manage loop makes
the new pod on its node), and its status counts the updated pods kubectl rollout status reads
(pkg/controller/daemon/daemon_controller.go updateDaemonSetStatus; kubernetes/kubectl
pkg/polymorphichelpers/rollout_status.go DaemonSetStatusViewer)."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.kube_emulator.test_daemon_pods import daemonset
from tests.kube_emulator.test_scheduling import node, pods, seed


def _status(emu: KubeEmulator) -> dict[str, Any]:
    return dict((emu.cluster.get("apps/v1", "DaemonSet", "default", "agent") or {}).get("status") or {})


def _running_on_two_nodes(emu: KubeEmulator, strategy: dict[str, Any] | None = None) -> None:
    seed(emu, node("node-0"), node("node-1"))
    ds = daemonset("agent")
    if strategy:
        ds["spec"]["updateStrategy"] = strategy
    emu.cluster.create(ds)
    assert wait_until(lambda: _status(emu).get("numberAvailable") == 2)


def _change(emu: KubeEmulator, cpu: str) -> None:
    """A new template asking ``cpu`` of each node (a node has 7860m)."""
    ds = emu.cluster.get("apps/v1", "DaemonSet", "default", "agent")
    ds["spec"]["template"]["spec"]["containers"][0]["resources"] = {"requests": {"cpu": cpu}}
    emu.cluster.update(ds)
    assert wait_until(lambda: _status(emu).get("observedGeneration") == 2)


def _live(emu: KubeEmulator) -> list[dict[str, Any]]:
    """The DaemonSet's pods not terminating (a deleted pod keeps its grace period)."""
    return [p for p in pods(emu, "agent") if not p["metadata"].get("deletionTimestamp")]


def _revisions(emu: KubeEmulator) -> list[str]:
    return sorted(p["metadata"]["labels"]["controller-revision-hash"] for p in _live(emu))


def test_a_template_that_fits_replaces_the_pod_on_every_node(kube_emulator: KubeEmulator) -> None:
    _running_on_two_nodes(kube_emulator)
    before = set(_revisions(kube_emulator))
    _change(kube_emulator, "100m")
    assert wait_until(lambda: _status(kube_emulator).get("updatedNumberScheduled") == 2)
    assert wait_until(lambda: len(set(_revisions(kube_emulator))) == 1 and len(_revisions(kube_emulator)) == 2)
    assert not before & set(_revisions(kube_emulator))


def test_a_new_pod_that_cannot_run_holds_the_rollout_at_one_node(kube_emulator: KubeEmulator) -> None:
    """maxUnavailable 1: the Pending new pod is the one unavailable node; the other keeps its old pod."""
    _running_on_two_nodes(kube_emulator)
    _change(kube_emulator, "64")
    assert wait_until(lambda: _status(kube_emulator).get("updatedNumberScheduled") == 1)
    status = _status(kube_emulator)
    assert (status["desiredNumberScheduled"], status["numberAvailable"], status["numberUnavailable"]) == (2, 1, 1)
    phases = sorted(p["status"].get("phase") for p in _live(kube_emulator))
    assert phases == ["Pending", "Running"]
    assert len(set(_revisions(kube_emulator))) == 2


def test_on_delete_keeps_the_old_pods_and_counts_none_updated(kube_emulator: KubeEmulator) -> None:
    _running_on_two_nodes(kube_emulator, {"type": "OnDelete"})
    before = _revisions(kube_emulator)
    _change(kube_emulator, "100m")
    assert _status(kube_emulator)["updatedNumberScheduled"] == 0
    assert _revisions(kube_emulator) == before
