"""GPU nodes a pool can grow: scale set instances (cloud-provider-azure's providerID) and the
cluster autoscaler's status for their scale set, as the NCCL test reads them."""

from __future__ import annotations

from typing import Any

from akscli import yamlio

from . import nodes as fx

VMSS = "aks-gpu-12345678-vmss"


NO_RDMA = ("--rdma-resource", "none")  # node auto-provisioning adds no node for a pod asking for RDMA


def in_scale_set(name: str, index: int, node: dict[str, Any] | None = None, vmss: str = VMSS) -> dict[str, Any]:
    """``node`` (default: a healthy GPU node ``name``) as instance ``index`` of ``vmss``."""
    node = node if node is not None else fx.node(name)
    node["spec"]["providerID"] = (
        "azure:///subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/mc_rg_c_eastus/providers/"
        f"Microsoft.Compute/virtualMachineScaleSets/{vmss}/virtualMachines/{index}"
    )
    return node


def autoscaler_status(emu: Any, *, target: int, maximum: int, scale_up: str = "NoActivity") -> None:
    """kube-system/cluster-autoscaler-status as cluster-autoscaler 1.30+ writes it, for VMSS."""
    autoscaler_groups(emu, {VMSS: (target, maximum)}, scale_up=scale_up)


def autoscaler_groups(emu: Any, groups: dict[str, tuple[int, int]], *, scale_up: str = "NoActivity") -> None:
    """The status's node groups: per scale set, its target and maximum (upstream: kubernetes/
    autoscaler cluster-autoscaler/clusterstate/utils/status_test.yaml)."""
    listed: list[dict[str, Any]] = []
    for name, (target, maximum) in groups.items():
        group: dict[str, Any] = {
            "name": name,
            "health": {"status": "Healthy", "cloudProviderTarget": target, "minSize": 0, "maxSize": maximum},
            "scaleUp": {"status": scale_up},
        }
        if scale_up == "Backoff":
            group["scaleUp"]["backoffInfo"] = {"errorCode": "QuotaExceeded", "errorMessage": "quota exceeded"}
        listed.append(group)
    status = {"time": "2026-12-05 19:00:00 +0000 UTC", "autoscalerStatus": "Running", "nodeGroups": listed}
    emu.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "cluster-autoscaler-status", "namespace": "kube-system"},
            "data": {"status": yamlio.dump(status)},
        }
    )


def growable(emu: Any, nodes: list[dict[str, Any]], *, maximum: int = 8) -> list[dict[str, Any]]:
    """``nodes`` as the instances of one scale set the cluster autoscaler can grow to ``maximum``."""
    for index, node in enumerate(nodes):
        in_scale_set(str(node["metadata"]["name"]), index, node)
    autoscaler_status(emu, target=len(nodes), maximum=maximum)
    return nodes
