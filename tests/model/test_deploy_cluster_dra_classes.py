"""The deploy fit check on DRA nodes judges devices by the DeviceClass ``nvidia.com/gpu`` maps to:
its CEL selectors (akscli.gpu.dra_cel) pick the devices, not "every whole GPU of the driver"; and a
pod on the node holding a device through another DRA-backed extended resource (a class's
``extendedResourceName``, or ``deviceclass.resource.kubernetes.io/<class>``) holds it too.
upstream: kubernetes/dynamic-resource-allocation v0.34.9 structured/internal/stable/
allocator_stable.go selectorsMatch; NVIDIA/k8s-dra-driver-gpu 22407113
demo/specs/extended-resources/mig-1g-12gb.yaml (a class per MIG profile with its own name)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.baremetal.nodes import NC_A100, ND_H100
from tests.model.test_deploy_cluster_dra import WHOLE_GPUS, deploy, dra_cluster
from tests.model.test_deploy_cluster_room import deployment_size
from tests.ops.test_gpu_usage_dra import gpu_device, mig_device

Start = Callable[..., Any]
A100 = "NVIDIA A100 80GB PCIe"  # the productName gpu_device publishes


def mapped_class(name: str, expression: str, resource: str = "nvidia.com/gpu") -> dict[str, Any]:
    return {
        "apiVersion": "resource.k8s.io/v1",
        "kind": "DeviceClass",
        "metadata": {"name": name},
        "spec": {"selectors": [{"cel": {"expression": expression}}], "extendedResourceName": resource},
    }


def only_class(emu: Any, expression: str) -> None:
    """The A100 DRA node of dra_cluster, with nvidia.com/gpu mapped to a class of this selector."""
    dra_cluster(emu, extended=False)
    emu.cluster.create(mapped_class("picked.example.com", expression))


@pytest.mark.parametrize(
    "selector",
    [
        # Before: every whole GPU of the driver counted, whatever the class selects.
        pytest.param(
            f"{WHOLE_GPUS} && device.attributes['gpu.nvidia.com'].productName == 'NVIDIA H100 80GB HBM3'", id="product"
        ),
        # The quantity library (apiserver pkg/cel/library/quantity.go): the A100's 80Gi is below 100Gi.
        # Before, the class was not judged.
        pytest.param(
            f"{WHOLE_GPUS} && device.capacity['gpu.nvidia.com'].memory.compareTo(quantity('100Gi')) >= 0",
            id="memory-quantity",
        ),
    ],
)
def test_a_class_whose_selector_leaves_out_the_nodes_gpus_gives_it_none(model_emulator: Start, selector: str) -> None:
    emu = model_emulator()
    only_class(emu, selector)
    result = deploy()
    assert deployment_size(emu) == ND_H100
    assert (
        f"no {NC_A100} node of the cluster can take the pods now (1 with no device the DeviceClass "
        "picked.example.com selects)"
    ) in " ".join(result.stderr.split())


@pytest.mark.parametrize(
    "selector",
    [
        # Guard: the same check with the product the node has.
        pytest.param(f"{WHOLE_GPUS} && device.attributes['gpu.nvidia.com'].productName == '{A100}'", id="product"),
        # Guard for matches() (RE2, unanchored) and lowerAscii() (cel-go ext.Strings).
        pytest.param(
            f"{WHOLE_GPUS} && device.attributes['gpu.nvidia.com'].productName.lowerAscii().matches('a100 80gb')",
            id="matches",
        ),
    ],
)
def test_a_class_whose_selector_picks_the_nodes_gpus_lets_it_take_the_pods(
    model_emulator: Start, selector: str
) -> None:
    emu = model_emulator()
    only_class(emu, selector)
    deploy()
    assert deployment_size(emu) == NC_A100


def test_a_selector_that_fails_on_the_nodes_devices_is_the_schedulers_error(model_emulator: Start) -> None:
    # No such attribute: the allocator's error ends the scheduler's attempt (selectorsMatch).
    emu = model_emulator()
    only_class(emu, "device.attributes['gpu.nvidia.com'].architecture == 'Ampere'")
    result = deploy()
    assert (
        "the scheduler stops at: class picked.example.com: selector #0: CEL runtime error: no such key: architecture"
    ) in result.stderr


def test_a_selector_outside_the_cel_akscli_evaluates_is_said_not_judged(model_emulator: Start) -> None:
    emu = model_emulator()
    only_class(emu, "device.attributes['gpu.nvidia.com'].productName.split(' ').size() > 1")
    result = deploy()
    assert deployment_size(emu) == ND_H100
    assert (
        "not judged: DeviceClass picked.example.com: selector #0 is outside the CEL akscli evaluates (.split())"
    ) in " ".join(result.stderr.split())


def test_a_mig_partition_held_through_its_own_extended_resource_holds_its_gpu(model_emulator: Start) -> None:
    # A pod asks nvidia.com/mig-1g.10gb, which a per-profile class maps (the driver's demo); its
    # claim is not named in its status (a server without DRAExtendedResource drops the field), so
    # its request is placed on a partition, and DynamicMIG's partition holds the whole GPU.
    # Before: only nvidia.com/gpu requests counted, and the node took the pods.
    emu = model_emulator()
    devices = [gpu_device(0, "a100-0"), mig_device(0, "a100-0", 0)]
    for d in devices:
        d["consumesCounters"] = [{"counterSet": "gpu-0-counter-set", "counters": {"memory-slice-0": {"value": "1"}}}]
    dra_cluster(emu, devices=devices)
    profile = "device.driver == 'gpu.nvidia.com' && device.attributes['gpu.nvidia.com'].type == 'mig'"
    emu.cluster.create(mapped_class("mig-1g-10gb.gpu.nvidia.com", profile, "nvidia.com/mig-1g.10gb"))
    emu.cluster.create(_pod_asking("nvidia.com/mig-1g.10gb"))
    emu.cluster.patch_status("v1", "Pod", "team-a", "tune", {"phase": "Running"})
    deploy()
    assert deployment_size(emu) == ND_H100


def _pod_asking(resource: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "tune", "namespace": "team-a"},
        "spec": {
            "nodeName": "a100-0",
            "containers": [{"name": "tune", "image": "tune:v1", "resources": {"limits": {resource: "1"}}}],
        },
    }


def test_a_lower_priority_pod_nominated_with_an_allocated_claim_holds_its_gpu(model_emulator: Start) -> None:
    # A pod in its binding cycle: the scheduler wrote its claim's allocation (PreBind) and set
    # status.nominatedNodeName, not spec.nodeName yet. NodeResourcesFit leaves a lower-priority
    # nominated pod out, but the allocated claim holds its device whatever the pod's priority.
    # Before: the priority filter dropped the pod, and its claim with it.
    from tests.ops.test_gpu_usage_dra import claim

    emu = model_emulator()
    dra_cluster(emu)
    emu.cluster.create(
        {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": "low"}, "value": -10}
    )
    held = claim("batch-gpu", "team-a", "a100-0", ["gpu-0"])
    status = held.pop("status")
    emu.cluster.create(held)
    emu.cluster.patch_status("resource.k8s.io/v1", "ResourceClaim", "team-a", "batch-gpu", status)
    container = {"name": "batch", "image": "batch:v1", "resources": {"claims": [{"name": "gpu"}]}}
    spec = {"priorityClassName": "low", "resourceClaims": [{"name": "gpu", "resourceClaimName": "batch-gpu"}]}
    emu.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "batch", "namespace": "team-a"},
            "spec": {**spec, "containers": [container]},
            "status": {"phase": "Pending", "nominatedNodeName": "a100-0"},
        }
    )
    deploy()
    assert deployment_size(emu) == ND_H100


IMPLICIT = "deviceclass.resource.kubernetes.io/gpu.nvidia.com"


def test_on_1_35_a_pod_asking_for_the_implicit_name_holds_a_gpu(model_emulator: Start, monkeypatch: Any) -> None:
    # 1.35's scheduler maps the implicit name of every class (extended DeviceClassMapping): the
    # pod's request is placed on the node's one GPU, so the node cannot take the pods.
    from tests.emulators.kube import discovery

    monkeypatch.setitem(discovery.VERSION_INFO, "minor", "35")
    emu = model_emulator()
    dra_cluster(emu)
    emu.cluster.create(_pod_asking(IMPLICIT))
    emu.cluster.patch_status("v1", "Pod", "team-a", "tune", {"phase": "Running"})
    deploy()
    assert deployment_size(emu) == ND_H100


def test_on_1_34_the_implicit_name_of_a_class_with_its_own_name_holds_nothing(
    model_emulator: Start, monkeypatch: Any
) -> None:
    # 1.34's scheduler maps deviceclass.resource.kubernetes.io/<class> only for a class without
    # extendedResourceName; gpu.nvidia.com has one, so the request is no DRA request there.
    # Before: the 1.35 rule whatever the server, and the node's GPU was counted held.
    from tests.emulators.kube import discovery

    monkeypatch.setitem(discovery.VERSION_INFO, "minor", "34")
    emu = model_emulator()
    dra_cluster(emu)
    emu.cluster.create(_pod_asking(IMPLICIT))
    emu.cluster.patch_status("v1", "Pod", "team-a", "tune", {"phase": "Running"})
    emu.request_log.clear()
    deploy()
    assert deployment_size(emu) == NC_A100
    assert len(emu.requests(method="GET", path="/version")) == 1
