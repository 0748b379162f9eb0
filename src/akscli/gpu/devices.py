"""What a node's GPUs are, read the way the device plugins publish them.

One reader for ``doctor``, ``baremetal doctor`` and ``gpu usage``, so the three agree on what a
GPU node is, how many physical GPUs it has and what pods can request on it:

- Whole GPUs: the NVIDIA device plugin advertises ``nvidia.com/gpu``, AMD's advertises
  ``amd.com/gpu`` (ROCm/k8s-device-plugin README).
- MIG, ``single`` strategy: ``nvidia.com/gpu`` counts MIG devices, and GPU feature discovery
  overrides ``nvidia.com/gpu.count`` and ``nvidia.com/gpu.product`` (``...-MIG-1g.5gb``) to
  describe them (NVIDIA/k8s-device-plugin ``docs/gfd_labels.md``).
- MIG, ``mixed`` strategy: one resource per profile, ``nvidia.com/mig-<g>g.<mem>gb``
  (MicrosoftDocs/azure-aks-docs ``articles/aks/gpu-multi-instance.md``; GFD labels
  ``nvidia.com/mig.strategy=mixed``).
- Time-slicing and MPS: ``nvidia.com/gpu`` counts replicas, or ``nvidia.com/gpu.shared`` (and
  ``nvidia.com/mig-<profile>.shared``) when the sharing config sets ``renameByDefault`` (upstream:
  NVIDIA/k8s-device-plugin api/config/v1/resources.go DefaultSharedRename, consts.go
  DefaultSharedResourceNameSuffix); GFD labels
  ``nvidia.com/gpu.replicas``, ``nvidia.com/gpu.sharing-strategy`` and keeps
  ``nvidia.com/gpu.count`` as the physical count (NVIDIA/gpu-operator
  ``docs/gpu-sharing.rst``).
- A GPU node whose device plugin is down keeps its capacity but reports allocatable 0: it is
  billed and nothing can use it.
- Dynamic Resource Allocation: no node resource at all; the DRA driver publishes the GPUs in
  ResourceSlices (``akscli.gpu.dra``), and :func:`with_dra` folds them in: sharing ``dra``
  (whole GPUs) or ``dra-mig`` (MIG devices among them).

Physical GPUs come from the VM size where akscli knows it (data/gpu_skus.yaml), otherwise from
the labels above; plain AKS nodes carry no GFD labels at all (AKS installs the driver and the
device plugin, not GPU feature discovery).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

NVIDIA = "nvidia.com/gpu"
AMD = "amd.com/gpu"
MIG_PREFIX = "nvidia.com/mig-"
# upstream: NVIDIA/k8s-device-plugin api/config/v1/consts.go DefaultSharedResourceNameSuffix
SHARED_SUFFIX = ".shared"
NVIDIA_SHARED = NVIDIA + SHARED_SUFFIX
SIZE_LABELS = ("node.kubernetes.io/instance-type", "beta.kubernetes.io/instance-type")
# AKS labels every node of a GPU pool (learn.microsoft.com/azure/aks/use-nvidia-gpu).
AKS_ACCELERATOR = "kubernetes.azure.com/accelerator"
# Label selectors for the labels ``read`` takes as marking an NVIDIA node: AKS's, the GPU
# operator's (it sets nvidia.com/gpu.present on the GPU nodes it finds: NVIDIA/gpu-operator
# controllers/nodelabeling_controller.go labelGPUNodes; GPU feature discovery sets gpu.product)
# and the plain pool label AKS's ML guide gives GPU pools (MicrosoftDocs/azure-aks-docs
# articles/aks/best-practices-ml-ops.md: --labels accelerator=nvidia), so a check looking for
# NVIDIA nodes lists those by label instead of every node of the cluster.
NVIDIA_NODE_SELECTORS = (
    f"{AKS_ACCELERATOR}=nvidia",
    "nvidia.com/gpu.present=true",
    "nvidia.com/gpu.product",
    "accelerator=nvidia",
)
# The GPU Operator's state labels (upstream: NVIDIA/gpu-operator a22dbf6 controllers/state_manager.go
# gpuStateLabels, commonOperandsLabelKey): its node labeller sets nvidia.com/gpu.deploy.<operand>=true
# on a GPU node and each operand's DaemonSet selects its label (assets/state-*/0500_daemonset.yaml);
# nvidia.com/gpu.deploy.operands=false (set by hand) makes it remove them all; a value that is
# neither is kept as it is (addGPUStateLabels), as k8s-driver-manager writes
# "paused-for-driver-upgrade" to drain an operand off the node during a driver upgrade
# (controllers/nodelabeling_controller_test.go).
DEPLOY_PREFIX = "nvidia.com/gpu.deploy."
OPERANDS_OFF = DEPLOY_PREFIX + "operands"
# The operands without which a node advertises no GPU.
ADVERTISING_OPERANDS = ("driver", "container-toolkit", "device-plugin")
WHOLE, MIG_SINGLE, MIG_MIXED, TIME_SLICING, MPS = "none", "mig-single", "mig-mixed", "time-slicing", "mps"
SHARED = "shared"  # more units than the VM size has GPUs, and no label says how they are split
DRA, DRA_MIG = "dra", "dra-mig"  # GPUs published in ResourceSlices: whole GPUs, or MIG devices too
WHOLE_GPU_SHARING = (WHOLE, DRA)  # sharing modes whose units are whole GPUs


def _int(value: Any) -> int:
    try:
        return max(int(str(value)), 0)
    except (TypeError, ValueError):
        return 0


@lru_cache(maxsize=512)  # a handful of sizes, asked once per node
def size_facts(vm_size: str | None) -> tuple[int, str]:
    """(GPUs, vendor) of a VM size from the SKU table, (0, "") when unknown."""
    if not vm_size:
        return 0, ""
    from akscli.model import skus

    sku = skus.get(vm_size)
    if sku is None:
        return 0, ""
    return sku.gpus, "amd" if sku.gpu_model.upper().startswith("AMD") else "nvidia"


@dataclass(frozen=True, slots=True)
class NodeGpus:
    vendor: str  # "nvidia", "amd", or "" for a node without GPUs
    physical: int  # physical GPUs on the node (what Azure bills)
    capacity: int  # schedulable units: whole GPUs, MIG devices or time-slice replicas
    allocatable: int  # of those, what the device plugin offers now
    sharing: str  # none | mig-single | mig-mixed | time-slicing | mps | shared
    resources: tuple[tuple[str, int], ...]  # allocatable per resource name
    expected: int  # GPUs the VM size has (0: unknown size)

    @property
    def is_gpu_node(self) -> bool:
        return bool(self.vendor)

    @property
    def sliced(self) -> bool:
        """Units are MIG devices or shared replicas, not whole GPUs."""
        return self.sharing not in WHOLE_GPU_SHARING

    @property
    def unusable(self) -> bool:
        """Billed GPUs that no pod can request: the device plugin advertises nothing."""
        return self.is_gpu_node and self.allocatable == 0


def labels_of(node: Mapping[str, Any]) -> Mapping[str, str]:
    return (node.get("metadata") or {}).get("labels") or {}


def vm_size_of(labels: Mapping[str, str]) -> str | None:
    for key in SIZE_LABELS:
        if labels.get(key):
            return labels[key]
    return None


def is_gpu_resource(name: str) -> bool:
    """A resource name a GPU device plugin advertises: whole GPUs, MIG devices, shared replicas."""
    return name in (NVIDIA, AMD, NVIDIA_SHARED) or name.startswith(MIG_PREFIX)


def _units(resources: Mapping[str, Any]) -> dict[str, int]:
    return {name: _int(value) for name, value in resources.items() if is_gpu_resource(name)}


def _sharing(labels: Mapping[str, str], capacity: Mapping[str, int], expected: int) -> str:
    mig_devices = any(name.startswith(MIG_PREFIX) and n for name, n in capacity.items())
    if mig_devices or (labels.get("nvidia.com/mig.strategy") == "mixed" and not capacity.get(NVIDIA)):
        return MIG_MIXED
    if labels.get("nvidia.com/mig.strategy") == "single" and "-MIG-" in labels.get("nvidia.com/gpu.product", ""):
        return MIG_SINGLE
    strategy = labels.get("nvidia.com/gpu.sharing-strategy", "")
    if strategy in (TIME_SLICING, MPS):
        return strategy
    if _int(labels.get("nvidia.com/gpu.replicas")) > 1:
        return TIME_SLICING
    if capacity.get(NVIDIA_SHARED) or (expected and sum(capacity.values()) > expected):
        return SHARED
    return WHOLE


def read(node: Mapping[str, Any]) -> NodeGpus:
    """The GPU facts of one node (cheap: no I/O, cached per VM size)."""
    labels = labels_of(node)
    status = node.get("status") or {}
    allocatable = _units(status.get("allocatable") or {})
    capacity = _units(status.get("capacity") or {}) or allocatable
    expected, size_vendor = size_facts(vm_size_of(labels))
    nvidia_labelled = (
        labels.get("nvidia.com/gpu.present") == "true"
        or "nvidia.com/gpu.product" in labels
        or labels.get(AKS_ACCELERATOR) == "nvidia"
        or labels.get("accelerator") == "nvidia"
    )
    if capacity.get(AMD) or size_vendor == "amd":
        vendor = "amd"
    elif any(capacity.values()) or nvidia_labelled or size_vendor == "nvidia":
        vendor = "nvidia"
    else:
        vendor = ""
    sharing = _sharing(labels, capacity, expected) if vendor == "nvidia" else WHOLE
    units = sum(capacity.values())
    if expected:
        physical = expected
    elif sharing == WHOLE:
        physical = units
    elif sharing in (TIME_SLICING, MPS):
        replicas = max(_int(labels.get("nvidia.com/gpu.replicas")), 1)
        physical = _int(labels.get("nvidia.com/gpu.count")) or units // replicas
    elif sharing in (MIG_MIXED, SHARED):  # replicas unknown: only GFD's physical count is safe
        physical = _int(labels.get("nvidia.com/gpu.count"))
    else:  # MIG single: gpu.count counts MIG devices, the VM size is the only source
        physical = 0
    return NodeGpus(
        vendor=vendor,
        physical=physical,
        capacity=units,
        allocatable=sum(allocatable.values()),
        sharing=sharing,
        resources=tuple(sorted((k, v) for k, v in allocatable.items() if v)),
        expected=expected,
    )


def with_dra(facts: NodeGpus, dra: Any) -> NodeGpus:
    """The node's facts once the DRA driver's ResourceSlices for it are known (``dra`` is an
    ``akscli.gpu.dra.DraNode``). The slices describe the same GPUs a device plugin would, and
    NVIDIA runs one or the other (upstream: NVIDIA/k8s-dra-driver-gpu deployments/helm/
    dra-driver-nvidia-gpu/templates/validation.yaml: the driver "cannot be deployed alongside the
    standard GPU device plugin on the same node"), so the slices replace the node's resources."""
    if not dra.units:
        return facts
    return NodeGpus(
        vendor="nvidia",
        physical=facts.expected or dra.physical,
        capacity=dra.units,
        allocatable=dra.units,
        sharing=DRA_MIG if dra.migs else DRA,
        resources=(("resource.k8s.io/gpu.nvidia.com", dra.units),),
        expected=facts.expected,
    )


def pod_units(pod: Mapping[str, Any]) -> dict[str, int]:
    """GPU units a pod holds per resource name, as the scheduler counts them; a limit alone is the
    request (extended resources cannot overcommit). The sum is akscli.kube.resources.pod_requests
    (upstream: kubernetes/kubernetes staging/src/k8s.io/component-helpers/resource/helpers.go
    PodRequests: containers, sidecars, the largest init step, overhead), kept to GPU resources.
    """
    from akscli.kube import resources

    return resources.pod_requests(pod, keep=is_gpu_resource)


def operand_hold(node: Mapping[str, Any]) -> str:
    """The GPU Operator label that keeps its driver, toolkit or device plugin off this node,
    "nvidia.com/gpu.deploy.device-plugin=paused-for-driver-upgrade"; "" where none does (a node
    the operator does not label has none)."""
    labels = labels_of(node)
    if labels.get(OPERANDS_OFF) == "false":
        return f"{OPERANDS_OFF}=false"
    for operand in ADVERTISING_OPERANDS:
        value = labels.get(DEPLOY_PREFIX + operand)
        if value is not None and value != "true":
            return f"{DEPLOY_PREFIX}{operand}={value}"
    return ""
