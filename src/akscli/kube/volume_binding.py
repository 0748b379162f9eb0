"""What the kube-scheduler's VolumeBinding filter says about one node for the deployed pod's new
claims: a claim of a WaitForFirstConsumer class is provisioned for the node the pod is scheduled
to, and only where the class's allowedTopologies admit that node's labels. Plain logic: no I/O,
no kubernetes import; the class reads are the caller's (akscli.model.cluster_volumes).

upstream: kubernetes/kubernetes pkg/scheduler/framework/plugins/volumebinding (mirror 113b12c6):
- binder.go FindPodVolumes: an unbound claim of delayed binding with no Available volume to
  match is checked by checkVolumeProvisions, and a failing check is ErrReasonBindConflict
  "node(s) didn't find available persistent volumes to bind";
- binder.go checkVolumeProvisions: the class's provisioner must be set and not
  kubernetes.io/no-provisioner, then v1helper.MatchTopologySelectorTerms(class.AllowedTopologies,
  node labels) must hold, then storage capacity (only for a CSIDriver with storageCapacity true);
- volume_binding.go Filter: the reasons are UnschedulableAndUnresolvable.
- pkg/apis/core/v1/helper/helpers.go MatchTopologySelectorTerms: no terms match every node; a term
  with no expressions matches none; a term matches where each expression's key has one of its
  values (TopologySelectorRequirementsAsSelector, selection.In); the terms are ORed.

Not modelled: an Available PersistentVolume the new claim could bind to instead
(findMatchingVolumes; AKS's classes provision), and CSIStorageCapacity (hasEnoughCapacity)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from akscli.kube import volume_limits

REASON = "node(s) didn't find available persistent volumes to bind"
WAIT_FOR_FIRST_CONSUMER = "WaitForFirstConsumer"
# component-helpers storage/volume NotSupportedProvisioner.
NO_PROVISIONER = "kubernetes.io/no-provisioner"


def matches_topology(terms: Iterable[Mapping[str, Any]], labels: Mapping[str, str]) -> bool:
    """MatchTopologySelectorTerms."""
    terms = list(terms)
    if not terms:
        return True
    for term in terms:
        expressions = term.get("matchLabelExpressions") or []
        if expressions and all(
            expr.get("key") in labels and labels[str(expr.get("key"))] in (expr.get("values") or [])
            for expr in expressions
        ):
            return True
    return False


def cannot_provision(
    pod: Mapping[str, Any], node: Mapping[str, Any], storage_class: Callable[[str], Mapping[str, Any] | None]
) -> bool:
    """Whether a new claim of the pod (its generic ephemeral volumes, made from their template)
    cannot be provisioned for this node: a WaitForFirstConsumer class whose allowedTopologies the
    node's labels do not match. ``storage_class`` reads a class (None: not read)."""
    labels = (node.get("metadata") or {}).get("labels") or {}
    for vol in volume_limits.volumes(pod):
        if vol.template is None:
            continue
        name = volume_limits.claim_class(vol.template)
        sc = storage_class(name) if name else None
        if sc is None or sc.get("volumeBindingMode") != WAIT_FOR_FIRST_CONSUMER:
            continue
        if sc.get("provisioner") in ("", None, NO_PROVISIONER):
            continue  # a static volume may match it (findMatchingVolumes): not modelled
        if not matches_topology(sc.get("allowedTopologies") or [], labels):
            return True
    return False
