"""What KubeFleet's override webhook refuses in a cluster selector, refused by akscli before anything
is sent (``akscli apply -f`` of a ClusterResourceOverride or ResourceOverride).

upstream: kubefleet-dev/kubefleet e160c1cd pkg/utils/validator/resourceoverride.go
validateOverridePolicy, called by ValidateClusterResourceOverride (clusterresourceoverride.go) and
ValidateResourceOverride: a clusterSelectorTerm of an override rule takes a labelSelector only
("only labelSelector is supported" for a propertySelector or propertySorter) and must have one
("labelSelector is required"). akscli's own ``--override`` never writes such a term. Plain logic:
no Typer, no rich, no kubernetes import."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from akscli.errors import UsageError

FLEET_GROUP = "placement.kubernetes-fleet.io"
OVERRIDE_KINDS = ("ClusterResourceOverride", "ResourceOverride")
WEBHOOK_FILE = "kubefleet pkg/utils/validator/resourceoverride.go"


def check_overrides(objects: Iterable[Mapping[str, Any]]) -> None:
    """Raise UsageError, one line, for the first override term KubeFleet's webhook refuses."""
    for obj in objects:
        group = str(obj.get("apiVersion") or "").partition("/")[0]
        if group != FLEET_GROUP or obj.get("kind") not in OVERRIDE_KINDS:
            continue
        ref = f"{str(obj['kind']).lower()}/{(obj.get('metadata') or {}).get('name')}"
        policy = (obj.get("spec") or {}).get("policy") or {}
        for r, rule in enumerate(policy.get("overrideRules") or []):
            terms = ((rule or {}).get("clusterSelector") or {}).get("clusterSelectorTerms") or []
            for t, term in enumerate(terms):
                where = f"{ref}: spec.policy.overrideRules[{r}].clusterSelector.clusterSelectorTerms[{t}]"
                term = term or {}
                if term.get("propertySelector") is not None or term.get("propertySorter") is not None:
                    raise UsageError(
                        f"{where}: only labelSelector is supported in an override (KubeFleet's webhook "
                        f"refuses it: {WEBHOOK_FILE})",
                        hint="select the members by their labels (labelSelector)",
                    )
                if term.get("labelSelector") is None:
                    raise UsageError(
                        f"{where}: labelSelector is required (KubeFleet's webhook refuses a term without "
                        f"one: {WEBHOOK_FILE})",
                        hint="give the term a labelSelector ({} selects every member), or give "
                        "clusterSelector no terms (clusterSelectorTerms: []) to override on every member",
                    )
