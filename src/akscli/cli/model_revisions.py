"""akscli model history and rollback: the revisions that deploy records, and a return to one of
them (moved out of cli/model_deploy.py); registered on the model group by ``cli/model.py``."""

from typing import Annotated

import typer

from akscli import output, validate
from akscli.cli import flag_types
from akscli.cli import options as opts
from akscli.cli.diff_status import ExitCode, check_exit_code, found, with_exit_code
from akscli.cli.model_common import DeploymentName, connect_model, on_cluster
from akscli.model import plan_view, reuse
from akscli.output import Column

# The cluster side (revisions, preflight, the apply glue) is imported inside the commands, as in
# cli/model_deploy.py: registering the commands loads none of it.

HISTORY_COLUMNS = [
    Column("Revision", "revision"),
    Column("Created", "created"),
    Column("Change", "change"),
    Column("Model", "params.model"),
    Column("Runtime", "params.runtime"),
    Column("VM size", "params.vm_size"),
    Column("Context", "params.context"),
    Column("Replicas", lambda r: reuse.replicas_shown(r["params"])),
    Column("$/month", lambda r: plan_view.usd(r["params"].get("price_per_month")), wide=True),
    Column("Options", lambda r: reuse.options_line(r["params"]), wide=True),
]


@opts.lists_no_kubernetes_objects
@on_cluster
def history_cmd(
    name: DeploymentName,
    cluster: opts.KubeFlags = opts.KubeFlags(),
    output_fmt: opts.Output = "table",
) -> None:
    """The recorded revisions of a deployed model, oldest first."""
    from akscli.model import revisions

    fmt = opts.output_format(output_fmt)
    validate.name(name, "model deployment name")
    kube, ns = connect_model(cluster, name)
    rows = [r.summary() for r in revisions.revisions(kube, name, ns)]
    if not rows:
        from akscli.model import live

        # kubectl rollout history of a name that is not there is NotFound; a model that is
        # there without records (applied by hand) has an empty history.
        live.find(kube, name, ns)
    output.emit(
        rows,
        fmt,
        HISTORY_COLUMNS,
        # The ConfigMap that records the revision (kubectl's configmap/NAME, as model delete -o name
        # lists it), where the revision number alone is no name kubectl takes.
        name=lambda r: f"configmap/{r['object_name']}",
        empty=f"No revisions recorded for {name}.",
    )


@with_exit_code  # outermost, as deploy_cmd's: an error on_cluster's connection raises exits 2 too
@on_cluster
def rollback_cmd(
    name: DeploymentName,
    to_revision: Annotated[
        int | None,
        typer.Option(
            "--to-revision", help="Revision to return to (default: the one before the latest).", show_default=False
        ),
    ] = None,
    recreate: Annotated[
        bool, typer.Option("--recreate", help="Delete and create objects whose immutable fields differ.")
    ] = False,
    cluster: opts.KubeFlags = opts.KubeFlags(),
    dry_run: flag_types.DryRun = "none",
    wait: flag_types.Wait = False,
    timeout: flag_types.Timeout = "30m",
    yes: flag_types.Yes = False,
    output_fmt: flag_types.ApplyOutput = "table",
    exit_code: ExitCode = False,
) -> None:
    """Apply the manifests of an earlier revision again (recorded as a new revision unless unchanged)."""
    from akscli.model import preflight, revisions

    mode = opts.dry_run_mode(dry_run)
    check_exit_code(exit_code, mode)
    validate.duration(timeout, "--timeout")
    validate.name(name, "model deployment name")
    history_cmd = f"akscli model history {name}" + (f" -n {cluster.namespace}" if cluster.namespace else "")
    number = (
        validate.integer(to_revision, "--to-revision", 1, 1_000_000, hint=f"list the revisions: {history_cmd}")
        if to_revision is not None
        else None
    )
    kube, ns = connect_model(cluster, name)
    history = revisions.revisions(kube, name, ns)
    if not history:
        from akscli.model import live

        # As history_cmd: a name that is not there is not found, with the close names deployed
        # (kubectl rollout undo of a Deployment that is not there is NotFound).
        live.find(kube, name, ns)
    chosen = revisions.pick_revision(history, name, ns, number)
    objects = [dict(o) for o in chosen.manifests]
    preflight.check_operators(kube, objects)
    from akscli.cli.model_rollout import Rollout

    rollout = Rollout(kube, cluster.target(), mode, yes, output_fmt, recreate, False, action="model rollback")
    rev = rollout.apply(
        objects,
        name=name,
        namespace=ns,
        params=chosen.params,
        note=f"rollback to {chosen.revision}",
        dropped=f"revision {chosen.revision} does not have",
        history=history,
    )
    if rev is None:
        found(exit_code and rollout.changed)
        return
    output.info(revisions.rollback_outcome(name, chosen.revision, rev, same=rollout.unchanged, changed=rollout.changed))
    if wait:
        rollout.wait(objects, timeout, fleet=bool(chosen.params.get("fleet")), name=name, namespace=ns, revision=rev)
