"""When is an object ready? The one wait rule, with one rule per kind (see ``core`` for how a kind
adds its rule). Every ``--wait`` of akscli goes through ``check``.

Rules live beside the operator they follow: ``builtin`` (Kubernetes), ``fleet`` (KubeFleet),
``kuberay`` (KubeRay), ``kaito`` (KAITO, AI Runway), ``dynamo`` (NVIDIA Dynamo), ``gateway``
(Gateway API routes and inference pools, as the gateway's controller reports them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from akscli.kube.readiness import builtin, dynamo, fleet, fleet_runs, gateway, kaito, kuberay
from akscli.kube.readiness.core import (
    READY,
    ConditionRule,
    Generation,
    Readiness,
    Rule,
    Terminal,
    any_condition,
    conditions,
    current_conditions,
    describe,
    stale,
)

__all__ = [
    "READY",
    "RULES",
    "ConditionRule",
    "Generation",
    "Readiness",
    "Rule",
    "Terminal",
    "check",
    "check_with_members",
    "conditions",
    "current_conditions",
    "describe",
    "generic",
    "group_of",
    "members_of",
    "pod_selector",
    "rule_for",
    "stale",
]

RULES: dict[tuple[str, str], Rule] = {
    **builtin.RULES,
    **fleet.RULES,
    **fleet_runs.RULES,
    **kuberay.RULES,
    **kaito.RULES,
    **dynamo.RULES,
    **gateway.RULES,
}

POD_SELECTORS = {**kuberay.POD_SELECTORS, **kaito.POD_SELECTORS}

# Kinds whose verdict also reads objects they own (a KAITO InferenceSet's Workspaces).
MEMBERS = kaito.MEMBERS

# Kinds without a rule of their own: the first of these conditions they publish, honouring
# whichever observedGeneration they publish; with none, ready once stored and observed.
generic: Rule = any_condition("Ready", "Available", "Established", generation=Generation.AUTO)


def group_of(api_version: str) -> str:
    return api_version.split("/")[0] if "/" in api_version else ""


def rule_for(api_version: str, kind: str) -> Rule:
    return RULES.get((group_of(api_version), kind), generic)


def check(obj: Mapping[str, Any]) -> Readiness:
    """The verdict of the object's kind rule on the object as it is now."""
    return rule_for(str(obj.get("apiVersion", "")), str(obj.get("kind", "")))(obj)


def members_of(obj: Mapping[str, Any]) -> tuple[str, str, str] | None:
    """(apiVersion, kind, label selector) of the objects the object's verdict also reads, in its
    namespace; None for a kind that reads none (most)."""
    found = MEMBERS.get((group_of(str(obj.get("apiVersion", ""))), str(obj.get("kind", ""))))
    return found[0](obj) if found else None


def check_with_members(obj: Mapping[str, Any], members: Iterable[Mapping[str, Any]]) -> Readiness:
    """The verdict on the object given ``members`` (the objects ``members_of`` selects), for a
    kind in MEMBERS; ``check`` for any other."""
    found = MEMBERS.get((group_of(str(obj.get("apiVersion", ""))), str(obj.get("kind", ""))))
    return found[1](obj, members) if found else check(obj)


def pod_selector(obj: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The LabelSelector of the object's pods: its spec.selector (Deployment, StatefulSet, Job...),
    else the labels its operator puts on them (RayCluster, RayJob, RayService, Workspace,
    InferenceSet: kuberay.POD_SELECTORS, kaito.POD_SELECTORS); None for a kind with neither, or
    while its status does not name them yet."""
    selector = (obj.get("spec") or {}).get("selector")
    if isinstance(selector, Mapping):
        return selector
    pods = POD_SELECTORS.get((group_of(str(obj.get("apiVersion", ""))), str(obj.get("kind", ""))))
    return pods(obj) if pods else None


def names_pods(obj: Mapping[str, Any]) -> bool:
    """Whether the object's kind has pods that ``pod_selector`` finds, now or once its status names
    them (a RayJob's from ``status.rayClusterName``, which the object as applied lacks)."""
    if isinstance((obj.get("spec") or {}).get("selector"), Mapping):
        return True
    return (group_of(str(obj.get("apiVersion", ""))), str(obj.get("kind", ""))) in POD_SELECTORS
