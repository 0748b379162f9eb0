"""GPU nodes whose NVIDIA device plugin stopped, and a device plugin installed without the GPU
Operator, as ``akscli doctor`` and ``akscli baremetal doctor`` report them (through
akscli.gpu.stack.rules). Plain logic: no Typer, no rich.

What the kubelet shows (upstream: kubernetes/kubernetes 0022bec3 pkg/kubelet/cm/devicemanager/
manager.go): a plugin that stops (its pod deleted, its container crashing) closes its endpoint, and
markResourceUnhealthy moves every device of its resource to unhealthy: the node keeps its GPUs in
capacity and has none allocatable. GetCapacity drops the resource once the endpoint's
stopGracePeriodExpired (types.go endpointStopGracePeriod, five minutes), and
pkg/kubelet/nodestatus/setters.go MachineInfo then writes its capacity as 0 rather than removing it.
The NVIDIA plugin also marks a GPU unhealthy itself on an XID error while it runs
(NVIDIA/k8s-device-plugin internal/rm/health.go), so GPUs none of which is allocatable are either.

A plugin without the operator: NVIDIA/k8s-device-plugin 1b826acc6 deployments/static/
nvidia-device-plugin.yml (pods labelled name=nvidia-device-plugin-ds, in kube-system) and its Helm
chart deployments/helm/nvidia-device-plugin (app.kubernetes.io/name=nvidia-device-plugin, from
templates/_helpers.tpl); the GPU Operator's own is the DaemonSet nvidia-device-plugin-daemonset,
pods labelled app=nvidia-device-plugin-daemonset (NVIDIA/gpu-operator assets/state-device-plugin).

Rollout rows (akscli.doctor.rollout.daemonset_rollout, kubectl rollout status's words) for the two
device plugin DaemonSets no operator reconciles, each read once and only where it is expected:
- a standalone NVIDIA device plugin, where a pod of one was found (no GPU Operator, NVIDIA GPU
  nodes): the static manifest's DaemonSet carries no label, so its pod's controller reference names
  it (one get); the Helm chart's DaemonSets are found by the label the chart puts on them,
  app.kubernetes.io/name=nvidia-device-plugin (deployments/helm/nvidia-device-plugin/templates/
  daemonset-device-plugin.yml metadata.labels, _helpers.tpl nvidia-device-plugin.labels; the chart's
  daemonset-gfd.yml and daemonset-mps-control-daemon.yml carry the same, so their rollouts are
  named too: one list);
- the RDMA device plugins however they were installed (akscli.gpu.rdma_plugins: the RDMA shared device
  plugin by its upstream DaemonSet name, the SR-IOV device plugin by its upstream label), where there
  is a GPU node, whatever its labels (a plugin's nodeSelector is its own, ``prepare
  --rdma-node-selector`` included); those a Network Operator policy owns (label ds-owner) are
  akscli.gpu.network_operator's. One also gets a row where it places a pod on no node at all.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from akscli import errors, timestamps
from akscli.doctor import rollout as doctor_rollout
from akscli.gpu import rdma_plugins
from akscli.kube import pod_problems
from akscli.object_names import human_duration

if TYPE_CHECKING:
    from akscli.gpu.nodes import GpuNodes
    from akscli.kube.client import Kube

OPERATOR_PODS = "app=nvidia-device-plugin-daemonset"
STANDALONE_PODS = ("name=nvidia-device-plugin-ds", "app.kubernetes.io/name=nvidia-device-plugin")
CHART_DAEMONSETS = "app.kubernetes.io/name=nvidia-device-plugin"  # the chart's DaemonSets' own label
# How long a running plugin may take to register with a restarted kubelet before doctor calls it an
# error: it restarts its plugins when it sees kubelet.sock created and registers within seconds;
# a failed start is retried every 30 s (NVIDIA/k8s-device-plugin 1b826acc6 cmd/nvidia-device-plugin/
# main.go start: "Failed to start one or more plugins. Retrying in 30s..."): four tries.
REGISTER_SECONDS = 120
# The kubelet's Event on its Node as it starts (upstream: kubernetes/kubernetes pkg/kubelet/kubelet.go
# BirthCry, events.StartingKubelet); node events are kept an hour (the API server's --event-ttl).
KUBELET_STARTING = "Starting"
KUBELET_STARTS = f"involvedObject.kind=Node,reason={KUBELET_STARTING},source=kubelet"
EVENT_PAGE = 500  # kubelet Starting events a page: one per node whose kubelet started in the last hour
GRACE_SECONDS = 300  # the kubelet's endpointStopGracePeriod (devicemanager/types.go)


def _now() -> datetime:
    return datetime.now(UTC)


def standalone(kube: Kube) -> dict[str, Any] | None:
    """One pod of a device plugin installed without the GPU Operator (one page of one pod per
    selector), or None."""
    for selector in STANDALONE_PODS:
        try:
            pages = kube.list_pages("v1", "Pod", all_namespaces=True, label_selector=selector, page_size=1)
            items: list[dict[str, Any]] = next(pages, {"items": []})["items"]
        except (errors.AuthError, errors.NotInstalledError):
            return None
        if items:
            return items[0]
    return None


def where(pod: dict[str, Any]) -> str:
    """namespace/name of the plugin's DaemonSet-made pod, as doctor names the install."""
    meta = pod.get("metadata") or {}
    owner = next((o.get("name") for o in meta.get("ownerReferences") or [] if o.get("kind") == "DaemonSet"), None)
    return f"DaemonSet {meta.get('namespace')}/{owner}" if owner else f"pod {meta.get('namespace')}/{meta.get('name')}"


def _pods_on(kube: Kube, node: str, operator_ns: str | None) -> list[dict[str, Any]]:
    """The device plugin pods bound to ``node`` (the operator's in its namespace, else any
    standalone one), read by the node's field selector."""
    field = f"spec.nodeName={node}"
    try:
        if operator_ns:
            return list(
                kube.list("v1", "Pod", namespace=operator_ns, label_selector=OPERATOR_PODS, field_selector=field)
            )
        return [
            pod
            for selector in STANDALONE_PODS
            for pod in kube.list("v1", "Pod", all_namespaces=True, label_selector=selector, field_selector=field)
        ]
    except (errors.AuthError, errors.NotInstalledError):
        return []


def pod_state(pod: dict[str, Any]) -> str:
    """The plugin pod's state as kubectl's STATUS column shows it ("Running" when nothing is wrong)."""
    if (pod.get("metadata") or {}).get("deletionTimestamp"):
        return "Terminating"
    for cs in (pod.get("status") or {}).get("containerStatuses") or []:
        waiting = ((cs.get("state") or {}).get("waiting") or {}).get("reason")
        if waiting:
            return str(waiting)
    found = pod_problems.problem(pod)
    return found.text if found is not None else "Running"


def _named(nodes: GpuNodes, kind: str) -> str:
    listed = nodes.plugin_names.get(kind) or []
    more = nodes.plugin.get(kind, 0) - len(listed)
    if kind == "unhealthy":
        shown = ", ".join(
            f"{node} ({nodes.plugin_mig[node]} allocatable)"
            if node in nodes.plugin_mig
            else f"{node} ({free} of {capacity} allocatable)"
            for node, capacity, free in listed
        )
    elif kind == "stopped":
        shown = ", ".join(f"{node} ({free} of {capacity} allocatable)" for node, capacity, free in listed)
    else:
        shown = ", ".join(node for node, _, _ in listed)
    return shown + (f" and {more} more" if more > 0 else "")


def _managed(node: str, grep: str = "") -> tuple[str, str]:
    """On a managed GPU node, where the plugin is a systemd service (gpu_nodes.MANAGED_GPU_LABEL): the
    clause that says so, and the command that reads the service's log, through a node debug pod as
    MicrosoftDocs/azure-aks-docs articles/aks/node-access.md opens one (its image, ``chroot /host``)."""
    from akscli.gpu.nodes import MANAGED_GPU_LABEL, MANAGED_GPU_VALUE, MANAGED_PLUGIN_SERVICE

    return (
        f"AKS runs the device plugin on {node} as the {MANAGED_PLUGIN_SERVICE} systemd service, not in a pod "
        f"(a managed GPU node: {MANAGED_GPU_LABEL}={MANAGED_GPU_VALUE}); kubectl describe node {node} shows its "
        "UnhealthyNvidiaDevicePlugin condition",
        f"kubectl debug node/{node} -it --image=mcr.microsoft.com/azurelinux/busybox:1.36 -- chroot /host "
        f"journalctl -u {MANAGED_PLUGIN_SERVICE}" + (f" --grep {grep}" if grep else ""),
    )


def _first_pod(kube: Kube, node: str, operator_ns: str | None, nodes: GpuNodes) -> tuple[str, str]:
    """What the first node's plugin pod says, as a clause, and the command that reads its log (or
    the pods on the node, where no plugin pod is there; the service's log on a managed GPU node)."""
    pods = _pods_on(kube, node, operator_ns)
    if not pods and node in nodes.plugin_managed:
        return _managed(node)
    if not pods:
        ds = "the GPU Operator's nvidia-device-plugin-daemonset" if operator_ns else "the device plugin's DaemonSet"
        return (
            f"no device plugin pod is on {node}: {ds} does not place one there (its nodeSelector or tolerations)",
            f"kubectl get pods -A -o wide --field-selector spec.nodeName={node}",
        )
    meta = pods[0].get("metadata") or {}
    ns, name = meta.get("namespace"), meta.get("name")
    return f"its device plugin pod {ns}/{name} is {pod_state(pods[0])}", f"kubectl -n {ns} logs {name} --previous"


def rules(kube: Kube, nodes: GpuNodes, operator_ns: str | None, rule: Callable[..., Any]) -> list[Any]:
    """An error for the GPU nodes with GPUs none allocatable, one for those whose GPUs the kubelet
    dropped; ``operator_ns`` is where the GPU Operator runs its plugin (None: a plugin without it);
    ``rule`` is gpu_stack.Rule. Reads the plugin pods of the first node of each, by field selector;
    a warning for those with GPUs the plugin marked unhealthy."""
    out: list[Any] = []
    if nodes.plugin.get("stopped"):
        node = nodes.plugin_names["stopped"][0][0]
        pod, logs = _first_pod(kube, node, operator_ns, nodes)
        out.append(
            rule(
                "gpu-operator",
                "error",
                f"{nodes.plugin['stopped']} GPU node(s) have GPUs no pod can get (nvidia.com/gpu allocatable 0): "
                f"{_named(nodes, 'stopped')}; the kubelet marks every GPU unhealthy when the device plugin stops, "
                f"or the plugin marked them unhealthy (XID errors); {pod}",
                f"read the plugin's log on {node} ({logs}); the "
                "kubelet drops the GPUs (capacity 0) five minutes after the plugin stopped and counts them again "
                "when it registers; where it runs and reports XID errors, drain the node and reset it (nvidia-smi -q)",
                subject="device plugin",
            )
        )
    if nodes.plugin.get("dropped"):
        out.append(_dropped(kube, nodes, operator_ns, rule))
    if nodes.plugin.get("unhealthy"):
        out.append(_unhealthy(kube, nodes, operator_ns, rule))
    if nodes.xid:
        from akscli.gpu import xid as gpu_xid

        out.append(gpu_xid.rule(nodes, rule))
    return out


def kubelet_started(kube: Kube, node: str) -> datetime | None:
    """When the node's kubelet last started: its newest "Starting" Event from the kubelet on the
    Node (in namespace default, where node events go); None where there is none (over an hour ago,
    or events cannot be read). One list, narrowed on the server to that node's kubelet starts."""
    return kubelet_starts(kube, node).get(node)


def kubelet_starts(kube: Kube, node: str | None = None) -> dict[str, datetime]:
    """Each node's newest kubelet start (of ``node`` alone where given), from one paged list of the
    kubelet's Starting events in namespace default; {} where events cannot be read. Every node is
    covered in one request per page: the server keeps only Node events of reason Starting from
    source kubelet (upstream: kubernetes/kubernetes a2b9bc4e pkg/apis/core/v1/conversion.go
    AddFieldLabelConversionsForEvent makes involvedObject.kind, involvedObject.name, reason and
    source selectable; e4b6dc5a pkg/registry/core/event/strategy.go EventToSelectableFields reads
    source as source.component, which the kubelet's recorder sets to "kubelet": 293a53f2
    cmd/kubelet/app/server.go makeEventRecorder, EventSource{Component: componentKubelet}), so kube-proxy's
    own Starting event on the Node is not among them. A node's events last an hour (the API
    server's --event-ttl): the list holds the nodes whose kubelet started within it."""
    selector = KUBELET_STARTS if node is None else f"involvedObject.name={node},{KUBELET_STARTS}"
    try:
        return newest_events(kube, "default", selector, EVENT_PAGE)
    except (errors.AuthError, errors.NotInstalledError):
        return {}


def newest_events(
    kube: Kube, namespace: str, selector: str, page_size: int, keep: Callable[[str], bool] | None = None
) -> dict[str, datetime]:
    """Per involved object's name, the newest time of the events ``selector`` selects in ``namespace``
    (one paged list), of those whose message ``keep`` accepts; an error reading them is raised."""
    newest: dict[str, datetime] = {}
    for event in kube.list("v1", "Event", namespace=namespace, field_selector=selector, page_size=page_size):
        if keep is not None and not keep(str(event.get("message") or "")):
            continue
        name = str((event.get("involvedObject") or {}).get("name") or "")
        at = timestamps.parse(
            (event.get("series") or {}).get("lastObservedTime") or event.get("lastTimestamp") or event.get("eventTime")
        )
        if name and at is not None and (name not in newest or at > newest[name]):
            newest[name] = at
    return newest


def plugin_started(pod: dict[str, Any]) -> datetime | None:
    """When the plugin pod's running container started (a new plugin process registers as it
    starts); None where none runs."""
    found = [
        timestamps.parse(((cs.get("state") or {}).get("running") or {}).get("startedAt"))
        for cs in (pod.get("status") or {}).get("containerStatuses") or []
    ]
    return max((at for at in found if at is not None), default=None)


def _since(at: datetime | None) -> float | None:
    return None if at is None else (_now() - at).total_seconds()


def _dropped(kube: Kube, nodes: GpuNodes, operator_ns: str | None, rule: Callable[..., Any]) -> Any:
    """Capacity 0: a plugin gone past the grace period, or, where its pod runs, one not registered
    since the kubelet restarted (readCheckpoint keeps a registered resource at capacity 0 "till the
    corresponding device plugin re-registers"; the NVIDIA plugin re-registers when it sees
    kubelet.sock created, NVIDIA/k8s-device-plugin cmd/nvidia-device-plugin/main.go)."""
    node = nodes.plugin_names["dropped"][0][0]
    pods = _pods_on(kube, node, operator_ns)
    meta = (pods[0].get("metadata") or {}) if pods else {}
    kubelet = _since(kubelet_started(kube, node))
    restarted = (
        f"the kubelet on {node} restarted {human_duration(kubelet)} ago"
        if kubelet is not None
        else f"no kubelet start is recorded on {node} (its Starting event: events are kept an hour)"
    )
    if pods and pod_state(pods[0]) == "Running":
        ns, name = meta.get("namespace"), meta.get("name")
        ages = [age for age in (kubelet, _since(plugin_started(pods[0]))) if age is not None]
        young = bool(ages) and min(ages) < REGISTER_SECONDS
        return rule(
            "gpu-operator",
            "warning" if young else "error",
            f"{nodes.plugin['dropped']} GPU node(s) advertise nvidia.com/gpu capacity 0 while their device plugin "
            f"runs: {_named(nodes, 'dropped')}; its device plugin pod {ns}/{name} is Running and not registered "
            "with the kubelet: a restarted kubelet keeps capacity 0 until the plugin registers again, which it "
            f"does when it sees kubelet.sock created; {restarted}"
            + (f", under the {REGISTER_SECONDS // 60} minutes a registration takes at most" if young else ""),
            (
                f"wait: the plugin registers within seconds and retries a failed start every 30 s; if it is still "
                f"0 after {REGISTER_SECONDS // 60} minutes, read the plugin's log (kubectl -n {ns} logs {name}) and "
                f"restart it (kubectl -n {ns} delete pod {name})"
                if young
                else f"read the plugin's log (kubectl -n {ns} logs {name}) and restart it (kubectl -n {ns} delete "
                f"pod {name}): a new plugin process registers and lists every GPU"
            ),
            subject="device plugin",
        )
    pod, logs = _first_pod(kube, node, operator_ns, nodes)
    if kubelet is not None and kubelet < GRACE_SECONDS:
        # Capacity 0 from the kubelet's checkpoint, not the grace period: the plugin did not come back.
        return rule(
            "gpu-operator",
            "error",
            f"{nodes.plugin['dropped']} GPU node(s) advertise nvidia.com/gpu capacity 0: {_named(nodes, 'dropped')}; "
            f"{restarted} and its device plugin has not registered since (a restarted kubelet keeps capacity 0 "
            f"until it does); {pod}",
            f'read why the plugin fails ({logs}): "Failed to initialize NVML" means the driver does not answer '
            f"(nvidia-smi on the node; the GPU Operator's driver pod on {node}); once it runs it registers and "
            "the GPUs come back",
            subject="device plugin",
        )
    return rule(
        "gpu-operator",
        "error",
        f"{nodes.plugin['dropped']} GPU node(s) advertise nvidia.com/gpu capacity 0, the kubelet's mark of a "
        f"device plugin that registered GPUs and has been gone more than five minutes: "
        f"{_named(nodes, 'dropped')}; {pod}",
        f"read why the plugin is not running ({logs}); once it runs it registers again and the GPUs come back",
        subject="device plugin",
    )


def _unhealthy(kube: Kube, nodes: GpuNodes, operator_ns: str | None, rule: Callable[..., Any]) -> Any:
    """Some GPUs allocatable, fewer than in capacity: the running plugin marked the others unhealthy
    (an XID error: internal/rm/health.go logs "XidCriticalError: Xid=N on Device=ID; marking device
    as unhealthy."; an event naming a GPU and compute instance marks the one MIG device with those
    ids, checkHealth's IsMigDevice branch), and it never marks one healthy again ("there is no way to recover from the
    Unhealthy state", internal/plugin/server.go ListAndWatch): a new plugin process lists it again."""
    node = nodes.plugin_names["unhealthy"][0][0]
    pods = _pods_on(kube, node, operator_ns)
    meta = (pods[0].get("metadata") or {}) if pods else {}
    logs = (
        f"kubectl -n {meta.get('namespace')} logs {meta.get('name')} | grep XidCriticalError"
        if pods
        else _managed(node, "XidCriticalError")[1]
        if node in nodes.plugin_managed
        else f"kubectl get pods -A -o wide --field-selector spec.nodeName={node}"
    )
    return rule(
        "gpu-operator",
        "warning",
        f"{nodes.plugin['unhealthy']} GPU node(s) have GPUs their device plugin marked unhealthy (allocatable "
        f"below capacity): {_named(nodes, 'unhealthy')}; the NVIDIA device plugin does so on an XID error and "
        "keeps them unhealthy while it runs; pods keep the other GPUs"
        + (
            "; on a MIG GPU it marks only the MIG device whose GPU and compute instance the XID names, and the "
            "GPU's other MIG devices stay allocatable"
            if nodes.plugin_mig
            else ""
        ),
        f"find the XID ({logs}; on the node, dmesg shows NVRM: Xid); drain the node (kubectl drain {node} "
        "--ignore-daemonsets) and have the GPU reset or the VM redeployed; a restarted plugin lists it again "
        "until the error comes back",
        subject="device plugin",
    )


def rollout_rules(kube: Kube, nodes: GpuNodes, plugin: dict[str, Any] | None, rule: Callable[..., Any]) -> list[Any]:
    """A row for each standalone device plugin DaemonSet whose changed template has not reached every
    node: the NVIDIA plugin's where ``plugin`` (a pod of it, akscli.gpu.plugin.standalone) was found,
    the RDMA device plugins' (akscli.gpu.rdma_plugins) where there is a GPU node. A warning while one of its pods
    is available, an error otherwise. ``rule`` is gpu_stack.Rule."""
    out: list[Any] = []
    if plugin is not None:
        labels = (plugin.get("metadata") or {}).get("labels") or {}
        owner = doctor_rollout.daemon_owner(plugin)
        if labels.get("name") == "nvidia-device-plugin-ds" and owner is not None:
            found = [ds] if (ds := doctor_rollout.daemonset(kube, *owner)) else []
        else:
            found = doctor_rollout.labelled_daemonsets(kube, CHART_DAEMONSETS)
        out += _rollouts(found, "device-plugin", "NVIDIA device plugin, installed without the GPU Operator", rule)
    if nodes.nodes:
        for rdma in rdma_plugins.of(kube, nodes):
            if not rdma.network_operator:
                out += _rollouts([rdma.daemonset], "rdma-plugin", rdma.what, rule) or _nowhere(rdma, rule)
    return out


def _nowhere(plugin: rdma_plugins.Plugin, rule: Callable[..., Any]) -> list[Any]:
    """A row for an RDMA plugin DaemonSet that places a pod on no node (desiredNumberScheduled 0, its
    spec observed): no node carries what its nodeSelector asks for, or none it tolerates."""
    meta, status = plugin.daemonset.get("metadata") or {}, plugin.daemonset.get("status") or {}
    if int(status.get("desiredNumberScheduled") or 0) or int(meta.get("generation") or 0) > int(
        status.get("observedGeneration") or 0
    ):
        return []
    wanted = ",".join(f"{k}={v}" for k, v in (plugin.pod_spec.get("nodeSelector") or {}).items())
    return [
        rule(
            "rdma-plugin",
            "warning",
            f"daemonset {plugin.namespace}/{plugin.name} places a pod on no node (desiredNumberScheduled 0)"
            + (f": no node has its nodeSelector {wanted}" if wanted else "")
            + f" ({plugin.what})",
            (
                f"kubectl get nodes -l {wanted} lists the nodes it selects; label the RDMA nodes so, or "
                if wanted
                else ""
            )
            + f"change its selector or tolerations (kubectl -n {plugin.namespace} edit daemonset {plugin.name})",
            subject=f"daemonset/{plugin.name}",
        )
    ]


def _rollouts(found: Sequence[Mapping[str, Any]], check: str, what: str, rule: Callable[..., Any]) -> list[Any]:
    out: list[Any] = []
    for ds in found:
        if rollout := doctor_rollout.daemonset_rollout(ds):
            detail, available = rollout
            meta = ds.get("metadata") or {}
            ns, name = str(meta.get("namespace")), str(meta.get("name"))
            out.append(
                rule(
                    check,
                    "warning" if available else "error",
                    f"{detail} ({what})",
                    doctor_rollout.daemonset_fix(ns, name),
                    subject=f"rollout daemonset/{name}",
                )
            )
    return out
