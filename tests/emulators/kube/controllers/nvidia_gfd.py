"""Node Feature Discovery and GPU Feature Discovery as the GPU Operator brings them, for the
ClusterPolicy simulator (nvidia.py).

* NFD: the GPU Operator's Helm chart deploys NFD as a subchart (upstream: NVIDIA/gpu-operator a22dbf6
  deployments/gpu-operator/values.yaml ``nfd.enabled: true``). Its worker labels a node with a PCI
  device of a listed class by the device's vendor (``sources.pci.deviceClassWhitelist`` 02, 0200,
  0207, 0300, 0302; ``deviceLabelFields: [vendor]``), so a node with an NVIDIA GPU (vendor 10de)
  gets ``feature.node.kubernetes.io/pci-10de.present=true``. The worker runs only where the chart's
  ``node-feature-discovery.worker.tolerations`` tolerate the node's taints: the control plane's and
  ``nvidia.com/gpu``, not AKS's ``sku=gpu`` (:data:`NFD_WORKER_TOLERATIONS`). Where the worker's
  DaemonSet exists (:func:`nfd_worker_daemonset`, as the NFD chart renders it), its live
  tolerations are the ones read, and :class:`NfdWorkerController` labels again when it changes
  (a patched toleration lets the worker onto more nodes).
* GFD: the operand DaemonSet ``gpu-feature-discovery`` (assets/gpu-feature-discovery/0500_daemonset.yaml:
  nodeSelector ``nvidia.com/gpu.deploy.gpu-feature-discovery: "true"``; state
  ``gpu-feature-discovery``, on unless ``spec.gfd.enabled`` is false, controllers/state_manager.go
  isStateEnabled). Its pod labels its node as NVIDIA/k8s-device-plugin 1b826ac
  internal/lm/resource.go NewGPUResourceLabeler does for full GPUs: ``nvidia.com/gpu.product`` (the
  device name, sanitise: spaces to ``-``), ``.count``, ``.replicas`` (1) and ``.sharing-strategy``
  (none) from baseLabeler, ``.memory`` (MiB), and ``.family`` from newArchitectureLabels. The
  device facts come from the node's VM size (shared/data/azure-gpu-skus.csv). A node that already
  has ``nvidia.com/gpu.product`` keeps its labels: the generator wrote them as GFD would, with
  sharing (MIG) this simulator does not model.
* What GFD reads from NVML (internal/lm/nvml.go newVersionLabeler; resource.go
  newArchitectureLabels) comes from real machines' recorded NVML answers
  (../shared/data/gpu-probe/h100-80gb-hbm3-vm/nvml.json and tests/baremetal/data/h200-vm/nvml.json,
  both driver 580.159.04, CUDA 13000): the driver and CUDA labels ``nvidia.com/cuda.driver.*``,
  ``cuda.runtime.*`` and their ``-version`` forms on every node it labels (CUDA's major and minor
  as internal/resource/nvml-lib.go GetCudaDriverVersion splits NVML's number: v/1000, v%1000/10),
  and ``nvidia.com/gpu.compute.major/minor`` only for a GPU model a recording has (its device name
  begins with the size's model): no other model's compute capability was recorded. Where the
  ClusterPolicy installs the driver (``driver.enabled``, unset means true), the driver labels are
  its ``driver.version`` on every node GFD runs on, as a real GFD reports the running driver; the
  CUDA labels are then left out (no machine with that driver was recorded).
* Time-slicing: GFD reads the device plugin's config the ClusterPolicy names
  (``spec.devicePlugin.config.name``, a ConfigMap in the operator's namespace; the key is the
  node's ``nvidia.com/device-plugin.config`` label, else ``config.default``; none: the "empty"
  fallback, no sharing: NVIDIA/gpu-operator a22dbf6 assets/gpu-feature-discovery/0500_daemonset.yaml
  NODE_LABEL, controllers/object_controls.go DEFAULT_CONFIG and FALLBACK_STRATEGIES). A
  ``sharing.timeSlicing`` resource ``nvidia.com/gpu`` with more than one replica makes its labels
  ``gpu.replicas`` N, ``gpu.sharing-strategy`` time-slicing and a product ending ``-SHARED``
  unless the resource is renamed (``rename``, or ``renameByDefault``: NVIDIA/k8s-device-plugin
  internal/lm/resource.go baseLabeler, getProductName; api/config/v1/replicas.go). Such a node is
  relabelled even where it had labels of its own.
* MIG (single, mixed) and the device plugin's resources under MIG and time-slicing:
  nvidia_mig_labels.py. A node the MIG manager split is relabelled even where it had labels of
  its own. Not modelled: MPS; labels GFD no longer writes are left on the node.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

from tests.emulators.kube.cluster import KUBELET
from tests.emulators.kube.controllers.base import Controller
from tests.emulators.kube.controllers.node_filters import should_run_daemon_pod
from tests.emulators.kube.controllers.scheduling import daemon_pod_spec

NFD_NVIDIA_LABEL = "feature.node.kubernetes.io/pci-10de.present"
# Node labels, NFD's own and GFD's (its features file or NodeFeature object), are written by NFD's
# master: kubernetes-sigs/node-feature-discovery pkg/nfd-master/nfd-master.go updates the Node with a
# client of the binary's default user agent (deployment/helm/node-feature-discovery/templates/
# master.yaml runs "nfd-master"; no UserAgent is set in cmd/ or pkg/), so they are "nfd-master"'s.
NFD_MASTER = "nfd-master"
GFD_DEPLOY_LABEL = "nvidia.com/gpu.deploy.gpu-feature-discovery"
NFD_WORKER_TOLERATIONS = [
    {"key": "node-role.kubernetes.io/control-plane", "operator": "Equal", "value": "", "effect": "NoSchedule"},
    {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"},
]
INSTANCE_TYPE = "node.kubernetes.io/instance-type"


@functools.cache
def _nvidia_sizes() -> dict[str, Any]:
    from tests.emulators.kube.generate import gpu_sizes

    return {s.name: s for s in gpu_sizes() if s.gpu_model.startswith("NVIDIA")}


def nvidia_size(node: dict[str, Any]) -> Any:
    """The node's VM size where it has NVIDIA GPUs (the PCI devices NFD and GFD find), else None."""
    return _nvidia_sizes().get(str((node["metadata"].get("labels") or {}).get(INSTANCE_TYPE) or ""))


# upstream: kubernetes-sigs/node-feature-discovery deployment/helm/node-feature-discovery/templates/
# worker.yaml (labels: _helpers.tpl node-feature-discovery.labels, then role: worker)
NFD_WORKER_SELECTOR = {"app.kubernetes.io/name": "node-feature-discovery", "role": "worker"}


def nfd_worker_objects(namespace: str, release: str = "gpu-operator") -> list[dict[str, Any]]:
    """The gpu-operator chart's NFD subchart's ServiceAccount and worker DaemonSet as ``helm
    install`` renders them: the account ``node-feature-discovery`` (the chart's values: the master
    creates it, the worker uses it), the DaemonSet ``<fullname>-worker`` (fullname: release-chart
    name) with the chart's ``node-feature-discovery.worker.tolerations``."""
    selector = {"app.kubernetes.io/name": "node-feature-discovery", "app.kubernetes.io/instance": release}
    labels = {**selector, "app.kubernetes.io/managed-by": "Helm", "role": "worker"}
    account = {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {"name": "node-feature-discovery", "namespace": namespace, "labels": {**selector}},
    }
    return [
        account,
        {
            "apiVersion": "apps/v1",
            "kind": "DaemonSet",
            "metadata": {"name": f"{release}-node-feature-discovery-worker", "namespace": namespace, "labels": labels},
            "spec": {
                "selector": {"matchLabels": {**selector, "role": "worker"}},
                "template": {
                    "metadata": {"labels": {**selector, "role": "worker"}},
                    "spec": {
                        "dnsPolicy": "ClusterFirstWithHostNet",
                        "serviceAccountName": "node-feature-discovery",
                        "containers": [
                            {"name": "worker", "image": "registry.k8s.io/nfd/node-feature-discovery:v0.18.2"}
                        ],
                        "tolerations": [dict(t) for t in NFD_WORKER_TOLERATIONS],
                    },
                },
            },
        },
    ]


def _worker_tolerations(cluster: Any) -> list[dict[str, Any]]:
    """The live worker DaemonSet's tolerations, else the chart's (no DaemonSet object made)."""
    for ds in cluster.list("apps/v1", "DaemonSet"):
        labels = ds["metadata"].get("labels") or {}
        if all(labels.get(k) == v for k, v in NFD_WORKER_SELECTOR.items()):
            return list(((ds.get("spec") or {}).get("template") or {}).get("spec", {}).get("tolerations") or [])
    return NFD_WORKER_TOLERATIONS


def nfd_worker_runs(node: dict[str, Any], tolerations: list[dict[str, Any]] = NFD_WORKER_TOLERATIONS) -> bool:
    return bool(should_run_daemon_pod(daemon_pod_spec({"tolerations": tolerations}), node))


def label_nfd(cluster: Any, nodes: list[dict[str, Any]]) -> None:
    """NFD's worker: the NVIDIA PCI label on each node with NVIDIA GPUs the worker runs on."""
    tolerations = _worker_tolerations(cluster)
    for node in nodes:
        labels = node["metadata"].get("labels") or {}
        runs = nfd_worker_runs(node, tolerations)
        if labels.get(NFD_NVIDIA_LABEL) != "true" and nvidia_size(node) is not None and runs:
            cluster.patch(
                "v1",
                "Node",
                None,
                node["metadata"]["name"],
                {"metadata": {"labels": {NFD_NVIDIA_LABEL: "true"}}},
                manager=NFD_MASTER,
            )


SHARED = Path(os.environ.get("AKSCLI_SHARED_DIR") or Path(__file__).resolve().parents[4].parent / "shared")
NVML_RECORDINGS = (
    SHARED / "data" / "gpu-probe" / "h100-80gb-hbm3-vm" / "nvml.json",
    Path(__file__).resolve().parents[3] / "baremetal" / "data" / "h200-vm" / "nvml.json",
)
DEVICE_PLUGIN_CONFIG = "nvidia.com/device-plugin.config"


@functools.cache
def _recorded() -> tuple[dict[str, Any], dict[str, tuple[int, int]]]:
    """The first recording's driver answers, and each recorded device name's compute capability."""
    driver: dict[str, Any] = {}
    compute: dict[str, tuple[int, int]] = {}
    for path in NVML_RECORDINGS:
        answers = json.loads(path.read_text(encoding="utf-8"))
        driver = driver or {"version": answers["driver_version"], "cuda": int(answers["cuda_driver_version"])}
        for device in answers["devices"]:
            major, minor = device["cuda_compute_capability"]
            compute[str(device["name"])] = (int(major), int(minor))
    return driver, compute


@functools.cache
def memory_mib(gpu_model: str, gib: int) -> str:
    """GFD's ``nvidia.com/gpu.memory``: NVML's total memory in MiB (NVIDIA/k8s-device-plugin 1b826ac
    internal/lm/resource.go NewGPUResourceLabeler, device.GetTotalMemoryMiB), as a recording of the
    model answered it (H100 80GB HBM3: 81559, not 80 x 1024); the VM size's nominal GiB x 1024 for a
    model no recording has."""
    for path in NVML_RECORDINGS:
        for device in json.loads(path.read_text(encoding="utf-8"))["devices"]:
            if str(device["name"]).startswith(gpu_model):
                return str(int(device["memory"]["total"]) // (1024 * 1024))
    return str(gib * 1024)


def running_driver(policy: Mapping[str, Any] | None) -> str | None:
    """The driver a node runs under ``policy``: the version its driver container installs
    (``spec.driver.version``) where the operator installs drivers (upstream: NVIDIA/gpu-operator
    a22dbf6 api/nvidia/v1/clusterpolicy_types.go DriverSpec.IsEnabled, true when unset; the
    driver image's tag is that version), else None: the node's own, the recorded one."""
    driver = ((policy or {}).get("spec") or {}).get("driver") or {}
    if driver.get("enabled") is False or not driver.get("version"):
        return None
    return str(driver["version"])


def version_labels(driver: str | None = None) -> dict[str, str]:
    """internal/lm/nvml.go newVersionLabeler, from the running driver: NVML's driver version
    (nvmlSystemGetDriverVersion) and the CUDA version it supports (nvmlSystemGetCudaDriverVersion).
    ``driver``: the one the GPU Operator installed (``running_driver``), else the recorded one.
    No machine with another driver was recorded, so for it the ``cuda.runtime`` labels are left
    out rather than guessed (a real GFD writes them)."""
    recorded, _ = _recorded()
    version = driver or str(recorded["version"])
    major, minor, rev = [*version.split("."), ""][:3]
    labels = {
        "nvidia.com/cuda.driver.major": major,
        "nvidia.com/cuda.driver.minor": minor,
        "nvidia.com/cuda.driver.rev": rev,
        "nvidia.com/cuda.driver-version.major": major,
        "nvidia.com/cuda.driver-version.minor": minor,
        "nvidia.com/cuda.driver-version.revision": rev,
        "nvidia.com/cuda.driver-version.full": version,
    }
    if version != str(recorded["version"]):
        return labels
    cuda_major, cuda_minor = recorded["cuda"] // 1000, recorded["cuda"] % 1000 // 10
    return labels | {
        "nvidia.com/cuda.runtime.major": str(cuda_major),
        "nvidia.com/cuda.runtime.minor": str(cuda_minor),
        "nvidia.com/cuda.runtime-version.major": str(cuda_major),
        "nvidia.com/cuda.runtime-version.minor": str(cuda_minor),
        "nvidia.com/cuda.runtime-version.full": f"{cuda_major}.{cuda_minor}",
    }


def compute_labels(gpu_model: str) -> dict[str, str]:
    """resource.go newArchitectureLabels' compute.major/minor, for a model a recording has."""
    _, compute = _recorded()
    found = next((cc for name, cc in compute.items() if name.startswith(gpu_model)), None)
    if found is None:
        return {}
    return {"nvidia.com/gpu.compute.major": str(found[0]), "nvidia.com/gpu.compute.minor": str(found[1])}


def time_slicing(cluster: Any, policy: Mapping[str, Any], node: Mapping[str, Any], namespace: str) -> tuple[int, bool]:
    """(replicas, renamed) of ``nvidia.com/gpu`` in the node's device plugin config (the module doc)."""
    from akscli import yamlio  # plumbing: YAML text (tests/foundation/test_emulator_imports)

    config = ((policy.get("spec") or {}).get("devicePlugin") or {}).get("config") or {}
    key = ((node.get("metadata") or {}).get("labels") or {}).get(DEVICE_PLUGIN_CONFIG) or config.get("default")
    source = cluster.get("v1", "ConfigMap", namespace, config["name"]) if config.get("name") else None
    text = ((source or {}).get("data") or {}).get(str(key or ""))
    if not text:
        return 1, False
    sliced = ((yamlio.load(text, "device plugin config") or {}).get("sharing") or {}).get("timeSlicing") or {}
    for resource in sliced.get("resources") or []:
        if resource.get("name") == "nvidia.com/gpu":
            return int(resource.get("replicas") or 1), bool(resource.get("rename") or sliced.get("renameByDefault"))
    return 1, False


def gfd_labels(
    node: dict[str, Any],
    sharing: tuple[int, bool] = (1, False),
    mig_strategy: str = "none",
    driver: str | None = None,
) -> dict[str, str]:
    """The labels GFD's pod writes on ``node`` ({} where it finds no GPU; only the driver's where
    it keeps the node's own GPU labels); ``sharing``: the node's time-slicing (replicas, renamed);
    ``mig_strategy``: the ClusterPolicy's; ``driver``: the one it installed (``running_driver``)."""
    from tests.emulators.kube.controllers import nvidia_mig_labels as migs
    from tests.emulators.kube.generate import architecture

    size = nvidia_size(node)
    replicas, renamed = sharing
    own = node["metadata"].get("labels") or {}
    shared_before = own.get("nvidia.com/gpu.sharing-strategy") == "time-slicing"
    # upstream: NVIDIA/k8s-device-plugin 1b826ac internal/lm/mig-strategy.go NewResourceLabeler
    mig = migs.applied(node, size.gpu_model) if size is not None and mig_strategy != "none" else None
    if size is None:
        return {}
    if "nvidia.com/gpu.product" in own and replicas < 2 and not shared_before and mig is None:
        # GFD reports the driver that runs, whatever labels the generator gave the node
        return version_labels(driver) if driver else {}
    product = "-".join(size.gpu_model.split()) + ("-SHARED" if replicas > 1 and not renamed else "")
    whole = {
        "nvidia.com/gpu.product": product,
        "nvidia.com/gpu.count": str(size.gpus),
        "nvidia.com/gpu.replicas": str(replicas),
        "nvidia.com/gpu.sharing-strategy": "time-slicing" if replicas > 1 else "none",
        "nvidia.com/gpu.memory": memory_mib(size.gpu_model, size.gpu_memory_gib),
        "nvidia.com/gpu.family": architecture(size.gpu_model),
        **compute_labels(size.gpu_model),
        **version_labels(driver),
    }
    return whole | migs.mig_labels(size.gpu_model, size.gpus, mig_strategy, mig, sharing) if mig else whole


def plugin_resources(cluster: Any, node: dict[str, Any]) -> dict[str, str] | None:
    """What the node's device plugin advertises under the oldest ClusterPolicy's MIG strategy and
    device plugin config (nvidia_mig_labels.advertised); None: its whole GPUs, as before. The oldest
    (name as tie-breaker) is the one the operator runs (upstream: NVIDIA/gpu-operator a22dbf6
    controllers/active_config.go getSingletonClusterPolicy)."""
    from tests.emulators.kube.controllers import nvidia_mig_labels as migs

    size = nvidia_size(node)
    policies = cluster.list("nvidia.com/v1", "ClusterPolicy") if size is not None else []
    if not policies:
        return None
    policy = min(policies, key=lambda p: (p["metadata"].get("creationTimestamp") or "", p["metadata"]["name"]))
    strategy = migs.strategy(policy)
    sharing = time_slicing(cluster, policy, node, "gpu-operator")
    mig = migs.applied(node, size.gpu_model) if strategy != "none" else None
    return migs.advertised(size.gpus, strategy, mig, sharing)


def advertise(cluster: Any, pods: list[dict[str, Any]]) -> None:
    """Each running device plugin pod's node advertises ``plugin_resources``."""
    for pod in pods:
        name = (pod.get("spec") or {}).get("nodeName")
        node = (
            cluster.get("v1", "Node", None, name)
            if name and (pod.get("status") or {}).get("phase") == "Running"
            else None
        )
        resources = plugin_resources(cluster, node) if node is not None else None
        if node is None or resources is None:
            continue
        status = node.get("status") or {}
        capacity, allocatable = dict(status.get("capacity") or {}), dict(status.get("allocatable") or {})
        if any(capacity.get(k) != v or allocatable.get(k) != v for k, v in resources.items()):
            cluster.patch_status(  # the kubelet's device manager (rdma_plugin.RdmaSharedDevicePlugin)
                "v1",
                "Node",
                None,
                name,
                {"capacity": capacity | resources, "allocatable": allocatable | resources},
                manager=KUBELET,
            )


def label_gfd(cluster: Any, pods: list[dict[str, Any]], policy: Mapping[str, Any] | None = None) -> None:
    """Each GFD pod's node labelled by it, under ``policy``'s device plugin config, once the pod runs
    there: GFD's container writes the labels (upstream: NVIDIA/k8s-device-plugin 1b826ac
    cmd/gpu-feature-discovery/main.go start, run: d.labelOutputer.Output, from the running process),
    so a pod the scheduler left Pending, or none at all (a node the DaemonSet does not run on), leaves
    the node without them."""
    for pod in pods:
        if (pod.get("status") or {}).get("phase") != "Running":
            continue
        name = (pod.get("spec") or {}).get("nodeName")
        node = cluster.get("v1", "Node", None, name) if name else None
        if node is None:
            continue
        from tests.emulators.kube.controllers import nvidia_mig_labels as migs

        sharing = time_slicing(cluster, policy or {}, node, str(pod["metadata"].get("namespace")))
        labels = gfd_labels(node, sharing, migs.strategy(policy or {}), running_driver(policy))
        if labels:
            cluster.patch("v1", "Node", None, name, {"metadata": {"labels": labels}}, manager=NFD_MASTER)


class NfdWorkerController(Controller):
    """The NFD worker DaemonSet's pods, as far as labels go: when the DaemonSet changes (a
    toleration added), the nodes it now runs on get NFD's label."""

    # the worker's features become labels by NFD's master (NFD_MASTER)
    field_manager: ClassVar[str | None] = NFD_MASTER

    watches: ClassVar[list[tuple[str, str]]] = [("apps/v1", "DaemonSet")]

    def reconcile(self, cluster: Any, obj: dict[str, Any]) -> None:
        labels = obj["metadata"].get("labels") or {}
        if all(labels.get(k) == v for k, v in NFD_WORKER_SELECTOR.items()):
            label_nfd(cluster, cluster.list("v1", "Node"))


class GfdPodController(Controller):
    """GFD's pods, as far as labels go: a GFD pod that comes up (after the MIG manager paused it, or
    on a node added later) labels its node under the oldest ClusterPolicy, as its process does at
    start (upstream: NVIDIA/k8s-device-plugin 1b826ac cmd/gpu-feature-discovery/main.go start; the
    pods' label app=gpu-feature-discovery: NVIDIA/gpu-operator a22dbf6 assets/gpu-feature-discovery/
    0500_daemonset.yaml)."""

    # GFD's labels reach the node through NFD's master (module docstring; NFD_MASTER)
    field_manager: ClassVar[str | None] = NFD_MASTER

    watches: ClassVar[list[tuple[str, str]]] = [("v1", "Pod")]

    def reconcile(self, cluster: Any, obj: dict[str, Any]) -> None:
        labels = obj["metadata"].get("labels") or {}
        if labels.get("app") != "gpu-feature-discovery" or (obj.get("status") or {}).get("phase") != "Running":
            return
        policies = cluster.list("nvidia.com/v1", "ClusterPolicy")
        if policies:
            policy = min(policies, key=lambda p: (p["metadata"].get("creationTimestamp") or "", p["metadata"]["name"]))
            label_gfd(cluster, [obj], policy)
