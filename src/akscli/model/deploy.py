"""Deploying a model: the request a user's flags make and the objects for each runtime.
Plain logic: no Typer, no rich; nothing is printed."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from akscli import validate
from akscli.errors import UsageError
from akscli.model import airunway, catalog, flag_checks, kaito_names, monitoring
from akscli.model.catalog import Model
from akscli.model.kinds import (
    AIRUNWAY_API,
    AIRUNWAY_POD_LABELS,
    AIRUNWAY_VLLM_METRICS_PROVIDERS,
    AZURE_MONITOR_API,
    DEFAULT_GATEWAY,
    DEFAULT_PROMETHEUS,
    DEFAULT_QUEUE_THRESHOLD,
    DEFAULT_STORAGE_CLASS,
    DEFAULT_VLLM_IMAGE,
    DYNAMO_SYSTEM_PORT_NAME,
    DYNAMO_WORKER_SELECTOR,
    GPUS_ANNOTATION,
    KAITO_API,
    KAITO_POD_LABEL,
    KAITO_PORT,
    KAITO_SET_POD_LABEL,
    MODEL_ID_ANNOTATION,
    MODEL_LABEL,
    POD_INDEX_LABEL,
    QUEUE_METRIC,
    RUNTIME_LABEL,
    SERVICE_PORT,
    VLLM_PORT,
)
from akscli.model.planning import Fit
from akscli.model.runtime_values import (
    kaito_config_name,
    kaito_inference_config,
    kaito_scaler_annotations,
    replicas,
    served_name,
    vllm_values,
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
    # --prometheus; None: the in-cluster Prometheus that scrapes the PodMonitor (monitoring.py).
    prometheus: str | None = None
    queue_threshold: int = DEFAULT_QUEUE_THRESHOLD
    expose: bool = False
    gateway: str = DEFAULT_GATEWAY
    gateway_namespace: str | None = None
    # Whether the user named the Gateway (--gateway) rather than taking the default.
    gateway_given: bool = False
    hostname: str | None = None
    inference_pool: bool = False
    endpoint_picker: str | None = None
    image: str = DEFAULT_VLLM_IMAGE
    storage_class: str = DEFAULT_STORAGE_CLASS
    # Whether the user named them (--image, --storage-class): a flag the runtime has no use for is
    # refused, not dropped without a word.
    image_given: bool = False
    storage_class_given: bool = False
    # AI Runway's provider (spec.provider.name) for --runtime airunway.
    provider: str = "kaito"
    # The PodMonitor API the cluster serves (kinds.PODMONITOR_APIS), None where it serves none.
    monitor_api: str | None = None
    # Labels a Prometheus's podMonitorSelector asks the PodMonitor for (monitoring.select_scraper).
    monitor_labels: dict[str, str] = field(default_factory=dict)
    # Why no Prometheus would scrape the PodMonitor rendered without --autoscale (a warning).
    monitor_warning: str | None = None
    # KAITO's own InferencePool of this InferenceSet (kinds.KAITO_POOL_SUFFIX), when it exists:
    # the route goes to it, and akscli makes no second pool over the same pods.
    kaito_pool: str | None = None
    # Whether the user named the VM size (--vm-size) rather than taking the plan's.
    vm_size_given: bool = False
    fleet: bool = False
    fleet_clusters: list[str] = field(default_factory=list)
    fleet_count: int | None = None
    staged_strategy: str | None = None
    # The options given (and reused with --reuse-values), flag -> value: the revision records
    # them for the next --reuse-values (model/reuse.py).
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def managed_prometheus(self) -> bool:
        """KEDA queries an Azure Monitor workspace (the PodMonitor is Azure Monitor's)."""
        return self.runtime == "vllm" and self.autoscale is not None and self.monitor_api == AZURE_MONITOR_API

    @property
    def vm_size(self) -> str:
        return self.fit.vm_size

    @property
    def uses_inferenceset(self) -> bool:
        return self.runtime == "kaito" and (self.replicas is not None or self.autoscale is not None)

    @property
    def kind(self) -> tuple[str, str]:
        if self.runtime == "airunway":
            return (AIRUNWAY_API, "ModelDeployment")
        if self.runtime == "vllm":
            return ("apps/v1", "Deployment")
        return (KAITO_API, "InferenceSet" if self.uses_inferenceset else "Workspace")

    @property
    def placement_warning(self) -> str | None:
        """What the plan's VM size means where nothing pins the pods to it: AI Runway's kuberay
        provider reads no spec.nodeSelector (ai-runway/airunway v0.7.0
        providers/kuberay/transformer.go builds the RayService without one)."""
        if self.runtime == "airunway" and self.provider == "kuberay":
            return (
                f"AI Runway's kuberay provider pins no VM size: the plan sized {self.fit.gpus} GPU(s) on "
                f"{self.vm_size}, but the workers may run on any node with free GPUs"
            )
        return None

    @property
    def pins_vm_size(self) -> bool:
        """Whether the pods are pinned to the plan's VM size by a nodeSelector on the label
        node.kubernetes.io/instance-type (akscli's vLLM Deployment; AI Runway's providers that
        copy spec.nodeSelector). KAITO provisions nodes of its instanceType itself."""
        if self.runtime == "airunway":
            return self.provider in airunway.NODE_SELECTOR_PROVIDERS
        return self.runtime == "vllm"

    @property
    def runs_on_kaito(self) -> bool:
        return self.runtime == "kaito" or (self.runtime == "airunway" and self.provider == "kaito")

    @property
    def pod_labels(self) -> dict[str, str]:
        if self.runtime == "airunway":
            # The label each provider's pods carry with the ModelDeployment's name (kinds.AIRUNWAY_POD_LABELS).
            return {AIRUNWAY_POD_LABELS[self.provider]: self.name}
        if self.runtime == "vllm":
            return {MODEL_LABEL: self.name, "app.kubernetes.io/name": "vllm"}
        return {KAITO_SET_POD_LABEL if self.uses_inferenceset else KAITO_POD_LABEL: self.name}

    @property
    def runs_vllm_image(self) -> bool:
        """Whether --image is the serving image: akscli's Deployment, or AI Runway's providers
        that run a vLLM server image from spec.engine.image (airunway.VLLM_IMAGE_PROVIDERS)."""
        return self.runtime == "vllm" or (self.runtime == "airunway" and self.provider in airunway.VLLM_IMAGE_PROVIDERS)

    def _check_runtime_flags(self) -> None:
        """--image and --storage-class shape akscli's vLLM Deployment (and the vLLM image of AI
        Runway's vllm and llmd providers); with another runtime they would be dropped unsaid."""
        where = f"--runtime {self.runtime}" + (f" --provider {self.provider}" if self.runtime == "airunway" else "")
        if self.image_given and not self.runs_vllm_image:
            raise UsageError(
                f"--image does not apply to {where}: only --runtime vllm and AI Runway's vllm and llmd "
                "providers run the vLLM image it names",
                hint="drop --image",
            )
        if self.storage_class_given and self.runtime != "vllm":
            raise UsageError(
                f"--storage-class does not apply to {where}: only --runtime vllm makes a volume for the weights",
                hint="drop --storage-class",
            )

    @property
    def serves_vllm_metrics(self) -> bool:
        """Whether the serving pods answer vLLM's /metrics on ``metrics_port``, what the
        PodMonitor scrapes (kinds.AIRUNWAY_VLLM_METRICS_PROVIDERS for AI Runway)."""
        return self.runtime != "airunway" or self.provider in AIRUNWAY_VLLM_METRICS_PROVIDERS

    @property
    def metrics_port(self) -> str:
        """The container port the PodMonitor scrapes: "system" on Dynamo's workers, else "http"."""
        return DYNAMO_SYSTEM_PORT_NAME if self.is_dynamo else "http"

    @property
    def metrics_selector(self) -> dict[str, str]:
        """The pods the PodMonitor scrapes: the serving pods; for Dynamo its workers only, as its
        own worker PodMonitor selects them (kinds.DYNAMO_WORKER_SELECTOR)."""
        return {**self.serving_selector, **DYNAMO_WORKER_SELECTOR} if self.is_dynamo else self.serving_selector

    @property
    def is_dynamo(self) -> bool:
        return self.runtime == "airunway" and self.provider == "dynamo"

    @property
    def serving_selector(self) -> dict[str, str]:
        """The pods that answer requests: for KAITO only each Workspace's leader."""
        if not self.runs_on_kaito:
            return self.pod_labels
        return {**self.pod_labels, POD_INDEX_LABEL: "0"}

    @property
    def target_port(self) -> int:
        return KAITO_PORT if self.runs_on_kaito else VLLM_PORT

    def check(self) -> None:
        validate.name(self.name, "model deployment name", max_len=50)
        validate.name(self.namespace, "namespace")
        flag_checks.runtime(self.runtime)
        if self.replicas is not None:
            flag_checks.replicas(self.replicas)
        flag_checks.queue_threshold(self.queue_threshold)
        if self.fleet_count is not None:
            flag_checks.clusters(self.fleet_count)
        if self.access_secret:
            flag_checks.access_secret(self.access_secret)
        if not self.runs_on_kaito and self.fit.nodes > 1:
            # akscli's Deployment is one pod per replica; so is each replica of AI Runway's vllm,
            # llmd and kuberay providers, which ask resources.gpu.count GPUs of one node (ai-runway/
            # airunway v0.7.0 providers/vllm/transformer.go transformAggregated, buildResourceLimits;
            # providers/kuberay/transformer.go buildAggregatedWorkerGroup), and the dynamo provider
            # spans nodes only through a multinode override (providers/dynamo/test/e2e/testdata).
            where = "the vllm runtime" if self.runtime == "vllm" else f"AI Runway's {self.provider} provider"
            raise UsageError(
                f"{self.model.id} needs {self.fit.nodes} nodes of {self.vm_size}; "
                f"{where} runs each replica on one node",
                hint="use --runtime kaito (KAITO runs multi-node inference) or a larger --vm-size",
            )
        self._check_autoscale()
        if self.runtime == "airunway":
            airunway.check(self)
        who = "KAITO" if self.runs_on_kaito else {"vllm": "vLLM"}.get(self.runtime, f"AI Runway {self.provider}")
        catalog.require_access_secret(self.model, self.access_secret, who, self.namespace)
        if self.inference_pool and not self.expose:
            raise UsageError(
                "--inference-pool routes through the gateway, so it needs --expose",
                hint="add --expose (and --gateway NAME if yours is not 'inference-gateway')",
            )
        if self.fleet and self.runtime != "kaito":
            raise UsageError(
                "--fleet-hub places a KAITO Workspace on member clusters", hint="use --runtime kaito with --fleet-hub"
            )
        if self.fleet and (self.namespace == "default" or self.namespace.startswith(("kube-", "fleet-"))):
            raise UsageError(
                f"--fleet-hub places the whole namespace, and {self.namespace!r} is reserved on member clusters",
                hint=f"give the model its own namespace: -n {self.name}",
            )
        if self.hostname:
            flag_checks.hostname(self.hostname)
        if self.endpoint_picker:
            flag_checks.endpoint_picker(self.endpoint_picker)
        if self.staged_strategy:
            flag_checks.staged_strategy(self.staged_strategy)
        flag_checks.member(self.fleet_clusters)
        self._check_runtime_flags()
        if self.runs_vllm_image:
            flag_checks.image(self.image)
        if self.runtime == "vllm":
            flag_checks.storage_class(self.storage_class)
        if self.prometheus is not None:
            flag_checks.prometheus(self.prometheus, managed=self.managed_prometheus)
        elif self.managed_prometheus:
            raise monitoring.managed_needs_url()

    def _check_autoscale(self) -> None:
        if not self.autoscale:
            return
        low, high = self.autoscale
        if self.runtime == "vllm" and low < 1:
            # With minReplicaCount 0 KEDA itself scales between 0 and 1 on the trigger's
            # activity, value > activationThreshold (0): the queue is 0 whenever the server keeps
            # up, so a busy model is scaled to 0 after cooldownPeriod, and at 0 replicas no pod
            # reports the series, so it is never active again (kedacore/keda v2.20.2
            # pkg/scalers/prometheus_scaler.go GetMetricsAndActivity;
            # pkg/scaling/executor/scale_scaledobjects.go RequestScale, scaleToZeroOrIdle).
            raise UsageError(
                f"invalid --autoscale {low}:{high} for vLLM: KEDA scales to 0 replicas whenever no request waits "
                f"(even while requests run), and at 0 no server reports {QUEUE_METRIC}, so it never scales up again",
                hint=f"use MIN >= 1, e.g. --autoscale 1:{high}",
            )
        if self.runtime == "kaito" and (low < 1 or high < 2):
            # keda-kaito-scaler keeps at least one replica and provisions nothing for a maximum
            # of 1 (kaito-project/keda-kaito-scaler pkg/controllers/autoprovision, resolveMinReplicas
            # and autoscalingConfigValid).
            raise UsageError(
                f"invalid --autoscale {low}:{high} for KAITO: its scaler needs MIN >= 1 and MAX >= 2",
                hint="for example --autoscale 1:4",
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
            "image": self.image if self.runs_vllm_image else None,
            "fleet": self.fleet,
            "price_per_month": self.fit.price_per_month,
            "options": self.options,
        }


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
            # Azure Monitor's workspace needs KEDA's workload identity (monitoring.py).
            "auth": f"{req.name}-prometheus" if req.managed_prometheus else None,
            # ... for the workspace's own cloud (KEDA asks for the public one otherwise).
            "cloud": monitoring.keda_cloud(req.prometheus or "") if req.managed_prometheus else None,
            "threshold": str(req.queue_threshold),
            # job is "<namespace>/<PodMonitor name>" on every series the PodMonitor scrapes
            # (prometheus-operator pkg/prometheus/promcfg.go generatePodMonitorConfig; Azure
            # Monitor's target allocator runs the same generator: Azure/prometheus-collector
            # otelcollector/otel-allocator/internal/watcher/promOperator.go). Without it two
            # deployments of one model in a namespace would scale on each other's queue.
            "query": f'sum({QUEUE_METRIC}{{namespace="{req.namespace}",job="{req.namespace}/{req.name}",'
            f'model_name="{served_name(req)}"}})',
        },
    )


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
    """The HTTPRoute on --gateway to the InferencePool, else to the model's Service."""
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


def endpoint_picker(req: DeployRequest) -> str:
    """The endpoint picker Service the pool names: --endpoint-picker, else NAME-epp."""
    return req.endpoint_picker or f"{req.name}-epp"


def _short_hash(req: DeployRequest) -> str:
    import hashlib

    # What is deployed, not which flags said it: the options recorded for --reuse-values stay out.
    asked = {k: v for k, v in req.params().items() if k != "options"}
    return hashlib.sha256(json.dumps(asked, sort_keys=True).encode()).hexdigest()[:8]
