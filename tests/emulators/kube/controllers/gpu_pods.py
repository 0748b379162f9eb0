"""The GPU-workload simulator of the Kubernetes emulator: ``GpuPodController`` (v1 Pod) gives the
pods of akscli's GPU probe Jobs the probe's JSON as their log (replayed from
../shared/data/gpu-probe/h100-80gb-hbm3-vm through the real probe code, for the pod's node), and the
launcher pod of an NCCL test realistic nccl-tests output (``nccl_log``, nccl_tests_log.py:
all_reduce_perf output as nccl-tests 2.x prints it; upstream: NVIDIA/nccl-tests src/common.cu,
cited line by line there). Failures: ``probe-no-driver`` (probe pods fail as on a node without the
NVIDIA driver), ``nccl-slow`` (bus bandwidth far below the VM size's figure). Whether a pod gets the
NVIDIA runtime reads the GPU Operator's ClusterPolicy (``_nvidia_runtime``: NVIDIA/gpu-operator
v26.7.0 controllers/object_controls.go transformToolkitCtrForCDI).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from tests.emulators.kube.cluster import KUBE_CONTROLLER_MANAGER
from tests.emulators.kube.controllers.base import Controller
from tests.emulators.kube.controllers.nccl_tests_log import nccl_log, nccl_size
from tests.emulators.kube.controllers.nvidia_labels import singleton

INDEX = "batch.kubernetes.io/job-completion-index"
SHARED = Path(os.environ.get("AKSCLI_SHARED_DIR") or Path(__file__).resolve().parents[4].parent / "shared")
H100_RECORDING = SHARED / "data" / "gpu-probe" / "h100-80gb-hbm3-vm"


def recorded_probe_json(node: str, gpus: int = 1, vm_size: str | None = None) -> str:
    """The probe's JSON for the recorded H100 machine, as reported on ``node``; with ``gpus``, its
    one GPU repeated that many times (index, UUID and PCI bus id each its own), as NVML enumerates
    the GPUs of a node whose VM size has as many of that model (an ND H100 v5: 8). With ``vm_size``,
    the NVLink links and InfiniBand ports that size has (``_interconnect``)."""
    from akscli.baremetal import probe  # akscli's own on-node program (test_emulator_imports)

    report = probe.replay(H100_RECORDING, node=node).to_dict()
    if gpus > 1:
        first = report["gpus"][0]
        report["gpus"] = [
            first
            | {
                "index": i,
                "uuid": f"GPU-00000000-0000-0000-0000-{i:012d}",
                "pci_bus_id": f"00000000:{0x1A + i:02X}:00.0",
            }
            for i in range(gpus)
        ]
    if vm_size:
        _interconnect(report, vm_size)
    return json.dumps(report, indent=2)


# NVLink 4 links of one H100 SXM5 GPU. upstream: NVIDIA H100 Tensor Core GPU datasheet (18 NVLink
# links, 900 GB/s) and Azure's ND H100 v5 size page (learn.microsoft.com .../ndh100v5-series:
# 8 H100 joined by NVLink 4.0), as data/interconnect.yaml cites them.
H100_NVLINKS = 18


def _interconnect(report: dict[str, Any], vm_size: str) -> None:
    """The links and ports akscli's interconnect table gives ``vm_size``, in the probe's shapes.
    NVLink: H100 sizes only, every link active; version and remote PCI bus id None (what NVML
    answers for them in an Azure VM is not recorded or published). InfiniBand: mlx5_ib<N> port 1,
    the HCA names of Azure's HPC images (UCX_NET_DEVICES=mlx5_ib0:1 ... in Azure's HPC docs), each
    file as torvalds/linux drivers/infiniband/core/sysfs.c writes it (state_show "4: ACTIVE",
    phys_state_show "5: LinkUp", rate_show "400 Gb/sec (4X NDR)") after sysfs.read_rdma's strip."""
    from akscli.baremetal import nccl_expected  # data: Azure sizes' links (test_emulator_imports)

    info = nccl_expected.interconnect(vm_size)
    if info is None:
        return
    if info.nvlink_version and "H100" in info.gpu_model:
        for gpu in report["gpus"]:
            gpu["nvlink_supported"] = True
            gpu["nvlinks"] = [
                {"link": link, "active": True, "version": None, "remote_pci_bus_id": None}
                for link in range(H100_NVLINKS)
            ]
            gpu["nvlinks_active"] = H100_NVLINKS
    if info.ib_hcas and info.ib_per_hca_gbit and info.ib_generation:
        report["rdma"] = [
            {
                "device": f"mlx5_ib{i}",
                "port": 1,
                "state": "ACTIVE",
                "physical_state": "LinkUp",
                "rate": f"{info.ib_per_hca_gbit:g} Gb/sec (4X {info.ib_generation})",
                "link_layer": "InfiniBand",
            }
            for i in range(info.ib_hcas)
        ]


def _node_size(cluster: Any, node: str) -> tuple[int, str | None]:
    """GPUs of the recorded model the node's VM size has and that size (1 and None for any other
    size: the recording's)."""
    from tests.emulators.kube.controllers.nvidia_gfd import nvidia_size

    obj = cluster.get("v1", "Node", None, node)
    size = nvidia_size(obj) if obj is not None else None
    if size is not None and size.gpu_model == "NVIDIA H100 80GB":
        return int(size.gpus), str(size.name)
    return 1, None


class GpuPodController(Controller):
    """The Job side the emulator's own Job controller leaves out for akscli's GPU pods: the probe's
    JSON as the probe pods' log, completion indexes for Indexed (NCCL) Jobs, and nccl-tests
    output as the log of the NCCL launcher (index 0). Logs are written before the index label,
    so a client that waits for the launcher by label always finds its log."""

    # What it writes, the pods' completion index, the Job controller sets as it makes the pod
    # (kubernetes/kubernetes pkg/controller/job/indexed_job_utils.go addCompletionIndexAnnotation):
    # kube-controller-manager's (the cluster module's KUBE_CONTROLLER_MANAGER).
    field_manager: ClassVar[str | None] = KUBE_CONTROLLER_MANAGER

    watches: ClassVar[list[tuple[str, str]]] = [("v1", "Pod")]

    def __init__(
        self,
        delay: float = 0.0,
        failure: str | None = None,
        peak_busbw: float = 381.7,
        probe_output: Callable[[str], str] | None = None,
    ) -> None:
        super().__init__(delay, failure)
        self.peak_busbw = peak_busbw
        # node name -> the probe's output on that node (default: the recorded H100 machine, with
        # as many GPUs as the node's VM size has of that model)
        self.probe_output = probe_output
        self._nccl_seen: set[str] = set()  # uids of the NCCL pods given their index and logs

    def reconcile(self, cluster: Any, obj: dict[str, Any]) -> None:
        meta = obj.get("metadata") or {}
        labels = meta.get("labels") or {}
        if labels.get("akscli.io/component") == "gpu-probe":
            self._probe(cluster, obj)
        elif "akscli.io/nccl-run" in labels and labels.get("job-name"):
            self._nccl(cluster, obj)

    def _probe(self, cluster: Any, pod: dict[str, Any]) -> None:
        meta = pod["metadata"]
        # The emulator's Job controller puts every Job pod on its first node: the node the probe
        # was meant for is the one its Job pinned (kept in the akscli.io/node annotation).
        node = (meta.get("annotations") or {}).get("akscli.io/node") or (pod.get("spec") or {}).get("nodeName")
        if self.failure == "probe-no-driver" or not self._nvidia_runtime(cluster, pod):
            text = (
                "error: cannot probe GPUs: no NVIDIA driver on this machine (libnvidia-ml.so was not found)\n"
                "hint: install the NVIDIA driver, or run the probe in a pod that requests nvidia.com/gpu\n"
            )
        elif self.probe_output is not None:
            text = self.probe_output(str(node))
        else:
            text = recorded_probe_json(str(node), *_node_size(cluster, str(node)))
        cluster.write_pod_log(pod, text, container="probe")  # none for a pod deleted since its read

    @staticmethod
    def _nvidia_runtime(cluster: Any, pod: dict[str, Any]) -> bool:
        """Whether a pod that asks for no GPU gets the driver through ``NVIDIA_VISIBLE_DEVICES``.

        upstream: NVIDIA/gpu-operator v26.7.0 controllers/object_controls.go transformToolkitCtrForCDI:
        with CDI (cdi.enabled, true unless turned off) the toolkit sets NVIDIA_RUNTIME_SET_AS_DEFAULT
        false, so only pods with the operator's RuntimeClass (getRuntimeClassName: operator.runtimeClass,
        default "nvidia") run the NVIDIA runtime. Without a GPU Operator ClusterPolicy the emulator's
        nodes are AKS GPU nodes, whose driver reaches the pod as before.
        """
        if cluster.api.registry.by_api_version_kind("nvidia.com/v1", "ClusterPolicy") is None:
            return True  # no GPU Operator CRD served
        policies = cluster.list("nvidia.com/v1", "ClusterPolicy", None)
        if not policies:
            return True
        spec = singleton(policies).get("spec") or {}
        if (spec.get("toolkit") or {}).get("enabled") is False or (spec.get("cdi") or {}).get("enabled") is False:
            return True
        wanted = (spec.get("operator") or {}).get("runtimeClass") or "nvidia"
        return bool((pod.get("spec") or {}).get("runtimeClassName") == wanted)

    def _nccl(self, cluster: Any, pod: dict[str, Any]) -> None:
        meta = pod["metadata"]
        ns, job_name = meta["namespace"], meta["labels"]["job-name"]
        job = cluster.get("batch/v1", "Job", ns, job_name)
        if job is None or (job.get("spec") or {}).get("completionMode") != "Indexed":
            return
        pods = sorted(
            cluster.list("v1", "Pod", namespace=ns, label_selector=f"job-name={job_name}"),
            key=lambda p: p["metadata"]["name"],
        )
        if len(pods) < int(job["spec"].get("completions") or 1):
            return
        for position, p in enumerate(pods):
            # The Job controller labels an Indexed Job's pods with their completion index (builtin.py
            # indexed_pod_template); a pod without one gets its place in name order.
            index = str((p["metadata"].get("labels") or {}).get(INDEX, position))
            if p["metadata"]["uid"] in self._nccl_seen:
                continue
            self._nccl_seen.add(p["metadata"]["uid"])
            if index == "0":
                env = {e["name"]: e.get("value") for e in p["spec"]["containers"][0].get("env") or []}
                nodes, gpus = int(env.get("NODES") or 1), int(env.get("GPUS_PER_NODE") or 8)
                # all_reduce_perf -b "${MIN_BYTES}" -e "${MAX_BYTES}" (akscli's run.sh)
                sizes = {
                    "min_bytes": nccl_size(env.get("MIN_BYTES") or "8"),
                    "max_bytes": nccl_size(env.get("MAX_BYTES") or "8G"),
                }
                peak = self.peak_busbw / 4 if self.failure == "nccl-slow" else self.peak_busbw
                hosts = [f"{env.get('JOB_NAME')}-{i}" for i in range(nodes)]
                log = nccl_log(hosts, gpus_per_node=gpus, peak_busbw=peak, **sizes)
                cluster.write_pod_log(p, log, container="nccl")  # none for a pod deleted since its read
            if INDEX not in (p["metadata"].get("labels") or {}):
                cluster.patch(
                    "v1",
                    "Pod",
                    ns,
                    p["metadata"]["name"],
                    {"metadata": {"labels": {INDEX: index}, "annotations": {INDEX: index}}},
                )
