"""What marks a NodeClaim Drifted in the kube emulator (karpenter_disruption then replaces it): the
hash annotations Karpenter stamps on NodePools, AKSNodeClasses and NodeClaims, and the drift check.

Upstream (kubernetes-sigs/karpenter 2266468 = v1.14.0-20, Azure/karpenter-provider-azure 352646f):
- kubernetes-sigs/karpenter pkg/apis/v1/nodepool.go NodePool.Hash: hashstructure of spec.template
  (its metadata labels and annotations, taints, startupTaints, nodeClassRef, terminationGracePeriod,
  expireAfter) with SlicesAsSets, IgnoreZeroValue and ZeroNil; spec.template.spec.requirements is
  hash:"ignore", and limits, weight, disruption (budgets included) are outside the template, so none
  of them changes the hash. NodePoolHashVersion "v3".
- pkg/controllers/nodepool/hash/controller.go Reconcile: the NodePool's karpenter.sh/nodepool-hash
  and karpenter.sh/nodepool-hash-version annotations; where the NodePool's version annotation is not
  the current one, updateNodeClaimHash first gives its NodeClaims the version, and the hash too where
  they have no Drifted condition.
- pkg/controllers/provisioning/scheduling/nodeclaimtemplate.go NewNodeClaimTemplate: a new NodeClaim
  has the template's annotations, nodePool.Hash() and the version.
- Azure/karpenter-provider-azure pkg/apis/v1beta1/aksnodeclass.go AKSNodeClass.Hash: hashstructure of
  the spec, tags hash:"ignore"; AKSNodeClassHashVersion "v3". pkg/controllers/nodeclass/hash/
  controller.go: the karpenter.azure.com/aksnodeclass-hash and -hash-version annotations (and the same
  version update of the class's NodeClaims); pkg/cloudprovider/cloudprovider.go
  setAdditionalAnnotationsForNewNodeClaim: a created NodeClaim gets nodeClass.Hash() and the version.
- kubernetes-sigs/karpenter pkg/controllers/nodeclaim/disruption/drift.go Reconcile: a NodeClaim not
  Launched loses its Drifted condition; else isDrifted: areStaticFieldsDrifted (both hash annotations
  and both versions present, versions equal, hashes differ: NodePoolDrifted), areRequirementsDrifted
  (the NodeClaim's labels as requirements, Compatible with the NodePool's requirements, no undefined
  label allowed: RequirementsDrifted), then the cloud provider's IsDrifted (Azure: pkg/cloudprovider/
  drift.go areStaticFieldsDrifted on the AKSNodeClass annotations: NodeClassDrift). Drifted True with
  the reason as reason and message (SetTrueWithReason); not drifted: the condition removed.
- Azure/karpenter-provider-azure pkg/cloudprovider/cloudprovider.go vmInstanceToNodeClaim: a launched
  NodeClaim's labels include the instance type's single-valued requirement labels (the SKU labels,
  os, arch; karpenter_launch puts them on the claim), which the requirement check reads.

The hashes are upstream's own numbers (the simulator's own port, karpenter_hash.py:
mitchellh/hashstructure v2 over the Go types, pinned to Azure/karpenter-provider-azure
pkg/apis/v1beta1/aksnodeclass_hash_test.go's static hashes and checked against akscli's separate
reading, akscli.nap.hashes, by tests/foundation/test_emulator_cross_check.py;
upstream kubernetes-sigs/karpenter), printed as fmt.Sprint
prints the uint64. The requirement check is karpenter_requirement.py, the simulator's own port.

Not modelled: the drift check runs when a NodePool's template (requirements included) or an
AKSNodeClass's hashed spec changes, not on every NodeClaim or NodePool event nor the 5-minute requeue
(so a Drifted condition a test sets by hand stays); InstanceTypeNotFound, K8sVersionDrift, ImageDrift,
KubeletIdentityDrift and the AKS machine API's drift are not simulated.
"""

from __future__ import annotations

import json
from typing import Any

from tests.emulators.kube.apiserver import now_iso
from tests.emulators.kube.cluster import ClusterState, retry_on_conflict
from tests.emulators.kube.controllers.karpenter_common import (
    NODECLAIM,
    NODECLASS,
    NODEPOOL,
    NODEPOOL_LABEL,
    _unless_deleted,
)
from tests.emulators.kube.controllers.karpenter_hash import aksnodeclass_hash as class_hash
from tests.emulators.kube.controllers.karpenter_hash import nodepool_hash as pool_hash
from tests.emulators.kube.controllers.karpenter_requirement import requirements_drifted

POOL_HASH, POOL_HASH_VERSION = "karpenter.sh/nodepool-hash", "karpenter.sh/nodepool-hash-version"
CLASS_HASH = "karpenter.azure.com/aksnodeclass-hash"
CLASS_HASH_VERSION = "karpenter.azure.com/aksnodeclass-hash-version"
HASH_VERSION = "v3"  # nodepool.go NodePoolHashVersion; aksnodeclass.go AKSNodeClassHashVersion
DRIFTED = "Drifted"


def new_claim_annotations(pool: dict[str, Any], node_class: dict[str, Any] | None) -> dict[str, str]:
    """A new NodeClaim's annotations: the template's, the pool's hash (nodeclaimtemplate.go) and the
    class's (cloudprovider.go setAdditionalAnnotationsForNewNodeClaim, at Create; here at creation)."""
    meta = ((pool.get("spec") or {}).get("template") or {}).get("metadata") or {}
    out = {str(k): str(v) for k, v in (meta.get("annotations") or {}).items()}
    out.update({POOL_HASH: pool_hash(pool), POOL_HASH_VERSION: HASH_VERSION})
    if node_class is not None:
        out.update({CLASS_HASH: class_hash(node_class), CLASS_HASH_VERSION: HASH_VERSION})
    return out


def _class_name(spec: dict[str, Any]) -> str:
    return str((spec.get("nodeClassRef") or {}).get("name") or "")


def _conditions(obj: dict[str, Any]) -> list[dict[str, Any]]:
    return list((obj.get("status") or {}).get("conditions") or [])


def _annotations(obj: dict[str, Any]) -> dict[str, str]:
    return dict((obj.get("metadata") or {}).get("annotations") or {})


def _static(ours: dict[str, str], theirs: dict[str, str], key: str, version: str) -> bool:
    """areStaticFieldsDrifted (core and Azure alike): all four annotations, equal versions, other hash."""
    if not all(key in a and version in a for a in (ours, theirs)):
        return False
    return ours[version] == theirs[version] and ours[key] != theirs[key]


def drift_reason(claim: dict[str, Any], pool: dict[str, Any], node_class: dict[str, Any] | None) -> str:
    """drift.go isDrifted (static, requirements, then the provider's NodeClassDrift); "" if none."""
    if _static(_annotations(pool), _annotations(claim), POOL_HASH, POOL_HASH_VERSION):
        return "NodePoolDrifted"
    labels = dict((claim.get("metadata") or {}).get("labels") or {})
    requirements = (((pool.get("spec") or {}).get("template") or {}).get("spec") or {}).get("requirements") or []
    if requirements_drifted(labels, list(requirements)):
        return "RequirementsDrifted"
    if node_class is not None and _static(
        _annotations(node_class), _annotations(claim), CLASS_HASH, CLASS_HASH_VERSION
    ):
        return "NodeClassDrift"
    return ""


def reconcile_claim(cluster: ClusterState, claim: dict[str, Any], pool: dict[str, Any], node_class: Any) -> None:
    """drift.go Reconcile for one NodeClaim."""
    if claim["metadata"].get("deletionTimestamp"):
        return
    conditions = _conditions(claim)
    had = next((c for c in conditions if c.get("type") == DRIFTED), None)
    launched = any(c.get("type") == "Launched" and c.get("status") == "True" for c in conditions)
    reason = drift_reason(claim, pool, node_class) if launched else ""
    rest = [c for c in conditions if c.get("type") != DRIFTED]
    # The NodeClaim disruption controller's write: Status().Patch with MergeFromWithOptimisticLock
    # of the claim as read; a conflict returns Requeue, and the next reconcile reads it afresh
    # (kubernetes-sigs/karpenter pkg/controllers/nodeclaim/disruption/controller.go Reconcile).
    if not reason:
        if had is not None:
            cluster.patch_status_locked(claim, {"conditions": rest})
        return
    since = had["lastTransitionTime"] if had and had.get("status") == "True" else now_iso()
    marked = {"type": DRIFTED, "status": "True", "reason": reason, "message": reason, "lastTransitionTime": since}
    if had != marked:
        cluster.patch_status_locked(claim, {"conditions": [*rest, marked]})


class DriftMarker:
    """The hash controllers and the NodeClaim drift check, run by karpenter.NodeAutoProvisioner's
    reconcile of a NodePool or AKSNodeClass write."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], str] = {}  # (kind, name) -> what the drift check last saw

    def on_write(self, cluster: ClusterState, obj: dict[str, Any]) -> None:
        kind, name = obj.get("kind"), str(obj["metadata"]["name"])
        current = cluster.get(*(NODEPOOL if kind == "NodePool" else NODECLASS), None, name)
        if current is None or current["metadata"].get("deletionTimestamp"):
            self._seen.pop((str(kind), name), None)
            return
        if kind == "NodePool":
            digest, key, version = pool_hash(current), POOL_HASH, POOL_HASH_VERSION
            spec = ((current.get("spec") or {}).get("template") or {}).get("spec") or {}
            seen = json.dumps([digest, spec.get("requirements") or []], sort_keys=True)
            claims = cluster.list(*NODECLAIM, label_selector=f"{NODEPOOL_LABEL}={name}")
        else:
            digest, key, version = class_hash(current), CLASS_HASH, CLASS_HASH_VERSION
            seen = digest
            claims = [
                c
                for c in cluster.list(*NODECLAIM)
                if ((c.get("spec") or {}).get("nodeClassRef") or {}).get("name") == name
            ]
        stamped = _annotations(current)
        if stamped.get(version) != HASH_VERSION:  # hash/controller.go updateNodeClaimHash
            for claim in claims:
                own = _annotations(claim)
                if own.get(version) == HASH_VERSION:
                    continue
                update = {version: HASH_VERSION}
                if not any(c.get("type") == DRIFTED for c in _conditions(claim)):
                    update[key] = digest
                _unless_deleted(
                    lambda c=claim, u=update: cluster.patch(
                        *NODECLAIM, None, c["metadata"]["name"], {"metadata": {"annotations": u}}
                    )
                )
        if stamped.get(key) != digest or stamped.get(version) != HASH_VERSION:
            patch = {"metadata": {"annotations": {key: digest, version: HASH_VERSION}}}
            current = cluster.patch(*(NODEPOOL if kind == "NodePool" else NODECLASS), None, name, patch)
        if self._seen.get((str(kind), name)) == seen:
            return
        self._seen[(str(kind), name)] = seen
        for claim in claims:
            # each NodeClaim's reconcile reads it; its Requeue on a conflict reads it again
            _unless_deleted(lambda c=claim: retry_on_conflict(lambda: self._claim(cluster, kind, current, c)))

    @staticmethod
    def _claim(cluster: ClusterState, kind: Any, current: dict[str, Any], claim: dict[str, Any]) -> None:
        fresh = cluster.get(*NODECLAIM, None, claim["metadata"]["name"])
        if fresh is None:
            return
        pool_name = (fresh["metadata"].get("labels") or {}).get(NODEPOOL_LABEL, "")
        pool = current if kind == "NodePool" else cluster.get(*NODEPOOL, None, pool_name)
        if pool is None:
            return
        template = ((pool.get("spec") or {}).get("template") or {}).get("spec") or {}
        node_class = current if kind != "NodePool" else cluster.get(*NODECLASS, None, _class_name(template))
        reconcile_claim(cluster, fresh, pool, node_class)
