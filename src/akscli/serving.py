"""Deploying and operating a model: the objects for each runtime, revisions, recreate detection,
the summary rows `model list` shows, and the reads and changes `akscli model` makes through a
``Kube`` (finding a deployed model, its events, pods and revisions; recreating; the
OpenAI-compatible calls). Plain logic: no Typer, no rich; nothing is printed."""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from akscli import skus, validate
from akscli.catalog import Model
from akscli.errors import AkscliError, NotFoundError, UsageError, WaitTimeoutError
from akscli.kube.client import Kube
from akscli.output import dig
from akscli.planning import VLLM_GPU_MEMORY_UTILIZATION, Fit

KAITO_API = "kaito.sh/v1beta1"
KEDA_API = "keda.sh/v1alpha1"
GATEWAY_API = "gateway.networking.k8s.io/v1"
POOL_API = "inference.networking.k8s.io/v1"
FLEET_API = "placement.kubernetes-fleet.io/v1"

MODEL_LABEL = "akscli.io/model"
RUNTIME_LABEL = "akscli.io/runtime"
REVISION_OF_LABEL = "akscli.io/model-revision-of"
REVISION_LABEL = "akscli.io/revision"
MODEL_ID_ANNOTATION = "akscli.io/model-id"
GPUS_ANNOTATION = "akscli.io/gpus"
# KAITO labels the pods it runs for a Workspace with the Workspace's name, and the Workspaces of
# an InferenceSet (and their pods) with the set's name.
KAITO_POD_LABEL = "kaito.sh/workspace"
KAITO_SET_POD_LABEL = "inferenceset.kaito.sh/created-by"

RUNTIMES = ("kaito", "vllm")
DEFAULT_VLLM_IMAGE = "vllm/vllm-openai:v0.11.0"
DEFAULT_STORAGE_CLASS = "managed-csi-premium"
DEFAULT_PROMETHEUS = "http://prometheus-operated.monitoring.svc.cluster.local:9090"
DEFAULT_QUEUE_THRESHOLD = 5
KAITO_PORT = 5000
VLLM_PORT = 8000
SERVICE_PORT = 80
MAX_REVISIONS = 10

# Fields the owning controller refuses to change after creation: a changed value needs the
# object deleted and created again (--recreate), never an apply that the server rejects.
IMMUTABLE_FIELDS: dict[tuple[str, str], tuple[str, ...]] = {
    ("kaito.sh", "Workspace"): ("resource.instanceType", "resource.labelSelector", "inference.preset.name"),
    ("kaito.sh", "InferenceSet"): (
        "spec.template.resource.instanceType",
        "spec.template.inference.preset.name",
        "spec.labelSelector",
    ),
    ("apps", "Deployment"): ("spec.selector",),
    ("", "PersistentVolumeClaim"): ("spec.storageClassName", "spec.accessModes"),
}


def default_name(model: Model) -> str:
    base = re.sub(r"[^a-z0-9-]+", "-", model.name.lower()).strip("-")
    return base[:50].rstrip("-") or "model"


def stack_of(name: str) -> str:
    return f"model-{name}"


def parse_autoscale(value: str) -> tuple[int, int]:
    m = re.fullmatch(r"\s*(\d+)\s*:\s*(\d+)\s*", value)
    if not m:
        raise UsageError(f"invalid --autoscale {value!r}: expected MIN:MAX", hint="for example --autoscale 1:4")
    lo, hi = int(m.group(1)), int(m.group(2))
    if hi < 1 or lo > hi or hi > 1000:
        raise UsageError(
            f"invalid --autoscale {value!r}: need 0 <= MIN <= MAX, 1 <= MAX <= 1000", hint="for example --autoscale 1:4"
        )
    return lo, hi


def parse_gateway(value: str) -> tuple[str, str | None]:
    """``NAME`` or ``NAMESPACE/NAME``."""
    ns, _, name = value.rpartition("/")
    validate.name(name, "gateway name")
    if ns:
        validate.name(ns, "gateway namespace")
    return name, ns or None


def check_fleet_flags(fleet: bool, members: Sequence[str], count: int | None, strategy: str | None) -> None:
    if (members or count or strategy) and not fleet:
        raise UsageError(
            "--member, --clusters and --staged-strategy go with --fleet",
            hint="add --fleet, with --context pointing at the fleet hub",
        )
    if members and count:
        raise UsageError(
            "give --member or --clusters, not both", hint="--member picks clusters by name; --clusters N picks N"
        )


@dataclass
class DeployRequest:
    name: str
    namespace: str
    model: Model
    runtime: str
    fit: Fit
    context: int
    replicas: int | None = None
    access_secret: str | None = None
    autoscale: tuple[int, int] | None = None
    prometheus: str = DEFAULT_PROMETHEUS
    queue_threshold: int = DEFAULT_QUEUE_THRESHOLD
    expose: bool = False
    gateway: str = "inference-gateway"
    gateway_namespace: str | None = None
    hostname: str | None = None
    inference_pool: bool = False
    endpoint_picker: str | None = None
    image: str = DEFAULT_VLLM_IMAGE
    storage_class: str = DEFAULT_STORAGE_CLASS
    fleet: bool = False
    fleet_clusters: list[str] = field(default_factory=list)
    fleet_count: int | None = None
    staged_strategy: str | None = None

    @property
    def vm_size(self) -> str:
        return self.fit.vm_size

    @property
    def uses_inferenceset(self) -> bool:
        return self.runtime == "kaito" and (self.replicas is not None or self.autoscale is not None)

    @property
    def kind(self) -> tuple[str, str]:
        if self.runtime == "vllm":
            return ("apps/v1", "Deployment")
        return (KAITO_API, "InferenceSet" if self.uses_inferenceset else "Workspace")

    @property
    def pod_labels(self) -> dict[str, str]:
        if self.runtime == "vllm":
            return {MODEL_LABEL: self.name, "app.kubernetes.io/name": "vllm"}
        return {KAITO_SET_POD_LABEL if self.uses_inferenceset else KAITO_POD_LABEL: self.name}

    @property
    def target_port(self) -> int:
        return VLLM_PORT if self.runtime == "vllm" else KAITO_PORT

    def check(self) -> None:
        validate.name(self.name, "model deployment name", max_len=50)
        validate.name(self.namespace, "namespace")
        validate.choice(self.runtime, RUNTIMES, "--runtime")
        if self.replicas is not None:
            validate.integer(self.replicas, "--replicas", 0, 1000)
        validate.integer(self.queue_threshold, "--queue-threshold", 1, 10_000)
        if self.fleet_count is not None:
            validate.integer(self.fleet_count, "--clusters", 1, 1000)
        if self.access_secret:
            validate.name(self.access_secret, "--access-secret")
        if self.runtime == "vllm" and self.fit.nodes > 1:
            raise UsageError(
                f"{self.model.id} needs {self.fit.nodes} nodes of {self.vm_size}; the vllm runtime runs on one node",
                hint="use --runtime kaito (KAITO runs multi-node inference) or a larger --vm-size",
            )
        if self.inference_pool and not self.expose:
            raise UsageError(
                "--inference-pool routes through the gateway, so it needs --expose",
                hint="add --expose (and --gateway NAME if yours is not 'inference-gateway')",
            )
        if self.fleet and self.runtime != "kaito":
            raise UsageError(
                "--fleet places a KAITO Workspace on member clusters", hint="use --runtime kaito with --fleet"
            )
        if self.fleet and (self.namespace == "default" or self.namespace.startswith(("kube-", "fleet-"))):
            raise UsageError(
                f"--fleet places the whole namespace, and {self.namespace!r} is reserved on member clusters",
                hint=f"give the model its own namespace: -n {self.name}",
            )
        if self.hostname:
            validate.subdomain(self.hostname, "--hostname")
        if self.endpoint_picker:
            validate.name(self.endpoint_picker, "--endpoint-picker")
        if self.staged_strategy:
            validate.name(self.staged_strategy, "--staged-strategy")
        for c in self.fleet_clusters:
            validate.name(c, "--member")
        if self.runtime == "vllm":
            validate.image(self.image, "--image")
            validate.name(self.storage_class, "--storage-class")
        if not re.match(r"^https?://[^\s\"'{}]+$", self.prometheus):
            raise UsageError(
                f"invalid --prometheus {self.prometheus!r}: expected an http(s) URL",
                hint=f"for example {DEFAULT_PROMETHEUS}",
            )

    def params(self) -> dict[str, Any]:
        """What was asked for, for the revision record and `model history`."""
        return {
            "name": self.name,
            "namespace": self.namespace,
            "model": self.model.id,
            "runtime": self.runtime,
            "vm_size": self.vm_size,
            "context": self.context,
            "replicas": self.replicas,
            "tensor_parallel": self.fit.tensor_parallel,
            "pipeline_parallel": self.fit.pipeline_parallel,
            "nodes": self.fit.nodes,
            "gpus": self.fit.gpus,
            "access_secret": self.access_secret,
            "autoscale": list(self.autoscale) if self.autoscale else None,
            "expose": self.expose,
            "inference_pool": self.inference_pool,
            "image": self.image if self.runtime == "vllm" else None,
            "fleet": self.fleet,
            "price_per_month": self.fit.price_per_month,
        }


def served_name(req: DeployRequest) -> str:
    """The model name the server answers to: KAITO serves a preset under its preset name."""
    return req.model.id if req.runtime == "vllm" else (req.model.preset or req.model.id)


def vllm_args(req: DeployRequest) -> list[str]:
    args = [
        "--model",
        req.model.id,
        "--served-model-name",
        req.model.id,
        "--tensor-parallel-size",
        str(req.fit.tensor_parallel),
        "--max-model-len",
        str(req.context),
        "--gpu-memory-utilization",
        str(VLLM_GPU_MEMORY_UTILIZATION),
        "--download-dir",
        "/models",
        "--port",
        str(VLLM_PORT),
    ]
    return args


def kaito_inference_config(req: DeployRequest) -> str:
    """KAITO's inference_config.yaml: its estimator and vLLM both read max-model-len here."""
    from akscli import yamlio

    return yamlio.dump({"vllm": {"max-model-len": req.context, "gpu-memory-utilization": VLLM_GPU_MEMORY_UTILIZATION}})


def pod_share(vm_size: str, gpus: int) -> dict[str, str]:
    """CPU and memory for a vLLM pod: its GPUs' share of the VM, less 20% for the node's own use.

    Requests and a memory limit make the pod Guaranteed-sized for its memory and satisfy the
    container-resources policy rule.
    """
    sku = skus.get(vm_size)
    if sku is None or not sku.gpus:
        return {"cpu_request": "4", "memory_request": "32Gi"}
    share = min(1.0, gpus / sku.gpus) * 0.8
    return {
        "cpu_request": str(max(1, math.floor(sku.vcpus * share))),
        "memory_request": f"{max(4, math.floor(sku.memory_gib * share))}Gi",
    }


def build(req: DeployRequest) -> list[dict[str, Any]]:
    """Every object a deploy applies (the revision record is separate), in apply order."""
    from akscli.render import render

    req.check()
    labels = {MODEL_LABEL: req.name, RUNTIME_LABEL: req.runtime}
    annotations = {MODEL_ID_ANNOTATION: req.model.id, GPUS_ANNOTATION: str(req.fit.gpus)}
    base = {
        "name": req.name,
        "namespace": req.namespace,
        "labels": labels,
        "annotations": annotations,
        "access_secret": req.access_secret,
        "vm_size": req.vm_size,
        "pod_labels": req.pod_labels,
    }
    objects: list[dict[str, Any]] = []
    if req.runtime == "kaito":
        config_name = f"{req.name}-inference-config"
        objects += render(
            "model/kaito-config.yaml.j2",
            {**base, "config_name": config_name, "inference_config_yaml": kaito_inference_config(req)},
        )
        values = {
            **base,
            "preset": req.model.preset or req.model.id,
            "node_labels": {"apps": req.name},
            "inference_config": config_name,
            "replicas": req.replicas if req.replicas is not None else (req.autoscale[0] if req.autoscale else 1),
        }
        template = "model/kaito-inferenceset.yaml.j2" if req.uses_inferenceset else "model/kaito-workspace.yaml.j2"
        objects += render(template, values)
    else:
        storage = max(50, math.ceil(req.model.weights_gib * 1.25 / 10) * 10)
        objects += render(
            "model/vllm.yaml.j2",
            {
                **base,
                "replicas": req.replicas if req.replicas is not None else (req.autoscale[0] if req.autoscale else 1),
                "image": req.image,
                "vllm_args": vllm_args(req),
                "gpus_per_pod": req.fit.gpus,
                **pod_share(req.vm_size, req.fit.gpus),
                "storage_class": req.storage_class,
                "storage_size": f"{storage}Gi",
                "shm_size": "16Gi",
                "node_selector": {"node.kubernetes.io/instance-type": req.vm_size},
                "tolerations": [
                    {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"},
                    {"key": "sku", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"},
                ],
            },
        )
    if req.autoscale:
        api, kind = req.kind
        objects += render(
            "model/keda.yaml.j2",
            {
                **base,
                "target_api_version": api,
                "target_kind": kind,
                "min_replicas": req.autoscale[0],
                "max_replicas": req.autoscale[1],
                "prometheus": req.prometheus,
                "threshold": str(req.queue_threshold),
                "query": f'sum(vllm:num_requests_waiting{{namespace="{req.namespace}",'
                f'model_name="{served_name(req)}"}})',
            },
        )
    if req.inference_pool:
        objects += render(
            "model/inferencepool.yaml.j2",
            {**base, "target_port": req.target_port, "endpoint_picker": req.endpoint_picker or f"{req.name}-epp"},
        )
    if req.expose:
        parent: dict[str, Any] = {"name": req.gateway}
        if req.gateway_namespace:
            parent["namespace"] = req.gateway_namespace
        backend: dict[str, Any] = (
            {"group": "inference.networking.k8s.io", "kind": "InferencePool", "name": req.name}
            if req.inference_pool
            else {"name": req.name, "port": SERVICE_PORT}
        )
        objects += render(
            "model/httproute.yaml.j2",
            {
                **base,
                "parent_refs": [parent],
                "hostnames": [req.hostname] if req.hostname else [],
                "path_prefix": "/",
                "backend_refs": [backend],
            },
        )
    if req.fleet:
        objects = (
            render(
                "model/fleet.yaml.j2",
                {
                    **base,
                    "clusters": req.fleet_clusters,
                    "placement_type": "PickN" if req.fleet_count else "PickAll",
                    "number_of_clusters": req.fleet_count,
                    "vm_size_property": f"kubernetes.azure.com/vm-sizes/{req.vm_size}/count",
                    "min_nodes": req.fit.nodes,
                    "staged_strategy": req.staged_strategy,
                    "update_run": f"{req.name}-{_short_hash(req)}",
                },
            )
            + objects
        )
    return objects


def _short_hash(req: DeployRequest) -> str:
    import hashlib

    return hashlib.sha256(json.dumps(req.params(), sort_keys=True).encode()).hexdigest()[:8]


# ---- revisions ----------------------------------------------------------------------------------


def revision_object(
    name: str,
    namespace: str,
    revision: int,
    objects: Sequence[Mapping[str, Any]],
    params: Mapping[str, Any],
    note: str = "deploy",
) -> dict[str, Any]:
    from akscli import yamlio
    from akscli.render import render

    clean = [strip_server_fields(o) for o in objects]
    return render(
        "model/revision.yaml.j2",
        {
            "name": name,
            "namespace": namespace,
            "revision": revision,
            "labels": {REVISION_OF_LABEL: name, REVISION_LABEL: str(revision)},
            "annotations": {"akscli.io/change": note, MODEL_ID_ANNOTATION: str(params.get("model"))},
            "manifests": yamlio.dump_all(clean),
            "params": json.dumps(dict(params), sort_keys=True),
        },
    )[0]


def strip_server_fields(obj: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in obj.items() if k != "status"}
    meta = {
        k: v
        for k, v in (obj.get("metadata") or {}).items()
        if k not in ("resourceVersion", "uid", "creationTimestamp", "generation", "managedFields", "selfLink")
    }
    out["metadata"] = meta
    return out


@dataclass(frozen=True)
class Revision:
    revision: int
    created: str
    change: str
    params: dict[str, Any]
    manifests: list[dict[str, Any]]
    object_name: str

    def summary(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("manifests")
        return d


def parse_revision(cm: Mapping[str, Any]) -> Revision:
    from akscli import yamlio

    meta = cm.get("metadata") or {}
    data = cm.get("data") or {}
    try:
        number = int((meta.get("labels") or {}).get(REVISION_LABEL, "0"))
        params = json.loads(data.get("params.json") or "{}")
    except (ValueError, json.JSONDecodeError) as exc:
        raise UsageError(
            f"revision record {meta.get('name')} is damaged: {exc}",
            hint=f"delete it with kubectl delete configmap {meta.get('name')}",
        ) from exc
    manifests = yamlio.load_all(data.get("manifests.yaml") or "", f"revision {number}")
    return Revision(
        revision=number,
        created=str(meta.get("creationTimestamp") or ""),
        change=str((meta.get("annotations") or {}).get("akscli.io/change", "")),
        params=params,
        manifests=manifests,
        object_name=str(meta.get("name")),
    )


def next_revision(existing: Iterable[Revision]) -> int:
    return max((r.revision for r in existing), default=0) + 1


def expired_revisions(existing: Sequence[Revision], keep: int = MAX_REVISIONS) -> list[Revision]:
    """Older records beyond ``keep``: history stays bounded however often a model is deployed."""
    return sorted(existing, key=lambda r: r.revision)[:-keep] if len(existing) > keep else []


# ---- recreate detection -----------------------------------------------------------------------


def immutable_changes(desired: Mapping[str, Any], live: Mapping[str, Any] | None) -> list[str]:
    """``kind/name field: old -> new`` for each field that cannot change in place."""
    if live is None:
        return []
    api = str(desired.get("apiVersion", ""))
    group = api.split("/")[0] if "/" in api else ""
    out = []
    for path in IMMUTABLE_FIELDS.get((group, str(desired.get("kind"))), ()):
        old, new = dig(live, path), dig(desired, path)
        if new is not None and old is not None and old != new:
            out.append(f"{desired['kind']}/{desired['metadata']['name']} {path}: {_short(old)} -> {_short(new)}")
    return out


def _short(v: Any) -> str:
    return v if isinstance(v, str) else json.dumps(v, sort_keys=True)


# ---- what `model list` and `model status` show ----------------------------------------------


def condition(obj: Mapping[str, Any], name: str) -> Mapping[str, Any] | None:
    for c in (obj.get("status") or {}).get("conditions") or []:
        if isinstance(c, Mapping) and c.get("type") == name:
            return c
    return None


def state_of(obj: Mapping[str, Any]) -> str:
    kind = obj.get("kind")
    status = obj.get("status") or {}
    if kind == "Workspace":
        conds = {c.get("type"): c for c in status.get("conditions") or []}
        for name in ("ResourceReady", "InferenceReady", "WorkspaceSucceeded"):
            c = conds.get(name)
            if c is None:
                return "Pending"
            if c.get("status") != "True":
                return str(c.get("reason") or f"{name}=False")
        return "Ready"
    if kind == "InferenceSet":
        c = condition(obj, "InferenceSetReady")
        if c and c.get("status") == "True":
            return "Ready"
        return str((c or {}).get("reason") or "Pending")
    if kind == "Deployment":
        want = (obj.get("spec") or {}).get("replicas", 1)
        ready = status.get("readyReplicas") or 0
        if want == 0:
            return "ScaledToZero"
        return "Ready" if ready >= want else "Progressing"
    return "Unknown"


def replicas_of(obj: Mapping[str, Any]) -> tuple[int, int]:
    kind = obj.get("kind")
    status = obj.get("status") or {}
    spec = obj.get("spec") or {}
    if kind == "Workspace":
        return (1 if state_of(obj) == "Ready" else 0), 1
    if kind == "InferenceSet":
        return int(status.get("readyReplicas") or 0), int(spec.get("replicas") or 0)
    return int(status.get("readyReplicas") or 0), int(spec.get("replicas") or 0)


def vm_size_of(obj: Mapping[str, Any]) -> str | None:
    kind = obj.get("kind")
    if kind == "Workspace":
        return _text(dig(obj, "resource.instanceType"))
    if kind == "InferenceSet":
        return _text(dig(obj, "spec.template.resource.instanceType"))
    sel = dig(obj, "spec.template.spec.nodeSelector") or {}
    return _text(sel.get("node.kubernetes.io/instance-type"))


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def model_id_of(obj: Mapping[str, Any]) -> str | None:
    ann = (obj.get("metadata") or {}).get("annotations") or {}
    if MODEL_ID_ANNOTATION in ann:
        return str(ann[MODEL_ID_ANNOTATION])
    return _text(dig(obj, "inference.preset.name") or dig(obj, "spec.template.inference.preset.name"))


def endpoint_of(obj: Mapping[str, Any]) -> str:
    meta = obj.get("metadata") or {}
    return f"http://{meta.get('name')}.{meta.get('namespace')}.svc.cluster.local:{SERVICE_PORT}"


def runtime_of(obj: Mapping[str, Any]) -> str:
    return "vllm" if obj.get("kind") == "Deployment" else "kaito"


def gpus_of(obj: Mapping[str, Any]) -> int | None:
    ann = (obj.get("metadata") or {}).get("annotations") or {}
    try:
        per_replica = int(ann[GPUS_ANNOTATION])
    except (KeyError, ValueError):
        return None
    return per_replica * max(replicas_of(obj)[1], 1)


def summary(obj: Mapping[str, Any]) -> dict[str, Any]:
    meta = obj.get("metadata") or {}
    ready, desired = replicas_of(obj)
    return {
        "name": meta.get("name"),
        "namespace": meta.get("namespace"),
        "model": model_id_of(obj),
        "runtime": runtime_of(obj),
        "kind": obj.get("kind"),
        "ready": ready,
        "desired": desired,
        "gpus": gpus_of(obj),
        "vm_size": vm_size_of(obj),
        "endpoint": endpoint_of(obj),
        "created": meta.get("creationTimestamp"),
        "state": state_of(obj),
    }


def fleet_members(crp: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each member cluster's copy, from the placement's per-cluster status."""
    rows = []
    for st in (crp.get("status") or {}).get("placementStatuses") or []:
        conds = {c.get("type"): c for c in st.get("conditions") or []}
        state = "Unknown"
        message = ""
        for name in ("Scheduled", "RolloutStarted", "Overridden", "WorkSynchronized", "Applied", "Available"):
            c = conds.get(name)
            if c is None:
                continue
            if c.get("status") != "True":
                state, message = f"{name}=False", str(c.get("message") or c.get("reason") or "")
                break
            state = name
        failed = st.get("failedPlacements") or []
        if failed:
            message = message or str(((failed[0].get("condition") or {}).get("message")) or "")
        rows.append(
            {
                "cluster": st.get("clusterName"),
                "state": state,
                "placement": (crp.get("metadata") or {}).get("name"),
                "message": message,
            }
        )
    return rows


# ---- the cluster side: what `akscli model` reads and changes through a Kube ----------------------

# The kinds a deployed model is served by; a Deployment counts only with the model label.
SERVING_KINDS = ((KAITO_API, "Workspace"), (KAITO_API, "InferenceSet"), ("apps/v1", "Deployment"))
# Everything a deploy can create, in deletion order (dependents before what they point at).
STACK_KINDS = (
    (KEDA_API, "ScaledObject"),
    (GATEWAY_API, "HTTPRoute"),
    (POOL_API, "InferencePool"),
    (KAITO_API, "InferenceSet"),
    (KAITO_API, "Workspace"),
    ("apps/v1", "Deployment"),
    ("v1", "Service"),
    ("v1", "PersistentVolumeClaim"),
    ("v1", "ConfigMap"),
    (FLEET_API, "ClusterStagedUpdateRun"),
    (FLEET_API, "ClusterResourcePlacement"),
)
# The kinds whose readiness means the model serves (on a fleet hub: the placement).
READY_KINDS = ("Workspace", "InferenceSet", "Deployment")
FLEET_READY_KINDS = ("ClusterResourcePlacement",)

# (apiVersion, kind, name, namespace): what common.delete_objects takes.
ObjectRef = tuple[str, str, str, str | None]


def ref(obj: Mapping[str, Any]) -> str:
    """``kind/name``, as deletions are reported."""
    return f"{str(obj['kind']).lower()}/{obj['metadata']['name']}"


def _identity(obj: Mapping[str, Any]) -> tuple[str, str, str | None, str]:
    meta = obj["metadata"]
    return (str(obj["apiVersion"]), str(obj["kind"]), meta.get("namespace"), str(meta["name"]))


def _kind_available(kube: Kube, api_version: str, kind: str) -> bool:
    """Built-in kinds always are; a CRD kind only where its operator is installed."""
    return "/" not in api_version or api_version.startswith("apps/") or kube.has_api(api_version, kind)


def check_operators(kube: Kube, objects: Iterable[Mapping[str, Any]]) -> None:
    """Name the missing operator (and its install command) before anything is applied."""
    from akscli.kube import operators

    for api_version, kind in dict.fromkeys((str(o["apiVersion"]), str(o["kind"])) for o in objects):
        if not kube.has_api(api_version, kind):
            raise operators.not_installed(api_version, kind, group_served=False)


@dataclass(frozen=True)
class ImmutableChange:
    obj: dict[str, Any]
    fields: list[str]


def immutable_conflicts(kube: Kube, objects: Iterable[dict[str, Any]]) -> list[ImmutableChange]:
    """The objects whose live copy differs in a field that cannot change in place."""
    found = []
    for obj in objects:
        meta = obj["metadata"]
        live = kube.get(obj["apiVersion"], obj["kind"], meta["name"], namespace=meta.get("namespace"))
        fields = immutable_changes(obj, live)
        if fields:
            found.append(ImmutableChange(obj, fields))
    return found


def recreate(kube: Kube, changes: Iterable[ImmutableChange]) -> None:
    """Delete each object (foreground, so its dependents go first) and wait until it is gone;
    the apply that follows creates it again."""
    for change in changes:
        obj, meta = change.obj, change.obj["metadata"]
        kube.delete(
            obj["apiVersion"], obj["kind"], meta["name"], namespace=meta.get("namespace"), propagation="Foreground"
        )
        wait_deleted(kube, obj)


def wait_deleted(kube: Kube, obj: Mapping[str, Any], timeout: float = 300.0) -> None:
    api_version, kind, namespace, name = _identity(obj)
    deadline = time.monotonic() + timeout
    while kube.get(api_version, kind, name, namespace=namespace) is not None:
        left = deadline - time.monotonic()
        if left <= 0:
            raise WaitTimeoutError(
                f"{kind}/{name} was not deleted within {timeout:g}s",
                hint="check its finalizers with kubectl get -o yaml",
            )
        events = kube.watch(api_version, kind, namespace=namespace, name=name, timeout_seconds=max(1, int(left)))
        if any(event == "DELETED" for event, _ in events):
            return


def revisions(kube: Kube, name: str, namespace: str) -> list[Revision]:
    """The recorded revisions of a deployed model, oldest first."""
    found = kube.list("v1", "ConfigMap", namespace=namespace, label_selector=f"{REVISION_OF_LABEL}={name}")
    return sorted((parse_revision(cm) for cm in found), key=lambda r: r.revision)


def stale_objects(history: Sequence[Revision], objects: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """What the latest recorded deploy applied and this one no longer renders (an autoscaler
    or route dropped, a runtime switched): known from the revision record, so no scan of
    every API type is needed."""
    if not history:
        return []
    wanted = {_identity(o) for o in objects}
    return [o for o in history[-1].manifests if _identity(o) not in wanted]


def delete_stale(kube: Kube, stale: Iterable[Mapping[str, Any]]) -> list[str]:
    """Delete what a deploy no longer renders; returns the ``kind/name`` of each deleted."""
    deleted = []
    for obj in stale:
        api_version, kind, namespace, name = _identity(obj)
        if kube.delete(api_version, kind, name, namespace=namespace):
            deleted.append(ref(obj))
    return deleted


def record_revision(
    kube: Kube,
    name: str,
    namespace: str,
    objects: Sequence[Mapping[str, Any]],
    params: Mapping[str, Any],
    note: str,
    existing: Sequence[Revision],
) -> int:
    """Store the applied manifests as the next revision and drop records beyond the limit."""
    number = next_revision(existing)
    kube.apply(revision_object(name, namespace, number, objects, params, note))
    placeholder = Revision(number, "", "", {}, [], "")
    for old in expired_revisions([*existing, placeholder]):
        kube.delete("v1", "ConfigMap", old.object_name, namespace=namespace)
    return number


def pick_revision(history: Sequence[Revision], name: str, namespace: str, number: int | None) -> Revision:
    """The revision ``model rollback`` returns to: ``number``, else the one before the latest."""
    if not history:
        raise NotFoundError(
            f"no revisions recorded for {name} in namespace {namespace}",
            hint="revisions are recorded by akscli model deploy",
        )
    if number is None:
        if len(history) < 2:
            raise UsageError(
                f"{name} has only revision {history[0].revision}; nothing to roll back to",
                hint=f"see akscli model history {name}",
            )
        return history[-2]
    for rev in history:
        if rev.revision == number:
            return rev
    raise NotFoundError(
        f"{name} has no revision {number}", hint="recorded: " + ", ".join(str(r.revision) for r in history)
    )


def objects_to_wait_for(objects: Iterable[dict[str, Any]], *, fleet: bool) -> list[dict[str, Any]]:
    kinds = FLEET_READY_KINDS if fleet else READY_KINDS
    return [o for o in objects if o["kind"] in kinds]


def _is_inferenceset_member(obj: Mapping[str, Any]) -> bool:
    """A Workspace an InferenceSet made: shown through its set, not on its own."""
    meta = obj.get("metadata") or {}
    owners = meta.get("ownerReferences") or []
    return KAITO_SET_POD_LABEL in (meta.get("labels") or {}) or any(o.get("kind") == "InferenceSet" for o in owners)


def deployed_models(kube: Kube, *, namespace: str | None, all_namespaces: bool) -> list[dict[str, Any]]:
    """The summary row of every deployed model, by namespace and name."""
    found = []
    for api_version, kind in SERVING_KINDS:
        if not _kind_available(kube, api_version, kind):
            continue
        selector = MODEL_LABEL if kind == "Deployment" else None
        for obj in kube.list(
            api_version, kind, namespace=namespace, all_namespaces=all_namespaces, label_selector=selector
        ):
            if kind == "Workspace" and _is_inferenceset_member(obj):
                continue
            found.append(summary(obj))
    return sorted(found, key=lambda r: (r["namespace"], r["name"]))


def fleet_placements(kube: Kube) -> list[dict[str, Any]]:
    """One row per member cluster of each model placed through the fleet."""
    rows = []
    for crp in kube.list(FLEET_API, "ClusterResourcePlacement", label_selector=MODEL_LABEL):
        model = ((crp.get("metadata") or {}).get("labels") or {}).get(MODEL_LABEL)
        members = fleet_members(crp) or [{"cluster": "-", "state": "Pending", "message": "not scheduled yet"}]
        rows += [{"name": model, **m} for m in members]
    return rows


def find(kube: Kube, name: str, namespace: str) -> dict[str, Any]:
    """The object serving the deployed model ``name`` (Workspace, InferenceSet or Deployment)."""
    for api_version, kind in SERVING_KINDS:
        if not _kind_available(kube, api_version, kind):
            continue
        obj = kube.get(api_version, kind, name, namespace=namespace)
        if obj is None or (
            kind == "Deployment" and MODEL_LABEL not in ((obj.get("metadata") or {}).get("labels") or {})
        ):
            continue
        obj.setdefault("apiVersion", api_version)
        obj.setdefault("kind", kind)
        return obj
    raise NotFoundError(
        f"model deployment {name} not found in namespace {namespace}",
        hint=f"list them with: akscli model list -n {namespace}",
    )


def conditions(obj: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [
        {"type": c.get("type"), "status": c.get("status"), "reason": c.get("reason"), "message": c.get("message")}
        for c in dig(obj, "status.conditions") or []
    ]


def recent_events(kube: Kube, obj: Mapping[str, Any], limit: int = 10) -> list[dict[str, Any]]:
    """The last ``limit`` events about the object, oldest first."""
    meta = obj["metadata"]
    events = list(
        kube.list(
            "v1",
            "Event",
            namespace=meta.get("namespace"),
            field_selector=f"involvedObject.name={meta['name']}",
            page_size=100,
        )
    )
    events.sort(key=lambda e: str(e.get("lastTimestamp") or e.get("eventTime") or ""))
    return [
        {
            "type": e.get("type"),
            "reason": e.get("reason"),
            "message": e.get("message"),
            "time": e.get("lastTimestamp") or e.get("eventTime"),
            "object": f"{dig(e, 'involvedObject.kind')}/{meta['name']}",
        }
        for e in events[-limit:]
    ]


def status_report(kube: Kube, obj: Mapping[str, Any]) -> dict[str, Any]:
    """What `model status` shows: the summary row, the conditions and the recent events."""
    return {**summary(obj), "conditions": conditions(obj), "events": recent_events(kube, obj)}


def served_models(kube: Kube, obj: Mapping[str, Any]) -> list[str]:
    """The model ids the server lists at /v1/models (through the API server's service proxy)."""
    meta = obj["metadata"]
    status, body = kube.proxy(meta["namespace"], meta["name"], SERVICE_PORT, "/v1/models")
    if status != 200:
        raise AkscliError(
            f"GET /v1/models on {meta['name']} answered HTTP {status}",
            hint=f"check the model with: akscli model status {meta['name']}",
        )
    try:
        return [str(m["id"]) for m in json.loads(body)["data"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise AkscliError(
            f"/v1/models on {meta['name']} did not answer an OpenAI model list", hint="is the server OpenAI-compatible?"
        ) from exc


@dataclass(frozen=True)
class ChatReply:
    model: str
    reply: str
    latency_seconds: float
    usage: dict[str, Any] | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def chat(kube: Kube, obj: Mapping[str, Any], prompt: str, max_tokens: int) -> ChatReply:
    """One chat completion against the first model the server lists, timed."""
    name = obj["metadata"]["name"]
    served = served_models(kube, obj)
    if not served:
        raise AkscliError(f"{name} serves no model yet", hint=f"wait for it: akscli model status {name}")
    body = {"model": served[0], "messages": [{"role": "user", "content": prompt}], "max_tokens": max_tokens}
    started = time.monotonic()
    status, raw = kube.proxy(
        obj["metadata"]["namespace"], name, SERVICE_PORT, "/v1/chat/completions", method="POST", body=body
    )
    latency = time.monotonic() - started
    if status != 200:
        raise AkscliError(
            f"chat completion on {name} answered HTTP {status}: {raw[:200].decode('utf-8', 'replace')}",
            hint=f"see the server's logs: akscli model logs {name}",
        )
    try:
        answer = json.loads(raw)
        reply = str(answer["choices"][0]["message"]["content"])
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise AkscliError(
            f"{name} answered something that is not a chat completion", hint="is the server OpenAI-compatible?"
        ) from exc
    return ChatReply(served[0], reply, round(latency, 3), answer.get("usage"))


def pod_selector(obj: Mapping[str, Any]) -> str:
    """The label selector of the server pods: KAITO labels them itself, vLLM ones carry ours."""
    name = obj["metadata"]["name"]
    label = {"Workspace": KAITO_POD_LABEL, "InferenceSet": KAITO_SET_POD_LABEL}.get(str(obj["kind"]), MODEL_LABEL)
    return f"{label}={name}"


def server_pods(kube: Kube, obj: Mapping[str, Any]) -> list[str]:
    name, namespace = obj["metadata"]["name"], obj["metadata"]["namespace"]
    pods = sorted(
        p["metadata"]["name"] for p in kube.list("v1", "Pod", namespace=namespace, label_selector=pod_selector(obj))
    )
    if not pods:
        raise NotFoundError(f"{name} has no pods yet", hint=f"see why with: akscli model status {name}")
    return pods


def stack_refs(kube: Kube, name: str, namespace: str, *, keep_history: bool) -> list[ObjectRef]:
    """Every object a deploy of ``name`` created (and, unless kept, its revision records)."""
    selector = f"akscli.io/stack={stack_of(name)}"
    refs: list[ObjectRef] = []
    for api_version, kind in STACK_KINDS:
        if not _kind_available(kube, api_version, kind):
            continue
        scope = None if api_version == FLEET_API else namespace
        for obj in kube.list(api_version, kind, namespace=scope, label_selector=selector):
            refs.append((api_version, kind, obj["metadata"]["name"], scope))
    if not keep_history:
        refs += [("v1", "ConfigMap", rev.object_name, namespace) for rev in revisions(kube, name, namespace)]
    if not refs:
        raise NotFoundError(
            f"model deployment {name} not found in namespace {namespace}",
            hint=f"list them with: akscli model list -n {namespace}",
        )
    return refs
