"""The API kinds, labels, annotations and ports a deployed model is made of, shared by the
deploy, revision and cluster-read modules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

KAITO_API = "kaito.sh/v1beta1"
KEDA_API = "keda.sh/v1alpha1"
GATEWAY_API = "gateway.networking.k8s.io/v1"
POOL_API = "inference.networking.k8s.io/v1"
# Istio's Gateway API controller (istio/istio 1.29.6 pilot/pkg/features/pilot.go,
# ManagedGatewayController: PILOT_GATEWAY_API_CONTROLLER_NAME, this by default), the controllerName
# of the Istio add-on's class (istio) and the one its route statuses carry.
ISTIO_CONTROLLER = "istio.io/gateway-controller"
# The application routing add-on's Gateway API class, which "deploys a lightweight, Istio control
# plane that only reconciles Gateway API resources belonging to the approuting-istio GatewayClass"
# (MicrosoftDocs/azure-aks-docs fb060abe articles/aks/app-routing-nginx-to-gateway-api-migration.md;
# app-routing-gateway-api.md names the class). No published source gives that class's
# controllerName (Azure/aks-app-routing-operator 3c53beff matches Gateways by class name only:
# pkg/controller/keyvault/spc/gateway.go), and istiod takes another through
# PILOT_GATEWAY_API_CONTROLLER_NAME, so the class counts as Istio's by its name too.
APP_ROUTING_ISTIO_CLASS = "approuting-istio"
FLEET_API = "placement.kubernetes-fleet.io/v1"
AIRUNWAY_API = "airunway.ai/v1alpha1"
# AI Runway's label with a ModelDeployment's name (ai-runway/airunway v0.7.0
# controller/api/v1alpha1/modeldeployment_types.go, LabelModelDeployment): the kuberay provider puts
# it on the Ray pods (providers/kuberay/transformer.go), and the gateway integration on the pods
# behind status.endpoint, for its InferencePool (controller/internal/controller/gateway_reconciler.go,
# labelModelPods). The vllm and llmd providers label their pods airunway.ai/deployment only
# (providers/vllm/transformer.go and providers/llmd/transformer.go, buildDeployment).
AIRUNWAY_LABEL = "airunway.ai/model-deployment"
AIRUNWAY_DEPLOYMENT_LABEL = "airunway.ai/deployment"
# The providers a ModelDeployment names (spec.provider.name; ai-runway/airunway providers/).
AIRUNWAY_PROVIDERS = ("kaito", "vllm", "kuberay", "dynamo", "llmd")
# --provider auto: spec.provider.name left out, so AI Runway's core controller picks a ready
# InferenceProviderConfig by capability and selectionRules priority (ai-runway/airunway v0.7.0
# controller/internal/controller/modeldeployment_controller.go selectProvider; the CRD's
# spec.provider.name: "If not specified, the provider-selector will choose one",
# controller/config/crd/bases/airunway.ai_modeldeployments.yaml). The word is akscli's own, as in
# its `model query --via auto`: a value, not a missing flag, since --provider defaults to kaito.
AIRUNWAY_AUTO_PROVIDER = "auto"
AIRUNWAY_PROVIDER_CHOICES = (*AIRUNWAY_PROVIDERS, AIRUNWAY_AUTO_PROVIDER)

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
# The label every pod of a provider carries with the ModelDeployment's name. The kaito provider's
# Workspace is named after it and KAITO labels its pods; the dynamo provider's
# DynamoGraphDeployment is too (ai-runway/airunway v0.7.0 f5fd48d1 providers/dynamo/transformer.go
# Transform, dgd.SetName(md.Name); its services are "frontend" and "worker" components,
# buildAggregatedWorker). AI Runway installs Dynamo 1.1.1 with Grove (versions.env DYNAMO_VERSION,
# providers/dynamo/config.go global.grove.install), and the Dynamo operator labels each Grove clique
# with the graph's name and the service's component type (upstream: ai-dynamo/dynamo
# d4872d7e893368976cb9ce9a2799d7e276c54f2d deploy/operator/internal/dynamo/graph.go
# GenerateGrovePodCliqueSet, generateLabels; the label names in d195d280e13e5532510a1004ad8d8d06f2f8266a
# deploy/operator/internal/consts/consts.go KubeLabelDynamoGraphDeploymentName and
# KubeLabelDynamoComponentType), which Grove copies onto the pods (ai-dynamo/grove
# operator/internal/component/podclique/pod getLabels: pclqObjectMeta.Labels).
AIRUNWAY_POD_LABELS = {
    "kaito": KAITO_POD_LABEL,
    "vllm": AIRUNWAY_DEPLOYMENT_LABEL,
    "llmd": AIRUNWAY_DEPLOYMENT_LABEL,
    "kuberay": AIRUNWAY_LABEL,
    "dynamo": "nvidia.com/dynamo-graph-deployment-name",
}
# The providers whose pods serve vLLM's /metrics on a container port named "http", what akscli's
# PodMonitor scrapes: KAITO's (kaito-project/kaito v0.12.0 pkg/workspace/inference/preset_inferences.go,
# containerPorts) and the vllm and llmd providers' (their buildContainer). KubeRay names its pods'
# ports client, gcs-server, dashboard, metrics and serve (ray-project/kuberay v1.7.0
# ray-operator/controllers/ray/utils/constant.go). Dynamo's port "http" is its own frontend's
# (ai-dynamo/dynamo d195d280 consts.go, DynamoContainerPortName), so its workers are scraped on "system".
AIRUNWAY_VLLM_METRICS_PROVIDERS = ("kaito", "vllm", "llmd", "dynamo")
# The providers whose serving container is a vLLM OpenAI server image taken from spec.engine.image
# (else the legacy spec.image, controller/api/v1alpha1/modeldeployment_validation.go
# ImageOverride), run with vLLM's flags as its args: providers/vllm/transformer.go getImage (else
# vllm/vllm-openai:cu130-nightly, a nightly: versions.env VLLM_VERSION) and providers/llmd/
# transformer.go getImage (else vllm/vllm-openai:v0.9.1). akscli passes them the image it pins
# for its own vLLM runtime (--image). The others read no vLLM image there: the kuberay provider
# takes a Ray image from it (rayproject/ray-llm, providers/kuberay/transformer.go getImage), the
# dynamo provider a Dynamo runtime image for its workers and frontend (providers/dynamo/
# transformer.go getImage), and the kaito provider an image only on its llama.cpp path (KAITO
# picks the vLLM image of a preset, providers/kaito/transformer.go buildInference).
AIRUNWAY_VLLM_IMAGE_PROVIDERS = ("vllm", "llmd")
# The providers that place their pods by spec.nodeSelector (airunway.values): the plan's VM size
# pins them, as it pins akscli's own vLLM Deployment.
AIRUNWAY_NODE_SELECTOR_PROVIDERS = ("vllm", "dynamo", "llmd")
# The container port of Dynamo's worker pods: the system server, which passes vLLM's own metrics
# through at /metrics under their vllm: names (upstream: ai-dynamo/dynamo
# 015d780ba9c3d32c293ad67b786fe9af0d8a4d22 deploy/operator/internal/dynamo/component_worker.go,
# DYN_SYSTEM_ENABLED and DYN_SYSTEM_PORT on the port consts.DynamoSystemPortName "system", 9090;
# docs/backends/vllm/prometheus.md). The frontend's "http" port serves Dynamo's dynamo_frontend_*
# metrics, not vLLM's. Dynamo's own worker PodMonitor
# selects the worker pods by component type and scrapes "system" (upstream: ai-dynamo/dynamo
# 0c4b7b82 docs/kubernetes/observability/metrics.md, deploy/metrics/k8s/worker-podmonitor.yaml;
# deploy/operator/internal/consts/consts.go KubeLabelDynamoComponentType).
DYNAMO_SYSTEM_PORT_NAME = "system"
DYNAMO_COMPONENT_TYPE_LABEL = "nvidia.com/dynamo-component-type"
DYNAMO_WORKER_SELECTOR = {DYNAMO_COMPONENT_TYPE_LABEL: "worker"}
# KAITO runs every Workspace as a StatefulSet; in a multi-node Workspace only the leader (pod
# index 0) serves, so KAITO's own Service and InferencePool select it alone
# (kaito-project/kaito pkg/workspace/manifests/manifests.go, GenerateServiceManifest and
# GenerateInferencePoolHelmRelease). The StatefulSet controller sets this label on each pod.
POD_INDEX_LABEL = "apps.kubernetes.io/pod-index"
# keda-kaito-scaler provisions the ScaledObject of an InferenceSet from these annotations and
# scrapes the pods itself, no Prometheus needed (kaito-project/keda-kaito-scaler
# pkg/constants/constants.go, pkg/controllers/autoprovision); its trigger authenticates with
# this ClusterTriggerAuthentication, which its chart installs.
KAITO_SCALER_PREFIX = "scaledobject.kaito.sh/"
KAITO_SCALER_AUTH = "keda-kaito-scaler-creds"
# The PodMonitor groups: Azure Monitor managed Prometheus reads azmonitoring.coreos.com, the
# Prometheus Operator monitoring.coreos.com. The first one the cluster serves is used.
PODMONITOR_APIS = ("azmonitoring.coreos.com/v1", "monitoring.coreos.com/v1")
AZURE_MONITOR_API, PROMETHEUS_OPERATOR_API = PODMONITOR_APIS
# With Azure Monitor managed Prometheus the series land in an Azure Monitor workspace: KEDA's
# prometheus scaler queries its query endpoint with a workload identity token when the trigger's
# TriggerAuthentication names podIdentity provider azure-workload, and KEDA knows the token
# audience of these clouds only (kedacore/keda v2.20.2
# pkg/scalers/azure/azure_managed_prometheus_http_round_tripper.go, azureManagedPrometheusResourceURLInCloud).
AZURE_MONITOR_QUERY_HOSTS = (
    "prometheus.monitor.azure.com",
    "prometheus.monitor.azure.us",
    "prometheus.monitor.azure.cn",
)
# The cloud KEDA asks its token for: without the trigger's ``cloud`` it asks for the public
# cloud's audience (https://prometheus.monitor.azure.com/.default), which a US Government or China
# workspace does not take (kedacore/keda v2.20.2 pkg/scalers/azure/azure_cloud_environment.go
# ParseEnvironmentProperty: "Use public cloud suffix if `cloud` isn't specified"; cloud_config.go
# environment names). None: the public cloud, KEDA's default.
AZURE_MONITOR_CLOUDS = {
    "prometheus.monitor.azure.com": None,
    "prometheus.monitor.azure.us": "AzureUSGovernmentCloud",
    "prometheus.monitor.azure.cn": "AzureChinaCloud",
}
# The Service the Prometheus Operator puts in front of every Prometheus of a namespace
# (prometheus-operator/prometheus-operator pkg/prometheus/server/statefulset.go, governingServiceName).
PROMETHEUS_SERVICE = "prometheus-operated"
# KAITO's own InferencePool of an InferenceSet, made with the llm-d-router-gateway chart when its
# gatewayAPIInferenceExtension feature gate is on (kaito-project/kaito pkg/utils/common.go,
# InferencePoolName; pkg/workspace/manifests/manifests.go, GenerateInferencePoolHelmRelease).
KAITO_POOL_SUFFIX = "-inferencepool"
# Flux's helm-controller installs a HelmRelease whose name is over 53 characters (Helm's limit) as
# its first 40 characters, "-" and the first 12 hex digits of the name's sha256 (fluxcd/helm-controller
# internal/release/name.go ShortenName; internal/action/install.go), and llm-d-router's chart names
# the InferencePool after the release (llm-d/llm-d-router v0.9.0 config/charts/routerlib/templates/
# _inferencepool.yaml).
HELM_RELEASE_NAME_MAX = 53

RUNTIMES = ("kaito", "vllm", "airunway")
QUEUE_METRIC = "vllm:num_requests_waiting"
DEFAULT_STORAGE_CLASS = "managed-csi-premium"
DEFAULT_PROMETHEUS = "http://prometheus-operated.monitoring.svc.cluster.local:9090"
DEFAULT_QUEUE_THRESHOLD = 5
DEFAULT_GATEWAY = "inference-gateway"
# The request timeout of the --expose HTTPRoute's rule (--route-timeout). Without one a gateway
# does what it likes (kubernetes-sigs/gateway-api v1.6.1 apis/v1/httproute_types.go,
# HTTPRouteTimeouts: "implementation-specific"): Istio sets none (istio/istio 1.29.6
# pilot/pkg/networking/core/route/route.go setTimeout, Notimeout), but Envoy Gateway and kgateway
# leave Envoy's 15 s (envoyproxy/gateway v1.9.0 internal/gatewayapi/route.go processRouteTimeout,
# internal/xds/translator/route.go getEffectiveRequestTimeout; kgateway-dev/kgateway
# internal/kgateway/krtcollections/builtin.go NewBuiltInRuleIr), which cuts a long generation.
# 300s as the model charts set it: llm-d/llm-d-router v0.9.0
# config/charts/llm-d-router-gateway/values.yaml httpRoute.requestTimeout (templates/httproute.yaml
# timeouts.request) and ai-runway/airunway v0.7.0 controller/internal/controller/
# gateway_reconciler.go buildHTTPRouteSpec.
DEFAULT_ROUTE_TIMEOUT = "300s"
# The taints of AKS GPU node pools: akscli's own (akscli.azure.nodepools.GPU_TAINT) and the
# sku=gpu one of Microsoft Learn's GPU node pool guide; every pod akscli places on GPUs tolerates them.
GPU_TOLERATIONS: tuple[dict[str, str], ...] = (
    {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "sku", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"},
)
KAITO_PORT = 5000
VLLM_PORT = 8000
SERVICE_PORT = 80
MAX_REVISIONS = 10

# The vLLM image akscli's own runtime runs (and gives AI Runway's vllm and llmd providers): v0.24.0, the
# lowest release whose registry serves every catalog model's architecture and whose image loads every
# recorded config.json without --trust-remote-code (akscli.model.vllm_archs, remote_code). Its default tag
# is built on CUDA 13.0.2 and its -cu129 tag on CUDA 12.9.1 (vllm-project/vllm v0.24.0 docker/Dockerfile
# ARG CUDA_VERSION, .buildkite/scripts/publish-release-images.sh "CUDA (default: 13.0)" and "CUDA 12.9").
# A CUDA 13.x image needs driver 580 or later, a 12.x one 525 or later (NVIDIA's CUDA Compatibility guide,
# docs.nvidia.com/deploy/cuda-compatibility/minor-version-compatibility.html, Table 1). AKS installs R580
# (aks-gpu-cuda-lts 580.159.04) on its CUDA sizes and R595 on the RTX PRO 6000 ones, but the GRID R570
# driver (aks-gpu-grid 570.211.01) on its A10 sizes (Azure/AgentBaker pkg/agent/baker.go GetGPUDriverType,
# parts/common/components.json GPUContainerImages, pkg/agent/datamodel/gpu_components.go
# ConvergedGPUDriverSizes): there the default is the same release's CUDA 12.9 build.
DEFAULT_VLLM_IMAGE = "vllm/vllm-openai:v0.24.0"
DEFAULT_VLLM_IMAGE_CUDA12 = "vllm/vllm-openai:v0.24.0-cu129"
AKS_GRID_DRIVER = "570.211.01"
AKS_GRID_DRIVER_SIZES = frozenset(
    {
        "standard_nv6ads_a10_v5", "standard_nv12ads_a10_v5", "standard_nv18ads_a10_v5", "standard_nv36ads_a10_v5",
        "standard_nv72ads_a10_v5", "standard_nv36adms_a10_v5", "standard_nc8ads_a10_v4", "standard_nc16ads_a10_v4",
        "standard_nc32ads_a10_v4",
    }
)  # fmt: skip


def default_vllm_image(vm_size: str) -> str:
    """The vLLM image akscli runs on ``vm_size`` when --image is not given: DEFAULT_VLLM_IMAGE, or its
    CUDA 12.9 build on a size whose AKS driver (the GRID R570) is older than CUDA 13 needs."""
    return DEFAULT_VLLM_IMAGE_CUDA12 if vm_size.lower() in AKS_GRID_DRIVER_SIZES else DEFAULT_VLLM_IMAGE


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
    # upstream: kubefleet-dev/kubefleet e160c1cd apis/placement/v1/clusterresourceplacement_types.go
    # (CEL "placement type is immutable") and pkg/utils/validator/placement.go (the same in the webhook)
    ("placement.kubernetes-fleet.io", "ClusterResourcePlacement"): ("spec.policy.placementType",),
    # upstream: the same CEL rule on ResourcePlacement (apis/placement/v1 PlacementPolicy is shared)
    ("placement.kubernetes-fleet.io", "ResourcePlacement"): ("spec.policy.placementType",),
    ("", "PersistentVolumeClaim"): ("spec.storageClassName", "spec.accessModes"),
    # upstream: ai-runway/airunway v0.7.0 f5fd48d1 controller/internal/webhook/v1alpha1/
    # modeldeployment_webhook.go validateImmutableFields ("model.id is immutable (changing it
    # requires delete and recreate)", and the same for the others akscli writes). The kaito
    # provider passes its overrides on to the Workspace it made (providers/kaito/controller.go
    # createOrUpdateResource), where KAITO refuses a new instanceType (IMMUTABLE_FIELDS above).
    ("airunway.ai", "ModelDeployment"): (
        "spec.model.id",
        "spec.model.source",
        "spec.engine.type",
        "spec.provider.name",
        "spec.provider.overrides.resource.instanceType",
    ),
}
# Why a field of IMMUTABLE_FIELDS or IMMUTABLE_OPTIONAL_FIELDS needs --recreate where the server
# itself would take the change: KAITO's InferenceSet webhook refuses only a new template partition
# (upstream: kaito-project/kaito v0.12.0 api/v1beta1/inferenceset_validation.go validateUpdate),
# but the set's controller copies its template into the Workspaces it creates and never updates
# one it made (pkg/inferenceset/inferenceset_controller.go addOrUpdateInferenceSet), so an applied
# change would reach no running replica.
ACCEPTED_BUT_NOT_APPLIED: dict[tuple[str, str], str] = {
    ("kaito.sh", "InferenceSet"): "KAITO takes it, but no Workspace the set already runs gets it",
}
# Fields that may change, but never away from one value: (path, value, the value an omitted field
# defaults to). upstream: kubefleet-dev/kubefleet e160c1cd apis/placement/v1/
# clusterresourceplacement_types.go RolloutStrategy.Type, CEL "cannot change rollout strategy type
# from 'External' to other types" (default RollingUpdate), on both placement kinds.
# Immutable fields a manifest may leave out, with no server default to fill them: setting,
# unsetting and changing one are refused alike. KAITO's webhook compares a Workspace's whole preset
# (upstream: kaito-project/kaito v0.12.0 api/v1beta1/workspace_validation.go,
# InferenceSpec.validateUpdate, reflect.DeepEqual); of it, the name is in IMMUTABLE_FIELDS, and
# accessMode is the CRD's default (config/crd/bases/kaito.sh_workspaces.yaml), so presetOptions
# (modelAccessSecret, --access-secret) is what is left. An InferenceSet's template reaches only
# the Workspaces the set makes afterwards (pkg/inferenceset/inferenceset_controller.go updates no
# Workspace's spec), so a changed access secret there needs the set made again as well. AI Runway's
# kaito provider writes spec.provider.overrides into its Workspace and updates the Workspace it made
# (ai-runway/airunway providers/kaito/controller.go, createOrUpdateResource), where KAITO's webhook
# refuses the same change.
IMMUTABLE_OPTIONAL_FIELDS: dict[tuple[str, str], tuple[str, ...]] = {
    ("kaito.sh", "Workspace"): ("inference.preset.presetOptions",),
    ("kaito.sh", "InferenceSet"): ("spec.template.inference.preset.presetOptions",),
    ("airunway.ai", "ModelDeployment"): ("spec.provider.overrides.inference.preset.presetOptions",),
}
ONE_WAY_FIELDS: dict[tuple[str, str], tuple[tuple[str, str, str], ...]] = {
    ("placement.kubernetes-fleet.io", kind): (("spec.strategy.type", "External", "RollingUpdate"),)
    for kind in ("ClusterResourcePlacement", "ResourcePlacement")
}
# Lists whose existing entries cannot be removed or changed, only added to. upstream:
# kubefleet-dev/kubefleet e160c1cd pkg/utils/validator/placement.go IsTolerationsUpdatedOrDeleted,
# in the webhook registered for ClusterResourcePlacements only (pkg/webhook/webhook.go).
APPEND_ONLY_FIELDS: dict[tuple[str, str], tuple[str, ...]] = {
    ("placement.kubernetes-fleet.io", "ClusterResourcePlacement"): ("spec.policy.tolerations",),
}


# ---- the cluster side: what `akscli model` reads and changes through a Kube ----------------------

# The kinds a deployed model is served by; a Deployment counts only with the model label.
SERVING_KINDS = (
    (AIRUNWAY_API, "ModelDeployment"),
    (KAITO_API, "Workspace"),
    (KAITO_API, "InferenceSet"),
    ("apps/v1", "Deployment"),
)
# What AI Runway makes for a ModelDeployment, owned by it as its controller (blockOwnerDeletion), so
# a foreground delete of the ModelDeployment waits for each: its provider's Workspace or Deployment
# (ai-runway/airunway v0.7.0 providers/kaito/transformer.go, providers/vllm/transformer.go), and with
# --expose the endpoint picker's Deployment NAME-epp, the InferencePool and the HTTPRoute
# (ai-runway/airunway v0.7.0 controller/internal/controller/gateway_reconciler.go: reconcileEPP,
# reconcileInferencePool, reconcileHTTPRoute, each ctrl.SetControllerReference(md, ...)).
AIRUNWAY_DEPENDENTS = (
    (KAITO_API, "Workspace"),
    ("apps/v1", "Deployment"),
    (POOL_API, "InferencePool"),
    (GATEWAY_API, "HTTPRoute"),
)
# Everything a deploy can create, in deletion order (dependents before what they point at).
STACK_KINDS = (
    (KEDA_API, "ScaledObject"),
    (KEDA_API, "TriggerAuthentication"),
    *((api, "PodMonitor") for api in PODMONITOR_APIS),
    (GATEWAY_API, "HTTPRoute"),
    (POOL_API, "InferencePool"),
    (AIRUNWAY_API, "ModelDeployment"),
    (KAITO_API, "InferenceSet"),
    (KAITO_API, "Workspace"),
    ("apps/v1", "Deployment"),
    ("v1", "Service"),
    ("v1", "PersistentVolumeClaim"),
    ("v1", "ConfigMap"),
    (FLEET_API, "ClusterStagedUpdateRun"),
    (FLEET_API, "ClusterResourcePlacement"),
)
# The kinds whose readiness means the model serves (on a fleet hub: the placement, and the staged
# update run that rolls it out: a run that failed for good -- it never retries one,
# kubefleet-dev/kubefleet e160c1cd pkg/controllers/updaterun/controller.go -- ends the wait, where
# the External placement alone would only wait for a rollout that never comes).
# The route and the pool are ready once their gateway accepted them and resolved their backends
# (kube/readiness/gateway.py).
READY_KINDS = ("Workspace", "InferenceSet", "Deployment", "ModelDeployment", "HTTPRoute", "InferencePool")
FLEET_READY_KINDS = ("ClusterResourcePlacement", "ClusterStagedUpdateRun")

# (apiVersion, kind, name, namespace): what common.delete_objects takes.
ObjectRef = tuple[str, str, str, str | None]


def stack_of(name: str) -> str:
    return f"model-{name}"


# --route-timeout none: the route's rule gets no `timeouts` (akscli's own word; Gateway API's 0s means
# no timeout but still writes the field, which CRDs before kubernetes-sigs/gateway-api v1.2.0 lack).
NO_ROUTE_TIMEOUT = "none"


def is_istio_class(gateway_class: Mapping[str, Any] | None) -> bool:
    """Whether Istio implements the GatewayClass: its controllerName is Istio's, or it is the
    application routing add-on's class (APP_ROUTING_ISTIO_CLASS)."""
    if not gateway_class:
        return False
    if (gateway_class.get("metadata") or {}).get("name") == APP_ROUTING_ISTIO_CLASS:
        return True
    return bool((gateway_class.get("spec") or {}).get("controllerName") == ISTIO_CONTROLLER)
