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
  A member agent that stopped writes nothing: the member waits for the force delete.
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


def agent_leaves(cluster: Any, name: str) -> None:
    """The member agent's Reconcile of its IMC in state Leave (module docstring), as memberagent."""
    ns = imcs.namespace_of(name)
    for work in cluster.list(P1, "Work", ns):
        finalizers = list((work.get("metadata") or {}).get("finalizers") or [])
        if WORK_FINALIZER in finalizers:
            kept = [f for f in finalizers if f != WORK_FINALIZER]
            cluster.update_of({**work, "metadata": {**work["metadata"], "finalizers": kept}}, imcs.MEMBER_AGENT)
    imc = imcs.get(cluster, name)
    if imc is None or (imc.get("spec") or {}).get("state") != "Leave":
        return
    generation = int((imc.get("metadata") or {}).get("generation") or 1)
    status = imc.get("status") or {}
    agents = [dict(a) for a in status.get("agentStatus") or []]
    found = next((a for a in agents if a.get("type") == "MemberAgent"), None)
    if found is None:
        found = {"type": "MemberAgent"}
        agents.append(found)
    left = _cond("Joined", False, "InternalMemberClusterLeft", "", generation)
    found["conditions"] = set_cond(list(found.get("conditions") or []), left)
    if agents != status.get("agentStatus"):
        cluster.update_status_of(imc, {"agentStatus": agents}, imcs.MEMBER_AGENT)


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
        agent_leaves(cluster, name)
        member = cluster.get(C1, "MemberCluster", None, name) or member
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
