"""What Karpenter does to a NodePool's nodes when `nodepool add --auto-provision` changes the NodePool or
its AKSNodeClass: the plan says which change drifts the nodes (and Karpenter replaces them) and which
does not (a plan hook, ApplyOptions.notes). ``current`` is the live object, ``applied`` the server's
dry-run answer, so both carry the CRDs' defaults (expireAfter 720h, osDiskSizeGB 128, imageFamily).

Upstream (kubernetes-sigs/karpenter 2266468 = v1.14.0-20, Azure/karpenter-provider-azure 352646f):
- kubernetes-sigs/karpenter pkg/apis/v1/nodepool.go NodePool.Hash: spec.template hashed
  (hashstructure: SlicesAsSets, IgnoreZeroValue, ZeroNil), its requirements hash:"ignore"; limits,
  weight and disruption (budgets: hash:"ignore" too) are outside the template.
  pkg/controllers/nodeclaim/disruption/drift.go isDrifted: areStaticFieldsDrifted (the NodePool's
  karpenter.sh/nodepool-hash annotation differs from the NodeClaim's: NodePoolDrifted), then
  areRequirementsDrifted (the NodeClaim's labels Compatible with the NodePool's requirements,
  pkg/scheduling/requirements.go Compatible: a label the claim lacks passes only NotIn and
  DoesNotExist; a key given twice is intersected first, requirements.go Add: akscli.nap.requirement):
  RequirementsDrifted); a NodeClaim not Launched is never drifted.
- Azure/karpenter-provider-azure pkg/apis/v1beta1/aksnodeclass.go AKSNodeClass.Hash: the spec less tags
  (hash:"ignore"); pkg/cloudprovider/drift.go areStaticFieldsDrifted: NodeClassDrift. Tags are not
  drift: pkg/controllers/nodeclaim/inplaceupdate/controller.go updates the VMs' tags in place.
- kubernetes-sigs/karpenter pkg/controllers/disruption/queue.go StartCommand and waitOrTerminate:
  each drifted node is tainted karpenter.sh/disrupted:NoSchedule, its replacement launched, and the
  node deleted (drained) once the replacement is initialized; at most the NodePool's disruption
  budget at a time (nodepool.go Budget, default nodes "10%").
The comparison is of the hashes themselves, NodePool.Hash and AKSNodeClass.Hash of the live object and
of the dry-run answer, as upstream computes them (akscli.nap.hashes, pinned to the Azure provider's
static hashes). One NodeClaim list at most a note.
"""

import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from akscli.nap.hashes import aksnodeclass_hash, nodepool_hash
from akscli.nap.requirement import requirements_drifted

if TYPE_CHECKING:
    from akscli.kube.client import Kube

API_VERSION = "karpenter.sh/v1"


def _live(claims: Iterable[dict[str, Any]], node_class: str | None = None) -> int:
    """How many of ``claims`` (read page by page, none kept) are not being deleted, and use
    ``node_class`` where one is given."""
    return sum(
        1
        for c in claims
        if not (c.get("metadata") or {}).get("deletionTimestamp")
        and (node_class is None or ((c.get("spec") or {}).get("nodeClassRef") or {}).get("name") == node_class)
    )


def _budget(pool: Mapping[str, Any]) -> str:
    """How many of the pool's nodes drift replaces at a time: the least ``nodes`` of the budgets for
    Drifted with no schedule (nodepool.go GetAllowedDisruptionsByReason: a budget applies where its
    reasons are nil or name the method, so ``reasons: []`` applies to none; no budget is no limit). The
    CRD's ``[{nodes: 10%}]`` is the default only where ``budgets`` is absent."""
    budgets = ((pool.get("spec") or {}).get("disruption") or {}).get("budgets")
    if budgets is None:
        budgets = [{"nodes": "10%"}]
    drift = [b for b in budgets if b.get("reasons") is None or "Drifted" in b["reasons"]]
    plain = sorted({str(b.get("nodes", "10%")) for b in drift if not b.get("schedule")})
    windows = ", less in scheduled windows" if any(b.get("schedule") for b in drift) else ""
    if {"0", "0%"} & set(plain):
        return "once its disruption budget allows (a budget of 0 nodes blocks drift now)"
    if not plain:
        return "as its scheduled budgets allow" if windows else "all at once (no disruption budget limits drift)"
    most = plain[0] if len(plain) == 1 else f"the least of {', '.join(plain[:-1])} and {plain[-1]}"
    return f"up to {most} of the pool's nodes at a time{windows}"


def _requirements(pool: Mapping[str, Any]) -> list[Any]:
    return list((((pool.get("spec") or {}).get("template") or {}).get("spec") or {}).get("requirements") or [])


def _launched(claim: Mapping[str, Any]) -> bool:
    conditions = (claim.get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Launched" and c.get("status") == "True" for c in conditions)


def _off_requirements(claims: Iterable[dict[str, Any]], requirements: list[Any]) -> tuple[int, int]:
    """(live claims, launched live claims whose labels no longer meet ``requirements``)."""
    live = drifted = 0
    for claim in claims:
        if (claim.get("metadata") or {}).get("deletionTimestamp"):
            continue
        live += 1
        labels = (claim.get("metadata") or {}).get("labels") or {}
        if _launched(claim) and requirements_drifted(labels, requirements):
            drifted += 1
    return live, drifted


def _replaced(count: int, reason: str, budget: str, see: str) -> str:
    return (
        f"Karpenter will find its {count} node(s) drifted ({reason}) and replace them, {budget}: each "
        "is tainted karpenter.sh/disrupted:NoSchedule, its replacement launched, and it is drained and "
        f"deleted once the replacement is initialized (see: {see})"
    )


def _outside_template(pool: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in (pool.get("spec") or {}).items() if k != "template"}


def _as_set(requirements: list[Any]) -> list[str]:
    return sorted(json.dumps(r, sort_keys=True) for r in requirements)


def _pool_notes(kube: "Kube", name: str, current: Mapping[str, Any], applied: Mapping[str, Any]) -> list[str]:
    see = f"akscli nodepool show {name} --auto-provision"
    if nodepool_hash(current) != nodepool_hash(applied):
        count = _live(kube.list(API_VERSION, "NodeClaim", label_selector=f"karpenter.sh/nodepool={name}"))
        return [_replaced(count, "NodePoolDrifted", _budget(applied), see)] if count else []
    if _as_set(_requirements(current)) != _as_set(_requirements(applied)):
        claims = kube.list(API_VERSION, "NodeClaim", label_selector=f"karpenter.sh/nodepool={name}")
        live, drifted = _off_requirements(claims, _requirements(applied))
        if drifted:
            return [_replaced(drifted, "RequirementsDrifted", _budget(applied), see)]
        if live:
            return [
                f"Karpenter replaces none of its {live} node(s): they still meet the changed requirements "
                "(a node whose labels do not would be drifted, RequirementsDrifted)"
            ]
        return []
    if _outside_template(current) != _outside_template(applied):
        return [
            "Karpenter replaces no node for this change: a NodePool's nodes drift only when spec.template "
            "changes (less its requirements, which drift the nodes they no longer admit), not limits, "
            "weight or disruption"
        ]
    return []


def drift_notes(kube: "Kube", current: Mapping[str, Any], applied: Mapping[str, Any]) -> list[str]:
    """The plan's note on a changed NodePool or AKSNodeClass: which of its nodes Karpenter finds
    drifted and replaces, or that the change replaces none."""
    kind, name = current.get("kind"), str((current.get("metadata") or {}).get("name") or "")
    if kind == "NodePool":
        return _pool_notes(kube, name, current, applied)
    if kind != "AKSNodeClass":
        return []
    if aksnodeclass_hash(current) != aksnodeclass_hash(applied):
        count = _live(kube.list(API_VERSION, "NodeClaim"), name)
        budget = "as each NodePool's disruption budget allows"
        return [_replaced(count, "NodeClassDrift", budget, "akscli nodepool list --auto-provision")] if count else []
    if ((current.get("spec") or {}).get("tags") or {}) != ((applied.get("spec") or {}).get("tags") or {}):
        return ["Karpenter replaces no node for a change of tags: it updates its VMs' tags in place"]
    return []
