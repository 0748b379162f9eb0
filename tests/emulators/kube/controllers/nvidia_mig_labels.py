"""MIG and time-slicing as GPU Feature Discovery labels them and the NVIDIA device plugin
advertises them, for the GPU Operator simulator (nvidia.py, nvidia_gfd.py) and the kubelets'
device manager (device_manager.py).

The MIG strategy is the ClusterPolicy's ``spec.mig.strategy``, given to GFD and the device plugin
as MIG_STRATEGY; unset, the plugin's default, none (upstream: NVIDIA/gpu-operator a22dbf6
controllers/object_controls.go applyMIGConfiguration; api/nvidia/v1/clusterpolicy_types.go
MIGSpec). The layout is the one the MIG manager applied: ``nvidia.com/mig.config`` with
``nvidia.com/mig.config.state=success`` (mig_manager.py). Modelled: the uniform layouts
``all-<profile>`` of the operator's default config, each GPU split into the profile's instance
count (assets/state-mig-manager/0400_configmap.yaml: ``all-1g.10gb``, "1g.10gb": 7 for H100-80GB).
Not modelled: mixed layouts (all-balanced), MPS, a strategy changed on a running node.

GFD (NVIDIA/k8s-device-plugin 1b826ac internal/lm/mig-strategy.go NewResourceLabeler,
newGPULabelers, newMigStrategySingleLabeler, newMigStrategyMixedLabeler; internal/lm/strategy.go
migStrategyLabeler; internal/lm/resource.go NewGPUResourceLabeler, NewMIGResourceLabeler,
baseLabeler, getProductName; internal/resource/nvml-mig-device.go GetAttributes, GetName):

- ``nvidia.com/mig.strategy`` where the strategy is single or mixed;
- the MIG-enabled GPUs' own labels without sharing: ``nvidia.com/gpu.product`` the model,
  ``.count`` the GPUs, ``.replicas`` 0, ``.sharing-strategy`` none, ``.memory``, the architecture;
- single: ``nvidia.com/gpu.*`` then describe the MIG devices (later labelers overwrite):
  ``.product`` ``<model>-MIG-<profile>`` (``-SHARED`` with time-slicing replicas unless renamed),
  ``.count`` the MIG devices, ``.replicas``, ``.sharing-strategy``, and the device's attributes
  ``.memory``, ``.multiprocessors``, ``.slices.gi``, ``.slices.ci``, ``.engines.*``;
- mixed: the same under ``nvidia.com/mig-<profile>.*``, the GPU's labels left as above.

The attributes are NVML's; no MIG GPU was recorded, so they come from NVIDIA's own NVML mock
(NVIDIA/go-nvml v0.13.3-1 pkg/nvml/mock/gpus/h100.go H100_SXM5_80GB and h200.go, vendored in
NVIDIA/mig-parted bd7160f): the GPU instance profile's MemorySizeMB, MultiprocessorCount,
SliceCount, CopyEngineCount, DecoderCount, EncoderCount, JpegCount and OfaCount, and a compute
instance of the whole GPU instance (its slice count). The emulator's VM sizes name the GPU by the
SKU table's model ("NVIDIA H100 80GB"), which the labels keep.

The device plugin (NVIDIA/k8s-device-plugin 1b826ac internal/rm: one resource per MIG profile in
mixed, ``nvidia.com/gpu`` for the MIG devices in single; api/config/v1/replicas.go: N replicas of
each device under time-slicing, the resource renamed ``<name>.shared`` with ``rename`` or
``renameByDefault``): a resource the plugin no longer advertises is written as capacity 0, as the
kubelet does once it is gone (kubernetes/kubernetes pkg/kubelet/nodestatus/setters.go MachineInfo),
here at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

GPU = "nvidia.com/gpu"
MIG_CONFIG, MIG_STATE = "nvidia.com/mig.config", "nvidia.com/mig.config.state"


class Profile(NamedTuple):
    """A GPU instance profile (go-nvml's mock GpuInstanceProfileInfo)."""

    per_gpu: int  # InstanceCount: how many an all-<profile> layout makes on one GPU
    memory: int  # MemorySizeMB
    multiprocessors: int
    slices: int  # SliceCount (the GPU instance's, and its whole compute instance's)
    copy: int
    decoder: int
    encoder: int
    jpeg: int
    ofa: int


# upstream: NVIDIA/go-nvml v0.13.3-1 pkg/nvml/mock/gpus/h100.go h100_80gb_GpuInstanceProfiles and
# h200.go (GPU_INSTANCE_PROFILE_1_SLICE, _2_SLICE, _3_SLICE, _7_SLICE), keyed by the emulator's model.
PROFILES: dict[str, dict[str, Profile]] = {
    "NVIDIA H100 80GB": {
        "1g.10gb": Profile(7, 10240, 16, 1, 1, 1, 0, 0, 0),
        "2g.20gb": Profile(3, 20480, 32, 2, 2, 1, 0, 0, 0),
        "3g.40gb": Profile(2, 40960, 48, 3, 3, 2, 0, 0, 0),
        "7g.80gb": Profile(1, 81920, 112, 7, 7, 5, 0, 0, 0),
    },
    "NVIDIA H200": {
        "1g.18gb": Profile(7, 18432, 16, 1, 1, 1, 0, 0, 0),
        "2g.35gb": Profile(3, 35840, 32, 2, 2, 1, 0, 0, 0),
        "3g.71gb": Profile(2, 72704, 48, 3, 3, 2, 0, 0, 0),
        "7g.141gb": Profile(1, 144384, 112, 7, 7, 5, 0, 0, 0),
    },
}


def strategy(policy: Mapping[str, Any]) -> str:
    return str(((policy.get("spec") or {}).get("mig") or {}).get("strategy") or "none")


def applied(node: Mapping[str, Any], gpu_model: str) -> tuple[str, Profile] | None:
    """The MIG profile every GPU of the node is split into, where the MIG manager applied a
    modelled layout; None: MIG off (all-disabled, nothing applied) or a layout not modelled."""
    labels = (node.get("metadata") or {}).get("labels") or {}
    layout = str(labels.get(MIG_CONFIG) or "")
    if labels.get(MIG_STATE) != "success" or not layout.startswith("all-"):
        return None
    name = layout.removeprefix("all-")
    found = PROFILES.get(gpu_model, {}).get(name)
    return (name, found) if found is not None else None


def _resource_labels(resource: str, values: Mapping[str, Any]) -> dict[str, str]:
    return {f"{resource}.{key}": str(value) for key, value in values.items()}


def mig_labels(
    gpu_model: str, gpus: int, mig_strategy: str, mig: tuple[str, Profile], sharing: tuple[int, bool]
) -> dict[str, str]:
    """GFD's MIG labels (the module doc); ``sharing``: (replicas, renamed) of nvidia.com/gpu."""
    name, profile = mig
    product = "-".join(gpu_model.split())
    labels = {"nvidia.com/mig.strategy": mig_strategy}
    # newGPULabelers: the MIG-enabled GPUs, without sharing (getReplicas 0 for a nil config)
    labels |= _resource_labels(GPU, {"product": product, "count": gpus, "replicas": 0, "sharing-strategy": "none"})
    replicas, renamed = sharing if mig_strategy == "single" else (1, False)
    resource = GPU if mig_strategy == "single" else f"nvidia.com/mig-{name}"
    suffix = "-SHARED" if replicas > 1 and not renamed else ""
    labels |= _resource_labels(
        resource,
        {
            "product": f"{product}-MIG-{name}{suffix}",
            "count": profile.per_gpu * gpus,
            "replicas": replicas,
            "sharing-strategy": "time-slicing" if replicas > 1 else "none",
            "memory": profile.memory,
            "multiprocessors": profile.multiprocessors,
            "slices.gi": profile.slices,
            "slices.ci": profile.slices,
            "engines.copy": profile.copy,
            "engines.decoder": profile.decoder,
            "engines.encoder": profile.encoder,
            "engines.jpeg": profile.jpeg,
            "engines.ofa": profile.ofa,
        },
    )
    return labels


def advertised(
    gpus: int, mig_strategy: str, mig: tuple[str, Profile] | None, sharing: tuple[int, bool]
) -> dict[str, str] | None:
    """The device plugin's resources (capacity and allocatable) where MIG or time-slicing changes
    them; None where the node advertises its whole GPUs as before."""
    replicas, renamed = sharing
    if mig is not None and mig_strategy in ("single", "mixed"):
        name, profile = mig
        devices = profile.per_gpu * gpus
        if mig_strategy == "mixed":
            return {GPU: "0", f"nvidia.com/mig-{name}": str(devices)}
        return _shared(devices, replicas, renamed)
    if replicas > 1:
        return _shared(gpus, replicas, renamed)
    return None


def _shared(devices: int, replicas: int, renamed: bool) -> dict[str, str]:
    if replicas > 1 and renamed:
        return {GPU: "0", f"{GPU}.shared": str(devices * replicas)}
    return {GPU: str(devices * max(replicas, 1))}
