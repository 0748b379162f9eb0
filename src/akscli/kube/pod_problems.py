"""Why a workload's pods are not running, in the words of the component that knows: the
scheduler's PodScheduled condition, the kubelet's container states. A wait that times out
quotes it, so "16 of 17 replicas available" comes with "0/3 nodes are available: 3 Insufficient
nvidia.com/gpu" instead of a hint to go and run kubectl describe."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from akscli.kube.client import Kube

# Waiting reasons that are a pod on its way up, not a problem (kubelet: pkg/kubelet/kubelet_pods.go
# and kuberuntime's "ContainerCreating"/"PodInitializing").
_STARTING = ("ContainerCreating", "PodInitializing")
_PAGE = 50


def selector_string(selector: Mapping[str, Any] | None) -> str | None:
    """A LabelSelector as the `labelSelector` query parameter (apimachinery
    metav1.LabelSelectorAsSelector); None for a missing or empty one (which selects everything)."""
    parts = [f"{k}={v}" for k, v in sorted(((selector or {}).get("matchLabels") or {}).items())]
    for expr in (selector or {}).get("matchExpressions") or []:
        key, op, values = str(expr.get("key")), expr.get("operator"), sorted(expr.get("values") or [])
        if op == "In":
            parts.append(f"{key} in ({','.join(values)})")
        elif op == "NotIn":
            parts.append(f"{key} notin ({','.join(values)})")
        elif op == "Exists":
            parts.append(key)
        elif op == "DoesNotExist":
            parts.append(f"!{key}")
    return ",".join(parts) or None


def problem(pod: Mapping[str, Any]) -> str | None:
    """What keeps one pod from running, or None when nothing does (yet)."""
    status = pod.get("status") or {}
    if status.get("phase") in ("Succeeded",):
        return None
    for cond in status.get("conditions") or []:
        if cond.get("type") == "PodScheduled" and cond.get("status") == "False":
            return f"not scheduled: {cond.get('message') or cond.get('reason') or 'no node chosen yet'}"
    for cs in (status.get("initContainerStatuses") or []) + (status.get("containerStatuses") or []):
        waiting = (cs.get("state") or {}).get("waiting") or {}
        reason = waiting.get("reason")
        if reason and reason not in _STARTING:
            text = f"container {cs.get('name')}: {reason}"
            message = waiting.get("message")
            last = ((cs.get("lastState") or {}).get("terminated") or {}).get("reason")
            if last:
                text += f" (last exit: {last})"
            return f"{text}: {message}" if message else text
    return None


def first_problem(kube: Kube, namespace: str | None, selector: Mapping[str, Any] | None) -> str | None:
    """`pod NAME <problem>` for the first of the selected pods that has one (one page read)."""
    from akscli import errors

    labels = selector_string(selector)
    if labels is None:
        return None
    try:
        page = next(iter(kube.list_pages("v1", "Pod", namespace=namespace, label_selector=labels, page_size=_PAGE)))
    except (errors.AkscliError, StopIteration):
        return None
    for pod in page.get("items") or []:
        found = problem(pod)
        if found:
            return f"pod {(pod.get('metadata') or {}).get('name')} {found}"
    return None
