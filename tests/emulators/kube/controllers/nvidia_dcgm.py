"""NVIDIA dcgm-exporter as the GPU Operator runs it on a GPU node, for a Prometheus to scrape.

The pod is the operand DaemonSet's (NVIDIA/gpu-operator a22dbf67
assets/state-dcgm-exporter/0800_daemonset.yaml): ``app=nvidia-dcgm-exporter`` in ``gpu-operator``,
container ``nvidia-dcgm-exporter`` with port ``metrics`` 9400, ``DCGM_EXPORTER_KUBERNETES=true`` and
``NODE_NAME`` from ``spec.nodeName``. A test installs it (``install_dcgm_exporter``) with a
PodMonitor that selects it; the ClusterPolicy controller does not run it (its operand pods would
change what every GPU Operator test counts).

What /metrics answers (NVIDIA/dcgm-exporter 4.5.3-4.8.2): one line per GPU and field of
etc/default-counters.csv, here ``DCGM_FI_DEV_GPU_UTIL`` (gauge, %), ``DCGM_FI_DEV_FB_FREE`` and
``DCGM_FI_DEV_FB_USED`` (gauges, MiB), with the labels of
internal/pkg/rendermetrics/render_metrics.go gpuMetricsFormat: ``gpu``, ``UUID``, ``pci_bus_id``,
``device``, ``modelName``, ``Hostname`` (NODE_NAME: internal/pkg/hostname/hostname.go
getLocalHostname; main after 4.8.2 writes it ``hostname``, NVIDIA/dcgm-exporter d5e5f510), then
with ``--kubernetes`` the pod the kubelet gave the GPU to as ``pod``, ``namespace`` and
``container`` (internal/pkg/transformation/const.go, kubernetes.go). A GPU no pod holds has no pod
labels. The lab hands a node's GPUs to its GPU pods in name order (the kubelet's pod-resources API
is not simulated), and the values are the test's: ``busy`` maps ``namespace/pod`` to
(utilization %, framebuffer used MiB), 0 and 0 for a GPU no listed pod holds.
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
GPU = "nvidia.com/gpu"
# H100 80GB HBM3 as nvidia-smi reports its framebuffer (MiB); the lab's GPUs are all this size.
FB_TOTAL_MIB = 81559


class DcgmExporter:
    # Started with --kubernetes (DCGM_EXPORTER_KUBERNETES=true): a held GPU's series name its pod
    # (upstream NVIDIA/dcgm-exporter pkg/cmd/app.go, the kubernetes flag; the operand DaemonSet above sets it).
    kubernetes = True

    def __init__(self, kube: Any, node: str) -> None:
        self.kube = kube
        self.node = node
        self.busy: dict[str, tuple[float, float]] = {}

    def gpus(self) -> list[tuple[int, str, str, str]]:
        """(index, pod namespace, pod, container) of each GPU on the node; "" where no pod holds it."""
        node = self.kube.cluster.get("v1", "Node", None, self.node) or {}
        count = int(((node.get("status") or {}).get("capacity") or {}).get(GPU, "0"))
        holders: list[tuple[str, str, str]] = []
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
                want = int(((c.get("resources") or {}).get("limits") or {}).get(GPU, "0"))
                holders += [(pod["metadata"]["namespace"], pod["metadata"]["name"], c["name"])] * want
        holders += [("", "", "")] * count
        return [(i, *holders[i]) for i in range(count)]

    def text(self) -> str:
        node = self.kube.cluster.get("v1", "Node", None, self.node) or {}
        model = ((node.get("metadata") or {}).get("labels") or {}).get(
            "nvidia.com/gpu.product", "NVIDIA-H100-80GB-HBM3"
        )
        lines: dict[str, list[str]] = {"DCGM_FI_DEV_GPU_UTIL": [], "DCGM_FI_DEV_FB_FREE": [], "DCGM_FI_DEV_FB_USED": []}
        for index, ns, pod, container in self.gpus():
            uuid = "GPU-" + _uuid(f"{self.node}/{index}")
            labels = (
                f'gpu="{index}",UUID="{uuid}",pci_bus_id="00000001:00:{index:02X}.0",device="nvidia{index}",'
                f'modelName="{model.replace("-", " ")}",Hostname="{self.node}"'
            )
            if pod and self.kubernetes:
                labels += f',container="{container}",namespace="{ns}",pod="{pod}"'
            util, used = self.busy.get(f"{ns}/{pod}", (0.0, 0.0)) if pod else (0.0, 0.0)
            lines["DCGM_FI_DEV_GPU_UTIL"].append(f"DCGM_FI_DEV_GPU_UTIL{{{labels}}} {util:g}")
            lines["DCGM_FI_DEV_FB_FREE"].append(f"DCGM_FI_DEV_FB_FREE{{{labels}}} {FB_TOTAL_MIB - used:g}")
            lines["DCGM_FI_DEV_FB_USED"].append(f"DCGM_FI_DEV_FB_USED{{{labels}}} {used:g}")
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
