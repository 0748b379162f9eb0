"""The hub's role and role binding for each member agent, and a member agent whose leave fails
(upstream: kubefleet-dev/kubefleet e160c1cd pkg/controllers/membercluster/v1beta1/
membercluster_controller.go join, syncRole, syncRoleBinding; pkg/utils/common.go RoleNameFormat,
RoleBindingNameFormat, FleetClusterRule, FleetPlacementRule, FleetNetworkRule, EventRule;
pkg/controllers/internalmembercluster/v1beta1/member_controller.go stopAgents,
markInternalMemberClusterLeaveFailed; pkg/controllers/workapplier/controller.go Leave)."""

from __future__ import annotations

from typing import Any

from tests.cli import invoke
from tests.fleet.conftest import Hub

C1 = "cluster.kubernetes-fleet.io/v1"
RBAC = "rbac.authorization.k8s.io/v1"
IMC = "InternalMemberCluster"
NS = "fleet-member-gpu-east"
SA = "system:serviceaccount:fleet-system:fleet-member"


def _managers(obj: dict[str, Any]) -> set[str]:
    return {f["manager"] for f in obj["metadata"].get("managedFields") or []}


def _lose_the_placement_rule(hub: Hub) -> None:
    """The member's role loses its placement.kubernetes-fleet.io rule (an edit the hub puts back only
    on its next pass over the member: it does not watch roles)."""
    role = hub.get("Role", "fleet-role-gpu-east", NS, api_version=RBAC)
    kept = [r for r in role["rules"] if r["apiGroups"] != ["placement.kubernetes-fleet.io"]]
    hub.cluster.update_of({**role, "rules": kept})


def _agent_joined(obj: dict[str, Any]) -> dict[str, Any]:
    agent = next(a for a in obj["status"]["agentStatus"] if a["type"] == "MemberAgent")
    return dict(next(c for c in agent["conditions"] if c["type"] == "Joined"))


def test_the_hub_makes_a_role_for_the_member_agent_in_the_members_namespace(hub: Hub) -> None:
    role = hub.get("Role", "fleet-role-gpu-east", NS, api_version=RBAC)
    assert [(r["apiGroups"], r["resources"], r["verbs"]) for r in role["rules"]] == [
        (["cluster.kubernetes-fleet.io"], ["*"], ["*"]),
        (["placement.kubernetes-fleet.io"], ["*"], ["*"]),
        (["networking.fleet.azure.com"], ["*"], ["*"]),
        ([""], ["events"], ["get", "list", "update", "patch", "watch", "create"]),
    ]
    assert [o["name"] for o in role["metadata"]["ownerReferences"]] == ["gpu-east"]
    assert _managers(role) == {"member-cluster-controller"}


def test_the_hub_binds_the_members_identity_to_its_role(hub: Hub) -> None:
    binding = hub.get("RoleBinding", "fleet-rolebinding-gpu-east", NS, api_version=RBAC)
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "fleet-member", "namespace": "fleet-system"}]
    role_ref = {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "fleet-role-gpu-east"}
    assert binding["roleRef"] == role_ref
    assert _managers(binding) == {"member-cluster-controller"}


def test_a_member_agent_refused_its_works_reports_failed_to_leave(hub: Hub) -> None:
    _lose_the_placement_rule(hub)
    hub.cluster.delete(C1, "MemberCluster", None, "gpu-east")
    hub.settle()
    joined = _agent_joined(hub.get(IMC, "gpu-east", NS, api_version=C1))
    assert (joined["status"], joined["reason"]) == ("Unknown", "InternalMemberClusterFailedToLeave")
    assert joined["message"] == (
        f'works.placement.kubernetes-fleet.io is forbidden: User "{SA}" cannot list resource "works" in API '
        f'group "placement.kubernetes-fleet.io" in the namespace "{NS}"'
    )
    member = hub.get("MemberCluster", "gpu-east", api_version=C1)
    hub_joined = next(c for c in member["status"]["conditions"] if c["type"] == "Joined")
    assert (hub_joined["status"], hub_joined["message"]) == ("Unknown", "Member agents are not in a consistent state")
    assert hub.cluster.get("v1", "Namespace", None, NS) is not None


def test_member_remove_on_the_hub_explains_a_failed_leave_and_exits_5(hub: Hub) -> None:
    _lose_the_placement_rule(hub)
    hub.cluster.delete(C1, "MemberCluster", None, "gpu-east")
    hub.settle()
    result = invoke("fleet", "member", "remove", "gpu-east", "-y", "--timeout", "1s")
    assert result.exit_code == 5, result
    error = next(line for line in result.stderr.splitlines() if line.startswith("error:"))
    assert error.startswith(
        "error: member cluster gpu-east has not left the fleet within 1s: the member agent failed to leave "
        "(InternalMemberClusterFailedToLeave: works.placement.kubernetes-fleet.io is forbidden: "
    )
    assert (
        "the member's identity needs the hub's role fleet-role-gpu-east and role binding "
        "fleet-rolebinding-gpu-east in namespace fleet-member-gpu-east" in error
    )
    assert "kubectl -n fleet-member-gpu-east get role,rolebinding -o yaml" in error
    assert "15m after the delete" in error


def test_a_member_agent_leaves_once_its_role_is_whole_again(hub: Hub) -> None:
    _lose_the_placement_rule(hub)
    hub.cluster.delete(C1, "MemberCluster", None, "gpu-east")
    hub.settle()
    role = hub.get("Role", "fleet-role-gpu-east", NS, api_version=RBAC)
    rule = {"apiGroups": ["placement.kubernetes-fleet.io"], "resources": ["*"], "verbs": ["*"]}
    hub.cluster.update_of({**role, "rules": [*role["rules"], rule]})
    hub.controller.advance(60)  # the agent's retry
    hub.settle()
    assert hub.cluster.get(C1, "MemberCluster", None, "gpu-east") is None
