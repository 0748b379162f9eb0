"""When is an object ready? One rule per kind, used by ``--wait``.

A rule reads only the object (its status and conditions) and says whether it is ready, whether
it has failed for good, and the most useful message to show while waiting or on timeout.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Readiness:
    ready: bool
    failed: bool = False
    message: str = ""


Rule = Callable[[Mapping[str, Any]], Readiness]
READY = Readiness(True)


def conditions(obj: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    status = obj.get("status") or {}
    return {str(c.get("type")): c for c in status.get("conditions") or [] if isinstance(c, Mapping)}


def _describe(cond: Mapping[str, Any]) -> str:
    text = f"{cond.get('type')}={cond.get('status')}"
    if cond.get("reason"):
        text += f" ({cond['reason']})"
    if cond.get("message"):
        text += f": {cond['message']}"
    return text


def all_conditions_true(*types: str, failed_reasons: tuple[str, ...] = ()) -> Rule:
    """Ready when every named condition is True; the first one not True is the message."""

    def rule(obj: Mapping[str, Any]) -> Readiness:
        conds = conditions(obj)
        for name in types:
            cond = conds.get(name)
            if cond is None:
                return Readiness(False, message=f"waiting for condition {name}")
            if cond.get("status") != "True":
                failed = bool(failed_reasons) and cond.get("reason") in failed_reasons
                return Readiness(False, failed, _describe(cond))
        return READY

    return rule


def _generation_observed(obj: Mapping[str, Any]) -> bool:
    observed = (obj.get("status") or {}).get("observedGeneration")
    generation = (obj.get("metadata") or {}).get("generation")
    return observed is None or generation is None or observed >= generation


def deployment(obj: Mapping[str, Any]) -> Readiness:
    status = obj.get("status") or {}
    want = (obj.get("spec") or {}).get("replicas", 1)
    progressing = conditions(obj).get("Progressing")
    if progressing and progressing.get("reason") == "ProgressDeadlineExceeded":
        return Readiness(False, True, _describe(progressing))
    available = status.get("availableReplicas") or 0
    updated = status.get("updatedReplicas") or 0
    if _generation_observed(obj) and available >= want and updated >= want:
        return READY
    return Readiness(False, message=f"{available}/{want} replicas available")


def statefulset(obj: Mapping[str, Any]) -> Readiness:
    status = obj.get("status") or {}
    want = (obj.get("spec") or {}).get("replicas", 1)
    ready = status.get("readyReplicas") or 0
    if _generation_observed(obj) and ready >= want:
        return READY
    return Readiness(False, message=f"{ready}/{want} replicas ready")


def daemonset(obj: Mapping[str, Any]) -> Readiness:
    status = obj.get("status") or {}
    want, ready = status.get("desiredNumberScheduled"), status.get("numberReady") or 0
    if want is not None and _generation_observed(obj) and ready >= want:
        return READY
    return Readiness(False, message=f"{ready}/{want if want is not None else '?'} pods ready")


def job(obj: Mapping[str, Any]) -> Readiness:
    conds = conditions(obj)
    if conds.get("Complete", {}).get("status") == "True":
        return READY
    if conds.get("Failed", {}).get("status") == "True":
        return Readiness(False, True, _describe(conds["Failed"]))
    status = obj.get("status") or {}
    return Readiness(False, message=f"{status.get('succeeded') or 0} succeeded, {status.get('active') or 0} active")


def pod(obj: Mapping[str, Any]) -> Readiness:
    phase = (obj.get("status") or {}).get("phase")
    if phase == "Succeeded" or conditions(obj).get("Ready", {}).get("status") == "True":
        return READY
    if phase == "Failed":
        return Readiness(False, True, f"pod failed: {(obj.get('status') or {}).get('message', '')}")
    return Readiness(False, message=f"pod is {phase or 'Pending'}")


def state_field(path: str, ready: tuple[str, ...], failed: tuple[str, ...]) -> Rule:
    def rule(obj: Mapping[str, Any]) -> Readiness:
        node: Any = obj
        for part in path.split("."):
            node = node.get(part) if isinstance(node, Mapping) else None
        value = str(node) if node is not None else ""
        if value.lower() in (r.lower() for r in ready):
            return READY
        if value.lower() in (f.lower() for f in failed):
            status = obj.get("status") or {}
            return Readiness(
                False, True, f"{path}={value}: {status.get('message') or status.get('reason') or ''}".rstrip(": ")
            )
        return Readiness(False, message=f"{path}={value or '<unset>'}")

    return rule


def ray_cluster(obj: Mapping[str, Any]) -> Readiness:
    conds = conditions(obj)
    state = (obj.get("status") or {}).get("state")
    if state == "failed":
        return Readiness(False, True, f"state=failed: {(obj.get('status') or {}).get('reason', '')}")
    if "RayClusterProvisioned" in conds or "HeadPodReady" in conds:
        return all_conditions_true("RayClusterProvisioned", "HeadPodReady")(obj)
    return READY if state == "ready" else Readiness(False, message=f"state={state or '<unset>'}")


def namespace(obj: Mapping[str, Any]) -> Readiness:
    phase = (obj.get("status") or {}).get("phase")
    return READY if phase in (None, "Active") else Readiness(False, message=f"phase={phase}")


def generic(obj: Mapping[str, Any]) -> Readiness:
    """Objects without a rule: Ready or Available conditions when present, else ready once stored."""
    conds = conditions(obj)
    for name in ("Ready", "Available", "Established"):
        if name in conds:
            return all_conditions_true(name)(obj)
    return READY


RULES: dict[tuple[str, str], Rule] = {
    ("apps", "Deployment"): deployment,
    ("apps", "StatefulSet"): statefulset,
    ("apps", "DaemonSet"): daemonset,
    ("batch", "Job"): job,
    ("", "Pod"): pod,
    ("", "Namespace"): namespace,
    ("apiextensions.k8s.io", "CustomResourceDefinition"): all_conditions_true("Established"),
    ("kaito.sh", "Workspace"): all_conditions_true(
        "ResourceReady",
        "InferenceReady",
        "WorkspaceSucceeded",
        failed_reasons=("WorkspaceFailed", "InferenceFailed", "ResourceFailed"),
    ),
    ("kaito.sh", "InferenceSet"): all_conditions_true("InferenceSetReady"),
    ("ray.io", "RayCluster"): ray_cluster,
    ("ray.io", "RayJob"): state_field("status.jobDeploymentStatus", ("Complete",), ("Failed",)),
    ("ray.io", "RayService"): all_conditions_true("Ready"),
    ("placement.kubernetes-fleet.io", "ClusterResourcePlacement"): all_conditions_true(
        "ClusterResourcePlacementAvailable"
    ),
    ("placement.kubernetes-fleet.io", "ResourcePlacement"): all_conditions_true("ResourcePlacementAvailable"),
    ("nvidia.com", "ClusterPolicy"): state_field("status.state", ("ready",), ("failed",)),
    ("keda.sh", "ScaledObject"): all_conditions_true("Ready"),
}


def group_of(api_version: str) -> str:
    return api_version.split("/")[0] if "/" in api_version else ""


def check(obj: Mapping[str, Any]) -> Readiness:
    rule = RULES.get((group_of(str(obj.get("apiVersion", ""))), str(obj.get("kind", ""))), generic)
    return rule(obj)
