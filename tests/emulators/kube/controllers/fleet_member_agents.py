"""The member clusters in the KubeFleet hub simulator: a member joins (the member controller's
status and its member agent's heartbeat), its running agent renews that heartbeat, and the
scheduler's member watcher passes over the placements again on the member changes it reacts to
(fleet_member_watch). Each behaviour names its upstream file (kubefleet-dev/kubefleet e160c1cd)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from tests.emulators.kube.controllers import fleet_internal_members as imcs
from tests.emulators.kube.controllers import fleet_member_leave as leave
from tests.emulators.kube.controllers.fleet_conditions import _conds, _now
from tests.emulators.kube.controllers.fleet_member_watch import reschedules
from tests.emulators.kube.status import ApiError

C1 = "cluster.kubernetes-fleet.io/v1"


def _member_agent(member: Mapping[str, Any]) -> dict[str, Any] | None:
    agents = (member.get("status") or {}).get("agentStatus") or []
    return next((a for a in agents if a.get("type") == "MemberAgent"), None)


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
    _reported: dict[str, dict[str, Any]]
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
            if member["metadata"].get("deletionTimestamp"):
                # a member leaving: its agent's Reconcile in state Leave sends no heartbeat; the hub
                # requeued it after ForceDeleteWaitTime (fleet_member_leave)
                self.requeue(member, self.delay)
                continue
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
        """The hub's member cluster controller's reconcile and the member agent's report, through the
        member's InternalMemberCluster (fleet_internal_members; upstream: kubefleet-dev/kubefleet
        e160c1cd pkg/controllers/membercluster/v1beta1/membercluster_controller.go Reconcile, and
        pkg/controllers/internalmembercluster/v1beta1/member_controller.go Reconcile):
        - the hub's join: the member's namespace and IMC; on the pass that creates the IMC the hub
          had read none, so it writes ReadyToJoin only;
        - the member agent's Status().Update of the IMC: its heartbeat when it runs (``runs``),
          Joined and Healthy; a member agent that stopped, or one a test seeded, reports nothing
          new (what a test wrote on the member stands for its report);
        - the hub's pass the IMC's update starts (the controller Owns InternalMemberCluster):
          syncInternalMemberClusterStatus of it onto the member as read, then
          updateMemberClusterStatus: Status().Update, retried only on ServiceUnavailable,
          ServerTimeout and TooManyRequests, so a 409 is raised (the reconcile's error: the runner
          requeues it with a fresh read). Nothing is sent where nothing changed (an update that
          changes nothing keeps the resourceVersion, so a watcher sees no event)."""
        name = member["metadata"]["name"]
        if imcs.join(cluster, member) is None:
            member = self._hub_write(cluster, member, None)
        imc = imcs.report(cluster, member, self._reported.get(name), self._heartbeats[name] if runs else None)
        self._hub_write(cluster, member, imc)
        self._copied[name] = self._heartbeats.get(name) if runs else None

    def _hub_write(self, cluster: Any, member: Mapping[str, Any], imc: Mapping[str, Any] | None) -> dict[str, Any]:
        """syncInternalMemberClusterStatus of ``imc`` and updateMemberClusterStatus (above): the
        member as written, or as read where nothing changed."""
        fields = imcs.member_status(member, imc)
        status = member.get("status") or {}
        obj = dict(member)
        if not all(status.get(k) == v for k, v in fields.items()):
            cluster.update_status_of(obj, fields)
        if imc is not None:
            self._reported[member["metadata"]["name"]] = {k: fields.get(k) for k in imcs.REPORTED}
        return obj

    def _member_gone(self, name: str) -> None:
        """The MemberCluster is gone (it left, fleet_member_leave): its member agent has stopped, and
        a member created again under its name joins anew (a new IMC, a new agent's first heartbeat;
        upstream: kubefleet-dev/kubefleet e160c1cd membercluster_controller.go join)."""
        for seen in (self._members_seen, self._heartbeats, self._copied, self._reported):
            seen.pop(name, None)

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
        if (member.get("metadata") or {}).get("deletionTimestamp"):
            runs = self._agent_runs(member)
            if imcs.get(cluster, name) is not None and not runs:
                # what a test wrote on the member stands for the agent's last report (a stopped
                # agent's old heartbeat): on the IMC first, which handleDelete copies back
                imcs.report(cluster, member, self._reported.get(name), None)
            if leave.handle_delete(cluster, member, runs):
                self.requeue(member, self.delay)
            return
        member = leave.ensure_finalizer(cluster, member)
        # upstream: kubefleet-dev/kubefleet pkg/controllers/membercluster/v1beta1/membercluster_controller.go
        # Reconcile: ensureFinalizer, then ensureMemberNameLabel, then the join.
        member = leave.ensure_member_name_label(cluster, member)
        joined = _conds(member.get("status") or {}).get("Joined") or {}
        if joined.get("status") != "True" and name not in self._heartbeats:
            self._heartbeats[name] = _now()  # it joins: its member agent starts
        # A member joined as a test seeded it has no member agent of the simulator's: the hub's pass
        # on a spec change finds an IMC with no agent status (aggregateJoinedCondition: Unknown).
        runs = self._agent_runs(member)
        pending = runs and self._copied.get(name) != self._heartbeats[name]  # a heartbeat's write was 409
        if pending or joined.get("observedGeneration") != _generation(member):
            self._write_member(cluster, member, runs)
