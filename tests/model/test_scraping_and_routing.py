"""Autoscaling reads a metric someone scrapes, and a pool routes through a picker started for it:
live deploys against the emulator, with KEDA, the Prometheus Operator, Azure Monitor and KAITO
simulated as upstream behaves (tests/emulators/kube/controllers/prometheus.py, keda.py, kaito.py)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tests.cli import invoke

from ._gateway import resolve
from ._queue import gpu_nodes, scraped_queue, vllm_pods
from .conftest import install_podmonitor_api, install_prometheus, keda_operator_pod
from .test_serving_on_the_operators import _picker

KEDA = "keda.sh/v1alpha1"
POOL = "inference.networking.k8s.io/v1"
WORKSPACE_ENDPOINT = "https://amw-ml-a1b2.eastus.prometheus.monitor.azure.com"
Start = Callable[..., Any]
VLLM_AUTOSCALE = ("model", "deploy", "phi-4", "--runtime", "vllm", "--autoscale", "1:4", "-y")


def _eventually(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.05)


def _replicas(emu: Any) -> int:
    return int(emu.cluster.get("apps/v1", "Deployment", "default", "phi-4")["spec"]["replicas"])


def _ready_message(emu: Any) -> str:
    """The Ready condition and the scaler's errors: KEDA reports those as KEDAScalerFailed Events
    (kedacore/keda v2.20.2 pkg/scaling/scale_handler.go)."""
    so = emu.cluster.get(KEDA, "ScaledObject", "default", "phi-4") or {}
    conditions = [c.get("message", "") for c in (so.get("status") or {}).get("conditions") or []]
    events = [
        e.get("message", "")
        for e in emu.cluster.list("v1", "Event", "default")
        if e.get("reason") == "KEDAScalerFailed" and (e.get("involvedObject") or {}).get("name") == "phi-4"
    ]
    return " ".join(conditions + events)


# ---- Azure Monitor managed Prometheus ------------------------------------------------------------


def _managed(model_emulator: Start) -> Any:
    """Managed Prometheus, and KEDA's operator with its workload identity (without it KEDA builds no
    scaler at all: tests/emulators/kube/controllers/keda_identity.py)."""
    emu = model_emulator()
    install_podmonitor_api(emu, "azmonitoring.coreos.com")
    keda_operator_pod(emu, workload_identity=True)
    return emu


def test_autoscaling_on_managed_prometheus_without_its_query_endpoint_is_refused(model_emulator: Start) -> None:
    emu = _managed(model_emulator)
    result = invoke(*VLLM_AUTOSCALE)
    assert result.exit_code == 2, result
    assert "--prometheus" in result.stderr and "prometheus.monitor.azure.com" in result.stderr
    assert emu.cluster.get("apps/v1", "Deployment", "default", "phi-4") is None


def test_an_in_cluster_address_on_managed_prometheus_is_refused(model_emulator: Start) -> None:
    _managed(model_emulator)
    result = invoke(*VLLM_AUTOSCALE, "--prometheus", "http://prometheus-operated.monitoring.svc.cluster.local:9090")
    assert result.exit_code == 2, result
    assert "Azure Monitor workspace" in result.stderr


def test_keda_queries_the_workspace_with_its_workload_identity(model_emulator: Start) -> None:
    # The lab serves no Azure Monitor workspace (controllers/keda.py): KEDA's request is checked
    # for its token, and nothing is read.
    emu = _managed(model_emulator)
    result = invoke(*VLLM_AUTOSCALE, "--prometheus", WORKSPACE_ENDPOINT)
    assert result.exit_code == 0, result
    auth = emu.cluster.get(KEDA, "TriggerAuthentication", "default", "phi-4-prometheus")
    assert auth["spec"]["podIdentity"] == {"provider": "azure-workload"}
    trigger = emu.cluster.get(KEDA, "ScaledObject", "default", "phi-4")["spec"]["triggers"][0]
    assert trigger["authenticationRef"] == {"name": "phi-4-prometheus"} and "cloud" not in trigger["metadata"]
    emu.keda.poll(emu.cluster, "default", "phi-4")
    assert emu.idle()
    assert "401" not in _ready_message(emu)


def test_a_us_government_workspace_is_queried_with_a_token_for_its_own_cloud(model_emulator: Start) -> None:
    # kedacore/keda v2.20.2 pkg/scalers/azure/azure_cloud_environment.go ParseEnvironmentProperty:
    # without the trigger's cloud KEDA asks for the public cloud's audience.
    emu = _managed(model_emulator)
    endpoint = "https://amw-ml-a1b2.usgovvirginia.prometheus.monitor.azure.us"
    assert invoke(*VLLM_AUTOSCALE, "--prometheus", endpoint).exit_code == 0
    trigger = emu.cluster.get(KEDA, "ScaledObject", "default", "phi-4")["spec"]["triggers"][0]
    assert trigger["metadata"]["cloud"] == "AzureUSGovernmentCloud"
    emu.keda.poll(emu.cluster, "default", "phi-4")
    assert emu.idle()
    assert "401" not in _ready_message(emu)


def test_a_token_for_another_clouds_audience_is_refused_by_the_workspace(model_emulator: Start) -> None:
    emu = _managed(model_emulator)
    endpoint = "https://amw-ml-a1b2.chinaeast2.prometheus.monitor.azure.cn"
    assert invoke(*VLLM_AUTOSCALE, "--prometheus", endpoint).exit_code == 0
    trigger = emu.cluster.get(KEDA, "ScaledObject", "default", "phi-4")["spec"]["triggers"][0]
    trigger["metadata"].pop("cloud")
    emu.cluster.patch(KEDA, "ScaledObject", "default", "phi-4", {"spec": {"triggers": [trigger]}})
    _eventually(lambda: "401" in _ready_message(emu))


def test_without_its_trigger_authentication_the_workspace_answers_401(model_emulator: Start) -> None:
    emu = _managed(model_emulator)
    assert invoke(*VLLM_AUTOSCALE, "--prometheus", WORKSPACE_ENDPOINT).exit_code == 0
    emu.cluster.delete(KEDA, "TriggerAuthentication", "default", "phi-4-prometheus")
    emu.keda.poll(emu.cluster, "default", "phi-4")
    _eventually(lambda: "401" in _ready_message(emu))
    assert _replicas(emu) == 1


# ---- the Prometheus Operator ---------------------------------------------------------------------


def test_the_podmonitor_carries_the_label_kube_prometheus_stack_selects_and_keda_scales(model_emulator: Start) -> None:
    emu = model_emulator(monitoring=True)
    gpu_nodes(emu, 3)  # one per replica the autoscaler asks for
    assert invoke(*VLLM_AUTOSCALE).exit_code == 0
    monitor = emu.cluster.get("monitoring.coreos.com/v1", "PodMonitor", "default", "phi-4")
    assert monitor["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    _eventually(lambda: len(vllm_pods(emu)) == 1)
    scraped_queue(emu, 12)
    _eventually(lambda: _replicas(emu) == 3)


def test_keda_queries_the_prometheus_that_scrapes_the_model(model_emulator: Start) -> None:
    emu = model_emulator(serving=True)
    install_podmonitor_api(emu, scrape_loop=False)
    emu.cluster.delete("monitoring.coreos.com/v1", "Prometheus", "monitoring", "kube-prometheus-stack-prometheus")
    emu.prometheus = install_prometheus(
        emu, name="k8s", namespace="observability", selector={}, namespace_selector={}, scrape_loop=False
    )
    gpu_nodes(emu, 3)  # one per replica the autoscaler asks for
    assert invoke(*VLLM_AUTOSCALE).exit_code == 0
    trigger = emu.cluster.get(KEDA, "ScaledObject", "default", "phi-4")["spec"]["triggers"][0]
    assert trigger["metadata"]["serverAddress"] == "http://prometheus-operated.observability.svc.cluster.local:9090"
    _eventually(lambda: len(vllm_pods(emu)) == 1)
    scraped_queue(emu, 12)
    _eventually(lambda: _replicas(emu) == 3)


def test_a_prometheus_url_with_a_password_is_refused_and_never_reaches_the_scaledobject(model_emulator: Start) -> None:
    # KEDA would send it as basic auth (net/http takes a URL's user:password@), from a plain
    # ScaledObject that -o yaml, plans and diffs print; a Secret's TriggerAuthentication is the way.
    model_emulator()
    password = "CanaryPromPassw0rd-81c4"
    url = f"http://bob:{password}@prometheus-operated.monitoring.svc.cluster.local:9090"
    result = invoke(*VLLM_AUTOSCALE[:-1], "--prometheus", url, "--dry-run=client", "-o", "yaml")
    assert result.exit_code == 2, result
    assert "user name or password" in result.stderr and password not in result.stdout + result.stderr


def test_a_cluster_whose_prometheus_selects_no_podmonitor_is_refused_before_anything_is_applied(
    model_emulator: Start,
) -> None:
    # A null podMonitorSelector selects nothing (prometheus-operator pkg/apis/monitoring/v1/prometheus_types.go).
    emu = model_emulator()
    install_podmonitor_api(emu)
    emu.cluster.delete("monitoring.coreos.com/v1", "Prometheus", "monitoring", "kube-prometheus-stack-prometheus")
    install_prometheus(emu, default_selector=False, namespace_selector={})
    result = invoke(*VLLM_AUTOSCALE)
    assert result.exit_code == 7, result
    assert "no Prometheus would scrape" in result.stderr and "selects no PodMonitor" in result.stderr
    assert emu.cluster.get("apps/v1", "Deployment", "default", "phi-4") is None


def test_a_selector_whose_expressions_exclude_the_podmonitor_is_refused(model_emulator: Start) -> None:
    emu = model_emulator()
    install_podmonitor_api(emu)
    emu.cluster.delete("monitoring.coreos.com/v1", "Prometheus", "monitoring", "kube-prometheus-stack-prometheus")
    install_prometheus(
        emu, selector={"matchExpressions": [{"key": "team", "operator": "In", "values": ["ml"]}]}, namespace_selector={}
    )
    result = invoke(*VLLM_AUTOSCALE)
    assert result.exit_code == 7, result
    assert "matchExpressions" in result.stderr


def test_a_prometheus_that_reads_only_its_own_namespace_is_refused(model_emulator: Start) -> None:
    # A null podMonitorNamespaceSelector is the Prometheus's namespace only (pkg/operator/operator.go).
    emu = model_emulator()
    install_podmonitor_api(emu)
    emu.cluster.delete("monitoring.coreos.com/v1", "Prometheus", "monitoring", "kube-prometheus-stack-prometheus")
    install_prometheus(emu, default_selector=False, selector={})
    result = invoke(*VLLM_AUTOSCALE)
    assert result.exit_code == 7, result
    assert "its own namespace only" in result.stderr


def test_a_deploy_without_autoscale_warns_that_no_prometheus_selects_its_podmonitor(model_emulator: Start) -> None:
    # The Prometheus Operator reports nothing about a PodMonitor it does not select
    # (prometheus-operator pkg/prometheus/resource_selector.go): the deploy's own line says so.
    emu = model_emulator()
    install_podmonitor_api(emu)
    emu.cluster.delete("monitoring.coreos.com/v1", "Prometheus", "monitoring", "kube-prometheus-stack-prometheus")
    install_prometheus(emu, default_selector=False, namespace_selector={})
    result = invoke("model", "deploy", "phi-4", "--runtime", "vllm", "-y")
    assert result.exit_code == 0, result
    assert "warning: no Prometheus selects PodMonitor default/phi-4 (" in result.stderr
    assert "selects no PodMonitor): vLLM's metrics will not be scraped" in result.stderr
    assert emu.cluster.get("monitoring.coreos.com/v1", "PodMonitor", "default", "phi-4") is not None


def test_a_deploy_whose_podmonitor_kube_prometheus_stack_selects_gives_no_scrape_warning(model_emulator: Start) -> None:
    emu = model_emulator(monitoring=True)
    result = invoke("model", "deploy", "phi-4", "--runtime", "vllm", "-y")
    assert result.exit_code == 0, result
    assert "no Prometheus selects" not in result.stderr
    monitor = emu.cluster.get("monitoring.coreos.com/v1", "PodMonitor", "default", "phi-4")
    assert monitor["metadata"]["labels"]["release"] == "kube-prometheus-stack"


def test_offline_the_podmonitor_keeps_akscli_labels_and_keda_the_default_address() -> None:
    result = invoke("model", "deploy", "phi-4", "--runtime", "vllm", "--autoscale", "1:4", "--dry-run=client")
    assert result.exit_code == 0, result
    assert "http://prometheus-operated.monitoring.svc.cluster.local:9090" in result.stdout
    assert "release:" not in result.stdout and "TriggerAuthentication" not in result.stdout


# ---- the inference pool's endpoint picker --------------------------------------------------------


def test_a_picker_started_for_another_pool_is_refused(model_emulator: Start) -> None:
    emu = model_emulator()
    _picker(emu, "phi-4-epp", pool="llama")
    result = invoke("model", "deploy", "phi-4", "--expose", "--inference-pool", "-y")
    assert result.exit_code == 3, result
    assert "not started for InferencePool default/phi-4" in result.stderr and "default/llama" in result.stderr
    assert emu.cluster.get("kaito.sh/v1beta1", "Workspace", "default", "phi-4") is None


def test_a_picker_service_with_nothing_behind_it_is_refused(model_emulator: Start) -> None:
    emu = model_emulator()
    emu.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "phi-4-epp", "namespace": "default"},
            "spec": {"selector": {"app": "phi-4-epp"}, "ports": [{"port": 9002}]},
        }
    )
    result = invoke("model", "deploy", "phi-4", "--expose", "--inference-pool", "-y")
    assert result.exit_code == 3, result
    assert "no Deployment behind it serves a pool" in result.stderr


def test_an_inferenceset_routes_to_kaitos_own_pool_instead_of_a_second_one(model_emulator: Start) -> None:
    emu = model_emulator(inference_extension=True)
    args = ("model", "deploy", "phi-4", "--replicas", "2", "--expose")
    assert invoke(*args, "--wait", "--timeout", "20s", "-y").exit_code == 0
    _eventually(lambda: emu.cluster.get(POOL, "InferencePool", "default", "phi-4-inferencepool") is not None)
    result = invoke(*args, "--inference-pool", "-y")
    assert result.exit_code == 0, result
    assert emu.cluster.get(POOL, "InferencePool", "default", "phi-4") is None
    route = emu.cluster.get("gateway.networking.k8s.io/v1", "HTTPRoute", "default", "phi-4")
    assert route["spec"]["rules"][0]["backendRefs"][0]["name"] == "phi-4-inferencepool"
    assert len(resolve(emu.cluster, "default", "phi-4")) == 2


def test_a_first_inferenceset_deploy_routes_to_the_pool_kaito_will_make_when_its_gate_is_on(
    model_emulator: Start,
) -> None:
    """KAITO's controller runs with --feature-gates=...gatewayAPIInferenceExtension=true: it makes
    NAME-inferencepool and its endpoint picker once the set's Workspaces exist, so the first deploy
    routes there, makes no second pool and needs no endpoint picker of the user's."""
    emu = model_emulator(inference_extension=True)
    args = ("model", "deploy", "phi-4", "--replicas", "2", "--expose", "--inference-pool")
    result = invoke(*args, "--wait", "--timeout", "20s", "-y")
    assert result.exit_code == 0, result
    assert emu.cluster.get(POOL, "InferencePool", "default", "phi-4") is None
    route = emu.cluster.get("gateway.networking.k8s.io/v1", "HTTPRoute", "default", "phi-4")
    assert route["spec"]["rules"][0]["backendRefs"][0]["name"] == "phi-4-inferencepool"
    _eventually(lambda: len(resolve(emu.cluster, "default", "phi-4")) == 2)


def test_a_first_inferenceset_deploy_still_needs_an_endpoint_picker_when_kaitos_gate_is_off(
    model_emulator: Start,
) -> None:
    model_emulator(inference_extension=False)
    result = invoke("model", "deploy", "phi-4", "--replicas", "2", "--expose", "--inference-pool", "-y")
    assert result.exit_code != 0
    assert "needs its endpoint picker" in result.stderr


def test_a_set_named_over_39_characters_routes_to_the_pool_flux_names_after_its_shortened_release(
    model_emulator: Start,
) -> None:
    """KAITO's HelmRelease NAME-inferencepool is over Helm's 53 characters here, so Flux installs the
    release as its first 40 characters, "-" and 12 hex digits of its sha256 (fluxcd/helm-controller
    internal/release/name.go ShortenName), and the chart names the pool after that release."""
    emu = model_emulator(inference_extension=True)
    name = "phi-4-mini-instruct-for-the-support-team-eu1"  # 44 characters
    # Two replicas: each child Workspace gets a node named after a NodeClaim of its own (kaito_nodes.py).
    args = ("model", "deploy", "phi-4", "--name", name, "--replicas", "2", "--expose", "--inference-pool")
    result = invoke(*args, "--wait", "--timeout", "20s", "-y")
    assert result.exit_code == 0, result
    route = emu.cluster.get("gateway.networking.k8s.io/v1", "HTTPRoute", "default", name)
    pool = "phi-4-mini-instruct-for-the-support-team-ede59aa875e5"
    assert route["spec"]["rules"][0]["backendRefs"][0]["name"] == pool
    _eventually(lambda: emu.cluster.get(POOL, "InferencePool", "default", pool) is not None)
    picker = emu.cluster.get(POOL, "InferencePool", "default", pool)["spec"]["endpointPickerRef"]["name"]
    assert picker == "phi-4-mini-instruct-for-the-support-team-epp"
