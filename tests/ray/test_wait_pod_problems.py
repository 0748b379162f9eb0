"""A `--wait` on a RayCluster that times out says why its pods are not running, as a wait on a
Deployment does: KubeRay's pods are found by the `ray.io/cluster` label it puts on each of them
(ray-project/kuberay ray-operator/controllers/ray/common/pod.go labelPod), since a RayCluster has
no spec.selector."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.baremetal.nodes import nc_a100_node
from tests.cli import invoke


def test_a_timed_out_cluster_wait_quotes_the_scheduler_for_a_worker_no_node_has_room_for(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = ray_emulator(node=False)
    emu.cluster.create(nc_a100_node("aks-gpua100-0", pool="gpua100"))  # one A100: room for one worker
    created = invoke("ray", "cluster", "create", "demo", "--gpu-pool", "gpua100", "--worker-gpu", "1",
                     "--worker-replicas", "2", "--wait", "--timeout", "2s")  # fmt: skip
    assert created.exit_code == 5, created
    error = next(line for line in created.stderr.splitlines() if line.startswith("error: "))
    assert "timed out after 2s waiting for raycluster.ray.io/demo" in error
    assert "; pod demo-default-group-worker-" in error, error
    assert " not scheduled: 0/1 nodes are available: " in error
    assert "1 Insufficient nvidia.com/gpu" in error
    assert "hint: no node has room for the pod as the scheduler says" in created.stderr


def test_a_worker_on_a_pool_without_nodes_is_told_no_node_matches_its_pool_not_that_nodes_are_full(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = ray_emulator(node=False)
    emu.cluster.create(nc_a100_node("aks-gpua100-0", pool="gpua100"))
    created = invoke("ray", "cluster", "create", "demo", "--gpu-pool", "gpuh100", "--worker-gpu", "1",
                     "--wait", "--timeout", "2s")  # fmt: skip
    assert created.exit_code == 5, created
    assert " didn't match Pod's node affinity/selector" in created.stderr
    hint = next(line for line in created.stderr.splitlines() if line.startswith("hint: "))
    assert hint.startswith("hint: no node matches the pod's node selector or affinity (it asks for node pool gpuh100)")
    assert "no node has room" not in hint
