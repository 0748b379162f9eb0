"""The one error hierarchy of akscli, and the one place that maps it to exit codes.

Every expected failure is raised as an ``AkscliError`` subclass; the CLI entry point
prints ``error: <message>`` and ``hint: <hint>`` on stderr and exits with ``exit_code``.
The table in docs/exit-codes.md is generated from ``EXIT_CODES`` below.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any


class AkscliError(Exception):
    """An expected failure: one clear line for the user, an optional hint, an exit code.

    ``details``: lines the CLI prints under the error only with -v or --debug (what each of
    several attempts said), so that the error and hint stay short. ``details_pointer`` ends the
    hint only when those lines are not shown (how to see them); ``hint_line`` joins the two."""

    exit_code = 1
    title = "failure"
    reason = ""  # the Kubernetes Status reason (AlreadyExists, NotFound ...) when from an API server
    attempts = 1  # how many times the request was sent before this error

    def __init__(
        self, message: str, hint: str | None = None, details: tuple[str, ...] = (), details_pointer: str = ""
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.details = details
        self.details_pointer = details_pointer

    def hint_line(self, details_shown: bool) -> str | None:
        """The hint as printed: with the pointer to -v only while the details are not shown."""
        if not self.details or details_shown or not self.details_pointer:
            return self.hint
        return f"{self.hint}; {self.details_pointer}" if self.hint else self.details_pointer


class UsageError(AkscliError):
    """Bad input: a flag, value, name or file the user gave."""

    exit_code = 2
    title = "usage error or invalid value"


class NotFoundError(AkscliError):
    exit_code = 3
    title = "not found"


class ConflictError(AkscliError):
    exit_code = 4
    title = "conflict (field manager, resource version, operation in progress, a state that forbids the action)"


class ExpiredError(ConflictError):
    """410 Expired: the version a list was paging at was compacted away. ``continue_token`` is
    the token the API server offers for the rest of the list at its latest version ("" when it
    offers none)."""

    def __init__(self, message: str, hint: str | None = None, continue_token: str = "") -> None:
        super().__init__(message, hint)
        self.continue_token = continue_token


class WaitTimeoutError(AkscliError):
    exit_code = 5
    title = "timed out waiting for a condition"


class OperationTimedOut(WaitTimeoutError):
    """--timeout passed while Azure still ran a long-running operation akscli had sent: akscli
    stops waiting (exit 5), Azure goes on. ``what``: the operation; ``operation``: its URL, no
    token (azure/arm.py operation_url), for the audit line."""

    def __init__(self, message: str, hint: str | None = None, *, what: str, operation: str | None = None) -> None:
        super().__init__(message, hint)
        self.what, self.operation = what, operation


class OperationInterrupted(KeyboardInterrupt):
    """Ctrl-C (or SIGTERM) while akscli followed a long-running operation Azure had accepted: the
    write was sent, and Azure goes on with it (stopping the polls changes nothing in Azure).
    ``what``: the operation; ``operation``: its URL, no token; ``state``: its last status."""

    def __init__(self, what: str, operation: str | None, state: str) -> None:
        super().__init__(what)
        self.what, self.operation, self.state = what, operation, state


class AuthError(AkscliError):
    exit_code = 6
    title = "not authenticated or not authorised"


class NotInstalledError(AkscliError):
    """An operator, CRD, API or hardware feature the command needs is missing."""

    exit_code = 7
    title = "not installed or unsupported"


class QuotaError(AkscliError):
    exit_code = 8
    title = "quota or capacity exhausted"


class CheckFailedError(AkscliError):
    """A readiness or policy check found blocking problems (doctor, policy check)."""

    exit_code = 9
    title = "a check found blocking problems"


class ObjectFailedError(AkscliError):
    """A controller reported a condition it treats as final (ApplyFailed, UpdateRunStuck, a failed
    Job or Workspace): the wait ended at once, before its timeout."""

    exit_code = 10
    title = "an object failed: its controller reported a terminal condition"


class PartialApplyError(AkscliError):
    """Some objects were applied and others were not; the message lists both."""

    exit_code = 1
    title = "failure"


class ConfirmationRequired(UsageError):
    exit_code = 2


class AlreadyAtVersion(Exception):
    """An upgrade to the version the cluster (or pool) already runs: nothing to send, and not an
    error (the one class for AKS and AKS on bare metal, kept here so that akscli.baremetal need not
    load the Azure SDK). ``az aks upgrade`` and ``az aks nodepool upgrade`` warn "The cluster is
    already on version ..." and go on with exit 0 (upstream: Azure/azure-cli src/azure-cli/azure/cli/
    command_modules/acs/custom.py aks_upgrade, aks_agentpool_upgrade), so a pipeline that upgrades to
    a pinned version passes when run again, as a ``kubectl apply`` of what is there already does.
    It is raised only for what is Succeeded: in any other state (Failed, Canceled after an abort, ...)
    the upgrade is sent, with its own version (``resend_note``)."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message, self.hint = message, hint

    @staticmethod
    def applies(state: object) -> bool:
        """Whether a same-version upgrade has nothing to do: the last operation Succeeded (a state
        left out, as a test's bare object, counts as Succeeded). ``az aks upgrade`` says "No operations
        will occur" for Succeeded alone and sends the PUT in every state (upstream: Azure/azure-cli
        0a1fa21c src/azure-cli/azure/cli/command_modules/acs/custom.py aks_upgrade)."""
        return state in (None, "Succeeded")


def resend_note(what: str, state: object, command: str) -> str:
    """The stderr line before a same-version upgrade of something not Succeeded is sent. az's own:
    Failed, "Cluster currently in failed state. Proceeding with upgrade to existing version %s to
    attempt resolution of failed cluster state" (Azure/azure-cli 0a1fa21c acs/custom.py aks_upgrade);
    another state, "The new kubernetes version is the same as the current kubernetes version."
    (Azure/azure-cli-extensions 003e28f6 src/aks-preview/azext_aks_preview/custom.py
    aks_agentpool_upgrade, which asks before it goes on; akscli's -y question does that)."""
    if state == "Failed":
        return f"{what} is in a failed state: sending it its own version to reconcile it, as {command} does"
    return f"{what} is {state}, not Succeeded: sending it its own version again, as {command} does"


def resend_of(what: str, properties: Mapping[str, Any], running: str, asked: str, command: str) -> str | None:
    """``resend_note`` where an upgrade body asks for the version its cluster or pool already runs
    (``properties[running]``, absent as a test's bare object, against ``properties[asked]``) and its
    last operation did not succeed; None where the upgrade changes the version or there is nothing
    to say. The cluster's keys are currentKubernetesVersion and kubernetesVersion, a pool's
    currentOrchestratorVersion and orchestratorVersion."""
    state = properties.get("provisioningState")
    if AlreadyAtVersion.applies(state) or properties.get(running) not in (properties[asked], None):
        return None
    return resend_note(what, state, command)


@contextmanager
def absent_is_done(ignore_not_found: bool) -> Iterator[None]:
    """The one place where a delete's "not found" becomes "nothing to do" (--ignore-not-found).

    Wrap the read of the object to delete and the delete itself (not the connection: a missing
    kubeconfig context or hub is still an error). With the flag, a NotFoundError there ends the
    command with exit 0 and nothing printed on stdout, as kubectl delete --ignore-not-found does
    (upstream: kubernetes/kubectl pkg/cmd/delete/delete.go, DeleteResult: r.IgnoreErrors(errors.IsNotFound),
    and PrintObj is reached only after a successful delete); nothing after the read is sent. Without
    it the error is raised unchanged (exit 3, one line). A Kubernetes 404 and an ARM 404
    (ResourceNotFound, ResourceGroupNotFound, ParentResourceNotFound) are both NotFoundError."""
    try:
        yield
    except NotFoundError:
        if not ignore_not_found:
            raise


EXIT_OK = 0
EXIT_INTERRUPTED = 130

EXIT_CODES: list[tuple[int, str]] = [
    (EXIT_OK, "success"),
    (AkscliError.exit_code, AkscliError.title),
    (UsageError.exit_code, UsageError.title),
    (NotFoundError.exit_code, NotFoundError.title),
    (ConflictError.exit_code, ConflictError.title),
    (WaitTimeoutError.exit_code, WaitTimeoutError.title),
    (AuthError.exit_code, AuthError.title),
    (NotInstalledError.exit_code, NotInstalledError.title),
    (QuotaError.exit_code, QuotaError.title),
    (CheckFailedError.exit_code, CheckFailedError.title),
    (ObjectFailedError.exit_code, ObjectFailedError.title),
    (EXIT_INTERRUPTED, "interrupted (Ctrl-C)"),
]
