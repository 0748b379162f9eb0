"""Audit 10: the serving paths other than KAITO Workspaces (vLLM, AI Runway, KEDA, Gateway API)
write only what the upstream consumer reads, and route, scale and scrape only what its controller
makes. Each test names the upstream file it follows; docs/changes/audit10-serve.md has the list."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from akscli.errors import UsageError
from akscli.model import catalog, deploy, deploy_flags, planning
from tests.cli import invoke

from ._queue import gpu_nodes, unscraped
from .conftest import AIRUNWAY_CRDS, install_airunway_controller, install_gateway

Start = Callable[..., Any]
GATEWAY = "gateway.networking.k8s.io/v1"


def _request(model: str = "phi-4", **kwargs: Any) -> deploy.DeployRequest:
    m = catalog.get(model)
    runtime = deploy.plan_runtime(kwargs.get("runtime", "kaito"), kwargs.get("provider", "kaito"))
    plan = planning.plan(m, runtime=runtime, context=kwargs.pop("context", 4096))
    assert plan.recommended is not None
    base: dict[str, Any] = {
        "name": deploy_flags.default_name(m),
        "namespace": "ml",
        "model": m,
        "runtime": "kaito",
        "fit": plan.recommended,
        "context": plan.context,
    }
    return deploy.DeployRequest(**{**base, **kwargs})


def _kind(objects: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    return next(o for o in objects if o["kind"] == kind)


# ---- KEDA (kedacore/keda v2.20.2) -----------------------------------------------------------------


def test_vllm_autoscaling_from_zero_is_refused() -> None:
    # pkg/scalers/prometheus_scaler.go GetMetricsAndActivity: active only while value > 0;
    # pkg/scaling/executor/scale_scaledobjects.go: inactive with minReplicaCount 0 scales to 0
    # after cooldownPeriod, and nothing reports the queue at 0 replicas.
    with pytest.raises(UsageError, match="never scales up again"):
        deploy.build(_request(runtime="vllm", autoscale=(0, 3)))
    so = _kind(deploy.build(_request(runtime="vllm", autoscale=(1, 3))), "ScaledObject")
    assert so["spec"]["minReplicaCount"] == 1


def test_the_keda_simulator_reports_a_scaler_error_as_keda_does(model_emulator: Start) -> None:
    # pkg/scaling/scale_handler.go: a Warning Event KEDAScalerFailed with the error;
    # pkg/scaling/executor/scale_scaledobjects.go: Ready False, TriggerError; Active False.
    emu = model_emulator(monitoring=True)
    result = invoke("model", "deploy", "phi-4", "--runtime", "vllm", "--autoscale", "1:4", "-y")
    assert result.exit_code == 0, result
    unscraped(emu)
    so = _eventually_get(emu, "keda.sh/v1alpha1", "ScaledObject", "phi-4", ready=True)
    conditions = {c["type"]: (c["status"], c["reason"]) for c in so["status"]["conditions"]}
    assert conditions == {"Ready": ("False", "TriggerError"), "Active": ("False", "ScalerNotActive")}
    events = [e["message"] for e in emu.cluster.list("v1", "Event", "default") if e.get("reason") == "KEDAScalerFailed"]
    # One Event per poll that fails, as KEDA records them.
    assert set(events) == {"prometheus metrics 'prometheus' target may be lost, the result is empty"}


# ---- AI Runway (ai-runway/airunway v0.7.0) ---------------------------------------------------------


def test_the_airunway_vllm_podmonitor_selects_the_label_the_provider_puts_on_its_pods() -> None:
    # providers/vllm/transformer.go buildDeployment: pods carry airunway.ai/deployment and app only.
    objects = deploy.build(_request(runtime="airunway", provider="vllm", monitor_api="monitoring.coreos.com/v1"))
    assert _kind(objects, "PodMonitor")["spec"]["selector"]["matchLabels"] == {"airunway.ai/deployment": "phi-4"}


def test_airunway_kuberay_without_a_vllm_metrics_port_gets_no_podmonitor() -> None:
    # ray-project/kuberay v1.7.0 ray-operator/controllers/ray/utils/constant.go: no port named http.
    objects = deploy.build(_request(runtime="airunway", provider="kuberay", monitor_api="monitoring.coreos.com/v1"))
    assert "PodMonitor" not in [o["kind"] for o in objects]


def test_airunway_dynamo_podmonitor_scrapes_the_workers_system_port() -> None:
    # ai-dynamo/dynamo 0c4b7b82 deploy/metrics/k8s/worker-podmonitor.yaml: the worker pods
    # (nvidia.com/dynamo-component-type=worker) on port "system", where vLLM's vllm: figures are;
    # the frontend's "http" port has dynamo_frontend_* only (docs/kubernetes/observability/metrics.md).
    objects = deploy.build(_request(runtime="airunway", provider="dynamo", monitor_api="monitoring.coreos.com/v1"))
    spec = _kind(objects, "PodMonitor")["spec"]
    assert spec["selector"]["matchLabels"] == {
        "nvidia.com/dynamo-graph-deployment-name": "phi-4",
        "nvidia.com/dynamo-component-type": "worker",
    }
    assert [e["port"] for e in spec["podMetricsEndpoints"]] == ["system"]


@pytest.mark.parametrize("provider", ["vllm", "llmd", "dynamo"])
def test_airunway_providers_that_copy_tolerations_get_the_gpu_taints(provider: str) -> None:
    # providers/{vllm,llmd}/transformer.go buildDeployment, providers/dynamo/transformer.go
    # addSchedulingConfig copy spec.tolerations into the pods.
    md = _kind(deploy.build(_request(runtime="airunway", provider=provider)), "ModelDeployment")
    assert {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"} in md["spec"]["tolerations"]


def test_airunway_kaito_and_kuberay_get_no_tolerations() -> None:
    for provider in ("kaito", "kuberay"):
        md = _kind(deploy.build(_request(runtime="airunway", provider=provider)), "ModelDeployment")
        assert "tolerations" not in md["spec"]


def test_airunway_refuses_a_plan_that_spans_nodes() -> None:
    # providers/vllm/transformer.go transformAggregated: one pod of resources.gpu.count GPUs per replica.
    req = _request("deepseek-r1-0528", runtime="airunway", provider="vllm", context=8192)
    assert req.fit.nodes > 1
    with pytest.raises(UsageError, match="AI Runway's vllm provider runs each replica on one node"):
        deploy.build(req)


@pytest.mark.parametrize("flags", [{"hostname": "llm.example.com"}, {"gateway_given": True}])
def test_airunway_refuses_route_flags_it_cannot_honour(flags: dict[str, Any]) -> None:
    # controller/internal/controller/gateway_reconciler.go: buildHTTPRouteSpec has no hostnames,
    # resolveGatewayConfig picks the Gateway.
    with pytest.raises(UsageError, match="does not apply to --runtime airunway"):
        deploy.build(_request(runtime="airunway", expose=True, **flags))


def test_airunway_vllm_provider_pods_are_found_by_logs_and_status(model_emulator: Start) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    gpu_nodes(emu, 1)  # the provider's vLLM pod is Ready only on a node that has its GPU
    result = invoke(
        "model", "deploy", "phi-4", "--runtime", "airunway", "--provider", "vllm", "--wait", "--timeout", "20s", "-y"
    )
    assert result.exit_code == 0, result
    pods = emu.cluster.list("v1", "Pod", "default", label_selector="airunway.ai/deployment=phi-4")
    assert pods and "airunway.ai/model-deployment" not in (pods[0]["metadata"].get("labels") or {})
    emu.cluster.set_pod_logs("default", pods[0]["metadata"]["name"], "INFO Started server process\n")
    logs = invoke("model", "logs", "phi-4")
    assert logs.exit_code == 0, logs
    assert "Started server process" in logs.stdout
    endpoint = invoke("model", "list", "-o", "json")
    assert '"endpoint": "http://phi-4.default.svc.cluster.local:8000"' in endpoint.stdout


def test_airunway_expose_needs_the_inference_extension(model_emulator: Start) -> None:
    # internal/gateway/detection.go checkCRDs: without InferencePool AI Runway makes no route.
    model_emulator(crds=("kaito", "gateway-api", "airunway"))
    result = invoke("model", "deploy", "phi-4", "--runtime", "airunway", "--expose", "-y")
    assert result.exit_code == 7, result
    assert "InferencePool" in result.stderr or "inference extension" in result.stderr.lower()


def test_airunway_expose_with_several_unlabelled_gateways_is_refused(model_emulator: Start) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    install_gateway_only(emu, "other", "default")
    result = invoke("model", "deploy", "phi-4", "--runtime", "airunway", "--expose", "-y")
    assert result.exit_code == 3, result
    assert "none labelled airunway.ai/inference-gateway=true" in result.stderr
    assert "kubectl label gateway" in result.stderr


def test_airunway_routes_through_the_labelled_gateway(model_emulator: Start) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    install_gateway_only(emu, "other", "default", labels={"airunway.ai/inference-gateway": "true"})
    result = invoke("model", "deploy", "phi-4", "--runtime", "airunway", "--expose", "--wait", "--timeout", "20s", "-y")
    assert result.exit_code == 0, result
    route = _eventually_get(emu, GATEWAY, "HTTPRoute", "phi-4")
    assert [(p["name"], p["namespace"]) for p in route["spec"]["parentRefs"]] == [("other", "default")]


def test_airunway_follows_its_controllers_gateway_flags(model_emulator: Start) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    install_gateway_only(emu, "other", "default")
    install_airunway_controller(emu, "--gateway-name=gone", "--gateway-namespace", "x")
    result = invoke("model", "deploy", "phi-4", "--runtime", "airunway", "--expose", "-y")
    assert result.exit_code == 3, result
    assert "Gateway x/gone" in result.stderr


# ---- the AI Runway simulator follows controller/internal/controller/gateway_reconciler.go ---------


def test_the_airunway_simulator_makes_the_gateway_objects_upstream_makes(model_emulator: Start) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    result = invoke("model", "deploy", "phi-4", "--runtime", "airunway", "--expose", "--wait", "--timeout", "20s", "-y")
    assert result.exit_code == 0, result
    epp = _eventually_get(emu, "apps/v1", "Deployment", "phi-4-epp")
    args = epp["spec"]["template"]["spec"]["containers"][0]["args"]
    assert args[args.index("--pool-name") + 1] == "phi-4" and args[args.index("--pool-namespace") + 1] == "default"
    service = emu.cluster.get("v1", "Service", "default", "phi-4-epp")
    assert service["spec"]["ports"][0]["name"] == "grpc-ext-proc" and service["spec"]["ports"][0]["port"] == 9002
    pool = emu.cluster.get("inference.networking.k8s.io/v1", "InferencePool", "default", "phi-4")
    assert pool["spec"]["targetPorts"] == [{"number": 5000}]
    route = emu.cluster.get(GATEWAY, "HTTPRoute", "default", "phi-4")
    [match] = route["spec"]["rules"][0]["matches"]
    assert match["headers"] == [{"type": "Exact", "name": "X-Gateway-Model-Name", "value": "phi-4"}]


# ---- Gateway API (kubernetes-sigs/gateway-api v1.6.1 apis/v1/gateway_types.go) ---------------------


def _listener(**allowed: Any) -> dict[str, Any]:
    listener: dict[str, Any] = {"name": "http", "port": 80, "protocol": "HTTP"}
    hostname = allowed.pop("hostname", None)
    if hostname:
        listener["hostname"] = hostname
    if allowed:
        listener["allowedRoutes"] = allowed
    return listener


def test_expose_is_refused_when_the_gateways_listeners_admit_only_their_own_namespace(model_emulator: Start) -> None:
    emu = model_emulator()
    install_gateway_only(emu, "shared", "infra", listeners=[_listener()])
    result = invoke("model", "deploy", "phi-4", "--runtime", "vllm", "--expose", "--gateway", "infra/shared", "-y")
    assert result.exit_code == 3, result
    assert "admits routes of namespace infra only" in result.stderr


def test_expose_attaches_where_a_listener_admits_every_namespace(model_emulator: Start) -> None:
    emu = model_emulator()
    install_gateway_only(emu, "shared", "infra", listeners=[_listener(namespaces={"from": "All"})])
    result = invoke("model", "deploy", "phi-4", "--runtime", "vllm", "--expose", "--gateway", "infra/shared", "-y")
    assert result.exit_code == 0, result


def test_expose_follows_a_listeners_namespace_selector(model_emulator: Start) -> None:
    emu = model_emulator()
    selector = {"matchLabels": {"inference": "yes"}}
    install_gateway_only(
        emu, "shared", "infra", listeners=[_listener(namespaces={"from": "Selector", "selector": selector})]
    )
    args = ("model", "deploy", "phi-4", "--runtime", "vllm", "--expose", "--gateway", "infra/shared", "-y")
    refused = invoke(*args)
    assert refused.exit_code == 3 and "namespace selector does not select namespace default" in refused.stderr
    emu.cluster.patch("v1", "Namespace", None, "default", {"metadata": {"labels": {"inference": "yes"}}})
    assert invoke(*args).exit_code == 0


def test_expose_is_refused_when_no_listener_serves_the_hostname(model_emulator: Start) -> None:
    emu = model_emulator()
    install_gateway_only(emu, "web", "default", listeners=[_listener(hostname="*.example.com")])
    base = ("model", "deploy", "phi-4", "--runtime", "vllm", "--expose", "--gateway", "web", "-y")
    refused = invoke(*base, "--hostname", "llm.example.net")
    assert refused.exit_code == 3 and "serves hostname *.example.com" in refused.stderr
    assert invoke(*base, "--hostname", "a.llm.example.com").exit_code == 0


def test_expose_is_refused_when_the_listeners_take_other_route_kinds(model_emulator: Start) -> None:
    emu = model_emulator()
    tls = {"name": "tls", "port": 443, "protocol": "TLS", "tls": {"mode": "Passthrough"}}
    grpc_only = _listener(kinds=[{"kind": "GRPCRoute"}])
    install_gateway_only(emu, "mixed", "default", listeners=[tls, grpc_only])
    result = invoke("model", "deploy", "phi-4", "--runtime", "vllm", "--expose", "--gateway", "mixed", "-y")
    assert result.exit_code == 3, result
    assert "listener tls is TLS" in result.stderr and "admits GRPCRoute only" in result.stderr


# ---- helpers ------------------------------------------------------------------------------------


def install_gateway_only(
    emu: Any,
    name: str,
    namespace: str,
    listeners: list[dict[str, Any]] | None = None,
    labels: dict[str, str] | None = None,
) -> None:
    """One more Gateway of the class install_gateway made."""
    if emu.cluster.get("v1", "Namespace", None, namespace) is None:
        emu.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
    if emu.cluster.get(GATEWAY, "GatewayClass", None, "approuting-istio") is None:
        install_gateway(emu)
    emu.cluster.create(
        {
            "apiVersion": GATEWAY,
            "kind": "Gateway",
            "metadata": {"name": name, "namespace": namespace, "labels": labels or {}},
            "spec": {"gatewayClassName": "approuting-istio", "listeners": listeners or [_listener()]},
        }
    )


def _eventually_get(
    emu: Any, api: str, kind: str, name: str, timeout: float = 10.0, ready: bool = False
) -> dict[str, Any]:
    """The object once it exists (with ready, once it has a Ready condition)."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        obj = emu.cluster.get(api, kind, "default", name)
        conditions = ((obj or {}).get("status") or {}).get("conditions") or []
        if obj is not None and (not ready or any(c.get("type") == "Ready" for c in conditions)):
            return dict(obj)
        assert time.monotonic() < deadline, f"{kind}/{name} never appeared"
        time.sleep(0.05)
