"""KubeRay's head and worker pods on a cluster with no Node stay Pending as kube-scheduler leaves
them (ErrNoNodesAvailable: PodScheduled False, Unschedulable, "no nodes available to schedule pods",
a FailedScheduling event), by the emulator's StatefulSet rule (scheduling.NO_NODES), and run once a
Node comes.

upstream: kubernetes/kubernetes pkg/scheduler/schedule_one.go (schedulePod, ErrNoNodesAvailable,
handleSchedulingFailure); ray-project/kuberay v1.7.0 ray-operator/controllers/ray/raycluster_controller.go
(the operator creates the pods; the scheduler binds them).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.emulators.kube.controllers.scheduling import NO_NODES
from tests.ray.test_cli_cluster import ray_pods, wait_until


def test_ray_pods_on_a_cluster_with_no_node_stay_pending_until_one_comes(ray_emulator: Callable[..., Any]) -> None:
    from tests.baremetal.nodes import cpu_node
    from tests.emulators.kube.controllers.rescheduling import Rescheduler

    emu = ray_emulator(node=False)
    emu.controllers.add(Rescheduler(0.02))  # kube-scheduler's retry on a Node event (builtin_controllers)
    assert invoke("ray", "cluster", "create", "demo", "--worker-replicas", "1").exit_code == 0
    # The simulator creates each pod, then writes its status: wait for both writes.
    wait_until(lambda: [bool(p["status"].get("conditions")) for p in ray_pods(emu, "demo")] == [True, True])
    for pod in ray_pods(emu, "demo"):
        assert pod["status"]["phase"] == "Pending"
        [scheduled] = pod["status"]["conditions"]
        assert (scheduled["type"], scheduled["status"], scheduled["reason"]) == (
            "PodScheduled",
            "False",
            "Unschedulable",
        )
        assert scheduled["message"] == NO_NODES
    events = emu.cluster.list("v1", "Event", "default")
    assert any(e.get("reason") == "FailedScheduling" and e.get("message") == NO_NODES for e in events)
    emu.cluster.create(cpu_node("aks-system-0"))
    wait_until(lambda: all(p.get("spec", {}).get("nodeName") == "aks-system-0" for p in ray_pods(emu, "demo")))
