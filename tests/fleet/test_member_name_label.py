"""The hub labels each MemberCluster with its own name, and an override selects one member by it
(upstream: kubefleet-dev/kubefleet e160c1cd apis/placement/v1beta1/commons.go MemberNameLabel;
pkg/controllers/membercluster/v1beta1/membercluster_controller.go ensureMemberNameLabel, kubefleet
#578; test/e2e/placement_cro_test.go "selecting a single cluster by the member-name label")."""

from __future__ import annotations

from typing import Any

from tests.cli import invoke
from tests.fleet.conftest import Hub

C1 = "cluster.kubernetes-fleet.io/v1"
LABEL = "kubernetes-fleet.io/member-name"


def _place(*flags: str) -> Any:
    return invoke(
        "fleet", "place", "llm", "--select", "namespace/llm", *flags, "--wait", "--timeout", "20s", "-y"
    )  # fmt: skip


def _applicable(hub: Hub) -> dict[str, list[str]]:
    rows = hub.get("ClusterResourcePlacement", "llm")["status"]["placementStatuses"]
    return {r["clusterName"]: r.get("applicableClusterResourceOverrides") or [] for r in rows}


def test_the_hub_labels_each_member_with_its_name_as_the_member_cluster_controller(hub: Hub) -> None:
    member = hub.get("MemberCluster", "gpu-east", api_version=C1)
    assert member["metadata"]["labels"][LABEL] == "gpu-east"
    owners = [
        f["manager"]
        for f in member["metadata"]["managedFields"]
        if f"f:{LABEL}" in ((f.get("fieldsV1") or {}).get("f:metadata") or {}).get("f:labels", {})
    ]
    assert owners == ["member-cluster-controller"]


def test_an_override_by_member_name_applies_on_that_member_only(hub: Hub) -> None:
    result = _place("--override", f'{LABEL}=canary@/metadata/labels/tier="gold"')
    assert result.exit_code == 0, result
    assert _applicable(hub) == {"gpu-east": [], "cpu-west": [], "canary": ["llm-override-0"]}


def test_an_override_naming_no_member_of_the_hub_is_warned_of(hub: Hub) -> None:
    result = _place("--override", f'{LABEL}=canry@/metadata/labels/tier="gold"')
    assert result.exit_code == 0, result
    assert (
        "warning: clusterresourceoverride/llm-override selects member cluster canry by "
        "kubernetes-fleet.io/member-name, and no member of this hub has that name "
        "(members: canary, cpu-west, gpu-east)" in result.stderr
    )
