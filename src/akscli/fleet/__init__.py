"""Azure Kubernetes Fleet Manager: ARM fleets and members, hub placements, staged rollouts.

Plain logic only (no typer, no rich). The hub side talks to the KubeFleet APIs through
``akscli.kube.client.Kube``; the ARM side through ``azure-mgmt-containerservicefleet``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from akscli.resource_type import ResourceType

PLACEMENT_GROUP = "placement.kubernetes-fleet.io"
CLUSTER_GROUP = "cluster.kubernetes-fleet.io"
# v1 is the GA version every hub serves; evictions and disruption budgets exist only in v1beta1.
PLACEMENT_V1 = f"{PLACEMENT_GROUP}/v1"
PLACEMENT_BETA = f"{PLACEMENT_GROUP}/v1beta1"
CLUSTER_V1 = f"{CLUSTER_GROUP}/v1"

CRP = "ClusterResourcePlacement"
RP = "ResourcePlacement"
CRO = "ClusterResourceOverride"
RO = "ResourceOverride"
MEMBER = "MemberCluster"
CSUS = "ClusterStagedUpdateStrategy"
SUS = "StagedUpdateStrategy"
CSUR = "ClusterStagedUpdateRun"
SUR = "StagedUpdateRun"
CAR = "ClusterApprovalRequest"
AR = "ApprovalRequest"
EVICTION = "ClusterResourcePlacementEviction"
BUDGET = "ClusterResourcePlacementDisruptionBudget"
BINDING = "ClusterResourceBinding"
RESOURCE_BINDING = "ResourceBinding"

# Each hub resource that a command's NAME may be given as, by every TYPE kubectl takes for it
# (resource_type.ResourceType), from the CRDs' spec.names, served versions and scope
# (kubefleet-dev/kubefleet config/crd/bases/cluster.kubernetes-fleet.io_memberclusters.yaml,
# placement.kubernetes-fleet.io_{clusterresourceplacements,resourceplacements,clusterstagedupdateruns,
# stagedupdateruns,clusterstagedupdatestrategies,stagedupdatestrategies}.yaml; shared/crds/fleet).
MEMBER_CLUSTERS = ResourceType(CLUSTER_GROUP, "memberclusters", "membercluster", ("cluster",), ("v1", "v1beta1"), False)
CLUSTER_PLACEMENTS = ResourceType(
    PLACEMENT_GROUP, "clusterresourceplacements", "clusterresourceplacement", ("crp",), ("v1", "v1beta1"), False
)
PLACEMENTS = ResourceType(PLACEMENT_GROUP, "resourceplacements", "resourceplacement", ("rp",), ("v1", "v1beta1"))
CLUSTER_RUNS = ResourceType(
    PLACEMENT_GROUP,
    "clusterstagedupdateruns",
    "clusterstagedupdaterun",
    ("csur",),
    ("v1", "v1alpha1", "v1beta1"),
    False,
)
RUNS = ResourceType(PLACEMENT_GROUP, "stagedupdateruns", "stagedupdaterun", ("sur",), ("v1", "v1beta1"))
CLUSTER_STRATEGIES = ResourceType(
    PLACEMENT_GROUP,
    "clusterstagedupdatestrategies",
    "clusterstagedupdatestrategy",
    ("csus",),
    ("v1", "v1alpha1", "v1beta1"),
    False,
)
STRATEGIES = ResourceType(
    PLACEMENT_GROUP, "stagedupdatestrategies", "stagedupdatestrategy", ("sus",), ("v1", "v1beta1")
)

FLEET_PREFIX = "kubernetes-fleet.io/"
TARGET_UPDATE_RUN_LABEL = FLEET_PREFIX + "targetUpdateRun"  # apis/placement/v1beta1/commons.go
TARGET_STAGE_LABEL = FLEET_PREFIX + "targetUpdatingStage"
IS_LATEST_APPROVAL_LABEL = FLEET_PREFIX + "isLatestUpdateRunApproval"
PARENT_PLACEMENT_LABEL = FLEET_PREFIX + "parent-CRP"  # PlacementTrackingLabel, on RPs' snapshots too
RESOURCE_INDEX_LABEL = FLEET_PREFIX + "resource-index"  # resourcesnapshot_types.go ResourceIndexLabel
PREVIOUS_BINDING_STATE = FLEET_PREFIX + "previous-binding-state"  # commons.go PreviousBindingStateAnnotation

# The taint kubectl-fleet's draincluster adds and uncordoncluster removes; using the same one
# means a cluster cordoned by either tool is uncordoned by the other.
CORDON_TAINT: dict[str, str] = {
    "key": "cordon-key",
    "value": "cordon-value",
    "effect": "NoSchedule",
}


def namespaces_placed(placement: Mapping[str, Any]) -> set[str]:
    """The namespaces a placement selects by name: its core Namespace resource selectors (upstream:
    kubefleet-dev/kubefleet e160c1cd apis/placement/v1/clusterresourceplacement_types.go
    ResourceSelectorTerm group/kind/name)."""
    return {
        str(sel["name"])
        for sel in (placement.get("spec") or {}).get("resourceSelectors") or []
        if isinstance(sel, Mapping) and sel.get("kind") == "Namespace" and not sel.get("group") and sel.get("name")
    }
