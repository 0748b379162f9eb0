"""A Gateway whose HTTPS listener names a certificate Secret in another namespace that no
ReferenceGrant opens: the gateway accepts the model's route but does not serve that listener
(kubernetes-sigs/gateway-api v1.6.1 conformance/tests/gateway-secret-missing-reference-grant.go;
the lab's Istio writes it as istio/istio 1.29.6 conversion.go buildListener does:
tests/emulators/kube/controllers/gateway_tls.py). `model deploy --expose` warns of it, with the
grant to add, and `model endpoint` gives no gateway URL for it (akscli.model.gateway_checks.listener_problem)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.emulators.kube.apiserver_common import wait_until
from tests.emulators.kube.controllers.kaito import openai_handler

Start = Callable[..., Any]
API = "gateway.networking.k8s.io/v1"
REFUSED = (
    "listener https of Gateway default/tls: ResolvedRefs=False (RefNotPermitted): certificateRef certificate/web "
    'not accessible to a Gateway in namespace "default" (missing a ReferenceGrant?)'
)
GRANT = "add a ReferenceGrant in namespace web from Gateways of namespace default to Secret certificate"


def _tls_gateway(emu: Any) -> None:
    """default/tls: one HTTPS listener for chat.example.com whose certificate is Secret web/certificate."""
    emu.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "web"}})
    secret = {"name": "certificate", "namespace": "web"}
    data = {"tls.crt": "Y2VydA==", "tls.key": "a2V5"}
    emu.cluster.create(
        {"apiVersion": "v1", "kind": "Secret", "metadata": secret, "type": "kubernetes.io/tls", "data": data}
    )
    listener = {
        "name": "https",
        "port": 443,
        "protocol": "HTTPS",
        "hostname": "chat.example.com",
        "tls": {"certificateRefs": [{"kind": "Secret", "name": "certificate", "namespace": "web"}]},
    }
    spec = {"gatewayClassName": "approuting-istio", "listeners": [listener]}
    emu.cluster.create(
        {"apiVersion": API, "kind": "Gateway", "metadata": {"name": "tls", "namespace": "default"}, "spec": spec}
    )

    def refused() -> bool:
        gw = emu.cluster.get(API, "Gateway", "default", "tls") or {}
        conds = [c for lst in (gw.get("status") or {}).get("listeners") or [] for c in lst["conditions"]]
        return any(c["reason"] == "RefNotPermitted" for c in conds)

    assert wait_until(refused, timeout=10.0)


DEPLOY = ("model", "deploy", "phi-4", "--expose", "--gateway", "tls", "--hostname", "chat.example.com")


def test_deploy_warns_that_the_listener_it_attaches_to_names_a_certificate_no_grant_opens(
    model_emulator: Start,
) -> None:
    emu = model_emulator()
    _tls_gateway(emu)
    result = invoke(*DEPLOY, "-y")
    assert result.exit_code == 0, result
    assert REFUSED in result.stderr
    assert GRANT in result.stderr


def test_endpoint_gives_no_gateway_url_through_a_listener_whose_certificate_is_refused(model_emulator: Start) -> None:
    emu = model_emulator()
    _tls_gateway(emu)
    assert invoke(*DEPLOY, "--wait", "--timeout", "20s", "-y").exit_code == 0
    emu.register_service_proxy("default", "phi-4", 80, openai_handler("phi-4"))
    result = invoke("model", "endpoint", "phi-4", "-o", "json")
    assert result.exit_code == 0, result
    assert json.loads(result.stdout)["gateway_url"] is None
    assert REFUSED in result.stderr


def test_status_reports_a_request_mirror_to_another_namespace_that_no_grant_opens(model_emulator: Start) -> None:
    # A mirror added to the model's route by hand (akscli writes none): kubernetes-sigs/gateway-api v1.6.1
    # apis/v1/httproute_types.go HTTPRequestMirrorFilter.BackendRef, "RefNotPermitted" without a ReferenceGrant.
    emu = model_emulator()
    assert invoke("model", "deploy", "phi-4", "--expose", "--wait", "--timeout", "20s", "-y").exit_code == 0
    route = emu.cluster.get(API, "HTTPRoute", "default", "phi-4")
    mirror = {"backendRef": {"name": "shadow-traffic", "namespace": "web", "port": 80}}
    route["spec"]["rules"][0]["filters"] = [{"type": "RequestMirror", "requestMirror": mirror}]
    emu.cluster.update(route)
    result: Any = None

    def reported() -> bool:
        nonlocal result
        result = invoke("model", "status", "phi-4")
        return "RefNotPermitted" in result.stderr

    assert wait_until(reported, timeout=10.0), result
    assert 'backendRef shadow-traffic/web not accessible to a HTTPRoute in namespace "default"' in result.stderr
    assert "add a ReferenceGrant in the backend's namespace" in result.stderr


def test_a_listener_that_names_a_route_kind_its_controller_lacks_still_serves_the_route() -> None:
    # kubernetes-sigs/gateway-api v1.6.1 conformance/tests/gateway-invalid-route-kind.go: ResolvedRefs False,
    # InvalidRouteKinds, while the supported kinds stay in supportedKinds.
    from akscli.model.gateway_checks import listener_problem

    refs = {"type": "ResolvedRefs", "status": "False", "reason": "InvalidRouteKinds", "message": "Invalid route kinds"}
    programmed = {"type": "Programmed", "status": "True", "reason": "Programmed"}
    gateway = {
        "metadata": {"name": "gw", "namespace": "default"},
        "status": {"listeners": [{"name": "http", "conditions": [refs, programmed]}]},
    }
    assert listener_problem(gateway, {"name": "http", "protocol": "HTTP"}) == ""
