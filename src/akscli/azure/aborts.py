"""Abort the operation running on an AKS cluster or node pool (``akscli cluster abort``, ``akscli
nodepool abort``), as ``az aks operation-abort`` and ``az aks nodepool operation-abort`` do: one POST
``.../managedClusters/NAME/abort`` or ``.../agentPools/NAME/abort`` (upstream: Azure/azure-rest-api-specs
aks/stable/2026-08-01 ManagedClusters_AbortLatestOperation, AgentPools_AbortLatestOperation, example
ManagedClustersAbortOperation.json: 202 with Azure-AsyncOperation and Location, or 204; Azure/azure-cli-
extensions 003e28f6 src/aks-preview/azext_aks_preview/custom.py aks_operation_abort,
aks_agentpool_operation_abort: begin_abort_latest_operation, no body).

"The Managed Cluster will be moved to a Canceling state and eventually to a Canceled state when
cancellation finishes. If the operation completes before cancellation can take place, a 409 error code
is returned" (the spec's description). A cancel "doesn't by itself roll back changes that AKS applied
before cancellation" (MicrosoftDocs/azure-aks-docs fb060abe articles/aks/manage-abort-operations.md): an
upgrade aborted part way is taken up again by the same upgrade, which akscli then sends (errors.AlreadyAtVersion)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from akscli.azure import arm
from akscli.errors import ConflictError

if TYPE_CHECKING:
    from azure.core.polling import LROPoller
    from azure.mgmt.containerservice import ContainerServiceClient


CANCELING = "Canceling"


def check_running(obj: Mapping[str, Any], what: str, show: str) -> str:
    """The state of the operation to abort; ConflictError (before the question) when an abort already
    runs (Canceling) or none does: AKS answers 409 OperationNotAllowed then ("Cancel operation is not
    allowed when the ProvisioningState is Failed", as users report it: VijayRod/demo
    container-storage/logs/k8s-aks-op.md)."""
    state = (obj.get("properties") or {}).get("provisioningState")
    if state == CANCELING:
        # An abort already runs: the resource is Canceling until it ends Canceled (the spec's description).
        raise ConflictError(
            f"{what} is already being aborted (its provisioningState is {CANCELING}; it ends Canceled)",
            hint=f"see it with '{show}'",
        )
    if state is None or state in arm.TERMINAL_STATES:
        raise ConflictError(
            f"{what} runs no operation (its provisioningState is {state}); nothing to abort",
            hint=f"see it with '{show}'; an operation is aborted while it runs (Creating, Updating, ...)",
        )
    return str(state)


def begin_cluster_abort(c: ContainerServiceClient, rg: str, name: str, *, no_wait: bool = False) -> LROPoller[Any]:
    return arm.call(
        f"abort the operation on cluster {name}",
        lambda: c.managed_clusters.begin_abort_latest_operation(rg, name, polling=not no_wait),
    )


def begin_pool_abort(
    c: ContainerServiceClient, rg: str, cluster: str, name: str, *, no_wait: bool = False
) -> LROPoller[Any]:
    return arm.call(
        f"abort the operation on node pool {name}",
        lambda: c.agent_pools.begin_abort_latest_operation(rg, cluster, name, polling=not no_wait),
    )
