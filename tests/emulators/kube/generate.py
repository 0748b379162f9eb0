"""Fill the store with a realistic AKS cluster: node pools of CPU and GPU VM sizes (GPU
sizes and counts from ../shared/data/azure-gpu-skus.csv), nodes labelled the way AKS and the
NVIDIA GPU feature discovery label them, and pods spread over them.

GPU pools come in the flavours real clusters have (``FLAVOURS``, one per pool in turn):

- ``gfd``: the GPU Operator (or the device plugin chart) with GPU feature discovery: GFD labels,
  ``nvidia.com/gpu.family`` the architecture ("ampere", "hopper"), not the model
  (NVIDIA/k8s-device-plugin docs/gfd_labels.md).
- ``aks``: plain AKS: AKS installs the driver and device plugin, no GFD, so only
  ``kubernetes.azure.com/accelerator=nvidia`` (azure-aks-docs articles/aks/gpu-cluster.md).
- ``mig-single`` / ``mig-mixed``: MIG 1g profile, 7 devices per GPU, as ``nvidia.com/gpu`` or as
  ``nvidia.com/mig-1g.<mem>gb`` (azure-aks-docs articles/aks/gpu-multi-instance.md; GFD labels
  ``nvidia.com/mig.strategy``).
- ``time-sliced``: 4 replicas per GPU, GFD's ``nvidia.com/gpu.replicas``,
  ``nvidia.com/gpu.sharing-strategy=time-slicing`` and the ``-SHARED`` product suffix
  (NVIDIA/gpu-operator docs/gpu-sharing.rst).
- ``spot``: ``kubernetes.azure.com/scalesetpriority=spot`` and its taint
  (learn.microsoft.com/azure/aks/spot-node-pool).
- ``no-plugin``: a GPU node whose device plugin is down: capacity kept, allocatable 0.
- ``amd``: Standard_NG32ads_V620_v1, ``amd.com/gpu`` (ROCm/k8s-device-plugin README).

With ``dra_fraction`` that share of the NVIDIA GPU nodes (``gfd`` and ``aks`` pools, in plan
order, so whole pools) run NVIDIA's DRA driver instead of the device plugin: no ``nvidia.com/gpu``
resource, one ResourceSlice per node (driver ``gpu.nvidia.com``, one pool named for the node,
``spec.nodeName``, a ``type=gpu`` device with ``uuid`` per GPU named ``gpu-<minor>``: upstream
NVIDIA/k8s-dra-driver-gpu 2240711 cmd/gpu-kubelet-plugin/driver.go, deviceinfo.go), the
DeviceClass ``gpu.nvidia.com`` (deployments/helm/dra-driver-nvidia-gpu/templates/
deviceclass-gpu.yaml), and each GPU pod placed there holds an allocated ResourceClaim named in its
spec instead of requesting ``nvidia.com/gpu`` (kubernetes/api resource/v1 types.go
AllocationResult, DeviceRequestAllocationResult).

Bulk-loaded (no watch events, no history): generation is for scale tests and benchmarks."""

from __future__ import annotations

import csv
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tests.emulators.kube.apiserver import Ctx, now_iso
from tests.emulators.kube.crds import shared_dir
from tests.emulators.kube.generate_dra import DRA_DRIVER, claiming, dra_claim, dra_slice, gpu_class

if TYPE_CHECKING:
    from tests.emulators.kube.apiserver import ApiServer

KUBELET = "v1.32.6"
NODE_IMAGE = "AKSUbuntu-2204gen2containerd-202510.03.0"


@dataclass(frozen=True)
class VmSize:
    name: str
    vcpus: int
    memory_gib: int
    gpus: int = 0
    gpu_model: str = ""
    gpu_memory_gib: int = 0

    @property
    def gpu_product(self) -> str:
        return self.gpu_model.replace(" ", "-")


# GFD's gpu.family is the architecture (NVIDIA/k8s-device-plugin docs/gfd_labels.md: "kepler").
ARCHITECTURES = {
    "T4": "turing",
    "A10": "ampere",
    "A100": "ampere",
    "H100": "hopper",
    "H200": "hopper",
    "GB200": "blackwell",
    "V100": "volta",
    "M60": "maxwell",
}
FLAVOURS = ("gfd", "aks", "mig-single", "mig-mixed", "time-sliced", "spot", "no-plugin", "amd")
MIG_CAPABLE = ("A100", "H100", "H200")  # azure-aks-docs gpu-multi-instance.md
AMD_SIZE = VmSize("Standard_NG32ads_V620_v1", 32, 64, 1, "AMD Radeon PRO V620", 32)  # data/gpu_skus.yaml


def architecture(gpu_model: str) -> str:
    for word in gpu_model.replace("-", " ").split():
        if word.upper() in ARCHITECTURES:
            return ARCHITECTURES[word.upper()]
    return "unknown"


def mig_capable(size: VmSize) -> bool:
    return any(m in size.gpu_model.split() for m in MIG_CAPABLE)


CPU_SIZES = [
    VmSize("Standard_D4s_v5", 4, 16),
    VmSize("Standard_D16s_v5", 16, 64),
    VmSize("Standard_E16s_v5", 16, 128),
    VmSize("Standard_D32ads_v5", 32, 128),
]


def gpu_sizes() -> list[VmSize]:
    out: dict[str, VmSize] = {}
    path = shared_dir() / "data" / "azure-gpu-skus.csv"
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if not row.get("gpus") or not row.get("vcpus") or row["sku"] in out:
                continue
            out[row["sku"]] = VmSize(
                row["sku"],
                int(row["vcpus"]),
                int(float(row["memory_gib"])),
                int(row["gpus"]),
                row["gpu_model"],
                int(float(row["gpu_memory_gib"] or 0)),
            )
    return list(out.values())


def _pool_name(size: VmSize, index: int) -> str:
    # AKS pool names: at most 12 lower-case alphanumerics. Keep the family and the GPU apart
    # (ND96isr_H100_v5 and ND96isr_H200_v5 must not share a pool name).
    base = "gpu" if size.gpus else "cpu"
    parts = [p.lower() for p in size.name.split("_")[1:]]
    gpu = next((p for p in parts[1:] if not p.startswith("v")), "")
    short = "".join(ch for ch in parts[0][:4] + gpu[:4] if ch.isalnum())
    suffix = str(index)
    return f"{base}{short}"[: 12 - len(suffix)] + suffix


def node(
    size: VmSize, pool: str, vmss: str, index: int, mode: str, rng: random.Random, flavour: str = "gfd"
) -> dict[str, Any]:
    name = f"aks-{pool}-{vmss}-vmss{index:06x}"
    zone = f"eastus-{index % 3 + 1}"
    labels = {
        "agentpool": pool,
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/instance-type": size.name,
        "beta.kubernetes.io/os": "linux",
        "failure-domain.beta.kubernetes.io/region": "eastus",
        "failure-domain.beta.kubernetes.io/zone": zone,
        "kubernetes.azure.com/agentpool": pool,
        "kubernetes.azure.com/cluster": "MC_akscli-rg_akscli-emulated_eastus",
        "kubernetes.azure.com/mode": mode,
        "kubernetes.azure.com/node-image-version": NODE_IMAGE,
        "kubernetes.azure.com/os-sku": "Ubuntu",
        "kubernetes.azure.com/role": "agent",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "node.kubernetes.io/instance-type": size.name,
        "topology.kubernetes.io/region": "eastus",
        "topology.kubernetes.io/zone": zone,
    }
    mem_ki = size.memory_gib * 1024 * 1024
    capacity = {
        "cpu": str(size.vcpus),
        "ephemeral-storage": "129886128Ki",
        "hugepages-1Gi": "0",
        "hugepages-2Mi": "0",
        "memory": f"{mem_ki}Ki",
        "pods": "110",
    }
    allocatable = {
        "cpu": f"{size.vcpus * 1000 - 140}m",
        "ephemeral-storage": "119703055367",
        "hugepages-1Gi": "0",
        "hugepages-2Mi": "0",
        "memory": f"{int(mem_ki * 0.9)}Ki",
        "pods": "110",
    }
    taints: list[dict[str, str]] = []
    if size.gpus:
        taints.append({"key": "sku", "value": "gpu", "effect": "NoSchedule"})
        _gpu_flavour(size, flavour, labels, capacity, allocatable, taints)
    t = now_iso()
    conds = [
        {
            "type": typ,
            "status": "False",
            "reason": reason,
            "message": msg,
            "lastHeartbeatTime": t,
            "lastTransitionTime": t,
        }
        for typ, reason, msg in (
            ("MemoryPressure", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
            ("DiskPressure", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
            ("PIDPressure", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
        )
    ]
    conds.append(
        {
            "type": "Ready",
            "status": "True",
            "reason": "KubeletReady",
            "message": "kubelet is posting ready status",
            "lastHeartbeatTime": t,
            "lastTransitionTime": t,
        }
    )
    spec: dict[str, Any] = {
        "podCIDR": f"10.{244 + index // 65536 % 8}.{index // 256 % 256}.0/24",
        "providerID": f"azure:///subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/mc_akscli-rg_akscli-emulated_eastus/providers/Microsoft.Compute/virtualMachineScaleSets/aks-{pool}-{vmss}-vmss/virtualMachines/{index}",
    }
    if taints:
        spec["taints"] = taints
    return {
        "metadata": {
            "name": name,
            "uid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "creationTimestamp": t,
            "labels": labels,
            "annotations": {
                "node.alpha.kubernetes.io/ttl": "0",
                "volumes.kubernetes.io/controller-managed-attach-detach": "true",
            },
        },
        "spec": spec,
        "status": {
            "capacity": capacity,
            "allocatable": allocatable,
            "conditions": conds,
            "addresses": [
                {"type": "InternalIP", "address": f"10.224.{index // 256 % 256}.{index % 256}"},
                {"type": "Hostname", "address": name},
            ],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "architecture": "amd64",
                "bootID": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "containerRuntimeVersion": "containerd://1.7.28-1",
                "kernelVersion": "5.15.0-1092-azure",
                "kubeProxyVersion": KUBELET,
                "kubeletVersion": KUBELET,
                "machineID": f"{rng.getrandbits(128):032x}",
                "operatingSystem": "linux",
                "osImage": "Ubuntu 22.04.5 LTS",
                "systemUUID": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            },
        },
    }


def _gpu_flavour(
    size: VmSize,
    flavour: str,
    labels: dict[str, str],
    capacity: dict[str, str],
    allocatable: dict[str, str],
    taints: list[dict[str, str]],
) -> None:
    """Labels, GPU resources and taints of one GPU node of the given flavour (see FLAVOURS)."""
    if flavour == "amd":
        labels["kubernetes.azure.com/accelerator"] = "amd"
        capacity["amd.com/gpu"] = allocatable["amd.com/gpu"] = str(size.gpus)
        return
    from tests.emulators.kube.controllers.nvidia_gfd import memory_mib

    labels["kubernetes.azure.com/accelerator"] = "nvidia"
    if flavour == "dra":  # the DRA driver publishes the GPUs in a ResourceSlice, not on the node
        return
    units = {"nvidia.com/gpu": size.gpus}
    gfd = flavour != "aks"
    product = size.gpu_product
    if flavour == "mig-single" and mig_capable(size):
        units = {"nvidia.com/gpu": size.gpus * 7}
        mem = max(size.gpu_memory_gib // 8, 5)
        product = f"{product}-MIG-1g.{mem}gb"
        labels.update({"nvidia.com/mig.strategy": "single", "nvidia.com/mig.capable": "true"})
    elif flavour == "mig-mixed" and mig_capable(size):
        mem = max(size.gpu_memory_gib // 8, 5)
        units = {f"nvidia.com/mig-1g.{mem}gb": size.gpus * 7}
        labels.update(
            {
                "nvidia.com/mig.strategy": "mixed",
                "nvidia.com/mig.capable": "true",
                f"nvidia.com/mig-1g.{mem}gb.count": str(size.gpus * 7),
            }
        )
    elif flavour == "time-sliced":
        units = {"nvidia.com/gpu": size.gpus * 4}
        product = f"{product}-SHARED"
        labels.update({"nvidia.com/gpu.replicas": "4", "nvidia.com/gpu.sharing-strategy": "time-slicing"})
    elif flavour == "spot":
        labels["kubernetes.azure.com/scalesetpriority"] = "spot"
        taints.append({"key": "kubernetes.azure.com/scalesetpriority", "value": "spot", "effect": "NoSchedule"})
    if gfd:
        labels.update(
            {
                "accelerator": "nvidia",
                # NFD's PCI label, from which the GPU Operator sets gpu.present (NVIDIA/gpu-operator
                # controllers/nodelabeling_controller.go reconcileCommonGPULabel)
                "feature.node.kubernetes.io/pci-10de.present": "true",
                "nvidia.com/gpu.present": "true",
                "nvidia.com/gpu.product": product,
                "nvidia.com/gpu.count": str(units.get("nvidia.com/gpu", size.gpus)),
                # NVIDIA/k8s-device-plugin gpu-feature-discovery: NVML total memory in MiB.
                "nvidia.com/gpu.memory": memory_mib(size.gpu_model, size.gpu_memory_gib),
                "nvidia.com/gpu.family": architecture(size.gpu_model),
            }
        )
    for name, n in units.items():
        capacity[name] = str(n)
        allocatable[name] = "0" if flavour == "no-plugin" else str(n)


Planned = tuple[VmSize, str, str, int, str, str]  # size, pool, vmss id, index in pool, mode, flavour


def plan_nodes(nodes: int, gpu_fraction: float, rng: random.Random, variety: bool = True) -> list[Planned]:
    """(size, pool, vmss id, index in pool, mode, flavour) per node, in pools of at most 1000.
    With ``variety`` the GPU sizes take the flavours of FLAVOURS in turn (the last one AMD)."""
    n_gpu = round(nodes * gpu_fraction)
    n_cpu = nodes - n_gpu
    gsizes = gpu_sizes()[:8]
    flavours = ["gfd"] * len(gsizes)
    if variety:
        flavours = [FLAVOURS[i % len(FLAVOURS)] for i in range(len(gsizes))]
        gsizes = [AMD_SIZE if f == "amd" else size for size, f in zip(gsizes, flavours, strict=True)]
    flavour_of = {size.name: f for size, f in zip(gsizes, flavours, strict=True)}
    out: list[Planned] = []

    def pools(count: int, sizes: list[VmSize], first_system: bool) -> None:
        if count <= 0:
            return
        per_size = [count // len(sizes) + (1 if i < count % len(sizes) else 0) for i in range(len(sizes))]
        for si, (size, n) in enumerate(zip(sizes, per_size, strict=True)):
            made = 0
            k = 0
            while made < n:
                in_pool = min(1000, n - made)
                system = first_system and si == 0 and k == 0
                pool = "system" if system else _pool_name(size, k)
                vmss = f"{rng.randrange(10**7, 10**8)}"
                flavour = flavour_of.get(size.name, "")
                for i in range(in_pool):
                    out.append((size, pool, vmss, i, "System" if system else "User", flavour))
                made += in_pool
                k += 1

    pools(n_cpu, CPU_SIZES, True)
    pools(n_gpu, gsizes, n_cpu == 0)
    return out


def gpu_resource(obj: dict[str, Any]) -> str | None:
    """The GPU resource a pod asks for on this node (None: no usable GPU: CPU node or plugin down)."""
    allocatable = obj["status"]["allocatable"]
    for name, value in allocatable.items():
        if (name in ("nvidia.com/gpu", "amd.com/gpu") or name.startswith("nvidia.com/mig-")) and value != "0":
            return str(name)
    return None


TEAMS = ["inference", "training", "research", "platform", "data", "search", "ads", "speech"]


def pod(
    name: str,
    ns: str,
    app: str,
    node_name: str | None,
    gpus: int,
    phase: str,
    rng: random.Random,
    resource: str = "nvidia.com/gpu",
) -> dict[str, Any]:
    t = now_iso()
    image = "mcr.microsoft.com/aks/kaito/kaito-base:0.0.8" if gpus else "mcr.microsoft.com/oss/nginx/nginx:1.27.3"
    resources: dict[str, Any] = {"requests": {"cpu": "500m", "memory": "1Gi"}, "limits": {"memory": "2Gi"}}
    if gpus:
        resources["requests"][resource] = str(gpus)
        resources["limits"][resource] = str(gpus)
    spec: dict[str, Any] = {
        "containers": [{"name": "main", "image": image, "resources": resources, "imagePullPolicy": "IfNotPresent"}],
        "restartPolicy": "Always",
        "schedulerName": "default-scheduler",
        "serviceAccountName": "default",
        "dnsPolicy": "ClusterFirst",
        "terminationGracePeriodSeconds": 30,
        "priority": 0,
    }
    if gpus:
        spec["tolerations"] = [{"key": "sku", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"}]
    if node_name:
        spec["nodeName"] = node_name
    running = phase == "Running"
    status: dict[str, Any] = {"phase": phase, "qosClass": "Burstable"}
    if node_name:
        status.update(
            {
                "hostIP": "10.224.0.4",
                "podIP": f"10.244.{rng.randrange(256)}.{rng.randrange(1, 255)}",
                "startTime": t,
                "conditions": [
                    {
                        "type": c,
                        "status": "True" if running or c == "PodScheduled" else "False",
                        "lastTransitionTime": t,
                    }
                    for c in ("PodScheduled", "Initialized", "ContainersReady", "Ready")
                ],
                "containerStatuses": [
                    {
                        "name": "main",
                        "image": image,
                        "imageID": "",
                        "ready": running,
                        "restartCount": 0,
                        "started": running,
                        "containerID": f"containerd://{rng.getrandbits(128):032x}",
                        "state": {"running": {"startedAt": t}}
                        if running
                        else {"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": t, "finishedAt": t}},
                    }
                ],
            }
        )
    else:
        status["conditions"] = [
            {
                "type": "PodScheduled",
                "status": "False",
                "reason": "Unschedulable",
                "message": "0/3 nodes are available: 3 Insufficient nvidia.com/gpu.",
                "lastTransitionTime": t,
            }
        ]
    return {
        "metadata": {
            "name": name,
            "namespace": ns,
            "uid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "creationTimestamp": t,
            "generateName": name[:-5],
            "labels": {"app": app, "pod-template-hash": name.rsplit("-", 2)[-2]},
        },
        "spec": spec,
        "status": status,
    }


def generate_cluster(
    api: ApiServer,
    nodes: int,
    pods: int,
    gpu_fraction: float = 0.2,
    seed: int = 7,
    variety: bool = True,
    dra_fraction: float = 0.0,
) -> None:
    if nodes < 0 or pods < 0 or not 0 <= gpu_fraction <= 1 or not 0 <= dra_fraction <= 1:
        raise ValueError("nodes and pods must be >= 0, gpu_fraction and dra_fraction within [0, 1]")
    rng = random.Random(seed)
    plan = plan_nodes(nodes, gpu_fraction, rng, variety)
    nvidia = [i for i, p in enumerate(plan) if p[0].gpus and (p[5] or "gfd") in ("gfd", "aks")]
    dra_plan = set(nvidia[: round(len(nvidia) * dra_fraction)])
    node_rt = api.rt("v1", "Node")
    node_objs: list[tuple[str, str | None, bool]] = []  # name, GPU resource to request, is a GPU node
    dra_sizes: dict[str, VmSize] = {}  # DRA node name -> its size

    def node_items() -> Iterator[tuple[str, dict[str, Any]]]:
        for k, (size, pool, vmss, i, mode, flavour) in enumerate(plan):
            obj = node(size, pool, vmss, i, mode, rng, "dra" if k in dra_plan else flavour or "gfd")
            name = obj["metadata"]["name"]
            if k in dra_plan:
                dra_sizes[name] = size
            node_objs.append((name, "dra" if k in dra_plan else gpu_resource(obj), bool(size.gpus)))
            yield name, obj

    api.store.bulk_load(node_rt.key, node_items())
    if dra_sizes:
        api.store.bulk_load(
            api.rt("resource.k8s.io/v1", "ResourceSlice").key,
            (
                (f"{n}-{DRA_DRIVER}-0", dra_slice(n, size.gpus, size.gpu_model, size.gpu_memory_gib))
                for n, size in dra_sizes.items()
            ),
        )
        api.store.bulk_load(api.rt("resource.k8s.io/v1", "DeviceClass").key, iter([(DRA_DRIVER, gpu_class())]))
    if pods == 0:
        return
    ns_rt = api.rt("v1", "Namespace")
    namespaces = [f"team-{t}" for t in TEAMS]
    for ns in namespaces:
        if api.store.get(ns_rt.key, ns) is None:
            api.create(ns_rt, "v1", None, {"metadata": {"name": ns}}, Ctx(field_manager="generator", keep_status=True))
    gpu_nodes = [(n, r) for n, r, gpu in node_objs if gpu and r]
    cpu_nodes = [n for n, _, gpu in node_objs if not gpu]
    pod_rt = api.rt("v1", "Pod")

    placed = {"gpu": 0, "cpu": 0}
    claims: list[tuple[str, dict[str, Any]]] = []
    held: dict[str, int] = {}  # DRA node -> claims allocated on it

    def pod_items() -> Iterator[tuple[str, dict[str, Any]]]:
        for i in range(pods):
            ns = namespaces[i % len(namespaces)]
            app_i = (i // len(namespaces)) % 500
            want_gpu = bool(gpu_nodes) and (i % 10 < 2 or not cpu_nodes)
            roll = rng.random()
            phase = "Running" if roll < 0.97 else ("Pending" if roll < 0.99 else "Succeeded")
            kind = "gpu" if want_gpu else "cpu"
            node_name, resource = None, "nvidia.com/gpu"
            if want_gpu:
                node_name, resource = gpu_nodes[placed[kind] % len(gpu_nodes)]
            elif cpu_nodes:
                node_name = cpu_nodes[placed[kind] % len(cpu_nodes)]
            if phase == "Pending":
                node_name = None
            placed[kind] += 1
            app = f"{'llm' if want_gpu else 'svc'}-{app_i}"
            name = f"{app}-{(app_i * 2654435761) % 16**10:010x}-{i % 16**5:05x}"
            gpus = 1 if want_gpu else 0
            if resource == "dra":
                obj = pod(name, ns, app, node_name, gpus, phase, rng)
                if node_name is not None and phase == "Running":
                    used = held.get(node_name, 0)
                    if used < dra_sizes[node_name].gpus:  # a GPU left: the pod holds it
                        held[node_name] = used + 1
                        claims.append((f"{ns}/{name}-gpu", dra_claim(name, ns, node_name, f"gpu-{used}", rng)))
                        obj = claiming(obj, f"{name}-gpu")
                yield f"{ns}/{name}", obj
                continue
            yield f"{ns}/{name}", pod(name, ns, app, node_name, gpus, phase, rng, resource or "nvidia.com/gpu")

    api.store.bulk_load(pod_rt.key, pod_items())
    if claims:
        api.store.bulk_load(api.rt("resource.k8s.io/v1", "ResourceClaim").key, iter(claims))
