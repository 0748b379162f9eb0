"""GPU nodes whose MIG layout the GPU Operator's MIG manager failed to apply, or is applying, as
``akscli doctor`` and ``akscli baremetal doctor`` report them (through akscli.gpu.stack.rules).

upstream: NVIDIA/mig-parted bd7160f pkg/mig/reconfigure/reconfigure.go Run: the manager sets
nvidia.com/mig.config.state to "pending" once the layout named by nvidia.com/mig.config is valid and
not yet applied; it then pauses the node's GPU clients (their nvidia.com/gpu.deploy.* labels to
"paused-for-mig-change", maybeSetPaused), waits up to five minutes for each client pod to go
(waitForPodsToBeDeleted, which returns without another state: the node stays "pending" with its
clients paused), applies the layout (nvidia-mig-parted apply), and sets "success" or "failed"
(setState, which first sets the paused labels back to "true"). A layout not in the manager's config
fails before "pending" (validateMigConfig: mig-parted assert --valid-config). It acts on a change of
the label only (cmd/nvidia-mig-manager/main.go ContinuouslySyncMigConfigChanges: UpdateFunc, or the
pod's start: AddFunc). NVIDIA/gpu-operator a22dbf6 assets/state-mig-manager/0600_daemonset.yaml: the
DaemonSet nvidia-mig-manager, pods labelled app=nvidia-mig-manager; 0400_configmap.yaml and
controllers/object_controls.go MigPartedDefaultConfigMapName: the layouts in ConfigMap
default-mig-parted-config unless ClusterPolicy spec.migManager.config.name names another.
Plain logic: no Typer, no rich.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from akscli import errors, timestamps

if TYPE_CHECKING:
    from akscli.gpu.nodes import GpuNodes
    from akscli.kube.client import Kube

PODS = "app=nvidia-mig-manager"
# waitForPodsToBeDeleted's order, in the operator's namespace, on the node, five minutes each.
CLIENTS = ("nvidia-device-plugin-daemonset", "gpu-feature-discovery", "nvidia-dcgm-exporter", "nvidia-dcgm")
WAIT_MINUTES = 5


def _now() -> datetime:
    return datetime.now(UTC)


def _paused_at(pods: list[dict[str, Any]]) -> datetime | None:
    """When the GPU client pods still on a node were first asked to go: the earliest deletion
    request among them (deletionTimestamp less deletionGracePeriodSeconds: the API server sets it
    to the request's time plus the grace period, and to the time of a shorter request, such as the
    kubelet's final delete of a pod a finalizer holds, so this is never earlier than the request;
    upstream: kubernetes/apiserver pkg/registry/rest/delete.go BeforeDelete). The DaemonSet
    controller deletes them once the MIG manager's paused labels no longer match their nodeSelector,
    written with "pending" (mig-parted pkg/mig/reconfigure/reconfigure.go Run: setNodeLabel
    "pending", then the paused labels); None where none is being deleted."""
    found = []
    for pod in pods:
        meta = pod.get("metadata") or {}
        at = timestamps.parse(str(meta.get("deletionTimestamp") or ""))
        if at is not None:
            found.append(at - timedelta(seconds=int(meta.get("deletionGracePeriodSeconds") or 0)))
    return min(found, default=None)


def _progress(kube: Kube, node: str, since: str, ns: str) -> tuple[str, str, str]:
    """How far a pending change on ``node`` has got: (severity, a clause for the message, the pod
    it is stuck on or "").

    mig-parted publishes no more than the state label; the time is the MIG manager's last write
    to the node (its managedFields entry: "pending" and the paused labels, written together) or,
    where the node has no such entry (``since`` ""), the deletion of the GPU client pods still on
    it (_paused_at); the step is read from those pods. The waits run in CLIENTS order, each up to
    five minutes, so a client of the k-th kind still there more than 5*k minutes after "pending"
    outlived its wait: Run returned, and nothing moves until the label changes or the manager's pod
    restarts (an error). Clients all gone: the layout is being applied."""
    started = timestamps.parse(since) if since else None
    if since and started is None:
        return "warning", "", ""
    selector = f"app in ({','.join(CLIENTS)})"
    try:
        pods = list(
            kube.list("v1", "Pod", namespace=ns, label_selector=selector, field_selector=f"spec.nodeName={node}")
        )
    except (errors.AuthError, errors.NotInstalledError):
        if started is None:
            return "warning", "", ""
        minutes = int((_now() - started).total_seconds() // 60)
        return "warning", f"; {node} has been pending {minutes} minute(s)", ""
    present = {str(((p.get("metadata") or {}).get("labels") or {}).get("app")): p for p in pods}
    waiting = next(((k, app) for k, app in enumerate(CLIENTS, 1) if app in present), None)
    counted = ""
    if started is None:
        started = _paused_at(list(present.values()))
        counted = " (counted from its GPU clients' deletion: no MIG manager write in managedFields)"
    if waiting is None:
        pending = "" if started is None else f" {int((_now() - started).total_seconds() // 60)} minute(s)"
        return (
            "warning",
            f"; {node} has been pending{pending}, its GPU clients gone: the MIG manager is applying the "
            "layout (a MIG mode change resets the GPUs)",
            "",
        )
    k, app = waiting
    pod = str((present[app].get("metadata") or {}).get("name"))
    if started is None:
        return (
            "warning",
            f"; {node} is pending with {pod} still on it and not being deleted: the MIG manager has not paused "
            "its GPU clients yet, or their DaemonSets do not select nodes by the nvidia.com/gpu.deploy.* labels",
            "",
        )
    minutes = int((_now() - started).total_seconds() // 60)
    if minutes > WAIT_MINUTES * k:
        return (
            "error",
            f"; {node} is stuck: pending {minutes} minute(s){counted} with {pod} still on it, longer than the MIG "
            f"manager waits for it ({WAIT_MINUTES} minutes for each GPU client up to it): it gave up, and acts again "
            "only when the label changes or its pod restarts",
            pod,
        )
    return (
        "warning",
        f"; {node} has been pending {minutes} minute(s){counted}: the MIG manager waits for {pod} to go "
        f"(up to {WAIT_MINUTES} minutes for each GPU client)",
        "",
    )


def _pending(kube: Kube, nodes: GpuNodes, ns: str, first: str) -> tuple[str, str, str, str, str]:
    """The pending nodes looked into (the first MIG_LOOKED, with the manager's write time where
    managedFields has it, one pod list each): (the node the message is about, severity, its progress
    clause, the pod it is stuck on or "", how many of those looked at are stuck). The node is the
    first stuck one, else the first looked at, else ``first``."""
    looked = [(node, _progress(kube, node, since, ns)) for node, since in nodes.mig_since.items()]
    if not looked:
        return first, "warning", "", "", ""
    stuck = [(node, found) for node, found in looked if found[0] == "error"]
    node, (severity, progress, pod) = stuck[0] if stuck else looked[0]
    pending = nodes.mig.get("pending", 0)
    if len(looked) == 1 and pending == 1:
        return node, severity, progress, pod, ""
    verb = "is" if len(stuck) == 1 else "are"
    count = (
        f"; {len(stuck)} of the {len(looked)} pending node(s) looked at {verb} stuck "
        f"({', '.join(name for name, _ in stuck)})"
        if stuck
        else f"; none of the {len(looked)} pending node(s) looked at is stuck"
    )
    if pending > len(looked):
        count += f", {pending - len(looked)} more not looked at"
    return node, severity, progress, pod, count


def _named(nodes: GpuNodes, state: str) -> str:
    names = nodes.mig_names.get(state) or []
    more = nodes.mig.get(state, 0) - len(names)
    shown = ", ".join(f"{node} (nvidia.com/mig.config={layout or '<none>'})" for node, layout in names)
    return shown + (f" and {more} more" if more > 0 else "")


def rules(kube: Kube, nodes: GpuNodes, ns: str, rule: Callable[..., Any]) -> list[Any]:
    """One rule for the nodes whose MIG layout failed (an error: their GPUs keep the layout they
    had, which is not the one asked for) and one for those pending (a warning: their GPU clients
    are paused until it ends; an error where a change is stuck: _progress, on up to MIG_LOOKED nodes,
    saying how many of those are stuck);
    ``rule`` is gpu_stack.Rule."""
    out: list[Any] = []
    if not nodes.mig:
        return out
    first = {state: names[0] for state, names in nodes.mig_names.items() if names}
    logs = f"kubectl -n {ns} get pods -l {PODS} -o wide, then kubectl -n {ns} logs <the node's pod>"
    if "failed" in first:
        node, layout = first["failed"]
        out.append(
            rule(
                "gpu-operator",
                "error",
                f"{nodes.mig['failed']} GPU node(s) failed to apply their MIG layout (nvidia.com/mig.config.state="
                f"failed): {_named(nodes, 'failed')}",
                f"the node's MIG manager log says why ({logs}): a layout its config (ConfigMap "
                "default-mig-parted-config, or ClusterPolicy spec.migManager.config.name) does not list fails at "
                "once, GPUs held by a process outside Kubernetes make the apply fail; then set a layout it lists "
                f"(kubectl label node {node} nvidia.com/mig.config=<layout> --overwrite), or, to try "
                f"{layout or 'the same layout'} again, delete the node's nvidia-mig-manager pod (it acts on a "
                "change of the label, or on its start)",
                subject="mig",
            )
        )
    if "pending" in first:
        node, severity, progress, stuck_pod, count = _pending(kube, nodes, ns, first["pending"][0])
        fix = (
            f"find why {stuck_pod} stays (kubectl -n {ns} describe pod {stuck_pod}: a finalizer, a container that does "
            f"not stop), then delete the node's nvidia-mig-manager pod to start again ({logs})"
            if stuck_pod
            else "a change takes minutes; one that stays pending stopped waiting (five minutes) for a GPU client pod "
            f"to go: find the pods still on {node} (kubectl get pods -A --field-selector spec.nodeName={node}), "
            f"read the MIG manager's log ({logs}), then delete its nvidia-mig-manager pod to start again"
        )
        out.append(
            rule(
                "gpu-operator",
                severity,
                f"{nodes.mig['pending']} GPU node(s) are changing their MIG layout (nvidia.com/mig.config.state="
                f"pending), their GPU clients paused (nvidia.com/gpu.deploy.*=paused-for-mig-change): "
                f"{_named(nodes, 'pending')}{progress}{count}",
                fix,
                subject="mig",
            )
        )
    return out
