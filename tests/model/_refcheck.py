"""Reference integrity of a rendered object set: every reference a model deploy writes (a route's
backends, a pool's pods and picker, a Service's pods and target port, a PodMonitor's pods and port,
a ScaledObject's target and the series its query reads, a Workspace's ConfigMap, a placement's
namespace) resolves to an object of the same set, to one an upstream controller makes from it, or
to a metric the serving engine exports. What only the cluster can answer (a Secret, the Gateway,
the endpoint picker's Service) is listed as external, with the preflight check that refuses it.

What upstream controllers make, each from its source:
- KAITO runs each Workspace as a StatefulSet whose pods carry ``kaito.sh/workspace: WS`` and the
  StatefulSet controller's ``apps.kubernetes.io/pod-index``, with one container port ``http`` 5000,
  and makes a Service named WS, port 80 to 5000, over pod-index 0 (kaito-project/kaito v0.12.0
  056b8280 pkg/workspace/inference/preset_inferences.go containerPorts and GenerateStatefulSetManifest;
  pkg/workspace/manifests/manifests.go GenerateServiceManifest; pkg/utils/consts/consts.go
  PortInferenceServer).
- An InferenceSet SET makes Workspaces ``SET-xxxxx`` labelled, pods included,
  ``inferenceset.kaito.sh/created-by: SET`` (pkg/utils/inferenceset/inferenceset.go
  NewWorkspaceForInferenceSet), and no Service of its own.
- With KAITO's gatewayAPIInferenceExtension gate an InferenceSet SET of a preset gets an
  InferencePool named after its Flux HelmRelease ``SET-inferencepool``: that name, or past 53
  characters its first 40, ``-`` and 12 hex digits of its sha256 (kaito-project/kaito
  pkg/inferenceset/inferenceset_controller.go ensureGatewayAPIInferenceExtension;
  fluxcd/helm-controller internal/release/name.go ShortenName); no other pool name is KAITO's.
- A Deployment's pods carry its template's labels and ports (kubernetes/api core/v1).
- vLLM exports ``vllm:num_requests_waiting`` (and the other ``vllm:`` series below) with label
  ``model_name``, the served model name (vllm-project/vllm vllm/v1/metrics/loggers.py
  PrometheusStatLogger, labelnames model_name and engine).
- The Prometheus Operator fronts every Prometheus of a namespace with Service
  ``prometheus-operated`` port 9090 (prometheus-operator/prometheus-operator
  pkg/prometheus/server/statefulset.go governingServiceName).
- An AI Runway ModelDeployment MD is made by its provider (ai-runway/airunway v0.7.0 f5fd48d1
  providers/*/transformer.go; PROVIDER_PODS below): vllm and llmd a Deployment and a Service MD
  (port http 8000) over pods labelled ``airunway.ai/deployment: MD`` and ``app: MD``, serving
  spec.model.servedName; kaito a Workspace MD (so KAITO's pods and Service above); kuberay a
  RayService MD whose head and worker pods carry ``airunway.ai/model-deployment: MD``; dynamo a
  DynamoGraphDeployment MD, whose pods the Dynamo operator labels with the graph's name and their
  component type, workers on port ``system`` 9090 (ai-dynamo/dynamo d195d280
  deploy/operator/internal/consts/consts.go; d4872d7e deploy/operator/internal/dynamo/graph.go
  generateLabels; 015d780b component_worker.go). Every provider reads the token from key HF_TOKEN of
  spec.secrets.huggingFaceToken (buildEnvVars; dynamo envFromSecret), the kaito one from the
  Workspace's presetOptions.modelAccessSecret in spec.provider.overrides."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from akscli.output import kind_ref, object_ref

KAITO_WS_LABEL = "kaito.sh/workspace"
KAITO_SET_LABEL = "inferenceset.kaito.sh/created-by"
POD_INDEX = "apps.kubernetes.io/pod-index"
# vLLM's Prometheus series (vllm-project/vllm v0.24.0 vllm/v1/metrics/loggers.py), the ones akscli reads;
# test_vllm_metric_names.py holds them to what _vllm_metrics.py recorded of that release.
VLLM_METRICS = frozenset(
    {
        "vllm:num_requests_waiting",
        "vllm:num_requests_running",
        "vllm:kv_cache_usage_perc",
        "vllm:prompt_tokens_total",
        "vllm:generation_tokens_total",
    }
)
VLLM_METRIC_LABELS = frozenset({"model_name", "engine"})
# Targets the Prometheus Operator adds to every PodMonitor series (pkg/prometheus/promcfg.go,
# the relabelling to namespace, pod, container).
SCRAPE_LABELS = frozenset({"namespace", "pod", "container", "job", "instance", "endpoint"})


@dataclass
class Pods:
    """Pods some object makes: their labels (all replicas alike, pod-index aside) and ports."""

    owner: str
    labels: dict[str, str]
    ports: list[dict[str, Any]]
    indexed: bool = False
    served_name: str | None = None

    def selected_by(self, selector: Mapping[str, str]) -> bool:
        for key, value in selector.items():
            if key == POD_INDEX and self.indexed:
                continue  # pod 0 exists whenever the StatefulSet has a replica
            if self.labels.get(key) != value:
                return False
        return True

    def port(self, ref: int | str) -> bool:
        return any(p.get("containerPort") == ref or p.get("name") == ref for p in self.ports)


@dataclass
class World:
    """A rendered set with what upstream controllers make from it."""

    objects: list[dict[str, Any]]
    pods: list[Pods] = field(default_factory=list)
    services: dict[str, dict[str, Any]] = field(default_factory=dict)
    external: list[str] = field(default_factory=list)

    def find(self, kind: str, name: str, api_group: str | None = None) -> dict[str, Any] | None:
        for obj in self.objects:
            group = obj["apiVersion"].rpartition("/")[0]
            if obj["kind"] == kind and obj["metadata"]["name"] == name and api_group in (None, group):
                return obj
        return None


# The Gateway API group the routes' parentRefs name (gateway.networking.k8s.io).
GATEWAY_API = "gateway.networking.k8s.io/v1"


def world(objects: list[dict[str, Any]]) -> World:
    w = World(objects)
    for obj in objects:
        kind, md = obj["kind"], obj["metadata"]
        if kind == "Deployment":
            template = obj["spec"]["template"]
            for c in template["spec"]["containers"]:
                args = [str(a) for a in c.get("args") or []]
                served = args[args.index("--served-model-name") + 1] if "--served-model-name" in args else None
                w.pods.append(Pods(object_ref(obj), dict(template["metadata"]["labels"]), c["ports"], False, served))
        elif kind == "Service":
            w.services[md["name"]] = obj
        elif kind == "Workspace":
            _kaito_pods(w, object_ref(obj), {KAITO_WS_LABEL: md["name"]}, obj["inference"]["preset"]["name"])
            w.services.setdefault(md["name"], _kaito_service(md["name"]))
        elif kind == "ModelDeployment":
            _airunway_pods(w, obj)
        elif kind == "InferenceSet":
            child = f"{md['name']}-abcde"
            _kaito_pods(w, object_ref(obj), {KAITO_SET_LABEL: md["name"], KAITO_WS_LABEL: child}, md["name"])
            w.services.setdefault(child, _kaito_service(child))
    return w


AIRUNWAY_DEPLOYMENT = "airunway.ai/deployment"
AIRUNWAY_MD = "airunway.ai/model-deployment"
DYNAMO_GRAPH = "nvidia.com/dynamo-graph-deployment-name"
DYNAMO_TYPE = "nvidia.com/dynamo-component-type"
VLLM_HTTP = {"name": "http", "containerPort": 8000}


def _airunway_pods(w: World, md: Mapping[str, Any]) -> None:
    """The pods (and Service) AI Runway's provider makes for ``md`` (the module docstring)."""
    name, spec = md["metadata"]["name"], md["spec"]
    provider, served = spec["provider"]["name"], spec["model"].get("servedName")
    owner = f"{object_ref(md)} ({provider})"
    if provider in ("vllm", "llmd"):
        labels = {AIRUNWAY_DEPLOYMENT: name, "app": name}
        w.pods.append(Pods(owner, labels, [VLLM_HTTP], False, served))
        w.services.setdefault(
            name,
            {
                "kind": "Service",
                "metadata": {"name": name},
                "spec": {"selector": labels, "ports": [{"port": 8000, "targetPort": 8000}]},
            },
        )
    elif provider == "kaito":
        _kaito_pods(w, owner, {KAITO_WS_LABEL: name}, spec["model"]["id"])
        w.services.setdefault(name, _kaito_service(name))
    elif provider == "kuberay":
        w.pods.append(Pods(owner, {AIRUNWAY_MD: name}, [], False, None))
    elif provider == "dynamo":
        for component, ports in (("worker", [{"name": "system", "containerPort": 9090}]), ("frontend", [VLLM_HTTP])):
            w.pods.append(
                Pods(f"{owner} {component}", {DYNAMO_GRAPH: name, DYNAMO_TYPE: component}, ports, False, served)
            )


def _kaito_pods(w: World, owner: str, labels: dict[str, str], served: str) -> None:
    w.pods.append(Pods(owner, labels, [{"name": "http", "containerPort": 5000}], True, served))


def _kaito_service(workspace: str) -> dict[str, Any]:
    return {
        "kind": "Service",
        "metadata": {"name": workspace},
        "spec": {
            "selector": {KAITO_WS_LABEL: workspace, POD_INDEX: "0"},
            "ports": [{"port": 80, "targetPort": 5000}],
        },
    }


def dangling(objects: list[dict[str, Any]], w: World | None = None) -> list[str]:
    """Every reference of the set that resolves to nothing, one line each ([] when all resolve);
    ``w.external`` then lists what only the cluster can resolve."""
    w = w or world(objects)
    bad: list[str] = []
    for svc in w.services.values():
        bad += _service(w, svc)
    for obj in objects:
        check = CHECKS.get(obj["kind"])
        if check is not None:
            bad += check(w, obj)
    return bad


def _pods_of(w: World, selector: Mapping[str, str]) -> list[Pods]:
    return [p for p in w.pods if p.selected_by(selector)]


def _service(w: World, svc: Mapping[str, Any]) -> list[str]:
    name = object_ref(svc)
    pods = _pods_of(w, svc["spec"]["selector"])
    if not pods:
        return [f"{name}: selector {svc['spec']['selector']} selects no pod of the set"]
    return [
        f"{name}: targetPort {port['targetPort']} is no container port of {pod.owner}"
        for port in svc["spec"]["ports"]
        for pod in pods
        if not pod.port(port["targetPort"])
    ]


def _kaito_pools(w: World) -> set[str]:
    """The InferencePools KAITO makes for the set's InferenceSets: each its HelmRelease
    SET-inferencepool's release name, which Flux shortens past 53 characters (the simulator's
    helm_release_name: fluxcd/helm-controller internal/release/name.go ShortenName)."""
    from tests.emulators.kube.controllers.kaito_inferenceset import helm_release_name

    return {
        helm_release_name(f"{o['metadata']['name']}-inferencepool")
        for o in w.objects
        if o["kind"] == "InferenceSet" and ((o["spec"].get("template") or {}).get("inference") or {}).get("preset")
    }


def _route(w: World, route: Mapping[str, Any]) -> list[str]:
    bad: list[str] = []
    for rule in route["spec"]["rules"]:
        for ref in rule["backendRefs"]:
            if ref.get("kind") == "InferencePool":
                if w.find("InferencePool", ref["name"], "inference.networking.k8s.io") is None and ref[
                    "name"
                ] not in _kaito_pools(w):
                    bad.append(
                        f"HTTPRoute: backendRef inferencepool.inference.networking.k8s.io/{ref['name']} is in no set"
                    )
                continue
            svc = w.services.get(ref["name"])
            if svc is None:
                bad.append(f"HTTPRoute: backendRef service/{ref['name']} nobody creates")
            elif ref.get("port") not in [p["port"] for p in svc["spec"]["ports"]]:
                bad.append(f"HTTPRoute: service/{ref['name']} has no port {ref.get('port')}")
    w.external += [
        f"{kind_ref(GATEWAY_API, 'Gateway', p['name'])} (gateway_checks.check_gateway)"
        for p in route["spec"]["parentRefs"]
    ]
    return bad


def _pool(w: World, pool: Mapping[str, Any]) -> list[str]:
    spec = pool["spec"]
    pods = _pods_of(w, spec["selector"]["matchLabels"])
    if not pods:
        return [f"InferencePool: selector {spec['selector']['matchLabels']} selects no pod of the set"]
    w.external.append(f"service/{spec['endpointPickerRef']['name']} (picker.check)")
    return [
        f"InferencePool: targetPort {tp['number']} is no container port of {p.owner}"
        for tp in spec["targetPorts"]
        for p in pods
        if not p.port(tp["number"])
    ]


def _podmonitor(w: World, pm: Mapping[str, Any]) -> list[str]:
    selector = pm["spec"]["selector"]["matchLabels"]
    pods = _pods_of(w, selector)
    if not pods:
        return [f"PodMonitor: selector {selector} selects no pod of the set"]
    return [
        f"PodMonitor: port {ep['port']!r} is no named container port of {p.owner}"
        for ep in pm["spec"]["podMetricsEndpoints"]
        for p in pods
        if not any(port.get("name") == ep["port"] for port in p.ports)
    ]


_SERIES = re.compile(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\}")


def _scaledobject(w: World, so: Mapping[str, Any]) -> list[str]:
    ref = so["spec"]["scaleTargetRef"]
    target = w.find(ref["kind"], ref["name"], ref["apiVersion"].rpartition("/")[0])
    bad = (
        []
        if target is not None
        else [f"ScaledObject: scaleTargetRef {kind_ref(ref['apiVersion'], ref['kind'], ref['name'])} is in no set"]
    )
    for trigger in so["spec"]["triggers"]:
        meta = trigger["metadata"]
        if (
            not meta["serverAddress"].startswith("http://prometheus-operated.")
            and "prometheus.monitor.azure" not in (meta["serverAddress"])
        ):
            bad.append(f"ScaledObject: serverAddress {meta['serverAddress']} is no Prometheus Service")
        for metric, matchers in _SERIES.findall(meta["query"]):
            if metric not in VLLM_METRICS:
                bad.append(f"ScaledObject: {metric} is no vLLM series")
            for key, value in re.findall(r'(\w+)="([^"]*)"', matchers):
                if key not in VLLM_METRIC_LABELS | SCRAPE_LABELS:
                    bad.append(f"ScaledObject: label {key} is on no vLLM series")
                if key == "model_name" and not any(p.served_name == value for p in w.pods):
                    bad.append(f"ScaledObject: no pod of the set serves model_name {value!r}")
                if key == "namespace" and value != so["metadata"]["namespace"]:
                    bad.append(f"ScaledObject: namespace {value!r} is not the model's")
                # A PodMonitor's series carry job "<namespace>/<name>" (prometheus-operator
                # pkg/prometheus/promcfg.go generatePodMonitorConfig).
                namespace, _, monitor = value.partition("/")
                if key == "job" and (namespace != so["metadata"]["namespace"] or not w.find("PodMonitor", monitor)):
                    bad.append(f"ScaledObject: job {value!r} is the job of no PodMonitor of the set")
    return bad


def _kaito(w: World, obj: Mapping[str, Any]) -> list[str]:
    inference = obj["spec"]["template"]["inference"] if obj["kind"] == "InferenceSet" else obj["inference"]
    config = inference.get("config")
    if config and w.find("ConfigMap", config, "") is None:
        return [f"{obj['kind']}: inference.config configmap/{config} is in no set"]
    secret = inference["preset"].get("presetOptions", {}).get("modelAccessSecret")
    if secret:
        w.external.append(f"secret/{secret} (preflight._check_access_secret)")
    return []


def _model_deployment(w: World, md: Mapping[str, Any]) -> list[str]:
    spec = md["spec"]
    overrides = (spec["provider"].get("overrides") or {}).get("inference") or {}
    config = overrides.get("config")
    bad = []
    if config and w.find("ConfigMap", config, "") is None:
        bad.append(f"ModelDeployment: overrides inference.config configmap/{config} is in no set")
    preset = (overrides.get("preset") or {}).get("presetOptions") or {}
    for secret in ((spec.get("secrets") or {}).get("huggingFaceToken"), preset.get("modelAccessSecret")):
        if secret:
            w.external.append(f"secret/{secret} key HF_TOKEN (preflight._check_access_secret)")
    return bad


def _deployment(w: World, dep: Mapping[str, Any]) -> list[str]:
    for c in dep["spec"]["template"]["spec"]["containers"]:
        for env in c.get("env") or []:
            ref = (env.get("valueFrom") or {}).get("secretKeyRef")
            if ref:
                w.external.append(f"secret/{ref['name']} key {ref['key']} (preflight._check_access_secret)")
    return []


def _placement(w: World, crp: Mapping[str, Any]) -> list[str]:
    return [
        f"ClusterResourcePlacement: resourceSelector {sel['kind']}/{sel['name']} is in no set"
        for sel in crp["spec"]["resourceSelectors"]
        if w.find(sel["kind"], sel["name"], sel["group"]) is None
    ]


def _update_run(w: World, run: Mapping[str, Any]) -> list[str]:
    name = run["spec"]["placementName"]
    if w.find("ClusterResourcePlacement", name) is None:
        return [f"ClusterStagedUpdateRun: placementName {name} is in no set"]
    return []


CHECKS: dict[str, Any] = {
    "HTTPRoute": _route,
    "InferencePool": _pool,
    "PodMonitor": _podmonitor,
    "ScaledObject": _scaledobject,
    "Workspace": _kaito,
    "InferenceSet": _kaito,
    "Deployment": _deployment,
    "ModelDeployment": _model_deployment,
    "ClusterResourcePlacement": _placement,
    "ClusterStagedUpdateRun": _update_run,
}


def kinds(objects: Iterable[Mapping[str, Any]]) -> set[str]:
    return {o["kind"] for o in objects}
