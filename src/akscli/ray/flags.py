"""A Ray cluster from the command line: the flags as typed, validated into a ClusterSpec, or a file."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from akscli import validate
from akscli.errors import UsageError
from akscli.ray.spec import (
    DEFAULT_GROUP,
    DEFAULT_RAY_VERSION,
    RAY_API,
    ClusterSpec,
    Placement,
    Resources,
    check_groups,
    parse_group,
    ray_version,
    resources,
    worker_group,
)

# The ClusterFlags fields whose flag is not the field's name with '-' for '_'.
_FLAG_SPELLING = {"worker_selector": "--worker-node-selector", "head_selector": "--head-node-selector"}


@dataclass(frozen=True)
class ClusterFlags:
    """The flags that describe a new Ray cluster, as typed (cluster create, job submit, service deploy)."""

    ray_version: str | None = None
    image: str | None = None
    head_cpu: str | None = None
    head_memory: str | None = None
    head_gpu: int | None = None
    worker_replicas: int | None = None
    worker_min: int | None = None
    worker_max: int | None = None
    worker_cpu: str | None = None
    worker_memory: str | None = None
    worker_gpu: int | None = None
    gpu_pool: str | None = None
    spot: bool = False
    worker_selector: Sequence[str] | None = None
    worker_group: Sequence[str] | None = None
    worker_vm_size: str | None = None
    worker_ephemeral_storage: str | None = None
    head_ephemeral_storage: str | None = None
    head_selector: Sequence[str] | None = None
    autoscaler: str | None = None
    service_account: str | None = None
    annotation: Sequence[str] | None = None

    def given(self) -> bool:
        """Whether the user described a cluster at all (every flag off means: the defaults)."""
        return bool(self.given_flags())

    def given_flags(self) -> list[str]:
        """The flags given, as typed on the command line (--spot, --worker-gpu ...), for an error
        that names what to drop."""
        return [
            _FLAG_SPELLING.get(field, "--" + field.replace("_", "-"))
            for field in self.__dataclass_fields__
            if (self.spot if field == "spot" else getattr(self, field) is not None)
        ]

    def default_group_given(self) -> bool:
        """Whether a flag of the single default worker group was given."""
        default_group = (
            self.worker_replicas,
            self.worker_min,
            self.worker_max,
            self.worker_cpu,
            self.worker_memory,
            self.worker_gpu,
            self.gpu_pool,
            self.worker_selector or None,
            self.worker_vm_size,
            self.worker_ephemeral_storage,
        )
        return self.spot or any(v is not None for v in default_group)


def cluster_spec(name: str, namespace: str, flags: ClusterFlags, labels: Sequence[str] = ()) -> ClusterSpec:
    """Validate ``flags`` into the spec of the Ray cluster ``name``."""
    if flags.worker_group and flags.default_group_given():
        raise UsageError(
            "--worker-group cannot be combined with the --worker-*, --gpu-pool and --spot flags",
            hint="put those settings into each --worker-group, e.g. --worker-group name=gpu,gpu=1,pool=gpua100,spot",
        )
    if flags.worker_group:
        groups = check_groups([parse_group(text) for text in flags.worker_group])
    else:
        groups = (
            worker_group(
                DEFAULT_GROUP,
                replicas=flags.worker_replicas,
                min_replicas=flags.worker_min,
                max_replicas=flags.worker_max,
                flags=("--worker-replicas", "--worker-min", "--worker-max"),
                cpu=flags.worker_cpu,
                memory=flags.worker_memory,
                gpu=flags.worker_gpu,
                gpu_pool=flags.gpu_pool,
                spot=flags.spot,
                node_selector=flags.worker_selector or (),
                vm=flags.worker_vm_size,
                ephemeral_storage=flags.worker_ephemeral_storage,
            ),
        )
    head = resources(
        flags.head_cpu,
        flags.head_memory,
        flags.head_gpu,
        "head",
        Resources(cpu="2", memory="8Gi"),
        ephemeral_storage=flags.head_ephemeral_storage,
    )
    return ClusterSpec(
        name=name,
        namespace=namespace,
        ray_version=ray_version(flags.ray_version) if flags.ray_version else DEFAULT_RAY_VERSION,
        image=validate.image(flags.image, "--image") if flags.image else None,
        head=head,
        head_placement=Placement(node_selector=validate.labels(flags.head_selector or (), "--head-node-selector")),
        groups=groups,
        labels=validate.labels(labels, "--label"),
        annotations=parse_annotations(flags.annotation or ()),
        service_account=validate.subdomain(flags.service_account, "--service-account")
        if flags.service_account
        else None,
        autoscaler=validate.choice(flags.autoscaler, ("v1", "v2"), "--autoscaler") if flags.autoscaler else None,
    )


def parse_annotations(pairs: Iterable[str]) -> dict[str, str]:
    """``key=value`` annotations: a qualified key, any text value (up to 4 KiB, no control characters)."""
    result: dict[str, str] = {}
    for pair in pairs:
        key, eq, value = pair.partition("=")
        if not eq:
            raise UsageError(f"invalid --annotation {pair!r}: it has no '='", hint="write --annotation KEY=VALUE")
        result[validate.label_key(key, "annotation key")] = validate.text(value, f"annotation {key}", 4096)
    return result


def load_cluster_file(text: str, source: str, name: str, namespace: str) -> dict[str, Any]:
    """The one RayCluster in a YAML file, named ``name`` in ``namespace``, refused here only for
    what KubeRay would refuse whatever its operator's gates."""
    from akscli import yamlio

    docs = yamlio.load_all(text, source, kubernetes=True)
    if len(docs) != 1 or not isinstance(docs[0], dict):
        raise UsageError(
            f"{source} must hold exactly one RayCluster",
            hint="write one apiVersion: ray.io/v1, kind: RayCluster document",
        )
    doc = docs[0]
    if doc.get("apiVersion") != RAY_API or doc.get("kind") != "RayCluster":
        raise UsageError(
            f"{source} holds {doc.get('apiVersion')} {doc.get('kind')}, not ray.io/v1 RayCluster",
            hint="start from: akscli ray cluster create NAME --dry-run=client -o yaml",
        )
    meta = doc.setdefault("metadata", {})
    if meta.get("name") and meta["name"] != name:
        raise UsageError(
            f"{source} names the cluster {meta['name']!r}, not {name!r}",
            hint="use the same name, or remove metadata.name from the file",
        )
    if meta.get("namespace") and meta["namespace"] != namespace:
        raise UsageError(
            f"{source} is for namespace {meta['namespace']!r}, not {namespace!r}",
            hint=f"pass -n {meta['namespace']}",
        )
    meta.update(name=name, namespace=namespace)
    if not isinstance(doc.get("spec"), dict) or "headGroupSpec" not in doc["spec"]:
        raise UsageError(f"{source} has no spec.headGroupSpec", hint="a RayCluster needs a head group")
    from akscli.ray.cluster_options import GATES as ALPHA_GATES
    from akscli.ray.kuberay_rules import cluster_spec_problem, upgrade_problem

    annotations = meta.get("annotations") if isinstance(meta.get("annotations"), dict) else {}
    # As apply -f's check before anything is read: the operator's Alpha gates (GCSFaultToleranceEmbeddedStorage
    # and cluster_options.GATES) are taken as on, so only the file's own content is judged here; the plan hook
    # (akscli.ray.operator_notes) judges them again by the operator found on the cluster.
    problem = cluster_spec_problem(doc["spec"], annotations, embedded=True, alpha=ALPHA_GATES) or upgrade_problem(doc)
    if problem:
        raise UsageError(
            f"{source}: KubeRay refuses this RayCluster spec: {problem}",
            hint="fix the file: KubeRay would only record a Warning event (InvalidRayClusterSpec) and start nothing",
        )
    return doc
