"""A NAME argument that takes kubectl's TYPE/NAME takes every TYPE kubectl takes for the resource
(kubernetes/cli-runtime 69e8693b pkg/resource/builder.go mappingFor; kubernetes/apimachinery
eed236ce pkg/runtime/schema/group_version.go ParseResourceArg, pkg/api/meta/restmapper.go
coerceResourceForMatching): the plural, the singular in any case (so the Kind), a short name, each
alone or with .GROUP or .VERSION.GROUP. The names are the CRDs' (shared/crds)."""

from __future__ import annotations

import pytest

from akscli import fleet
from akscli.cli.nodepool_flags import NAP_NODEPOOLS
from akscli.cli.ray.common import RAY_CLUSTERS

TAKEN = [
    (RAY_CLUSTERS, "raycluster"),
    (RAY_CLUSTERS, "rayclusters"),
    (RAY_CLUSTERS, "RayCluster"),
    (RAY_CLUSTERS, "raycluster.ray.io"),
    (RAY_CLUSTERS, "rayclusters.v1.ray.io"),
    (RAY_CLUSTERS, "RayCluster.v1alpha1.ray.io"),
    (fleet.CLUSTER_RUNS, "csur"),
    (fleet.CLUSTER_RUNS, "csur.placement.kubernetes-fleet.io"),
    (fleet.RUNS, "StagedUpdateRun"),
    (fleet.MEMBER_CLUSTERS, "cluster"),
    (fleet.MEMBER_CLUSTERS, "memberclusters.v1beta1.cluster.kubernetes-fleet.io"),
    (NAP_NODEPOOLS, "NodePool.karpenter.sh"),
    (NAP_NODEPOOLS, "nodepools.v1.karpenter.sh"),
]
REFUSED = [
    (RAY_CLUSTERS, "rayjob"),  # another resource of the group
    (RAY_CLUSTERS, "raycluster.ray"),  # no such group
    (RAY_CLUSTERS, "raycluster.v2.ray.io"),  # a version the CRD does not serve
    (RAY_CLUSTERS, "rc"),  # KubeRay's CRDs declare no short name
    (fleet.CLUSTER_RUNS, "CSUR"),  # a short name is matched as written
    (fleet.RUNS, "csur"),  # the cluster-scoped kind's short name
    (NAP_NODEPOOLS, "nodepool.karpenter.azure.com"),  # another group
]


@pytest.mark.parametrize(("resource", "given"), TAKEN, ids=[g for _, g in TAKEN])
def test_kubectls_spellings_are_taken(resource: fleet.ResourceType, given: str) -> None:
    assert resource.named_by(given)


@pytest.mark.parametrize(("resource", "given"), REFUSED, ids=[g for _, g in REFUSED])
def test_other_spellings_are_not(resource: fleet.ResourceType, given: str) -> None:
    assert not resource.named_by(given)
