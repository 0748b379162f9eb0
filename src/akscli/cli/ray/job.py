"""akscli ray job: submit, list, status, logs, stop, delete (RayJob)."""

import contextlib
import io
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from akscli import errors, output, validate
from akscli import ray as logic
from akscli.cli import common, delete_many, flag_types
from akscli.cli import options as opts
from akscli.cli.ray import job_api
from akscli.cli.ray.common import (
    JobName,
    Labels,
    Tail,
    audit,
    connection,
    delete_object,
    list_objects,
    on_cluster,
    print_logs,
    show,
    typer_app,
    warn_all,
    with_cluster_flags,
)

if TYPE_CHECKING:
    from akscli.kube.client import Kube, KubeTarget

app = typer_app("Ray jobs (RayJob): submit, follow, logs, stop.")


@app.command("submit")
@on_cluster
@with_cluster_flags
def job_submit(
    entrypoint_args: Annotated[
        list[str] | None,
        typer.Argument(
            help="The entrypoint, after --: akscli ray job submit --cluster c -- python train.py",
            show_default=False,
        ),
    ] = None,
    name: Annotated[
        str | None, typer.Option("--name", help="RayJob name (default: generated).", show_default=False)
    ] = None,
    cluster: Annotated[
        str | None,
        typer.Option(
            "--cluster", "-c", help="Run on this existing Ray cluster instead of a new one.", show_default=False
        ),
    ] = None,
    working_dir: Annotated[
        str | None,
        typer.Option(
            "--working-dir",
            help=f"Ship this directory (at most {logic.WORKDIR_LIMIT_BYTES // 1024} KiB) as the job's working_dir.",
            show_default=False,
        ),
    ] = None,
    runtime_env_file: Annotated[
        str | None,
        typer.Option(
            "--runtime-env", help="runtime_env YAML file (pip, env_vars, working_dir URI...).", show_default=False
        ),
    ] = None,
    pip: Annotated[
        list[str] | None, typer.Option("--pip", help="pip requirement (repeatable).", show_default=False)
    ] = None,
    env: Annotated[
        list[str] | None, typer.Option("--env", help="KEY=VALUE for the job (repeatable).", show_default=False)
    ] = None,
    entrypoint_cpus: Annotated[
        float | None,
        typer.Option("--entrypoint-num-cpus", help="CPUs reserved for the entrypoint.", show_default=False),
    ] = None,
    entrypoint_gpus: Annotated[
        float | None,
        typer.Option("--entrypoint-num-gpus", help="GPUs reserved for the entrypoint.", show_default=False),
    ] = None,
    entrypoint_resource: Annotated[
        list[str] | None,
        typer.Option("--entrypoint-resource", help="Custom resource NAME=AMOUNT (repeatable).", show_default=False),
    ] = None,
    shutdown: Annotated[
        bool,
        typer.Option("--shutdown/--keep-cluster", help="Delete the job's own cluster when the job ends."),
    ] = True,
    ttl: Annotated[
        str | None,
        typer.Option("--ttl", help="Keep the finished job's cluster this long (default 5m).", show_default=False),
    ] = None,
    deadline: Annotated[
        str | None,
        typer.Option("--deadline", help="Fail the job after this long (activeDeadlineSeconds).", show_default=False),
    ] = None,
    backoff_limit: Annotated[
        int | None,
        typer.Option(
            "--backoff-limit",
            help="Retry a failed job this many times, each on a new cluster (spec.backoffLimit; default 0).",
            show_default=False,
        ),
    ] = None,
    cluster_flags: logic.ClusterFlags = logic.ClusterFlags(),
    label: Labels = None,
    k8s: opts.KubeFlags = opts.KubeFlags(),
    dry_run: flag_types.DryRun = "none",
    wait: flag_types.Wait = False,
    timeout: Annotated[
        str, typer.Option("--timeout", help="How long --wait follows the job; 0 checks once and does not wait.")
    ] = "1h",
    yes: flag_types.Yes = False,
    output_format: flag_types.ApplyOutput = "table",
) -> None:
    """Submit a Ray job: a RayJob on a new cluster (flags) or an existing one (--cluster)."""
    fmt = output_format
    mode = opts.dry_run_mode(dry_run)
    wait_seconds = validate.duration(timeout, "--timeout")
    job_flags = logic.JobFlags(
        name=name,
        cluster=cluster,
        working_dir=working_dir,
        runtime_env_file=runtime_env_file,
        pip=pip or (),
        env=env or (),
        entrypoint_cpus=entrypoint_cpus,
        entrypoint_gpus=entrypoint_gpus,
        entrypoint_resources=entrypoint_resource or (),
        shutdown=shutdown,
        ttl=ttl,
        deadline=deadline,
        backoff_limit=backoff_limit,
        labels=label or (),
    )
    conn = connection(k8s, mode)
    submission = logic.job_objects(entrypoint_args or [], job_flags, cluster_flags, conn)
    warn_all(submission.warnings)
    _report_workdir(submission.workdir)
    job, ns = submission.name, conn.namespace()
    if mode != "client":  # the server's plan answers as the submit would (kubectl create --dry-run=server)
        logic.ensure_job_is_new(conn.kube(), ns, job)
    target = k8s.target()
    outcome = _apply_job(submission, target, mode, wait, yes, fmt)
    if outcome is None or outcome.kube is None:
        return
    kube = outcome.kube
    output.info(f"submitted Ray job {job}; follow it with: akscli ray job status {job} -n {ns}")
    if wait:
        # Followed from the create's answer: a state the job passes through before the follow
        # begins (a failed attempt's brief Retrying) is still reported.
        created = next((c.result for c in outcome.changes if c.obj.get("kind") == "RayJob" and c.result), None)
        final = logic.follow_job(kube, ns, job, wait_seconds, output.progress, start=created)
        _finish(kube, final, fmt)


def _apply_job(
    submission: logic.JobSubmission, target: "KubeTarget", mode: str, wait: bool, yes: bool, fmt: str
) -> "common.ApplyOutcome | None":
    """Apply a job's objects; what was applied, or None when nothing was (a dry run)."""
    # With --wait, stdout carries the job's logs (or its final object with -o json|yaml), so
    # the applied objects are reported on stderr.
    to_stderr = wait and mode == "none"
    # A stderr that is not a terminal already got one progress line per applied object: printing
    # the result there too said "created" twice.
    sink = sys.stderr if output.stderr_is_tty() else io.StringIO()
    with contextlib.redirect_stdout(sink) if to_stderr else contextlib.nullcontext():
        outcome = common.apply_objects(
            submission.objects,
            stack=f"rayjob-{submission.name}",
            target=target,
            dry_run=mode,
            yes=yes,
            output_format=fmt,
            action="ray job submit",
        )
    return outcome if mode == "none" else None


def _report_workdir(packed: logic.PackedWorkdir | None) -> None:
    if packed is None:
        return
    output.info(
        f"working directory: {packed.files} file(s), {packed.size / 1024:.1f} KiB "
        f"(limit {logic.WORKDIR_LIMIT_BYTES // 1024} KiB)"
    )
    if packed.skipped:
        output.warn(f"skipped {len(packed.skipped)} symlink(s) or special file(s): " + ", ".join(packed.skipped[:5]))


def _finish(kube: "Kube", job: dict[str, Any], fmt: str) -> None:
    """Print a finished job's output (or the job itself) and fail unless it succeeded."""
    name = job["metadata"]["name"]
    if fmt == "table":
        # A job that never started (ValidationFailed, suspended) has no output to print.
        with contextlib.suppress(errors.NotFoundError):
            _print_job_output(kube, job, None, follow=False, timeout=0)
    else:
        output.emit_object(job, fmt)
    if not logic.job_succeeded(job):
        raise logic.job_failure(job)
    output.info(f"Ray job {name} succeeded")


JOB_COLUMNS = [
    output.Column("name", "metadata.name"),
    output.Column("job status", lambda j: logic.job_phase(j)[1]),
    output.Column("deployment", lambda j: logic.job_phase(j)[0]),
    output.Column("cluster", logic.job_cluster),
    output.Column("start", "status.startTime"),
    output.Column("end", "status.endTime"),
    output.Column("age", output.age),
    output.Column("namespace", "metadata.namespace", wide=True),
    output.Column("entrypoint", logic.shown_entrypoint, wide=True),
]


@app.command("list")
@on_cluster
def job_list(
    cluster: Annotated[
        str | None,
        typer.Option(
            "--cluster",
            "-c",
            help="Only the jobs on this Ray cluster: the RayJobs that select it (submit --cluster) or made it, "
            "then the jobs submitted straight to its Ray job API (DEPLOYMENT <none>). "
            "A Ray cluster's name is its namespace's: not with -A.",
            show_default=False,
        ),
    ] = None,
    k8s: opts.KubeFlags = opts.KubeFlags(),
    all_namespaces: flag_types.AllNamespaces = False,
    selector: flag_types.Selector = None,
    output_format: opts.Output = "table",
) -> None:
    """List Ray jobs (RayJobs). With --cluster, the jobs submitted straight to that cluster's Ray
    job API (ray job submit, the Ray SDK), which are not RayJobs, follow in the table."""
    if cluster is None:
        list_objects("RayJob", JOB_COLUMNS, k8s, all_namespaces, selector, output_format)
        return
    validate.name(cluster, "Ray cluster name")
    if all_namespaces:
        # A RayCluster is a namespaced object: clusters named C in two namespaces are two clusters,
        # each with its own Ray job API (its head Service NS/C-head-svc:8265). kubectl refuses a
        # name with -A for the same reason (kubernetes/kubernetes staging/src/k8s.io/cli-runtime/
        # pkg/resource/builder.go visitByName: "a resource cannot be retrieved by name across all
        # namespaces"; akscli's opts.name_across_namespaces).
        raise errors.UsageError(
            f"a Ray cluster is named in one namespace: --cluster {cluster} does not go with -A",
            hint=f"akscli ray job list --cluster {cluster} -n NAMESPACE lists one namespace's cluster; "
            "akscli ray job list -A lists the RayJobs of every namespace",
        )
    more = _api_jobs(cluster, selector)
    list_objects(
        "RayJob",
        JOB_COLUMNS,
        k8s,
        all_namespaces,
        selector,
        output_format,
        keep=lambda job: logic.job_cluster(job) == cluster,
        more=more,
    )


def _api_jobs(cluster: str, selector: str | None) -> Any:
    """``ray job list --cluster``'s rows after the RayJobs: the jobs of the cluster's Ray job API
    that no RayJob made (akscli.ray.job_api.api_only_jobs), in the table formats only (they are not
    Kubernetes objects: -o json, yaml and name list the RayJobs and say how many were left out)."""

    def more(kube: "Kube", ns: str, rayjobs: list[dict[str, Any]], fmt: str) -> list[dict[str, Any]]:
        where = f"the Ray job API of cluster {cluster}"
        if selector:
            output.info(f"jobs submitted straight to {where} are not listed: they carry no labels for -l to match")
            return []
        try:
            rows = logic.api_only_jobs(kube, ns, cluster, rayjobs)
        except errors.AkscliError as exc:
            output.warn(f"jobs submitted straight to {where} are not listed: {exc.message}")
            return []
        if rows and fmt not in ("table", "wide", "csv"):
            output.info(f"{len(rows)} job(s) submitted straight to {where} are not RayJobs and not in -o {fmt}")
            return []
        if rows:
            output.info(f"{len(rows)} job(s) with DEPLOYMENT {logic.NOT_A_RAYJOB} were submitted straight to {where}")
        return rows

    return more


@app.command("status")
@on_cluster
def job_status(
    name: JobName,
    cluster: job_api.ApiCluster = None,
    wait: Annotated[
        bool,
        typer.Option(
            "--wait/--no-wait",
            help="Follow the job until it ends (exit 10 unless it succeeded; 4 if it is suspended), or not.",
        ),
    ] = False,
    timeout: Annotated[str, typer.Option("--timeout", help="How long --wait follows.")] = "1h",
    k8s: opts.KubeFlags = opts.KubeFlags(),
    output_format: opts.ObjectOutput = "table",
) -> None:
    """A job's phases and, while it is stuck, why (pending pods, events, GPUs, image pulls); with
    --cluster, a job on that cluster's Ray job API as Ray reports it."""
    fmt = opts.output_format(output_format, output.OBJECT_FORMATS)
    seconds = validate.duration(timeout, "--timeout")
    if cluster is not None:
        job_api.status(name, cluster, k8s, fmt, seconds if wait else None)
        return
    validate.name(name, "Ray job name")
    kube, ns = k8s.connect_ns()
    job = logic.get_object(kube, "RayJob", name, ns)
    if wait:
        job = logic.follow_job(kube, ns, name, seconds, output.progress, start=job)
    findings = [] if logic.job_succeeded(job) else logic.diagnose_job(kube, job)
    summary = logic.job_summary(job, findings)
    show(summary, logic.job_summary_fields(summary, findings, wide=fmt == "wide"), fmt, kind="rayjob.ray.io")
    if wait and not logic.job_succeeded(job):
        # --wait ends as submit --wait does: a job that ended without succeeding is exit 10 (a
        # suspended one 4: logic.job_failure), so
        # that `submit` then `status --wait` in a pipeline cannot pass a failed job.
        raise logic.job_failure(job)


@app.command("logs")
@on_cluster
def job_logs(
    name: JobName,
    cluster: job_api.ApiCluster = None,
    follow: Annotated[bool, typer.Option("--follow", "-f", help="Stream the job's output.")] = False,
    out_dir: Annotated[
        str | None, typer.Option("--out-dir", help="Write submitter and head pod logs into DIR.", show_default=False)
    ] = None,
    tail: Tail = None,
    timeout: Annotated[
        str, typer.Option("--timeout", help="With --follow: how long to wait for the job to start.")
    ] = "1h",
    k8s: opts.KubeFlags = opts.KubeFlags(),
) -> None:
    """The job's output (the submitter's log); --out-dir adds the head pod's log; with --cluster,
    the log of a job on that cluster's Ray job API."""
    seconds = validate.duration(timeout, "--timeout")
    lines = validate.tail(tail)
    if follow and out_dir:
        raise errors.UsageError(
            "--follow and --out-dir cannot be combined",
            hint="stream with --follow, or save with --out-dir",
        )
    if cluster is not None:
        if out_dir:
            raise errors.UsageError(
                "--out-dir saves a RayJob's pod logs: a job named by --cluster has its log on the Ray job API only",
                hint=f"print it, or redirect it: akscli ray job logs {name} --cluster {cluster} > {name}.log",
            )
        job_api.logs(name, cluster, k8s, lines, follow)
        return
    validate.name(name, "Ray job name")
    kube, ns = k8s.connect_ns()
    job = logic.get_object(kube, "RayJob", name, ns)
    if out_dir:
        sources = logic.job_log_sources(kube, job)
        logic.save_logs(kube, ns, sources, Path(out_dir), lines, output.info)
        # The head's session logs hold the driver's own log (job-driver-<id>.log).
        logic.save_session_logs(
            kube, ns, [s for s in sources if s.pod != sources[0].pod] or sources, Path(out_dir), output.info
        )
        return
    _print_job_output(kube, job, lines, follow=follow, timeout=seconds)


def _print_job_output(kube: "Kube", job: dict[str, Any], tail: int | None, *, follow: bool, timeout: float) -> None:
    """The job's output: its submitter's log, or the Ray job API's for an HTTPMode or InteractiveMode job."""
    source = logic.job_output_source(kube, job, follow, timeout, output.info)
    if source is not None:
        print_logs(kube, job["metadata"]["namespace"], [source], tail, follow=follow)
        return
    if follow:
        # An HTTPMode job is on its cluster's Ray job API only once KubeRay has submitted it: wait.
        ns, name = job["metadata"]["namespace"], job["metadata"]["name"]
        job = logic.wait_for_ray_job(kube, ns, name, timeout, output.info, start=job)
        # The log tail websocket's chunks (ray job logs --follow), each whole line printed as it comes.
        job_api.write_log(logic.dashboard_job_logs(kube, job, follow=True, last=tail))
        return
    # The last ``tail`` lines, none for 0, as the kubelet answers tailLines (its tail is read here,
    # from the Ray job API's whole log: ray-project/ray python/ray/dashboard/modules/job/job_head.py
    # GET /api/jobs/{id}/logs takes no tail).
    job_api.write_log(logic.dashboard_job_logs(kube, job), tail)


@app.command("stop")
@on_cluster
def job_stop(
    name: JobName,
    cluster: job_api.ApiCluster = None,
    k8s: opts.KubeFlags = opts.KubeFlags(),
    yes: flag_types.Yes = False,
    dry_run: flag_types.DryRun = "none",
    wait: Annotated[
        bool,
        typer.Option(
            "--wait/--no-wait",
            help="Wait until the job has ended (STOPPED, or whatever it reached first), as Ray's ray job stop "
            "does, or return once the stop is sent.",
        ),
    ] = True,
    timeout: flag_types.Timeout = "1h",
    output_format: opts.ObjectOutput = "table",
) -> None:
    """Stop a running job (suspends a job that owns its cluster; stops it through the
    dashboard API on a shared cluster; with --cluster, a job submitted straight to that cluster's
    Ray job API), then wait until it has ended. --dry-run reads the job to know which request it takes."""
    fmt = opts.output_format(output_format, output.OBJECT_FORMATS)
    mode = opts.dry_run_mode(dry_run)
    seconds = opts.delete_wait(wait, timeout)
    if cluster is not None:
        job_api.stop(name, cluster, k8s, yes, mode, fmt, seconds)
        return
    validate.name(name, "Ray job name")
    kube, ns = k8s.connect_ns()
    job = logic.get_object(kube, "RayJob", name, ns)
    if logic.job_finished(job):
        output.info(f"Ray job {name} already ended ({_ended(job)})")
        return
    stop = logic.job_stop(kube, job)
    if mode == "none":
        common.confirm(f"stop Ray job {name}", yes)
    running = logic.stop_job(kube, stop, dry_run=mode == "server") if mode != "client" else True
    if mode != "none":
        common.print_requests([stop.request()], fmt, mode)
        return
    audit("ray job stop", kube, f"rayjob.ray.io/{name}", "stop")
    if not running:
        output.info(f"Ray job {name} already ended: the Ray job API of cluster {stop.cluster} found it not running")
        return
    if output.structured(fmt):
        output.emit_object({"job": name, "namespace": ns, "request": stop.request()}, fmt)
    else:
        output.write(f"rayjob.ray.io/{name}" + ("" if fmt == "name" else " stopping"))
    if seconds is not None and logic.job_phase(job)[0] == "Waiting":
        # KubeRay suspends only an Initializing or Running job (ray-project/kuberay
        # ray-operator/controllers/ray/rayjob_controller.go updateStatusToSuspendingIfNeeded): a
        # Waiting one stays Waiting, suspend set, until its job ID is given; there is no end to wait for.
        output.info(f"not waiting: KubeRay suspends Ray job {name} only once its job ID is given (it is Waiting)")
    elif seconds is not None:
        # Ray's ray job stop waits for the job to exit (ray-project/ray
        # python/ray/dashboard/modules/job/cli.py stop); a RayJob has ended once KubeRay wrote a
        # terminal deployment status (Suspended for a suspended one; Complete, jobStatus STOPPED,
        # for one stopped on a shared cluster): followed by watching the RayJob.
        ended = logic.follow_job(kube, ns, name, seconds, output.progress, start=job)
        output.info(f"Ray job {name} ended: {_ended(ended)}")


def _ended(job: Mapping[str, Any]) -> str:
    """``Complete, job STOPPED``; a job stopped before Ray ran it has no job status, so only what
    KubeRay wrote (``Suspended``), not ``Suspended, job -``."""
    deployment, status = logic.job_phase(job)
    return deployment + (f", job {status}" if status != "-" else "")


def _workdir(kube: "Kube", name: str, ns: str) -> list[tuple[str, str, str, str | None]]:
    """A RayJob's working-directory ConfigMap, where there is one: `ray job delete` deletes it too."""
    configmap = logic.workdir_configmap_name(name)
    return [("v1", "ConfigMap", configmap, ns)] if kube.get("v1", "ConfigMap", configmap, namespace=ns) else []


if TYPE_CHECKING:
    JobNames = list[str] | None
else:
    JobNames = delete_many.names_argument(JobName)


@app.command("delete")
@on_cluster
@flag_types.on_delete(selects=True)
def job_delete(
    names: JobNames = None,
    cluster: job_api.ApiCluster = None,
    k8s: opts.KubeFlags = opts.KubeFlags(),
    selector: flag_types.Selector = None,
    all_: delete_many.AllRayJobs = False,
    all_namespaces: delete_many.AllNamespaces = False,
    delete: opts.DeleteFlags = opts.DeleteFlags(),
) -> None:
    """Delete RayJobs (each one's own cluster goes with it) and their working-directory
    ConfigMaps; with --cluster, one job submitted straight to that cluster's Ray job API, once it
    has ended."""
    if cluster is None:
        delete_object(
            "RayJob",
            names or [],
            "Ray job",
            k8s,
            delete,
            action="ray job delete",
            choose=(selector, all_, all_namespaces),
            also=_workdir,
        )
        return
    if len(names or []) != 1 or selector is not None or all_ or all_namespaces:
        raise errors.UsageError(
            "--cluster takes one job ID",
            hint="delete one job a time from the Ray job API: ray job delete ID --cluster C",
        )
    job_api.delete((names or [""])[0], cluster, k8s, delete)
