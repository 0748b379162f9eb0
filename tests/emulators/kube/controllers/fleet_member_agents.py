"""The member clusters in the KubeFleet hub simulator: a member joins (the member controller's
status and its member agent's heartbeat), its running agent renews that heartbeat, and the
scheduler's member watcher passes over the placements again on the member changes it reacts to
(fleet_member_watch). Each behaviour names its upstream file (kubefleet-dev/kubefleet e160c1cd)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from tests.emulators.kube.controllers.fleet_conditions import _cond, _conds, _now
from tests.emulators.kube.controllers.fleet_member_watch import reschedules

C1 = "cluster.kubernetes-fleet.io/v1"


def _hooks_changed(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> bool:
    """Whether the member's ``fleet.emulator/*`` annotations changed: they stand for what its work
    applier reports (Work status, which the work generator, rollout and placement controllers react
    to upstream), so the simulator passes over the placements again. No upstream field."""

    def hooks(obj: Mapping[str, Any] | None) -> dict[str, Any]:
        annotations = ((obj or {}).get("metadata") or {}).get("annotations") or {}
        return {k: v for k, v in annotations.items() if k.startswith("fleet.emulator/")}

    return old is not None and hooks(old) != hooks(new)


class MemberAgents:
    """Mixin of FleetHubController: the member controller, the member agents' heartbeats and the
    scheduler's member watcher."""

    agent_period: float | None
    _lock: threading.RLock
    _heartbeats: dict[str, str]
    _members_seen: dict[str, dict[str, Any]]
    replace_all: Callable[..., None]

    def attach(self, manager: Any) -> None:
        """With ``agent_period``: the running member agents' heartbeats every ``agent_period``
        seconds of wall clock, as each agent's Reconcile requeues after heartbeatPeriodSeconds
        (upstream: kubefleet-dev/kubefleet e160c1cd pkg/controllers/internalmembercluster/v1beta1/
        member_controller.go). Without it a member of a standalone emulator stops being eligible 5
        minutes after it joined (fleet_scheduler.ineligible); tests renew them with ``advance``."""
        period = self.agent_period
        if period is None:
            return

        def beat(cluster: Any) -> None:
            with self._lock:
                self._renew_heartbeats(cluster)
            manager.call_later(self, beat, period)

        manager.call_later(self, beat, period)

    def _renew_heartbeats(self, cluster: Any) -> None:
        """A running member agent sends its heartbeat every heartbeatPeriodSeconds (60 s by default;
        upstream: kubefleet-dev/kubefleet e160c1cd pkg/controllers/internalmembercluster/v1beta1/
        member_controller.go Reconcile requeues after it, updateMemberAgentHeartBeat), so after an
        advance its last heartbeat is recent: it is stamped with the clock's now. A member agent
        counts as running while the hub holds the heartbeat this simulator stamped last; a test
        stops it by writing another lastReceivedHeartbeat, which then stays and ages on the clock."""
        for member in cluster.list(C1, "MemberCluster"):
            name = member["metadata"]["name"]
            agents = (member.get("status") or {}).get("agentStatus") or []
            agent = next((a for a in agents if a.get("type") == "MemberAgent"), None)
            if agent is None or agent.get("lastReceivedHeartbeat") != self._heartbeats.get(name):
                continue
            beat = _now()
            self._heartbeats[name] = beat
            renewed = [{**a, "lastReceivedHeartbeat": beat} if a is agent else a for a in agents]
            cluster.patch_status(C1, "MemberCluster", None, name, {"agentStatus": renewed})
            if name in self._members_seen:  # the watcher sees the renewal (advance passes over every placement)
                self._members_seen[name] = cluster.get(C1, "MemberCluster", None, name) or member

    def _member_changed(self, cluster: Any, member: dict[str, Any]) -> None:
        """The member controller's join, then the scheduler's member watcher, which passes over
        the placements again only on some updates (fleet_member_watch): the update from the member
        as it saw it last, then the join's own status update (upstream, another controller's
        write, which the watcher sees as an update: a create is ignored, joining makes it eligible)."""
        name = member["metadata"]["name"]
        self._member_status(cluster, member)
        now = cluster.get(C1, "MemberCluster", None, name) or member
        old = self._members_seen.get(name)
        self._members_seen[name] = now
        if reschedules(old, member) or (now is not member and reschedules(member, now)):
            self.replace_all(cluster, classify=True, scheduling=True)
        elif _hooks_changed(old, now):
            self.replace_all(cluster)

    def _member_status(self, cluster: Any, member: dict[str, Any]) -> None:
        """A member joins once: the hub's conditions, and the member agent's status as the hub copies
        it from the InternalMemberCluster (pkg/controllers/membercluster/v1beta1/
        membercluster_controller.go syncInternalMemberClusterStatus): Joined and Healthy True
        (pkg/controllers/internalmembercluster/v1beta1/member_controller.go
        markInternalMemberClusterJoined, markInternalMemberClusterHealthy) and its heartbeat
        (updateMemberAgentHeartBeat). The heartbeat is renewed when a test moves the clock on
        (``advance``, ``_renew_heartbeats``); a test that stops the member agent writes an old
        lastReceivedHeartbeat, and the scheduler treats the member as disconnected once it is older
        than 5 minutes on the simulator's clock (fleet_scheduler.ineligible)."""
        conds = _conds(member.get("status") or {})
        if conds.get("Joined", {}).get("status") == "True":
            return
        beat = _now()
        self._heartbeats[member["metadata"]["name"]] = beat
        agent = {
            "type": "MemberAgent",
            "conditions": [
                _cond("Joined", True, "InternalMemberClusterJoined"),
                _cond("Healthy", True, "InternalMemberClusterHealthy"),
            ],
            "lastReceivedHeartbeat": beat,
        }
        cluster.patch_status(
            C1,
            "MemberCluster",
            None,
            member["metadata"]["name"],
            {
                "conditions": [
                    _cond("ReadyToJoin", True, "MemberClusterReadyToJoin"),
                    _cond("Joined", True, "MemberClusterJoined"),
                ],
                "agentStatus": [agent],
            },
        )
