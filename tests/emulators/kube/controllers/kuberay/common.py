"""What the KubeRay simulator's controllers share: names, conditions, pod resources, validation.

Upstream: ray-project/kuberay v1.7, paths under ``ray-operator/controllers/ray/`` unless named.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

RAY = "ray.io/v1"
GPU = "nvidia.com/gpu"
ENDPOINTS = {"client": "10001", "dashboard": "8265", "gcs-server": "6379", "metrics": "8080", "serve": "8000"}

# utils/constant.go: MaxRayClusterNameLength = 53 (63 - len("-serve-svc")); RayJob and RayService
# names leave room for the 6 characters GenerateRayClusterName appends ("-" + 5 random).
MAX_NAME = {"RayCluster": 53, "RayJob": 47, "RayService": 47}
# k8s.io/apimachinery validation.IsDNS1035Label, which utils/validation.go applies to every name.
_DNS1035 = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
# common/pod.go: AutoscalerContainerName; the Ray container is always index 0 (RayContainerIndex).
AUTOSCALER_CONTAINER = "autoscaler"


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def suffix(*parts: str) -> str:
    # KubeRay uses rand.String(5) (utils/util.go GenerateRayClusterName, GenerateRayJobId);
    # the simulator derives the 5 characters from the name so reconciles stay idempotent.
    digest = hashlib.sha256("/".join(parts).encode()).hexdigest()
    return "".join(c if c.isalpha() else "bcdfghjklm"[int(c)] for c in digest[:5])


def child_cluster(owner: Mapping[str, Any], name: str, spec: Mapping[str, Any]) -> dict[str, Any]:
    """A RayCluster that a RayJob or RayService owns, labelled as KubeRay labels it
    (utils/constant.go RayOriginatedFromCRDLabelKey, RayOriginatedFromCRNameLabelKey)."""
    meta = owner["metadata"]
    return {
        "apiVersion": RAY,
        "kind": "RayCluster",
        "metadata": {
            "name": name,
            "namespace": meta["namespace"],
            "labels": {"ray.io/originated-from-crd": owner["kind"], "ray.io/originated-from-cr-name": meta["name"]},
            "ownerReferences": [
                {
                    "apiVersion": RAY,
                    "kind": owner["kind"],
                    "name": meta["name"],
                    "controller": True,
                    "uid": meta.get("uid", ""),
                }
            ],
        },
        "spec": dict(spec),
    }


def name_problem(kind: str, name: str) -> str | None:
    """utils/validation.go ValidateRayClusterMetadata / ValidateRayJobMetadata / ValidateRayServiceMetadata."""
    limit = MAX_NAME[kind]
    if len(name) > limit:
        return f"{kind} name should be no more than {limit} characters"
    if not _DNS1035.fullmatch(name):
        return (
            f"{kind} name should be a valid DNS1035 label: [a DNS-1035 label must consist of lower case "
            "alphanumeric characters or '-', start with an alphabetic character, and end with an "
            "alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is "
            "'[a-z]([-a-z0-9]*[a-z0-9])?')]"
        )
    return None


def set_condition(
    conditions: list[dict[str, Any]], kind: str, status: bool | str, reason: str, message: str = ""
) -> None:
    """meta.SetStatusCondition: replace the condition of that type, keeping its
    lastTransitionTime unless the status changes."""
    text = status if isinstance(status, str) else ("True" if status else "False")
    for cond in conditions:
        if cond.get("type") == kind:
            if cond.get("status") != text:
                cond["lastTransitionTime"] = now()
            cond.update(status=text, reason=reason, message=message)
            return
    conditions.append({"type": kind, "status": text, "reason": reason, "message": message, "lastTransitionTime": now()})


def find_condition(conditions: list[dict[str, Any]], kind: str) -> dict[str, Any] | None:
    return next((c for c in conditions if c.get("type") == kind), None)


def remove_condition(conditions: list[dict[str, Any]], kind: str) -> None:
    conditions[:] = [c for c in conditions if c.get("type") != kind]


def gpus(template: Mapping[str, Any]) -> int:
    total = 0
    for container in (template.get("spec") or {}).get("containers") or []:
        limits = (container.get("resources") or {}).get("limits") or {}
        total += int(str(limits.get(GPU, 0)))
    return total


def sum_quantity(template: Mapping[str, Any], key: str) -> float:
    from akscli.validate import quantity_value

    total = 0.0
    for container in (template.get("spec") or {}).get("containers") or []:
        resources = container.get("resources") or {}
        # utils/util.go CalculatePodResource: requests, else limits.
        amount = (resources.get("requests") or {}).get(key) or (resources.get("limits") or {}).get(key)
        if amount is not None:
            total += float(quantity_value(str(amount)))
    return total


def desired_replicas(group: Mapping[str, Any]) -> int:
    """utils/util.go GetWorkerGroupDesiredReplicas: replicas clamped to [min, max], times numOfHosts,
    0 for a suspended group."""
    if group.get("suspend"):
        return 0
    lo = int(group.get("minReplicas") or 0)
    hi = group.get("maxReplicas")
    hi_value = int(hi) if hi is not None else 2**31 - 1
    replicas = group.get("replicas")
    if replicas is None or int(replicas) < lo:
        count = lo
    elif int(replicas) > hi_value:
        count = hi_value
    else:
        count = int(replicas)
    return count * int(group.get("numOfHosts") or 1)


def autoscaling(spec: Mapping[str, Any]) -> bool:
    """utils/util.go IsAutoscalingEnabled."""
    return bool(spec.get("enableInTreeAutoscaling"))


def running_and_ready(pod: Mapping[str, Any]) -> bool:
    """utils/util.go IsRunningAndReady."""
    status = pod.get("status") or {}
    return status.get("phase") == "Running" and any(
        c.get("type") == "Ready" and c.get("status") == "True" for c in status.get("conditions") or []
    )
