"""Why the lab's Istio (tests/emulators/kube/controllers/gateway.py) does not accept an HTTPRoute, as
istio/istio 1.29.6 reports it: pilot/pkg/config/kube/gateway/conversion.go referenceAllowed judges
each listener (port, sectionName, hostname, then namespace, then kind, with its own messages), and
conditions.go createRouteStatus keeps the least severe denial of the Gateway's listeners
(NotAllowedByListeners over NoMatchingListenerHostname over NoMatchingParent), joining equal ones
with "; "."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver_common import wait_until
from tests.emulators.kube.controllers.gateway import GatewayController
from tests.emulators.kube.crds import default_crd_dir
from tests.emulators.kube.profiles import namespace

API = "gateway.networking.k8s.io/v1"


@pytest.fixture
def emu(kube_emulator_factory: Callable[..., KubeEmulator]) -> KubeEmulator:
    emulator = kube_emulator_factory(crd_dirs=[default_crd_dir() / "gateway-api"], tls=False, builtin_controllers=False)
    emulator.controllers.add(GatewayController(delay=0.01))
    emulator.cluster.create(
        {
            "apiVersion": API,
            "kind": "GatewayClass",
            "metadata": {"name": "approuting-istio"},
            "spec": {"controllerName": "istio.io/gateway-controller"},
        }
    )
    namespace(emulator, "ml")
    return emulator


def _gateway(emu: KubeEmulator, *listeners: dict[str, Any]) -> None:
    emu.cluster.create(
        {
            "apiVersion": API,
            "kind": "Gateway",
            "metadata": {"name": "gw", "namespace": "default"},
            "spec": {"gatewayClassName": "approuting-istio", "listeners": list(listeners)},
        }
    )


def _listener(name: str = "http", port: int = 80, protocol: str = "HTTP", **fields: Any) -> dict[str, Any]:
    return {"name": name, "port": port, "protocol": protocol, **fields}


def _route(emu: KubeEmulator, ns: str = "default", hostnames: list[str] | None = None, **parent: Any) -> None:
    spec: dict[str, Any] = {
        "parentRefs": [{"name": "gw", "namespace": "default", **parent}],
        "rules": [{"backendRefs": [{"name": "phi-4", "port": 80}]}],
    }
    if hostnames:
        spec["hostnames"] = hostnames
    emu.cluster.create(
        {"apiVersion": API, "kind": "HTTPRoute", "metadata": {"name": "r", "namespace": ns}, "spec": spec}
    )


def _accepted(emu: KubeEmulator, ns: str = "default") -> tuple[str, str, str]:
    found: list[tuple[str, str, str]] = []

    def written() -> bool:
        route = emu.cluster.get(API, "HTTPRoute", ns, "r") or {}
        for parent in (route.get("status") or {}).get("parents") or []:
            for c in parent.get("conditions") or []:
                if c["type"] == "Accepted":
                    found[:] = [(c["status"], c["reason"], c["message"])]
                    return True
        return False

    assert wait_until(written, timeout=5)
    return found[0]


def test_a_section_name_no_listener_has_is_reported_with_istios_message(emu: KubeEmulator) -> None:
    _gateway(emu, _listener())
    _route(emu, sectionName="https")
    assert _accepted(emu) == ("False", "NoMatchingParent", 'sectionName "https" not found')


def test_each_listener_a_missing_section_name_misses_repeats_the_message(emu: KubeEmulator) -> None:
    _gateway(emu, _listener(), _listener("alt", port=8080))
    _route(emu, sectionName="https")
    message = 'sectionName "https" not found; sectionName "https" not found'
    assert _accepted(emu) == ("False", "NoMatchingParent", message)


def test_a_port_no_listener_has_is_reported_with_istios_message(emu: KubeEmulator) -> None:
    _gateway(emu, _listener())
    _route(emu, port=8080)
    assert _accepted(emu) == ("False", "NoMatchingParent", "port 8080 not found")


def test_a_route_of_a_namespace_the_listener_does_not_admit_names_the_namespace(emu: KubeEmulator) -> None:
    _gateway(emu, _listener())  # allowedRoutes.namespaces from: Same (the default)
    _route(emu, ns="ml")
    message = 'hostnames matched parent hostname "", but namespace "ml" is not allowed by the parent'
    assert _accepted(emu, ns="ml") == ("False", "NotAllowedByListeners", message)


def test_the_hostname_is_judged_before_the_namespace(emu: KubeEmulator) -> None:
    _gateway(emu, _listener(hostname="api.example.com"))
    _route(emu, ns="ml", hostnames=["chat.example.com"])
    message = 'no hostnames matched parent hostname "api.example.com"'
    assert _accepted(emu, ns="ml") == ("False", "NoMatchingListenerHostname", message)


def test_a_namespace_denial_outranks_a_hostname_mismatch_on_another_listener(emu: KubeEmulator) -> None:
    everyone = {"namespaces": {"from": "All"}}
    _gateway(emu, _listener("api", hostname="api.example.com", allowedRoutes=everyone), _listener("any", port=8080))
    _route(emu, ns="ml", hostnames=["chat.example.com"])
    message = 'hostnames matched parent hostname "", but namespace "ml" is not allowed by the parent'
    assert _accepted(emu, ns="ml") == ("False", "NotAllowedByListeners", message)


def test_a_listener_of_another_protocol_does_not_allow_the_route_kind(emu: KubeEmulator) -> None:
    _gateway(emu, _listener("tcp", port=9000, protocol="TCP"))
    _route(emu)
    message = "kind gateway.networking.k8s.io/v1/HTTPRoute is not allowed"
    assert _accepted(emu) == ("False", "NotAllowedByListeners", message)


def test_a_wildcard_route_hostname_matches_a_listener_hostname_under_it(emu: KubeEmulator) -> None:
    _gateway(emu, _listener(hostname="chat.example.com"))
    _route(emu, hostnames=["*.example.com"])
    assert _accepted(emu) == ("True", "Accepted", "Route was valid")
