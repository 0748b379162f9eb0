"""The objects the AI Runway simulator makes for a ModelDeployment (moved out of airunway.py, whose
docstring names each upstream file): the vLLM provider's Deployment and Service
(providers/vllm/transformer.go transformAggregated, getImage), and the gateway path's endpoint
picker, InferencePool and HTTPRoute (controller/internal/gateway: reconcileEPP,
reconcileInferencePool, buildHTTPRouteSpec, resolveTargetPort), at ai-runway/airunway v0.7.0
(f5fd48d134a510a2af1ef237ced13103ba27c076). Pure functions of the ModelDeployment."""

from __future__ import annotations

import copy
from typing import Any

from tests.emulators.kube.controllers.kaito import _owner

AIRUNWAY = "airunway.ai/v1alpha1"
LABEL = "airunway.ai/model-deployment"
# buildLabels / the pods' selector in providers/vllm/transformer.go.
DEPLOYMENT_LABEL = "airunway.ai/deployment"
POOL_API = "inference.networking.k8s.io/v1"
GATEWAY_API = "gateway.networking.k8s.io/v1"
EPP_PORT = 9002
EPP_HEALTH_PORT = 9003
# gateway.LabelInferenceGateway (upstream ai-runway/airunway v0.7.0 controller/internal/gateway/detection.go).
INFERENCE_GATEWAY_LABEL = "airunway.ai/inference-gateway"
NAMESPACE_LABEL = "kubernetes.io/metadata.name"


def _md_owner(obj: dict[str, Any]) -> list[dict[str, Any]]:
    return [{**_owner(obj), "apiVersion": AIRUNWAY}]


def _target_port(service: dict[str, Any]) -> int | None:
    """resolveTargetPort: the port named http (or 80, 8080), else the first; its targetPort."""
    ports = (service.get("spec") or {}).get("ports") or []
    pick = next(
        (p for p in ports if p.get("name") == "http" or p.get("port") in (80, 8080)), ports[0] if ports else None
    )
    if pick is None:
        return None
    target = pick.get("targetPort")
    return int(target) if isinstance(target, int) and target > 0 else int(pick.get("port") or 0) or None


def _vllm_objects(obj: dict[str, Any], provider: str = "vllm") -> list[dict[str, Any]]:
    """providers/vllm/transformer.go transformAggregated: buildDeployment and buildService. The llmd
    provider's are the same objects (ai-runway/airunway v0.7.0 providers/llmd/transformer.go), but
    for its default image and its args, which name no --host and --port and name prefix
    caching either way (buildVLLMArgs)."""
    md, spec = obj["metadata"], obj.get("spec") or {}
    name, model = md["name"], spec.get("model") or {}
    labels = {
        "airunway.ai/managed-by": "airunway",
        DEPLOYMENT_LABEL: name,
        "airunway.ai/model-source": str(model.get("source") or ""),
        "airunway.ai/engine-type": "vllm",
    }
    selector = {DEPLOYMENT_LABEL: name, "app": name}
    gpus = int(((spec.get("resources") or {}).get("gpu") or {}).get("count") or 0)
    # upstream: ai-runway/airunway v0.7.0 providers/llmd/transformer.go buildVLLMArgs starts at --model
    args = [] if provider == "llmd" else ["--host", "0.0.0.0", "--port", "8000"]
    args += ["--model", str(model.get("id"))]
    if model.get("servedName"):
        args += ["--served-model-name", str(model["servedName"])]
    if (spec.get("engine") or {}).get("contextLength"):
        args += ["--max-model-len", str(spec["engine"]["contextLength"])]
    # ai-runway/airunway v0.7.0 providers/vllm/transformer.go: after --max-model-len
    engine = spec.get("engine") or {}
    if engine.get("trustRemoteCode"):
        args.append("--trust-remote-code")
    # upstream: ai-runway/airunway v0.7.0 providers/vllm/transformer.go buildVLLMArgs (--enforce-eager,
    # then --enable-prefix-caching when set; the CRD defaults enablePrefixCaching to true) and
    # providers/llmd/transformer.go buildVLLMArgs (prefix caching named either way, then
    # --enforce-eager). engine.args and extraArgs are not simulated.
    if provider == "llmd":
        args.append("--enable-prefix-caching" if engine.get("enablePrefixCaching") else "--no-enable-prefix-caching")
    if engine.get("enforceEager"):
        args.append("--enforce-eager")
    if provider != "llmd" and engine.get("enablePrefixCaching"):
        args.append("--enable-prefix-caching")
    if gpus > 1:
        args += ["--tensor-parallel-size", str(gpus)]
    container: dict[str, Any] = {
        "name": "vllm",
        "image": _vllm_image(spec, provider),
        "args": args,
        "ports": [{"name": "http", "containerPort": 8000, "protocol": "TCP"}],
    }
    if gpus:
        container["resources"] = {"limits": {"nvidia.com/gpu": str(gpus)}, "requests": {"nvidia.com/gpu": str(gpus)}}
    secret = (spec.get("secrets") or {}).get("huggingFaceToken")
    if secret:
        container["env"] = [{"name": "HF_TOKEN", "valueFrom": {"secretKeyRef": {"name": secret, "key": "HF_TOKEN"}}}]
    pod_spec: dict[str, Any] = {"containers": [container]}
    if spec.get("nodeSelector"):
        pod_spec["nodeSelector"] = dict(spec["nodeSelector"])
    if spec.get("tolerations"):
        pod_spec["tolerations"] = copy.deepcopy(spec["tolerations"])
    meta = {"name": name, "namespace": md["namespace"], "labels": labels, "ownerReferences": _md_owner(obj)}
    replicas = int((spec.get("scaling") or {}).get("replicas") or 0) or 1
    return [
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": copy.deepcopy(meta),
            "spec": {
                "replicas": replicas,
                "selector": {"matchLabels": selector},
                "template": {"metadata": {"labels": dict(selector)}, "spec": pod_spec},
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": copy.deepcopy(meta),
            "spec": {
                "type": "ClusterIP",
                "selector": selector,
                "ports": [{"name": "http", "port": 8000, "targetPort": 8000, "protocol": "TCP"}],
            },
        },
    ]


def _vllm_image(spec: dict[str, Any], provider: str = "vllm") -> str:
    """upstream: ai-runway/airunway v0.7.0 providers/vllm/transformer.go getImage:
    ``spec.engine.image``, else the legacy ``spec.image``
    (controller/api/v1alpha1/modeldeployment_validation.go ImageOverride), else DefaultVLLMImage,
    ``vllm/vllm-openai:`` + VLLMVersion ``cu130-nightly`` (versions.env). The image the provider
    resolved to a digest (``status.image.resolved``) is not simulated. The llmd provider's
    default is DefaultVLLMImage ``vllm/vllm-openai:v0.9.1`` (ai-runway/airunway v0.7.0
    providers/llmd/transformer.go getImage)."""
    engine = spec.get("engine") or {}
    default = "vllm/vllm-openai:v0.9.1" if provider == "llmd" else "vllm/vllm-openai:cu130-nightly"
    return str(engine.get("image") or spec.get("image") or default)


def _epp_objects(obj: dict[str, Any]) -> list[dict[str, Any]]:
    """reconcileEPP: the endpoint picker of the pool, all named NAME-epp."""
    md = obj["metadata"]
    ns, epp = md["namespace"], f"{md['name']}-epp"
    meta = {"name": epp, "namespace": ns, "ownerReferences": _md_owner(obj)}
    labels = {
        "app.kubernetes.io/name": epp,
        "app.kubernetes.io/instance": md["name"],
        "app.kubernetes.io/managed-by": "airunway",
    }
    read = ["get", "watch", "list"]
    rules = [
        {"apiGroups": [""], "resources": ["pods"], "verbs": read},
        {"apiGroups": ["inference.networking.k8s.io"], "resources": ["inferencepools"], "verbs": read},
        {"apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "verbs": ["create", "get", "update"]},
        {
            "apiGroups": ["inference.networking.x-k8s.io"],
            "resources": ["inferenceobjectives", "inferencemodelrewrites"],
            "verbs": read,
        },
    ]
    # upstream: ai-runway/airunway v0.7.0 controller/internal/controller/gateway_reconciler.go reconcileEPP
    # (the container, its env, gRPC probes on 9003 for service inference-extension, the plugins ConfigMap
    # mounted at /config, terminationGracePeriodSeconds 130); the image tag is DefaultGAIEVersion
    # (controller/internal/gateway/detection.go).
    container = {
        "name": "epp",
        "image": "registry.k8s.io/gateway-api-inference-extension/epp:v1.5.0",
        "imagePullPolicy": "IfNotPresent",
        "args": ["--pool-name", md["name"], "--pool-namespace", ns, "--zap-encoder", "json",
                 "--config-file", "/config/default-plugins.yaml", "--tracing=false"],
        "ports": [{"name": "grpc", "containerPort": EPP_PORT},
                  {"name": "grpc-health", "containerPort": EPP_HEALTH_PORT}],
        "env": [_field_env("NAMESPACE", "metadata.namespace"), _field_env("POD_NAME", "metadata.name")],
        "livenessProbe": {**_epp_health(), "initialDelaySeconds": 30, "periodSeconds": 10, "failureThreshold": 5},
        "readinessProbe": {**_epp_health(), "initialDelaySeconds": 10, "periodSeconds": 5},
        "volumeMounts": [{"name": "plugins-config", "mountPath": "/config"}],
    }  # fmt: skip
    plugins = "apiVersion: inference.networking.x-k8s.io/v1alpha1\nkind: EndpointPickerConfig\n"
    return [
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": copy.deepcopy(meta)},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": copy.deepcopy(meta), "rules": rules},
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": copy.deepcopy(meta),
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": epp},
            "subjects": [{"kind": "ServiceAccount", "name": epp, "namespace": ns}],
        },
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": copy.deepcopy(meta),
            "data": {"default-plugins.yaml": plugins},
        },
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": copy.deepcopy(meta),
            "spec": {
                "replicas": 1,
                "strategy": {"type": "Recreate"},
                "selector": {"matchLabels": labels},
                "template": {
                    "metadata": {"labels": dict(labels)},
                    "spec": {
                        "serviceAccountName": epp,
                        "terminationGracePeriodSeconds": 130,
                        "containers": [container],
                        "volumes": [{"name": "plugins-config", "configMap": {"name": epp}}],
                    },
                },
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": copy.deepcopy(meta),
            "spec": {
                "type": "ClusterIP",
                "selector": labels,
                "ports": [
                    {"name": "grpc-ext-proc", "protocol": "TCP", "port": EPP_PORT, "appProtocol": "kubernetes.io/h2c"}
                ],
            },
        },
    ]


DESTINATION_RULE_CRD = "destinationrules.networking.istio.io"


def _gateway_objects(
    cluster: Any, obj: dict[str, Any], port: int, gw_ns: str, gw_name: str, model: str
) -> list[dict[str, Any]]:
    """What reconcileGateway makes for a controller-managed picker: reconcileEPP's objects (with the
    DestinationRule of reconcileEPPDestinationRule where the cluster serves it at v1beta1), the
    InferencePool and the HTTPRoute."""
    objects = [*_epp_objects(obj), _pool(obj, port), _route(obj, gw_ns, gw_name, model)]
    crd = cluster.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", None, DESTINATION_RULE_CRD)
    if crd is not None and any(v.get("name") == "v1beta1" and v.get("served") for v in crd["spec"]["versions"]):
        objects.insert(len(objects) - 2, _epp_destination_rule(obj))
    return objects


def _epp_destination_rule(obj: dict[str, Any]) -> dict[str, Any]:
    """reconcileEPPDestinationRule (ai-runway/airunway v0.7.0 controller/internal/controller/
    gateway_reconciler.go): the EPP serves TLS with a self-signed certificate (no
    --secure-serving=false), so an Istio gateway reaches it with tls SIMPLE, insecureSkipVerify,
    made only where the RESTMapper knows networking.istio.io DestinationRule, always at v1beta1."""
    md = obj["metadata"]
    ns, epp = md["namespace"], f"{md['name']}-epp"
    return {
        "apiVersion": "networking.istio.io/v1beta1",
        "kind": "DestinationRule",
        "metadata": {"name": epp, "namespace": ns, "ownerReferences": _md_owner(obj)},
        "spec": {
            "host": f"{epp}.{ns}.svc.cluster.local",
            "trafficPolicy": {"tls": {"mode": "SIMPLE", "insecureSkipVerify": True}},
        },
    }


def _field_env(name: str, path: str) -> dict[str, Any]:
    return {"name": name, "valueFrom": {"fieldRef": {"fieldPath": path}}}


def _epp_health() -> dict[str, Any]:
    """The EPP's gRPC health check (reconcileEPP's GRPCAction: port 9003, service inference-extension)."""
    return {"grpc": {"port": EPP_HEALTH_PORT, "service": "inference-extension"}}


def _pool(obj: dict[str, Any], port: int) -> dict[str, Any]:
    """reconcileInferencePool: failureMode left to the CRD's default (FailClose)."""
    md = obj["metadata"]
    return {
        "apiVersion": POOL_API,
        "kind": "InferencePool",
        "metadata": {"name": md["name"], "namespace": md["namespace"], "ownerReferences": _md_owner(obj)},
        "spec": {
            "selector": {"matchLabels": {LABEL: md["name"]}},
            "targetPorts": [{"number": port}],
            "endpointPickerRef": {"name": f"{md['name']}-epp", "port": {"number": EPP_PORT}},
        },
    }


def _route(obj: dict[str, Any], gw_ns: str, gw_name: str, model: str) -> dict[str, Any]:
    """buildHTTPRouteSpec: one rule, path / and the X-Gateway-Model-Name header, 300s timeout."""
    md = obj["metadata"]
    match = {
        "path": {"type": "PathPrefix", "value": "/"},
        "headers": [{"type": "Exact", "name": "X-Gateway-Model-Name", "value": model}],
    }
    backend = {
        "group": "inference.networking.k8s.io",
        "kind": "InferencePool",
        "name": md["name"],
        "namespace": md["namespace"],
    }
    return {
        "apiVersion": GATEWAY_API,
        "kind": "HTTPRoute",
        "metadata": {"name": md["name"], "namespace": md["namespace"], "ownerReferences": _md_owner(obj)},
        "spec": {
            "parentRefs": [{"name": gw_name, "namespace": gw_ns}],
            "rules": [{"matches": [match], "backendRefs": [backend], "timeouts": {"request": "300s"}}],
        },
    }


def _pick_gateway(cluster: Any) -> tuple[dict[str, Any] | None, str]:
    """resolveGatewayConfig without an explicit --gateway-name: the only Gateway, else the first
    labelled airunway.ai/inference-gateway=true."""
    gateways = cluster.list(GATEWAY_API, "Gateway", None)
    if not gateways:
        return None, "no Gateway resources found in cluster"
    if len(gateways) == 1:
        return gateways[0], ""
    labelled = [g for g in gateways if (g["metadata"].get("labels") or {}).get(INFERENCE_GATEWAY_LABEL) == "true"]
    if not labelled:
        return None, f"multiple Gateways found but none labeled with {INFERENCE_GATEWAY_LABEL}=true"
    return labelled[0], ""


def _allow_namespace(cluster: Any, gateway: dict[str, Any], namespace: str) -> None:
    """ensureGatewayAllowsNamespace: every listener admits routes from the namespaces already in
    the first listener's selector (allowedNamespacesFromGateway) plus this one, by a
    matchExpressions In list on kubernetes.io/metadata.name."""
    listeners = copy.deepcopy((gateway.get("spec") or {}).get("listeners") or [])
    allowed: set[str] = set()
    for listener in listeners:
        selector = ((listener.get("allowedRoutes") or {}).get("namespaces") or {}).get("selector")
        if selector is None:
            continue
        if NAMESPACE_LABEL in (selector.get("matchLabels") or {}):
            allowed.add(selector["matchLabels"][NAMESPACE_LABEL])
        for expr in selector.get("matchExpressions") or []:
            if expr.get("key") == NAMESPACE_LABEL and expr.get("operator") == "In":
                allowed.update(expr.get("values") or [])
        break
    if namespace in allowed:
        return
    values = sorted(allowed | {namespace})
    for listener in listeners:
        listener.setdefault("allowedRoutes", {})["namespaces"] = {
            "from": "Selector",
            "selector": {"matchExpressions": [{"key": NAMESPACE_LABEL, "operator": "In", "values": values}]},
        }
    md = gateway["metadata"]
    cluster.patch(GATEWAY_API, "Gateway", md["namespace"], md["name"], {"spec": {"listeners": listeners}})
