"""Overrides that select members by name: warnings before a placement's overrides are sent.

upstream: kubefleet-dev/kubefleet e160c1cd (kubefleet #578, 25b8e91a):
- apis/placement/v1beta1/commons.go MemberNameLabel, ``kubernetes-fleet.io/member-name``: "a label
  automatically added to MemberCluster objects with the value set to the MemberCluster's name. This
  enables selecting clusters by name in ResourceOverride and ClusterResourceOverride via
  labelSelector";
- pkg/controllers/membercluster/v1beta1/membercluster_controller.go ensureMemberNameLabel: the hub's
  member cluster controller sets it on every member it reconciles (not on one being deleted);
- pkg/utils/overrider/overrider.go isClusterMatched: an override rule applies on the members its
  clusterSelector's labelSelector matches, so a name no member carries matches no member, and the
  hub says nothing about it.

Plain logic: no Typer, no rich, no kubernetes import.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

MEMBER_NAME_LABEL = "kubernetes-fleet.io/member-name"
OVERRIDE_KINDS = ("ClusterResourceOverride", "ResourceOverride")


def _named(selector: Mapping[str, Any]) -> list[str]:
    """The member names a labelSelector requires of MEMBER_NAME_LABEL (matchLabels, or an In
    expression): a member must carry one of them to match."""
    names = []
    value = (selector.get("matchLabels") or {}).get(MEMBER_NAME_LABEL)
    if value is not None:
        names.append(str(value))
    for expr in selector.get("matchExpressions") or []:
        if expr.get("key") == MEMBER_NAME_LABEL and expr.get("operator") == "In":
            names.extend(str(v) for v in expr.get("values") or [])
    return names


def named_members(override: Mapping[str, Any]) -> list[str]:
    """Every member name ``override``'s rules select by kubernetes-fleet.io/member-name, in order."""
    found: list[str] = []
    for rule in ((override.get("spec") or {}).get("policy") or {}).get("overrideRules") or []:
        for term in ((rule or {}).get("clusterSelector") or {}).get("clusterSelectorTerms") or []:
            for name in _named((term or {}).get("labelSelector") or {}):
                if name not in found:
                    found.append(name)
    return found


def name_warnings(objects: Iterable[Mapping[str, Any]], members: Iterable[Mapping[str, Any]]) -> list[str]:
    """One line for each member an override of ``objects`` selects by name that is not joined to the
    hub (``members``: its MemberClusters), or that does not carry the label yet (a hub agent before
    kubefleet #578 never sets it)."""
    by_name = {str((m.get("metadata") or {}).get("name")): m for m in members}
    joined = ", ".join(sorted(by_name)) or "none"
    lines = []
    for obj in objects:
        if obj.get("kind") not in OVERRIDE_KINDS:
            continue
        ref = f"{str(obj['kind']).lower()}/{(obj.get('metadata') or {}).get('name')}"
        for name in named_members(obj):
            member = by_name.get(name)
            if member is None:
                lines.append(
                    f"{ref} selects member cluster {name} by {MEMBER_NAME_LABEL}, and no member of this hub "
                    f"has that name (members: {joined}): the rule applies nowhere until a member of that name joins"
                )
            elif ((member.get("metadata") or {}).get("labels") or {}).get(MEMBER_NAME_LABEL) != name:
                lines.append(
                    f"{ref} selects member cluster {name} by {MEMBER_NAME_LABEL}, which the member does not "
                    "carry: the hub's member cluster controller sets it (KubeFleet with kubefleet-dev/kubefleet "
                    "#578), and until it does the rule does not apply there"
                )
    return lines
