"""Deploying and operating a model: the objects for each runtime, revisions, recreate detection
and the summary rows `model list` shows. Plain logic: no Typer, no rich, no API calls."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from akscli import validate
from akscli.catalog import Model
from akscli.errors import UsageError
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


def _dig(obj: Mapping[str, Any], path: str) -> Any:
    node: Any = obj
    for part in path.split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node


def immutable_changes(desired: Mapping[str, Any], live: Mapping[str, Any] | None) -> list[str]:
    """``kind/name field: old -> new`` for each field that cannot change in place."""
    if live is None:
        return []
    api = str(desired.get("apiVersion", ""))
    group = api.split("/")[0] if "/" in api else ""
    out = []
    for path in IMMUTABLE_FIELDS.get((group, str(desired.get("kind"))), ()):
        old, new = _dig(live, path), _dig(desired, path)
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
        return _text(_dig(obj, "resource.instanceType"))
    if kind == "InferenceSet":
        return _text(_dig(obj, "spec.template.resource.instanceType"))
    sel = _dig(obj, "spec.template.spec.nodeSelector") or {}
    return _text(sel.get("node.kubernetes.io/instance-type"))


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def model_id_of(obj: Mapping[str, Any]) -> str | None:
    ann = (obj.get("metadata") or {}).get("annotations") or {}
    if MODEL_ID_ANNOTATION in ann:
        return str(ann[MODEL_ID_ANNOTATION])
    return _text(_dig(obj, "inference.preset.name") or _dig(obj, "spec.template.inference.preset.name"))


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
