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
* ``GpuPodController`` (gpu_pods.py, moved there unchanged): the pods of akscli's GPU probe and NCCL
  Jobs (NVIDIA/gpu-operator controllers/object_controls.go, NVIDIA/nccl-tests src/common.cu, cited there).
"""

from __future__ import annotations

from typing import Any, ClassVar

from tests.emulators.kube.cluster import KUBELET
from tests.emulators.kube.controllers.base import Controller
from tests.emulators.kube.controllers.device_manager import DeviceManager
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
# The operator's field manager (ClusterPolicyController.field_manager cites it).
GPU_OPERATOR = "gpu-operator"
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
# upstream: NVIDIA/gpu-operator v26.7.0 assets/state-*/0500_daemonset.yaml: the operands' own
# toleration, replaced by ClusterPolicy spec.daemonsets.tolerations when that list is not empty
# (controllers/object_controls.go applyCommonDaemonsetConfig).
OPERAND_TOLERATIONS = [{"key": GPU, "operator": "Exists", "effect": "NoSchedule"}]


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

    # The operator's image runs /usr/bin/gpu-operator (NVIDIA/gpu-operator docker/Dockerfile
    # ENTRYPOINT); cmd/gpu-operator/main.go sets no UserAgent, so client-go's default names it.
    field_manager: ClassVar[str | None] = GPU_OPERATOR

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
                    cluster.patch_status(  # the kubelet reports its container
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
                        manager=KUBELET,
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
