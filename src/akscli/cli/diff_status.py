"""kubectl diff's exit status, for `akscli diff` and `--exit-code`: 0 when nothing would change,
1 when something would, above 1 on an error (upstream: kubernetes/kubectl dee3483a
pkg/cmd/diff/diff.go diffLong "Exit status"; CheckDiffErr in pkg/cmd/util/helpers.go adds one to
an error's code). akscli's codes from 2 up already mean an error (docs/exit-codes.md), so they
stay; only a failure's 1 becomes 2."""

import functools
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer import _click as click

from akscli.errors import AkscliError, UsageError

if TYPE_CHECKING:
    from akscli.kube.apply import Change

DIFF_FOUND = 1
DIFF_FAILED = 2

ExitCode = Annotated[
    bool,
    typer.Option(
        "--exit-code",
        help="With --dry-run=server: exit 1 when something would change, 0 when nothing would, 2 or more "
        "on an error (kubectl diff's exit status).",
    ),
]

# A create-only command (fleet rollout create, fleet rollout strategy create: a POST, as kubectl
# create) has no "nothing would change": its plan creates, or the server refuses the taken name
# (AlreadyExists, exit 4, errors.ConflictError).
CreateExitCode = Annotated[
    bool,
    typer.Option(
        "--exit-code",
        help="With --dry-run=server: exit 1 when the create would go through, 4 when the name is taken, "
        "another code above 1 on another error; never 0 (a create always changes something).",
    ),
]


class _Unexpected:
    """main._run's exit code for an unexpected exception (a bug): 1, or 2 once one left a
    diff_exit_status block, where 1 would read as "differences found"."""

    code = DIFF_FOUND


def unexpected_exit_code() -> int:
    """The code main._run exits with for an unexpected exception (1 outside a diff)."""
    return _Unexpected.code


def reset() -> None:
    """For main.run's end: the next command starts with 1 again."""
    _Unexpected.code = DIFF_FOUND


@contextmanager
def diff_exit_status() -> Iterator[None]:
    """An error raised inside exits 2 where it would exit 1: 1 means differences found. That
    holds for a bug too (an exception that is no AkscliError): main._run reports it, and exits 2."""
    try:
        yield
    except AkscliError as exc:
        if exc.exit_code == DIFF_FOUND:
            exc.exit_code = DIFF_FAILED
        raise
    except (typer.Exit, click.exceptions.ClickException):
        raise  # found()'s exit, or a usage error (already 2)
    except Exception:
        _Unexpected.code = DIFF_FAILED
        raise


def would_change(changes: "Sequence[Change]") -> bool:
    """Whether a plan creates, changes or deletes (prunes) an object."""
    return any(change.action != "unchanged" for change in changes)


def found(changed: bool) -> None:
    """End with 1 when something would change."""
    if changed:
        raise typer.Exit(DIFF_FOUND)


def check_exit_code(exit_code: bool, mode: str) -> None:
    """--exit-code reads the server's plan: without --dry-run=server there is none."""
    if exit_code and mode != "server":
        raise UsageError(
            "--exit-code needs --dry-run=server: it tells whether the server's plan changes something",
            hint="add --dry-run=server",
        )


def with_exit_code(command: Callable[..., None]) -> Callable[..., None]:
    """Run ``command`` under diff_exit_status when its ``exit_code`` argument is true."""

    @functools.wraps(command)
    def run(*args: Any, **values: Any) -> None:
        if not values.get("exit_code"):
            return command(*args, **values)
        with diff_exit_status():
            return command(*args, **values)

    return run
