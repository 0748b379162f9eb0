"""What a deploy needs on the cluster, checked before anything is applied: the operators of the
objects, KAITO's autoscaler, a scraper for the queue metric, the Gateway and its class, the
endpoint picker, and a running controller when the user waits. Each failure is one line naming
what is missing and how to add it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from akscli.errors import AuthError, NotFoundError, NotInstalledError, UsageError
from akscli.kube.client import Kube
from akscli.model import airunway, airunway_routes, gateway_checks, kaito_names, keda_identity, monitoring, picker
from akscli.model.cluster_volumes import VolumeReads
from akscli.model.goflags import go_bool_flag, go_flag
from akscli.model.kinds import (
    AIRUNWAY_API,
    AIRUNWAY_AUTO_PROVIDER,
    AZURE_MONITOR_API,
    KAITO_SCALER_AUTH,
    KEDA_API,
    MODEL_LABEL,
    PODMONITOR_APIS,
    POOL_API,
    PROMETHEUS_OPERATOR_API,
    QUEUE_METRIC,
    RUNTIME_LABEL,
)
from akscli.model.request import DeployRequest
from akscli.secret_hints import secret_from_stdin
from akscli.validate import GO_BOOLS

GATEWAY_API = "gateway.networking.k8s.io/v1"
# KAITO's feature gate for the Gateway API Inference Extension (kaito-project/kaito v0.12.0
# pkg/utils/consts/consts.go, FeatureFlagGatewayAPIInferenceExtension).
KAITO_POOL_GATE = "gatewayAPIInferenceExtension"
KEDA_KAITO_SCALER_INSTALL = (
    "helm repo add keda-kaito-scaler https://kaito-project.github.io/keda-kaito-scaler/charts/kaito-project "
    "&& helm install keda-kaito-scaler keda-kaito-scaler/keda-kaito-scaler -n kube-system"
)


def monitor_api(kube: Kube, prometheus: str | None = None) -> str | None:
    """The PodMonitor API whose scraper feeds what KEDA queries: Azure Monitor managed Prometheus's
    first, but the Prometheus Operator's where the cluster serves both and --prometheus names a
    Prometheus, not a workspace. The two groups live side by side, and managed Prometheus does not
    read the Prometheus Operator's PodMonitors (MicrosoftDocs/azure-aks-docs
    articles/aks/deploy-postgresql-ha.md: "Managed Prometheus does not pick up the custom resource
    definitions (CRDs) from the Prometheus community ... This allows pod monitors for Managed
    Prometheus to exist side-by-side those that use the community pod monitor"), so a query on
    the cluster's own Prometheus needs the PodMonitor that Prometheus reads."""
    served = [api for api in PODMONITOR_APIS if kube.has_api(api, "PodMonitor")]
    if len(served) > 1 and prometheus is not None and not monitoring.is_workspace(prometheus):
        return PROMETHEUS_OPERATOR_API
    return served[0] if served else None


def prepare(kube: Kube, req: DeployRequest) -> None:
    """What the objects depend on in this cluster, read before they are rendered: the PodMonitor
    group, the labels a Prometheus selects PodMonitors by (and its address for KEDA), and KAITO's
    own InferencePool of the set."""
    req.monitor_api = monitor_api(kube, req.prometheus if req.autoscale and req.runtime == "vllm" else None)
    if req.managed_prometheus and not req.fleet:  # KEDA's query names this cluster's series
        req.workspace_cluster, req.monitor_warning = monitoring.workspace_cluster(kube)
    if req.monitor_api == PROMETHEUS_OPERATOR_API:
        needs_metric = req.autoscale is not None and req.runtime == "vllm"
        labels = {MODEL_LABEL: req.name, RUNTIME_LABEL: req.runtime}
        if needs_metric:
            scraper: monitoring.Scraper | None = monitoring.select_scraper(kube, req.namespace, labels)
        else:
            scraper, detail = monitoring.find_scraper(kube, req.namespace, labels)
            if scraper is None and req.serves_vllm_metrics and not req.fleet:
                req.monitor_warning = monitoring.unscraped_warning(req.namespace, req.name, detail)
        if scraper is not None:
            req.monitor_labels = scraper.labels
            if needs_metric and req.prometheus is None:
                req.prometheus = scraper.address
            elif needs_metric and req.queries_workspace and not req.fleet:  # fed by remote-write
                monitor = f"{req.namespace}/{req.name}"
                req.workspace_cluster, req.monitor_warning = monitoring.workspace_pin(
                    scraper, str(req.prometheus), monitor
                )
    if req.inference_pool and req.runtime == "kaito" and not req.fleet and kube.has_api(POOL_API, "InferencePool"):
        pool = kaito_names.pool_name(req.name)
        if kube.get(POOL_API, "InferencePool", pool, namespace=req.namespace) is not None or (
            req.uses_inferenceset and _kaito_makes_pools(kube)
        ):
            req.kaito_pool = pool


def _kaito_makes_pools(kube: Kube) -> bool:
    """Whether KAITO makes an InferencePool for each preset InferenceSet it runs with vLLM (its
    gatewayAPIInferenceExtension gate; kaito-project/kaito v0.12.0
    pkg/inferenceset/inferenceset_controller.go, ensureGatewayAPIInferenceExtension). It makes it
    once the set's Workspaces exist, so a first deploy already routes to the pool KAITO will make."""
    from akscli.doctor import probes as doctor_probes

    args = doctor_probes.controller_args(kube, "kaito")
    return kaito_feature_gates(args or []).get(KAITO_POOL_GATE, False)


def kaito_feature_gates(args: Iterable[str]) -> dict[str, bool]:
    """The feature gates a KAITO controller started with these arguments runs with, as it reads
    them: Go's flag package (``-feature-gates`` or ``--feature-gates``, ``=VALUE`` or the next
    argument; the last one counts), then component-base's MapStringBool (``key=value`` pairs
    joined by commas, empty pairs skipped, values as strconv.ParseBool reads them;
    k8s.io/component-base cli/flag/map_string_bool.go), over the defaults
    (kaito-project/kaito v0.12.0 cmd/workspace/main.go, pkg/featuregates/featuregates.go). A
    value KAITO would refuse (it would not start) counts as off."""
    value = go_flag(args, "feature-gates") or "vLLM=true,disableNodeAutoProvisioning=false"
    gates: dict[str, bool] = {}
    for pair in value.split(","):
        if not pair:
            continue
        key, _, raw = pair.partition("=")
        parsed = GO_BOOLS.get(raw.strip())
        if parsed is None:
            return {}
        gates[key.strip()] = parsed
    return gates


def check_operators(kube: Kube, objects: Iterable[Mapping[str, Any]]) -> None:
    """Name the missing operator (and its install command) before anything is applied."""
    from akscli.kube import operators

    for api_version, kind in dict.fromkeys((str(o["apiVersion"]), str(o["kind"])) for o in objects):
        if not kube.has_api(api_version, kind):
            if kind == "InferenceSet" and kube.has_api(api_version, "Workspace"):
                raise operators.kaito_without_inferenceset(kube)
            if kind == "InferencePool":
                raise operators.pool_api_missing(kube, api_version)
            raise operators.not_installed(api_version, kind, group_served=False)


def check(
    kube: Kube,
    req: DeployRequest,
    objects: Iterable[Mapping[str, Any]],
    *,
    wait: bool,
    volumes: VolumeReads | None = None,
) -> list[str]:
    """Refuse what would not work, before anything is applied; return the warnings to show.
    ``volumes``: the classes the deploy's fit check read already (each is read once)."""
    warnings: list[str] = [req.monitor_warning] if req.monitor_warning else []
    check_operators(kube, objects)
    if req.queries_workspace:  # KEDA signs in to the workspace with its workload identity
        warnings += keda_identity.warnings(kube)
    if req.monitor_api == AZURE_MONITOR_API and req.serves_vllm_metrics and not req.fleet:
        warnings += _check_arc_target_allocator(kube, req)
    warnings += _check_access_secret(kube, req)
    if req.runtime == "vllm":
        warnings += _check_storage_class(volumes or VolumeReads(kube), req.storage_class)
    if req.autoscale and req.runtime == "kaito":
        _check_kaito_scaler(kube)
    if req.autoscale and req.runtime == "vllm" and req.monitor_api is None:
        raise NotInstalledError(
            f"--autoscale scales on {QUEUE_METRIC}, and nothing scrapes it: the cluster serves no PodMonitor",
            hint="enable Azure Monitor managed Prometheus (az aks update --enable-azure-monitor-metrics) "
            "or install the Prometheus Operator, then deploy again",
        )
    if req.runtime == "airunway":
        # --provider auto: which provider serves is AI Runway's choice at reconcile time
        # (modeldeployment_controller.go selectProvider), and its webhook checks a named provider
        # only (controller/internal/webhook/v1alpha1/modeldeployment_webhook.go validateSpec), so the
        # checks of one provider's install, objects and backend have no provider to check.
        named = req.provider != AIRUNWAY_AUTO_PROVIDER
        warnings += _check_airunway_provider(kube, req.provider) if named else []
        if not named and not req.fleet:
            warnings += _check_auto_pick(kube, req, objects)
        if not req.fleet:
            airunway.check_not_terminating(kube, req.name, req.namespace)
        if req.provider in airunway.OWNED_BY_PROVIDER and not req.fleet:
            old = airunway.old_object_warning(kube, req.name, req.namespace, req.provider)
            warnings += [old] if old else []
        if req.provider == "kuberay":
            warnings += _check_kuberay_nodes(kube)
        warnings += airunway.check_backend(kube, req.provider, wait=wait) if named and not req.fleet else []
        if req.expose:
            warnings += _check_airunway_gateway(kube, req.name, req.namespace)
            if not req.fleet:
                warnings += airunway_routes.check_served_name(kube, req, airunway_routes.served_name(req))
    elif req.expose and not req.fleet:
        warnings += gateway_checks.check_gateway(kube, req)
    if req.inference_pool and not req.fleet and req.runtime != "airunway" and not req.kaito_pool:
        warnings += picker.check(kube, req)
    if wait and not req.fleet:
        _check_controller(kube, req)
    return warnings


def _check_arc_target_allocator(kube: Kube, req: DeployRequest) -> list[str]:
    """An Arc extension with no target allocator reads no PodMonitor (monitoring.arc_without_target_allocator):
    --autoscale is refused, as where nothing scrapes the queue; a deploy without it is warned."""
    gap = monitoring.arc_without_target_allocator(kube)
    if gap is None:
        return []
    if req.managed_prometheus:
        raise NotInstalledError(
            f"--autoscale scales on {QUEUE_METRIC}, and {gap[0]}", hint=f"{gap[1]}, then deploy again"
        )
    return [f"PodMonitor {req.namespace}/{req.name} will not be scraped: {gap[0]}; {gap[1]}"]


# The key every runtime's serving pod reads the Hugging Face token from: akscli's vLLM Deployment
# (templates/model/vllm.yaml.j2); KAITO, which sets env HF_TOKEN from key HF_TOKEN of
# presetOptions.modelAccessSecret (kaito-project/kaito v0.12.0 056b8280
# pkg/workspace/inference/preset_inferences.go, SetHFToken), where AI Runway's kaito provider puts
# the Secret; AI Runway's vllm, llmd and kuberay providers, which set env HF_TOKEN from
# secretKeyRef key HF_TOKEN of spec.secrets.huggingFaceToken (ai-runway/airunway v0.7.0 f5fd48d1
# providers/{vllm,llmd,kuberay}/transformer.go, buildEnvVars); and its dynamo provider, which passes
# the Secret as envFromSecret (providers/dynamo/transformer.go), so that Dynamo's operator loads
# every key of it as an env var of that name (ai-dynamo/dynamo d4872d7e deploy/operator/internal/
# dynamo/graph.go, GenerateBasePodSpec: container.EnvFrom SecretRef): only a key HF_TOKEN gives HF_TOKEN.
HF_TOKEN_KEY = "HF_TOKEN"


def _check_access_secret(kube: Kube, req: DeployRequest) -> list[str]:
    """The Secret --access-secret names must exist in the model's namespace with key HF_TOKEN, the
    key every runtime and AI Runway provider reads (HF_TOKEN_KEY): a secretKeyRef to a missing
    Secret or key keeps the pods of akscli's vLLM Deployment and of AI Runway's vllm, llmd and
    kuberay providers in CreateContainerConfigError (kubernetes/kubernetes v1.32.0
    pkg/kubelet/kubelet_pods.go, makeEnvironmentVariables); KAITO's key is optional and Dynamo's
    envFrom takes whatever keys there are, so those pods start without a token and a gated download
    fails later. Only the Secret's key names are read into the message, never a value. A user who
    may not read Secrets gets a warning: the check cannot be made."""
    secret = req.access_secret
    if not secret:
        return []
    try:
        obj = kube.get("v1", "Secret", secret, namespace=req.namespace)
    except AuthError:
        return [f"cannot read Secret {req.namespace}/{secret} (--access-secret): not checked that it exists"]
    create = f"{secret_from_stdin(secret, req.namespace, HF_TOKEN_KEY)} (type the token at the silent prompt)"
    if obj is None:
        raise NotFoundError(
            f"--access-secret names Secret {req.namespace}/{secret}, which does not exist: the model's pods "
            "would get no Hugging Face token",
            hint=f"{create}, or name an existing Secret",
        )
    keys = {*(obj.get("data") or {}), *(obj.get("stringData") or {})}
    if HF_TOKEN_KEY not in keys:
        has = ", ".join(sorted(keys)) or "none"
        raise NotFoundError(
            f"Secret {req.namespace}/{secret} (--access-secret) has no key {HF_TOKEN_KEY} (its keys: {has}): "
            "the model's pods read the Hugging Face token from that key",
            hint=f"add key {HF_TOKEN_KEY} with the token (kubectl edit secret {secret} -n {req.namespace}), "
            "or name a Secret that has it",
        )
    return []


def _check_storage_class(volumes: VolumeReads, name: str) -> list[str]:
    """The class of akscli's vLLM weights volume must exist: a claim naming a class that does not
    exist is never provisioned (kubernetes/kubernetes pkg/controller/volume/persistentvolume/
    pv_controller.go provisionClaimOperation reads the class first and gives up without it), and the
    scheduler keeps the pod Pending on its unbound claim (pkg/scheduler/framework/plugins/
    volumebinding). AKS makes managed-csi-premium only with its Azure Disk CSI driver (MicrosoftDocs/
    azure-aks-docs fb060abe articles/aks/concepts-storage.md, "Storage classes")."""
    found = volumes.storage_class(name)
    if name in volumes.unreadable_classes:
        return [f"cannot read StorageClass {name} (--storage-class): not checked that it exists"]
    if found is None:
        raise NotFoundError(
            f"StorageClass {name} does not exist: each vLLM pod's weights volume would never be provisioned "
            "and the pod would stay Pending",
            hint="list the classes with kubectl get storageclass and pass --storage-class NAME (AKS makes "
            "managed-csi-premium with its Azure Disk CSI driver: az aks update --enable-disk-driver)",
        )
    return []


# GPU nodes per node list of the kuberay check, and lists read per label: a page is a short scan
# and at most this many Node objects (the API server stops scanning once the page is full,
# upstream: kubernetes/kubernetes staging/src/k8s.io/apiserver/pkg/storage/etcd3/store.go GetList),
# so the check costs the same on a cluster of 75,000 nodes as on one of 5.
_GPU_NODE_PAGE = 50
_GPU_NODE_PAGES = 2


def _check_kuberay_nodes(kube: Kube) -> list[str]:
    """Whether a GPU node would take AI Runway's kuberay workers (airunway.check_kuberay_nodes).
    A user who may not list nodes (a namespaced role) is not stopped for a check it cannot make.

    Requests, bounded whatever the cluster's size: one node list per NVIDIA label
    (gpus.NVIDIA_NODE_SELECTORS, 4 labels), 50 nodes a page and 2 pages at most per label,
    stopping at the first GPU node the workers tolerate: at most 8 node lists and 400 Node
    objects; one list where the first page of AKS's accelerator label holds such a node. Where
    every GPU node read keeps the workers off but some were left unread, the deploy goes on with
    a warning instead of the refusal, which only a complete read can justify."""
    from akscli.gpu import devices as gpus

    unread = False

    def gpu_nodes() -> Iterable[Mapping[str, Any]]:
        nonlocal unread
        seen: set[str] = set()
        for selector in gpus.NVIDIA_NODE_SELECTORS:
            pages = kube.list_pages("v1", "Node", label_selector=selector, page_size=_GPU_NODE_PAGE)
            for number, page in enumerate(pages, 1):
                for node in page["items"]:
                    name = str((node.get("metadata") or {}).get("name"))
                    if name not in seen:  # a node with several of the labels is judged once
                        seen.add(name)
                        yield node
                if number == _GPU_NODE_PAGES:
                    unread = unread or bool((page.get("metadata") or {}).get("continue"))
                    break

    try:
        blocked = airunway.kuberay_blocked(gpu_nodes())
    except AuthError:
        return []
    if not blocked:
        return []
    if unread:
        return [airunway.kuberay_warning(blocked)]
    raise airunway.kuberay_refusal(blocked)


def _check_auto_pick(kube: Kube, req: DeployRequest, objects: Iterable[Mapping[str, Any]]) -> list[str]:
    """--provider auto: where AI Runway would pick its kaito provider, what KAITO makes of it
    (model/airunway_pick.py check_auto), with KAITO's feature gates read only then."""
    from akscli.doctor import probes as doctor_probes
    from akscli.model import airunway_pick

    spec = next((o.get("spec") or {} for o in objects if o.get("kind") == "ModelDeployment"), None)
    if spec is None:
        return []
    return airunway_pick.check_auto(
        kube, req, spec, lambda: kaito_feature_gates(doctor_probes.controller_args(kube, "kaito") or [])
    )


def _check_airunway_provider(kube: Kube, provider: str) -> list[str]:
    """AI Runway's webhook refuses a ModelDeployment whose provider has no InferenceProviderConfig
    when it names both the provider and the engine, as akscli's do (upstream: ai-runway/airunway
    v0.7.0 f5fd48d1 controller/internal/webhook/v1alpha1/modeldeployment_webhook.go validateSpec,
    "InferenceProviderConfig %q not found"; it skips the check while the kind is not served). Each
    provider's controller registers its own, named after it, when it starts (providers/*/config.go
    ProviderConfigName and Register): none means that provider is not installed."""
    if not kube.has_api(AIRUNWAY_API, "InferenceProviderConfig"):
        return []
    try:
        found = kube.get(AIRUNWAY_API, "InferenceProviderConfig", provider)
    except AuthError:
        return [
            f"cannot read InferenceProviderConfig {provider}: not checked that AI Runway's {provider} provider "
            "is installed"
        ]
    if found is None:
        raise NotInstalledError(
            f"AI Runway's {provider} provider is not installed (no InferenceProviderConfig {provider}): AI Runway's "
            "webhook refuses a ModelDeployment for it",
            hint=f"install it (ai-runway/airunway providers/{provider}/deploy/{provider}.yaml), or pick an installed "
            "--provider (kubectl get inferenceproviderconfigs lists them)",
        )
    _check_airunway_capabilities(provider, found)
    return []


def _check_airunway_capabilities(provider: str, config: dict[str, Any]) -> None:
    """AI Runway's webhook holds a ModelDeployment to its provider's declared capabilities
    (upstream: ai-runway/airunway v0.7.0 f5fd48d1 controller/internal/validation/compatibility.go
    CheckProviderCompatibility, called from validateSpec when spec.capabilities is set): akscli's
    names engine vllm, serving mode aggregated (the defaulter's) and at least one GPU, so a config
    that lists no vllm engine, or none in aggregated mode, is refused. Every provider's controller
    declares both (providers/*/config.go GetProviderConfigSpec); an edited config may not."""
    capabilities = (config.get("spec") or {}).get("capabilities")
    if capabilities is None:
        return
    engines = [e for e in capabilities.get("engines") or [] if isinstance(e, dict)]
    vllm = next((e for e in engines if e.get("name") == "vllm"), None)
    where = f"kubectl get inferenceproviderconfig {provider} -o yaml"
    if vllm is None:
        listed = ", ".join(str(e.get("name")) for e in engines) or "none"
        raise UsageError(
            f"AI Runway's {provider} provider does not support engine vllm (its InferenceProviderConfig lists: "
            f"{listed}): AI Runway's webhook refuses a ModelDeployment for it",
            hint=f"pick a --provider whose capabilities list vllm (see {where})",
        )
    if "aggregated" not in (vllm.get("servingModes") or []):
        raise UsageError(
            f"AI Runway's {provider} provider does not support aggregated mode for engine vllm (its "
            "InferenceProviderConfig): AI Runway's webhook refuses a ModelDeployment for it",
            hint=f"pick a --provider whose vllm engine lists servingModes aggregated (see {where})",
        )


# AI Runway's controller pods (ai-runway/airunway v0.7.0 controller/config/manager/manager.yaml and
# deploy/controller.yaml) and its label for the Gateway to route through when there are several
# (controller/internal/gateway/detection.go, LabelInferenceGateway).
AIRUNWAY_CONTROLLER_PODS = ("app.kubernetes.io/name=airunway,control-plane=controller-manager",)
AIRUNWAY_GATEWAY_LABEL = "airunway.ai/inference-gateway"


def _check_airunway_gateway(kube: Kube, model: str, namespace: str) -> list[str]:
    """What AI Runway's gateway integration needs before it makes the pool and the route
    (ai-runway/airunway v0.7.0 controller/internal/controller/gateway_reconciler.go): the
    InferencePool and HTTPRoute APIs (internal/gateway/detection.go, checkCRDs; else it does
    nothing), and a Gateway it can pick (resolveGatewayConfig): the one its controller's
    --gateway-name/--gateway-namespace name, else the only Gateway of the cluster, else one
    labelled airunway.ai/inference-gateway=true; otherwise GatewayReady stays False (NoGateway).
    Returns the warnings for the Gateway it picks: listeners AI Runway will narrow
    (airunway.gateway_patch_warning), an Istio gateway it leaves without TLS to its picker
    (airunway.picker_tls_warning)."""
    from akscli.doctor import probes as doctor_probes
    from akscli.kube import operators

    if not kube.has_api(POOL_API, "InferencePool"):
        raise operators.pool_api_missing(kube, POOL_API)
    if not kube.has_api(GATEWAY_API, "HTTPRoute"):
        raise operators.not_installed(GATEWAY_API, "HTTPRoute", group_served=False)
    args = doctor_probes.pod_args(kube, AIRUNWAY_CONTROLLER_PODS) or []
    name, gw_namespace = go_flag(args, "gateway-name"), go_flag(args, "gateway-namespace")
    patches = GO_BOOLS.get(go_bool_flag(args, "patch-gateway-allowed-routes") or "true", True)
    if name and gw_namespace:
        named = kube.get(GATEWAY_API, "Gateway", name, namespace=gw_namespace)
        if named is None:
            raise NotFoundError(
                f"--expose asks AI Runway to route to the model through Gateway {gw_namespace}/{name} (its "
                "controller's --gateway-name), which does not exist",
                hint="create that Gateway, or change the controller's --gateway-name/--gateway-namespace",
            )
        return _gateway_warnings(kube, named, model, namespace, patches)
    gateways = list(kube.list(GATEWAY_API, "Gateway", all_namespaces=True))
    if not gateways:
        raise NotFoundError(
            "--expose asks AI Runway to route to the model, and the cluster has no Gateway",
            hint="create a Gateway (akscli doctor shows which GatewayClass is accepted), then deploy again",
        )
    labelled = [g for g in gateways if ((g["metadata"].get("labels") or {}).get(AIRUNWAY_GATEWAY_LABEL)) == "true"]
    if len(gateways) > 1 and not labelled:
        names = ", ".join(sorted(f"{g['metadata'].get('namespace')}/{g['metadata']['name']}" for g in gateways))
        raise NotFoundError(
            f"--expose asks AI Runway to route to the model, and the cluster has {len(gateways)} Gateways ({names}) "
            f"with none labelled {AIRUNWAY_GATEWAY_LABEL}=true: AI Runway routes through none of them",
            hint=f"label the one to use: kubectl label gateway -n NAMESPACE NAME {AIRUNWAY_GATEWAY_LABEL}=true",
        )
    picked = gateways if len(gateways) == 1 else labelled
    # Several labelled Gateways: which one AI Runway takes is its list order, not known here.
    return _gateway_warnings(kube, picked[0], model, namespace, patches) if len(picked) == 1 else []


def _gateway_warnings(kube: Kube, gateway: Mapping[str, Any], model: str, namespace: str, patches: bool) -> list[str]:
    warnings = [
        airunway.gateway_patch_warning(gateway, namespace, patches),
        airunway.picker_tls_warning(kube, gateway, model, namespace),
    ]
    return [w for w in warnings if w]


def _check_kaito_scaler(kube: Kube) -> None:
    from akscli.kube import operators

    if not kube.has_api(KEDA_API, "ScaledObject"):
        raise operators.not_installed(KEDA_API, "ScaledObject", group_served=False)
    if kube.get(KEDA_API, "ClusterTriggerAuthentication", KAITO_SCALER_AUTH) is None:
        raise NotInstalledError(
            f"keda-kaito-scaler is not installed (no ClusterTriggerAuthentication {KAITO_SCALER_AUTH}): "
            "nothing would scale the InferenceSet",
            hint=KEDA_KAITO_SCALER_INSTALL,
        )


def _check_controller(kube: Kube, req: DeployRequest) -> None:
    """The controllers a waited-for deploy needs running: KAITO's for its Workspaces (runtime kaito,
    or AI Runway's kaito provider), and AI Runway's own, which alone moves a ModelDeployment out of
    Pending (ai-runway/airunway v0.7.0 controller/internal/controller/modeldeployment_controller.go):
    without one, --wait waits out its whole timeout on a phase nothing will change."""
    from akscli.doctor import probes as doctor_probes
    from akscli.kube import operators

    if req.runs_on_kaito:
        running, detail = doctor_probes.controller_running(kube, "kaito")
        if not running:
            raise NotInstalledError(
                f"the kaito controller is not running ({detail}): --wait would wait out its whole timeout",
                hint="see akscli doctor --for model; deploy without --wait to apply anyway",
            )
    if req.runtime == "airunway":
        running, detail = doctor_probes.pods_running(kube, AIRUNWAY_CONTROLLER_PODS)
        if not running:
            raise NotInstalledError(
                f"AI Runway's controller is not running ({detail}): --wait would wait out its whole timeout",
                hint=f"{operators.OPERATORS['airunway.ai'].install}; deploy without --wait to apply anyway",
            )
