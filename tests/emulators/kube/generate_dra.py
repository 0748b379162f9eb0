"""The objects a cluster whose GPUs NVIDIA's DRA driver runs has, for the generator
(generate.py, ``dra_fraction``): the driver's ResourceSlice per node (driver ``gpu.nvidia.com``,
one pool named for the node, ``spec.nodeName``, a ``type=gpu`` device with ``uuid`` per GPU named
``gpu-<minor>``: upstream NVIDIA/k8s-dra-driver-gpu 2240711 cmd/gpu-kubelet-plugin/driver.go,
deviceinfo.go GpuInfo.Attributes and CanonicalName), its DeviceClass (deployments/helm/
dra-driver-nvidia-gpu/templates/deviceclass-gpu.yaml), and allocated ResourceClaims the pods name
(kubernetes/api resource/v1 types.go AllocationResult, DeviceRequestAllocationResult)."""

from __future__ import annotations

import random
import uuid
from typing import Any

from tests.emulators.kube.apiserver import now_iso

WHOLE_GPUS = "device.driver == 'gpu.nvidia.com' && device.attributes['gpu.nvidia.com'].type == 'gpu'"


def gpu_class() -> dict[str, Any]:
    """The driver chart's class of whole GPUs, mapped to nvidia.com/gpu (on resource.k8s.io/v1)."""
    return {
        "metadata": {"name": DRA_DRIVER, "creationTimestamp": now_iso()},
        "spec": {"selectors": [{"cel": {"expression": WHOLE_GPUS}}], "extendedResourceName": "nvidia.com/gpu"},
    }


DRA_DRIVER = "gpu.nvidia.com"


def dra_slice(node_name: str, gpus: int, model: str, memory_gib: int) -> dict[str, Any]:
    """The ResourceSlice NVIDIA's DRA kubelet plugin publishes for a node of whole GPUs."""
    devices = [
        {
            "name": f"gpu-{minor}",
            "attributes": {
                "type": {"string": "gpu"},
                "uuid": {"string": f"GPU-{uuid.uuid5(uuid.NAMESPACE_URL, f'{node_name}/{minor}')}"},
                "productName": {"string": model},
            },
            "capacity": {"memory": {"value": f"{memory_gib}Gi"}},
        }
        for minor in range(gpus)
    ]
    return {
        "metadata": {"name": f"{node_name}-{DRA_DRIVER}-0", "creationTimestamp": now_iso()},
        "spec": {
            "driver": DRA_DRIVER,
            "nodeName": node_name,
            "pool": {"name": node_name, "generation": 1, "resourceSliceCount": 1},
            "devices": devices,
        },
    }


def dra_claim(name: str, ns: str, node_name: str, device: str, rng: random.Random) -> dict[str, Any]:
    """An allocated claim for one whole GPU on ``node_name``, reserved for the pod ``name``."""
    return {
        "metadata": {
            "name": f"{name}-gpu",
            "namespace": ns,
            "uid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "creationTimestamp": now_iso(),
        },
        "spec": {"devices": {"requests": [{"name": "gpu", "exactly": {"deviceClassName": DRA_DRIVER, "count": 1}}]}},
        "status": {
            "allocation": {
                "devices": {"results": [{"request": "gpu", "driver": DRA_DRIVER, "pool": node_name, "device": device}]},
                "nodeSelector": {
                    "nodeSelectorTerms": [
                        {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node_name]}]}
                    ]
                },
            },
            "reservedFor": [
                {"resource": "pods", "name": name, "uid": str(uuid.UUID(int=rng.getrandbits(128), version=4))}
            ],
        },
    }


def claiming(pod_obj: dict[str, Any], claim_name: str) -> dict[str, Any]:
    """The pod holding its GPU through a claim named in its spec, not an nvidia.com/gpu request."""
    container = pod_obj["spec"]["containers"][0]
    for part in ("requests", "limits"):
        container["resources"][part].pop("nvidia.com/gpu", None)
    container["resources"]["claims"] = [{"name": "gpu"}]
    pod_obj["spec"]["resourceClaims"] = [{"name": "gpu", "resourceClaimName": claim_name}]
    return pod_obj
