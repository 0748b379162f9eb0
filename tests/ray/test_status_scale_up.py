"""`ray cluster status` on a GPU worker the cluster autoscaler cannot place: the hint follows the
autoscaler's NotTriggerScaleUp reasons (akscli.kube.scale_up), recorded by the lab's autoscaler
simulator (tests/emulators/autoscaler.py) for a pool at its maxCount."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tests.baremetal.nodes import small_cpu_node
from tests.cli import invoke
from tests.emulators.arm.server import ArmEmulator
from tests.emulators.autoscaler import ClusterAutoscaler

A100 = "Standard_NC24ads_A100_v4"


def test_a_worker_on_a_full_pool_is_told_to_raise_that_pools_maximum(
    ray_emulator: Callable[..., Any], arm_emulator: ArmEmulator
) -> None:
    emu = ray_emulator(node=False)
    emu.cluster.create(small_cpu_node(labels={"kubernetes.azure.com/mode": "system"}))
    cluster_id = f"/subscriptions/{arm_emulator.subscription}/resourceGroups/rg-ml/providers/Microsoft.ContainerService/managedClusters/ml"  # noqa: E501
    arm_emulator.put_resource(cluster_id, {"location": "eastus", "properties": {"agentPoolProfiles": []}})
    pool = {"vmSize": A100, "count": 0, "enableAutoScaling": True, "minCount": 0, "maxCount": 1,
            "nodeTaints": ["nvidia.com/gpu=present:NoSchedule"], "mode": "User"}  # fmt: skip
    arm_emulator.put_resource(f"{cluster_id}/agentPools/gpu", {"properties": pool})
    emu.controllers.add(ClusterAutoscaler(arm_emulator, delay=0.02))
    created = invoke("ray", "cluster", "create", "rc", "--worker-gpu", "1", "--gpu-pool", "gpu",
                     "--worker-replicas", "2", "-y")  # fmt: skip
    assert created.exit_code == 0, created
    out, end = "", time.monotonic() + 8
    while time.monotonic() < end and "max node group size reached" not in out:
        time.sleep(0.1)
        out = invoke("ray", "cluster", "status", "rc").stdout
    assert "cluster autoscaler: pod didn't trigger scale-up: 1 max node group size reached" in out, out
    # The worker asks for pool gpu by name (--gpu-pool): the hint names it.
    assert "akscli nodepool scale gpu --cluster CLUSTER -g GROUP --max N" in out, out
