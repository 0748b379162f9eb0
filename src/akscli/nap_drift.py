"""What Karpenter does to a NodePool's nodes when `nodepool add --auto-provision` changes the NodePool's
template or its AKSNodeClass: the plan says the nodes will drift and be replaced (a plan hook,
ApplyOptions.notes).

Upstream:
- kubernetes-sigs/karpenter v1.14.0 pkg/apis/v1/nodepool.go NodePool.Hash: spec.template hashed
  (hashstructure, slices as sets, zero values ignored), less the fields tagged hash:"ignore"
  (the template's requirements and resources); pkg/controllers/nodeclaim/disruption/drift.go: a
  NodeClaim whose NodePool hash annotation differs is Drifted, reason NodePoolDrifted.
- Azure/karpenter-provider-azure 352646f pkg/apis/v1beta1/aksnodeclass.go AKSNodeClass.Hash: the
  spec less tags (hash:"ignore"); pkg/cloudprovider/drift.go areStaticFieldsDrifted: a NodeClaim
  whose AKSNodeClass hash annotation differs is drifted, NodeClassDrift.
- kubernetes-sigs/karpenter v1.14.0 pkg/controllers/disruption/queue.go StartCommand and
  waitOrTerminate: each drifted node is tainted karpenter.sh/disrupted:NoSchedule, its replacement
  launched, and the node deleted (drained) once the replacement is initialized; at most the
  NodePool's disruption budget at a time (nodepool.go Budget, default nodes "10%").
"""

import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from akscli.kube.client import Kube

API_VERSION = "karpenter.sh/v1"
_TEMPLATE_IGNORED = ("requirements", "resources")  # nodepool.go NodeClaimTemplate: hash:"ignore"
_CLASS_IGNORED = ("tags",)  # aksnodeclass.go AKSNodeClassSpec.Tags: hash:"ignore"


def _hashed(value: Any) -> Any:
    """What hashstructure (FormatV2, IgnoreZeroValue, ZeroNil, SlicesAsSets: the options both hashes
    use) tells apart: zero values dropped, a list's order ignored."""
    if isinstance(value, Mapping):
        kept = {str(k): _hashed(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v not in (None, "", 0, False, [], {})}
    if isinstance(value, list):
        return sorted((_hashed(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    return value


def _template(pool: Mapping[str, Any]) -> Any:
    template = dict((pool.get("spec") or {}).get("template") or {})
    template["spec"] = {k: v for k, v in (template.get("spec") or {}).items() if k not in _TEMPLATE_IGNORED}
    return _hashed(template)


def _class_spec(node_class: Mapping[str, Any]) -> Any:
    return _hashed({k: v for k, v in (node_class.get("spec") or {}).items() if k not in _CLASS_IGNORED})


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


def drift_notes(kube: "Kube", current: Mapping[str, Any], applied: Mapping[str, Any]) -> list[str]:
    """The plan's note on a changed NodePool or AKSNodeClass whose change drifts existing nodes."""
    kind, name = current.get("kind"), str((current.get("metadata") or {}).get("name") or "")
    if kind == "NodePool" and _template(current) != _template(applied):
        count = _live(kube.list(API_VERSION, "NodeClaim", label_selector=f"karpenter.sh/nodepool={name}"))
        reason, budget = "NodePoolDrifted", _budget(applied)
        see = f"akscli nodepool show {name} --auto-provision"
    elif kind == "AKSNodeClass" and _class_spec(current) != _class_spec(applied):
        count = _live(kube.list(API_VERSION, "NodeClaim"), name)
        reason, budget = "NodeClassDrift", "as each NodePool's disruption budget allows"
        see = "akscli nodepool list --auto-provision"
    else:
        return []
    if not count:
        return []
    return [
        f"Karpenter will find its {count} node(s) drifted ({reason}) and replace them, {budget}: each "
        "is tainted karpenter.sh/disrupted:NoSchedule, its replacement launched, and it is drained and "
        f"deleted once the replacement is initialized (see: {see})"
    ]
