"""`model test` of a model deployed with --expose goes through its gateway, as the model's clients
reach it: to the Gateway's Service (found by its gateway-name label), on its listener's port, with
the route's hostname as the Host header; the lab's Istio routes it
(tests/emulators/kube/controllers/gateway_dataplane.py) to the model's server. --via service and
--via gateway choose; auto (the default) takes the gateway once it serves the route."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.cli import invoke

from .test_serving_on_the_operators import _picker

Start = Callable[..., Any]
WAIT = ("--wait", "--timeout", "20s", "-y")
GATEWAY_PROXY = "/api/v1/namespaces/default/services/inference-gateway-approuting-istio:80/proxy/v1/"
SERVICE_PROXY = "/api/v1/namespaces/default/services/phi-4:80/proxy/"


def _proxied(emu: Any) -> list[str]:
    return [r.path for r in emu.request_log if "/proxy/" in r.path]


def test_test_of_an_exposed_pool_model_goes_through_the_gateways_service(model_emulator: Start) -> None:
    emu = model_emulator(serving=True)
    _picker(emu, "phi-4-epp")
    assert invoke("model", "deploy", "phi-4", "--expose", "--inference-pool", *WAIT).exit_code == 0
    emu.request_log.clear()
    result = invoke("model", "test", "phi-4", "--prompt", "hello")
    assert result.exit_code == 0, result
    assert _proxied(emu) == [GATEWAY_PROXY + "models", GATEWAY_PROXY + "chat/completions"]
    assert "phi-4: " in result.stderr and "through Gateway default/inference-gateway" in result.stderr


def test_test_sends_the_routes_hostname_as_host_and_the_gateway_matches_it(model_emulator: Start) -> None:
    emu = model_emulator(serving=True)
    assert invoke("model", "deploy", "phi-4", "--expose", "--hostname", "chat.example.com", *WAIT).exit_code == 0
    emu.request_log.clear()
    result = invoke("model", "test", "phi-4", "-o", "json")
    assert result.exit_code == 0, result
    assert json.loads(result.stdout)["via"] == "Gateway default/inference-gateway"
    assert all(path.startswith(GATEWAY_PROXY) for path in _proxied(emu))


def test_a_wildcard_hostname_is_sent_with_the_models_name_in_place_of_the_star(model_emulator: Start) -> None:
    emu = model_emulator(serving=True)
    assert invoke("model", "deploy", "phi-4", "--expose", *WAIT).exit_code == 0
    route = emu.cluster.get("gateway.networking.k8s.io/v1", "HTTPRoute", "default", "phi-4")
    route["spec"]["hostnames"] = ["*.example.com"]  # the lab's gateway now takes no other Host
    emu.cluster.update(route)
    assert emu.idle()
    result = invoke("model", "test", "phi-4", "-o", "json")
    assert result.exit_code == 0, result
    assert json.loads(result.stdout)["via"] == "Gateway default/inference-gateway"


def test_via_service_reaches_the_models_service_and_not_the_gateway(model_emulator: Start) -> None:
    emu = model_emulator(serving=True)
    assert invoke("model", "deploy", "phi-4", "--expose", *WAIT).exit_code == 0
    emu.request_log.clear()
    result = invoke("model", "test", "phi-4", "--via", "service", "-o", "json")
    assert result.exit_code == 0, result
    assert json.loads(result.stdout)["via"] == "Service phi-4"
    assert _proxied(emu) == [SERVICE_PROXY + "v1/models", SERVICE_PROXY + "v1/chat/completions"]


def test_via_gateway_refuses_a_model_that_has_no_route(model_emulator: Start) -> None:
    model_emulator(serving=True)
    assert invoke("model", "deploy", "phi-4", *WAIT).exit_code == 0
    result = invoke("model", "test", "phi-4", "--via", "gateway")
    assert result.exit_code == 3, result
    assert "model phi-4 is not served through a gateway: it has no HTTPRoute (deploy it with --expose)" in result.stderr
    assert "--via service" in result.stderr


def test_via_gateway_refuses_a_route_the_gateway_does_not_serve(model_emulator: Start) -> None:
    emu = model_emulator(serving=True)
    emu.gateway.inference_extension = False
    _picker(emu, "phi-4-epp")
    assert invoke("model", "deploy", "phi-4", "--expose", "--inference-pool", *WAIT).exit_code == 10
    result = invoke("model", "test", "phi-4", "--via", "gateway")
    assert result.exit_code == 3, result
    assert "model phi-4 is not served through a gateway: HTTPRoute/phi-4: " in result.stderr


def test_a_gateway_without_its_service_is_one_line_naming_the_label(model_emulator: Start) -> None:
    emu = model_emulator(serving=True)
    assert invoke("model", "deploy", "phi-4", "--expose", *WAIT).exit_code == 0
    emu.gateway.implements = frozenset()  # the lab's Istio stops: the Service deleted below stays gone
    emu.cluster.delete("v1", "Service", "default", "inference-gateway-approuting-istio")
    result = invoke("model", "test", "phi-4", "--via", "gateway")
    assert result.exit_code == 3, result
    assert "Gateway default/inference-gateway has no Service of its own" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unknown_via_is_refused_before_anything_is_read(model_emulator: Start) -> None:
    emu = model_emulator()
    emu.request_log.clear()
    result = invoke("model", "test", "phi-4", "--via", "lb")
    assert result.exit_code == 2, result
    assert "--via value" in result.stderr and "auto, gateway, service" in result.stderr
    assert emu.request_log == []


def test_expose_warns_when_an_older_route_of_the_gateway_already_takes_every_request(model_emulator: Start) -> None:
    emu = model_emulator()
    emu.cluster.create(
        {
            "apiVersion": "gateway.networking.k8s.io/v1",
            "kind": "HTTPRoute",
            "metadata": {"name": "chat", "namespace": "default"},
            "spec": {
                "parentRefs": [{"name": "inference-gateway"}],
                "rules": [{"backendRefs": [{"name": "chat", "port": 80}]}],
            },
        }
    )
    result = invoke("model", "deploy", "phi-4", "--expose", "--dry-run=server")
    assert result.exit_code == 0, result
    assert (
        "warning: HTTPRoute default/chat already takes every request to Gateway default/inference-gateway for every "
        "host, and of routes that match alike the oldest wins: HTTPRoute default/phi-4 would get no traffic; give the "
        "model its own --hostname"
    ) in result.stderr.splitlines()


def test_expose_without_rbac_to_list_routes_warns_that_the_shadow_check_was_not_made() -> None:
    # the older-route check only warns: a user who may create HTTPRoutes but not list them deploys on
    from types import SimpleNamespace

    from akscli.errors import AuthError
    from akscli.model import gateway_checks

    class NoList:
        def list(self, *args: Any, **kwargs: Any) -> Any:
            raise AuthError("httproutes.gateway.networking.k8s.io is forbidden")

    req = SimpleNamespace(namespace="ml", name="phi", hostname=None, gateway="gw")
    assert gateway_checks._shadowing_routes(NoList(), req, "infra") == [  # type: ignore[arg-type]
        "cannot list HTTPRoutes in namespace ml: not checked that no older route shadows it"
    ]
