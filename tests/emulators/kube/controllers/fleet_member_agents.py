"""The member clusters in the KubeFleet hub simulator: a member joins (the member controller's
status and its member agent's heartbeat), its running agent renews that heartbeat, and the
scheduler's member watcher passes over the placements again on the member changes it reacts to
(fleet_member_watch). Each behaviour names its upstream file (kubefleet-dev/kubefleet e160c1cd)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from tests.emulators.kube.controllers.fleet_conditions import _cond, _conds, _now, set_cond
from tests.emulators.kube.controllers.fleet_member_watch import reschedules
from tests.emulators.kube.status import ApiError

C1 = "cluster.kubernetes-fleet.io/v1"
# membercluster_controller.go markMemberClusterReadyToJoin, markMemberClusterJoined
READY = "Member cluster is ready to join the fleet"
JOINED = "Member cluster has successfully joined the fleet"


def _member_agent(member: Mapping[str, Any]) -> dict[str, Any] | None:
    agents = (member.get("status") or {}).get("agentStatus") or []
    return next((a for a in agents if a.get("type") == "MemberAgent"), None)


def _hub_conditions(name: str, agents: list[dict[str, Any]], generation: int) -> list[dict[str, Any]]:
    """membercluster_controller.go join (markMemberClusterReadyToJoin), aggregateJoinedCondition,
    markMemberClusterJoined, markMemberClusterLeft, markMemberClusterUnknown."""
    agent = next((a for a in agents if a.get("type") == "MemberAgent"), None)
    joined = _conds(agent or {}).get("Joined")
    ready = _cond("ReadyToJoin", True, "MemberClusterReadyToJoin", READY, generation)
    if joined is not None and joined.get("status") == "True":
        return [ready, _cond("Joined", True, "MemberClusterJoined", JOINED, generation)]
    if joined is not None and joined.get("status") == "False":
        left = _cond("Joined", False, "MemberClusterLeft", "Member cluster has left the fleet", generation)
        not_ready = "Member cluster is not ready to join the fleet"
        return [ready, left, _cond("ReadyToJoin", False, "MemberClusterNotReadyToJoin", not_ready, generation)]
    unknown = (
        f"Member cluster {name} has not reported all the expected agents, expected 1, got 0"
        if agent is None
        else f"Member cluster {name} has not reported the join condition for agent MemberAgent"
    )
    return [ready, _cond("Joined", None, "MemberClusterJoinStateUnknown", unknown, generation)]


def _generation(member: Mapping[str, Any]) -> int:
    return int((member.get("metadata") or {}).get("generation") or 1)


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
    _copied: dict[str, str | None]
    delay: float
    requeue: Callable[..., None]
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
        stops it by writing another lastReceivedHeartbeat, which then stays and ages on the clock.
        The hub's member cluster controller copies it onto the MemberCluster (``_write_member``); a
        409 is the reconcile's error, requeued with a fresh read (``_member_status`` copies it then)."""
        for member in cluster.list(C1, "MemberCluster"):
            name = member["metadata"]["name"]
            if not self._agent_runs(member):
                continue
            self._heartbeats[name] = _now()
            try:
                self._write_member(cluster, member, runs=True)
            except ApiError as exc:
                if exc.reason != "Conflict":
                    raise
                self.requeue(member, self.delay)
                continue
            if name in self._members_seen:  # the watcher sees the renewal (advance passes over every placement)
                self._members_seen[name] = cluster.get(C1, "MemberCluster", None, name) or member

    def _agent_runs(self, member: Mapping[str, Any]) -> bool:
        """Whether the simulator's member agent of ``member`` runs: the hub holds a heartbeat it stamped
        (the last one, or the one the hub copied last where a 409 kept the newer from it: ``_copied``);
        a member with no member agent status yet is joining."""
        name = member["metadata"]["name"]
        agent = _member_agent(member)
        beat = None if agent is None else agent.get("lastReceivedHeartbeat")
        return name in self._heartbeats and beat in (self._heartbeats[name], self._copied.get(name))

    def _write_member(self, cluster: Any, member: Mapping[str, Any], runs: bool = True) -> None:
        """The hub's member cluster controller's status write (kubefleet-dev/kubefleet e160c1cd
        pkg/controllers/membercluster/v1beta1/membercluster_controller.go Reconcile), on the
        MemberCluster as it read it:
        - the member agent's status copied from its InternalMemberCluster, every condition given the
          member's generation (syncInternalMemberClusterStatus); a member agent that stopped (``runs``
          False) reported last what the MemberCluster holds;
        - ReadyToJoin, and Joined aggregated from the agent's Joined (aggregateJoinedCondition with
          the member agent alone, networking agents off: True joins, False leaves and is not ready
          to join, none or Unknown is Unknown), set by type for the member's generation
          (SetConditions: meta.SetStatusCondition, any other type kept);
        - updateMemberClusterStatus: Status().Update, retried only on ServiceUnavailable,
          ServerTimeout and TooManyRequests, so a 409 is raised (the reconcile's error: the runner
          requeues it with a fresh read). Nothing is sent where nothing changed (an update that
          changes nothing keeps the resourceVersion, so a watcher sees no event)."""
        name = member["metadata"]["name"]
        generation = _generation(member)
        status = member.get("status") or {}
        agents = list(status.get("agentStatus") or [])
        if runs:  # the simulator's member agent: its InternalMemberCluster's status
            imc = self._imc_agent(name, agents)
            kept = [imc if a.get("type") == "MemberAgent" else a for a in agents]
            agents = kept if imc in kept else [*agents, imc]
        agents = [
            {**a, "conditions": [{**c, "observedGeneration": generation} for c in a.get("conditions") or []]}
            for a in agents
        ]
        conditions = list(status.get("conditions") or [])
        for cond in _hub_conditions(name, agents, generation):
            conditions = set_cond(conditions, cond)
        fields = {"conditions": conditions, "agentStatus": agents}
        if all(status.get(k) == v for k, v in fields.items()):
            return
        cluster.update_status_of(dict(member), fields)
        self._copied[name] = self._heartbeats.get(name) if runs else None

    def _imc_agent(self, name: str, agents: list[dict[str, Any]]) -> dict[str, Any]:
        """The member agent's status on its InternalMemberCluster: what it reported last (the
        MemberCluster's copy; a test's write of it stands for the agent's report) with its latest
        heartbeat (updateMemberAgentHeartBeat); on joining, Joined and Healthy True
        (member_controller.go markInternalMemberClusterJoined, markInternalMemberClusterHealthy)."""
        found = next((a for a in agents if a.get("type") == "MemberAgent"), None)
        if found is not None and found.get("conditions"):
            return {**found, "lastReceivedHeartbeat": self._heartbeats[name]}
        conditions = [
            _cond("Joined", True, "InternalMemberClusterJoined"),
            _cond("Healthy", True, "InternalMemberClusterHealthy"),
        ]
        return {"type": "MemberAgent", "conditions": conditions, "lastReceivedHeartbeat": self._heartbeats[name]}

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
        """The member cluster controller's reconcile (``_write_member``). A member joins once: its
        member agent starts, its first heartbeat (updateMemberAgentHeartBeat) and Joined and Healthy
        True on its InternalMemberCluster, which the hub copies. A joined member is written again
        when its generation moved on (the controller watches MemberCluster spec changes:
        GenerationChangedPredicate) or a heartbeat's write was 409. The heartbeat is renewed when a
        test moves the clock on (``advance``, ``_renew_heartbeats``); a test that stops the member
        agent writes an old lastReceivedHeartbeat, and the scheduler treats the member as
        disconnected once it is older than 5 minutes on the simulator's clock
        (fleet_scheduler.ineligible)."""
        name = member["metadata"]["name"]
        joined = _conds(member.get("status") or {}).get("Joined") or {}
        if joined.get("status") != "True" and name not in self._heartbeats:
            self._heartbeats[name] = _now()  # it joins: its member agent starts
        elif name not in self._heartbeats:
            return  # joined as a test seeded it: no member agent of the simulator's reports for it
        runs = self._agent_runs(member)
        pending = runs and self._copied.get(name) != self._heartbeats[name]  # a heartbeat's write was 409
        if pending or joined.get("observedGeneration") != _generation(member):
            self._write_member(cluster, member, runs)
