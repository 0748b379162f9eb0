"""A member leaving the KubeFleet hub simulator: the hub's member cluster controller holds a deleted
MemberCluster on its finalizer, asks the member agent to leave through the InternalMemberCluster,
and once the agent reports Left (or the force-delete wait is over) deletes the member's namespace
with everything in it, then lets the MemberCluster go.

Upstream (kubefleet-dev/kubefleet e160c1cd, paths in that repository):

* pkg/controllers/membercluster/v1beta1/membercluster_controller.go
  - Reconcile: a member not being deleted gets the finalizer ``kubernetes-fleet.io/membercluster-
    finalizer`` (apis/placement/v1beta1/commons.go MemberClusterFinalizer) first, ensureFinalizer:
    an Update with client.FieldOwner("member-cluster-controller"). A member being deleted goes to
    handleDelete.
  - then ensureMemberNameLabel: the label ``kubernetes-fleet.io/member-name`` (commons.go
    MemberNameLabel) with the member's own name, an Update as member-cluster-controller where it is
    missing or differs (kubefleet #578, 25b8e91a).
  - handleDelete, in this order: no finalizer, nothing to do; the namespace ``fleet-member-<name>``
    gone: RemoveFinalizer and Update (no field owner: the hub agent's; a 409 is requeued,
    NewUpdateIgnoreConflictError); the namespace being deleted: requeue after 1 s; the IMC gone:
    garbageCollect; else syncInternalMemberClusterStatus of the IMC and, where Joined is False for
    the member's generation (the agent left: aggregateJoinedCondition, markMemberClusterLeft:
    Joined False MemberClusterLeft and ReadyToJoin False MemberClusterNotReadyToJoin),
    garbageCollect and updateMemberClusterStatus; where the IMC is already Leave and
    ForceDeleteWaitTime passed since the deletion (cmd/hubagent/options/clustermgmt.go
    force-delete-wait-time, 15m by default), garbageCollect (the force delete); otherwise ``leave``
    (syncInternalMemberCluster: the IMC's spec.state Leave, an Update) and updateMemberClusterStatus,
    requeued after ForceDeleteWaitTime.
  - garbageCollect: garbageCollectWork (every Work in the namespace Updated with no finalizers),
    then the namespace deleted (which takes the IMC, the Works, the role and binding with it).
* pkg/controllers/internalmembercluster/v1beta1/member_controller.go Reconcile, state Leave:
  stopAgents (pkg/controllers/workapplier/controller.go Leave: the finalizer
  kubernetes-fleet.io/work-cleanup removed from each Work in the member's namespace, an Update),
  markInternalMemberClusterLeft (the MemberAgent's Joined False, reason InternalMemberClusterLeft,
  for the IMC's generation; no heartbeat), updateInternalMemberClusterWithRetry (Status().Update).
  A member agent that stopped writes nothing: the member waits for the force delete. Where
  stopAgents fails (the work applier's List or a Work's Update refused: here the hub's RBAC, the
  role fleet-role-NAME that join made, answering the agent's identity),
  markInternalMemberClusterLeaveFailed: Joined Unknown, reason InternalMemberClusterFailedToLeave,
  the error as its message, written as the agent's status; the reconcile's error requeues it on
  the rate limiter. The hub's aggregateJoinedCondition then finds neither all joined nor all left:
  Joined Unknown, "Member agents are not in a consistent state", until the force delete.
* pkg/scheduler/watchers/membercluster/watcher.go: a member being deleted is ignored "until it is
  left"; the MemberCluster's delete event makes the scheduler pass over every placement
  (fleet.py on_delete), whose bindings of the member then dangle and are unscheduled.

Field managers: fleet_internal_members (MC_CONTROLLER, MEMBER_AGENT; the hub agent's own writes
are FleetHubController.field_manager).
"""

from __future__ import annotations

import calendar
import time
from collections.abc import Mapping
from typing import Any

from tests.emulators.kube.controllers import fleet_internal_members as imcs
from tests.emulators.kube.controllers.fleet_conditions import Clock, _cond, set_cond
from tests.emulators.kube.status import ApiError

C1 = "cluster.kubernetes-fleet.io/v1"
P1 = "placement.kubernetes-fleet.io/v1"
# apis/placement/v1beta1/commons.go MemberClusterFinalizer, WorkFinalizer
FINALIZER = "kubernetes-fleet.io/membercluster-finalizer"
WORK_FINALIZER = "kubernetes-fleet.io/work-cleanup"
# apis/placement/v1beta1/commons.go MemberNameLabel
MEMBER_NAME_LABEL = "kubernetes-fleet.io/member-name"
# cmd/hubagent/options/clustermgmt.go: force-delete-wait-time defaults to 15 minutes
FORCE_DELETE_WAIT = 15 * 60.0


def ensure_finalizer(cluster: Any, member: dict[str, Any]) -> dict[str, Any]:
    """membercluster_controller.go ensureFinalizer: the member as written (or as read, where it has
    the finalizer already). A 409 is the reconcile's error (requeued)."""
    finalizers = list((member.get("metadata") or {}).get("finalizers") or [])
    if FINALIZER in finalizers:
        return member
    body = {**member, "metadata": {**member["metadata"], "finalizers": [*finalizers, FINALIZER]}}
    return dict(cluster.update_of(body, imcs.MC_CONTROLLER))


def ensure_member_name_label(cluster: Any, member: dict[str, Any]) -> dict[str, Any]:
    """membercluster_controller.go ensureMemberNameLabel (Reconcile, after ensureFinalizer, before the
    join): the label kubernetes-fleet.io/member-name (apis/placement/v1beta1/commons.go
    MemberNameLabel) set to the member's name where it is missing or differs, an Update as
    member-cluster-controller; an override's labelSelector selects one member by it. The member as
    written, or as read. A 409 is the reconcile's error (requeued)."""
    md = member.get("metadata") or {}
    labels = dict(md.get("labels") or {})
    if labels.get(MEMBER_NAME_LABEL) == md.get("name"):
        return member
    labels[MEMBER_NAME_LABEL] = str(md.get("name"))
    return dict(cluster.update_of({**member, "metadata": {**md, "labels": labels}}, imcs.MC_CONTROLLER))


def _seconds_since(stamp: str) -> float:
    return Clock.epoch() - calendar.timegm(time.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ"))


def _garbage_collect(cluster: Any, name: str) -> None:
    """garbageCollect: garbageCollectWork (each Work's finalizers set to nil, an Update by the hub
    agent), then the member's namespace deleted."""
    ns = imcs.namespace_of(name)
    for work in cluster.list(P1, "Work", ns):
        if (work.get("metadata") or {}).get("finalizers"):
            cluster.update_of({**work, "metadata": {**work["metadata"], "finalizers": None}})
    cluster.delete("v1", "Namespace", None, ns)


def _agent_user(member: Mapping[str, Any]) -> tuple[str, set[str]]:
    """The user and groups the member agent's requests carry: its MemberCluster's spec.identity, the
    credentials it reaches the hub with (apis/cluster/v1beta1/membercluster_types.go Identity). A
    ServiceAccount's user is system:serviceaccount:NS:NAME, in the service-account groups
    (kubernetes/apiserver pkg/authentication/serviceaccount/util.go MakeUsername, MakeGroupNames)."""
    identity = (member.get("spec") or {}).get("identity") or {}
    if identity.get("kind") == "ServiceAccount":
        ns = str(identity.get("namespace") or "")
        user = f"system:serviceaccount:{ns}:{identity.get('name')}"
        return user, {"system:serviceaccounts", f"system:serviceaccounts:{ns}", "system:authenticated"}
    if identity.get("kind") == "Group":
        return "", {str(identity.get("name")), "system:authenticated"}
    return str(identity.get("name") or ""), {"system:authenticated"}


def _bound(subject: Mapping[str, Any], user: str, groups: set[str], namespace: str | None) -> bool:
    """kubernetes/kubernetes pkg/registry/rbac/validation/rule.go appliesToUser: a ServiceAccount
    subject without a namespace is of the binding's (none for a ClusterRoleBinding: no match)."""
    kind, name = subject.get("kind"), str(subject.get("name") or "")
    if kind == "User":
        return name == user
    if kind == "Group":
        return name in groups
    if kind == "ServiceAccount":
        sa_namespace = subject.get("namespace") or namespace
        return bool(sa_namespace) and user == f"system:serviceaccount:{sa_namespace}:{name}"
    return False


def _rule_allows(rule: Mapping[str, Any], verb: str, group: str, resource: str) -> bool:
    """kubernetes/kubernetes pkg/apis/rbac/v1/evaluation_helpers.go VerbMatches, APIGroupMatches,
    ResourceMatches ("*" matches all)."""
    verbs, groups, resources = rule.get("verbs") or [], rule.get("apiGroups") or [], rule.get("resources") or []
    return (
        ("*" in verbs or verb in verbs)
        and ("*" in groups or group in groups)
        and ("*" in resources or resource in resources)
    )


def _forbidden(cluster: Any, member: Mapping[str, Any], verb: str, resource: str, ns: str, name: str) -> str | None:
    """The API server's answer to the member agent's ``verb`` of placement.kubernetes-fleet.io
    ``resource`` in ``ns``: None where the hub's RBAC allows it (a RoleBinding in ``ns`` or a
    ClusterRoleBinding binding the agent to a rule that matches: kubernetes/kubernetes
    plugin/pkg/auth/authorizer/rbac/rbac.go), else the Forbidden error's text, as the API server
    writes it (kubernetes/apiserver pkg/endpoints/handlers/responsewriters/errors.go
    forbiddenMessage, apimachinery pkg/api/errors NewForbidden), which client.Update returns."""
    user, groups = _agent_user(member)
    group = "placement.kubernetes-fleet.io"
    bindings = [(b, ns) for b in cluster.list("rbac.authorization.k8s.io/v1", "RoleBinding", ns)]
    bindings += [(b, None) for b in cluster.list("rbac.authorization.k8s.io/v1", "ClusterRoleBinding")]
    for binding, where in bindings:
        if not any(_bound(subject, user, groups, where) for subject in binding.get("subjects") or []):
            continue
        ref = binding.get("roleRef") or {}
        kind = "Role" if ref.get("kind") == "Role" and where else "ClusterRole"
        role = cluster.get("rbac.authorization.k8s.io/v1", kind, where if kind == "Role" else None, ref.get("name"))
        if any(_rule_allows(rule, verb, group, resource) for rule in (role or {}).get("rules") or []):
            return None
    what = f'{resource}.{group} "{name}"' if name else f"{resource}.{group}"
    who = user or sorted(groups)[0]
    return (
        f'{what} is forbidden: User "{who}" cannot {verb} resource "{resource}" in API group "{group}" '
        f'in the namespace "{ns}"'
    )


def _stop_agents(cluster: Any, member: Mapping[str, Any], ns: str) -> str | None:
    """pkg/controllers/workapplier/controller.go Leave: list the Works of the member's namespace and
    Update each holding kubernetes-fleet.io/work-cleanup without it, as memberagent; the first error
    ends it (its text returned), as the hub's RBAC answers the agent (``_forbidden``)."""
    error = _forbidden(cluster, member, "list", "works", ns, "")
    if error:
        return error
    for work in cluster.list(P1, "Work", ns):
        finalizers = list((work.get("metadata") or {}).get("finalizers") or [])
        if WORK_FINALIZER in finalizers:
            error = _forbidden(cluster, member, "update", "works", ns, work["metadata"]["name"])
            if error:
                return error
            kept = [f for f in finalizers if f != WORK_FINALIZER]
            cluster.update_of({**work, "metadata": {**work["metadata"], "finalizers": kept}}, imcs.MEMBER_AGENT)
    return None


def agent_leaves(cluster: Any, member: Mapping[str, Any]) -> bool:
    """The member agent's Reconcile of its IMC in state Leave (module docstring), as memberagent: True
    where it left (or had nothing to do), False where stopAgents failed: then, as
    markInternalMemberClusterLeaveFailed, its Joined is Unknown, reason
    InternalMemberClusterFailedToLeave, the error as the message, for the IMC's generation (the IMC's
    status is the cluster.kubernetes-fleet.io rule's, which the agent may still write)."""
    name = str(member["metadata"]["name"])
    ns = imcs.namespace_of(name)
    failed = _stop_agents(cluster, member, ns)
    imc = imcs.get(cluster, name)
    if imc is None or (imc.get("spec") or {}).get("state") != "Leave":
        return failed is None
    generation = int((imc.get("metadata") or {}).get("generation") or 1)
    status = imc.get("status") or {}
    agents = [dict(a) for a in status.get("agentStatus") or []]
    found = next((a for a in agents if a.get("type") == "MemberAgent"), None)
    if found is None:
        found = {"type": "MemberAgent"}
        agents.append(found)
    if failed is None:
        cond = _cond("Joined", False, "InternalMemberClusterLeft", "", generation)
    else:
        cond = _cond("Joined", None, "InternalMemberClusterFailedToLeave", failed, generation)
    found["conditions"] = set_cond(list(found.get("conditions") or []), cond)
    if agents != status.get("agentStatus"):
        cluster.update_status_of(imc, {"agentStatus": agents}, imcs.MEMBER_AGENT)
    return failed is None


def handle_delete(cluster: Any, member: dict[str, Any], agent_runs: bool) -> bool:
    """membercluster_controller.go handleDelete (module docstring), with the member agent's Reconcile
    of the IMC the hub just set to Leave where ``agent_runs`` (the hub's Owns(IMC) pass that follows
    is this loop's next turn). True: reconcile it again shortly (its namespace is being deleted, or
    a write was 409). False: done, or waiting for an agent that does not run: the hub requeues after
    ForceDeleteWaitTime, which a test reaches with FleetHubController.advance (it requeues every
    member being deleted)."""
    name = str(member["metadata"]["name"])
    for _ in range(4):  # leave, the agent's report, the hub's copy and garbage collection
        md = member.get("metadata") or {}
        if FINALIZER not in (md.get("finalizers") or []):
            return False
        ns = cluster.get("v1", "Namespace", None, imcs.namespace_of(name))
        if ns is None:
            kept = [f for f in md.get("finalizers") or [] if f != FINALIZER]
            try:
                cluster.update_of({**member, "metadata": {**md, "finalizers": kept}})
            except ApiError as exc:
                if exc.reason != "Conflict":
                    raise
                return True
            return False
        if (ns.get("metadata") or {}).get("deletionTimestamp"):
            return True  # RequeueAfter one second
        imc = imcs.get(cluster, name)
        if imc is None:
            _garbage_collect(cluster, name)
            return True
        fields = imcs.member_status(member, imc)
        generation = int(md.get("generation") or 1)
        joined = next((c for c in fields["conditions"] if c.get("type") == "Joined"), {})
        if joined.get("status") == "False" and joined.get("observedGeneration") == generation:
            _garbage_collect(cluster, name)
            _write_status(cluster, member, fields)
            return True
        if (imc.get("spec") or {}).get("state") == "Leave" and _seconds_since(
            str(md["deletionTimestamp"])
        ) >= FORCE_DELETE_WAIT:
            _garbage_collect(cluster, name)  # the force delete
            return True
        imcs.sync_spec(cluster, member, imc)  # leave
        _write_status(cluster, member, fields)
        if not agent_runs:
            return False  # RequeueAfter ForceDeleteWaitTime
        left = agent_leaves(cluster, member)
        member = cluster.get(C1, "MemberCluster", None, name) or member
        if not left:
            # the hub's pass that the agent's IMC update starts copies its FailedToLeave (Joined
            # Unknown); the agent retries on its rate limiter, the hub after ForceDeleteWaitTime
            # (FleetHubController.advance requeues every member being deleted)
            _write_status(cluster, member, imcs.member_status(member, imcs.get(cluster, name)))
            return False
    return True


def _write_status(cluster: Any, member: dict[str, Any], fields: Mapping[str, Any]) -> None:
    """updateMemberClusterStatus as the hub agent, where anything changed; a 409 ignored (requeued)."""
    status = member.get("status") or {}
    if all(status.get(k) == v for k, v in fields.items()):
        return
    try:
        cluster.update_status_of(member, dict(fields))
    except ApiError as exc:
        if exc.reason != "Conflict":
            raise
