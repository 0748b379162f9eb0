"""The status conditions of node auto-provisioning's objects, for the simulator of karpenter.py: an
AKSNodeClass's own (the provider's nodeclass status controller) and a NodePool's NodeClassReady
and Ready (karpenter's nodepool readiness controller), with the root condition computed as
operatorpkg computes it. Moved out of karpenter.py, which neared 600 lines.

Upstream files:

- awslabs/operatorpkg 7a13865 status/condition_set.go: ``For`` sets every dependent it does not find
  Unknown; ``Set`` keeps lastTransitionTime while the status holds and stamps observedGeneration;
  ``recomputeRootCondition`` sets Ready True (reason "Ready", message "") once every dependent is True,
  else False "UnhealthyDependents" where a dependent is False at the current generation, Unknown
  "ReconcilingDependents" otherwise, the message the unhealthy dependents as "Type=Status" joined by
  ", ", the latest transition first (``findUnhealthyDependents``). The root goes last.
- Azure/karpenter-provider-azure 352646f pkg/apis/v1beta1/aksnodeclass_status.go (the dependents:
  ImagesReady, KubernetesVersionReady, SubnetsReady, ValidationSucceeded, LocalDNSReady) and
  pkg/controllers/nodeclass/status/{kubernetesversion,images,subnet,validation,localdns}.go (each
  sets its condition True on a cluster that works; subnet.go sets SubnetsReady False, reason
  SubnetNotFound, "resource not found: <vnetSubnetID>", where ARM answers 404 for the subnet).
- kubernetes-sigs/karpenter 2266468 pkg/controllers/nodepool/readiness/controller.go: NodeClassReady
  False NodeClassNotFound "NodeClass not found on cluster", NodeClassTerminating "NodeClass is
  Terminating", NodeClassReadinessUnknown "Node Class Readiness Unknown" where the class's Ready is
  Unknown, the class's own Ready reason and message where it is False, True otherwise;
  pkg/apis/v1/nodepool_status.go (NodePool dependents: ValidationSucceeded, NodeClassReady);
  pkg/controllers/nodepool/validation/controller.go (ValidationSucceeded True).
"""

from __future__ import annotations

from typing import Any

CLASS_DEPENDENTS = ("KubernetesVersionReady", "ImagesReady", "SubnetsReady", "ValidationSucceeded", "LocalDNSReady")
POOL_DEPENDENTS = ("ValidationSucceeded", "NodeClassReady")


def _condition(type_: str, status: str, reason: str = "", message: str = "") -> dict[str, Any]:
    return {"type": type_, "status": status, "reason": reason or type_, "message": message}


def with_root(obj: dict[str, Any], dependents: list[dict[str, Any]], now: str) -> list[dict[str, Any]]:
    """The dependents and the root Ready condition as operatorpkg's ConditionSet writes them, each
    keeping its lastTransitionTime where its status did not change."""
    generation = int(obj["metadata"].get("generation") or 1)
    old = {str(c.get("type")): c for c in (obj.get("status") or {}).get("conditions") or []}

    def stamped(c: dict[str, Any]) -> dict[str, Any]:
        before = old.get(c["type"]) or {}
        at = before.get("lastTransitionTime") if before.get("status") == c["status"] else None
        return {**c, "observedGeneration": generation, "lastTransitionTime": at or now}

    out = [stamped(c) for c in dependents]
    unhealthy = [c for c in out if c["status"] != "True"]
    if not unhealthy:
        root = _condition("Ready", "True", "Ready")
    else:
        unhealthy.sort(key=lambda c: str(c["lastTransitionTime"]), reverse=True)
        status = "False" if any(c["status"] == "False" for c in unhealthy) else "Unknown"
        reason = "UnhealthyDependents" if status == "False" else "ReconcilingDependents"
        root = _condition("Ready", status, reason, ", ".join(f"{c['type']}={c['status']}" for c in unhealthy))
    return [*out, stamped(root)]


def nodeclass_conditions(nodeclass: dict[str, Any], missing_subnets: set[str], now: str) -> list[dict[str, Any]]:
    """What the provider's nodeclass status controller writes: every dependent True, but SubnetsReady
    False SubnetNotFound where spec.vnetSubnetID names a subnet ARM does not have (the simulator's
    ``missing_subnets``)."""
    subnet = str((nodeclass.get("spec") or {}).get("vnetSubnetID") or "")
    dependents = []
    for kind in CLASS_DEPENDENTS:
        if kind == "SubnetsReady" and subnet and subnet in missing_subnets:
            dependents.append(_condition(kind, "False", "SubnetNotFound", f"resource not found: {subnet}"))
        else:
            dependents.append(_condition(kind, "True"))
    return with_root(nodeclass, dependents, now)


def class_ready(nodeclass: dict[str, Any] | None) -> dict[str, Any]:
    """The class's Ready condition, Unknown where it has none yet (operatorpkg For)."""
    for c in ((nodeclass or {}).get("status") or {}).get("conditions") or []:
        if c.get("type") == "Ready":
            return dict(c)
    return {"type": "Ready", "status": "Unknown"}


def node_class_ready(nodeclass: dict[str, Any] | None) -> dict[str, Any]:
    """The NodePool's NodeClassReady condition for its class (readiness/controller.go)."""
    if nodeclass is None:
        return _condition("NodeClassReady", "False", "NodeClassNotFound", "NodeClass not found on cluster")
    if nodeclass["metadata"].get("deletionTimestamp"):
        return _condition("NodeClassReady", "False", "NodeClassTerminating", "NodeClass is Terminating")
    ready = class_ready(nodeclass)
    if ready.get("status") == "Unknown":
        return _condition("NodeClassReady", "False", "NodeClassReadinessUnknown", "Node Class Readiness Unknown")
    if ready.get("status") == "False":
        return _condition("NodeClassReady", "False", str(ready.get("reason") or ""), str(ready.get("message") or ""))
    return _condition("NodeClassReady", "True")


def nodepool_conditions(pool: dict[str, Any], nodeclass: dict[str, Any] | None, now: str) -> list[dict[str, Any]]:
    """ValidationSucceeded, NodeClassReady and the root Ready of a NodePool."""
    return with_root(pool, [_condition("ValidationSucceeded", "True"), node_class_ready(nodeclass)], now)
