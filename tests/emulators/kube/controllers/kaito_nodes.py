"""The nodes KAITO's node provisioner gives a Workspace, and its inference pods' scheduling fields,
so the KAITO simulator's pods go through the emulator's scheduler as the built-in controllers' do.

Upstream files as stored (kaito-project/kaito, newest commits, read 2026-12; newer than the
simulator's pinned 056b8280).

- Provisioning (upstream: kaito-project/kaito pkg/nodeprovision/gpu-provisioner/gpu_provisioner.go
  ProvisionNodes / EnsureNodesReady): the Ready nodes that carry the Workspace's
  ``resource.labelSelector.matchLabels`` and the instance type (``node.kubernetes.io/
  instance-type``) count; for the rest a NodeClaim is made (pkg/utils/nodeclaim/nodeclaim.go
  GenerateNodeClaimManifestWithOptions: labels ``karpenter.sh/nodepool: kaito``,
  ``kaito.sh/workspace``, ``kaito.sh/workspacenamespace`` and the matchLabels; taint
  ``sku=gpu:NoSchedule``; requirement instance type, linux), and the node it brings up carries
  them. Capacity is the instance type's (tests/emulators/autoscaler.py size_capacity). Node names
  are the simulator's own ``status.workerNodes`` names (upstream names come from gpu-provisioner's
  agent pools; not modelled). A deleted Workspace's NodeClaims go, and their nodes with them
  (DeprovisionNodes).
- Pods (pkg/workspace/inference/preset-inferences.go defaultTolerations: ``nvidia.com/gpu``
  Exists and ``sku=gpu`` NoSchedule; the labelSelector as required node affinity,
  pkg/workspace/manifests/manifests.go; the GPUs of the instance type requested per pod). Newer
  KAITO's SetProvisionerNodeSelector also pins pods to ``kaito.sh/workspace``; not modelled.
"""

from __future__ import annotations

from typing import Any

WORKSPACE_LABEL = "kaito.sh/workspace"
NAMESPACE_LABEL = "kaito.sh/workspacenamespace"
INSTANCE_TYPE = "node.kubernetes.io/instance-type"
TOLERATIONS = [
    {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "sku", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"},
]


def _match_labels(ws: dict[str, Any]) -> dict[str, str]:
    selector = (ws.get("resource") or {}).get("labelSelector") or {}
    return {str(k): str(v) for k, v in (selector.get("matchLabels") or {}).items()}


def _ready(node: dict[str, Any]) -> bool:
    conditions = (node.get("status") or {}).get("conditions") or []
    ready = [c for c in conditions if c.get("type") == "Ready"]
    # A test's node without conditions counts as Ready, as the scheduler treats it.
    return not ready or ready[0].get("status") == "True"


def provision(cluster: Any, ws: dict[str, Any], names: list[str]) -> None:
    """Bring up nodes named ``names`` for the Workspace, less the qualified nodes it has."""
    from tests.emulators.autoscaler import size_capacity

    md = ws["metadata"]
    size = str((ws.get("resource") or {}).get("instanceType") or "")
    match = _match_labels(ws)
    selector = ",".join(f"{k}={v}" for k, v in sorted(match.items())) or None
    qualified = [
        n
        for n in cluster.list("v1", "Node", label_selector=selector)
        if _ready(n)
        and (n["metadata"].get("labels") or {}).get(INSTANCE_TYPE) == size
        # Another Workspace's NodeClaim nodes are that Workspace's (ListNodeClaim selects by the
        # workspace labels): an InferenceSet's replicas do not share them.
        and (n["metadata"].get("labels") or {}).get(WORKSPACE_LABEL, md["name"]) == md["name"]
    ]
    mine = {n["metadata"]["name"] for n in qualified}
    missing = [name for name in names if name not in mine][: max(len(names) - len(qualified), 0)]
    capacity = {**size_capacity(size), "pods": "110"}
    for name in missing:
        labels = {
            **match,
            "karpenter.sh/nodepool": "kaito",
            WORKSPACE_LABEL: md["name"],
            NAMESPACE_LABEL: md["namespace"],
            INSTANCE_TYPE: size,
            "kubernetes.io/os": "linux",
            "kubernetes.io/hostname": name,
        }
        cluster.create(
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": name, "labels": labels},
                "spec": {"taints": [{"key": "sku", "value": "gpu", "effect": "NoSchedule"}]},
                "status": {
                    "capacity": capacity,
                    "allocatable": dict(capacity),
                    "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady"}],
                },
            }
        )


def deprovision(cluster: Any, ws: dict[str, Any]) -> None:
    md = ws["metadata"]
    selector = f"{WORKSPACE_LABEL}={md['name']},{NAMESPACE_LABEL}={md['namespace']}"
    for node in cluster.list("v1", "Node", label_selector=selector):
        cluster.delete("v1", "Node", None, node["metadata"]["name"])


def pod_scheduling(ws: dict[str, Any]) -> dict[str, Any]:
    """The inference pod spec's scheduling fields: GPU request, tolerations, node affinity."""
    from akscli.model import skus

    sku = skus.get(str((ws.get("resource") or {}).get("instanceType") or ""))
    expressions = [{"key": k, "operator": "In", "values": [v]} for k, v in sorted(_match_labels(ws).items())]
    out: dict[str, Any] = {"tolerations": [dict(t) for t in TOLERATIONS]}
    if expressions:
        out["affinity"] = {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [{"matchExpressions": expressions}]
                }
            }
        }
    if sku is not None and sku.gpus:
        out["resources"] = {"limits": {"nvidia.com/gpu": str(sku.gpus)}, "requests": {"nvidia.com/gpu": str(sku.gpus)}}
    return out
