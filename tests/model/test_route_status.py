"""`model status` and `model endpoint` of an exposed model read its route's and its pool's parent
status (as the lab's Istio writes them: tests/emulators/kube/controllers/gateway.py): the gateway's
URL only once the route is Accepted and its backends resolved, else one line saying why."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.emulators.kube.apiserver_common import wait_until
from tests.emulators.kube.controllers.kaito import openai_handler

from .test_serving_on_the_operators import _picker

Start = Callable[..., Any]
WAIT = ("--wait", "--timeout", "20s", "-y")
# The Service istiod makes for pool phi-4 (istio 1.29.6 InferencePoolServiceName).
SHADOW = "phi-4-ip-" + hashlib.sha256(b"phi-4").hexdigest()[:8]
DISABLED = "ResolvedRefs=False (InvalidKind): InferencePool is not enabled"


def _refused_pool_route(emu: Any) -> None:
    """A pool route on an Istio without the inference extension: the deploy's wait fails, the objects stay."""
    emu.gateway.inference_extension = False
    _picker(emu, "phi-4-epp")
    assert invoke("model", "deploy", "phi-4", "--expose", "--inference-pool", *WAIT).exit_code == 10


def test_status_shows_the_gateways_conditions_and_warns_of_a_route_it_does_not_serve(model_emulator: Start) -> None:
    emu = model_emulator()
    _refused_pool_route(emu)
    result = invoke("model", "status", "phi-4")
    assert result.exit_code == 0, result
    assert f"HTTPRoute/phi-4: Gateway default/inference-gateway could not resolve its backends: {DISABLED}" in (
        result.stderr
    )
    assert "ENABLE_GATEWAY_API_INFERENCE_EXTENSION=true" in result.stderr
    assert "route:         not served through Gateway default/inference-gateway" in result.stdout
    assert "route_timeout: 300s" in result.stdout  # kinds.DEFAULT_ROUTE_TIMEOUT, read back from the route
    gateway_section = result.stdout.split("\nGateway:\n")[1].split("\nEvents:")[0]
    assert "HTTPRoute/phi-4   default/inference-gateway   ResolvedRefs   False    InvalidKind" in gateway_section


def test_status_of_a_served_route_says_so_without_a_warning(model_emulator: Start) -> None:
    model_emulator()
    assert invoke("model", "deploy", "phi-4", "--expose", *WAIT).exit_code == 0
    result = invoke("model", "status", "phi-4", "-o", "json")
    assert result.exit_code == 0, result
    gateway = json.loads(result.stdout)["gateway"]
    assert (gateway["route"], gateway["served"], gateway["message"]) == ("HTTPRoute/phi-4", True, "")
    assert gateway["request_timeout"] == "300s"
    assert "HTTPRoute" not in result.stderr


def test_endpoint_gives_the_gateway_url_once_the_route_is_served(model_emulator: Start) -> None:
    emu = model_emulator()
    flags = ("--expose", "--hostname", "chat.example.com", "--route-timeout", "10m")
    assert invoke("model", "deploy", "phi-4", *flags, *WAIT).exit_code == 0
    emu.register_service_proxy("default", "phi-4", 80, openai_handler("phi-4"))
    result = invoke("model", "endpoint", "phi-4", "-o", "json")
    assert result.exit_code == 0, result
    doc = json.loads(result.stdout)
    # the route's timeout (--route-timeout) is how long a client's request through the gateway may take
    assert (doc["gateway_url"], doc["route_timeout"]) == ("http://chat.example.com/v1", "10m")


def test_endpoint_gives_no_gateway_url_for_a_route_the_gateway_does_not_serve(model_emulator: Start) -> None:
    emu = model_emulator()
    _refused_pool_route(emu)
    emu.register_service_proxy("default", "phi-4", 80, openai_handler("phi-4"))
    result = invoke("model", "endpoint", "phi-4", "-o", "json")
    assert result.exit_code == 0, result
    assert json.loads(result.stdout)["gateway_url"] is None
    assert DISABLED in result.stderr


def test_test_warns_that_the_gateway_does_not_serve_a_refused_route(model_emulator: Start) -> None:
    emu = model_emulator()
    _refused_pool_route(emu)
    emu.register_service_proxy("default", "phi-4", 80, openai_handler("phi-4", reply="Hi there"))
    result = invoke("model", "test", "phi-4", "--prompt", "hello")
    assert result.exit_code == 0, result
    assert result.stdout == "Hi there\n"
    assert "testing through the Service, not the gateway, which does not serve it: HTTPRoute/phi-4" in result.stderr


def test_test_of_a_refused_route_whose_service_fails_claims_no_reply(model_emulator: Start) -> None:
    """The warning comes before the request: where the Service then fails, no line speaks of a reply."""
    emu = model_emulator()
    _refused_pool_route(emu)
    emu.register_service_proxy("default", "phi-4", 80, lambda method, path, body: (503, {}, b"overloaded"))
    result = invoke("model", "test", "phi-4", "--prompt", "hello")
    assert result.exit_code != 0, result
    assert "testing through the Service, not the gateway, which does not serve it: HTTPRoute/phi-4" in result.stderr
    assert "reply came" not in result.stderr


def test_test_of_a_served_route_goes_through_the_gateway_without_a_warning(model_emulator: Start) -> None:
    model_emulator(serving=True)
    assert invoke("model", "deploy", "phi-4", "--expose", *WAIT).exit_code == 0
    result = invoke("model", "test", "phi-4", "--prompt", "hello")
    assert result.exit_code == 0, result
    assert "through Gateway default/inference-gateway" in result.stderr
    assert "does not serve" not in result.stderr


def test_test_via_service_skips_the_served_gateway(model_emulator: Start) -> None:
    emu = model_emulator()
    assert invoke("model", "deploy", "phi-4", "--expose", *WAIT).exit_code == 0
    emu.register_service_proxy("default", "phi-4", 80, openai_handler("phi-4", reply="Hi there"))
    result = invoke("model", "test", "phi-4", "--prompt", "hello", "--via", "service")
    assert result.exit_code == 0, result
    assert result.stdout == "Hi there\n"
    assert "through Service phi-4" in result.stderr


def _route_refs(emu: Any) -> dict[str, Any]:
    return _route_condition(emu, "ResolvedRefs")


def _route_condition(emu: Any, kind: str) -> dict[str, Any]:
    route = emu.cluster.get("gateway.networking.k8s.io/v1", "HTTPRoute", "default", "phi-4") or {}
    conds = [c for p in (route.get("status") or {}).get("parents") or [] for c in p["conditions"]]
    return next((c for c in conds if c["type"] == kind), {})


def _status_with_a_foreign_pool_service(emu: Any) -> Any:
    """`model status` of a pooled route whose pool Service name a Service without Istio's label holds:
    istiod leaves it (istio 1.29.6 inferencepool_collection.go), and the route is InvalidDestination."""
    _picker(emu, "phi-4-epp")
    spec = {"selector": {"app": "other"}, "ports": [{"port": 80}]}
    emu.cluster.create(
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": SHADOW, "namespace": "default"}, "spec": spec}
    )
    assert invoke("model", "deploy", "phi-4", "--expose", "--inference-pool", "-y").exit_code == 0
    assert wait_until(lambda: _route_refs(emu).get("reason") == "InvalidDestination", timeout=10.0)
    result = invoke("model", "status", "phi-4")
    assert result.exit_code == 0, result
    return result


def test_status_names_a_service_in_the_place_of_istios_pool_service(model_emulator: Start) -> None:
    # istio 1.29.6 inferencepool_collection.go: istiod leaves a Service of its name without its label.
    emu = model_emulator()
    result = _status_with_a_foreign_pool_service(emu)
    assert f"Service default/{SHADOW} is not Istio's (no istio.io/inferencepool-name label)" in result.stderr
    assert f"delete Service default/{SHADOW}" in result.stderr


def test_status_knows_istio_by_the_gateways_class_whatever_controller_name_its_istiod_runs_under(
    model_emulator: Start,
) -> None:
    # istiod takes its controllerName from PILOT_GATEWAY_API_CONTROLLER_NAME (istio/istio 1.29.6
    # pilot/pkg/features/pilot.go), and no published source says which one application routing's runs
    # under: the route's status carries that name, the Gateway's class is approuting-istio.
    renamed = "example.com/renamed-istiod"
    emu = model_emulator()
    emu.cluster.delete("gateway.networking.k8s.io/v1", "GatewayClass", None, "approuting-istio")
    emu.cluster.create(
        {
            "apiVersion": "gateway.networking.k8s.io/v1",
            "kind": "GatewayClass",
            "metadata": {"name": "approuting-istio"},
            "spec": {"controllerName": renamed},
        }
    )
    emu.gateway.implements = frozenset({renamed})
    result = _status_with_a_foreign_pool_service(emu)
    assert f"Service default/{SHADOW} is not Istio's (no istio.io/inferencepool-name label)" in result.stderr


def test_status_says_istiod_makes_the_pool_service_the_route_cannot_find(model_emulator: Start) -> None:
    emu = model_emulator()
    _picker(emu, "phi-4-epp")
    assert invoke("model", "deploy", "phi-4", "--expose", "--inference-pool", *WAIT).exit_code == 0
    # An istiod that no longer writes the Service: what Istio then reports (conversion.go buildDestination).
    emu.controllers.remove(emu.gateway)
    emu.cluster.delete("v1", "Service", "default", SHADOW)
    route = emu.cluster.get("gateway.networking.k8s.io/v1", "HTTPRoute", "default", "phi-4")
    refs = _route_refs(emu)
    refs.update(
        status="False", reason="BackendNotFound", message=f"backend({SHADOW}.default.svc.cluster.local) not found"
    )
    parents = [
        {**p, "conditions": [c for c in p["conditions"] if c["type"] != "ResolvedRefs"] + [refs]}
        for p in route["status"]["parents"]
    ]
    emu.cluster.patch_status("gateway.networking.k8s.io/v1", "HTTPRoute", "default", "phi-4", {"parents": parents})
    result = invoke("model", "status", "phi-4")
    assert result.exit_code == 0, result
    assert f"Service default/{SHADOW}, which istiod makes for InferencePool phi-4 once a Gateway takes it" in (
        result.stderr
    )


def test_status_quotes_istios_reason_when_the_gateway_stops_admitting_the_route(model_emulator: Start) -> None:
    # The Gateway's listener changes after the deploy: istio 1.29.6 conversion.go referenceAllowed's message.
    emu = model_emulator()
    assert invoke("model", "deploy", "phi-4", "--expose", "--hostname", "chat.example.com", *WAIT).exit_code == 0
    gateway = emu.cluster.get("gateway.networking.k8s.io/v1", "Gateway", "default", "inference-gateway")
    gateway["spec"]["listeners"][0]["hostname"] = "api.example.com"
    emu.cluster.update(gateway)
    assert wait_until(lambda: _route_condition(emu, "Accepted").get("status") == "False", timeout=10.0)
    result = invoke("model", "status", "phi-4")
    assert result.exit_code == 0, result
    assert (
        "did not accept it: Accepted=False (NoMatchingListenerHostname): "
        'no hostnames matched parent hostname "api.example.com"'
    ) in result.stderr


def _gateway_address(emu: Any) -> str:
    gateway = emu.cluster.get("gateway.networking.k8s.io/v1", "Gateway", "default", "inference-gateway") or {}
    addresses = (gateway.get("status") or {}).get("addresses") or []
    return str(addresses[0]["value"]) if addresses else ""


def test_endpoint_without_a_hostname_gives_the_url_of_the_gateways_load_balancer_address(model_emulator: Start) -> None:
    # Istio writes the address of the Gateway's Service's load balancer (conversion.go reportGatewayStatus).
    emu = model_emulator()
    assert invoke("model", "deploy", "phi-4", "--expose", *WAIT).exit_code == 0
    emu.register_service_proxy("default", "phi-4", 80, openai_handler("phi-4"))
    assert wait_until(lambda: _gateway_address(emu), timeout=10.0)
    ingress = emu.cluster.get("v1", "Service", "default", "inference-gateway-approuting-istio")["status"][
        "loadBalancer"
    ]
    result = invoke("model", "endpoint", "phi-4", "-o", "json")
    assert result.exit_code == 0, result
    assert json.loads(result.stdout)["gateway_url"] == f"http://{ingress['ingress'][0]['ip']}/v1"
    assert "warning" not in result.stderr


def test_endpoint_puts_an_ipv6_gateway_address_in_brackets(model_emulator: Start) -> None:
    emu = model_emulator()
    assert invoke("model", "deploy", "phi-4", "--expose", *WAIT).exit_code == 0
    emu.register_service_proxy("default", "phi-4", 80, openai_handler("phi-4"))
    ingress = {"loadBalancer": {"ingress": [{"ip": "2001:db8::7"}]}}
    emu.cluster.patch_status("v1", "Service", "default", "inference-gateway-approuting-istio", ingress)
    assert wait_until(lambda: _gateway_address(emu) == "2001:db8::7", timeout=10.0)
    result = invoke("model", "endpoint", "phi-4", "-o", "json")
    assert result.exit_code == 0, result
    assert json.loads(result.stdout)["gateway_url"] == "http://[2001:db8::7]/v1"


def test_endpoint_says_why_a_gateway_whose_load_balancer_is_pending_has_no_url(model_emulator: Start) -> None:
    emu = model_emulator()
    emu.gateway.load_balancer = False
    assert invoke("model", "deploy", "phi-4", "--expose", *WAIT).exit_code == 0
    emu.register_service_proxy("default", "phi-4", 80, openai_handler("phi-4"))
    result = invoke("model", "endpoint", "phi-4", "-o", "json")
    assert result.exit_code == 0, result
    assert json.loads(result.stdout)["gateway_url"] is None
    assert (
        "Gateway default/inference-gateway has no address yet (status.addresses): Programmed=False (AddressNotAssigned)"
        in result.stderr
    )
