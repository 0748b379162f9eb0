"""`model test` through a gateway whose route needs what the service proxy alone does not carry:
AI Runway's route, which matches the X-Gateway-Model-Name header the body-based router (BBR) sets
from the body's model (akscli/model/body_router.py); a Gateway deployed by hand, reached through the
Service its spec.addresses name; an HTTPS listener that takes TLS for one hostname only."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest

from akscli.errors import NotInstalledError
from akscli.model.gateway_via import _listener
from tests.baremetal.nodes import small_cpu_node
from tests.cli import invoke

from ._bbr import envoy_filter, install_bbr
from .conftest import AIRUNWAY_CRDS

Start = Callable[..., Any]
GATEWAY_PROXY = "/api/v1/namespaces/default/services/inference-gateway-approuting-istio:80/proxy/v1/"
EXPOSE = ("--expose", "--wait", "--timeout", "20s", "-y")
INSTALL = (
    "helm install body-based-router oci://registry.k8s.io/gateway-api-inference-extension/charts/body-based-routing"
    " --version v1.5.0 -n default --set provider.name=istio --set inferenceGateway.name=inference-gateway"
)


def _proxied(emu: Any) -> list[str]:
    return [r.path for r in emu.request_log if "/proxy/" in r.path]


def _airunway(model_emulator: Start, **bbr: Any) -> Any:
    """An AI Runway model deployed with --expose; with ``bbr``, BBR installed first, as AI Runway's
    setup-gateway does (install_bbr's arguments)."""
    emu = model_emulator(crds=AIRUNWAY_CRDS, serving=True)
    emu.cluster.create(small_cpu_node())  # BBR's pod is Ready only on a node
    if bbr:
        install_bbr(emu, **bbr)
    assert invoke("model", "deploy", "phi-4", "--runtime", "airunway", *EXPOSE).exit_code == 0
    assert emu.idle()  # AI Runway makes its route once the model runs; the lab's Istio then serves it
    return emu


# ---- AI Runway's route and the body-based router ---------------------------------------------------


def test_an_airunway_route_is_tested_through_the_gateway_where_bbr_runs(model_emulator: Start) -> None:
    emu = _airunway(model_emulator, gateway="inference-gateway")
    emu.request_log.clear()
    result = invoke("model", "test", "phi-4", "--via", "gateway")
    assert result.exit_code == 0, result
    # No GET /v1/models: a bodyless request never matches a route BBR's header selects.
    assert _proxied(emu) == [GATEWAY_PROXY + "chat/completions"]
    assert "through Gateway default/inference-gateway" in result.stderr


def test_via_gateway_without_bbr_is_one_line_with_its_install_command(model_emulator: Start) -> None:
    emu = _airunway(model_emulator)
    emu.request_log.clear()
    result = invoke("model", "test", "phi-4", "--via", "gateway")
    assert result.exit_code == 7, result
    assert "Gateway default/inference-gateway runs no body-based router" in result.stderr
    assert "clients that do not send it get HTTP 404" in result.stderr
    assert INSTALL in result.stderr
    assert _proxied(emu) == []


def test_auto_without_bbr_tests_the_service_and_says_how_to_install_bbr(model_emulator: Start) -> None:
    _airunway(model_emulator)
    result = invoke("model", "test", "phi-4")
    assert result.exit_code == 0, result
    assert "warning: testing through the Service, not the gateway: Gateway default/inference-gateway runs no" in (
        result.stderr
    )
    assert INSTALL in result.stderr and "--via service" not in result.stderr
    assert "through Service phi-4" in result.stderr


def test_bbr_on_another_gateway_does_not_count(model_emulator: Start) -> None:
    _airunway(model_emulator, gateway="other-gateway")
    result = invoke("model", "test", "phi-4", "--via", "gateway")
    assert result.exit_code == 7, result
    assert "runs no body-based router" in result.stderr


def test_bbr_with_no_ready_replica_is_refused_before_the_request(model_emulator: Start) -> None:
    emu = _airunway(model_emulator, replicas=0)
    emu.request_log.clear()
    result = invoke("model", "test", "phi-4", "--via", "gateway")
    assert result.exit_code == 7, result
    assert "the body-based router default/body-based-router of Gateway default/inference-gateway has no ready" in (
        result.stderr
    )
    assert _proxied(emu) == []


def test_where_envoy_filters_may_not_be_read_the_request_is_sent_as_it_is(model_emulator: Start) -> None:
    emu = _airunway(model_emulator, gateway="inference-gateway")
    emu.auth.deny(verb="list", resource="envoyfilters")
    emu.request_log.clear()
    result = invoke("model", "test", "phi-4", "--via", "gateway")
    assert result.exit_code == 0, result
    assert _proxied(emu) == [GATEWAY_PROXY + "chat/completions"]


# ---- a Gateway deployed by hand (spec.addresses) -------------------------------------------------------


def _by_hand(emu: Any, address: str, service: tuple[str, str] | None) -> None:
    """The Gateway now names its Service in spec.addresses (Istio's manual deployment), and that
    Service is made by hand (as for an istio-ingressgateway installed by its chart)."""
    if service is not None:
        namespace, name = service
        if emu.cluster.get("v1", "Namespace", None, namespace) is None:
            emu.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
        emu.cluster.create(
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {"name": name, "namespace": namespace},
                "spec": {"selector": {"istio": "ingressgateway"}, "ports": [{"name": "http", "port": 80}]},
            }
        )
    gateway = emu.cluster.get("gateway.networking.k8s.io/v1", "Gateway", "default", "inference-gateway")
    gateway["spec"]["addresses"] = [{"type": "Hostname", "value": address}]
    emu.cluster.update(gateway)
    assert emu.idle()


def test_a_gateway_deployed_by_hand_is_reached_through_the_service_its_address_names(model_emulator: Start) -> None:
    emu = model_emulator(serving=True)
    assert invoke("model", "deploy", "phi-4", *EXPOSE).exit_code == 0
    _by_hand(emu, "ingress.istio-ingress.svc.cluster.local", ("istio-ingress", "ingress"))
    emu.request_log.clear()
    result = invoke("model", "test", "phi-4")  # auto
    assert result.exit_code == 0, result
    assert "through Gateway default/inference-gateway" in result.stderr
    assert _proxied(emu)[-1] == "/api/v1/namespaces/istio-ingress/services/ingress:80/proxy/v1/chat/completions"


def test_a_short_address_names_a_service_of_the_gateways_namespace(model_emulator: Start) -> None:
    emu = model_emulator(serving=True)
    assert invoke("model", "deploy", "phi-4", *EXPOSE).exit_code == 0
    _by_hand(emu, "ingress", ("default", "ingress"))
    emu.request_log.clear()
    result = invoke("model", "test", "phi-4", "--via", "gateway")
    assert result.exit_code == 0, result
    assert _proxied(emu)[-1] == "/api/v1/namespaces/default/services/ingress:80/proxy/v1/chat/completions"


def test_an_address_naming_a_missing_service_is_one_line(model_emulator: Start) -> None:
    emu = model_emulator(serving=True)
    assert invoke("model", "deploy", "phi-4", *EXPOSE).exit_code == 0
    _by_hand(emu, "gone.istio-ingress.svc.cluster.local", None)
    result = invoke("model", "test", "phi-4", "--via", "gateway")
    assert result.exit_code == 3, result
    assert "deployed by hand at Service istio-ingress/gone (its spec.addresses), which does not exist" in result.stderr


def test_a_service_entry_host_is_one_line_with_why_and_auto_tests_the_service(model_emulator: Start) -> None:
    emu = model_emulator(serving=True)
    assert invoke("model", "deploy", "phi-4", *EXPOSE).exit_code == 0
    _by_hand(emu, "ingress.mesh.internal", None)
    refused = invoke("model", "test", "phi-4", "--via", "gateway")
    assert refused.exit_code == 7, refused
    assert "deployed by hand at ingress.mesh.internal, which is no Service of the cluster" in refused.stderr
    assert "a ServiceEntry's, or an external name" in refused.stderr
    auto = invoke("model", "test", "phi-4")
    assert auto.exit_code == 0, auto
    assert "warning: testing through the Service, not the gateway: Gateway default/inference-gateway is deployed" in (
        auto.stderr
    )


def test_the_first_address_that_is_a_service_of_the_cluster_is_reached(model_emulator: Start) -> None:
    emu = model_emulator(serving=True)
    assert invoke("model", "deploy", "phi-4", *EXPOSE).exit_code == 0
    _by_hand(emu, "ingress.mesh.internal", ("istio-ingress", "ingress"))
    gateway = emu.cluster.get("gateway.networking.k8s.io/v1", "Gateway", "default", "inference-gateway")
    gateway["spec"]["addresses"].append({"type": "Hostname", "value": "ingress.istio-ingress.svc.cluster.local"})
    emu.cluster.update(gateway)
    assert emu.idle()
    emu.request_log.clear()
    result = invoke("model", "test", "phi-4", "--via", "gateway")
    assert result.exit_code == 0, result
    assert _proxied(emu)[-1] == "/api/v1/namespaces/istio-ingress/services/ingress:80/proxy/v1/chat/completions"


def test_bbr_of_a_gateway_deployed_by_hand_is_found_by_its_pods_labels(model_emulator: Start) -> None:
    """Its pods carry no gateway-name label: Istio ignores the chart's targetRefs for them and takes
    an EnvoyFilter of their namespace by its workloadSelector, on any of the pods' labels."""
    wired = envoy_filter("inference-gateway", "default")
    wired["metadata"]["namespace"] = "istio-ingress"
    del wired["spec"]["targetRefs"]
    wired["spec"]["workloadSelector"] = {"labels": {"app": "istio-ingressgateway"}}
    emu = _airunway(model_emulator, wired=wired)
    _by_hand(emu, "ingress.istio-ingress.svc.cluster.local", ("istio-ingress", "ingress"))
    pod_labels = {"istio": "ingressgateway", "app": "istio-ingressgateway"}  # the Service selects istio= only
    emu.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "ingress-0", "namespace": "istio-ingress", "labels": pod_labels},
            "spec": {"containers": [{"name": "istio-proxy", "image": "istio/proxyv2:1.29.6"}]},
        }
    )
    assert emu.idle()
    emu.request_log.clear()
    result = invoke("model", "test", "phi-4", "--via", "gateway")
    assert result.exit_code == 0, result
    assert _proxied(emu)[-1] == "/api/v1/namespaces/istio-ingress/services/ingress:80/proxy/v1/chat/completions"


def test_the_charts_target_ref_does_not_reach_a_gateway_deployed_by_hand(model_emulator: Start) -> None:
    emu = _airunway(model_emulator, gateway="inference-gateway")
    _by_hand(emu, "ingress.istio-ingress.svc.cluster.local", ("istio-ingress", "ingress"))
    result = invoke("model", "test", "phi-4", "--via", "gateway")
    assert result.exit_code == 7, result
    assert "runs no body-based router" in result.stderr and "pods in istio-ingress labelled istio=ingressgateway" in (
        result.stderr
    )


# ---- HTTPS listeners: the service proxy sends no TLS server name -------------------------------------


def _gateway(*listeners: Mapping[str, Any]) -> dict[str, Any]:
    return {"metadata": {"name": "gw", "namespace": "default"}, "spec": {"listeners": list(listeners)}}


# The route in the Gateway's namespace, which its listeners admit (allowedRoutes Same); no listener
# selects namespaces by label, so nothing is read.
ROUTE = {"metadata": {"name": "phi-4", "namespace": "default"}, "spec": {"parentRefs": [{"name": "gw"}]}}
NO_KUBE: Any = None


HTTPS_NAMED = {"name": "https-chat", "protocol": "HTTPS", "port": 443, "hostname": "chat.example.com"}
HTTPS_ANY = {"name": "https", "protocol": "HTTPS", "port": 8443}


def test_an_https_listener_for_one_hostname_only_is_refused_with_why() -> None:
    with pytest.raises(NotInstalledError) as caught:
        _listener(NO_KUBE, _gateway(HTTPS_NAMED), ROUTE, "default/gw")
    assert "takes TLS for chat.example.com only" in caught.value.message
    assert "sends no TLS server name" in caught.value.message


def test_an_https_listener_for_any_hostname_goes_before_one_for_a_single_name() -> None:
    assert _listener(NO_KUBE, _gateway(HTTPS_NAMED, HTTPS_ANY), ROUTE, "default/gw") is HTTPS_ANY
