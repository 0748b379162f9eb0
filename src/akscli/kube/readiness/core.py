"""The one wait rule, and the pieces a kind's readiness rule is built from.

An object is **ready** only when

1. its controller has observed the object's current ``metadata.generation`` -- through
   ``status.observedGeneration`` or through each condition's ``observedGeneration``, whichever
   the kind publishes (``Generation``); a status written for an earlier generation is stale and
   never counts, neither as ready nor as failed; and
2. the kind's readiness conditions hold (``ConditionRule.ready``, or a rule's own test).

An object has **failed** as soon as a condition that its controller treats as terminal holds
(``Terminal``): the wait ends at once with the condition's reason and message and, where the
rule can tell, the member cluster or child object that failed (``Readiness.culprit``).

How a kind adds its rule
------------------------
Write the rule in the module of its operator (``readiness/fleet.py``, ``kuberay.py``,
``kaito.py``, ``builtin.py``) and add it to that module's ``RULES`` table, keyed by
``(API group, kind)``. Most kinds need only a ``ConditionRule``::

    ("example.io", "Widget"): ConditionRule(
        upstream="example-org/widget-operator pkg/controller/widget_controller.go",
        generation=Generation.CONDITIONS,
        ready=("Ready",),
        terminal=(Terminal("Ready", reasons=("ImagePullFailed",)),),
    ),

``upstream`` names the file (repository and path) whose behaviour the rule follows: the place
that writes the conditions and decides which of them are final. A kind whose status does not
fit conditions writes a function ``(obj) -> Readiness`` that starts with
``stale(obj, Generation.STATUS)`` and cites its upstream file in the docstring. A kind with no
generation tracking says so with ``Generation.NONE`` (and why, in a comment).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Readiness:
    """A rule's verdict on one object."""

    ready: bool
    failed: bool = False
    message: str = ""
    # The controller's reason for a failure (e.g. ApplyFailed, UpdateRunStuck).
    reason: str = ""
    # What failed inside the object: a member cluster, a child object ("member aks-east: ...").
    culprit: str = ""
    # Ready, with something the user should know (KAITO's failed benchmark on a serving model).
    warning: str = ""
    # What the user can do about a failure or a wait that never ends (the error's hint).
    fix: str = ""
    # Final for a wait, yet not a failure: the object waits for the user (a suspended RayJob). The
    # wait ends as a state that forbids it (exit 4), not as a failed object (10); ``message``
    # completes "<object> is ...".
    held: bool = False


Rule = Callable[[Mapping[str, Any]], Readiness]
READY = Readiness(True)


class Generation(enum.Enum):
    """Where a kind's controller says which generation its status describes."""

    STATUS = "status.observedGeneration"
    CONDITIONS = "each condition's observedGeneration"
    # Whichever the object publishes (for kinds without a rule of their own).
    AUTO = "status.observedGeneration or the conditions' observedGeneration, when published"
    # The controller publishes no generation: the status is taken as current.
    NONE = "not tracked by the controller"


def status_of(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    status = obj.get("status")
    return status if isinstance(status, Mapping) else {}


def conditions(obj: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """The object's conditions by type (``status.conditions``)."""
    return {str(c.get("type")): c for c in status_of(obj).get("conditions") or [] if isinstance(c, Mapping)}


def generation_of(obj: Mapping[str, Any]) -> int | None:
    value = (obj.get("metadata") or {}).get("generation")
    return int(value) if isinstance(value, int | str) and str(value).isdigit() else None


def _as_int(value: Any) -> int | None:
    return int(value) if isinstance(value, int | str) and str(value).isdigit() else None


def describe(cond: Mapping[str, Any]) -> str:
    """``Type=Status (Reason): message``, as kubectl describe shows a condition."""
    text = f"{cond.get('type')}={cond.get('status')}"
    if cond.get("reason"):
        text += f" ({cond['reason']})"
    if cond.get("message"):
        text += f": {cond['message']}"
    return text


def stale(obj: Mapping[str, Any], tracking: Generation) -> Readiness | None:
    """A not-ready verdict while the controller has not observed the current generation."""
    want = generation_of(obj)
    if want is None or tracking in (Generation.NONE, Generation.CONDITIONS):
        return None
    seen = _as_int(status_of(obj).get("observedGeneration"))
    if seen is None and tracking is Generation.AUTO:
        return None
    if seen is None or seen < want:
        return Readiness(
            False,
            message=f"waiting for the controller to observe generation {want} (status is from {seen or 'none'})",
        )
    return None


def current_conditions(obj: Mapping[str, Any], tracking: Generation) -> dict[str, Mapping[str, Any]]:
    """The conditions that describe the current generation; stale ones are left out.

    With ``Generation.CONDITIONS`` a condition counts only when its ``observedGeneration``
    equals ``metadata.generation`` (KubeFleet's ``IsConditionStatusTrue/False``,
    kubefleet-dev/kubefleet pkg/utils/condition/condition.go). With ``AUTO`` a condition that
    carries no ``observedGeneration`` counts.
    """
    conds = conditions(obj)
    want = generation_of(obj)
    if want is None or tracking not in (Generation.CONDITIONS, Generation.AUTO):
        return conds
    current = {}
    for ctype, cond in conds.items():
        seen = _as_int(cond.get("observedGeneration"))
        if seen == want or (seen is None and tracking is Generation.AUTO):
            current[ctype] = cond
    return current


@dataclass(frozen=True)
class Terminal:
    """A condition state the kind's controller never leaves on its own: the wait fails at once.

    ``reasons`` empty means any reason (with ``status``) is terminal.
    """

    condition: str
    status: str = "False"
    reasons: tuple[str, ...] = ()

    def matches(self, cond: Mapping[str, Any] | None) -> bool:
        if cond is None or cond.get("status") != self.status:
            return False
        return not self.reasons or cond.get("reason") in self.reasons


Culprit = Callable[[Mapping[str, Any], Mapping[str, Any]], str]


@dataclass(frozen=True)
class ConditionRule:
    """Ready when the current generation is observed and every ``ready`` condition is True.

    ``terminal`` conditions (of the current generation) fail the wait at once; ``culprit``,
    given the object and the failing condition, names what failed inside the object.
    """

    upstream: str
    generation: Generation
    ready: tuple[str, ...]
    terminal: tuple[Terminal, ...] = ()
    culprit: Culprit | None = field(default=None, compare=False)

    def __call__(self, obj: Mapping[str, Any]) -> Readiness:
        waiting = stale(obj, self.generation)
        if waiting is not None:
            return waiting
        conds = current_conditions(obj, self.generation)
        failure = self.failure(obj, conds)
        if failure is not None:
            return failure
        for name in self.ready:
            cond = conds.get(name)
            if cond is None:
                return Readiness(False, message=self._missing(obj, name))
            if cond.get("status") != "True":
                return Readiness(False, message=describe(cond))
        return READY

    def failure(self, obj: Mapping[str, Any], conds: Mapping[str, Mapping[str, Any]]) -> Readiness | None:
        for terminal in self.terminal:
            cond = conds.get(terminal.condition)
            if terminal.matches(cond):
                assert cond is not None
                culprit = self.culprit(obj, cond) if self.culprit else ""
                return Readiness(False, True, describe(cond), str(cond.get("reason") or ""), culprit)
        return None

    def _missing(self, obj: Mapping[str, Any], name: str) -> str:
        stale_cond = conditions(obj).get(name)
        if stale_cond is not None:
            return (
                f"waiting for condition {name} of generation {generation_of(obj)} "
                f"(the controller's last one is from generation {stale_cond.get('observedGeneration')})"
            )
        return f"waiting for condition {name}"


def any_condition(*types: str, generation: Generation = Generation.AUTO, upstream: str = "") -> Rule:
    """Ready when the first of ``types`` that the object has is True (for kinds without a rule)."""

    def rule(obj: Mapping[str, Any]) -> Readiness:
        conds = conditions(obj)
        for name in types:
            if name in conds:
                return ConditionRule(upstream=upstream, generation=generation, ready=(name,))(obj)
        waiting = stale(obj, generation)
        return waiting or READY

    return rule
