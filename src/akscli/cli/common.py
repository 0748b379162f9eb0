"""The CLI glue every command group uses to change a cluster: one path, one look.

``apply_objects`` runs policy, plans, confirms, applies, prunes, waits, audits and prints, so a
command group only renders its objects and calls it.
"""

import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from akscli import errors, output, validate
from akscli.cli import audit_lines
from akscli.cli import options as opts
from akscli.cli.audit_lines import audited as audited
from akscli.cli.audit_lines import carried_deletions as carried_deletions
from akscli.cli.audit_lines import deletion_objects as deletion_objects
from akscli.cli.audit_lines import record_audit as record_audit
from akscli.cli.audit_lines import record_deletions as record_deletions
from akscli.globals import FLAGS

if TYPE_CHECKING:
    from akscli.kube.apply import Change, Plan
    from akscli.kube.client import Kube, KubeTarget
    from akscli.kube.readiness.core import Rule
    from akscli.kube.writes import Write


@dataclass
class ApplyOutcome:
    """What ``apply_objects`` did; ``changes`` is empty for --dry-run=client."""

    objects: list[dict[str, Any]]
    changes: "list[Change]"
    kube: "Kube | None"


def confirm(question: str, yes: bool) -> None:
    """Ask before a destructive action; refuse without a TTY unless -y was given."""
    if yes:
        return
    if not sys.stdin.isatty():
        raise errors.ConfirmationRequired(
            f"refusing to {question} without confirmation", hint="pass -y/--yes to confirm in scripts"
        )
    sys.stderr.write(f"{question[0].upper()}{question[1:]}? [y/N] ")
    sys.stderr.flush()
    answer = sys.stdin.readline().strip().lower()
    if answer not in ("y", "yes"):
        raise errors.AkscliError("cancelled: nothing was changed")


def namespaced_columns(
    columns: Sequence[output.Column], all_namespaces: bool, path: str = "metadata.namespace"
) -> list[output.Column]:
    """With -A the namespace leads the table, as in kubectl (`get -A` puts NAMESPACE first);
    otherwise there is none, not even with -o wide: kubectl's printer adds the column only
    with -A (k8s.io/cli-runtime pkg/printers/tableprinter.go PrintOptions.WithNamespace, which
    kubernetes/kubectl pkg/cmd/get/get.go sets from --all-namespaces; `kubectl get pods -o wide`
    has no NAMESPACE). ``path``: where a row keeps its namespace, for a table that has no namespace
    column of its own; a row without one (a cluster-scoped object in a mixed list, as `fleet
    placement list -A` makes) leaves it empty, as kubectl get -A does."""
    if not all_namespaces:
        return [c for c in columns if c.header.lower() != "namespace"]
    own = [c for c in columns if c.header.lower() == "namespace"]
    first = own[0]._replace(wide=False) if own else output.Column("namespace", lambda row: output.dig(row, path) or "")
    return [first] + [c for c in columns if c.header.lower() != "namespace"]


def check_policy(objects: Sequence[dict[str, Any]], namespace: str | None = None) -> list[str]:
    """Built-in policy rules on every rendered manifest before it is applied.

    ``namespace`` is where objects without one will go (``-n``). Returns the ``--allow`` rules
    that actually let an error through, for the audit log.
    """
    from akscli.policy import engine as policy

    findings = policy.enforce(objects, allow=FLAGS.allow, policy_file=FLAGS.policy_file, namespace=namespace)
    used: list[str] = []
    for finding in findings:
        if finding.severity == "error" and finding.rule in FLAGS.allow and finding.rule not in used:
            used.append(finding.rule)
        if finding.severity != "error" or finding.rule in FLAGS.allow:
            output.warn(f"policy {finding.rule} ({finding.severity}): {finding.object_ref}: {finding.message}")
    return used


def landing_namespace(target: "KubeTarget", kube: "Kube | None" = None) -> str | None:
    """Where objects without a namespace will land, for the policy's findings and rules: -n, else
    the context's namespace, as kubectl resolves it (upstream: kubernetes/client-go 32ce75a7
    tools/clientcmd/client_config.go DirectClientConfig.Namespace), read from the kubeconfig
    without signing in, on a client dry run too (kubectl reads it whatever the dry-run strategy).
    None: the policy names ``default``."""
    if target.namespace:
        return target.namespace
    if kube is not None:
        return kube.namespace
    from akscli.kube.connecting import context_namespace

    return context_namespace(target)


def print_manifests(objects: Iterable[dict[str, Any]], fmt: str) -> None:
    """--dry-run=client: the objects that would be sent, as kubectl create --dry-run=client -o
    prints them (yaml for the default table; json, name, jsonpath=). A format with no manifest
    printer (wide, custom-columns=) is refused, as kubectl refuses it, not replaced by YAML."""
    output.emit_documents(objects, "yaml" if fmt == "table" else manifest_format(fmt))


def manifest_format(fmt: str) -> str:
    """``fmt`` if a manifest prints in it (output.APPLY_FORMATS), else a usage error."""
    return output.check_format(fmt, output.APPLY_FORMATS)


def print_requests(requests: Sequence[Mapping[str, Any]], fmt: str, mode: str, names: Sequence[str] = ()) -> None:
    """--dry-run of a command that changes objects one by one: the requests in order (YAML
    unless -o json; -o name: what each changes), and on stderr what became of them."""
    if fmt == "name":
        for index, request in enumerate(requests):
            output.write(names[index] if names else str(request.get("path") or output.object_ref(request)))
    else:
        output.emit(requests, fmt if output.structured(fmt) else "yaml", [])  # a v1 List, as every list
    if not requests:
        output.info("dry run: there is nothing to send")
    elif mode == "client":
        output.info(f"dry run (client): {len(requests)} request(s) not sent")
    else:
        output.info(f"dry run (server): the API server accepted {len(requests)} request(s); nothing was changed")


def dry_run_writes(kube: "Kube", writes: "Sequence[Write]", mode: str, fmt: str) -> None:
    """--dry-run of ``writes``: client prints them; server first sends them with dryRun=All (the
    API server validates and admits them, persists nothing)."""
    from akscli.kube.writes import send_all

    if mode == "server":
        send_all(kube, writes, dry_run=True)
    print_requests([w.describe() for w in writes], fmt, mode, names=[w.ref for w in writes])


def print_plan(the_plan: "Plan", *, to_stdout: bool, fmt: str = "table") -> None:
    """The plan: one line per change (stderr before an apply; stdout for --dry-run=server).
    --dry-run=server with -o json|yaml|jsonpath= prints the objects as the server's dry run
    answered (defaulted and admitted), as kubectl apply --dry-run=server -o yaml does, with the
    plan's lines on stderr; -o name the objects' names (``configmap/a1``)."""
    if to_stdout and output.structured(fmt):
        output.emit_documents([c.server or c.obj for c in the_plan.changes if c.action != "delete"], fmt)
        print_plan(the_plan, to_stdout=False)
        return
    if to_stdout and fmt == "name":
        for change in the_plan.changes:
            output.write(change.ref)
        return
    lines = []
    for change in the_plan.changes:
        lines.append(
            f"{change.ref} ({change.obj['metadata'].get('namespace') or 'cluster'}): "
            f"{'will be ' + _future(change.action) if change.action != 'unchanged' else 'unchanged'}"
        )
        lines += [f"    {note}" for note in change.notes]
        lines += [f"    {line}" for line in change.diff[:40] if change.action == "configure"]
        if change.deferred:
            lines.append(f"    {change.deferred.note}")
        if change.action == "configure" and len(change.diff) > 40:
            lines.append(f"    ... {len(change.diff) - 40} more fields")
    text = "\n".join(lines) or "nothing to apply"
    if to_stdout:
        output.write(text)
    else:
        output.info(text)


def _future(action: str) -> str:
    return {"create": "created", "configure": "changed", "delete": "deleted (pruned)"}[action]


def apply_objects(
    objects: list[dict[str, Any]],
    *,
    stack: str,
    target: "KubeTarget",
    dry_run: str = "none",
    wait: bool = False,
    timeout: str = "10m",
    prune: bool = False,
    force_conflicts: bool = False,
    parallel: int = opts.DEFAULT_PARALLEL,
    yes: bool = False,
    output_format: str = "table",
    action: str = "apply",
    kube: "Kube | None" = None,
    enforce_namespace: bool = False,
    prior: list[dict[str, str]] | None = None,
    policy_allowed: list[str] | None = None,
    plan_notes: Callable[["Kube", Mapping[str, Any], Mapping[str, Any]], list[str]] | None = None,
    pod_security_checked: bool = False,
    last: frozenset[str] = frozenset(),
    create_only: bool = False,
    new_namespaces: frozenset[str] = frozenset(),
    wait_rule: Callable[["Kube"], "Rule"] | None = None,
    home_namespace: str | None = None,
) -> ApplyOutcome:
    """Plan, apply, prune, wait and audit ``objects`` as the stack ``stack``. ``kube``: the
    caller's connection to ``target``, whose discovery is then not asked for again.
    ``enforce_namespace``: an explicit -n refuses objects that name another namespace (``apply
    -f``; kubectl does the same). ``prior``: the deletions the command made on its way here
    (carried_deletions), listed first in this apply's audit line and taken out of the list once
    written, so that the command reads as one entry. ``policy_allowed``: what ``check_policy``
    returned when the caller ran it first, before a deletion it makes on its way here (a blocked
    apply must leave the running objects as they were); None: the policy is checked here.
    ``plan_notes``: what an operator does about a changed object (ApplyOptions.notes).
    ``pod_security_checked``: the caller ran ``check_pod_security`` first (before a deletion).
    ``last``: objects (``kind.group/name``) applied after the rest of their tier (ApplyOptions.last).
    ``create_only``: kubectl create, POST and never over a taken name (ApplyOptions.create_only).
    ``new_namespaces``: namespaces the command creates itself, outside the stack, that are not
    there yet (ApplyOptions.new_namespaces): a real run creates them once the plan has passed.
    ``home_namespace``: the stack's namespace where ``objects`` name none (ApplyOptions.home_namespace).
    ``wait_rule``: made with the connection once the objects are applied, the rule --wait judges
    every object by (kube/wait.py), instead of each kind's own."""
    from akscli.cli.options import dry_run_mode
    from akscli.render import with_stack_labels

    mode = dry_run_mode(dry_run)
    wait_seconds = validate.duration(timeout, "--timeout")
    manifest_format(output_format)
    with_stack_labels(objects, stack)
    landing = landing_namespace(target, kube) if policy_allowed is None or mode == "client" else None
    allowed = check_policy(objects, landing) if policy_allowed is None else policy_allowed
    required = target.namespace if enforce_namespace else None
    if mode == "client":
        _place_client_dry_run(objects, target, landing or "default", required)
        if not pod_security_checked:
            check_pod_security(None, objects, target)
        print_manifests(objects, output_format)
        return ApplyOutcome(objects, [], None)

    from akscli.kube import apply as engine
    from akscli.kube.connecting import connect

    kube = kube or connect(target)
    options = engine.ApplyOptions(
        force_conflicts=force_conflicts,
        prune=prune,
        parallel=parallel,
        require_namespace=required,
        keep_answers=mode == "server" and output.structured(output_format),
        notes=plan_notes,
        last=last,
        create_only=create_only,
        new_namespaces=new_namespaces,
        home_namespace=home_namespace,
    )
    the_plan: Plan | None = None
    made: list[dict[str, str]] = []  # the new_namespaces created, as audit objects
    try:
        with audit_lines.sigterm_interrupts():
            if not pod_security_checked:
                check_pod_security(kube, objects, target)
            with output.status("planning (server-side dry run)"):
                the_plan = engine.plan(kube, objects, stack=stack, options=options)
            for warning in the_plan.warnings:
                output.warn(warning)
            if mode == "server":
                print_plan(the_plan, to_stdout=True, fmt=output_format)
                return ApplyOutcome(objects, the_plan.changes, kube)
            for namespace in sorted(new_namespaces):
                output.info(f"namespace/{namespace} (cluster): will be created")
            print_plan(the_plan, to_stdout=False)
            if the_plan.deletions:
                confirm(f"delete {len(the_plan.deletions)} object(s) no longer in stack {stack}", yes)
            made = _create_namespaces(kube, new_namespaces, output_format)
            with output.status("applying") as update:
                done = engine.execute(kube, the_plan, options=options, progress=update)
    except errors.ConfirmationRequired:
        raise  # nothing applied: carried_deletions records what the command deleted before
    except errors.AkscliError as exc:
        if mode == "none":
            attempted = [*_taken(prior), *made, *_attempted(objects, the_plan)]
            record_audit(action, kube, [], f"failed: {exc.message}", objects=attempted, allowed_rules=allowed)
        raise
    except KeyboardInterrupt:
        if mode == "none":
            attempted = [*_taken(prior), *made, *_attempted(objects, the_plan)]
            record_audit(action, kube, [], "interrupted", objects=attempted, allowed_rules=allowed)
        raise
    record_audit(action, kube, done, "success", objects=[*_taken(prior), *made], allowed_rules=allowed)
    _print_applied(engine.in_plan_order(done, the_plan), output_format)
    if wait:
        from akscli.kube.wait import wait_for

        # Each object as the server answered its apply (kube/wait.py judges it before reading);
        # one not written this time (unchanged, already ours) is read by the wait itself.
        live = [answer_of(c) for c in done if c.action != "delete"]
        with output.status(f"waiting up to {timeout} for {len(live)} object(s)") as update:
            rule = wait_rule(kube) if wait_rule is not None else None
            warnings = wait_for(kube, live, wait_seconds, progress=update, rule=rule)
        for warning in warnings:
            output.warn(warning)
        output.info(f"all {len(live)} object(s) ready")
    return ApplyOutcome(objects, done, kube)


def _create_namespaces(kube: "Kube", names: frozenset[str], fmt: str) -> list[dict[str, str]]:
    """Create the namespaces a command creates outside its stack (``model deploy
    --create-namespace``) once its plan has passed, so that a refused deploy leaves none behind;
    each is said as kubectl create namespace says it (``namespace/NS created`` on stdout, upstream
    kubernetes/kubectl dee3483a pkg/cmd/create/create_namespace.go; on stderr with -o json|yaml,
    whose stdout is one document) and returned as the apply's audit objects."""
    from akscli.kube import namespaces

    made = []
    for name in sorted(names):
        ns = kube.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
        namespaces.remember(kube, name, ns)
        if output.structured(fmt):
            output.info(f"namespace/{name} created")
        else:
            output.write(f"namespace/{name}" if fmt == "name" else f"namespace/{name} created")
        version = str((ns.get("metadata") or {}).get("resourceVersion", ""))
        made.append({"object": f"namespace/{name}", "namespace": "", "action": "create", "resourceVersion": version})
    return made


def _place_client_dry_run(
    objects: list[dict[str, Any]], target: "KubeTarget", namespace: str, required: str | None
) -> None:
    """--dry-run=client: each namespaced object in -n, else the context's namespace, else
    ``default``, as kubectl apply --dry-run=client -o yaml prints it (akscli.kube.scopes.place). A
    kind whose scope akscli does not know is asked of the cluster's discovery once, as kubectl
    asks it; where no cluster answers, the object is left as written, with a warning."""
    from akscli.kube import scopes

    failed: list[str] = []
    connection: list[Kube] = []

    def discover(api_version: str, kind: str) -> bool | None:
        if failed:
            return None
        from akscli.kube.connecting import connect_once

        try:
            connection[:] = connection or [connect_once(target)]
            return connection[0].resource(api_version, kind).namespaced
        except errors.NotInstalledError:
            raise  # kubectl: no matches for kind ... ensure CRDs are installed first
        except errors.AkscliError as exc:
            failed.append(exc.message)
            return None

    for obj in scopes.place(objects, namespace, required, discover):
        output.warn(
            f"{output.object_ref(obj)}: namespace left as written: no cluster answered to say whether "
            f"{obj['kind']} is namespaced ({failed[0] if failed else 'unknown'})"
        )


def check_pod_security(kube: "Kube | None", objects: Sequence[Mapping[str, Any]], target: "KubeTarget") -> None:
    """Refuse pods the namespace's PodSecurity level forbids before the plan: the server's dry run
    only warns for a workload (akscli.kube.podsecurity). ``kube`` None (--dry-run=client): the
    same where ``target``'s namespace can be read, else a warning that it was not checked."""
    from akscli.kube import podsecurity

    found = podsecurity.check(kube, objects) if kube else podsecurity.check_client_dry_run(target, objects)
    for warning in found:
        output.warn(warning)


def answer_of(change: "Change") -> dict[str, Any]:
    """The server's answer to the change's apply, else the object sent."""
    written = change.result is not None and change.result is not change.current
    return change.result if written and change.result is not None else change.obj


def _taken(prior: list[dict[str, str]] | None) -> list[dict[str, str]]:
    """The carried deletions, taken out of ``prior`` for the audit line about to be written."""
    taken = list(prior or [])
    if prior:
        prior.clear()
    return taken


def _attempted(objects: Sequence[dict[str, Any]], the_plan: "Plan | None") -> list[dict[str, str]]:
    """Every object an apply that failed or was stopped meant to change, and what became of it."""
    from akscli.kube.apply import object_ref

    if the_plan is None:
        return [
            {
                "object": object_ref(o),
                "namespace": o.get("metadata", {}).get("namespace") or "",
                "result": "not applied",
            }
            for o in objects
        ]
    return [
        {
            "object": c.ref,
            "namespace": c.obj.get("metadata", {}).get("namespace") or "",
            "action": c.action,
            "result": _result(c),
        }
        for c in the_plan.changes
    ]


def _result(change: "Change") -> str:
    """What became of one object of a cut apply. A write still in flight when Ctrl-C or SIGTERM
    came is neither applied nor not: the server may take it after akscli stops waiting (a request
    is not withdrawn by closing its connection: kubernetes/apiserver
    pkg/endpoints/handlers/finisher/finisher.go FinishRequest goes on with the write after the
    client's context ends, and only the answer is lost)."""
    if change.result is not None:
        return "applied"
    if change.error:
        return "failed"
    return "unknown: sent, no answer before the stop" if change.sent else "not applied"


def _print_applied(done: "Sequence[Change]", fmt: str) -> None:
    from akscli.kube.apply import past_tense

    if output.structured(fmt):
        output.emit_documents([c.result or c.obj for c in done], fmt)
    elif fmt == "name":
        for change in done:
            output.write(change.ref)
    else:
        for change in done:
            output.write(f"{change.ref} {past_tense(change.action)}")


def deletion_question(refs: Sequence[tuple[str, str, str, str | None]], why: str = "") -> str:
    """``delete raycluster.ray.io/rc, service/rc-head in namespace ml (WHY)``: each object named
    as kubectl delete --interactive lists it, ``kind.group/name`` (upstream: kubernetes/kubectl
    dee3483a pkg/cmd/delete/delete.go confirmation), the rule of every name akscli prints for an
    object (output.kind_ref); then the namespace, and ``why``, the command's own note."""
    names = ", ".join(output.kind_ref(api_version, kind, name) for api_version, kind, name, _ in refs)
    spaces = sorted({namespace for *_, namespace in refs if namespace})
    where = (
        f" in namespace {spaces[0]}" if len(spaces) == 1 else f" in namespaces {', '.join(spaces)}" if spaces else ""
    )
    return f"delete {names}{where}" + (f" ({why})" if why else "")


def delete_objects(
    kube: "Kube",
    refs: Sequence[tuple[str, str, str, str | None]],
    *,
    yes: bool,
    what: str,
    action: str,
    dry_run: str = "none",
    fmt: str | None = None,
    wait: float | None = None,
    foreground: Mapping[str, Sequence[tuple[str, str]]] | None = None,
) -> list[str]:
    """Delete (apiVersion, kind, name, namespace) objects after one confirmation, which names
    each (deletion_question; ``what``: the command's note after them, or ""); the audit line
    names the command (``action``, e.g. "model delete"), as every other change's line does, so
    `audit list --action 'model*'` finds deletes too.

    ``--dry-run=client`` lists what would be deleted; ``server`` asks the server to dry-run it.
    ``fmt``: -o (only ``name``, as kubectl delete). ``wait``: --wait's --timeout in seconds
    (None: --no-wait); kubectl's lines are printed as the deletes are accepted, then the wait
    follows until every object is gone, finalizers included (akscli.kube.deletion), as kubectl
    delete's, with its progress on stderr; a dry run never waits; a refused list or watch is
    polled by GET, and a refused GET is one warning, not a failure (upstream: kubernetes/kubectl
    pkg/cmd/delete/delete.go DeleteResult). ``foreground``: kinds deleted with
    propagationPolicy Foreground while waiting (kubectl delete --cascade=foreground): the object
    stays until the dependents an operator made for it are gone, so the wait covers them too;
    each kind maps to the (apiVersion, kind) of those dependents, which a timeout names with the
    kubectl get that shows them (read once then, one list per kind: kube.deletion.dependents_left).
    """
    from akscli.cli.options import dry_run_mode
    from akscli.kube.deletion import deleted_ref, dependents_left, uid_of, wait_deleted, wait_refused

    mode = dry_run_mode(dry_run)
    if mode == "client":
        for api_version, kind, name, namespace in refs:
            output.deleted(api_version, kind, name, namespace, mode, fmt)
        return []
    if mode == "none":
        confirm(deletion_question(refs, what), yes)

    def _propagation(kind: str) -> str:
        return "Foreground" if kind in (foreground or {}) and wait is not None else "Background"

    answers = [
        (r, kube.delete(r[0], r[1], r[2], namespace=r[3], propagation=_propagation(r[1]), dry_run=mode == "server"))
        for r in refs
    ]
    gone = [(r, answer) for r, answer in answers if answer is not None]
    entries = [audit_lines.deleted_entry(*r) for r, _ in gone]
    if mode == "none":
        record_audit(action, kube, [], "success", objects=entries)
    for (api_version, kind, name, namespace), _ in gone:
        output.deleted(api_version, kind, name, namespace, mode, fmt)
    if mode == "none" and wait is not None and gone:
        # The wait's progress goes to stderr only: scripts read -o name from stdout.
        try:
            with output.status(f"waiting for {len(gone)} object(s) to be deleted") as update:
                wait_deleted(kube, [deleted_ref(*r, answer) for r, answer in gone], wait, progress=update)
        except errors.WaitTimeoutError as exc:
            # A foreground delete's owner stays until its dependents go: name them, and how to see them.
            for kind, kinds in (foreground or {}).items():
                held = [(uid, r[3]) for r, answer in gone if r[1] == kind and (uid := uid_of(answer))]
                if held and (left := dependents_left(kube, held, kinds)):
                    raise errors.WaitTimeoutError(f"{exc.message}; {left}", hint=exc.hint) from exc
            raise
        except errors.AkscliError as exc:
            if not wait_refused(exc):
                raise
            # The delete was accepted; only the wait was refused (kubectl returns then too).
            output.warn(f"deleted, but could not wait until gone: {exc.message}")
    return [entry["object"] for entry in entries]


def recreate_if_needed(
    kube: "Kube",
    objects: list[dict[str, Any]],
    *,
    recreate: bool,
    mode: str,
    yes: bool,
    down: str,
    carried: list[dict[str, str]],
    beside: str = "table",
    stack: str | None = None,
) -> None:
    """Before an apply: objects whose live copy differs where the server refuses a change in place
    (akscli.model.revisions.immutable_changes) are refused with the --recreate hint, or, with
    --recreate, deleted (after a confirmation) so that the apply creates them again, each with
    kubectl's delete line (``beside``: the command's -o format, output.deleted); each deletion is
    added to ``carried`` (carried_deletions) for the command's one audit line. ``down``: what the
    deletion takes away until then. Before any question or deletion, the server is asked whether
    it would create them again (kube/create_check.py, labelled as ``stack``'s apply labels them):
    a refusal deletes nothing."""
    from akscli.model import revisions

    changes = revisions.immutable_conflicts(kube, objects)
    if not changes:
        return
    listed = "; ".join(line for change in changes for line in change.fields)
    if not recreate:
        raise errors.UsageError(
            f"these fields cannot change in place: {listed}",
            hint=f"add --recreate to delete and create the object again ({down}), or keep the old values",
        )
    if mode != "none":
        output.info(f"would recreate: {listed}")
        return
    check_creates_again(kube, [change.obj for change in changes], stack=stack, rendered=objects)
    confirm(f"recreate {len(changes)} object(s) ({listed})", yes)
    deleted: list[Mapping[str, Any]] = []
    try:
        # The wait's progress on stderr, as a delete's (delete_objects).
        with output.status(f"waiting for {len(changes)} object(s) to be deleted") as update:
            revisions.recreate(kube, changes, deleted, progress=update)
    finally:
        carried.extend(deletion_objects(deleted))  # a wait that failed after a delete still counts
    for obj in deleted:
        meta = obj["metadata"]
        output.deleted(
            obj["apiVersion"], obj["kind"], meta["name"], meta.get("namespace"), why="recreated", beside=beside
        )


def check_creates_again(
    kube: "Kube", objects: Sequence[Mapping[str, Any]], *, stack: str | None, rendered: Sequence[Mapping[str, Any]] = ()
) -> None:
    """Refuse, before anything is deleted, objects the server would not create again
    (kube/create_check.py); what it could not check is said on stderr."""
    from akscli.kube.create_check import check_creates

    for line in check_creates(kube, objects, stack=stack, rendered=rendered):
        output.warn(line)
