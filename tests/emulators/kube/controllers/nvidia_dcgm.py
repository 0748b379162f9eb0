"""NVIDIA dcgm-exporter as the GPU Operator runs it on a GPU node, for a Prometheus to scrape.

The pod is the operand DaemonSet's (NVIDIA/gpu-operator a22dbf67
assets/state-dcgm-exporter/0800_daemonset.yaml): ``app=nvidia-dcgm-exporter`` in ``gpu-operator``,
container ``nvidia-dcgm-exporter`` with port ``metrics`` 9400, ``DCGM_EXPORTER_KUBERNETES=true`` and
``NODE_NAME`` from ``spec.nodeName``. A test installs it (``install_dcgm_exporter``) with a
PodMonitor that selects it; the ClusterPolicy controller does not run it (its operand pods would
change what every GPU Operator test counts).

What /metrics answers (NVIDIA/dcgm-exporter 4.5.3-4.8.2): one line per GPU and field of
etc/default-counters.csv, here ``DCGM_FI_DEV_GPU_UTIL`` (gauge, %), ``DCGM_FI_DEV_FB_FREE``,
``DCGM_FI_DEV_FB_USED`` and ``DCGM_FI_DEV_FB_RESERVED`` (gauges, MiB) and
``DCGM_FI_PROF_GR_ENGINE_ACTIVE`` (gauge, ratio), with the labels of
internal/pkg/rendermetrics/render_metrics.go gpuMetricsFormat: ``gpu``, ``UUID``, ``pci_bus_id``,
``device``, ``modelName``, for a MIG device ``GPU_I_PROFILE`` and ``GPU_I_ID`` (a MIG-enabled GPU
is watched as its GPU instances: internal/pkg/devicemonitoring/device_monitoring.go
monitorAllGPUInstances), ``Hostname`` (NODE_NAME: internal/pkg/hostname/hostname.go
getLocalHostname; main after 4.8.2 writes it ``hostname``, NVIDIA/dcgm-exporter d5e5f510), the
default counters' one label field ``DCGM_FI_DRIVER_VERSION`` (internal/pkg/collector/gpu_collector.go
toMetric: a counter of type label becomes a label of every series), then
with ``--kubernetes`` the pod the kubelet gave the GPU to as ``pod``, ``namespace`` and
``container`` (internal/pkg/transformation/const.go, kubernetes.go). A GPU no pod holds has no pod
labels. The lab hands a node's GPUs to its GPU pods in name order (the kubelet's pod-resources API
is not simulated), and the values are the test's: ``busy`` maps ``namespace/pod`` to
(utilization %, framebuffer used MiB), 0 and 0 for a GPU no listed pod holds; MIG devices go to
pods by their nvidia.com/mig-<profile> limits (or nvidia.com/gpu under the single strategy).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from tests.emulators.kube.status import ApiError

NAMESPACE = "gpu-operator"
LABELS = {"app": "nvidia-dcgm-exporter"}
CONTAINER = "nvidia-dcgm-exporter"
PORT_NAME, PORT = "metrics", 9400
GPU, MIG_PREFIX = "nvidia.com/gpu", "nvidia.com/mig-"
# H100 80GB HBM3 as the recorded probe answered (/work/shared/data/gpu-probe/h100-80gb-hbm3-vm
# nvidia-smi-q.xml fb_memory_usage: total 81559 MiB, reserved 480, free 81079 with nothing running;
# driver_version 580.159.04); the lab's GPUs are all this size. DCGM reads NVML's v2 memory info, whose
# used leaves the reserved memory out (NVIDIA/DCGM 72fa3fe dcgmlib/src/DcgmCacheManager.cpp
# ReadAndCacheFBMemoryInfo: NvmlDeviceGetMemoryInfo_v2 for driver 510 and later), so FB_USED + FB_FREE
# is the total less the reserved memory.
FB_TOTAL_MIB, FB_RESERVED_MIB = 81559, 480
FB_USABLE_MIB = FB_TOTAL_MIB - FB_RESERVED_MIB
DRIVER_VERSION = "580.159.04"
# (index, UUID, GPU instance profile, GPU instance id, pod namespace, pod, container): one per GPU, or
# per MIG device ("" for profile and id on a whole GPU; "" for the pod where no pod holds it).
Device = tuple[int, str, str, str, str, str, str]


class DcgmExporter:
    # Started with --kubernetes (DCGM_EXPORTER_KUBERNETES=true): a held GPU's series name its pod
    # (upstream NVIDIA/dcgm-exporter pkg/cmd/app.go, the kubernetes flag; the operand DaemonSet above sets it).
    kubernetes = True

    def __init__(self, kube: Any, node: str) -> None:
        self.kube = kube
        self.node = node
        self.busy: dict[str, tuple[float, float]] = {}

    def gpus(self) -> list[Device]:
        """Each GPU of the node, or each MIG device of its MIG-enabled GPUs, with the pod that holds it."""
        node = self.kube.cluster.get("v1", "Node", None, self.node) or {}
        capacity = (node.get("status") or {}).get("capacity") or {}
        labels = (node.get("metadata") or {}).get("labels") or {}
        # What the device plugin advertises (NVIDIA/k8s-device-plugin 1b826acc6 docs: nvidia.com/gpu, a
        # MIG device of the single strategy, whose product label ends -MIG-<profile>; nvidia.com/mig-<profile>
        # under the mixed one): (resource, MIG profile or "", how many).
        product = labels.get("nvidia.com/gpu.product", "")
        single = labels.get("nvidia.com/mig.strategy") == "single" and "-MIG-" in product
        kinds = [(GPU, product.split("-MIG-")[-1] if single else "", int(capacity.get(GPU, "0")))]
        kinds += [(r, r[len(MIG_PREFIX) :], int(n)) for r, n in sorted(capacity.items()) if r.startswith(MIG_PREFIX)]
        holders: dict[str, list[tuple[str, str, str]]] = {resource: [] for resource, _, _ in kinds}
        try:
            pods = self.kube.cluster.list("v1", "Pod", None)
        except ApiError:
            pods = []
        for pod in sorted(pods, key=lambda p: (p["metadata"].get("namespace", ""), p["metadata"]["name"])):
            if (pod.get("spec") or {}).get("nodeName") != self.node:
                continue
            if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
                continue
            for c in (pod.get("spec") or {}).get("containers") or []:
                for resource, want in ((c.get("resources") or {}).get("limits") or {}).items():
                    if resource in holders:
                        holders[resource] += [(pod["metadata"]["namespace"], pod["metadata"]["name"], c["name"])] * int(
                            want
                        )
        devices: list[Device] = []
        parent = 0
        for resource, profile, count in kinds:
            held = holders[resource] + [("", "", "")] * count
            # A MIG-enabled GPU holds 7 // g devices of a "<g>g.<size>" profile (NVIDIA/gpu-operator
            # a22dbf6 assets/state-mig-manager/0400_configmap.yaml: all-1g.10gb 7, all-2g.20gb 3,
            # all-3g.40gb 2); dcgm-exporter labels each with its parent GPU's index and UUID. The GPU
            # instance ids are the driver's; the lab numbers them on each GPU from 0.
            per_gpu = 7 // int(profile.split("g.")[0]) if profile else 1
            for i in range(count):
                index = parent + i // per_gpu
                uuid = "GPU-" + _uuid(f"{self.node}/{index}")
                instance = str(i % per_gpu) if profile else ""
                devices.append((index, uuid, profile, instance, *held[i]))
            parent += -(-count // per_gpu)
        return devices

    def text(self) -> str:
        node = self.kube.cluster.get("v1", "Node", None, self.node) or {}
        model = (
            ((node.get("metadata") or {}).get("labels") or {})
            .get("nvidia.com/gpu.product", "NVIDIA-H100-80GB-HBM3")
            .split("-MIG-")[0]
        )
        lines: dict[str, list[str]] = {name: [] for name in _HELP}
        for index, uuid, profile, instance, ns, pod, container in self.gpus():
            labels = (
                f'gpu="{index}",UUID="{uuid}",pci_bus_id="00000001:00:{index:02X}.0",device="nvidia{index}",'
                f'modelName="{model.replace("-", " ")}"'
            )
            if profile:
                labels += f',GPU_I_PROFILE="{profile}",GPU_I_ID="{instance}"'
            labels += f',Hostname="{self.node}",DCGM_FI_DRIVER_VERSION="{DRIVER_VERSION}"'
            if pod and self.kubernetes:
                labels += f',container="{container}",namespace="{ns}",pod="{pod}"'
            util, used = self.busy.get(f"{ns}/{pod}", (0.0, 0.0)) if pod else (0.0, 0.0)
            # A MIG device's memory is its GPU instance's (ReadAndCacheFBMemoryInfo, DCGM_FE_GPU_I: the
            # instance's NVML device), nominally its profile's size; its GPU_UTIL reads 0 ("normal", the
            # maintainers answer in NVIDIA/dcgm-exporter issue 216: not supported for MIG instances) and
            # DCGM_FI_PROF_GR_ENGINE_ACTIVE, a ratio, is what measures it.
            usable = int(profile.split("g.")[1].rstrip("gb")) * 1024 if profile else FB_USABLE_MIB
            values = {
                "DCGM_FI_DEV_GPU_UTIL": 0.0 if profile else util,
                "DCGM_FI_DEV_FB_FREE": usable - used,
                "DCGM_FI_DEV_FB_USED": used,
                "DCGM_FI_DEV_FB_RESERVED": 0.0 if profile else FB_RESERVED_MIB,
                "DCGM_FI_PROF_GR_ENGINE_ACTIVE": util / 100,
            }
            for name, value in values.items():
                lines[name].append(f"{name}{{{labels}}} {value:g}")
        out: list[str] = []
        for name, samples in lines.items():
            out += [f"# HELP {name} {_HELP[name]}", f"# TYPE {name} gauge", *samples]
        return "\n".join(out) + "\n"

    def handle(self, method: str, path: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
        if method != "GET" or path.split("?")[0].rstrip("/") != "/metrics":
            return 404, {"Content-Type": "text/plain"}, b"404 page not found\n"
        return 200, {"Content-Type": "text/plain; version=0.0.4"}, self.text().encode()


# etc/default-counters.csv's help texts.
_HELP = {
    "DCGM_FI_DEV_GPU_UTIL": "GPU utilization (in %).",
    "DCGM_FI_DEV_FB_FREE": "Framebuffer memory free (in MiB).",
    "DCGM_FI_DEV_FB_USED": "Framebuffer memory used (in MiB).",
    "DCGM_FI_DEV_FB_RESERVED": "Framebuffer memory reserved (in MiB).",
    "DCGM_FI_PROF_GR_ENGINE_ACTIVE": "Ratio of time the graphics engine is active.",
}


def _uuid(seed: str) -> str:
    h = hashlib.sha256(seed.encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def install_dcgm_exporter(emu: Any, node: str, busy: Mapping[str, tuple[float, float]] | None = None) -> DcgmExporter:
    """The exporter's pod on ``node`` (Running, answering /metrics through the pod proxy) and a
    PodMonitor kube-prometheus-stack's Prometheus selects (label ``release``)."""
    if emu.cluster.get("v1", "Namespace", None, NAMESPACE) is None:
        emu.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}})
    name = f"nvidia-dcgm-exporter-{_uuid(node)[:5]}"
    env = [
        {"name": "DCGM_EXPORTER_LISTEN", "value": ":9400"},
        {"name": "DCGM_EXPORTER_KUBERNETES", "value": "true"},
        {"name": "NODE_NAME", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
    ]
    container = {"name": CONTAINER, "image": "nvcr.io/nvidia/k8s/dcgm-exporter:4.5.2-4.8.1-ubuntu22.04", "env": env,
                 "ports": [{"name": PORT_NAME, "containerPort": PORT}]}  # fmt: skip
    emu.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": name, "namespace": NAMESPACE, "labels": dict(LABELS)},
            "spec": {"nodeName": node, "containers": [container]},
        }
    )
    emu.cluster.patch_status(
        "v1", "Pod", NAMESPACE, name, {"phase": "Running", "podIP": f"10.244.{int(name[-2:], 16)}.9"}
    )
    exporter = DcgmExporter(emu, node)
    exporter.busy.update(busy or {})
    emu.register_pod_proxy(NAMESPACE, name, PORT, exporter.handle)
    if emu.cluster.get("monitoring.coreos.com/v1", "PodMonitor", NAMESPACE, "nvidia-dcgm-exporter") is None:
        emu.cluster.create(
            {
                "apiVersion": "monitoring.coreos.com/v1",
                "kind": "PodMonitor",
                "metadata": {
                    "name": "nvidia-dcgm-exporter",
                    "namespace": NAMESPACE,
                    "labels": {"release": "kube-prometheus-stack"},
                },
                "spec": {"selector": {"matchLabels": dict(LABELS)}, "podMetricsEndpoints": [{"port": PORT_NAME}]},
            }
        )
    return exporter
