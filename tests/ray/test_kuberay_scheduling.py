"""KubeRay's pods are placed by the default scheduler like any other pod
(tests/emulators/kube/controllers/scheduling.py): a worker that does not tolerate its GPU pool's
taint stays Pending, and `ray cluster status` quotes the scheduler."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.ray.test_cli_cluster import gpu_node, ray_pods, wait_until

SPOT_TAINT = {"key": "kubernetes.azure.com/scalesetpriority", "value": "spot", "effect": "NoSchedule"}


def spot_gpu_cluster(emu: Any) -> None:
    """A system node (the head runs there) and a spot GPU node with the taint AKS gives spot pools."""
    allocatable = {"cpu": "3860m", "memory": "12000000Ki", "pods": "110"}
    labels = {"kubernetes.azure.com/agentpool": "system", "kubernetes.azure.com/mode": "system"}
    emu.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {"name": "aks-system-0", "labels": labels},
            "status": {"capacity": allocatable, "allocatable": allocatable},
        }
    )
    gpu_node(emu, "aks-spota100-0", "spota100")
    spot = {"metadata": {"labels": {"kubernetes.azure.com/scalesetpriority": "spot"}}, "spec": {"taints": [SPOT_TAINT]}}
    emu.cluster.patch("v1", "Node", None, "aks-spota100-0", spot)


def workers(emu: Any) -> list[dict[str, Any]]:
    return [p for p in ray_pods(emu, "demo") if p["metadata"]["labels"]["ray.io/node-type"] == "worker"]


def test_a_gpu_worker_without_the_spot_toleration_stays_pending_with_the_schedulers_words(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = ray_emulator()
    spot_gpu_cluster(emu)
    created = invoke("ray", "cluster", "create", "demo", "--worker-gpu", "1", "--worker-replicas", "1", "--no-wait")
    assert created.exit_code == 0, created
    wait_until(lambda: len(workers(emu)) == 1)
    condition = next(c for c in workers(emu)[0]["status"]["conditions"] if c["type"] == "PodScheduled")
    assert condition["reason"] == "Unschedulable"
    assert "1 node(s) had untolerated taint {kubernetes.azure.com/scalesetpriority: spot}" in condition["message"]
    status = invoke("ray", "cluster", "status", "demo")
    assert "untolerated taint {kubernetes.azure.com/scalesetpriority: spot}" in status.stdout + status.stderr


def test_a_spot_worker_is_placed_on_the_spot_gpu_node(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    spot_gpu_cluster(emu)
    created = invoke(
        "ray", "cluster", "create", "demo", "--worker-gpu", "1", "--worker-replicas", "1", "--spot", "--no-wait"
    )
    assert created.exit_code == 0, created
    wait_until(
        lambda: (
            [
                p["spec"].get("nodeName")
                for p in ray_pods(emu, "demo")
                if p["metadata"]["labels"]["ray.io/node-type"] == "worker"
            ]
            == ["aks-spota100-0"]
        )
    )
