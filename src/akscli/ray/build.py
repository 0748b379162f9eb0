"""The objects each create command applies: a RayCluster, a RayJob (with its working directory)
or a RayService, built from validated flags and, where it matters, what the cluster holds."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from akscli import validate, yamlio
from akscli.errors import AuthError, NotFoundError, UsageError
from akscli.ray import file_refs
from akscli.ray.flags import ClusterFlags, cluster_spec, load_cluster_file
from akscli.ray.job import (
    JobSpec,
    entrypoint,
    entrypoint_resources,
    env_secret_warning,
    job_name,
    job_values,
    load_runtime_env,
    local_working_dir,
    runtime_env,
)
from akscli.ray.live import Connection, check_gpu_capacity, get_object, size_gpu_groups
from akscli.ray.service import INCREMENTAL_UPGRADE, render_service, serve_config
from akscli.ray.service_plan import kept_cluster_warning, kept_upgrade_refusal
from akscli.ray.spec import RAY_API, ClusterSpec, head_image, ray_name, render_cluster
from akscli.ray.workdir import WORKDIR_MOUNT, PackedWorkdir, pack_workdir, workdir_configmap_name, workdir_values


@dataclass
class Built:
    """Objects to apply, and warnings for the user (a GPU pool with no nodes yet ...)."""

    objects: list[dict[str, Any]]
    warnings: list[str] = field(default_factory=list)


def cluster_objects(name: str, flags: ClusterFlags, labels: Sequence[str], file: str | None, conn: Connection) -> Built:
    """The RayCluster of ``ray cluster create``: from a file, or from flags (checked for GPUs)."""
    built = _cluster_objects(name, flags, labels, file, conn)
    if not conn.offline:
        existing = conn.kube().get(RAY_API, "RayCluster", name, namespace=conn.namespace())
        built.warnings.extend(w for w in [kept_pods_warning(existing, built.objects[0])] if w)
    return built


def _pod_shape(template: Any) -> tuple[Any, ...]:
    """What akscli writes into a Ray pod template: the Ray container's image and resources, and
    the pod's node selector, tolerations and service account."""
    pod = (template or {}).get("spec") or {}
    ray = (pod.get("containers") or [{}])[0]
    return (
        ray.get("image"),
        ray.get("resources") or {},
        pod.get("nodeSelector") or {},
        pod.get("tolerations") or [],
        pod.get("serviceAccountName"),
    )


def kept_pods_warning(existing: Mapping[str, Any] | None, wanted: Mapping[str, Any]) -> str | None:
    """A warning when KubeRay will leave running pods on their old template.

    KubeRay recreates a RayCluster's pods for a changed spec only with ``upgradeStrategy.type:
    Recreate`` (ray-project/kuberay v1.7.0 ray-operator/controllers/ray/raycluster_controller.go
    shouldRecreatePodsForUpgrade); otherwise only pods it creates from then on (scale-up,
    replacements) get the new template.
    """
    if existing is None:
        return None
    old_spec, new_spec = existing.get("spec") or {}, wanted.get("spec") or {}
    if "Recreate" in [((spec.get("upgradeStrategy") or {}).get("type")) for spec in (old_spec, new_spec)]:
        return None

    def shapes(spec: Mapping[str, Any]) -> dict[str, tuple[Any, ...]]:
        found = {"head": _pod_shape((spec.get("headGroupSpec") or {}).get("template"))}
        for group in spec.get("workerGroupSpecs") or []:
            found[f"worker group {group.get('groupName')}"] = _pod_shape(group.get("template"))
        return found

    old, new = shapes(old_spec), shapes(new_spec)
    changed = [what for what in new if what in old and old[what] != new[what]]
    if not changed:
        return None
    name = existing["metadata"]["name"]
    return (
        f"Ray cluster {name} exists: KubeRay keeps its running pods ({', '.join(changed)}) on their old "
        "template and gives the change only to pods it creates from now on; set spec.upgradeStrategy.type "
        f"to Recreate, or delete and create {name} again"
    )


def _cluster_objects(
    name: str, flags: ClusterFlags, labels: Sequence[str], file: str | None, conn: Connection
) -> Built:
    ray_name(name, "RayCluster")
    if file:
        if flags.given():
            raise UsageError(
                f"-f cannot be combined with cluster flags ({', '.join(flags.given_flags())})",
                hint="edit the file, or leave out -f and use flags",
            )
        label_map = validate.labels(labels, "--label")
        text = yamlio.read_text(validate.existing_file(file, "-f file"), f"-f file {file}")
        obj = load_cluster_file(text, file, name, conn.namespace())
        if label_map:
            obj["metadata"].setdefault("labels", {}).update(label_map)
        # The file's pods name what akscli's own render names only through --service-account.
        return Built([obj], [] if conn.offline else file_refs.check(conn.kube(), obj, conn.namespace(), file))
    spec = cluster_spec(name, "", flags, labels)
    return _on_cluster(spec, conn, lambda s: [render_cluster(s)])


def _on_cluster(spec: ClusterSpec, conn: Connection, objects: Callable[[ClusterSpec], list[dict[str, Any]]]) -> Built:
    """``objects`` of a validated ``spec`` in the connection's namespace, checked for GPUs."""
    spec = replace(spec, namespace=conn.namespace())
    nodepools: dict[str, dict[str, Any] | None] = {}  # each NodePool read once: sizing, then the check
    if not conn.offline:
        spec = replace(spec, groups=size_gpu_groups(conn.kube(), spec.groups, nodepools))
    warnings = [] if conn.offline else check_gpu_capacity(conn.kube(), spec, nodepools)
    if not conn.offline and spec.service_account:
        warnings += check_service_account(conn, spec.service_account)
    return Built(objects(spec), warnings)


def check_service_account(conn: Connection, name: str) -> list[str]:
    """--service-account must name a ServiceAccount of the namespace: KubeRay makes none for a
    name the user gives ("If users specify ServiceAccountName for the head Pod, they need to create
    a ServiceAccount themselves": ray-project/kuberay feeaf72f ray-operator/controllers/ray/
    raycluster_controller.go, reconcileAutoscalerServiceAccount), and the API server refuses every
    pod that names a missing one (kubernetes/kubernetes plugin/pkg/admission/serviceaccount/
    admission.go), so the cluster would never get a head. Without RBAC to read it: a warning."""
    namespace = conn.namespace()
    try:
        found = conn.kube().get("v1", "ServiceAccount", name, namespace=namespace)
    except AuthError:
        return [f"cannot read ServiceAccount {namespace}/{name} (--service-account): not checked that it exists"]
    if found is None:
        raise NotFoundError(
            f"--service-account names ServiceAccount {namespace}/{name}, which does not exist: KubeRay makes "
            "none for a name you give, and no Ray pod could start",
            hint=f"kubectl create serviceaccount {name} -n {namespace}, or drop --service-account",
        )
    return []


def service_objects(name: str, serve_file: str, flags: ClusterFlags, labels: Sequence[str], conn: Connection) -> Built:
    """The RayService of ``ray service deploy``: a Serve config on a cluster from flags."""
    ray_name(name, "RayService")
    path = validate.existing_file(serve_file, "-f serve config")
    serve = serve_config(yamlio.read_text(path, f"-f serve config {serve_file}"), serve_file)
    label_map = validate.labels(labels, "--label")
    spec = cluster_spec(name, "", flags)
    built = _on_cluster(
        spec, conn, lambda s: render_service(name, s.namespace, serve, render_cluster(s)["spec"], label_map)
    )
    if not conn.offline:
        existing = conn.kube().get(RAY_API, "RayService", name, namespace=conn.namespace())
        built.warnings.extend(w for w in [kept_cluster_warning(existing)] if w)
        _refuse_kept_upgrade(conn.kube(), name, conn.namespace(), existing, built)
    return built


def _refuse_kept_upgrade(
    kube: Any, name: str, namespace: str, existing: Mapping[str, Any] | None, built: Built
) -> None:
    """Refuse, before anything is sent, a deploy that KubeRay would refuse for the upgradeStrategy
    the RayService keeps (service_plan.kept_upgrade_refusal), when the operator's
    RayServiceIncrementalUpgrade gate is known to be on (object_rules.operator_incremental_gate:
    one LIST of its pods, only then); unknown or off, KubeRay judges it."""
    from akscli.ray.object_rules import operator_incremental_gate

    rendered = next((o for o in built.objects if o.get("kind") == "RayService"), None)
    spec = ((rendered or {}).get("spec") or {}).get("rayClusterConfig") or {}
    problem = kept_upgrade_refusal(existing, spec)
    if problem is None or operator_incremental_gate(kube) is not True:
        return
    fix = (
        "add --autoscaler v2 (the incremental upgrade scales the new cluster with the Ray autoscaler)"
        if problem.startswith("Ray Autoscaler")
        else "fix spec.upgradeStrategy.clusterUpgradeOptions (kubectl edit rayservice)"
    )
    raise UsageError(
        f"KubeRay refuses RayService {name} as this deploy leaves it: {problem} (it keeps its upgradeStrategy "
        f"{INCREMENTAL_UPGRADE}, which ray service deploy does not set)",
        hint=f"{fix}, or set another strategy first: kubectl patch rayservice {name} -n {namespace} --type merge "
        """-p '{"spec":{"upgradeStrategy":{"type":"NewCluster","clusterUpgradeOptions":null}}}'""",
    )


@dataclass(frozen=True)
class JobFlags:
    """The flags of ``ray job submit`` that describe the job itself, as typed."""

    name: str | None = None
    cluster: str | None = None
    working_dir: str | None = None
    runtime_env_file: str | None = None
    pip: Sequence[str] = ()
    env: Sequence[str] = ()
    entrypoint_cpus: float | None = None
    entrypoint_gpus: float | None = None
    entrypoint_resources: Sequence[str] = ()
    shutdown: bool = True
    ttl: str | None = None  # None: DEFAULT_TTL, with --shutdown on the job's own cluster
    deadline: str | None = None
    backoff_limit: int | None = None
    labels: Sequence[str] = ()


@dataclass
class JobSubmission:
    """What ``ray job submit`` applies, and what to tell the user about it."""

    name: str
    objects: list[dict[str, Any]]
    warnings: list[str]
    workdir: PackedWorkdir | None


DEFAULT_TTL = "5m"


def _ttl(flags: JobFlags) -> int:
    """--ttl in seconds. A job that keeps its cluster (--keep-cluster), or runs on a shared one
    (--cluster: no shutdownAfterJobFinishes), refuses a TTL above 0 as KubeRay does (upstream:
    ray-project/kuberay v1.7.0 ray-operator/controllers/ray/utils/validation.go
    validateDeletionConfiguration), rather than leave the typed value out unsaid."""
    seconds = int(validate.duration(flags.ttl or DEFAULT_TTL, "--ttl"))
    if flags.ttl is None or seconds == 0 or (flags.shutdown and not flags.cluster):
        return seconds
    kept = "--cluster runs the job on a cluster it does not own" if flags.cluster else "--keep-cluster keeps it"
    raise UsageError(
        f"--ttl {flags.ttl} sets how long the job's own cluster outlives it, and {kept}: KubeRay refuses "
        "a RayJob with shutdownAfterJobFinishes set to false that has a TTLSecondsAfterFinished",
        hint="drop --ttl" + ("" if flags.cluster else ", or drop --keep-cluster to delete the cluster after the job"),
    )


def job_objects(
    entrypoint_args: Sequence[str], flags: JobFlags, cluster_flags: ClusterFlags, conn: Connection
) -> JobSubmission:
    """The RayJob of ``ray job submit`` and the ConfigMap of its working directory.

    Every flag is validated before the cluster is read: the cluster is needed for --cluster (its
    image runs the submitter) and for the GPU check of a new cluster.
    """
    entry = entrypoint(entrypoint_args)
    name = job_name(flags.name)
    ttl_seconds = _ttl(flags)
    deadline_seconds = _deadline(flags.deadline)
    backoff_limit = _backoff_limit(flags.backoff_limit)
    if flags.cluster:
        validate.name(flags.cluster, "--cluster")
        if cluster_flags.given():
            given = ", ".join(cluster_flags.given_flags())
            raise UsageError(
                f"--cluster runs on an existing Ray cluster: leave out the flags that describe a new one ({given})",
                hint=f"drop {given}, or drop --cluster to create a cluster for this job",
            )
        if backoff_limit:
            # upstream: ray-project/kuberay v1.7.0 ray-operator/controllers/ray/utils/validation.go
            # ValidateRayJobSpec: "BackoffLimit is incompatible with ClusterSelector mode".
            raise UsageError(
                "--backoff-limit retries a job on a new cluster each time, and KubeRay refuses it with --cluster",
                hint="drop --cluster to retry on new clusters, or drop --backoff-limit",
            )
    env_doc, packed = _runtime_env(flags)
    for what, value in (
        ("--entrypoint-num-cpus", flags.entrypoint_cpus),
        ("--entrypoint-num-gpus", flags.entrypoint_gpus),
    ):
        if value is not None:
            validate.number(value, what, 0, 1024)
    resources = entrypoint_resources(flags.entrypoint_resources)
    labels = validate.labels(flags.labels, "--label")
    new_cluster = None if flags.cluster else cluster_spec(name, "", cluster_flags)
    # Everything is validated: from here on the cluster is read.
    namespace = conn.namespace()
    secret_warning = env_secret_warning(flags.env, namespace)
    if new_cluster is None and conn.offline:
        # --dry-run=client reads no cluster: a submitter (only with a working directory) shows
        # the default image; the real submission runs it on the cluster's head image.
        built = Built([])
        submitter_image = None
        if packed:
            built.warnings.append(
                f"--dry-run=client does not read Ray cluster {flags.cluster}: the submitter shows the "
                "default image; the submission itself uses the cluster's head image"
            )
    elif new_cluster is None:
        built = Built([])
        submitter_image = head_image(get_object(conn.kube(), "RayCluster", str(flags.cluster), namespace))
    else:
        built = _on_cluster(new_cluster, conn, lambda s: [render_cluster(s)])
        submitter_image = new_cluster.image_ref
    job = JobSpec(
        name=name,
        namespace=namespace,
        entrypoint=entry,
        runtime_env_yaml=yamlio.dump(env_doc) if env_doc else None,
        cluster_selector=flags.cluster,
        entrypoint_cpus=flags.entrypoint_cpus,
        entrypoint_gpus=flags.entrypoint_gpus,
        entrypoint_resources=resources,
        shutdown_after_finish=flags.shutdown,
        ttl_seconds=ttl_seconds,
        active_deadline_seconds=deadline_seconds,
        backoff_limit=backoff_limit,
        workdir_configmap=workdir_configmap_name(name) if packed else None,
        workdir_items=tuple(packed.items) if packed else (),
        submitter_image=submitter_image,
        labels=labels,
    )
    cluster_spec_obj = built.objects[0]["spec"] if built.objects else None
    warnings = [secret_warning, *built.warnings] if secret_warning else built.warnings
    return JobSubmission(name, _render_job(job, cluster_spec_obj, packed), warnings, packed)


def _runtime_env(flags: JobFlags) -> tuple[dict[str, Any], PackedWorkdir | None]:
    """The job's runtime_env (file, then flags) and its packed local working directory."""
    base_env = None
    if flags.runtime_env_file:
        path = validate.existing_file(flags.runtime_env_file, "--runtime-env file")
        text = yamlio.read_text(path, f"--runtime-env file {flags.runtime_env_file}")
        base_env = load_runtime_env(text, flags.runtime_env_file)
    workdir = local_working_dir(flags.working_dir, base_env)
    packed = pack_workdir(Path(workdir)) if workdir else None
    env_doc = runtime_env(base_env, pip=flags.pip, env=flags.env, working_dir=WORKDIR_MOUNT if packed else None)
    return env_doc, packed


INT32_MAX = 2**31 - 1  # a CRD field of format int32


def _backoff_limit(value: int | None) -> int:
    """--backoff-limit: retries after a failed attempt, each on a new RayCluster (spec.backoffLimit:
    an int32, 0 by default in ray-project/kuberay v1.7.0 ray.io_rayjobs.yaml; ValidateRayJobSpec
    refuses a negative one)."""
    return 0 if value is None else validate.integer(value, "--backoff-limit", 0, INT32_MAX)


def _deadline(text: str | None) -> int | None:
    """--deadline in whole seconds; KubeRay reads 0 as no deadline, so it is refused."""
    if text is None:
        return None
    seconds = int(validate.duration(text, "--deadline"))
    if seconds < 1:
        raise UsageError(
            f"invalid --deadline {text!r}: a job needs at least 1s to run",
            hint="for example: --deadline 2h, or leave it out for no deadline",
        )
    return seconds


def _render_job(
    job: JobSpec, cluster_spec_obj: dict[str, Any] | None, packed: PackedWorkdir | None
) -> list[dict[str, Any]]:
    from akscli.render import render

    objects: list[dict[str, Any]] = []
    if packed:
        objects += render("ray/workdir-configmap.yaml.j2", workdir_values(job.name, job.namespace, packed))
    return objects + render("ray/rayjob.yaml.j2", job_values(job, cluster_spec_obj))
