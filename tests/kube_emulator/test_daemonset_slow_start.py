"""The DaemonSet simulator's creates, as kubernetes/kubernetes pkg/controller/daemon/daemon_controller.go
syncNodes makes them: no cap on a DaemonSet's pods (at most BurstReplicas a sync, the rest in the
next syncs), in slow-start batches of 1, 2, 4 ... that stop after a batch with a refused create."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.controllers.builtin import DaemonSetController
from tests.emulators.kube.controllers.daemon_pods import slow_start, target_node
from tests.emulators.kube.status import ApiError
from tests.kube_emulator.test_daemon_pods import daemonset, made_pods


def _controller(emu: KubeEmulator) -> DaemonSetController:
    return next(c for c in emu.controllers.controllers if isinstance(c, DaemonSetController))


def test_a_daemonset_on_more_than_a_thousand_nodes_runs_a_pod_on_every_node(kube_emulator: KubeEmulator) -> None:
    # Before: the simulator stopped at 1,000 pods and reported the rest as ready.
    kube_emulator.generate_cluster(nodes=1_001, pods=0, gpu_fraction=0.0, variety=False)
    kube_emulator.cluster.create(daemonset("agent"))
    assert kube_emulator.idle(300)  # CPU work (five syncs, ~5 ms a pod), bounded as helm --wait's 5m0s default
    pods = [p for p in kube_emulator.cluster.list("v1", "Pod", "default") if p["metadata"]["name"].startswith("agent-")]
    assert len({target_node(p) for p in pods}) == len(pods) == 1_001
    status = kube_emulator.cluster.get("apps/v1", "DaemonSet", "default", "agent")["status"]
    assert (status["desiredNumberScheduled"], status["currentNumberScheduled"]) == (1_001, 1_001)


def test_a_sync_creates_at_most_burst_replicas_pods_and_the_next_syncs_the_rest(
    kube_emulator: KubeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    controller = _controller(kube_emulator)
    monkeypatch.setattr(controller, "burst_replicas", 4)
    kube_emulator.generate_cluster(nodes=10, pods=0, gpu_fraction=0.0, variety=False)
    synced: list[int] = []
    listed = controller._pods

    def pods(cluster: Any, obj: dict[str, Any]) -> list[dict[str, Any]]:
        found = listed(cluster, obj)
        synced.append(len(found))
        return found

    monkeypatch.setattr(controller, "_pods", pods)
    made_pods(kube_emulator, daemonset("agent"), 10)
    assert [n for n in synced if n < 10][:3] == [0, 4, 8]  # each sync's manage reads 4 more pods


def test_a_refused_create_ends_the_syncs_creates_after_its_slow_start_batch(
    kube_emulator: KubeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    controller = _controller(kube_emulator)
    kube_emulator.generate_cluster(nodes=10, pods=0, gpu_fraction=0.0, variety=False)
    sent: list[str] = []
    make = controller._make_pod

    def quota_of_three(cluster: Any, owner: dict[str, Any], name: str, *rest: Any) -> Any:
        sent.append(name)
        if len(sent) > 3:
            raise ApiError(403, f'pods "{name}" is forbidden: exceeded quota: pods', "Forbidden")
        return make(cluster, owner, name, *rest)

    monkeypatch.setattr(controller, "_make_pod", quota_of_three)
    made_pods(kube_emulator, daemonset("agent"), 3)
    assert kube_emulator.idle(10)
    # batches of 1 and 2 made 3 pods; the batch of 4 was sent whole and refused; 3 nodes skipped
    assert len(sent) == 1 + 2 + 4
    assert any("exceeded quota" in e for e in kube_emulator.controllers.errors)


def test_a_create_refused_because_the_namespace_is_terminating_does_not_end_the_slow_start() -> None:
    # syncNodes: apierrors.HasStatusCause(err, v1.NamespaceTerminatingCause) returns before errCh, so
    # the batch counts no error and the next batch is sent (kubernetes/kubernetes
    # pkg/controller/daemon/daemon_controller.go).
    sent: list[int] = []
    terminating = ApiError(
        403,
        'pods "agent-x" is forbidden: unable to create new content in namespace default because it is being terminated',
        "Forbidden",
        {"causes": [{"reason": "NamespaceTerminating", "message": "namespace default is being terminated"}]},
    )

    def create(n: int) -> None:
        sent.append(n)
        if n == 1:
            raise terminating

    assert slow_start(list(range(7)), create) is None
    assert sent == list(range(7))
