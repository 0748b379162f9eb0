"""What the apply engine (akscli.kube.apply) plans and runs with: the options of an apply, one
object's change (create, configure, unchanged, delete, with its diff and the server's answer), the
plan, and the tier an object is applied in (namespaces and other prerequisites first, custom
resources last)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from akscli.kube import deferred_checks
from akscli.kube.client import FIELD_MANAGER, Kube
from akscli.kube.plan_diff import object_ref

Progress = Callable[[str], None]

TIER_OF_KIND: dict[str, int] = {
    "CustomResourceDefinition": 0,
    "Namespace": 1,
    "PriorityClass": 2,
    "StorageClass": 2,
    "ServiceAccount": 2,
    "ClusterRole": 2,
    "Role": 2,
    "ClusterRoleBinding": 2,
    "RoleBinding": 2,
    "ConfigMap": 2,
    "Secret": 2,
    "PersistentVolumeClaim": 2,
    "ResourceQuota": 2,
    "LimitRange": 2,
    "Service": 3,
    "Deployment": 3,
    "StatefulSet": 3,
    "DaemonSet": 3,
    "Job": 3,
    "CronJob": 3,
    "PodDisruptionBudget": 3,
    "Pod": 3,
    "HorizontalPodAutoscaler": 3,
}
CORE_GROUPS = frozenset(
    {
        "",
        "apps",
        "batch",
        "policy",
        "rbac.authorization.k8s.io",
        "storage.k8s.io",
        "scheduling.k8s.io",
        "autoscaling",
        "apiextensions.k8s.io",
        "networking.k8s.io",
    }
)

# Requests in flight at once. An AKS API server is a network hop away (tens of ms): 16 keeps a
# 500-object apply several times faster than kubectl's one-after-another while staying far below
# the API server's defaults (MaxRequestsInFlight 400, MaxMutatingRequestsInFlight 200 in
# kubernetes/apiserver pkg/server/config.go NewConfig).
DEFAULT_PARALLEL = 16


@dataclass(frozen=True)
class ApplyOptions:
    force_conflicts: bool = False
    prune: bool = False
    parallel: int = DEFAULT_PARALLEL
    # `apply -f ... -n NS`: a namespaced object that names another namespace is refused, as
    # kubectl refuses it (k8s.io/cli-runtime pkg/resource/visitor.go, RequireNamespace).
    require_namespace: str | None = None
    # Keep each object's dry-run answer on its Change (--dry-run=server -o json|yaml prints them).
    # Off otherwise: a real apply prints what the apply answers, and 5,000 kept answers cost as
    # much memory as the objects themselves (nox -s bench's 5,000-object row).
    keep_answers: bool = False
    # What the operator of a changed object will do about the change, beyond the field diff
    # (akscli.ray.service_plan.kube_plan_notes for a RayService): lines the plan prints under the
    # object. It gets the connection, to read the objects the operator made (a RayService's clusters).
    # Called with the server's dry-run answer for a created object too (current: {}), and may raise
    # to refuse the object before anything is written (akscli apply -f: KubeRay's rules, cli/apply.py).
    notes: Callable[[Kube, Mapping[str, Any], Mapping[str, Any]], list[str]] | None = None
    # Objects (Change.ref) applied after the rest of their tier, once it is written: what must
    # reach the server after another custom resource (fleet place's placement or override,
    # akscli.fleet.placement.applied_last).
    last: frozenset[str] = frozenset()
    # kubectl create, not apply: every object must be new. The plan dry-runs a POST create and
    # execute POSTs it, so a name that is taken, even between the plan and the write, is the API
    # server's 409 AlreadyExists and never written over (upstream: kubernetes/kubernetes
    # staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go Store.Create:
    # storeerr.InterpretCreateError makes the key's existence AlreadyExists; dryrun.go
    # DryRunnableStorage.Create answers the same on a dry run).
    create_only: bool = False
    # Namespaces the command creates outside the stack, not there yet (model deploy
    # --create-namespace): their objects are dry-run as a Namespace object of the apply's own
    # would have them (apply.dry_run_create_elsewhere); a real run creates them once the plan has
    # passed (cli/common.apply_objects), so that a refused apply leaves none behind.
    new_namespaces: frozenset[str] = frozenset()
    # The stack's namespace where the objects of this apply name none (model deploy's staged update
    # run, applied in a batch of its own once its placement is scheduled): the namespace its
    # cluster-scoped objects are labelled with (render.STACK_NAMESPACE_LABEL), as in the batch before.
    home_namespace: str | None = None


@dataclass
class Change:
    obj: dict[str, Any]
    action: str  # create | configure | unchanged | delete
    diff: list[str] = field(default_factory=list)
    result: dict[str, Any] | None = None
    current: dict[str, Any] | None = None
    error: str | None = None  # why applying it failed
    # Its write was sent. Sent with no result and no error: Ctrl-C or SIGTERM cut the run while
    # the request was in flight, and the server may have taken it (its audit entry says so).
    sent: bool = False
    # The server's answer to the dry run (the object as it would be stored: defaulted and
    # admitted); None where the object could not be dry-run under its own name.
    server: dict[str, Any] | None = None
    # A webhook check the dry run could not make, since it reads a ConfigMap this apply creates
    # (akscli.kube.deferred_checks): the plan says so, and the object is sent right after it.
    deferred: deferred_checks.Deferred | None = None
    notes: list[str] = field(default_factory=list)  # ApplyOptions.notes of a configured object
    # kubectl's ``-o name`` of the object, worked out once: the plan, the progress line, the
    # applied list and the audit each name every object (four times per object before).
    ref: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.ref = object_ref(self.obj)

    @property
    def already_owned(self) -> bool:
        """Unchanged and already applied by akscli: applying again would change nothing."""
        managers = (self.current or {}).get("metadata", {}).get("managedFields") or []
        return self.action == "unchanged" and any(
            m.get("manager") == FIELD_MANAGER and m.get("operation") == "Apply" for m in managers
        )


@dataclass
class Plan:
    changes: list[Change]
    # What --prune leaves and why (a staged update run still rolling out; a cluster-scoped object
    # with no stack-namespace label): one line each, printed with the plan.
    warnings: list[str] = field(default_factory=list)

    @property
    def pending(self) -> list[Change]:
        return [c for c in self.changes if c.action != "unchanged"]

    @property
    def deletions(self) -> list[Change]:
        return [c for c in self.changes if c.action == "delete"]


def tier(obj: Mapping[str, Any]) -> int:
    kind = str(obj.get("kind"))
    api_version = str(obj.get("apiVersion", ""))
    group = api_version.split("/")[0] if "/" in api_version else ""
    if kind in TIER_OF_KIND and group in CORE_GROUPS:
        return TIER_OF_KIND[kind]
    return 3 if group in CORE_GROUPS else 4  # custom resources after what they refer to
