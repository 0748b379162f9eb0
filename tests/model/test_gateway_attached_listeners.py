"""The listener a model's route is served on, for `model endpoint`'s gateway_url and `model test`
through the gateway (akscli.model.gateway_checks.attached_listeners): the first HTTP or HTTPS
listener the route's parentRef selects (sectionName, port) that admits the route (its kinds,
allowedRoutes.namespaces and hostname: kubernetes-sigs/gateway-api v1.6.1 apis/v1/gateway_types.go,
apis/v1/shared_types.go ParentReference), not merely the Gateway's first listener."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from akscli.model import gateway_checks
from tests.cli import invoke
from tests.emulators.kube.controllers.kaito import openai_handler

Start = Callable[..., Any]
API = "gateway.networking.k8s.io/v1"


def _two_listener_gateway(emu: Any) -> None:
    """default/two: HTTPS on 443 for other.example.com only (its certificate Secret beside it), then
    HTTP on 8080 for every hostname."""
    data = {"tls.crt": "Y2VydA==", "tls.key": "a2V5"}
    secret = {"name": "certificate", "namespace": "default"}
    emu.cluster.create(
        {"apiVersion": "v1", "kind": "Secret", "metadata": secret, "type": "kubernetes.io/tls", "data": data}
    )
    https = {
        "name": "https",
        "port": 443,
        "protocol": "HTTPS",
        "hostname": "other.example.com",
        "tls": {"certificateRefs": [{"kind": "Secret", "name": "certificate"}]},
    }
    http = {"name": "http", "port": 8080, "protocol": "HTTP"}
    spec = {"gatewayClassName": "approuting-istio", "listeners": [https, http]}
    emu.cluster.create(
        {"apiVersion": API, "kind": "Gateway", "metadata": {"name": "two", "namespace": "default"}, "spec": spec}
    )


def test_endpoint_gives_the_url_of_the_listener_that_admits_the_routes_hostname(model_emulator: Start) -> None:
    emu = model_emulator()
    _two_listener_gateway(emu)
    flags = ("--expose", "--gateway", "two", "--hostname", "chat.example.com", "--wait", "--timeout", "20s", "-y")
    assert invoke("model", "deploy", "phi-4", *flags).exit_code == 0
    emu.register_service_proxy("default", "phi-4", 80, openai_handler("phi-4"))
    result = invoke("model", "endpoint", "phi-4", "-o", "json")
    assert result.exit_code == 0, result
    assert json.loads(result.stdout)["gateway_url"] == "http://chat.example.com:8080/v1"


class _Kube:
    """Namespace ml labelled team=a; nothing else."""

    def get(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> dict[str, Any] | None:
        labels = {"kubernetes.io/metadata.name": name, "team": "a"}
        return {"metadata": {"name": name, "labels": labels}} if kind == "Namespace" else None


def _gateway(*listeners: dict[str, Any]) -> dict[str, Any]:
    return {"metadata": {"name": "gw", "namespace": "web"}, "spec": {"listeners": list(listeners)}}


def _route(**parent: Any) -> dict[str, Any]:
    return {"metadata": {"name": "phi-4", "namespace": "ml"}, "spec": {"parentRefs": [{"name": "gw", **parent}]}}


def _names(gateway: dict[str, Any], route: dict[str, Any]) -> list[str]:
    return [str(lst["name"]) for lst in gateway_checks.attached_listeners(_Kube(), gateway, route)]  # type: ignore[arg-type]


ALL = {"namespaces": {"from": "All"}}


def test_a_parent_refs_port_selects_the_listener_on_that_port() -> None:
    gateway = _gateway(
        {"name": "a", "port": 80, "protocol": "HTTP", "allowedRoutes": ALL},
        {"name": "b", "port": 8080, "protocol": "HTTP", "allowedRoutes": ALL},
    )
    assert _names(gateway, _route(port=8080)) == ["b"]
    assert _names(gateway, _route(sectionName="a", port=8080)) == []


def test_a_listener_for_its_own_namespaces_routes_only_is_not_the_one_a_route_of_another_serves_on() -> None:
    gateway = _gateway(
        {"name": "same", "port": 80, "protocol": "HTTP"},
        {
            "name": "team-a",
            "port": 8080,
            "protocol": "HTTP",
            "allowedRoutes": {"namespaces": {"from": "Selector", "selector": {"matchLabels": {"team": "a"}}}},
        },
    )
    assert _names(gateway, _route()) == ["team-a"]
