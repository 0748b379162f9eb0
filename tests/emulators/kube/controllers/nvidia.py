"""NVIDIA GPU Operator and GPU-workload simulators for the Kubernetes emulator.

* ``ClusterPolicyController`` (nvidia.com/v1 ClusterPolicy), with the operator's node labeller
  ``NodeLabelingController``, which keeps ``nvidia.com/gpu.present`` in step with NFD's PCI labels as
  nodes change: creates the operand DaemonSets
  (driver when enabled, container toolkit, device plugin) in ``gpu-operator`` with status
  counted from the GPU nodes, one pod per GPU node, and sets ``status.state``; with the kubelets'
  device manager (device_manager.py), so a node whose device plugin pod goes advertises no GPU. The driver
  DaemonSet is named as NVIDIA/gpu-operator names it: ``nvidia-driver-daemonset``
  (``assets/state-driver/0500_daemonset.yaml``), ``nvidia-driver-daemonset-<kernel>-<os>`` with
  ``driver.usePrecompiled`` (``controllers/object_controls.go`` transformPrecompiledDriverDaemonset),
  ``nvidia-gpu-driver-<os>-<hash>`` with ``driver.useNvidiaDriverCRD`` (``internal/state/driver.go``
  getDriverAppName; the name in ``internal/state/testdata/golden/driver-precompiled.yaml``), each
  labelled ``app.kubernetes.io/component=nvidia-driver``. Failure
  ``device-plugin-crash``: the device plugin pod of the first GPU node is in CrashLoopBackOff,
  its DaemonSet is one short and the policy is ``notReady``. Only the oldest ClusterPolicy is acted
  on; any other keeps no state (``controllers/active_config.go`` getSingletonClusterPolicy).
* ``GpuPodController`` (v1 Pod): gives the pods of akscli's GPU probe Jobs the probe's JSON as
  their log (replayed from ../shared/data/gpu-probe/h100-80gb-hbm3-vm through the real probe
  code, for the pod's node), and the launcher pod of an NCCL test realistic nccl-tests output.
  Failures: ``probe-no-driver`` (probe pods fail as on a node without the NVIDIA driver),
  ``nccl-slow`` (bus bandwidth far below the VM size's figure).
* ``nccl_log(...)`` (nccl_tests_log.py): all_reduce_perf output as nccl-tests 2.x prints it
  (upstream: NVIDIA/nccl-tests src/common.cu, cited line by line there).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from tests.emulators.kube.controllers.base import Controller
from tests.emulators.kube.controllers.device_manager import DeviceManager
from tests.emulators.kube.controllers.nccl_tests_log import nccl_log, nccl_size
from tests.emulators.kube.controllers.node_filters import should_run_daemon_pod
from tests.emulators.kube.controllers.nvidia_gfd import (
    GFD_DEPLOY_LABEL,
    GfdPodController,
    NfdWorkerController,
    advertise,
    label_gfd,
    label_nfd,
    nfd_worker_objects,
)
from tests.emulators.kube.controllers.nvidia_labels import (
    GPU_PRESENT,
    NFD_GPU_LABELS,
    NodeLabelingController,
    on_node_events,
    singleton,
)
from tests.emulators.kube.controllers.scheduling import daemon_pod_spec

NAMESPACE = "gpu-operator"
GPU = "nvidia.com/gpu"
OPERANDS = (
    ("driver", "nvidia-driver-daemonset"),
    ("toolkit", "nvidia-container-toolkit-daemonset"),
    ("devicePlugin", "nvidia-device-plugin-daemonset"),
    ("gfd", "gpu-feature-discovery"),  # nvidia_gfd.py (upstream: NVIDIA/gpu-operator controllers/state_manager.go)
)
# upstream: NVIDIA/gpu-operator v26.7.0 controllers/state_manager.go addState: each operand's state
# is named for its assets folder, the names the not-ready condition message lists.
STATE_NAMES = {
    "driver": "state-driver",
    "toolkit": "state-container-toolkit",
    "devicePlugin": "state-device-plugin",
    "gfd": "gpu-feature-discovery",
}
DEPLOY_LABELS = {
    "driver": "nvidia.com/gpu.deploy.driver",
    "toolkit": "nvidia.com/gpu.deploy.container-toolkit",
    "devicePlugin": "nvidia.com/gpu.deploy.device-plugin",
    "gfd": GFD_DEPLOY_LABEL,
}
FAILURES = (None, "device-plugin-crash", "probe-no-driver", "nccl-slow")
NFD_LABEL_PREFIX = "feature.node.kubernetes.io/"
INDEX = "batch.kubernetes.io/job-completion-index"
# upstream: NVIDIA/gpu-operator v26.7.0 assets/state-*/0500_daemonset.yaml: the operands' own
# toleration, replaced by ClusterPolicy spec.daemonsets.tolerations when that list is not empty
# (controllers/object_controls.go applyCommonDaemonsetConfig).
OPERAND_TOLERATIONS = [{"key": GPU, "operator": "Exists", "effect": "NoSchedule"}]
SHARED = Path(os.environ.get("AKSCLI_SHARED_DIR") or Path(__file__).resolve().parents[4].parent / "shared")
H100_RECORDING = SHARED / "data" / "gpu-probe" / "h100-80gb-hbm3-vm"


def _pod_state(crashing: bool) -> dict[str, Any]:
    return (
        {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s restarting failed container"}}
        if crashing
        else {"running": {"startedAt": "2026-11-26T15:00:00Z"}}
    )


# The node OS and kernel the emulator's generated AKS nodes report (generate.py).
NODE_OS, NODE_KERNEL = "ubuntu22.04", "5.15.0-1092-azure"


def operator_objects(
    namespace: str = NAMESPACE, release: str = "gpu-operator", nfd: bool = False
) -> list[dict[str, Any]]:
    """The operator's ServiceAccount and Deployment as ``helm install gpu-operator
    nvidia/gpu-operator`` creates them (NVIDIA/gpu-operator deployments/gpu-operator/templates/
    serviceaccount.yaml, operator.yaml and _helpers.tpl labels); the account comes first, as
    Helm installs ServiceAccounts before Deployments (helm/helm pkg/releaseutil/kind_sorter.go
    InstallOrder); with ``nfd`` (the chart's ``nfd.enabled``), NFD's worker DaemonSet after them."""
    labels = {
        "app.kubernetes.io/name": "gpu-operator",
        "app.kubernetes.io/instance": release,
        "app.kubernetes.io/managed-by": "Helm",
        "app.kubernetes.io/component": "gpu-operator",
    }
    pod_labels = {**labels, "app": "gpu-operator", "nvidia.com/gpu-driver-upgrade-drain.skip": "true"}
    worker = nfd_worker_objects(namespace, release) if nfd else []
    return [
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {"name": "gpu-operator", "namespace": namespace, "labels": labels},
        },
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "gpu-operator", "namespace": namespace, "labels": labels},
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": {"app.kubernetes.io/component": "gpu-operator", "app": "gpu-operator"}},
                "template": {
                    "metadata": {"labels": pod_labels},
                    "spec": {
                        "serviceAccountName": "gpu-operator",
                        "containers": [{"name": "gpu-operator", "image": "nvcr.io/nvidia/gpu-operator:v25.10.0"}],
                    },
                },
            },
        },
        *worker,
    ]


def driver_daemonset_name(driver: dict[str, Any]) -> str:
    if driver.get("useNvidiaDriverCRD"):
        return f"nvidia-gpu-driver-{NODE_OS}-646cdfdb96"
    if driver.get("usePrecompiled"):
        return f"nvidia-driver-daemonset-{NODE_KERNEL}-{NODE_OS}"
    return "nvidia-driver-daemonset"


class ClusterPolicyController(Controller):
    """The operator's side: operand DaemonSets on GPU nodes (their pods come from the emulator's
    own DaemonSet controller), then ``status.state`` from how many operand pods are ready. Adding
    it adds the operator's node labeller too (:class:`NodeLabelingController`), as the operator's
    binary runs both."""

    watches: ClassVar[list[tuple[str, str]]] = [("nvidia.com/v1", "ClusterPolicy")]
    node_selector: ClassVar[dict[str, str]] = {"nvidia.com/gpu.present": "true"}

    def __init__(self, delay: float = 0.05, failure: str | None = None, nfd: bool = False) -> None:
        super().__init__(delay, failure)
        # The chart's NFD runs beside the operator (nvidia_gfd.py; values.yaml nfd.enabled, true by
        # default): its worker's labels, written as each ClusterPolicy reconcile starts.
        self.nfd = nfd
        self._gpu_nodes: set[str] = set()  # nodes last seen with gpu.present=true (the informer's old object)
        self._seen: set[str] = set()  # nodes seen at all

    def attach(self, manager: Any) -> None:
        # The labeller runs before the ClusterPolicy's reconcile of the same event, so a first
        # reconcile finds the nodes labelled (upstream both run at once; a reconcile that found no
        # GPU node is repeated when the labels come, as below).
        self.labeller = manager.add(NodeLabelingController(delay=0.0))
        # The kubelets' device managers, for the device plugin pods the DaemonSet makes.
        self.device_manager = manager.add(DeviceManager())
        # GFD's pods label their nodes when they come up (a MIG change restarts them; upstream:
        # NVIDIA/k8s-device-plugin 1b826ac cmd/gpu-feature-discovery/main.go start).
        manager.add(GfdPodController(delay=0.0))
        # upstream: NVIDIA/gpu-operator a22dbf67 deployments/gpu-operator/values.yaml nfd.enabled;
        # kubernetes-sigs/node-feature-discovery deployment/helm/node-feature-discovery/templates/worker.yaml
        if self.nfd:  # the chart's NFD worker, relabelling when its DaemonSet changes
            manager.add(NfdWorkerController(delay=0.0))
        on_node_events(manager, self, self._node_changed)

    def _node_changed(self, cluster: Any, node: dict[str, Any]) -> None:
        """upstream: NVIDIA/gpu-operator a22dbf6 controllers/clusterpolicy_controller.go
        addWatchNewGPUNode: a node created with GPU PCI labels, or one the labeller has just given
        gpu.present=true (gpuCommonLabelAdded), reconciles every ClusterPolicy."""
        name, labels = node["metadata"]["name"], node["metadata"].get("labels") or {}
        first_sight = name not in self._seen  # the informer's create event
        self._seen.add(name)
        present = labels.get(GPU_PRESENT) == "true"
        added = present and name not in self._gpu_nodes
        (self._gpu_nodes.add if present else self._gpu_nodes.discard)(name)
        if added or (first_sight and any(labels.get(k) == v for k, v in NFD_GPU_LABELS.items())):
            policies = cluster.list("nvidia.com/v1", "ClusterPolicy", None)
            if policies:
                self._reconcile_policy(cluster, singleton(policies))

    def reconcile(self, cluster: Any, obj: dict[str, Any]) -> None:
        self._reconcile_policy(cluster, obj)

    def on_delete(self, cluster: Any, obj: dict[str, Any]) -> None:
        if obj.get("kind") == "Node":  # a node made again under the same name is a new node
            self._seen.discard(obj["metadata"]["name"])
            self._gpu_nodes.discard(obj["metadata"]["name"])

    def _reconcile_policy(self, cluster: Any, obj: dict[str, Any]) -> None:
        spec = obj.get("spec") or {}
        policies = cluster.list("nvidia.com/v1", "ClusterPolicy", None)
        if policies and singleton(policies)["metadata"]["name"] != obj["metadata"]["name"]:
            # upstream: NVIDIA/gpu-operator v26.7.0 controllers/clusterpolicy_controller.go Reconcile:
            # a ClusterPolicy other than the oldest (controllers/active_config.go
            # getSingletonClusterPolicy) gets SetStatus(Ignored) on its in-memory copy and the
            # reconcile returns without a status update, so it keeps no state and deploys nothing.
            return
        if cluster.get("v1", "Namespace", None, NAMESPACE) is None:
            cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}})
        if self.nfd:
            label_nfd(cluster, cluster.list("v1", "Node"))
        has_nfd_labels = any(
            k.startswith(NFD_LABEL_PREFIX)
            for n in cluster.list("v1", "Node")
            for k in n["metadata"].get("labels") or {}
        )  # state_manager.go hasNFDLabels
        sel = ",".join(f"{k}={v}" for k, v in self.node_selector.items())
        tolerations = list((spec.get("daemonsets") or {}).get("tolerations") or OPERAND_TOLERATIONS)
        gpu_nodes = cluster.list("v1", "Node", label_selector=sel)
        not_ready: list[str] = []
        for component, default_name in OPERANDS:
            if (spec.get(component) or {}).get("enabled", True) is False:
                continue
            # Each operand runs where the labeller set its gpu.deploy label "true" (upstream:
            # NVIDIA/gpu-operator a22dbf6 assets/state-{driver,container-toolkit,device-plugin}/
            # 0500_daemonset.yaml nodeSelector; nvidia_labels.state_labels). A GPU node whose taint
            # they do not tolerate (AKS's sku=gpu) gets no operand, and the DaemonSet does not count
            # it; isDaemonSetReady (controllers/object_controls.go) calls a DaemonSet of 0 desired
            # pods ready.
            deploy = {DEPLOY_LABELS[component]: "true"}
            template_spec = {"nodeSelector": deploy, "tolerations": tolerations}
            placed = cluster.list("v1", "Node", label_selector=f"{DEPLOY_LABELS[component]}=true")
            nodes = [n for n in placed if should_run_daemon_pod(daemon_pod_spec(template_spec), n)]
            name = driver_daemonset_name(spec.get("driver") or {}) if component == "driver" else default_name
            ds_labels = {"app": name}
            if component == "driver":
                ds_labels["app.kubernetes.io/component"] = "nvidia-driver"
            if cluster.get("apps/v1", "DaemonSet", NAMESPACE, name) is None:
                cluster.create(
                    {
                        "apiVersion": "apps/v1",
                        "kind": "DaemonSet",
                        "metadata": {"name": name, "namespace": NAMESPACE, "labels": ds_labels},
                        "spec": {
                            "selector": {"matchLabels": {"app": name}},
                            "template": {
                                "metadata": {"labels": {"app": name}},
                                "spec": {
                                    **template_spec,
                                    "containers": [{"name": name, "image": f"nvcr.io/nvidia/{name}"}],
                                },
                            },
                        },
                    }
                )
            if _rolling(cluster.get("apps/v1", "DaemonSet", NAMESPACE, name)):
                not_ready.append(STATE_NAMES[component])
            pods = cluster.list("v1", "Pod", namespace=NAMESPACE, label_selector=f"app={name}")
            if len(pods) < len(nodes):
                self.requeue(obj, 0.05)  # the DaemonSet controller has not placed every pod yet
                return
            if component == "gfd":
                # time-slicing labels from the ClusterPolicy's device plugin config (upstream:
                # NVIDIA/k8s-device-plugin 1b826ac internal/lm/resource.go, api/config/v1/replicas.go)
                label_gfd(cluster, pods, obj)
            if component == "devicePlugin":
                # MIG devices and time-slicing replicas (nvidia_mig_labels.advertised; upstream:
                # NVIDIA/k8s-device-plugin 1b826ac internal/rm, api/config/v1/replicas.go)
                advertise(cluster, pods)
            if self.failure == "device-plugin-crash" and component == "devicePlugin" and pods:
                victim = min(pods, key=lambda p: (p.get("spec") or {}).get("nodeName") or "")
                status = victim.get("status") or {}
                if any(c.get("ready") for c in status.get("containerStatuses") or []):
                    cluster.patch_status(
                        "v1",
                        "Pod",
                        NAMESPACE,
                        victim["metadata"]["name"],
                        {
                            "conditions": [{"type": "Ready", "status": "False"}],
                            "containerStatuses": [
                                {
                                    "name": name,
                                    "ready": False,
                                    "restartCount": 7,
                                    "state": _pod_state(True),
                                    "image": f"nvcr.io/nvidia/{name}",
                                }
                            ],
                        },
                    )
                    # A metadata write to the DaemonSet makes its controller count the ready pods again.
                    cluster.patch(
                        "apps/v1",
                        "DaemonSet",
                        NAMESPACE,
                        name,
                        {"metadata": {"annotations": {"akscli.test/crashed": victim["metadata"]["name"]}}},
                    )
                if STATE_NAMES[component] not in not_ready:
                    not_ready.append(STATE_NAMES[component])
        cluster.patch_status(
            "nvidia.com/v1",
            "ClusterPolicy",
            None,
            obj["metadata"]["name"],
            {
                "state": "notReady" if not_ready else "ready",
                "namespace": NAMESPACE,
                "conditions": policy_conditions(
                    not_ready, has_gpu_nodes=bool(gpu_nodes), has_nfd_labels=has_nfd_labels
                ),
            },
        )


def _rolling(ds: dict[str, Any] | None) -> bool:
    """An operand DaemonSet its controller has seen whose changed template has not reached every node.

    upstream: NVIDIA/gpu-operator a22dbf6 controllers/object_controls.go isDaemonSetReady and
    isDaemonSetRollingUpdateComplete: a RollingUpdate DaemonSet is NotReady until observedGeneration
    reaches its generation and updatedNumberScheduled equals desiredNumberScheduled. Only that part:
    one never seen by the DaemonSet controller (no observedGeneration) and one whose pods are updated
    but not available are left to the pod counts above, as before."""
    if ds is None or (ds.get("spec") or {}).get("updateStrategy", {}).get("type", "RollingUpdate") != "RollingUpdate":
        return False
    status = ds.get("status") or {}
    if not status.get("observedGeneration"):
        return False
    behind = int(status["observedGeneration"]) < int((ds.get("metadata") or {}).get("generation") or 1)
    return behind or int(status.get("updatedNumberScheduled") or 0) < int(status.get("desiredNumberScheduled") or 0)


def policy_conditions(
    not_ready: list[str], *, has_gpu_nodes: bool, has_nfd_labels: bool = True
) -> list[dict[str, str]]:
    """The Ready and Error conditions the operator writes at the end of a reconcile.

    upstream: NVIDIA/gpu-operator v26.7.0 controllers/clusterpolicy_controller.go Reconcile and
    clusterPolicyNotReadyMessage (the message), internal/conditions/clusterpolicy.go updateConditions
    (Ready and Error always set as a pair), internal/conditions/consts.go (the reasons). A cluster
    where the operator finds no GPU node is still ``ready``, with reason NoGPUNodes, or
    NFDLabelsMissing ("No NFD labels found") where no node has any NFD label, which Reconcile checks
    first.
    """
    # metav1.Condition's message has no omitempty: an empty one is written as "".
    at = {"lastTransitionTime": "2026-11-26T15:00:00Z"}  # kept while the status is unchanged (meta.SetStatusCondition)
    if not_ready:
        message = f"ClusterPolicy is not ready; states not ready: [{' '.join(not_ready)}]"
        return [
            {"type": "Ready", "status": "False", "reason": "Error", "message": "", **at},
            {"type": "Error", "status": "True", "reason": "OperandNotReady", "message": message, **at},
        ]
    if not has_nfd_labels:
        reason, message = "NFDLabelsMissing", "No NFD labels found"
    elif has_gpu_nodes:
        reason, message = "Reconciled", "ClusterPolicy is ready as all resources have been successfully reconciled"
    else:
        reason, message = "NoGPUNodes", "No GPU node found, watching for new nodes to join the cluster."
    return [
        {"type": "Ready", "status": "True", "reason": reason, "message": message, **at},
        {"type": "Error", "status": "False", "reason": "Ready", "message": "", **at},
    ]


# ---- pods of akscli's probe and NCCL Jobs ----------------------------------------------------


def recorded_probe_json(node: str, gpus: int = 1, vm_size: str | None = None) -> str:
    """The probe's JSON for the recorded H100 machine, as reported on ``node``; with ``gpus``, its
    one GPU repeated that many times (index, UUID and PCI bus id each its own), as NVML enumerates
    the GPUs of a node whose VM size has as many of that model (an ND H100 v5: 8). With ``vm_size``,
    the NVLink links and InfiniBand ports that size has (``_interconnect``)."""
    from akscli.baremetal import probe

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
    from akscli.baremetal import nccl_expected

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
        cluster.set_pod_logs(meta["namespace"], meta["name"], text, container="probe")

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
                cluster.set_pod_logs(
                    ns,
                    p["metadata"]["name"],
                    nccl_log(hosts, gpus_per_node=gpus, peak_busbw=peak, **sizes),
                    container="nccl",
                )
            if INDEX not in (p["metadata"].get("labels") or {}):
                cluster.patch(
                    "v1",
                    "Pod",
                    ns,
                    p["metadata"]["name"],
                    {"metadata": {"labels": {INDEX: index}, "annotations": {INDEX: index}}},
                )
