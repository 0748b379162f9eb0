"""Whether the KubeFleet scheduler counts a member cluster as eligible, and why not, read from its
MemberCluster on the hub.

upstream: kubefleet-dev/kubefleet e160c1cd pkg/scheduler/clustereligibilitychecker/checker.go
IsEligible (its reasons, word for word, and its default 5-minute heartbeat and health timeouts).
The member agent's status is the hub's copy of the InternalMemberCluster's
(apis/cluster/v1beta1/commons.go AgentStatus: type MemberAgent, conditions Joined and Healthy,
lastReceivedHeartbeat; pkg/controllers/internalmembercluster/v1beta1/member_controller.go renews
the heartbeat every heartbeatPeriodSeconds, 60 by default). An ineligible member keeps what is
placed on it already (the scheduler does not deselect it: pkg/scheduler/watchers/membercluster/
watcher.go), but gets nothing new, and what it reports stops reaching the hub.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from akscli import timestamps
from akscli.fleet import CLUSTER_V1, MEMBER

if TYPE_CHECKING:
    from akscli.kube.client import Kube

HEARTBEAT_TIMEOUT = timedelta(minutes=5)
HEALTH_TIMEOUT = timedelta(minutes=5)
NOT_CONNECTED = "cluster is not connected to the fleet: "


def not_eligible(
    member: Mapping[str, Any], now: datetime | None = None, heartbeat_timeout: timedelta = HEARTBEAT_TIMEOUT
) -> str | None:
    """IsEligible's reason when ``member`` is not eligible, else None."""
    if (member.get("metadata") or {}).get("deletionTimestamp"):
        return "cluster has left the fleet"
    agents = (member.get("status") or {}).get("agentStatus") or []
    agent = next((a for a in agents if isinstance(a, Mapping) and a.get("type") == "MemberAgent"), None)
    if agent is None:
        return NOT_CONNECTED + "member agent not online yet"
    now = now or datetime.now(UTC)
    beat = timestamps.parse(agent.get("lastReceivedHeartbeat"))
    if beat is None or now - beat > heartbeat_timeout:
        ago = f"{(now - beat).total_seconds() / 60:.2f} minutes ago" if beat else "never"
        return NOT_CONNECTED + f"no recent heartbeat signals (last received {ago})"
    conds = {c.get("type"): c for c in agent.get("conditions") or [] if isinstance(c, Mapping)}
    if (conds.get("Joined") or {}).get("status") != "True":
        return NOT_CONNECTED + "member agent not joined yet"
    healthy = conds.get("Healthy")
    if healthy is None:
        return NOT_CONNECTED + "health condition from member agent is not available"
    changed = timestamps.parse(healthy.get("lastTransitionTime"))
    if healthy.get("status") != "True" and changed is not None and now - changed > HEALTH_TIMEOUT:
        minutes = (now - changed).total_seconds() / 60
        return NOT_CONNECTED + f"unhealthy for a prolonged period of time (last transitioned {minutes:.2f} minutes ago)"
    return None


def what_to_check(member: str) -> str:
    """Where to look for a member the scheduler does not count as eligible."""
    return (
        f"see kubectl describe membercluster {member} (Member-Agent-Last-Seen), and on the member cluster "
        "the member agent: kubectl -n fleet-system get pods"
    )


def ineligible_members(kube: Kube, names: list[str]) -> dict[str, str]:
    """The members among ``names`` that are not eligible, each with its reason (names that are no
    member skipped). One list of the hub's MemberClusters, in pages of 500, rather than a GET each."""
    return ineligible_of(members_named(kube, names))


def members_named(kube: Kube, names: list[str]) -> dict[str, dict[str, Any]]:
    """The hub's MemberClusters among ``names``, by name, from one list (none read where ``names``
    is empty)."""
    if not names:
        return {}
    listed = {str((m.get("metadata") or {}).get("name")): m for m in kube.list(CLUSTER_V1, MEMBER)}
    return {name: listed[name] for name in names if name in listed}


def ineligible_of(members: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """Of ``members`` (by name), those not eligible, each with its reason (not_eligible)."""
    now = datetime.now(UTC)
    found = {}
    for name, member in members.items():
        reason = not_eligible(member, now)
        if reason:
            found[name] = reason
    return found


def placed_on_warning(kube: Kube, name: str) -> str | None:
    """Why the scheduler gives the member ``name`` nothing new even uncordoned, read from its
    MemberCluster: a member agent that stopped heartbeating stays Joined True on the hub (the hub's
    member cluster controller writes only on the member's spec changes and its InternalMemberCluster's
    updates: kubefleet-dev/kubefleet e160c1cd pkg/controllers/membercluster/v1beta1/
    membercluster_controller.go SetupWithManager), so only the eligibility check shows it. None
    where the member is eligible, or gone."""
    member = kube.get(CLUSTER_V1, MEMBER, name)
    reason = not_eligible(member) if member is not None else None
    if reason is None:
        return None
    return f"the scheduler places nothing new on member cluster {name}: {reason}; {what_to_check(name)}"
