"""A pinned deploy on nodes whose GPUs the NVIDIA DRA driver runs: such a node advertises no
nvidia.com/gpu, and a pod asking for nvidia.com/gpu still gets GPUs there when a DeviceClass maps
that name (the driver's ``gpu.nvidia.com`` class does: NVIDIA/k8s-dra-driver-gpu 2240711
deployments/helm/dra-driver-nvidia-gpu/templates/deviceclass-gpu.yaml). The scheduler's
dynamicresources plugin then allocates a device no allocated claim holds (kubernetes/kubernetes
pkg/scheduler/framework/plugins/dynamicresources/extendeddynamicresources.go
filterExtendedResources; KEP-5004), so the fit check counts the GPUs claims hold on each node."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.baremetal.nodes import NC_A100, ND_H100, node
from tests.cli import invoke
from tests.model.test_deploy_cluster_room import deployment_size
from tests.ops.test_gpu_usage_dra import claim, gpu_device, mig_device, resource_slice

Start = Callable[..., Any]


# upstream: NVIDIA/k8s-dra-driver-gpu deployments/helm/dra-driver-nvidia-gpu/templates/deviceclass-gpu.yaml
WHOLE_GPUS = "device.driver == 'gpu.nvidia.com' && device.attributes['gpu.nvidia.com'].type == 'gpu'"


def gpu_class(extended: bool = True) -> dict[str, Any]:
    spec: dict[str, Any] = {"selectors": [{"cel": {"expression": WHOLE_GPUS}}]}
    if extended:
        spec["extendedResourceName"] = "nvidia.com/gpu"
    return {
        "apiVersion": "resource.k8s.io/v1",
        "kind": "DeviceClass",
        "metadata": {"name": "gpu.nvidia.com"},
        "spec": spec,
    }


def dra_cluster(emu: Any, *, extended: bool = True, devices: list[dict[str, Any]] | None = None) -> None:
    """A DRA A100 node (no nvidia.com/gpu, one GPU in the driver's slice) and a device-plugin H100 node."""
    emu.cluster.create(node("a100-0", size=NC_A100, gpus=None))
    emu.cluster.create(node("h100-0", size=ND_H100))
    emu.cluster.create(gpu_class(extended))
    emu.cluster.create(resource_slice("a100-0", devices or [gpu_device(0, "a100-0")]))
    emu.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}})


def holding(emu: Any, devices: list[str], *, extended: bool = False, device_class: str = "gpu.nvidia.com") -> None:
    """A pod of another team bound to a100-0, holding ``devices`` through an allocated claim:
    named in its spec, or (``extended``) the claim the scheduler made for its nvidia.com/gpu."""
    held = claim("train-gpu", "team-a", "a100-0", devices, device_class)
    status = held.pop("status")
    if extended:
        held["metadata"]["annotations"] = {"resource.kubernetes.io/extended-resource-claim": "true"}
    emu.cluster.create(held)
    emu.cluster.patch_status("resource.k8s.io/v1", "ResourceClaim", "team-a", "train-gpu", status)
    container: dict[str, Any] = {"name": "train", "image": "train:v1"}
    pod: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "train", "namespace": "team-a"},
        "spec": {"nodeName": "a100-0", "containers": [container]},
    }
    if extended:
        container["resources"] = {"limits": {"nvidia.com/gpu": "1"}}
    else:
        pod["spec"]["resourceClaims"] = [{"name": "gpu", "resourceClaimName": "train-gpu"}]
        container["resources"] = {"claims": [{"name": "gpu"}]}
    emu.cluster.create(pod)
    pod_status: dict[str, Any] = {"phase": "Running"}
    if extended:
        mapping = {"containerName": "train", "resourceName": "nvidia.com/gpu", "requestName": "container-0-request-0"}
        pod_status["extendedResourceClaimStatus"] = {"resourceClaimName": "train-gpu", "requestMappings": [mapping]}
    emu.cluster.patch_status("v1", "Pod", "team-a", "train", pod_status)


def deploy() -> Any:
    result = invoke("model", "deploy", "phi-4", "--runtime", "vllm", "-y")
    assert result.exit_code == 0, result
    return result


def test_a_dra_node_with_a_free_gpu_takes_the_pods(model_emulator: Start) -> None:
    emu = model_emulator()
    dra_cluster(emu)
    deploy()
    assert deployment_size(emu) == NC_A100


def test_a_dra_node_whose_gpu_a_claim_holds_does_not_count(model_emulator: Start) -> None:
    emu = model_emulator()
    dra_cluster(emu)
    holding(emu, ["gpu-0"])
    result = deploy()
    assert deployment_size(emu) == ND_H100
    assert (
        f"no {NC_A100} node of the cluster can take the pods now (1 without 1 free GPU (held by ResourceClaims))"
        in result.stderr
    )


def test_the_claim_made_for_a_pods_nvidia_gpu_holds_its_gpu(model_emulator: Start) -> None:
    emu = model_emulator()
    dra_cluster(emu)
    holding(emu, ["gpu-0"], extended=True)
    deploy()
    assert deployment_size(emu) == ND_H100


def test_a_dynamic_mig_partition_allocated_holds_its_whole_gpu(model_emulator: Start) -> None:
    emu = model_emulator()
    devices = [gpu_device(0, "a100-0"), mig_device(0, "a100-0", 0)]
    for d in devices:
        d["consumesCounters"] = [{"counterSet": "gpu-0-counter-set", "counters": {"memory-slice-0": {"value": "1"}}}]
    dra_cluster(emu, devices=devices)
    holding(emu, ["gpu-0-mig-1g10gb-19-0"], device_class="mig.nvidia.com")
    deploy()
    assert deployment_size(emu) == ND_H100


def test_without_a_class_mapping_nvidia_gpu_a_dra_node_cannot_take_the_pods(model_emulator: Start) -> None:
    emu = model_emulator()
    dra_cluster(emu, extended=False)
    result = deploy()
    assert deployment_size(emu) == ND_H100
    assert f"no {NC_A100} node of the cluster can take the pods now (1 without 1 free GPU)" in result.stderr
