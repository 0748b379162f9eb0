"""A fleet's update-run gates through ARM: the Pending ones (filtered by ARM), those of a run to
approve (waiting, with approve --wait, for a run still upgrading its members before its gate), the
PATCH that completes one (as az fleet gate approve) and the wait for the run's next gate. The calls
go through armclient.FleetScope; the gates' rows and states are arm_run_status's.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from akscli.errors import NotFoundError
from akscli.fleet.arm_run_status import gate_row, pending_gates, run_state, wait_for_gate
from akscli.fleet.armclient import GATE, UPDATE_RUN, FleetScope, model


def pending_in_fleet(scope: FleetScope) -> Iterator[dict[str, Any]]:
    """The fleet's Pending gates, page by page, filtered by ARM (``$filter=state eq Pending``, as
    ``az fleet gate list --state Pending`` asks: Azure/azure-cli-extensions
    src/fleet/azext_fleet/custom.py): gates stay until their run is deleted, so the fleet-wide
    list only grows."""
    gates = scope.arm.client.gates
    return scope.arm.stream(
        f"listing pending gates of fleet {scope.fleet}",
        lambda: gates.list_by_fleet(scope.group, scope.fleet, filter="state eq Pending"),
    )


def to_approve(
    scope: FleetScope, run: str, stage: str | None, gate: str | None, wait: float | None = None
) -> list[dict[str, Any]]:
    """The pending gates of ``run`` (of ``stage``, or the one named ``gate``) to complete;
    NotFoundError when there are none. With ``wait`` (approve --wait's seconds), a run still
    going (Running, or Pending at a stage's wait) is polled until it reaches such a gate, as
    wait_for_gate polls for the next one; [] when it ends first."""

    def matching() -> list[dict[str, Any]]:
        gates = pending_gates(list(pending_in_fleet(scope)), run, stage)
        return [g for g in gates if not gate or g.get("name") == gate]

    pending = matching()
    if not pending:
        # A run that does not exist is not found as such (the GET's own error), not "no pending gate";
        # one that does says its state (NotStarted: nothing is pending until it starts).
        state = run_state(scope.get(UPDATE_RUN, run))
        if wait is not None and state in ("Running", "Pending"):
            # Right after `rollout create --start` the members upgrade before the run reaches its
            # gate: a gate is a Gate resource Fleet creates then (fleets.json 2026-06-01 Gate,
            # GateState Pending), polled as az fleet gate list --state Pending lists them.
            return wait_for_gate(matching, lambda: scope.get(UPDATE_RUN, run), run, set(), wait, where=scope.where)[1]
        raise NotFoundError(
            f"update run {run!r} ({state}) has no pending gate"
            + (f" {gate}" if gate else "")
            + (f" in stage {stage}" if stage else ""),
            hint=f"start it with: akscli fleet rollout start {run}{scope.where}"
            if state == "NotStarted"
            else f"see its gates with: akscli fleet rollout status {run}{scope.where}",
        )
    return pending


def complete(scope: FleetScope, name: str, run: str) -> None:
    """Approve one gate of ``run`` (a PATCH to Completed, as az fleet gate approve)."""
    completed = model(GATE.model, {"properties": {"state": "Completed"}})
    gates = scope.arm.client.gates
    scope.arm.wait(
        f"approving gate {name}",
        lambda: gates.begin_update(scope.group, scope.fleet, name, completed),
        scope.follow(GATE, run),
    )


def wait_for_next(
    scope: FleetScope, run: str, answered: Iterable[str], timeout: float
) -> tuple[str, list[dict[str, Any]]]:
    return wait_for_gate(
        lambda: list(pending_in_fleet(scope)),
        lambda: scope.get(UPDATE_RUN, run),
        run,
        set(answered),
        timeout,
        where=scope.where,
    )


def gate_label(gate: Mapping[str, Any]) -> str:
    """``NAME (Before stage S group G)`` for messages."""
    row = gate_row(gate)
    return (
        f"{row['name']} ({row['timing']} stage {row['stage']}"
        + (f" group {row['group']}" if row["group"] else "")
        + ")"
    )
