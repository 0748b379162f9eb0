"""Readiness of KubeRay kinds (ray-project/kuberay).

MINIMAL RULES, to be refined by the Ray issue (#18): they keep the checks akscli had before the
one wait rule and do not yet follow KubeRay's generation discipline (RayCluster and RayService
publish ``status.observedGeneration``: ray-operator/controllers/ray/raycluster_controller.go,
rayservice_controller.go). Replace each with a ConditionRule or a function citing its file.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from akscli.kube.readiness.builtin import state_field
from akscli.kube.readiness.core import READY, ConditionRule, Generation, Readiness, Rule, conditions, status_of


def ray_cluster(obj: Mapping[str, Any]) -> Readiness:
    """MINIMAL: state=failed is final; RayClusterProvisioned and HeadPodReady when published."""
    status = status_of(obj)
    state = status.get("state")
    if state == "failed":
        return Readiness(False, True, f"state=failed: {status.get('reason', '')}", "failed")
    conds = conditions(obj)
    if "RayClusterProvisioned" in conds or "HeadPodReady" in conds:
        return ConditionRule(
            upstream="ray-project/kuberay ray-operator/controllers/ray/raycluster_controller.go",
            generation=Generation.NONE,
            ready=("RayClusterProvisioned", "HeadPodReady"),
        )(obj)
    return READY if state == "ready" else Readiness(False, message=f"state={state or '<unset>'}")


RULES: dict[tuple[str, str], Rule] = {
    ("ray.io", "RayCluster"): ray_cluster,
    # MINIMAL: ray-operator/controllers/ray/rayjob_controller.go (jobDeploymentStatus).
    ("ray.io", "RayJob"): state_field("status.jobDeploymentStatus", ("Complete",), ("Failed",)),
    # MINIMAL: ray-operator/controllers/ray/rayservice_controller.go (Ready condition).
    ("ray.io", "RayService"): ConditionRule(
        upstream="ray-project/kuberay ray-operator/controllers/ray/rayservice_controller.go",
        generation=Generation.NONE,
        ready=("Ready",),
    ),
}
