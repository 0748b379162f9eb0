"""The simulated GFD labels a node with the driver that runs on it: the ClusterPolicy's
driver.version where the GPU Operator installs the driver, else the node's own (the recorded one).
upstream: NVIDIA/k8s-device-plugin 1b826ac internal/lm/nvml.go newVersionLabeler (NVML's driver);
NVIDIA/gpu-operator a22dbf6 api/nvidia/v1/clusterpolicy_types.go DriverSpec.IsEnabled."""

from __future__ import annotations

from typing import Any

from akscli.baremetal import doctor
from tests.emulators.kube.controllers.nvidia import ClusterPolicyController
from tests.emulators.kube.controllers.nvidia_gfd import gfd_labels, running_driver

from . import nodes as fx
from .conftest import cluster_policy, helm_gpu_operator

FULL = "nvidia.com/cuda.driver-version.full"


def test_the_labs_nodes_read_the_driver_the_cluster_policy_installs(kube_emulator: Any) -> None:
    from tests.emulators import lab

    lab.add_gpu_nodes(kube_emulator)
    helm_gpu_operator(kube_emulator)
    kube_emulator.controllers.add(ClusterPolicyController(delay=0.01, nfd=True))
    kube_emulator.cluster.create(cluster_policy(driver={"enabled": True, "version": "595.91.07"}))
    assert kube_emulator.idle(10.0)
    for name in ("gpu-node-0", "gpu-node-1"):
        labels = kube_emulator.cluster.get("v1", "Node", None, name)["metadata"]["labels"]
        assert doctor.driver_version(labels) == "595.91.07"
        assert "nvidia.com/cuda.runtime-version.full" not in labels  # not recorded for that driver


def test_without_the_operators_driver_gfd_writes_the_recorded_one() -> None:
    assert running_driver(cluster_policy(driver=False)) is None
    assert running_driver(cluster_policy(driver={"version": "595.91.07"})) == "595.91.07"  # unset: enabled
    node = fx.node("aks-gpu-0", driver="595.91.07")
    del node["metadata"]["labels"]["nvidia.com/gpu.product"]
    labels = gfd_labels(node)
    assert (labels[FULL], labels["nvidia.com/cuda.runtime-version.full"]) == ("580.159.04", "13.0")
