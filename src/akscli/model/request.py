"""The request a user's flags make to deploy a model, and its checks (every flag refused before
anything is rendered), AI Runway's among them (check_airunway). Plain logic: no Typer, no rich;
nothing is printed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from akscli import validate
from akscli.errors import UsageError
from akscli.fleet import selectors
from akscli.model import catalog, flag_checks, monitoring
from akscli.model.catalog import Model
from akscli.model.kinds import (
    AIRUNWAY_API,
    AIRUNWAY_LABEL,
    AIRUNWAY_NODE_SELECTOR_PROVIDERS,
    AIRUNWAY_POD_LABELS,
    AIRUNWAY_PROVIDER_CHOICES,
    AIRUNWAY_VLLM_IMAGE_PROVIDERS,
    AIRUNWAY_VLLM_METRICS_PROVIDERS,
    AZURE_MONITOR_API,
    DEFAULT_GATEWAY,
    DEFAULT_QUEUE_THRESHOLD,
    DEFAULT_ROUTE_TIMEOUT,
    DEFAULT_STORAGE_CLASS,
    DEFAULT_VLLM_IMAGE,
    DYNAMO_SYSTEM_PORT_NAME,
    DYNAMO_WORKER_SELECTOR,
    KAITO_API,
    KAITO_POD_LABEL,
    KAITO_PORT,
    KAITO_SET_POD_LABEL,
    MODEL_LABEL,
    POD_INDEX_LABEL,
    QUEUE_METRIC,
    VLLM_PORT,
    default_vllm_image,
)
from akscli.model.planning import Fit

if TYPE_CHECKING:
    from akscli.model.node_driver import Driver


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
    # --route-timeout; None: kinds.DEFAULT_ROUTE_TIMEOUT (route_request_timeout).
    route_timeout: str | None = None
    inference_pool: bool = False
    endpoint_picker: str | None = None
    image: str = DEFAULT_VLLM_IMAGE
    storage_class: str = DEFAULT_STORAGE_CLASS
    # Whether the user named them (--image, --storage-class): a flag the runtime has no use for is
    # refused, not dropped without a word.
    image_given: bool = False
    storage_class_given: bool = False
    # The default image the nodes' own driver calls for (model/node_driver.py follow), where GPU feature
    # discovery labelled the nodes of the size; None: kinds.default_vllm_image's rule by VM size.
    driver_image: str | None = None
    # The NVIDIA drivers GPU feature discovery labels the nodes of the size with, as the fit check read
    # them (model_deploy_steps.fit_to_cluster); [] where none was read.
    node_drivers: list[Driver] = field(default_factory=list)
    # --trust-remote-code: vLLM runs the model repo's own code (not with KAITO; flag_checks.trust_remote_code).
    trust_remote_code: bool = False
    # AI Runway's provider (spec.provider.name) for --runtime airunway.
    provider: str = "kaito"
    # The PodMonitor API the cluster serves (kinds.PODMONITOR_APIS), None where it serves none.
    monitor_api: str | None = None
    # Labels a Prometheus's podMonitorSelector asks the PodMonitor for (monitoring.select_scraper).
    monitor_labels: dict[str, str] = field(default_factory=dict)
    # Why no Prometheus would scrape the PodMonitor rendered without --autoscale (a warning).
    monitor_warning: str | None = None
    # With managed Prometheus: the ``cluster`` label Azure Monitor's collector puts on this
    # cluster's series in the workspace (monitoring.workspace_cluster); None where it was not read.
    workspace_cluster: str | None = None
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
    def route_request_timeout(self) -> str:
        """The --expose HTTPRoute rule's timeouts.request: --route-timeout, else akscli's default."""
        return self.route_timeout or DEFAULT_ROUTE_TIMEOUT

    @property
    def managed_prometheus(self) -> bool:
        """KEDA queries an Azure Monitor workspace (the PodMonitor is Azure Monitor's)."""
        return self.runtime == "vllm" and self.autoscale is not None and self.monitor_api == AZURE_MONITOR_API

    @property
    def queries_workspace(self) -> bool:
        """KEDA's query goes to an Azure Monitor workspace, which answers only a request with an Entra
        token: with managed Prometheus, and also where a self-managed Prometheus remote-writes the
        series there and --prometheus names the workspace (MicrosoftDocs/azure-monitor-docs
        articles/azure-monitor/metrics/prometheus-remote-write-configure.md). The trigger then needs
        KEDA's workload identity (deploy.py: the TriggerAuthentication, the workspace's cloud)."""
        asked = self.runtime == "vllm" and self.autoscale is not None and self.prometheus is not None
        return self.managed_prometheus or (asked and monitoring.is_workspace(str(self.prometheus)))

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
            return self.provider in AIRUNWAY_NODE_SELECTOR_PROVIDERS
        return self.runtime == "vllm"

    @property
    def runs_on_kaito(self) -> bool:
        return self.runtime == "kaito" or (self.runtime == "airunway" and self.provider == "kaito")

    @property
    def pod_labels(self) -> dict[str, str]:
        if self.runtime == "airunway":
            # The label each provider's pods carry with the ModelDeployment's name (kinds.AIRUNWAY_POD_LABELS).
            # --provider auto: the provider is not known yet; the label AI Runway's gateway reconciler
            # puts on the model's pods whichever it is (kinds.AIRUNWAY_LABEL, labelModelPods).
            return {AIRUNWAY_POD_LABELS.get(self.provider, AIRUNWAY_LABEL): self.name}
        if self.runtime == "vllm":
            return {MODEL_LABEL: self.name, "app.kubernetes.io/name": "vllm"}
        return {KAITO_SET_POD_LABEL if self.uses_inferenceset else KAITO_POD_LABEL: self.name}

    @property
    def serving_image(self) -> str:
        """The vLLM image the pods run: --image, else the one the nodes' driver calls for (node_driver),
        else akscli's default for the VM size (kinds.default_vllm_image: the CUDA 12.9 build where AKS's
        driver is older than CUDA 13 needs)."""
        if self.image != DEFAULT_VLLM_IMAGE or self.image_given:
            return self.image
        return self.driver_image or default_vllm_image(self.vm_size)

    @property
    def runs_vllm_image(self) -> bool:
        """Whether --image is the serving image: akscli's Deployment, or AI Runway's providers
        that run a vLLM server image from spec.engine.image (AIRUNWAY_VLLM_IMAGE_PROVIDERS)."""
        return self.runtime == "vllm" or (self.runtime == "airunway" and self.provider in AIRUNWAY_VLLM_IMAGE_PROVIDERS)

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
        if self.trust_remote_code:
            flag_checks.trust_remote_code(self.runtime, self.provider)
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
        flag_checks.service_name(self.name, self.runtime)
        if self.uses_inferenceset:
            from akscli.model import kaito_names

            kaito_names.check_set_name(self.name)
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
            check_airunway(self)
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
        if self.fleet and not selectors.placeable_namespace(self.namespace):
            # The hub would take the placement, then set Scheduled=False, InvalidResourceSelectors,
            # "namespace default is not allowed to propagate" and place nothing (kubefleet-dev/kubefleet
            # e160c1cd pkg/utils/controller/resource_selector_resolver.go fetchAllResourcesInOneNamespace).
            raise UsageError(
                f"--fleet-hub places the model's whole namespace, and "
                f"{selectors.unplaceable_namespace_reason(self.namespace)}: the hub would place nothing",
                hint=f"give the model its own namespace: -n {self.name} (or leave -n out: --fleet-hub then uses "
                "the deployment's name)",
            )
        if self.hostname:
            flag_checks.hostname(self.hostname)
        if self.route_timeout is not None:
            self._check_route_timeout(self.route_timeout)
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

    def _check_route_timeout(self, value: str) -> None:
        flag_checks.route_timeout(value)
        if self.runtime == "airunway":
            # AI Runway writes its own route, timeouts.request 300s (ai-runway/airunway v0.7.0
            # controller/internal/controller/gateway_reconciler.go buildHTTPRouteSpec).
            raise UsageError(
                "--route-timeout does not apply to --runtime airunway: AI Runway makes the HTTPRoute, with "
                "its own request timeout of 300s",
                hint="drop --route-timeout",
            )
        if not self.expose:
            raise UsageError(
                "--route-timeout sets the request timeout of the HTTPRoute, so it needs --expose",
                hint="add --expose (and --gateway NAME if yours is not 'inference-gateway'), or drop --route-timeout",
            )

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
            "image": self.serving_image if self.runs_vllm_image else None,
            "fleet": self.fleet,
            "price_per_month": self.fit.price_per_month,
            "options": self.options,
        }


def check_airunway(req: DeployRequest) -> None:
    """The flags AI Runway cannot honour, refused before anything is rendered."""
    validate.choice(req.provider, AIRUNWAY_PROVIDER_CHOICES, "--provider")
    kaito = req.provider == "kaito"
    if req.autoscale:
        # ModelDeployment has no scale subresource and AI Runway makes no autoscaler
        # (ai-runway/airunway controller/config/crd/bases/airunway.ai_modeldeployments.yaml).
        raise UsageError(
            "--autoscale has nothing to scale with --runtime airunway: a ModelDeployment has no scale "
            "subresource and AI Runway provisions no autoscaler",
            hint="use --runtime kaito --autoscale MIN:MAX (a KAITO InferenceSet)"
            + ("" if kaito else f", or --replicas N with --provider {req.provider}"),
        )
    if kaito and req.replicas is not None and req.replicas != 1:
        # The KAITO provider writes scaling.replicas into the Workspace's resource.count
        # (ai-runway/airunway v0.7.0 providers/kaito/transformer.go, buildResource), which KAITO
        # reads as the GPU node count of its one replica (kaito-project/kaito v0.12.0
        # pkg/utils/workspace/helper.go, pkg/workspace/estimator/nodesestimator/estimator.go)
        # and never lets change (api/v1beta1/workspace_validation.go, validateUpdate).
        raise UsageError(
            f"--replicas {req.replicas} with --provider kaito: AI Runway makes one Workspace and passes "
            "the count as its resource.count, which KAITO reads as GPU nodes (0 as 1), not as replicas",
            hint=f"use --runtime kaito --replicas {req.replicas} (a KAITO InferenceSet), or another --provider",
        )
    if not kaito and req.replicas is not None:
        _check_airunway_replicas(req)
    if req.provider == "kuberay" and req.vm_size_given:
        raise UsageError(
            f"--vm-size {req.vm_size} cannot be kept with --provider kuberay: AI Runway's kuberay provider "
            "sets no node selector, so its workers land on any node with free GPUs",
            hint="drop --vm-size, or use --provider vllm, dynamo or llmd (they place pods by spec.nodeSelector)",
        )
    if req.endpoint_picker:
        raise UsageError(
            "--endpoint-picker does not apply to --runtime airunway: AI Runway makes the pool and its picker",
            hint="drop --endpoint-picker",
        )
    # AI Runway's route has no hostnames and a parent it picks itself: its controller's
    # --gateway-name, the only Gateway, or the one labelled airunway.ai/inference-gateway=true
    # (ai-runway/airunway v0.7.0 controller/internal/controller/gateway_reconciler.go,
    # resolveGatewayConfig and buildHTTPRouteSpec).
    if req.hostname or req.gateway_given:
        flag = "--hostname" if req.hostname else "--gateway"
        raise UsageError(
            f"{flag} does not apply to --runtime airunway: AI Runway makes the HTTPRoute, with no hostname, on "
            "the Gateway it picks (the only one, or the one labelled airunway.ai/inference-gateway=true)",
            hint=f"drop {flag}; label the Gateway to use: kubectl label gateway -n NAMESPACE NAME "
            "airunway.ai/inference-gateway=true",
        )


# AI Runway's webhook refuses a ModelDeployment asking more (upstream: ai-runway/airunway v0.7.0
# f5fd48d1 controller/internal/webhook/v1alpha1/modeldeployment_webhook.go, MaxReplicas and
# validateResourceCeilings: "exceeds maximum allowed (32)").
AIRUNWAY_MAX_REPLICAS = 32


def _check_airunway_replicas(req: DeployRequest) -> None:
    """--replicas as the vllm, llmd, kuberay and dynamo providers read scaling.replicas."""
    replicas = int(req.replicas or 0)
    if replicas == 0:
        # Each of them runs one replica for 0: it reads the count only when it is above 0
        # (upstream: ai-runway/airunway v0.7.0 f5fd48d1 providers/vllm/transformer.go and
        # providers/llmd/transformer.go transformAggregated, providers/kuberay/transformer.go
        # buildSpec and buildAggregatedWorkerGroup, providers/dynamo/transformer.go
        # buildAggregatedWorker: `Replicas > 0`, else 1). Writing 0 would keep a GPU replica running.
        ns = "" if req.namespace == "default" else f" -n {req.namespace}"
        raise UsageError(
            f"--replicas 0 with --provider {req.provider}: AI Runway's providers run 1 replica for "
            "scaling.replicas 0 (they read only a count above 0), so the model would keep a GPU replica running",
            hint=f"to run no replica, delete the model (akscli model delete {req.name}{ns}) and deploy it again "
            "later, or use --runtime vllm --replicas 0 (akscli's Deployment scales to 0)",
        )
    if replicas > AIRUNWAY_MAX_REPLICAS:
        raise UsageError(
            f"--replicas {replicas} with --runtime airunway: AI Runway's webhook refuses scaling.replicas above "
            f"{AIRUNWAY_MAX_REPLICAS} (exceeds maximum allowed ({AIRUNWAY_MAX_REPLICAS}))",
            hint=f"use --replicas 1 to {AIRUNWAY_MAX_REPLICAS}, or --runtime vllm for more",
        )
