"""Who installs the GPU software on this cluster, and the one set of rules both doctors apply.

``akscli doctor`` (component ``gpu-driver``) and ``akscli baremetal doctor`` (cluster findings)
both call :func:`rules`, so they cannot disagree: a cluster whose GPUs run on the AKS-managed
driver passes both, a GPU Operator with a broken driver DaemonSet fails both.

What each rule reads, from upstream:

- The GPU Operator's own pod: the Helm chart labels it ``app.kubernetes.io/component=gpu-operator``
  and ``app=gpu-operator`` (NVIDIA/gpu-operator ``deployments/gpu-operator/templates/operator.yaml``);
  its CRD is ``clusterpolicies.nvidia.com``. Of several ClusterPolicies it acts on the oldest only
  (``controllers/active_config.go`` getSingletonClusterPolicy, v26.7.0): that one is judged.
- Driver DaemonSets: ``nvidia-driver-daemonset`` by default, ``nvidia-driver-daemonset-<kernel>-<os>``
  with precompiled drivers (``controllers/object_controls.go`` transformPrecompiledDriverDaemonset),
  ``nvidia-gpu-driver-<os>-<hash>`` with the NVIDIADriver CRD (``internal/state/driver.go``
  getDriverAppName). Every one carries ``app.kubernetes.io/component=nvidia-driver``
  (``assets/state-driver/0500_daemonset.yaml``, ``manifests/state-driver/0500_daemonset.yaml``),
  which is what this module selects on.
- Toolkit and device plugin DaemonSets: ``nvidia-container-toolkit-daemonset`` and
  ``nvidia-device-plugin-daemonset`` (``assets/state-container-toolkit``, ``assets/state-device-plugin``).
- AKS's own driver: AKS labels GPU nodes ``kubernetes.azure.com/accelerator=nvidia`` and, unless the
  pool was created with ``--gpu-driver none``, installs the driver and device plugin itself
  (MicrosoftDocs/azure-aks-docs ``articles/aks/gpu-cluster.md``, ``nvidia-gpu-operator.md``).
- Node Feature Discovery: the Helm chart labels its pods ``app.kubernetes.io/name=node-feature-discovery``
  (also as the GPU Operator's subchart), the kustomize deployment ``app=nfd-master`` / ``app=nfd-worker``
  (kubernetes-sigs/node-feature-discovery ``deployment/base/master/master-deployment.yaml``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from akscli.doctor import rollout as doctor_rollout
from akscli.errors import NotInstalledError
from akscli.gpu import lease as gpu_lease
from akscli.gpu import mig as gpu_mig
from akscli.gpu import network_operator
from akscli.gpu import plugin as gpu_plugin
from akscli.gpu.nodes import HELD_SHOWN as HELD_SHOWN  # re-exported
from akscli.gpu.nodes import GpuNodes as GpuNodes  # re-exported
from akscli.gpu.verdict import Installed as Installed  # re-exported
from akscli.gpu.verdict import Rule as Rule  # re-exported
from akscli.kube import pod_problems, scheduling
from akscli.kube.readiness.core import conditions

if TYPE_CHECKING:
    from akscli.kube.client import Kube

OPERATOR_PODS = ("app.kubernetes.io/component=gpu-operator", "app=gpu-operator")
NFD_PODS = ("app.kubernetes.io/name=node-feature-discovery", "app=nfd-master", "app=nfd-worker")
DRIVER_SELECTOR = "app.kubernetes.io/component=nvidia-driver"
OPERAND_DAEMONSETS = (
    ("toolkit", "nvidia-container-toolkit-daemonset"),
    ("devicePlugin", "nvidia-device-plugin-daemonset"),
)
# The operand states whose DaemonSet the rules above do not read, by the state name the operator's
# not-ready message lists (NVIDIA/gpu-operator controllers/state_manager.go addState: a state is
# named for its assets folder; controllers/clusterpolicy_controller.go clusterPolicyNotReadyMessage:
# "states not ready: [state-dcgm-exporter gpu-feature-discovery]"), with the name the rows give it
# (the ClusterPolicy spec field that enables it; the MPS daemon has none, devicePlugin runs it) and the
# DaemonSet each folder's manifest names (assets/<state>/*daemonset*.yaml, assets/state-dcgm/0400_dcgm.yml;
# every one labels its pods app=<name>). isDaemonSetReady
# (controllers/object_controls.go) calls a RollingUpdate DaemonSet not ready until every pod is updated
# and available, so a stuck rollout of any of them names its state there.
MORE_OPERANDS = {
    "state-operator-validation": ("validator", "nvidia-operator-validator"),
    "state-mps-control-daemon": ("mps-control-daemon", "nvidia-device-plugin-mps-control-daemon"),
    "state-dcgm": ("dcgm", "nvidia-dcgm"),
    "state-dcgm-exporter": ("dcgmExporter", "nvidia-dcgm-exporter"),
    "gpu-feature-discovery": ("gfd", "gpu-feature-discovery"),
    "state-mig-manager": ("migManager", "nvidia-mig-manager"),
    "state-node-status-exporter": ("nodeStatusExporter", "nvidia-node-status-exporter"),
}
CLUSTER_POLICY_CRD = "clusterpolicies.nvidia.com"
# A ClusterPolicy is "ready" with one of these Ready reasons when the operator found no GPU node:
# NVIDIA/gpu-operator v26.7.0 internal/conditions/consts.go, set in controllers/clusterpolicy_controller.go
# Reconcile (no node with an NFD label: NFDLabelsMissing; none labelled nvidia.com/gpu.present=true,
# which the operator sets from NFD's NVIDIA PCI labels: NoGPUNodes; see _no_gpu_node_fix).
NO_GPU_NODE_REASONS = ("NFDLabelsMissing", "NoGPUNodes")
NODE_SAMPLE = 50  # GPU nodes a quick (doctor) look reads


def _pods(kube: Kube, selectors: Sequence[str]) -> Iterator[dict[str, Any]]:
    seen: set[str] = set()
    for selector in selectors:
        for pod in kube.list("v1", "Pod", all_namespaces=True, label_selector=selector, page_size=50):
            meta = pod.get("metadata") or {}
            key = f"{meta.get('namespace')}/{meta.get('name')}"
            if key not in seen:
                seen.add(key)
                yield pod


def pod_ready(pod: dict[str, Any]) -> bool:
    status = pod.get("status") or {}
    ready = any(c.get("type") == "Ready" and c.get("status") == "True" for c in status.get("conditions") or [])
    return status.get("phase") == "Running" and ready


def detect(kube: Kube) -> Installed:
    """The GPU Operator (CRD, pods, ClusterPolicies) and NFD, by their own labels."""
    found = Installed()
    try:
        found.operator_crd = (
            kube.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", CLUSTER_POLICY_CRD) is not None
        )
    except NotInstalledError:
        found.operator_crd = False
    for pod in _pods(kube, OPERATOR_PODS):
        found.operator_pods += 1
        # The chart runs the operator as a Deployment (NVIDIA/gpu-operator
        # deployments/gpu-operator/templates/operator.yaml): doctor reads its rollout.
        if (made_by := doctor_rollout.owner(pod)) and made_by not in found.operator_deployments:
            found.operator_deployments.append(made_by)
        found.operator_ready += 1 if pod_ready(pod) else 0
        if pod_ready(pod):
            found.operator_ready_names.append(str((pod.get("metadata") or {}).get("name")))
        if not pod_ready(pod):
            found.operator_problem = found.operator_problem or pod_problems.problem(pod)
        found.operator_namespace = found.operator_namespace or (pod.get("metadata") or {}).get("namespace")
    if found.operator_crd:
        try:
            found.policies = list(kube.list("nvidia.com/v1", "ClusterPolicy", page_size=10))
        except NotInstalledError:
            found.policies = []
    # Whether NFD runs, and where: its first pod says both. Its workers are a DaemonSet's, one a node
    # (kubernetes-sigs/node-feature-discovery eeb1f0d5 deployment/helm/node-feature-discovery/templates/
    # worker.yaml), so reading them all was a page of 50 for every 50 nodes.
    for selector in NFD_PODS:
        first = next(iter(kube.list("v1", "Pod", all_namespaces=True, label_selector=selector, page_size=1)), None)
        if first is not None:
            found.nfd_pod = True
            found.nfd_namespace = (first.get("metadata") or {}).get("namespace")
            break
    return found


def active_policy(policies: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The ClusterPolicy the GPU Operator acts on: the oldest, the name breaking a tie; it ignores
    every other one (upstream: NVIDIA/gpu-operator v26.7.0 controllers/active_config.go
    getSingletonClusterPolicy, used by controllers/clusterpolicy_controller.go Reconcile)."""

    def key(policy: dict[str, Any]) -> tuple[str, str]:
        meta = policy.get("metadata") or {}
        return str(meta.get("creationTimestamp") or ""), str(meta.get("name") or "")

    return min(policies, key=key)


def sample_gpu_nodes(kube: Kube) -> GpuNodes:
    """A bounded look at GPU nodes (a label-selected page each), for ``doctor``, and at the nodes
    recent Node Problem Detector events mark with XID errors (akscli.gpu.xid, bounded too)."""
    from akscli.gpu import xid as gpu_xid

    nodes = GpuNodes()
    seen: set[str] = set()
    for selector in ("kubernetes.azure.com/accelerator", "nvidia.com/gpu.present=true", "nvidia.com/gpu.product"):
        for node in kube.list("v1", "Node", label_selector=selector, page_size=NODE_SAMPLE):
            name = str((node.get("metadata") or {}).get("name"))
            if name not in seen:
                seen.add(name)
                nodes.add(node)
                nodes.add_xid(node)
            if len(seen) >= NODE_SAMPLE:
                gpu_xid.from_events(kube, nodes)
                return _with_dra(kube, nodes)
    gpu_xid.from_events(kube, nodes)
    return _with_dra(kube, nodes)


def _with_dra(kube: Kube, nodes: GpuNodes) -> GpuNodes:
    """GPU nodes whose device plugin advertises nothing may be run by a DRA driver (its GPUs
    are devices in ResourceSlices, akscli.gpu.dra): look, bounded, only then."""
    from akscli.gpu import dra as gpu_dra

    if nodes.nodes and not nodes.advertising:
        nodes.dra = gpu_dra.published(kube) is not None
    return nodes


def rules(
    kube: Kube, nodes: GpuNodes, namespace: str | None = None, found: Installed | None = None
) -> tuple[Installed, list[Rule]]:
    """The verdicts on the GPU driver stack. ``namespace`` overrides where the operator's operands are
    looked for (default: the namespace its pod runs in, else ``gpu-operator``)."""
    found = found or detect(kube)
    out: list[Rule] = []
    nvidia = "nvidia" in nodes.vendors or not nodes.vendors
    if not found.operator:
        if found.operator_crd:
            out.append(
                Rule(
                    "gpu-operator",
                    "info",
                    f"the GPU Operator's CRD ({CLUSTER_POLICY_CRD}) is installed, but no operator pod runs and no "
                    "ClusterPolicy exists: the GPU Operator is not installed (Helm leaves CRDs behind)",
                    "if it was uninstalled: kubectl delete crd clusterpolicies.nvidia.com nvidiadrivers.nvidia.com",
                    subject="crds",
                )
            )
        plugin = gpu_plugin.standalone(kube) if nodes.nodes and nvidia else None
        out.extend(_without_operator(nodes, nvidia, plugin))
        if nvidia:
            out.extend(gpu_plugin.rules(kube, nodes, None, Rule))
        return found, out + _no_operator_owns(kube, nodes, plugin)
    if found.operator_pods == 0 and not found.operator_deployments:
        # No pod to name its Deployment: find it by the label the chart puts on the Deployment itself
        # (NVIDIA/gpu-operator deployments/gpu-operator/templates/operator.yaml: metadata.labels carry
        # app.kubernetes.io/component=gpu-operator; app=gpu-operator is on the pod template only).
        found.operator_deployments = doctor_rollout.by_labels(kube, OPERATOR_PODS[:1])
    deployed_in = found.operator_deployments[0][0] if found.operator_deployments else None
    ns = namespace or found.operator_namespace or deployed_in or "gpu-operator"
    stuck = doctor_rollout.rollouts(kube, found.operator_deployments)
    if found.operator_pods == 0:
        out.append(_no_operator_pod(kube, found, stuck))
    elif found.operator_ready == 0:
        out.append(
            Rule(
                "gpu-operator",
                "error",
                f"{found.operator_pods} GPU Operator pod(s) found in {ns}, none ready"
                + pod_problems.after(found.operator_problem),
                # No ready pod because a rollout went wrong: the way back is the rollout's.
                stuck[0].fix if stuck else f"kubectl -n {ns} describe pods -l app.kubernetes.io/component=gpu-operator",
            )
        )
    else:
        out.append(Rule("gpu-operator", "info", f"the GPU Operator runs in {ns}"))
    for rollout in stuck:
        # A rollout that leaves a replica serving is worth fixing; with none available, nothing
        # reconciles the driver stack (akscli.doctor.rollout).
        severity = "warning" if rollout.serving else "error"
        out.append(
            Rule("gpu-operator", severity, rollout.detail, rollout.fix, subject=f"rollout deployment/{rollout.name}")
        )
    if not found.operator_crd:
        return found, out + _no_operator_owns(kube, nodes, None)
    out.extend(_policy(kube, found, ns, nodes))
    if nodes.held:
        out.append(_held(nodes))
    out.extend(gpu_mig.rules(kube, nodes, ns, Rule))
    out.extend(gpu_plugin.rules(kube, nodes, ns, Rule))
    return found, out + _no_operator_owns(kube, nodes, None)


def _no_operator_owns(kube: Kube, nodes: GpuNodes, plugin: dict[str, Any] | None) -> list[Rule]:
    """What the GPU Operator does not reconcile: standalone device plugins' rollouts (akscli.gpu.plugin;
    ``plugin``, a standalone NVIDIA plugin's pod, is looked for only without the operator) and the
    Network Operator's DaemonSets (akscli.gpu.network_operator)."""
    return gpu_plugin.rollout_rules(kube, nodes, plugin, Rule) + network_operator.rules(kube, Rule)


def _no_operator_pod(kube: Kube, found: Installed, stuck: Sequence[doctor_rollout.Stuck]) -> Rule:
    """A ClusterPolicy and no operator pod: a rollout with no pod left, a Deployment scaled to zero
    or whose pods are refused (akscli.doctor.rollout), or no Deployment at all: only then reinstall."""
    said = "a ClusterPolicy exists but no GPU Operator pod runs"
    if stuck:
        first = stuck[0]
        return Rule(
            "gpu-operator", "error", f"{said}: deployment {first.namespace}/{first.name} has no pod running", first.fix
        )
    if gone := doctor_rollout.podless(kube, found.operator_deployments):
        return Rule("gpu-operator", "error", f"{said}: {gone.detail}", gone.fix)
    return Rule(
        "gpu-operator",
        "error",
        f"{said}: nothing deploys the driver and device plugin",
        "reinstall it: helm upgrade --install gpu-operator nvidia/gpu-operator -n gpu-operator",
    )


def _held(nodes: GpuNodes) -> Rule:
    """GPU nodes the GPU Operator keeps its driver, toolkit or device plugin off, by their
    nvidia.com/gpu.deploy.* labels, and so advertise no GPU (upstream and the values: gpus.operand_hold).
    The operands' DaemonSets do not count such a node, so their own checks pass."""
    more = f" and {nodes.held - len(nodes.held_names)} more" if nodes.held > len(nodes.held_names) else ""
    first, label = nodes.held_names[0]
    return Rule(
        "gpu-operator",
        "warning",
        f"{nodes.held} GPU node(s) advertise no GPU because a GPU Operator label keeps an operand off them: "
        + ", ".join(f"{name} ({hold})" for name, hold in nodes.held_names)
        + more,
        f"where not meant, remove the label and the operator deploys the operand again (kubectl label node {first} "
        f"{label.split('=', 1)[0]}-); paused-for-driver-upgrade is k8s-driver-manager's pause across a driver "
        "reload, paused-for-mig-change the MIG manager's across a MIG change, each undone when it ends",
        subject="operands",
    )


def _without_operator(nodes: GpuNodes, nvidia: bool, plugin: dict[str, Any] | None) -> list[Rule]:
    """``plugin``: a pod of a device plugin installed without the GPU Operator (akscli.gpu.plugin)."""
    if not nodes.nodes:
        # Nothing to judge and nothing to run GPU work on: blocks where GPUs are asked for
        # (doctor --for baremetal, baremetal doctor), is only reported by a plain doctor.
        return [
            Rule(
                "gpu-operator",
                "error",
                "no GPU nodes and no GPU Operator",
                "add a GPU node pool (akscli nodepool add --gpu ...) or join a GPU host, then install the "
                "GPU Operator: helm install gpu-operator nvidia/gpu-operator -n gpu-operator --create-namespace",
                subject="driver",
            )
        ]
    if not nvidia:
        return [
            Rule("gpu-operator", "info", "GPU nodes are AMD: the NVIDIA GPU Operator does not apply", subject="driver")
        ]
    if nodes.aks and nodes.advertising:
        return [
            Rule(
                "gpu-operator",
                "info",
                "the NVIDIA GPU Operator is not installed: GPUs rely on the AKS-managed driver and device plugin",
                "on bare metal, or for MIG/RDMA/GPUDirect, install it: akscli baremetal prepare",
                subject="driver",
            )
        ]
    if nodes.dra:
        return [
            Rule(
                "gpu-operator",
                "info",
                "NVIDIA's DRA driver publishes the GPUs (ResourceSlices of gpu.nvidia.com), not a device plugin",
                subject="driver",
            )
        ]
    if nodes.managed:
        # Managed GPU nodes whose plugin advertises nothing: AKS installs the plugin there, as a systemd
        # service (gpu_nodes.MANAGED_GPU_LABEL), so nothing is missing; akscli.gpu.plugin says why it stopped.
        return [
            Rule(
                "gpu-operator",
                "info",
                f"{nodes.managed} managed GPU node(s): AKS installs the driver and runs the device plugin on the "
                "node as a systemd service, not the GPU Operator",
                subject="driver",
            )
        ]
    if nodes.advertising or plugin is not None:
        named = f" ({gpu_plugin.where(plugin)})" if plugin is not None else ""
        return [
            Rule(
                "gpu-operator",
                "info",
                f"a device plugin installed without the GPU Operator{named} "
                + ("advertises the GPUs" if nodes.advertising else "runs, and no GPU node advertises GPUs"),
                subject="driver",
            )
        ]
    return [
        Rule(
            "gpu-operator",
            "error",
            "GPU nodes advertise no GPUs and no GPU Operator is installed: nothing installs the driver "
            "and device plugin",
            "install the GPU Operator (helm install gpu-operator nvidia/gpu-operator -n gpu-operator "
            "--create-namespace), then akscli baremetal prepare",
            subject="driver",
        )
    ]


def _policy(kube: Kube, found: Installed, ns: str, nodes: GpuNodes) -> Iterator[Rule]:
    if not found.policies:
        yield Rule(
            "gpu-operator",
            "error" if nodes.nodes else "warning",
            "the GPU Operator is installed but no ClusterPolicy exists, so it deploys nothing",
            "akscli baremetal prepare (creates the ClusterPolicy), or helm upgrade with clusterPolicy.deployCR=true",
            subject="clusterpolicy",
        )
        return
    policy = active_policy(found.policies)
    name = (policy.get("metadata") or {}).get("name")
    for other in found.policies:
        other_name = (other.get("metadata") or {}).get("name")
        if other_name != name:
            yield Rule(
                "gpu-operator",
                "warning",
                f"ClusterPolicy {other_name} is ignored: the GPU Operator acts only on the oldest one, {name}",
                f"kubectl delete clusterpolicy {other_name} (or move its settings onto {name})",
                subject="clusterpolicy",
            )
    state = (policy.get("status") or {}).get("state")
    if not state:
        # Before its first reconcile the operator has created no operand yet: judging the
        # DaemonSets now would report as missing what it is about to create.
        yield gpu_lease.unreconciled(kube, found, str(name), ns)
        return
    if state != "ready":
        # The operator writes "ready" or "notReady" only (akscli.kube.readiness.builtin.cluster_policy).
        error = _condition(policy, "Error")
        why = f": {error['message']}" if error.get("status") == "True" and error.get("message") else ""
        yield Rule(
            "gpu-operator",
            "error",
            f"ClusterPolicy {name} is {state}{why}",
            f"kubectl -n {ns} logs deploy/gpu-operator (the DaemonSet findings show what fails)",
            subject="clusterpolicy",
        )
    elif nodes.nodes and (ready := _condition(policy, "Ready")).get("reason") in NO_GPU_NODE_REASONS:
        said = f": {ready['message']}" if ready.get("message") else ""
        yield Rule(
            "gpu-operator",
            "warning" if nodes.advertising else "error",
            f"ClusterPolicy {name} is ready but the GPU Operator sees no GPU node ({ready['reason']}{said}), "
            f"so it runs no driver or device plugin on the {nodes.nodes} GPU node(s) akscli sees",
            _no_gpu_node_fix(str(ready["reason"])),
            subject="clusterpolicy",
        )
    spec = policy.get("spec") or {}
    if (spec.get("driver") or {}).get("enabled", True) is not False:
        yield from _driver(kube, ns, nodes)
    for component, ds_name in OPERAND_DAEMONSETS:
        if (spec.get(component) or {}).get("enabled", True) is False:
            continue
        ds = kube.get("apps/v1", "DaemonSet", ds_name, namespace=ns)
        yield from _daemonsets(kube, component, ds_name, [ds] if ds else [], ns, nodes)
    if state != "ready":
        # The other operands only where the operator names their state not ready: one get each.
        for component, ds_name in (MORE_OPERANDS[s] for s in _states_not_ready(policy) if s in MORE_OPERANDS):
            ds = kube.get("apps/v1", "DaemonSet", ds_name, namespace=ns)
            yield from _daemonsets(kube, component, ds_name, [ds] if ds else [], ns, nodes)


def _states_not_ready(policy: dict[str, Any]) -> list[str]:
    """The operand states the operator's Error condition lists as not ready (the message
    clusterPolicyNotReadyMessage writes: "...; states not ready: [a b]", Go's %v of a slice)."""
    message = str(_condition(policy, "Error").get("message") or "")
    found = re.search(r"states not ready: \[([^\]]*)\]", message)
    return found.group(1).split() if found else []


def _no_gpu_node_fix(reason: str) -> str:
    """What to do when the operator finds no GPU node, by its reason (upstream: NVIDIA/gpu-operator
    v26.7.0 controllers/clusterpolicy_controller.go Reconcile: NFDLabelsMissing where no node has
    any feature.node.kubernetes.io/ label, state_manager.go hasNFDLabels; else NoGPUNodes where no
    node is labelled nvidia.com/gpu.present=true, which controllers/nodelabeling_controller.go
    reconcileCommonGPULabel sets from NFD's NVIDIA PCI labels, state_manager.go gpuNodeLabels)."""
    install = (
        "install it with the operator (helm upgrade gpu-operator nvidia/gpu-operator -n gpu-operator "
        "--reuse-values --set nfd.enabled=true)"
    )
    if reason == "NFDLabelsMissing":
        return (
            "no node has any Node Feature Discovery label (feature.node.kubernetes.io/...), so NFD does not run: "
            f"{install}, or install NFD (kubectl get pods -A -l {NFD_PODS[0]} shows it)"
        )
    return (
        "the operator labels a node nvidia.com/gpu.present=true only where NFD has labelled it "
        "feature.node.kubernetes.io/pci-10de.present=true: check NFD runs on the GPU nodes "
        f"(kubectl get pods -A -l {NFD_PODS[0]} -o wide), or {install}"
    )


def _condition(obj: dict[str, Any], kind: str) -> Mapping[str, Any]:
    """The status condition of type ``kind`` ({} where there is none), as akscli.kube.readiness
    reads conditions. The GPU Operator sets Ready and Error as a pair, the message on the one that
    is True (NVIDIA/gpu-operator v26.7.0 internal/conditions/clusterpolicy.go updateConditions)."""
    return conditions(obj).get(kind) or {}


def _driver(kube: Kube, ns: str, nodes: GpuNodes) -> Iterator[Rule]:
    found = list(kube.list("apps/v1", "DaemonSet", namespace=ns, label_selector=DRIVER_SELECTOR, page_size=100))
    yield from _daemonsets(kube, "driver", "nvidia-driver-daemonset", found, ns, nodes)


def _daemonsets(
    kube: Kube, component: str, default: str, found: list[dict[str, Any]], ns: str, nodes: GpuNodes
) -> Iterator[Rule]:
    if not found:
        if nodes.nodes:
            yield Rule(
                "gpu-operator",
                "error",
                f"the GPU Operator's {component} DaemonSet ({default}) does not exist in {ns}",
                f"kubectl -n {ns} logs deploy/gpu-operator",
                subject=f"daemonset {component}",
            )
        return
    for ds in found:
        name = str((ds.get("metadata") or {}).get("name"))
        named = "" if name == default else f" ({name})"
        st = ds.get("status") or {}
        desired, ready = int(st.get("desiredNumberScheduled") or 0), int(st.get("numberReady") or 0)
        if rollout := doctor_rollout.daemonset_rollout(ds):
            # A changed operand template mid-rollout (the operator rewrote the DaemonSet): from the
            # status already read, no other request. While a pod serves, a warning.
            detail, available = rollout
            yield Rule(
                "gpu-operator",
                "warning" if available else "error",
                detail,
                doctor_rollout.daemonset_fix(ns, name),
                subject=f"rollout daemonset/{name}",
            )
        if ready >= desired:
            yield Rule(
                "gpu-operator",
                "info",
                f"{component} pods{named} ready on {ready} of {desired} nodes",
                subject=f"daemonset {name}",
            )
            continue
        yield Rule(
            "gpu-operator",
            "error",
            f"{component} pods{named} ready on {ready} of {desired} nodes",
            f"kubectl -n {ns} get pods -l app={name} -o wide",
            subject=f"daemonset {name}",
        )
        yield from _operand_pods(kube, component, name, ns)


def _pod_problem(pod: dict[str, Any]) -> str | None:
    """The operand pod's state as kubectl's STATUS column shows it, a reason on its way up
    (ContainerCreating) included; a pod the scheduler placed nowhere in the scheduler's words."""
    found = pod_problems.problem(pod)
    if found is not None and found.kind == pod_problems.UNSCHEDULABLE:
        return found.text
    status = pod.get("status") or {}
    for cs in status.get("containerStatuses") or []:
        waiting = (cs.get("state") or {}).get("waiting") or {}
        if waiting.get("reason"):
            return str(waiting["reason"])
        if not cs.get("ready"):
            return "NotReady"
    phase = status.get("phase")
    return None if phase in ("Running", "Succeeded") else str(phase or "Unknown")


def _operand_pods(kube: Kube, component: str, ds_name: str, ns: str) -> Iterator[Rule]:
    """A verdict per operand pod that is not running, naming its node (the DaemonSet's pods only):
    a pod no node took names the node its DaemonSet made it for (scheduling.target_node)."""
    for pod in kube.list("v1", "Pod", namespace=ns, label_selector=f"app={ds_name}", page_size=500):
        problem = _pod_problem(pod)
        if problem:
            name = (pod.get("metadata") or {}).get("name")
            yield Rule(
                "gpu-operator-pod",
                "error",
                f"{component} pod {problem}",
                f"kubectl -n {ns} logs {name}",
                node=scheduling.target_node(pod) or name,
                subject=f"pod {name}",
            )
