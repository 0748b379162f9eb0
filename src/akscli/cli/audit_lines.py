"""The audit lines of the changes a command makes (akscli.audit writes them): one line for a
change made through Kubernetes (record_audit), one for a change made through ARM whether it
succeeds, fails or its wait is cut (audited), and the deletions a command makes on its way to an
apply, carried into that apply's line (carried_deletions). SIGTERM stops a change as Ctrl-C does,
so the line is still written. CLI glue for cli/common.py and the command groups."""

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from akscli import errors, output
from akscli.globals import FLAGS

if TYPE_CHECKING:
    from akscli.kube.apply import Change
    from akscli.kube.client import Kube


@contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """SIGTERM (a CI job cancelled, a pod stopped) stops an apply like Ctrl-C does, so the
    audit log still records what was changed before it."""
    import signal
    import threading

    from akscli import concurrency

    if threading.current_thread() is not threading.main_thread() or concurrency.holding():
        yield  # inside concurrency.held_interrupts, which records SIGTERM itself
        return

    def interrupt(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def record_audit(
    action: str,
    kube: "Kube | None",
    changes: "Sequence[Change]",
    result: str,
    *,
    target: Mapping[str, str] | None = None,
    objects: Sequence[Mapping[str, str]] | None = None,
    allowed_rules: Sequence[str] = (),
    identity: Mapping[str, str] | None = None,
) -> None:
    """One audit line for a change made through Kubernetes (ARM commands pass target/objects)."""
    from akscli import audit

    where: dict[str, str] = dict(target or {})
    changed = list(objects or [])
    for change in changes:
        meta = (change.result or change.obj).get("metadata", {})
        changed.append(
            {
                "object": change.ref,
                "namespace": meta.get("namespace") or "",
                "action": change.action,
                "resourceVersion": str(meta.get("resourceVersion", "")),
            }
        )
    if kube is not None:
        where.setdefault("context", kube.context_name)
        identity = kube.identity()
        if "namespace" not in where:
            touched = touched_namespaces(changed)
            if touched is None:
                where["namespace"] = kube.namespace  # no object listed: where the command was pointed
            elif touched:
                where["namespace"] = touched
            # only cluster-scoped objects: no namespace, as kubectl get -A leaves the column empty
    audit.record(
        action=action,
        target=where,
        objects=changed,
        result=result,
        identity=identity,
        reason=FLAGS.reason,
        allowed_rules=allowed_rules,
    )


def touched_namespaces(objects: Sequence[Mapping[str, str]]) -> str | None:
    """The namespaces the listed objects are in, sorted and comma-separated ("" where every one is
    cluster-scoped), or None where none was reached (an apply that failed before its plan lists its
    objects "not applied", their namespaces not yet filled in). A change's line names these, not the
    context's namespace: `baremetal prepare` run in `default` changes a ClusterPolicy and objects in
    gpu-operator."""
    reached = [o for o in objects if o.get("result") != "not applied"]
    if not reached:
        return None
    return ",".join(sorted({str(o.get("namespace") or "") for o in reached} - {""}))


@contextmanager
def audited(
    action: str,
    target: Mapping[str, str],
    *,
    resource: str,
    identity: Mapping[str, str] | None = None,
    change: str | None = None,
    follow: str | None = None,
) -> Iterator[None]:
    """Audit a change made through ARM: one line whether it succeeds or fails, under ``action``
    (the command), its object's action being ``change`` (else ``action``).

    A wait cut after Azure accepted the write (--timeout, Ctrl-C: errors.OperationTimedOut,
    OperationInterrupted) is a change that goes on in Azure: its line says so, names the
    operation's URL (no token) and ``follow``, the command that follows it; a Ctrl-C's last line
    says the same (cli/main.py). SIGTERM (a CI job cancelled) stops the wait as Ctrl-C does, so
    its line is written too."""
    objects = [{"object": resource, "action": change or action}]

    def cut(exc: errors.OperationTimedOut | errors.OperationInterrupted, how: str) -> None:
        what = exc.what
        line = [{**objects[0], "action": what, **({"operation": exc.operation} if exc.operation else {})}]
        result = f"{how}: {what} continues in Azure" + (f"; follow it with: {follow}" if follow else "")
        record_audit(action, None, [], result, target=target, objects=line, identity=identity)

    try:
        with sigterm_interrupts():
            yield
    except errors.OperationTimedOut as exc:
        cut(exc, "timed out")
        raise
    except errors.AkscliError as exc:
        record_audit(action, None, [], f"failed: {exc.message}", target=target, objects=objects, identity=identity)
        raise
    except errors.OperationInterrupted as exc:
        cut(exc, "interrupted")
        raise
    record_audit(action, None, [], "success", target=target, objects=objects, identity=identity)


def deleted_entry(api_version: str, kind: str, name: str, namespace: str | None) -> dict[str, str]:
    """A deleted object as an audit line lists it: named as the apply's lines name what they
    create (kubectl's ``kind.group/name``), so one entry names an object one way."""
    return {"object": output.kind_ref(api_version, kind, name), "namespace": namespace or "", "action": "delete"}


def deletion_objects(deleted: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Deleted objects as an audit line lists them (deleted_entry)."""
    return [
        deleted_entry(obj["apiVersion"], obj["kind"], obj["metadata"]["name"], obj["metadata"].get("namespace"))
        for obj in deleted
    ]


def record_deletions(action: str, kube: "Kube", deleted: Sequence[Mapping[str, Any]], result: str = "success") -> None:
    """One audit line for objects a command deleted after its apply's line (what a deploy no
    longer renders)."""
    if deleted:
        record_audit(action, kube, [], result, objects=deletion_objects(deleted))


@contextmanager
def carried_deletions(action: str, kube: "Kube | None") -> Iterator[list[dict[str, str]]]:
    """The deletions a command makes on its way to an apply (--recreate, the objects a deploy
    replaces), as audit objects. The apply lists them in its own line (apply_objects ``prior``),
    so one command reads as one entry in `audit list` (docs/operations.md: one line per command);
    what no apply recorded (a failure, Ctrl-C or a dry run before it) gets its own line here."""
    carried: list[dict[str, str]] = []
    try:
        yield carried
    except BaseException as exc:
        if carried:
            if isinstance(exc, errors.AkscliError):
                failed = f"failed: {exc.message}"
            else:
                failed = "interrupted" if isinstance(exc, KeyboardInterrupt) else f"failed: {type(exc).__name__}"
            record_audit(action, kube, [], failed, objects=carried)
        raise
    if carried:
        record_audit(action, kube, [], "success", objects=carried)
