"""A launched NodeClaim's node joining the cluster, for the node auto-provisioning simulator
(karpenter_launch.py) and KAITO's gpu-provisioner stand-in (kaito_gpu_provisioner.py, which runs
Karpenter's NodeClaim lifecycle controllers, vendored): two writers, as on a real cluster.

- The node's kubelet creates the Node (its create is "kubelet"'s): the labels of its --node-labels,
  the taints of its --register-with-taints, spec.providerID and its first status (upstream:
  kubernetes/kubernetes pkg/kubelet/kubelet_node_status.go registerWithAPIServer, initialNode). Azure's
  Karpenter provider hands the VM the NodeClaim's taints and startup taints with
  karpenter.sh/unregistered:NoExecute among them (Azure/karpenter-provider-azure 352646f
  pkg/utils/taints.go ExtractTaints; pkg/providers/instance/aksmachineinstancehelpers.go
  configureTaints, configureLabelsAndMode); gpu-provisioner's agent pool carries the NodeClaim's taints
  only (Azure/gpu-provisioner c09a56c0 pkg/providers/instance/instance.go newAgentPoolObject).
- Karpenter's registration controller then adopts it (kubernetes-sigs/karpenter 2266468
  pkg/controllers/nodeclaim/lifecycle/registration.go Reconcile, syncNode): the finalizer
  karpenter.sh/termination, an owner reference to the NodeClaim (pkg/utils/nodeclaim/nodeclaim.go
  UpdateNodeOwnerReferences), the NodeClaim's taints and startup taints merged in unless the node is
  labelled karpenter.sh/do-not-sync-taints "true" (pkg/scheduling/taints.go Merge: those no taint of the
  node matches by key and effect), the NodeClaim's annotations and labels assigned over the node's,
  karpenter.sh/unregistered removed and karpenter.sh/registered "true"; one merge patch of what changed
  with the resourceVersion read (client.MergeFromWithOptimisticLock), as "karpenter" (pkg/operator/
  operator.go: config.UserAgent "karpenter/<version>"; gpu-provisioner builds its client there too,
  Azure/gpu-provisioner c09a56c0 cmd/controller/main.go karpenteroperator.NewOperator).
"""

from __future__ import annotations

import copy
from typing import Any

from tests.emulators.kube.cluster import KUBELET, ClusterState
from tests.emulators.kube.patches import create_merge_patch

KARPENTER = "karpenter"
# kubernetes-sigs/karpenter paths:
TERMINATION_FINALIZER = "karpenter.sh/termination"  # pkg/apis/v1/labels.go TerminationFinalizer
REGISTERED = "karpenter.sh/registered"  # pkg/apis/v1/labels.go NodeRegisteredLabelKey
DO_NOT_SYNC_TAINTS = "karpenter.sh/do-not-sync-taints"  # NodeDoNotSyncTaintsLabelKey
# pkg/apis/v1/taints.go UnregisteredNoExecuteTaint
UNREGISTERED = {"key": "karpenter.sh/unregistered", "effect": "NoExecute"}


def _matches(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """corev1.Taint.MatchTaint: the same key and effect."""
    return a.get("key") == b.get("key") and a.get("effect") == b.get("effect")


def merge_taints(have: list[dict[str, Any]], more: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """kubernetes-sigs/karpenter pkg/scheduling/taints.go Taints.Merge."""
    out = [dict(t) for t in have]
    out += [dict(t) for t in more if not any(_matches(t, o) for o in out)]
    return out


def register(
    cluster: ClusterState, claim: dict[str, Any], node: dict[str, Any], finalizer: bool = True
) -> dict[str, Any]:
    """The kubelet creates ``node`` (as it registers: no finalizer, no owner), then Karpenter's
    registration syncs it from ``claim`` (as read after the launch). ``finalizer``: whether the sync
    adds karpenter.sh/termination (gpu-provisioner's stand-in leaves it out: it does not drain)."""
    created = cluster.create(node, manager=KUBELET)
    return sync_node(cluster, claim, created, finalizer)


def sync_node(
    cluster: ClusterState, claim: dict[str, Any], node: dict[str, Any], finalizer: bool = True
) -> dict[str, Any]:
    """kubernetes-sigs/karpenter pkg/controllers/nodeclaim/lifecycle/registration.go syncNode and the registered
    label, written as one merge patch."""
    want = copy.deepcopy(node)
    md, cmd = want["metadata"], claim["metadata"]
    if finalizer and TERMINATION_FINALIZER not in (md.get("finalizers") or []):
        md["finalizers"] = [*(md.get("finalizers") or []), TERMINATION_FINALIZER]
    refs = list(md.get("ownerReferences") or [])
    if not any(r.get("kind") == claim["kind"] and r.get("uid") == cmd.get("uid") for r in refs):
        refs.append(
            {
                "apiVersion": claim["apiVersion"],
                "kind": claim["kind"],
                "name": cmd["name"],
                "uid": cmd.get("uid", ""),
                "blockOwnerDeletion": True,
            }
        )
    md["ownerReferences"] = refs
    spec = want.setdefault("spec", {})
    taints = list(spec.get("taints") or [])
    if (md.get("labels") or {}).get(DO_NOT_SYNC_TAINTS) != "true":
        taints = merge_taints(taints, (claim.get("spec") or {}).get("taints") or [])
        taints = merge_taints(taints, (claim.get("spec") or {}).get("startupTaints") or [])
    taints = [t for t in taints if not _matches(t, UNREGISTERED)]
    if taints:
        spec["taints"] = taints
    else:
        spec.pop("taints", None)
    md["annotations"] = {**(md.get("annotations") or {}), **(cmd.get("annotations") or {})}
    md["labels"] = {**(md.get("labels") or {}), **(cmd.get("labels") or {}), REGISTERED: "true"}
    diff = create_merge_patch(
        {k: v for k, v in node.items() if k != "status"}, {k: v for k, v in want.items() if k != "status"}
    )
    if not diff:
        return node
    diff.setdefault("metadata", {})["resourceVersion"] = node["metadata"]["resourceVersion"]
    return cluster.patch("v1", "Node", None, node["metadata"]["name"], diff, manager=KARPENTER)
