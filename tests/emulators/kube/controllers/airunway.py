"""An AI Runway simulator for the Kubernetes emulator (airunway.ai/v1alpha1 ModelDeployment), with
its KAITO provider. Each behaviour names its upstream file in ai-runway/airunway at
b0d3fb775439d2f276e714f6c5f5d8612e75caa0:

* providers/kaito/transformer.go: a Workspace named after the ModelDeployment, owned by it,
  labelled ``airunway.ai/model-deployment`` and friends; ``resource.count`` from
  ``spec.scaling.replicas``; ``resource.labelSelector`` ``kubernetes.io/os: linux`` plus
  ``nvidia.com/gpu.present: "true"`` when GPUs are asked for; ``inference.preset.name`` is
  ``spec.model.id``; ``spec.provider.overrides`` deep-merged last. Nothing else of the spec
  reaches the Workspace: not ``engine.contextLength``, not ``secrets.huggingFaceToken`` (read
  only on the llama.cpp path, buildEnvVars), so a gated preset needs the secret in overrides.
* providers/kaito/controller.go (Reconcile): a Workspace the API server refuses (KAITO's
  webhook) makes the phase Failed, "Failed to create Workspace: <error>", condition
  ResourceCreated False (CreateFailed).
* providers/kaito/status.go: the phase from the Workspace's ``status.state`` when KAITO writes
  one (mapStateToPhase: Ready -> Running, NotReady -> Deploying, Failed -> Failed, Pending ->
  Pending), else from its conditions (mapConditionsToPhase: WorkspaceSucceeded True -> Running,
  False -> Failed with its message; ResourceReady True -> Deploying; else Pending), and
  ``status.endpoint`` = Service NAME, port 80. providers/kaito/controller.go (Reconcile,
  syncStatus): a phase that is neither Running nor Failed becomes Deploying, "Workspace created,
  waiting for pods to be ready", and the Ready condition follows the phase. KAITO writes a state
  for every Workspace it reconciles, so a crash-looping inference pod (state Pending) leaves the
  ModelDeployment Deploying, never Failed.
* controller/internal/controller/gateway_reconciler.go: with ``spec.gateway.enabled`` (the
  inference extension's CRD served and a Gateway in the cluster) it labels the pods behind the
  endpoint Service with ``airunway.ai/model-deployment``, makes an InferencePool NAME selecting
  that label on the Service's target port, the endpoint picker NAME-epp (a Service here) and an
  HTTPRoute NAME to the pool from the Gateway; GatewayReady True. No Gateway: GatewayReady False
  (NoGateway).

Other providers are not simulated: their ModelDeployments stay Pending with a message saying so.
"""

from __future__ import annotations

import copy
from typing import Any, ClassVar

from tests.emulators.kube.controllers.base import Controller
from tests.emulators.kube.controllers.kaito import KAITO, _cond, _owner
from tests.emulators.kube.status import ApiError

AIRUNWAY = "airunway.ai/v1alpha1"
LABEL = "airunway.ai/model-deployment"
POOL_API = "inference.networking.k8s.io/v1"
GATEWAY_API = "gateway.networking.k8s.io/v1"
# mapStateToPhase in ai-runway/airunway providers/kaito/status.go (b0d3fb7): KAITO 0.10.0+ status.state.
_STATE_PHASES = {
    "Ready": "Running",
    "Succeeded": "Running",
    "NotReady": "Deploying",
    "Running": "Deploying",
    "Failed": "Failed",
    "Pending": "Pending",
}


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


class ModelDeploymentController(Controller):
    # Watches the Workspaces it makes too: their conditions are its phase.
    watches: ClassVar[list[tuple[str, str]]] = [(AIRUNWAY, "ModelDeployment"), (KAITO, "Workspace")]

    def reconcile(self, cluster: Any, obj: dict[str, Any]) -> None:
        try:
            self._reconcile(cluster, obj)
        except ApiError as exc:
            if exc.code != 404:
                raise

    def _reconcile(self, cluster: Any, obj: dict[str, Any]) -> None:
        if obj["kind"] == "Workspace":
            owner = (obj["metadata"].get("labels") or {}).get(LABEL)
            md = cluster.get(AIRUNWAY, "ModelDeployment", obj["metadata"]["namespace"], owner) if owner else None
            if md is not None:
                self._reconcile(cluster, md)
            return
        spec = obj.get("spec") or {}
        provider = (spec.get("provider") or {}).get("name") or "kaito"
        md = obj["metadata"]
        if provider != "kaito":
            self._status(cluster, obj, {"phase": "Pending", "message": f"provider {provider} is not simulated"})
            return
        try:
            ws = self._workspace(cluster, obj)
        except ApiError as exc:
            if exc.code == 404:
                raise
            failed = f"Failed to create Workspace: {exc}"
            created = _cond("ResourceCreated", False, "CreateFailed", str(exc))
            self._status(cluster, obj, {"phase": "Failed", "message": failed, "conditions": [created]})
            return
        phase, message = _phase(ws or {})
        status: dict[str, Any] = {
            "phase": phase,
            "message": message,
            "provider": {"name": "kaito", "resourceKind": "Workspace", "resourceName": md["name"]},
            "endpoint": {"service": md["name"], "port": 80},
            "replicas": {
                "desired": int((spec.get("scaling") or {}).get("replicas") or 1),
                "ready": 1 if phase == "Running" else 0,
            },
        }
        conditions = [_ready_condition(phase, message)]
        if (spec.get("gateway") or {}).get("enabled"):
            conditions.append(self._gateway(cluster, obj))
        status["conditions"] = conditions
        self._status(cluster, obj, status)

    def _status(self, cluster: Any, obj: dict[str, Any], status: dict[str, Any]) -> None:
        md = obj["metadata"]
        cluster.patch_status(AIRUNWAY, "ModelDeployment", md["namespace"], md["name"], status)

    def _workspace(self, cluster: Any, obj: dict[str, Any]) -> dict[str, Any] | None:
        md, spec = obj["metadata"], obj.get("spec") or {}
        match = {"kubernetes.io/os": "linux", **(spec.get("nodeSelector") or {})}
        if ((spec.get("resources") or {}).get("gpu") or {}).get("count"):
            match["nvidia.com/gpu.present"] = "true"
        body: dict[str, Any] = {
            "apiVersion": KAITO,
            "kind": "Workspace",
            "metadata": {
                "name": md["name"],
                "namespace": md["namespace"],
                "labels": {
                    "airunway.ai/managed-by": "airunway",
                    "airunway.ai/deployment": md["name"],
                    "airunway.ai/engine-type": "vllm",
                    LABEL: md["name"],
                },
                "ownerReferences": [{**_owner(obj), "apiVersion": AIRUNWAY}],
            },
            "resource": {
                "count": int((spec.get("scaling") or {}).get("replicas") or 1),
                "labelSelector": {"matchLabels": match},
            },
            "inference": {"preset": {"name": (spec.get("model") or {}).get("id")}},
        }
        body = _deep_merge(body, (spec.get("provider") or {}).get("overrides") or {})
        live = cluster.get(KAITO, "Workspace", md["namespace"], md["name"])
        if live is None:
            return dict(cluster.create(body))
        return dict(live)

    def _gateway(self, cluster: Any, obj: dict[str, Any]) -> dict[str, Any]:
        md = obj["metadata"]
        ns, name = md["namespace"], md["name"]
        gateways = cluster.list(GATEWAY_API, "Gateway", None)
        if not gateways:
            return _cond("GatewayReady", False, "NoGateway", "no Gateway resources found in cluster")
        gateway = gateways[0]
        service = cluster.get("v1", "Service", ns, name)
        port = 8000
        if service is not None:
            port = int((service["spec"].get("ports") or [{}])[0].get("targetPort") or port)
            selector = ",".join(f"{k}={v}" for k, v in (service["spec"].get("selector") or {}).items())
            for pod in cluster.list("v1", "Pod", ns, label_selector=selector):
                if (pod["metadata"].get("labels") or {}).get(LABEL) != name:
                    cluster.patch("v1", "Pod", ns, pod["metadata"]["name"], {"metadata": {"labels": {LABEL: name}}})
        owner = [{**_owner(obj), "apiVersion": AIRUNWAY}]
        wanted = [
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {"name": f"{name}-epp", "namespace": ns, "ownerReferences": owner},
                "spec": {"selector": {"app": f"{name}-epp"}, "ports": [{"name": "grpc", "port": 9002}]},
            },
            {
                "apiVersion": POOL_API,
                "kind": "InferencePool",
                "metadata": {"name": name, "namespace": ns, "ownerReferences": owner},
                "spec": {
                    "selector": {"matchLabels": {LABEL: name}},
                    "targetPorts": [{"number": port}],
                    "endpointPickerRef": {"name": f"{name}-epp", "port": {"number": 9002}},
                },
            },
            {
                "apiVersion": GATEWAY_API,
                "kind": "HTTPRoute",
                "metadata": {"name": name, "namespace": ns, "ownerReferences": owner},
                "spec": {
                    "parentRefs": [
                        {"name": gateway["metadata"]["name"], "namespace": gateway["metadata"]["namespace"]}
                    ],
                    "rules": [
                        {
                            "matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
                            "backendRefs": [
                                {"group": "inference.networking.k8s.io", "kind": "InferencePool", "name": name}
                            ],
                        }
                    ],
                },
            },
        ]
        for item in wanted:
            if cluster.get(item["apiVersion"], item["kind"], ns, item["metadata"]["name"]) is None:
                cluster.create(item)
        return _cond("GatewayReady", True, "GatewayConfigured", "InferencePool and HTTPRoute created")


def _phase(ws: dict[str, Any]) -> tuple[str, str]:
    """The phase and message of a ModelDeployment whose Workspace exists (syncStatus and
    Reconcile in providers/kaito/controller.go): the translated phase, where neither Running nor
    Failed is Deploying, "Workspace created, waiting for pods to be ready"."""
    phase, message = _translate(ws)
    if phase == "Running":
        return phase, message or "Workspace created, pods are ready"
    if phase == "Failed":
        return phase, message
    return "Deploying", "Workspace created, waiting for pods to be ready"


def _ready_condition(phase: str, message: str) -> dict[str, Any]:
    """The Ready condition syncStatus sets for the phase (providers/kaito/controller.go)."""
    if phase == "Running":
        return _cond("Ready", True, "DeploymentReady", "All replicas are ready")
    if phase == "Failed":
        return _cond("Ready", False, "DeploymentFailed", message)
    return _cond("Ready", False, "DeploymentInProgress", "Deployment is in progress")


def _translate(ws: dict[str, Any]) -> tuple[str, str]:
    """TranslateStatus in providers/kaito/status.go: status.state first, then the conditions."""
    status = ws.get("status") or {}
    if status.get("state"):
        state = str(status["state"])
        message = "fine-tuning in progress" if state == "Running" else ""
        return _STATE_PHASES.get(state, "Pending"), message if state in _STATE_PHASES else f"unknown state: {state}"
    conds = {c.get("type"): c for c in status.get("conditions") or []}
    succeeded = conds.get("WorkspaceSucceeded") or {}
    if succeeded.get("status") == "True":
        return "Running", ""
    if succeeded.get("status") == "False":
        return "Failed", str(succeeded.get("message") or "")
    if (conds.get("ResourceReady") or {}).get("status") == "True":
        return "Deploying", ""
    return "Pending", ""
