"""An ARM update run's status read for people, and its approval gates (fleet 2026-06-01).

The run's stages -> groups -> members as table rows, its state and the gates it waits on, and the
polling that waits for the next gate (ARM has no watch). Moved out of ``fleet/arm.py``, which builds the
request bodies; everything here reads ARM's REST JSON shape (camelCase keys).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from akscli import timestamps
from akscli.errors import ObjectFailedError, WaitTimeoutError


def run_rows(run: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Stages -> groups -> members of an ARM update run, with gates and waits, as table rows."""
    status = (run.get("properties") or {}).get("status") or {}
    rows: list[dict[str, Any]] = []

    def gate_rows(stage: str, where: str, gates: Iterable[Mapping[str, Any]]) -> None:
        for gate in gates:
            state = ((gate.get("status") or {}).get("state")) or "NotStarted"
            rows.append(
                {
                    "stage": stage,
                    "group": where,
                    "member": f"(gate) {gate.get('displayName', '')}",
                    "state": state,
                    "detail": str(gate.get("gateId") or "").rsplit("/", 1)[-1],
                }
            )

    for stage in status.get("stages") or []:
        sname = str(stage.get("name"))
        rows.append(
            {
                "stage": sname,
                "group": "",
                "member": "",
                "state": (stage.get("status") or {}).get("state", "NotStarted"),
                "detail": _error(stage.get("status") or {}),
            }
        )
        gate_rows(sname, "", stage.get("beforeGates") or [])
        for group in stage.get("groups") or []:
            gname = str(group.get("name"))
            gate_rows(sname, gname, group.get("beforeGates") or [])
            for member in group.get("members") or []:
                mstatus = member.get("status") or {}
                rows.append(
                    {
                        "stage": sname,
                        "group": gname,
                        "member": str(member.get("name")),
                        "state": mstatus.get("state", "NotStarted"),
                        "detail": member.get("message") or _error(mstatus),
                    }
                )
            gate_rows(sname, gname, group.get("afterGates") or [])
        wait = stage.get("afterStageWaitStatus") or {}
        if wait:
            rows.append(
                {
                    "stage": sname,
                    "group": "",
                    "member": "(wait)",
                    "state": (wait.get("status") or {}).get("state", "NotStarted"),
                    "detail": wait_detail(wait),
                }
            )
        gate_rows(sname, "", stage.get("afterGates") or [])
    return rows


def wait_detail(wait: Mapping[str, Any], now: Callable[[], float] = time.time) -> str:
    """An after-stage wait (WaitStatus): its length, and while it runs the time left, counted from the
    wait's ``status.startTime`` (UpdateStageStatus.afterStageWaitStatus, fleet 2026-06-01)."""
    seconds = int(wait.get("waitDurationInSeconds") or 0)
    status = wait.get("status") or {}
    started = timestamps.epoch(status.get("startTime")) if status.get("state") == "Running" else None
    if started is None:
        return f"{seconds}s"
    return f"{seconds}s, {max(0, int(started + seconds - now()))}s left"


def waiting_gates(run: Mapping[str, Any]) -> list[str]:
    """The gates the run waits on, from its own status (a gate the run has reached carries its gateId and
    is Pending until approved: MicrosoftDocs/azure-aks-docs articles/kubernetes-fleet/
    update-strategies-gates-approvals.md), as ``NAME (Before stage S group G)``."""
    found = []
    for stage in ((run.get("properties") or {}).get("status") or {}).get("stages") or []:
        holders = [(stage, "")] + [(group, str(group.get("name"))) for group in stage.get("groups") or []]
        for holder, group in holders:
            for timing in ("Before", "After"):
                for gate in holder.get(f"{timing.lower()}Gates") or []:
                    if (gate.get("status") or {}).get("state") == "Pending" and gate.get("gateId"):
                        where = f"{timing} stage {stage.get('name')}" + (f" group {group}" if group else "")
                        found.append(f"{str(gate['gateId']).rsplit('/', 1)[-1]} ({where})")
    return found


def run_outcome(run: Mapping[str, Any]) -> str:
    """A run's state in words, naming the gates it waits on: ``Pending, waiting for approval of gate ...``."""
    state = run_state(run)
    gates = waiting_gates(run)
    return f"{state}, waiting for approval of gate " + ", ".join(gates) if gates else state


def _error(status: Mapping[str, Any]) -> str:
    error = status.get("error") or {}
    return str(error.get("message") or error.get("code") or "")


def run_state(run: Mapping[str, Any]) -> str:
    return str((((run.get("properties") or {}).get("status") or {}).get("status") or {}).get("state") or "NotStarted")


def run_row(run: Mapping[str, Any]) -> dict[str, Any]:
    """The row of ``fleet rollout list``'s table for an ARM update run (azopts.emit_resources)."""
    upgrade = ((run.get("properties") or {}).get("managedClusterUpdate") or {}).get("upgrade") or {}
    return {
        "name": run.get("name"),
        "state": run_state(run),
        "upgrade": upgrade.get("type"),
        "kubernetesVersion": upgrade.get("kubernetesVersion"),
    }


# ---- gates ------------------------------------------------------------------------------------


def gate_matches(gate: Mapping[str, Any], run: str | None, stage: str | None) -> bool:
    target = ((gate.get("properties") or {}).get("target") or {}).get("updateRunProperties") or {}
    if run is not None and target.get("name") != run:
        return False
    return stage is None or target.get("stage") == stage


def pending_gates(
    gates: Iterable[Mapping[str, Any]], run: str | None, stage: str | None = None
) -> list[dict[str, Any]]:
    return [
        dict(g) for g in gates if (g.get("properties") or {}).get("state") == "Pending" and gate_matches(g, run, stage)
    ]


def gate_row(gate: Mapping[str, Any]) -> dict[str, Any]:
    props = gate.get("properties") or {}
    target = (props.get("target") or {}).get("updateRunProperties") or {}
    return {
        "name": gate.get("name"),
        "displayName": props.get("displayName", ""),
        "run": target.get("name", ""),
        "stage": target.get("stage", ""),
        "group": target.get("group", ""),
        "timing": target.get("timing", ""),
        "state": props.get("state", ""),
    }


def wait_for_gate(
    list_gates: Callable[[], Iterable[Mapping[str, Any]]],
    get_run: Callable[[], Mapping[str, Any]],
    run: str,
    answered: set[str],
    timeout: float,
    interval: float = 5.0,
    sleep: Callable[[float], None] | None = None,
    where: str = "",
) -> tuple[str, list[dict[str, Any]]]:
    """Poll until a new gate of ``run`` is pending or the run ends (ARM has no watch); ``where`` is the
    ``--fleet F -g RG`` of the hint. A ``timeout`` of 0 reads the run and its gates once."""
    sleep, clock = _waits(sleep)
    deadline = clock() + timeout
    delay = min(interval, 1.0)
    while True:
        # The run first, then the gates: a gate the run reached by then is in the list that follows.
        state = run_state(get_run())
        fresh = [g for g in pending_gates(list_gates(), run) if g.get("name") not in answered]
        if fresh:
            return "gate", fresh
        if state in ("Completed", "Failed", "Stopped", "Skipped"):
            return ("done" if state == "Completed" else state.lower()), []
        if timeout == 0:  # the run and its gates read once: every wait's --timeout 0 (once_error)
            raise _once_error(run, f"no new gate; it is {state}")
        if clock() + delay > deadline:
            raise WaitTimeoutError(
                f"update run {run!r} reached no new gate within {int(timeout)}s",
                hint=f"see where it stands with: akscli fleet rollout status {run}{where}",
            )
        sleep(_jittered(delay, deadline - clock()))
        delay = min(interval, delay * 2)


def wait_for_run(
    get_run: Callable[[], Mapping[str, Any]],
    run: str,
    timeout: float,
    interval: float = 5.0,
    sleep: Callable[[float], None] | None = None,
    where: str = "",
) -> Mapping[str, Any]:
    """Poll an ARM update run until it is Completed (ARM has no watch), 1 s doubling to ``interval``
    between reads (each jittered, _jittered), as ``wait_for_gate``; each read is the ARM client's,
    whose retry policy honours Retry-After on a throttled read. Failed, Stopped or Skipped end it
    (exit 10), a run still going at ``timeout`` is exit 5, and a ``timeout`` of 0 reads it once; ``where``
    is the ``--fleet F -g RG`` of the hints."""
    sleep, clock = _waits(sleep)
    deadline = clock() + timeout
    delay = min(interval, 1.0)
    while True:
        current = get_run()
        state = run_state(current)
        if state == "Completed":
            return current
        if state in ("Failed", "Stopped", "Skipped"):
            detail = _error(((current.get("properties") or {}).get("status") or {}).get("status") or {})
            raise ObjectFailedError(
                f"update run {run!r} is {state}" + (f": {detail}" if detail else ""),
                hint=f"see its stages with: akscli fleet rollout status {run}{where}",
            )
        if timeout == 0:  # checked once, as every wait's --timeout 0 (kube/wait_report.py once_error)
            raise _once_error(run, run_outcome(current))
        if clock() + delay > deadline:
            raise WaitTimeoutError(
                f"timed out after {int(timeout)}s waiting for update run {run!r} ({run_outcome(current)})",
                hint=f"approve a gate it waits at (akscli fleet approve {run}{where}), or wait longer (--timeout)",
            )
        sleep(_jittered(delay, deadline - clock()))
        delay = min(interval, delay * 2)


def _once_error(run: str, state: str) -> WaitTimeoutError:
    """--timeout 0's end for an update run its one read found not there yet, as every wait's."""
    from akscli.kube.wait_report import once_error

    return once_error(f"update run {run!r}", state)


def _jittered(delay: float, left: float) -> float:
    """A poll's wait with the jitter of an ARM poll that got no Retry-After (armretry.POLL_JITTER, as
    azure/clusters.py and baremetal/clusters.py wait): scripts started together do not poll
    together; never past the deadline (``left`` seconds away)."""
    from akscli.azure import armretry

    return min(delay * armretry.uniform(*armretry.POLL_JITTER), max(0.0, left))


def _waits(sleep: Callable[[float], None] | None) -> tuple[Callable[[float], None], Callable[[], float]]:
    """How a poll waits and reads the time: the ARM retry policy's ``pause`` and ``clock``
    (akscli.azure.armretry), looked up at each call, so a test that records the policy's waits on the
    ARM emulator's clock has the poll's waits and deadline on that clock too; ``sleep``, when given,
    waits instead (and the clock is then the policy's, the wall clock outside tests)."""
    from akscli.azure import armretry

    return (sleep or armretry.pause), armretry.clock
