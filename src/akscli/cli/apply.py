"""akscli apply -f: manifests from files through the apply engine (plan, policy, audit, wait);
akscli diff -f: the same plan, a server-side dry run, with kubectl diff's exit status."""

from typing import Annotated, Any

import typer

from akscli import manifests, validate
from akscli.cli import flag_types
from akscli.cli import options as opts
from akscli.cli.common import apply_objects

Filenames = Annotated[
    list[str], typer.Option("-f", "--filename", help="Manifest file or directory, or - for stdin. Repeatable.")
]
Stack = Annotated[
    str | None,
    typer.Option(
        "--stack",
        help="The stack these objects belong to (for --prune). Default: the stack the manifests' "
        "akscli.io/stack label names, else 'default'.",
    ),
]


def _checked_manifests(paths: list[str], stack: str | None) -> list[dict[str, Any]]:
    """The manifests of ``-f``, checked before anything is sent: the stack name, each object's
    name, what KEDA's and KubeFleet's override webhooks would refuse, and a KubeRay spec KubeRay's
    own validation would refuse whatever the operator's gates (akscli.ray.object_rules)."""
    if stack is not None:
        validate.name(stack, "stack name")
    objects = _read_manifests(paths)
    from akscli.fleet.override_checks import check_overrides
    from akscli.kube.keda_checks import check_fallbacks
    from akscli.ray.cluster_options import GATES as ALPHA_GATES
    from akscli.ray.object_rules import check_objects

    check_fallbacks(objects)
    check_overrides(objects)
    # The operator is not read yet: its Alpha gates (GCSFaultToleranceEmbeddedStorage and
    # cluster_options.GATES) are taken as on here, so only a file's own content is judged; the plan
    # hook (_operator_notes) judges them again by the operator found on the cluster.
    check_objects(objects, embedded=True, alpha=ALPHA_GATES)
    return objects


def _read_manifests(paths: list[str]) -> list[dict[str, Any]]:
    objects, sources = manifests.load(paths)
    manifests.require_names(objects, sources)
    if not objects:
        raise manifests.none_found(paths)
    return objects


def _stack_of(objects: list[dict[str, Any]], stack: str | None) -> str:
    """The stack to apply as: ``--stack``, else the one the manifests' label names, else ``default``."""
    if stack is not None:
        return stack
    labelled = manifests.labelled_stack(objects)
    if labelled is None:
        return "default"
    from akscli import output
    from akscli.render import STACK_LABEL

    output.info(f"stack {labelled} (the manifests' {STACK_LABEL} label)")
    return labelled


def apply(
    filenames: Filenames,
    stack: Stack = None,
    kubeconfig: flag_types.Kubeconfig = None,
    context: flag_types.Context = None,
    namespace: flag_types.Namespace = None,
    request_timeout: flag_types.RequestTimeout = None,
    dry_run: flag_types.DryRun = "none",
    wait: flag_types.Wait = False,
    timeout: flag_types.Timeout = "10m",
    prune: flag_types.Prune = False,
    force_conflicts: flag_types.ForceConflicts = False,
    parallel: flag_types.Parallel = opts.DEFAULT_PARALLEL,
    yes: flag_types.Yes = False,
    output_format: flag_types.ApplyOutput = "table",
) -> None:
    """Apply manifests with server-side apply: plan, policy check, apply, prune, wait, audit.

    A blocking policy rule is let through with the global flags --allow RULE --reason TEXT
    (audited); --policy-file PATH re-grades rules (akscli --help lists the global flags).
    """
    objects = _checked_manifests(filenames, stack)
    outcome = apply_objects(
        objects,
        stack=_stack_of(objects, stack),
        target=opts.kube_flags(kubeconfig, context, namespace, request_timeout).target(),
        dry_run=dry_run,
        wait=wait,
        wait_rule=_placement_wait(objects) if wait else None,
        timeout=timeout,
        prune=prune,
        force_conflicts=force_conflicts,
        parallel=parallel,
        yes=yes,
        output_format=output_format,
        enforce_namespace=True,
        plan_notes=_operator_notes(),
    )
    _kaito_left_running(outcome.kube, outcome.changes, dry_run=dry_run != "none")


def _kaito_left_running(kube: Any, changes: Any, *, dry_run: bool) -> None:
    """A KAITO model whose inference ConfigMap this apply changed keeps serving the old config:
    KAITO restarts no pod for it (model/kaito_restart.py), and apply -f, as kubectl apply,
    restarts nothing; say so, with the restart (model deploy makes it itself), for the models of
    the apply and, for a ConfigMap applied alone, the Workspaces in the cluster that name it."""
    if kube is None:
        return
    from akscli import output
    from akscli.model import kaito_restart

    for server in [*kaito_restart.stale_servers(changes), *kaito_restart.cluster_servers(kube, changes)]:
        output.warn(kaito_restart.left_running(kube, server, dry_run=dry_run))


def diff(
    filenames: Filenames,
    stack: Stack = None,
    kubeconfig: flag_types.Kubeconfig = None,
    context: flag_types.Context = None,
    namespace: flag_types.Namespace = None,
    request_timeout: flag_types.RequestTimeout = None,
    prune: flag_types.Prune = False,
    force_conflicts: flag_types.ForceConflicts = False,
    parallel: flag_types.Parallel = opts.DEFAULT_PARALLEL,
) -> None:
    """What apply -f would change, as --dry-run=server plans it (with --prune, what it would
    delete too); exit 0: no differences, 1: differences, 2 or more: an error (kubectl diff's exit
    status)."""
    from akscli.cli.diff_status import diff_exit_status, found, would_change

    with diff_exit_status():
        objects = _checked_manifests(filenames, stack)
        outcome = apply_objects(
            objects,
            stack=_stack_of(objects, stack),
            target=opts.kube_flags(kubeconfig, context, namespace, request_timeout).target(),
            dry_run="server",
            prune=prune,
            force_conflicts=force_conflicts,
            parallel=parallel,
            enforce_namespace=True,
            plan_notes=_operator_notes(),
        )
        _kaito_left_running(outcome.kube, outcome.changes, dry_run=True)
    found(would_change(outcome.changes))


def _placement_wait(objects: list[dict[str, Any]]) -> Any:
    """The wait of KubeFleet placements applied with their overrides, as ``fleet place --wait``
    judges them (akscli.fleet.place_wait); an override that names no placement is said not waited for."""
    from akscli import output
    from akscli.fleet import place_wait

    for warning in place_wait.unreferenced(objects):
        output.warn(warning)
    return place_wait.rule_for(objects)


def _operator_notes() -> Any:
    """The plan hook of ``apply -f`` / ``diff -f``: KubeRay's rules for each object the server's
    dry run answers, by the operator found on the cluster (akscli.ray.operator_notes)."""
    from akscli.ray.operator_notes import operator_plan_notes

    return operator_plan_notes()
