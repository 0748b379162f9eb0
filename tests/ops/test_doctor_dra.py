"""doctor on GPU nodes run by NVIDIA's DRA driver: the nodes advertise no nvidia.com/gpu, the
driver publishes the GPUs in ResourceSlices (objects built as in tests/ops/test_gpu_usage_dra.py)."""

from __future__ import annotations

import json
from typing import Any

from akscli.gpu import stack as gpu_stack
from tests.cli import invoke
from tests.ops.test_gpu_usage_dra import dra_node, gpu_device, resource_slice

BIG = "Standard_NC96ads_A100_v4"


def add_dra_node(emu: Any, name: str, gpus: int) -> None:
    node = dra_node(name, "dra", BIG)
    emu.cluster.create({"apiVersion": "v1", "kind": "Node", "metadata": node["metadata"]})
    emu.cluster.patch_status("v1", "Node", None, name, node["status"])
    if gpus:
        emu.cluster.create(resource_slice(name, [gpu_device(i, name) for i in range(gpus)]))


def gpu_nodes_check(result: Any) -> dict[str, Any]:
    assert result.exit_code == 0, result
    (check,) = [c for c in json.loads(result.stdout)["checks"] if c["component"] == "gpu-nodes"]
    return check


def test_doctor_finds_gpus_published_by_a_dra_driver(kube_emulator: Any, kubeconfig: Any) -> None:
    add_dra_node(kube_emulator, "dra-0", 4)
    check = gpu_nodes_check(invoke("doctor", "--for", "gpu", "-o", "json"))
    assert check["status"] == "ok"
    assert check["detail"] == "node dra-0 has 4 GPU(s) published by the DRA driver (ResourceSlices)"


def test_doctor_still_misses_gpu_nodes_that_nothing_publishes(kube_emulator: Any, kubeconfig: Any) -> None:
    add_dra_node(kube_emulator, "dra-0", 0)
    assert gpu_nodes_check(invoke("doctor", "--for", "gpu", "-o", "json"))["status"] == "missing"


def test_the_gpu_stack_names_the_dra_driver_not_a_missing_device_plugin(kube_emulator: Any, kubeconfig: Any) -> None:
    from akscli.kube.client import KubeTarget
    from akscli.kube.connecting import connect

    add_dra_node(kube_emulator, "dra-0", 4)
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    _, rules = gpu_stack.rules(kube, gpu_stack.sample_gpu_nodes(kube))
    assert [(r.severity, r.message) for r in rules if r.subject == "driver"] == [
        ("info", "NVIDIA's DRA driver publishes the GPUs (ResourceSlices of gpu.nvidia.com), not a device plugin")
    ]
