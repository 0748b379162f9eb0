"""The command's --timeout as the bound of its ARM retries (armretry reads it, azopts sets it).

Its own module, with no Azure SDK import, so that a command's flags can name their deadline
before any input is checked without loading azure-core (tests/foundation/test_validation_first.py).
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Protocol


class Bound(Protocol):
    """What the retries read of a command's --timeout (arm.Deadline)."""

    def left(self) -> float: ...

    def text(self) -> str: ...


# The --timeout of the command running in this context (None: no bound but the retries' own).
_BOUND: ContextVar[Bound | None] = ContextVar("akscli_arm_bound", default=None)


def bound_by(deadline: Bound | None) -> None:
    """From now on this command's ARM retries wait no longer than ``deadline`` leaves (None: forget
    it; run_common.cleanup does at the end of every run). Its clock starts at the first wait, a
    retry's included (arm.Deadline.left)."""
    _BOUND.set(deadline)


def current() -> Bound | None:
    return _BOUND.get()
