"""AI Runway's ModelDeployment (``--runtime airunway``): the values of
templates/model/airunway.yaml.j2, each field as the provider that reads it reads it
(ai-runway/airunway v0.7.0 providers/*/transformer.go), and what the cluster's nodes and Gateway
mean for it. The flags its providers cannot honour are refused with the request's other checks
(model/request.py check_airunway). Plain logic: no Typer, no rich."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from akscli.errors import UsageError
from akscli.kube import scheduling
from akscli.model import airunway_routes, bounded, kaito_names
from akscli.model.kinds import (
    AIRUNWAY_API,
    AIRUNWAY_AUTO_PROVIDER,
    AIRUNWAY_NODE_SELECTOR_PROVIDERS,
    AIRUNWAY_VLLM_IMAGE_PROVIDERS,
    GPU_TOLERATIONS,
)

if TYPE_CHECKING:
    from akscli.kube.client import Kube
    from akscli.model.request import DeployRequest

# The AI Runway providers that copy spec.tolerations into their pods (ai-runway/airunway v0.7.0
# providers/vllm/transformer.go and providers/llmd/transformer.go, buildDeployment;
# providers/dynamo/transformer.go, addSchedulingConfig). The kaito provider's Workspaces are
# KAITO's, which tolerates its own nodes' taints; the kuberay provider reads none.
TOLERATING_PROVIDERS = ("vllm", "llmd", "dynamo")


# The only toleration the kuberay provider's Ray workers get. The provider writes none, and no
# ModelDeployment field reaches their pod template (providers/kuberay/transformer.go,
# buildAggregatedWorkerGroup: containers, labels, nothing else). AKS runs the
# ExtendedResourceToleration admission plugin (upstream: MicrosoftDocs/azure-aks-docs 0382c94e
# articles/aks/faq.yml, "What Kubernetes admission controllers does AKS support?"), which gives a
# pod requesting nvidia.com/gpu this one (kubernetes/kubernetes
# plugin/pkg/admission/extendedresourcetoleration/admission.go): so akscli's own GPU taint,
# nvidia.com/gpu=present:NoSchedule, is tolerated, and any other is not.
KUBERAY_WORKER_TOLERATIONS = ({"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"},)
AGENTPOOL_LABEL = "kubernetes.azure.com/agentpool"


def _blocking(node: Mapping[str, Any]) -> list[str]:
    """The taints of ``node`` that keep the kuberay workers off it (PreferNoSchedule does not)."""
    return [scheduling.taint_text(t) for t in scheduling.untolerated_taints(node, KUBERAY_WORKER_TOLERATIONS)]


def check_kuberay_nodes(nodes: Iterable[Mapping[str, Any]]) -> None:
    """Refuse --provider kuberay when every NVIDIA GPU node has a taint its Ray workers do not
    tolerate: they would stay Pending for good. A cluster showing no GPU node (a pool scaled to
    zero) is left alone: which taints its nodes will have is not known here."""
    blocked = kuberay_blocked(nodes)
    if blocked:
        raise kuberay_refusal(blocked)


def kuberay_blocked(nodes: Iterable[Mapping[str, Any]]) -> dict[str, list[str]]:
    """The NVIDIA GPU nodes read, by the taints (and pool) that keep the kuberay workers off them;
    empty as soon as one node would take them (``nodes`` is read no further) or none is a GPU node."""
    from akscli.gpu import devices as gpus

    blocked: dict[str, list[str]] = {}
    for node in nodes:
        if gpus.read(node).vendor != "nvidia":
            continue
        taints = _blocking(node)
        if not taints:
            return {}
        labels = (node.get("metadata") or {}).get("labels") or {}
        blocked.setdefault(f"{', '.join(taints)} on pool {labels.get(AGENTPOOL_LABEL) or '?'}", []).append(
            str((node.get("metadata") or {}).get("name"))
        )
    return blocked


def _blocked_text(blocked: Mapping[str, list[str]]) -> str:
    each = [f"{what} ({len(names)} node{'s' if len(names) > 1 else ''})" for what, names in blocked.items()]
    return bounded.listed(each, 2, "; ")


def kuberay_refusal(blocked: Mapping[str, list[str]]) -> UsageError:
    """The error for a cluster whose every GPU node keeps the kuberay workers off."""
    pool = next(iter(blocked)).rpartition(" on pool ")[2]
    return UsageError(
        "AI Runway's kuberay provider gives its Ray workers no tolerations (only the nvidia.com/gpu one AKS adds "
        f"to GPU pods), and every GPU node has a taint they do not tolerate: {_blocked_text(blocked)}; the "
        "workers would never be scheduled",
        hint="use --provider vllm, llmd or dynamo (they copy tolerations into their pods), or untaint the pool: "
        f"az aks nodepool update -g GROUP --cluster-name CLUSTER -n {pool if pool != '?' else 'POOL'} "
        "--node-taints nvidia.com/gpu=present:NoSchedule",
    )


def kuberay_warning(blocked: Mapping[str, list[str]]) -> str:
    """What to say when the GPU nodes read all keep the workers off but more were left unread: one
    line within bounded.WIDTH that names the fix, whatever the taints and pools (the first one
    named, shortened; the rest counted)."""
    each = [f"{bounded.value(what, 40)} ({len(n)} node{'s' if len(n) > 1 else ''})" for what, n in blocked.items()]
    return (
        f"kuberay's Ray workers tolerate no GPU node read ({bounded.listed(each, 1, '; ')}); others were not read: "
        "untaint a pool or use --provider vllm, llmd or dynamo"
    )


def values(req: DeployRequest, base: dict[str, Any], config_name: str) -> dict[str, Any]:
    """A ModelDeployment from the plan (ai-runway/airunway v0.7.0 providers/*/transformer.go).

    The KAITO provider builds the Workspace from spec.model.id (the preset name), the GPU count
    and scaling.replicas only, then deep-merges spec.provider.overrides into it (applyOverrides):
    the instance type, the access Secret (presetOptions.modelAccessSecret, from which KAITO sets
    the pod's HF_TOKEN: kaito-project/kaito v0.12.0 pkg/workspace/inference/preset_inferences.go
    SetHFToken) and the inference config holding max-model-len go there. It reads neither engine.contextLength nor
    secrets.huggingFaceToken (only its llama.cpp path reads the token), so those are not written.
    model.servedName stays: AI Runway's gateway routes by it (controller/internal/controller/
    gateway_reconciler.go, resolveModelName). The vllm, dynamo and llmd providers place pods by
    spec.nodeSelector; the kuberay provider reads none (DeployRequest.placement_warning).

    With --provider auto the served name is KAITO's for the Hugging Face id (kaito_names.served_name):
    the kaito provider cannot rename what KAITO's vLLM serves, and the vllm, llmd, kuberay and dynamo
    providers pass servedName to vLLM as --served-model-name (providers/*/transformer.go), so the
    route's model answers whichever provider AI Runway picks."""
    kaito = req.provider == "kaito"
    # The KAITO provider passes spec.model.id as the Workspace's preset name (buildInference),
    # and KAITO serves it under the last part of its Hugging Face id (kaito_names.served_name).
    model_id = kaito_names.preset_name(req.model) if kaito else req.model.id
    overrides: dict[str, Any] | None = None
    if kaito:
        inference: dict[str, Any] = {"config": config_name}
        if req.access_secret:
            inference["preset"] = {"presetOptions": {"modelAccessSecret": req.access_secret}}
        overrides = {"resource": {"instanceType": req.vm_size}, "inference": inference}
    # --provider auto leaves spec.provider out for AI Runway's core controller to fill
    # (kinds.AIRUNWAY_AUTO_PROVIDER); the placement then goes in as for the providers that read it,
    # and the others ignore it (providers/kaito and providers/kuberay transformer.go read neither).
    auto = req.provider == AIRUNWAY_AUTO_PROVIDER
    reads_node_selector = auto or req.provider in AIRUNWAY_NODE_SELECTOR_PROVIDERS
    return {
        **base,
        "access_secret": None if kaito else req.access_secret,
        "model_id": model_id,
        "served_name": airunway_routes.served_name(req),
        "provider": None if auto else req.provider,
        "overrides": overrides,
        "node_selector": {"node.kubernetes.io/instance-type": req.vm_size} if reads_node_selector else {},
        # Without them the pods of these providers cannot land on a tainted GPU pool.
        "tolerations": list(GPU_TOLERATIONS) if auto or req.provider in TOLERATING_PROVIDERS else [],
        "image": req.serving_image if req.provider in AIRUNWAY_VLLM_IMAGE_PROVIDERS else None,
        "context": None if kaito else req.context,
        # spec.engine.trustRemoteCode: the vllm, llmd, kuberay and dynamo providers append vLLM's
        # --trust-remote-code (providers/*/transformer.go); the kaito provider's flag is refused
        # (flag_checks.trust_remote_code).
        "trust_remote_code": req.trust_remote_code and not kaito,
        # A GPU count makes the KAITO provider target GPU nodes (buildResource, kaitoHasGPU).
        "gpus": req.fit.gpus_per_node if kaito else req.fit.gpus,
        "replicas": req.replicas if req.replicas is not None else 1,
        "gateway": req.expose,
    }


# What AI Runway's gateway integration writes into a Gateway in another namespace than the model
# (upstream: ai-runway/airunway v0.7.0 controller/internal/controller/gateway_reconciler.go,
# ensureGatewayAllowsNamespace and patchGatewayListenerSelector): unless its controller runs with
# --patch-gateway-allowed-routes=false (cmd/main.go, default true), and unless the namespace is
# already in the first selector it finds (allowedNamespacesFromGateway), it sets EVERY listener's
# allowedRoutes.namespaces to from: Selector, kubernetes.io/metadata.name In (the namespaces of
# that selector plus the model's). A listener that admitted its own namespace (from: Same, the
# default) or every namespace (All) then admits those namespaces only: routes elsewhere, the
# Gateway's own namespace included, lose the listener.
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"


def _selected_namespaces(listeners: Iterable[Mapping[str, Any]]) -> set[str]:
    """allowedNamespacesFromGateway: the namespaces the first listener with a selector names."""
    for listener in listeners:
        selector = ((listener.get("allowedRoutes") or {}).get("namespaces") or {}).get("selector")
        if selector is None:
            continue
        names = {str(v) for k, v in (selector.get("matchLabels") or {}).items() if k == NAMESPACE_NAME_LABEL}
        for expr in selector.get("matchExpressions") or []:
            if expr.get("key") == NAMESPACE_NAME_LABEL and expr.get("operator") == "In":
                names.update(str(v) for v in expr.get("values") or [])
        return names
    return set()


def _admits_from(listener: Mapping[str, Any]) -> str:
    """A listener's allowedRoutes.namespaces.from; Same where unset (gateway-api v1.6.1
    apis/v1/gateway_types.go RouteNamespaces, default Same)."""
    return str(((listener.get("allowedRoutes") or {}).get("namespaces") or {}).get("from") or "Same")


def gateway_patch_warning(gateway: Mapping[str, Any], namespace: str, patches: bool = True) -> str | None:
    """The warning for a Gateway whose listeners AI Runway will narrow to a namespace selector, or
    None where it leaves them alone or they admit by that selector already."""
    meta = gateway.get("metadata") or {}
    listeners = list((gateway.get("spec") or {}).get("listeners") or [])
    if not patches or meta.get("namespace") == namespace:
        return None
    allowed = _selected_namespaces(listeners)
    if namespace in allowed:
        return None
    admits = {str(listener.get("name")): _admits_from(listener) for listener in listeners}
    narrowed = [f"{name} (from {source})" for name, source in admits.items() if source != "Selector"]
    if not narrowed:
        return None
    kept = ", ".join(sorted(allowed | {namespace}))
    return (
        f"AI Runway will set every listener of Gateway {meta.get('namespace')}/{meta.get('name')} to admit routes "
        f"from namespace(s) {kept} only: routes of other namespaces, {meta.get('namespace')}'s own included, lose "
        f"listener(s) {', '.join(narrowed)}; to keep them, give the listeners a {NAMESPACE_NAME_LABEL} In selector "
        f"that lists {namespace} and theirs before deploying"
    )


# What each provider applies under the ModelDeployment's name, in its order (ai-runway/airunway
# v0.7.0 providers/kaito/transformer.go: the Workspace; providers/vllm/transformer.go and
# providers/llmd/transformer.go transformAggregated: the Deployment, then the Service).
OWNED_BY_PROVIDER: dict[str, tuple[tuple[str, str], ...]] = {
    "kaito": (("kaito.sh/v1beta1", "Workspace"),),
    "vllm": (("apps/v1", "Deployment"), ("v1", "Service")),
    "llmd": (("apps/v1", "Deployment"), ("v1", "Service")),
}


def old_object_warning(kube: Kube, name: str, namespace: str, provider: str = "kaito") -> str | None:
    """A warning when an object NAME the provider would make (OWNED_BY_PROVIDER) is still another
    ModelDeployment's (the deleted one's, not yet garbage-collected): the provider refuses it with
    ResourceConflict and never retries (ai-runway/airunway v0.7.0 f5fd48d1
    providers/kaito/controller.go and providers/vllm/controller.go: verifyOwnerReference, Reconcile;
    each object is named after the ModelDeployment and owned by its UID: providers/kaito/transformer.go
    L69-76, providers/vllm/transformer.go buildDeployment and buildService). One GET per kind until
    one exists; only then one GET of the ModelDeployment it should belong to."""
    from akscli.errors import AkscliError
    from akscli.model.kinds import AIRUNWAY_API

    try:
        for api_version, kind in OWNED_BY_PROVIDER.get(provider, ()):
            found = kube.get(api_version, kind, name, namespace=namespace)
            if found is not None:
                break
        else:
            return None
        owners = {
            ref.get("uid")
            for ref in (found.get("metadata") or {}).get("ownerReferences") or []
            if ref.get("kind") == "ModelDeployment"
        }
        if not owners:
            return None  # not AI Runway's: the provider's own refusal says so
        live = kube.get(AIRUNWAY_API, "ModelDeployment", name, namespace=namespace)
    except AkscliError:
        return None  # not readable: the deploy's own wait reports what happens
    meta = (live or {}).get("metadata") or {}
    if live is not None and meta.get("uid") in owners and not meta.get("deletionTimestamp"):
        return None  # this deploy updates the ModelDeployment that owns it
    group = api_version.partition("/")[0] if "/" in api_version else ""
    ref = f"{kind.lower()}.{group}/{name}" if group else f"{kind.lower()}/{name}"
    return (
        f"{ref} of the deleted deployment is still there: AI Runway will refuse this one "
        f"(ResourceConflict); wait until `kubectl get {kind.lower()} {name} -n {namespace}` finds none, "
        f"then run `akscli model delete {name} -n {namespace} -y` and deploy again"
    )


# AI Runway's endpoint picker serves TLS: it starts the EPP (registry.k8s.io/gateway-api-inference-
# extension/epp:v1.5.0 by default) without --secure-serving=false, and SecureServing defaults to true
# (kubernetes-sigs/gateway-api-inference-extension v1.5.0 pkg/epp/server/options.go). It bridges an
# Istio gateway, which speaks plaintext to a picker without a sidecar unless a DestinationRule sets
# TLS (model/picker_tls.py), with a DestinationRule NAME-epp of tls SIMPLE and insecureSkipVerify,
# made only where the cluster serves networking.istio.io DestinationRule (ai-runway/airunway v0.7.0
# controller/internal/controller/gateway_reconciler.go, reconcileEPPDestinationRule: RESTMapping of
# the group and kind, else "Istio not detected, skipping DestinationRule"; the same for a provider's
# own picker). Its InferencePool leaves failureMode to the CRD's default, FailClose: "the parent
# should drop the request when the Endpoint Picker extension fails" (kubernetes-sigs/gateway-api-
# inference-extension v1.6.0 api/v1/inferencepool_types.go).
DESTINATION_RULE_APIS = ("networking.istio.io/v1beta1", "networking.istio.io/v1")


def picker_tls_warning(kube: Kube, gateway: Mapping[str, Any], name: str, namespace: str) -> str | None:
    """The warning for an Istio Gateway in a cluster that serves no DestinationRule (the
    application routing add-on's Istio, docs/model.md): AI Runway's picker serves TLS, the gateway
    speaks plaintext, and every request through the gateway fails. None otherwise. One GET of the
    GatewayClass; discovery is cached."""
    from akscli.errors import AkscliError
    from akscli.model.kinds import GATEWAY_API, is_istio_class

    if any(kube.has_api(api, "DestinationRule") for api in DESTINATION_RULE_APIS):
        return None
    meta = gateway.get("metadata") or {}
    class_name = str((gateway.get("spec") or {}).get("gatewayClassName") or "")
    try:
        gateway_class = kube.get(GATEWAY_API, "GatewayClass", class_name) if class_name else None
    except AkscliError:
        return None  # not readable: nothing to judge
    if not is_istio_class(gateway_class):
        return None
    return (
        f"AI Runway's endpoint picker {namespace}/{name}-epp will serve TLS and the Istio gateway "
        f"{meta.get('namespace')}/{meta.get('name')} (class {class_name}) speaks plaintext to it: AI Runway adds "
        "the DestinationRule that bridges them only where networking.istio.io DestinationRule is served, and this "
        "cluster serves none, so every request through the gateway would fail (its InferencePool's failureMode is "
        "FailClose); use a Gateway of the Istio add-on (az aks mesh enable), which serves DestinationRule, or route "
        "to akscli's own pool (--runtime vllm --expose --inference-pool, an EPP started with --secure-serving=false)"
    )


def check_not_terminating(kube: Kube, name: str, namespace: str) -> None:
    """Refuse a deploy onto a ModelDeployment that is being deleted: every AI Runway provider holds it
    under its finalizer (``airunway.ai/<provider>-provider``) until it has deleted what it made
    (ai-runway/airunway v0.7.0 providers/vllm/controller.go and providers/kaito/controller.go:
    Reconcile adds FinalizerName, handleDeletion sets phase Terminating and removes it once the
    Deployment or Workspace is gone), so after ``model delete --no-wait`` the old object is still
    there. An apply would change that dying object, and its old status (Running) would read as
    ready until it vanished. One GET; nothing is refused where it cannot be read."""
    from akscli.errors import AkscliError, ConflictError
    from akscli.model.kinds import AIRUNWAY_API

    try:
        live = kube.get(AIRUNWAY_API, "ModelDeployment", name, namespace=namespace)
    except AkscliError:
        return
    meta = (live or {}).get("metadata") or {}
    if not meta.get("deletionTimestamp"):
        return
    held = ", ".join(str(f) for f in meta.get("finalizers") or []) or "none"
    raise ConflictError(
        f"modeldeployment.airunway.ai/{name} is being deleted (finalizers: {held}): deploying now would change "
        "the old one, which then goes",
        hint=f"wait until `kubectl get modeldeployment {name} -n {namespace}` finds none (as `akscli model delete "
        f"{name} -n {namespace} -y` does), then deploy again",
    )


# The kind the kuberay and dynamo providers create for a ModelDeployment, which only their backend's
# operator serves (ai-runway/airunway v0.7.0 f5fd48d1 providers/kuberay/transformer.go RayAPIGroup,
# RayAPIVersion, RayServiceKind; providers/dynamo/transformer.go DynamoAPIGroup, DynamoAPIVersion,
# DynamoGraphDeploymentKind), and how each provider says to install it (providers/kuberay/config.go and
# providers/dynamo/config.go GetInstallationInfo). Without it the provider's createOrUpdateResource
# fails on its first Get (meta.NoKindMatchError), and Reconcile sets phase Failed, "Failed to create
# RayService: failed to get existing resource: no matches for kind ..." and requeues nothing until the
# provider's heartbeat (1 minute) sees the CRD and flips its InferenceProviderConfig's status.ready.
PROVIDER_BACKENDS: dict[str, tuple[str, str, str, str]] = {
    "kuberay": (
        "ray.io/v1",
        "RayService",
        "KubeRay's operator",
        "helm upgrade --install kuberay-operator kuberay/kuberay-operator -n ray-system --create-namespace",
    ),
    "dynamo": (
        "nvidia.com/v1alpha1",
        "DynamoGraphDeployment",
        "NVIDIA Dynamo's platform",
        "install the dynamo-platform Helm chart (kubectl get inferenceproviderconfig dynamo -o yaml shows the command)",
    ),
}


def backend_missing(kube: Kube, provider: str) -> tuple[str, str] | None:
    """(what is wrong, the fix) where ``provider`` creates a kind this cluster does not serve
    (PROVIDER_BACKENDS); None where it does, or the provider needs none. Discovery only (cached)."""
    if provider not in PROVIDER_BACKENDS:
        return None
    api_version, kind, operator, install = PROVIDER_BACKENDS[provider]
    if kube.has_api(api_version, kind):
        return None
    return (
        f"AI Runway's {provider} provider makes a {kind} ({api_version}), which this cluster does not serve "
        f"({operator} is not installed): it would fail the ModelDeployment at once",
        f"{install}, or pick another --provider",
    )


def check_backend(kube: Kube, provider: str, *, wait: bool) -> list[str]:
    """A --wait deploy whose provider's backend kind is not served is refused (the wait could only
    end in that Failed phase); without --wait, a warning. Then the kuberay provider's Serve app
    (check_kuberay_serve)."""
    from akscli.errors import NotInstalledError

    missing = backend_missing(kube, provider)
    if missing is not None and wait:
        raise NotInstalledError(missing[0], hint=f"{missing[1]}; deploy without --wait to apply anyway")
    warnings = []
    if missing is not None:
        api_version, kind, operator, _ = PROVIDER_BACKENDS[provider]
        warnings.append(
            f"the cluster serves no {kind} ({api_version}): AI Runway's {provider} provider will fail this "
            f"ModelDeployment at once; install {operator} or use another --provider"
        )
    return warnings + check_kuberay_serve(provider, wait=wait)


# AI Runway's kuberay provider runs vLLM as the Ray Serve application ``vllm_serve:deployment``
# (ai-runway/airunway v0.7.0 f5fd48d1 providers/kuberay/transformer.go buildSpec, unchanged at HEAD
# b0d3fb77) on its DefaultImage, rayproject/ray-llm:2.55.0-py311-cu128, which lacks that module: Ray
# Serve fails to import it and the app is DEPLOY_FAILED (ai-runway/airunway issue #399 "KubeRay imports
# a missing module from its default Ray image", open; PR #116 "No module named 'vllm_serve'", open, on
# the earlier ray-ml image). akscli refuses --image with this provider, so its ModelDeployment always
# runs the default image. KubeRay keeps that app in pendingServiceStatus and never promotes the
# cluster (ray-project/kuberay ray-operator/controllers/ray/rayservice_controller.go), and the provider
# reads only activeServiceStatus (providers/kuberay/status.go), so the ModelDeployment stays Deploying.
KUBERAY_SERVE_APP = "vllm_serve:deployment"
KUBERAY_DEFAULT_IMAGE = "rayproject/ray-llm:2.55.0-py311-cu128"  # transformer.go DefaultImage


def check_kuberay_serve(provider: str, *, wait: bool) -> list[str]:
    """--provider kuberay: refused with --wait (it would wait out its whole timeout), else a warning."""
    from akscli.errors import NotInstalledError

    if provider != "kuberay":
        return []
    why = (
        f"AI Runway v0.7.0's kuberay provider runs Ray app {KUBERAY_SERVE_APP}, which its default image "
        f"{KUBERAY_DEFAULT_IMAGE} lacks (ai-runway/airunway#399): it never serves and stays Deploying"
    )
    if wait:
        raise NotInstalledError(
            why, hint="use --provider vllm or llmd (vLLM in a Deployment); deploy without --wait to apply anyway"
        )
    return [f"{why}; use --provider vllm or llmd"]


def kaito_count_note(obj: Mapping[str, Any]) -> str | None:
    """What AI Runway's status.replicas of a kaito-provider ModelDeployment counts where it is above
    1 (None otherwise), for `model status`. The provider passes scaling.replicas to KAITO as the
    Workspace's resource.count (ai-runway/airunway v0.7.0 providers/kaito/transformer.go
    buildResource) and reports that count as desired, all ready once the Workspace is
    (providers/kaito/status.go extractReplicas). It is GPU nodes of the Workspace's one server, and
    KAITO v0.12.0 does not read it for vLLM: it estimates the node count itself, status.targetNodeCount
    (kaito-project/kaito v0.12.0 pkg/workspace/controllers/workspace_controller.go
    UpdateWorkspaceTargetNodeCount). So akscli shows one replica (live.replicas_of)."""
    if obj.get("kind") != "ModelDeployment":  # a Deployment's or InferenceSet's status.replicas is a number
        return None
    status = obj.get("status") or {}
    provider = ((obj.get("spec") or {}).get("provider") or {}).get("name") or (status.get("provider") or {}).get("name")
    found = status.get("replicas")
    counts: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    desired = int(counts.get("desired") or 0)
    if provider != "kaito" or desired <= 1:
        return None
    return (
        f"AI Runway's replicas {int(counts.get('ready') or 0)}/{desired} (kaito provider) are "
        "the Workspace's resource.count, GPU nodes of 1 server (KAITO sizes vLLM nodes itself): shown as 1 "
        "server; more: --provider vllm or llmd"
    )


def selection(obj: Mapping[str, Any]) -> dict[str, Any] | None:
    """What AI Runway's core controller chose for a ModelDeployment (None for any other object): the
    provider and engine it recorded in status with their selectedReason ("explicit provider
    selection", or "matched capabilities: engine=..., gpu=..., mode=..." when it picked one), and
    where it has not, the EngineSelected or ProviderSelected condition's message (upstream:
    ai-runway/airunway v0.7.0 controller/internal/controller/modeldeployment_controller.go
    selectEngine, selectProvider, runSelectionAlgorithm; controller/api/v1alpha1/
    modeldeployment_types.go ProviderStatus, EngineStatus)."""
    if obj.get("kind") != "ModelDeployment":
        return None
    status = obj.get("status") or {}
    failed = {
        c.get("type"): str(c.get("message") or c.get("reason") or "")
        for c in status.get("conditions") or []
        if c.get("type") in ("EngineSelected", "ProviderSelected") and c.get("status") == "False"
    }
    doc: dict[str, Any] = {}
    for part, condition in (("provider", "ProviderSelected"), ("engine", "EngineSelected")):
        chosen = status.get(part) or {}
        key = "name" if part == "provider" else "type"
        doc[part] = chosen.get(key) or None
        doc[f"{part}_reason"] = chosen.get("selectedReason") or None
        doc[f"{part}_problem"] = None if chosen.get(key) else failed.get(condition)
    return doc


def selection_line(doc: Mapping[str, Any]) -> str:
    """selection()'s one line: ``provider dynamo (matched capabilities: ...); engine vllm (...)``."""
    parts = []
    for part in ("provider", "engine"):
        if doc.get(part):
            why = doc.get(f"{part}_reason")
            parts.append(f"{part} {doc[part]}" + (f" ({why})" if why else ""))
        elif doc.get(f"{part}_problem"):
            parts.append(f"{part} not selected: {doc[f'{part}_problem']}")
        else:
            parts.append(f"{part} not selected yet")
    return "; ".join(parts)


def selected_report(kube: Kube, name: str, namespace: str) -> str | None:
    """After ``model deploy --provider auto --wait``: the provider AI Runway's core controller picked,
    as it recorded it (status.provider name and selectedReason: modeldeployment_controller.go
    selectProvider), or None where it recorded none."""
    live = kube.get(AIRUNWAY_API, "ModelDeployment", name, namespace=namespace)
    doc = selection(live or {})
    if not doc or not doc.get("provider"):
        return None
    why = doc.get("provider_reason")
    return f"AI Runway selected provider {doc['provider']}" + (f" ({why})" if why else "")


# What `model deploy --provider auto` says before it applies: akscli does not guess the provider. AI
# Runway's core controller picks it on reconcile, among the InferenceProviderConfigs with
# status.ready whose capabilities list the engine with GPU support and the serving mode, by the
# highest selectionRules priority whose CEL condition holds, ties to the smaller name
# (ai-runway/airunway v0.7.0 controller/internal/controller/modeldeployment_controller.go
# selectProvider, runSelectionAlgorithm; the rules: providers/*/config.go GetProviderConfigSpec).
AUTO_PROVIDER_NOTE = (
    "provider: chosen by AI Runway when it reconciles the ModelDeployment, from the cluster's ready "
    "InferenceProviderConfigs (engine and GPU capabilities, then their selectionRules' priority); "
    "kubectl get inferenceproviderconfigs lists them"
)


def auto_served_note(model_id: str) -> str:
    """What a request names for a --provider auto deployment (values: KAITO's name for the id)."""
    name = kaito_names.served_name(model_id)
    return (
        f"served as {name} whichever provider AI Runway picks (KAITO serves {bounded.value(model_id)} so, and the "
        "others take spec.model.servedName): requests name that model"
    )
