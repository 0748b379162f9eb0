"""What a deploy needs on the cluster, checked before anything is applied: the operators of the
objects, KAITO's autoscaler, a scraper for the queue metric, the Gateway and its class, the
endpoint picker, and a running controller when the user waits. Each failure is one line naming
what is missing and how to add it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from akscli.errors import NotFoundError, NotInstalledError
from akscli.kube.client import Kube
from akscli.model.deploy import DeployRequest, endpoint_picker
from akscli.model.kinds import KAITO_SCALER_AUTH, KEDA_API, PODMONITOR_APIS, QUEUE_METRIC

GATEWAY_API = "gateway.networking.k8s.io/v1"
KEDA_KAITO_SCALER_INSTALL = (
    "helm repo add keda-kaito-scaler https://kaito-project.github.io/keda-kaito-scaler/charts/kaito-project "
    "&& helm install keda-kaito-scaler keda-kaito-scaler/keda-kaito-scaler -n kube-system"
)
# The doctor component whose controller pods must run for --wait to end.
_CONTROLLER_OF_RUNTIME = {"kaito": "kaito"}


def monitor_api(kube: Kube) -> str | None:
    """The PodMonitor API the cluster serves (Azure Monitor managed Prometheus first)."""
    return next((api for api in PODMONITOR_APIS if kube.has_api(api, "PodMonitor")), None)


def check_operators(kube: Kube, objects: Iterable[Mapping[str, Any]]) -> None:
    """Name the missing operator (and its install command) before anything is applied."""
    from akscli.kube import operators

    for api_version, kind in dict.fromkeys((str(o["apiVersion"]), str(o["kind"])) for o in objects):
        if not kube.has_api(api_version, kind):
            if kind == "InferenceSet" and kube.has_api(api_version, "Workspace"):
                raise operators.kaito_without_inferenceset(kube)
            raise operators.not_installed(api_version, kind, group_served=False)


def check(kube: Kube, req: DeployRequest, objects: Iterable[Mapping[str, Any]], *, wait: bool) -> None:
    check_operators(kube, objects)
    if req.autoscale and req.runtime == "kaito":
        _check_kaito_scaler(kube)
    if req.autoscale and req.runtime == "vllm" and req.monitor_api is None:
        raise NotInstalledError(
            f"--autoscale scales on {QUEUE_METRIC}, and nothing scrapes it: the cluster serves no PodMonitor",
            hint="enable Azure Monitor managed Prometheus (az aks update --enable-azure-monitor-metrics) "
            "or install the Prometheus Operator, then deploy again",
        )
    if req.runtime == "airunway":
        if req.expose and not any(True for _ in kube.list(GATEWAY_API, "Gateway", all_namespaces=True, page_size=1)):
            # AI Runway attaches its route to the cluster's Gateway (the one labelled as the
            # inference gateway when there are several): without one, GatewayReady stays False
            # (ai-runway/airunway controller/internal/controller/gateway_reconciler.go).
            raise NotFoundError(
                "--expose asks AI Runway to route to the model, and the cluster has no Gateway",
                hint="create a Gateway (akscli doctor shows which GatewayClass is accepted), then deploy again",
            )
    elif req.expose and not req.fleet:
        _check_gateway(kube, req)
    if req.inference_pool and not req.fleet and req.runtime != "airunway":
        _check_picker(kube, req)
    if wait and not req.fleet:
        _check_controller(kube, req.runtime)


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


def _check_gateway(kube: Kube, req: DeployRequest) -> None:
    namespace = req.gateway_namespace or req.namespace
    gateway = kube.get(GATEWAY_API, "Gateway", req.gateway, namespace=namespace)
    if gateway is None:
        raise NotFoundError(
            f"--expose attaches the route to Gateway {namespace}/{req.gateway}, which does not exist",
            hint="name an existing one with --gateway [NAMESPACE/]NAME (kubectl get gateways -A), or create it",
        )
    class_name = str((gateway.get("spec") or {}).get("gatewayClassName") or "")
    if kube.get(GATEWAY_API, "GatewayClass", class_name) is None:
        raise NotFoundError(
            f"Gateway {namespace}/{req.gateway} uses GatewayClass {class_name!r}, which does not exist: "
            "no controller will program the route",
            hint="install a Gateway controller (akscli doctor shows which GatewayClass is accepted)",
        )


def _check_picker(kube: Kube, req: DeployRequest) -> None:
    # Without its endpoint picker an InferencePool never resolves: ResolvedRefs=False and the
    # gateway answers 5xx (kubernetes-sigs/gateway-api-inference-extension
    # conformance/tests/inferencepool_invalid_epp_service.go).
    picker = endpoint_picker(req)
    if kube.get("v1", "Service", picker, namespace=req.namespace) is None:
        raise NotFoundError(
            f"--inference-pool needs its endpoint picker, and Service {req.namespace}/{picker} does not exist",
            hint=f"deploy the inference extension's endpoint picker as Service {picker} (or name yours with "
            "--endpoint-picker), or route to the Service without --inference-pool",
        )


def _check_controller(kube: Kube, runtime: str) -> None:
    from akscli import doctor

    key = _CONTROLLER_OF_RUNTIME.get(runtime)
    if key is None:
        return
    running, detail = doctor.controller_running(kube, key)
    if not running:
        raise NotInstalledError(
            f"the {runtime} controller is not running ({detail}): --wait would wait out its whole timeout",
            hint="see akscli doctor --for model; deploy without --wait to apply anyway",
        )
