"""The InternalMemberCluster of each member of the KubeFleet hub simulator: the hub's member cluster
controller makes it (and the member's namespace) when the member joins, the member agent reports
its status there, and the hub copies that status onto the MemberCluster.

Upstream (kubefleet-dev/kubefleet e160c1cd, paths in that repository):

* The CRD: config/crd/bases/cluster.kubernetes-fleet.io_internalmemberclusters.yaml, which the hub
  agent's chart installs (charts/hub-agent/templates/crds); ../shared/crds has none. Namespaced,
  short name ``imc``, categories fleet and fleet-cluster, v1 and v1beta1 (stored), a status
  subresource; spec.state required, spec.heartbeatPeriodSeconds defaulted to 60. The schema here
  is cut down to the spec.
* The hub (pkg/controllers/membercluster/v1beta1/membercluster_controller.go): Reconcile reads the
  IMC, then ``join`` (syncNamespace: ``fleet-member-<name>`` (pkg/utils/common.go
  NamespaceNameFormat) labelled kubernetes-fleet.io/is-fleet-resource=true and owned by the member;
  syncRole and syncRoleBinding: ``fleet-role-<name>`` and ``fleet-rolebinding-<name>`` in it, which
  let the member's spec.identity (the member agent's credentials) write there;
  syncInternalMemberCluster: an IMC of the member's name in it, owned by the member, spec.state Join
  (Leave once the member is deleting) and the member's heartbeatPeriodSeconds, created or Updated
  when its spec differs; markMemberClusterReadyToJoin), then syncInternalMemberClusterStatus **of
  the IMC it read before the join** (none on the first pass: only ReadyToJoin is written then; the
  IMC's creation is the next pass, as the controller Owns InternalMemberCluster), then
  updateMemberClusterStatus (Status().Update).
* syncInternalMemberClusterStatus: the IMC's agentStatus copied where it has any (else the
  MemberCluster's is kept), each agent condition given the member's generation;
  aggregateJoinedCondition; resourceUsage and properties copied as they are (absent on the IMC,
  absent on the member); the IMC's own conditions set by type with the member's generation.
* The member agent (pkg/controllers/internalmembercluster/v1beta1/member_controller.go Reconcile,
  state Join): updateMemberAgentHeartBeat, markInternalMemberClusterJoined and Healthy (when its
  health probe passes), its properties and resourceUsage (updateResourceStats, or a property
  provider), then updateInternalMemberClusterWithRetry: a Status().Update of the IMC.

What the emulator adds (no upstream field): a test's write of a MemberCluster's agentStatus,
properties or resourceUsage stands for the member agent's report, so it is first written to the
IMC (``report``) and the hub copies it back. The simulator knows a test wrote one when it differs
from what the hub copied last (``copied``); otherwise the IMC is what the hub copies, so a test may
also write the IMC itself, as a member agent does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tests.emulators.kube.controllers.fleet_conditions import _cond, set_cond

C1 = "cluster.kubernetes-fleet.io/v1"
CLUSTER_GROUP = "cluster.kubernetes-fleet.io"
IMC = "InternalMemberCluster"
# pkg/utils/common.go NamespaceNameFormat (FleetMemberNamespacePrefix + "%s")
NAMESPACE_PREFIX = "fleet-member-"
# apis/placement/v1beta1/commons.go FleetResourceLabelKey
FLEET_RESOURCE = "kubernetes-fleet.io/is-fleet-resource"
# apis/cluster/v1beta1/membercluster_types.go and the IMC CRD: heartbeatPeriodSeconds default 60
HEARTBEAT_PERIOD = 60
# The fields syncInternalMemberClusterStatus copies from the IMC, that a test may write on the member.
REPORTED = ("agentStatus", "properties", "resourceUsage")
# Who writes what (the field manager each write is recorded under):
# - the hub's member cluster controller names its own for the namespace, the IMC and the
#   MemberCluster's finalizer: client.FieldOwner(utils.MCControllerFieldManagerName) in
#   membercluster_controller.go syncNamespace, syncInternalMemberCluster, ensureFinalizer
#   (pkg/utils/common.go MCControllerFieldManagerName = "member-cluster-controller"); its
#   Status().Update of the MemberCluster and handleDelete's Updates name none: the hub agent's
#   binary, "hubagent" (FleetHubController.field_manager).
# - the member agent names none for its Status().Update of the IMC (member_controller.go
#   updateInternalMemberClusterWithRetry) nor for the Work Updates of its Leave
#   (pkg/controllers/workapplier/controller.go Leave): cmd/memberagent/main.go buildHubConfig sets
#   no UserAgent, so controller-runtime gives client-go's default (kubernetes-sigs/controller-runtime
#   v0.22 pkg/client/apiutil/apimachinery.go createRestConfig; kubernetes/client-go rest/config.go
#   DefaultKubernetesUserAgent: the binary's base name first), and the binary is /memberagent
#   (docker/member-agent.Dockerfile `go build -o memberagent`, ENTRYPOINT ["/memberagent"]); the API
#   server records the user agent's text before the first "/" (kubernetes/apiserver
#   pkg/endpoints/handlers/create.go managerOrUserAgent, prefixFromUserAgent).
MC_CONTROLLER = "member-cluster-controller"
MEMBER_AGENT = "memberagent"
# membercluster_controller.go markMemberClusterReadyToJoin, markMemberClusterJoined
READY = "Member cluster is ready to join the fleet"
JOINED = "Member cluster has successfully joined the fleet"

# kubefleet-dev/kubefleet e160c1cd config/crd/bases/cluster.kubernetes-fleet.io_internalmemberclusters.yaml
_SCHEMA = {
    "type": "object",
    "properties": {
        "apiVersion": {"type": "string"},
        "kind": {"type": "string"},
        "metadata": {"type": "object"},
        "spec": {
            "type": "object",
            "required": ["state"],
            "properties": {
                "heartbeatPeriodSeconds": {
                    "type": "integer",
                    "format": "int32",
                    "default": HEARTBEAT_PERIOD,
                    "minimum": 1,
                    "maximum": 600,
                },
                "state": {"type": "string"},
            },
        },
        "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
    },
    "required": ["spec"],
}
CRD: dict[str, Any] = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": f"internalmemberclusters.{CLUSTER_GROUP}"},
    "spec": {
        "group": CLUSTER_GROUP,
        "names": {
            "categories": ["fleet", "fleet-cluster"],
            "kind": IMC,
            "listKind": IMC + "List",
            "plural": "internalmemberclusters",
            "shortNames": ["imc"],
            "singular": "internalmembercluster",
        },
        "scope": "Namespaced",
        "versions": [
            {
                "name": version,
                "served": True,
                "storage": version == "v1beta1",
                "schema": {"openAPIV3Schema": _SCHEMA},
                "subresources": {"status": {}},
            }
            for version in ("v1", "v1beta1")
        ],
    },
}


def namespace_of(member: str) -> str:
    return NAMESPACE_PREFIX + member


def get(cluster: Any, member: str) -> dict[str, Any] | None:
    return cluster.get(C1, IMC, namespace_of(member), member)


def _owner(member: Mapping[str, Any]) -> dict[str, Any]:
    """membercluster_controller.go toOwnerReference: clusterv1beta1.GroupVersion, Controller true."""
    md = member.get("metadata") or {}
    return {
        "apiVersion": f"{CLUSTER_GROUP}/v1beta1",
        "kind": "MemberCluster",
        "name": md.get("name"),
        "uid": md.get("uid"),
        "controller": True,
    }


RBAC = "rbac.authorization.k8s.io/v1"
# pkg/utils/common.go RoleNameFormat, RoleBindingNameFormat (FleetNSNamePrefix "fleet-")
ROLE_PREFIX = "fleet-role-"
ROLE_BINDING_PREFIX = "fleet-rolebinding-"
# pkg/utils/common.go FleetClusterRule, FleetPlacementRule, FleetNetworkRule (NetworkingGroupName),
# EventRule, in syncRole's order
ROLE_RULES: list[dict[str, Any]] = [
    {"verbs": ["*"], "apiGroups": [CLUSTER_GROUP], "resources": ["*"]},
    {"verbs": ["*"], "apiGroups": ["placement.kubernetes-fleet.io"], "resources": ["*"]},
    {"verbs": ["*"], "apiGroups": ["networking.fleet.azure.com"], "resources": ["*"]},
    {"verbs": ["get", "list", "update", "patch", "watch", "create"], "apiGroups": [""], "resources": ["events"]},
]


def _sync_role(cluster: Any, member: Mapping[str, Any], ns: str) -> str:
    """membercluster_controller.go syncRole: the Role fleet-role-NAME in the member's namespace, owned
    by the member, with ROLE_RULES; created, or its rules Updated where they differ, as
    member-cluster-controller. The controller does not watch Roles (SetupWithManager: For
    MemberCluster, Owns InternalMemberCluster): one changed by hand is put back on its next pass."""
    name = ROLE_PREFIX + str(member["metadata"]["name"])
    current = cluster.get(RBAC, "Role", ns, name)
    if current is None:
        md = {"name": name, "namespace": ns, "ownerReferences": [_owner(member)]}
        cluster.create({"apiVersion": RBAC, "kind": "Role", "metadata": md, "rules": ROLE_RULES}, MC_CONTROLLER)
    elif current.get("rules") != ROLE_RULES:
        cluster.update_of({**current, "rules": ROLE_RULES}, MC_CONTROLLER)
    return name


def _sync_role_binding(cluster: Any, member: Mapping[str, Any], ns: str, role: str) -> None:
    """membercluster_controller.go syncRoleBinding: the RoleBinding fleet-rolebinding-NAME binding the
    member's spec.identity (a User or Group given the rbac.authorization.k8s.io apiGroup) to the
    Role, owned by the member; created, or Updated where its subjects or roleRef differ, as
    member-cluster-controller (upstream Updates the expected object with no resourceVersion, which
    RBAC allows unconditionally: kubernetes/kubernetes pkg/registry/rbac/rolebinding/strategy.go
    AllowUnconditionalUpdate; here with the one read)."""
    name = ROLE_BINDING_PREFIX + str(member["metadata"]["name"])
    subject = dict((member.get("spec") or {}).get("identity") or {})
    if not subject.get("apiGroup") and subject.get("kind") in ("User", "Group"):
        subject["apiGroup"] = "rbac.authorization.k8s.io"
    subjects = [subject]
    role_ref = {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": role}
    current = cluster.get(RBAC, "RoleBinding", ns, name)
    if current is None:
        md = {"name": name, "namespace": ns, "ownerReferences": [_owner(member)]}
        body = {"apiVersion": RBAC, "kind": "RoleBinding", "metadata": md, "subjects": subjects, "roleRef": role_ref}
        cluster.create(body, MC_CONTROLLER)
    elif current.get("subjects") != subjects or current.get("roleRef") != role_ref:
        cluster.update_of({**current, "subjects": subjects, "roleRef": role_ref}, MC_CONTROLLER)


def join(cluster: Any, member: Mapping[str, Any]) -> dict[str, Any] | None:
    """membercluster_controller.go Reconcile's getInternalMemberCluster then join (syncNamespace,
    syncRole, syncRoleBinding, syncInternalMemberCluster): the IMC as read before the join, None
    where there was none."""
    name = str(member["metadata"]["name"])
    ns = namespace_of(name)
    current_ns = cluster.get("v1", "Namespace", None, ns)
    if current_ns is None:
        body = {"name": ns, "ownerReferences": [_owner(member)], "labels": {FLEET_RESOURCE: "true"}}
        cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": body}, MC_CONTROLLER)
    elif not ((current_ns.get("metadata") or {}).get("labels") or {}).get(FLEET_RESOURCE):
        # syncNamespace's migration: a MergeFrom patch adding the label
        patch = {"metadata": {"labels": {FLEET_RESOURCE: "true"}}}
        cluster.patch("v1", "Namespace", None, ns, patch, MC_CONTROLLER)
    _sync_role_binding(cluster, member, ns, _sync_role(cluster, member, ns))
    before = get(cluster, name)
    sync_spec(cluster, member, before)
    return before


def sync_spec(cluster: Any, member: Mapping[str, Any], before: dict[str, Any] | None) -> None:
    """membercluster_controller.go syncInternalMemberCluster (join's, and leave's on a member being
    deleted): the IMC created, or Updated where its spec differs, as member-cluster-controller."""
    name = str(member["metadata"]["name"])
    ns = namespace_of(name)
    spec = {
        "heartbeatPeriodSeconds": (member.get("spec") or {}).get("heartbeatPeriodSeconds") or HEARTBEAT_PERIOD,
        "state": "Leave" if (member.get("metadata") or {}).get("deletionTimestamp") else "Join",
    }
    if before is None:
        md = {"name": name, "namespace": ns, "ownerReferences": [_owner(member)]}
        cluster.create({"apiVersion": C1, "kind": IMC, "metadata": md, "spec": spec}, MC_CONTROLLER)
    elif before.get("spec") != spec:
        cluster.update_of({**before, "spec": spec}, MC_CONTROLLER)  # a 409 is the reconcile's error: requeued


def report(
    cluster: Any, member: Mapping[str, Any], copied: Mapping[str, Any] | None, heartbeat: str | None
) -> dict[str, Any]:
    """The member agent's Status().Update of its IMC (member_controller.go Reconcile, state Join),
    as read; nothing sent where nothing changed. ``heartbeat``: the simulator's member agent runs
    (updateMemberAgentHeartBeat; Joined and Healthy True where it reported no condition yet:
    markInternalMemberClusterJoined, markInternalMemberClusterHealthy). What a test wrote on the
    member since the hub's last copy (``copied``) stands for the agent's report (module docstring).
    Returns the IMC as written."""
    name = str(member["metadata"]["name"])
    imc = get(cluster, name)
    if imc is None:
        raise RuntimeError(f"no InternalMemberCluster for {name}: join first")
    status = dict(imc.get("status") or {})
    mc_status = member.get("status") or {}
    new = dict(status)
    for key in REPORTED:
        if mc_status.get(key) and mc_status.get(key) != (copied or {}).get(key):
            new[key] = mc_status[key]
    generation = int((imc.get("metadata") or {}).get("generation") or 1)
    agents = [dict(a) for a in new.get("agentStatus") or []]
    if heartbeat is not None:
        found = next((a for a in agents if a.get("type") == "MemberAgent"), None)
        if found is None:
            found = {"type": "MemberAgent"}
            agents.append(found)
        if not found.get("conditions"):
            found["conditions"] = [
                _cond("Joined", True, "InternalMemberClusterJoined", "", generation),
                _cond("Healthy", True, "InternalMemberClusterHealthy", "", generation),
            ]
        found["lastReceivedHeartbeat"] = heartbeat
    if agents:
        new["agentStatus"] = [
            {**a, "conditions": [{**c, "observedGeneration": generation} for c in a.get("conditions") or []]}
            for a in agents
        ]
    if new == status:
        return imc
    fields: dict[str, Any] = {k: new.get(k) for k in set(new) | set(status)}
    cluster.update_status_of(imc, fields, MEMBER_AGENT)
    return imc


def hub_conditions(name: str, agents: list[dict[str, Any]], generation: int) -> list[dict[str, Any]]:
    """membercluster_controller.go aggregateJoinedCondition with the member agent alone (networking
    agents off), then markMemberClusterJoined, markMemberClusterLeft (Joined False and ReadyToJoin
    False) or markMemberClusterUnknown; ReadyToJoin first (join's markMemberClusterReadyToJoin)."""
    ready = _cond("ReadyToJoin", True, "MemberClusterReadyToJoin", READY, generation)
    agent = next((a for a in agents if a.get("type") == "MemberAgent"), None)
    joined = next((c for c in (agent or {}).get("conditions") or [] if c.get("type") == "Joined"), None)
    if agent is None:
        message = f"Member cluster {name} has not reported all the expected agents, expected 1, got 0"
        return [ready, _cond("Joined", None, "MemberClusterJoinStateUnknown", message, generation)]
    if joined is None:
        message = f"Member cluster {name} has not reported the join condition for agent MemberAgent"
        return [ready, _cond("Joined", None, "MemberClusterJoinStateUnknown", message, generation)]
    if joined.get("status") == "True":
        return [ready, _cond("Joined", True, "MemberClusterJoined", JOINED, generation)]
    if joined.get("status") == "False":
        left = _cond("Joined", False, "MemberClusterLeft", "Member cluster has left the fleet", generation)
        not_ready = "Member cluster is not ready to join the fleet"
        return [ready, left, _cond("ReadyToJoin", False, "MemberClusterNotReadyToJoin", not_ready, generation)]
    message = "Member agents are not in a consistent state"
    return [ready, _cond("Joined", None, "MemberClusterJoinStateUnknown", message, generation)]


def member_status(member: Mapping[str, Any], imc: Mapping[str, Any] | None) -> dict[str, Any]:
    """The MemberCluster's status fields after ``join`` and syncInternalMemberClusterStatus of
    ``imc`` (None: no IMC was read, so only ReadyToJoin is set)."""
    name = str(member["metadata"]["name"])
    generation = int((member.get("metadata") or {}).get("generation") or 1)
    status = member.get("status") or {}
    conditions = list(status.get("conditions") or [])
    if imc is None:
        ready = _cond("ReadyToJoin", True, "MemberClusterReadyToJoin", READY, generation)
        return {"conditions": set_cond(conditions, ready)}
    imc_status = imc.get("status") or {}
    agents = list(status.get("agentStatus") or [])
    if imc_status.get("agentStatus"):
        agents = [
            {**a, "conditions": [{**c, "observedGeneration": generation} for c in a.get("conditions") or []]}
            for a in imc_status["agentStatus"]
        ]
    for cond in hub_conditions(name, agents, generation):
        conditions = set_cond(conditions, cond)
    for cond in imc_status.get("conditions") or []:
        conditions = set_cond(conditions, {**cond, "observedGeneration": generation})
    return {
        "conditions": conditions,
        "agentStatus": agents or None,
        "resourceUsage": imc_status.get("resourceUsage"),
        "properties": imc_status.get("properties"),
    }
