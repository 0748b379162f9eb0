"""Deploying a model: the objects for each runtime, from the request (model/request.py).
Plain logic: no Typer, no rich; nothing is printed."""

from __future__ import annotations

import json
from typing import Any

from akscli.model import airunway, kaito_names, monitoring
from akscli.model.kinds import (
    DEFAULT_PROMETHEUS,
    GPUS_ANNOTATION,
    KAITO_PORT,
    MODEL_ID_ANNOTATION,
    MODEL_LABEL,
    QUEUE_METRIC,
    RUNTIME_LABEL,
    SERVICE_PORT,
)
from akscli.model.request import DeployRequest
from akscli.model.runtime_values import (
    kaito_config_name,
    kaito_inference_config,
    kaito_scaler_annotations,
    replicas,
    served_name,
    vllm_values,
)


def plan_runtime(runtime: str, provider: str) -> str:
    """Which plan sizes the model: KAITO's for KAITO (directly or as AI Runway's provider),
    akscli's vLLM fit for the rest."""
    return "kaito" if runtime == "kaito" or (runtime == "airunway" and provider == "kaito") else "vllm"


def initial_replicas(params: dict[str, Any]) -> int:
    """The replica count an autoscaled object is created with (``--replicas``, else the
    autoscaler's minimum): the count is the autoscaler's after that, so the rendered object has none."""
    if params.get("replicas") is not None:
        return int(params["replicas"])
    autoscale = params.get("autoscale") or [1]
    return int(autoscale[0])


def build(req: DeployRequest) -> list[dict[str, Any]]:
    """Every object a deploy applies (the revision record is separate), in apply order."""
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
    objects = _server_objects(req, base)
    if req.autoscale and req.runtime == "vllm":
        objects += _scaled_object(req, base, req.autoscale)
    if req.monitor_api and req.serves_vllm_metrics:
        objects += _pod_monitor(req, base)
    if req.runtime == "airunway":
        # With its gateway integration on, AI Runway makes the InferencePool, its endpoint
        # picker and the HTTPRoute itself (ai-runway/airunway controller/internal/controller/
        # gateway_reconciler.go): akscli makes no second set.
        return objects
    if req.inference_pool and not req.kaito_pool:
        objects += _inference_pool(req, base)
    if req.expose:
        objects += _route(req, base)
    if req.fleet:
        objects = _placement(req, base) + objects
    return objects


def _server_objects(req: DeployRequest, base: dict[str, Any]) -> list[dict[str, Any]]:
    """The model server: KAITO's inference ConfigMap where KAITO runs it, then the Workspace or
    InferenceSet, AI Runway's ModelDeployment, or akscli's own vLLM."""
    from akscli.render import render

    objects: list[dict[str, Any]] = []
    if req.runs_on_kaito:
        objects += render(
            "model/kaito-config.yaml.j2",
            {
                **base,
                "config_name": kaito_config_name(req),
                "inference_config_yaml": kaito_inference_config(req),
            },
        )
    if req.runtime == "kaito":
        values = {
            **base,
            "annotations": {**base["annotations"], **kaito_scaler_annotations(req)},
            "preset": kaito_names.preset_name(req.model),
            "node_labels": {"apps": req.name},
            "inference_config": kaito_config_name(req),
            "replicas": replicas(req),
        }
        if req.uses_inferenceset:
            # KAITO makes a Service per child Workspace only, named after the child
            # (kaito-project/kaito pkg/workspace/manifests/manifests.go, GenerateServiceManifest),
            # so the set's one address is a Service of akscli's over every child's leader.
            values.update(service_selector=req.serving_selector, target_port=KAITO_PORT)
            objects += render("model/kaito-inferenceset.yaml.j2", values)
        else:
            objects += render("model/kaito-workspace.yaml.j2", values)
    elif req.runtime == "airunway":
        objects += render("model/airunway.yaml.j2", airunway.values(req, base, kaito_config_name(req)))
    else:
        objects += render("model/vllm.yaml.j2", vllm_values(req, base))
    return objects


def _scaled_object(req: DeployRequest, base: dict[str, Any], autoscale: tuple[int, int]) -> list[dict[str, Any]]:
    """KEDA's ScaledObject over akscli's vLLM server between ``autoscale``'s counts, scaling on its queue."""
    from akscli.render import render

    api, kind = req.kind
    return render(
        "model/keda.yaml.j2",
        {
            **base,
            "target_api_version": api,
            "target_kind": kind,
            "min_replicas": autoscale[0],
            "max_replicas": autoscale[1],
            "prometheus": req.prometheus or DEFAULT_PROMETHEUS,
            # An Azure Monitor workspace needs KEDA's workload identity (request.queries_workspace).
            "auth": f"{req.name}-prometheus" if req.queries_workspace else None,
            # ... for the workspace's own cloud (KEDA asks for the public one otherwise).
            "cloud": monitoring.keda_cloud(req.prometheus or "") if req.queries_workspace else None,
            "threshold": str(req.queue_threshold),
            "query": queue_query(req),
        },
    )


def queue_query(req: DeployRequest) -> str:
    """The PromQL KEDA scales on: the queue of this deployment's pods, in this cluster.

    job is "<namespace>/<PodMonitor name>" on every series the PodMonitor scrapes
    (prometheus-operator pkg/prometheus/promcfg.go generatePodMonitorConfig; Azure Monitor's target
    allocator runs the same generator: Azure/prometheus-collector otelcollector/otel-allocator/
    internal/watcher/promOperator.go). Without it two deployments of one model in a namespace would
    scale on each other's queue. An Azure Monitor workspace takes the series of many clusters, each
    stamped with its ``cluster`` label (monitoring.workspace_cluster): without that matcher every
    cluster that runs the model in this namespace would scale on the sum of all their queues."""
    matchers = [f'namespace="{req.namespace}"', f'job="{req.namespace}/{req.name}"']
    if req.workspace_cluster is not None:
        matchers.insert(0, monitoring.cluster_matcher(req.workspace_cluster))
    matchers.append(f'model_name="{served_name(req)}"')
    return f"sum({QUEUE_METRIC}{{{','.join(matchers)}}})"


def _pod_monitor(req: DeployRequest, base: dict[str, Any]) -> list[dict[str, Any]]:
    """The PodMonitor that has Prometheus scrape the server's vLLM metrics."""
    from akscli.render import render

    return render(
        "model/podmonitor.yaml.j2",
        {
            **base,
            "labels": {**req.monitor_labels, **base["labels"]},
            "api_version": req.monitor_api,
            "selector": req.metrics_selector,
            "port": req.metrics_port,
        },
    )


def _inference_pool(req: DeployRequest, base: dict[str, Any]) -> list[dict[str, Any]]:
    """The InferencePool over the serving pods, with its endpoint picker."""
    from akscli.render import render

    return render(
        "model/inferencepool.yaml.j2",
        {
            **base,
            "pod_labels": req.serving_selector,
            "target_port": req.target_port,
            "endpoint_picker": endpoint_picker(req),
            "picker_port": PICKER_PORT,
        },
    )


def _route(req: DeployRequest, base: dict[str, Any]) -> list[dict[str, Any]]:
    """The HTTPRoute on --gateway to the InferencePool, else to the model's Service.

    The route lives in the model's namespace and its backendRef names no namespace, so it needs no
    ReferenceGrant: only a reference into another namespace does (kubernetes-sigs/gateway-api v1.6.1
    apis/v1/referencegrant_types.go, "with the exception of cross-namespace Gateway-route
    attachment"; istio/istio 1.29.6 pilot/pkg/config/kube/gateway/conversion.go buildDestination
    asks for one only when the backendRef's namespace is set and differs). A --gateway in another
    namespace is attachment, which the listener's allowedRoutes decides (gateway_checks.py)."""
    from akscli.render import render

    parent: dict[str, Any] = {"name": req.gateway}
    if req.gateway_namespace:
        parent["namespace"] = req.gateway_namespace
    backend: dict[str, Any] = (
        {"group": "inference.networking.k8s.io", "kind": "InferencePool", "name": req.kaito_pool or req.name}
        if req.inference_pool
        else {"name": req.name, "port": SERVICE_PORT}
    )
    return render(
        "model/httproute.yaml.j2",
        {
            **base,
            "parent_refs": [parent],
            "hostnames": [req.hostname] if req.hostname else [],
            "path_prefix": "/",
            "backend_refs": [backend],
            "request_timeout": req.route_request_timeout,
        },
    )


def _placement(req: DeployRequest, base: dict[str, Any]) -> list[dict[str, Any]]:
    """The Fleet objects that place the model on member clusters, applied before the model's own."""
    from akscli.render import render

    return render(
        "model/fleet.yaml.j2",
        {
            **base,
            "clusters": req.fleet_clusters,
            "placement_type": "PickN" if req.fleet_count else "PickAll",
            "number_of_clusters": req.fleet_count,
            "vm_size_property": f"kubernetes.azure.com/vm-sizes/{req.vm_size}/count",
            "on_demand_label": on_demand_label(req.vm_size),
            "min_nodes": req.fit.nodes,
            "staged_strategy": req.staged_strategy,
            "update_run": f"{req.name}-{_short_hash(req)}",
        },
    )


# A member label saying "this cluster creates nodes of this VM size on demand" (KAITO's GPU
# provisioner or node auto-provisioning), set when the member joins (akscli fleet member join
# --labels, or kubectl label membercluster). akscli's own convention: the Azure property provider
# only counts nodes that exist (kubefleet-dev/kubefleet pkg/propertyprovider/azure/trackers/nodes.go),
# so such clusters publish no count for the size until a model is placed there.
ON_DEMAND_LABEL_PREFIX = "gpu.akscli.io/"


def on_demand_label(vm_size: str) -> str:
    return ON_DEMAND_LABEL_PREFIX + vm_size


# The endpoint picker's ext_proc port: the Service port the pool's endpointPickerRef names
# (llm-d/llm-d-router v0.9.0 config/charts/routerlib templates/_service.yaml, port grpc-ext-proc
# router.epp.extProcPort, and templates/_inferencepool.yaml, both defaulting to 9002; the EPP's
# --grpc-port defaults to it too, pkg/epp/server/options.go DefaultGrpcPort).
PICKER_PORT = 9002


# llm-d-router's chart names its EPP after the release cut to 40 characters, then "-epp"
# (llm-d/llm-d-router v0.9.0 and v0.10.0 config/charts/routerlib/templates/_helpers.tpl,
# "llm-d-router.name": .Release.Name | lower | trim | trunc 40), while its InferencePool keeps the
# whole release name (templates/_inferencepool.yaml).
PICKER_NAME_BASE = 40


def endpoint_picker(req: DeployRequest) -> str:
    """The endpoint picker Service the pool names: --endpoint-picker, else the one llm-d-router's
    chart installed with release NAME makes: NAME-epp, NAME cut to its first 40 characters."""
    return req.endpoint_picker or f"{req.name[:PICKER_NAME_BASE]}-epp"


def _short_hash(req: DeployRequest) -> str:
    import hashlib

    # What is deployed, not which flags said it: the options recorded for --reuse-values stay out.
    asked = {k: v for k, v in req.params().items() if k != "options"}
    return hashlib.sha256(json.dumps(asked, sort_keys=True).encode()).hexdigest()[:8]
