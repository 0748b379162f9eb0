"""The kinds the emulator serves: built-in ones, and those that CustomResourceDefinitions add."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]


@dataclass
class Scale:
    spec_replicas: str = ".spec.replicas"
    status_replicas: str = ".status.replicas"
    label_selector: str | None = ".status.selector"


@dataclass
class ResourceType:
    """One served resource (group, plural) with every version it is served at."""

    group: str
    versions: list[str]
    kind: str
    plural: str
    namespaced: bool
    short_names: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    singular: str = ""
    status: bool = False
    scale: Scale | None = None
    generation: bool = True
    # Subresources served by dedicated handlers (log, proxy); anything else answers 404.
    extra_subresources: list[str] = field(default_factory=list)
    # openAPIV3Schema per version (CRDs only); None means "not validated".
    schemas: dict[str, dict[str, Any]] = field(default_factory=dict)
    printer_columns: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    verbs: list[str] = field(default_factory=lambda: list(ALL_VERBS))
    crd: bool = False
    storage_version: str = ""
    preferred_version: str = ""

    def __post_init__(self) -> None:
        if not self.singular:
            self.singular = self.kind.lower()
        if not self.storage_version:
            self.storage_version = self.versions[0]
        if not self.preferred_version:
            self.preferred_version = self.versions[0]

    @property
    def key(self) -> str:
        return f"{self.group}/{self.plural}"

    def api_version(self, version: str | None = None) -> str:
        v = version or self.preferred_version
        return f"{self.group}/{v}" if self.group else v

    @property
    def group_resource(self) -> str:
        """'deployments.apps' the way the API server names it in messages."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def group_kind(self) -> str:
        return f"{self.kind}.{self.group}" if self.group else self.kind


def _b(
    group: str,
    version: str,
    kind: str,
    plural: str,
    namespaced: bool = True,
    short: tuple[str, ...] = (),
    cats: tuple[str, ...] = (),
    status: bool = False,
    scale: bool = False,
    generation: bool = False,
    extra: tuple[str, ...] = (),
    verbs: list[str] | None = None,
) -> ResourceType:
    return ResourceType(
        group=group,
        versions=[version],
        kind=kind,
        plural=plural,
        namespaced=namespaced,
        short_names=list(short),
        categories=list(cats),
        status=status,
        scale=Scale() if scale else None,
        generation=generation,
        extra_subresources=list(extra),
        verbs=verbs if verbs is not None else list(ALL_VERBS),
    )


CREATE_ONLY = ["create"]


def builtin_types() -> list[ResourceType]:
    return [
        _b(
            "",
            "v1",
            "Namespace",
            "namespaces",
            False,
            ("ns",),
            status=True,
            verbs=["create", "delete", "get", "list", "patch", "update", "watch"],
        ),
        _b("", "v1", "Node", "nodes", False, ("no",), status=True, extra=("proxy",)),
        _b(
            "",
            "v1",
            "Pod",
            "pods",
            True,
            ("po",),
            ("all",),
            status=True,
            # no metadata.generation: kube-apiserver sets one on pods from v1.33 (kubernetes/enhancements
            # issue 5067, KEP-5067 Pod Generation: "start setting pod metadata.generation", kubernetes#130181)
            extra=("log", "exec", "attach", "portforward", "proxy", "eviction", "binding"),
        ),
        # the legacy bindings, create only (kubernetes/kubernetes pkg/registry/core/rest/storage_core.go)
        _b("", "v1", "Binding", "bindings", verbs=CREATE_ONLY),
        _b("", "v1", "Service", "services", True, ("svc",), ("all",), status=True, extra=("proxy",)),
        _b("", "v1", "ConfigMap", "configmaps", True, ("cm",)),
        _b("", "v1", "Secret", "secrets"),
        _b("", "v1", "ServiceAccount", "serviceaccounts", True, ("sa",), extra=("token",)),
        _b("", "v1", "Event", "events", True, ("ev",)),
        _b("", "v1", "Endpoints", "endpoints", True, ("ep",)),
        _b("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", True, ("pvc",), status=True),
        _b("", "v1", "PersistentVolume", "persistentvolumes", False, ("pv",), status=True),
        _b("", "v1", "ResourceQuota", "resourcequotas", True, ("quota",), status=True),
        _b("", "v1", "LimitRange", "limitranges", True, ("limits",)),
        _b("apps", "v1", "Deployment", "deployments", True, ("deploy",), ("all",), True, True, True),
        _b("apps", "v1", "StatefulSet", "statefulsets", True, ("sts",), ("all",), True, True, True),
        _b("apps", "v1", "DaemonSet", "daemonsets", True, ("ds",), ("all",), True, False, True),
        _b("apps", "v1", "ReplicaSet", "replicasets", True, ("rs",), ("all",), True, True, True),
        _b("apps", "v1", "ControllerRevision", "controllerrevisions"),
        _b("batch", "v1", "Job", "jobs", True, (), ("all",), True, False, True),
        _b("batch", "v1", "CronJob", "cronjobs", True, ("cj",), ("all",), True, False, True),
        _b("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", True, ("hpa",), ("all",), True),
        _b("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", True, ("pdb",), status=True, generation=True),
        _b("networking.k8s.io", "v1", "Ingress", "ingresses", True, ("ing",), status=True, generation=True),
        _b("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", True, ("netpol",), generation=True),
        _b("storage.k8s.io", "v1", "StorageClass", "storageclasses", False, ("sc",)),
        # upstream: kubernetes/api storage/v1 types.go CSINode (cluster-scoped, named for its node).
        _b("storage.k8s.io", "v1", "CSINode", "csinodes", False),
        # upstream: kubernetes/api storage/v1 types.go CSIDriver (cluster-scoped, named for its driver)
        # and CSIStorageCapacity (namespaced), which VolumeBinding reads.
        _b("storage.k8s.io", "v1", "CSIDriver", "csidrivers", False),
        _b("storage.k8s.io", "v1", "CSIStorageCapacity", "csistoragecapacities"),
        _b("scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses", False, ("pc",)),
        # Dynamic Resource Allocation, GA in 1.34 (upstream: kubernetes/api resource/v1/types.go:
        # DeviceClass and ResourceSlice cluster-scoped, ResourceClaim namespaced with a status,
        # ResourceClaimTemplate namespaced; no short names). Field checking against the v1.34
        # definitions (builtin_schema), validation as resource_validation.
        _b("resource.k8s.io", "v1", "DeviceClass", "deviceclasses", False, generation=True),
        _b("resource.k8s.io", "v1", "ResourceSlice", "resourceslices", False),
        _b("resource.k8s.io", "v1", "ResourceClaim", "resourceclaims", True, status=True, generation=True),
        _b("resource.k8s.io", "v1", "ResourceClaimTemplate", "resourceclaimtemplates", True),
        # upstream: kubernetes/api node/v1 types.go RuntimeClass (cluster-scoped).
        _b("node.k8s.io", "v1", "RuntimeClass", "runtimeclasses", False),
        _b("coordination.k8s.io", "v1", "Lease", "leases"),
        # upstream: kubernetes/kube-aggregator pkg/apis/apiregistration/v1/types.go APIService
        # (cluster-scoped, named VERSION.GROUP, a status with conditions). Its Available condition
        # is kept by controllers/aggregator.py; the aggregated groups' own discovery is not served.
        _b("apiregistration.k8s.io", "v1", "APIService", "apiservices", False, status=True),
        # upstream: kubernetes/api admissionregistration/v1 types.go (cluster-scoped, no short
        # names). Stored only: the lab calls no webhook they name (Istio's revision tags are read
        # from their labels: akscli/model/istio_mesh.py).
        _b(
            "admissionregistration.k8s.io", "v1", "MutatingWebhookConfiguration", "mutatingwebhookconfigurations", False
        ),
        _b(
            "admissionregistration.k8s.io",
            "v1",
            "ValidatingWebhookConfiguration",
            "validatingwebhookconfigurations",
            False,
        ),
        _b(
            "apiextensions.k8s.io",
            "v1",
            "CustomResourceDefinition",
            "customresourcedefinitions",
            False,
            ("crd", "crds"),
            ("api-extensions",),
            status=True,
            generation=True,
        ),
        _b("rbac.authorization.k8s.io", "v1", "Role", "roles"),
        _b("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings"),
        _b("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", False),
        _b("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", False),
        _b(
            "authorization.k8s.io",
            "v1",
            "SelfSubjectAccessReview",
            "selfsubjectaccessreviews",
            False,
            verbs=CREATE_ONLY,
        ),
        _b("authorization.k8s.io", "v1", "SubjectAccessReview", "subjectaccessreviews", False, verbs=CREATE_ONLY),
        _b("authentication.k8s.io", "v1", "SelfSubjectReview", "selfsubjectreviews", False, verbs=CREATE_ONLY),
    ]


# Kinds whose objects are never stored: a create answers a computed review.
VIRTUAL_KINDS = {"SelfSubjectAccessReview", "SubjectAccessReview", "SelfSubjectReview", "Binding"}


class Registry:
    """Thread-safe lookup of served resources by path segments and by (group, kind)."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._by_key: dict[str, ResourceType] = {}
        self.generation = 0
        for rt in builtin_types():
            self.add(rt)

    def add(self, rt: ResourceType) -> None:
        with self._lock:
            self._by_key[rt.key] = rt
            self.generation += 1

    def remove(self, group: str, plural: str) -> ResourceType | None:
        with self._lock:
            self.generation += 1
            return self._by_key.pop(f"{group}/{plural}", None)

    def all(self) -> list[ResourceType]:
        with self._lock:
            return list(self._by_key.values())

    def by_plural(self, group: str, version: str, plural: str) -> ResourceType | None:
        rt = self._by_key.get(f"{group}/{plural}")
        if rt is None or version not in rt.versions:
            return None
        return rt

    def by_kind(self, group: str, kind: str) -> ResourceType | None:
        with self._lock:
            for rt in self._by_key.values():
                if rt.group == group and rt.kind == kind:
                    return rt
        return None

    def by_api_version_kind(self, api_version: str, kind: str) -> ResourceType | None:
        group, _, version = api_version.rpartition("/")
        rt = self.by_kind(group, kind)
        if rt is None or version not in rt.versions:
            return None
        return rt

    def group_versions(self) -> dict[str, list[str]]:
        """group -> served versions, preferred first."""
        out: dict[str, list[str]] = {}
        with self._lock:
            for rt in self._by_key.values():
                vs = out.setdefault(rt.group, [])
                for v in [rt.preferred_version, *rt.versions]:
                    if v not in vs:
                        vs.append(v)
        return out


def split_api_version(api_version: str) -> tuple[str, str]:
    group, _, version = api_version.rpartition("/")
    return group, version
