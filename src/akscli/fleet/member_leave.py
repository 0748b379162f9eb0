"""A member cluster leaving a KubeFleet hub: what the hub waits for once its MemberCluster is
deleted, read from the MemberCluster alone, and the wait until it is gone (`fleet member remove`
on the hub).

upstream: kubefleet-dev/kubefleet e160c1cd pkg/controllers/membercluster/v1beta1/
membercluster_controller.go handleDelete: the hub's finalizer kubernetes-fleet.io/membercluster-
finalizer (apis/placement/v1beta1/commons.go MemberClusterFinalizer) holds the MemberCluster; the
hub sets the member's InternalMemberCluster to Leave and copies the member agent's status onto the
MemberCluster; once the agent reports Left (pkg/controllers/internalmembercluster/v1beta1/
member_controller.go markInternalMemberClusterLeft), the MemberCluster's Joined is False, reason
MemberClusterLeft (markMemberClusterLeft), and the hub deletes the namespace fleet-member-NAME (its
Works and the InternalMemberCluster with it), then removes its finalizer. An agent that never
reports Left is waited for ForceDeleteWaitTime after the delete (cmd/hubagent/options/
clustermgmt.go force-delete-wait-time, 15m by default), then the hub deletes the namespace anyway.
An agent whose leave fails reports Joined Unknown, reason InternalMemberClusterFailedToLeave, with
the error (member_controller.go stopAgents), and the hub's Joined is Unknown until the force delete.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from akscli import printable
from akscli.errors import WaitTimeoutError
from akscli.fleet import CLUSTER_V1, MEMBER
from akscli.kube.client import Kube
from akscli.kube.deletion import UNBOUNDED, wait_gone

FINALIZER = "kubernetes-fleet.io/membercluster-finalizer"
# cmd/hubagent/options/clustermgmt.go: the hub agent's --force-delete-wait-time default
FORCE_DELETE_WAIT = timedelta(minutes=15)
# pkg/utils/common.go NamespaceNameFormat, RoleNameFormat, RoleBindingNameFormat
NAMESPACE_PREFIX = "fleet-member-"
ROLE_PREFIX = "fleet-role-"
ROLE_BINDING_PREFIX = "fleet-rolebinding-"
# pkg/controllers/internalmembercluster/v1beta1/member_controller.go
# EventReasonInternalMemberClusterFailedToLeave
FAILED_TO_LEAVE = "InternalMemberClusterFailedToLeave"


def _stamp(value: Any) -> datetime | None:
    try:
        return datetime.strptime(str(value), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def _joined(member: Mapping[str, Any]) -> Mapping[str, Any]:
    conditions = (member.get("status") or {}).get("conditions") or []
    return next((c for c in conditions if c.get("type") == "Joined"), {})


def _heartbeat(member: Mapping[str, Any], now: datetime) -> str:
    agents = (member.get("status") or {}).get("agentStatus") or []
    agent: Mapping[str, Any] = next((a for a in agents if a.get("type") == "MemberAgent"), {})
    beat = _stamp(agent.get("lastReceivedHeartbeat"))
    if beat is None:
        return "no heartbeat received"
    return f"last heartbeat {max(0.0, (now - beat).total_seconds()) / 60:.0f} minutes ago"


def _agent_joined(member: Mapping[str, Any]) -> Mapping[str, Any]:
    agents = (member.get("status") or {}).get("agentStatus") or []
    agent: Mapping[str, Any] = next((a for a in agents if a.get("type") == "MemberAgent"), {})
    return next((c for c in agent.get("conditions") or [] if c.get("type") == "Joined"), {})


def _leave_failed(member: Mapping[str, Any], name: str) -> str | None:
    """The member agent's failed leave in words, with what to fix, or None: its Joined Unknown, reason
    InternalMemberClusterFailedToLeave, the work applier's error as the message (member_controller.go
    stopAgents, markInternalMemberClusterLeaveFailed; pkg/controllers/workapplier/controller.go
    Leave: it lists the member's Works and removes kubernetes-fleet.io/work-cleanup from each), which
    the hub copies onto the MemberCluster's agentStatus. The agent retries on its own."""
    joined = _agent_joined(member)
    if joined.get("reason") != FAILED_TO_LEAVE:
        return None
    namespace = NAMESPACE_PREFIX + name
    error = printable.visible(str(joined.get("message") or "no error given")).rstrip(".")
    if "is forbidden" in error:
        fix = (
            f"the member's identity needs the hub's role {ROLE_PREFIX}{name} and role binding "
            f"{ROLE_BINDING_PREFIX}{name} in namespace {namespace}, which the hub made as it joined: "
            f"kubectl -n {namespace} get role,rolebinding -o yaml"
        )
    else:
        fix = f"fix that on the hub (namespace {namespace})"
    return f"the member agent failed to leave ({FAILED_TO_LEAVE}: {error}); {fix}, and the agent retries"


def leave_step(member: Mapping[str, Any], now: datetime | None = None) -> str:
    """What the deleted ``member`` still waits for, in words: the member agent's Left, the hub's
    deletion of the member's namespace, or finalizers that are not the hub's."""
    now = now or datetime.now(UTC)
    meta = member.get("metadata") or {}
    name = str(meta.get("name"))
    finalizers = [str(f) for f in meta.get("finalizers") or []]
    others = [f for f in finalizers if f != FINALIZER]
    if FINALIZER not in finalizers:
        if others:
            return f"the hub has finished; held by finalizer(s) {', '.join(others)}, which the hub does not remove"
        return "the API server is removing it"
    joined = _joined(member)
    namespace = NAMESPACE_PREFIX + name
    if joined.get("status") == "False" and joined.get("reason") == "MemberClusterLeft":
        return f"its member agent reported Left; the hub is deleting namespace {namespace} (its Works with it)"
    failed = _leave_failed(member, name)
    deleted = _stamp(meta.get("deletionTimestamp"))
    force = ""
    if deleted is not None:
        at = deleted + FORCE_DELETE_WAIT
        force = (
            f"; the hub removes it without the agent at {at.strftime('%Y-%m-%dT%H:%M:%SZ')} "
            f"({FORCE_DELETE_WAIT.seconds // 60}m after the delete, the hub agent's --force-delete-wait-time default)"
        )
    if failed is not None:
        return failed + force
    return (
        f"the member agent has not reported Left on its InternalMemberCluster ({_heartbeat(member, now)}; "
        f"check it on the member cluster: kubectl -n fleet-system get pods){force}"
    )


def wait_left(
    kube: Kube, name: str, uid: str | None, timeout: float, tell: Callable[[str], None] | None = None
) -> None:
    """Return once the MemberCluster ``name`` (of ``uid``) is gone; ``tell`` hears each new step
    (leave_step). A list or watch the server refuses is followed by a GET every second. Raises
    WaitTimeoutError (exit 5) naming the step it stopped at."""
    limit = UNBOUNDED if timeout == 0 else timeout
    deadline = time.monotonic() + limit
    member = {"apiVersion": CLUSTER_V1, "kind": MEMBER, "metadata": {"name": name, "uid": uid}}
    last = wait_gone(
        kube,
        member,
        deadline,
        tell or (lambda _message: None),
        lambda seen: f"waiting for member cluster {name} to leave the fleet: {leave_step(seen)}",
    )
    if last is not None:
        raise WaitTimeoutError(
            f"member cluster {name} has not left the fleet within {limit:g}s: {leave_step(last)}",
            hint=f"kubectl describe membercluster {name}; --timeout waits longer, --no-wait returns once "
            "the delete is accepted",
        )


def read_member(kube: Kube, name: str) -> dict[str, Any]:
    """The hub's MemberCluster ``name``, or NotFoundError (exit 3) saying how to list them."""
    from akscli.errors import NotFoundError

    member = kube.get(CLUSTER_V1, MEMBER, name)
    if member is None:
        raise NotFoundError(
            f"member cluster {name!r} is not joined to this hub",
            hint="list the hub's members with: kubectl get memberclusters",
        )
    return member


def leaving(members: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """Of ``members`` (by name), those being deleted, each with what its leave waits for (leave_step)."""
    now = datetime.now(UTC)
    return {
        name: leave_step(member, now)
        for name, member in members.items()
        if (member.get("metadata") or {}).get("deletionTimestamp")
    }
