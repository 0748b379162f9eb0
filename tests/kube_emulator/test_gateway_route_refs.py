"""The HTTPRoute conditions of the lab's Istio (tests/emulators/kube/controllers/gateway.py) with
their messages, as istio/istio 1.29.6 writes them: pilot/pkg/config/kube/gateway/conditions.go
createRouteStatus (the messages of a valid route) and conversion.go buildHTTPDestination and
buildDestination (which backendRef error the route reports, and its message)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver_common import wait_until
from tests.emulators.kube.controllers.gateway import GatewayController
from tests.emulators.kube.crds import default_crd_dir
from tests.emulators.kube.profiles import install_gateway

API = "gateway.networking.k8s.io/v1"
POOL = {"group": "inference.networking.k8s.io", "kind": "InferencePool"}


@pytest.fixture
def emu(kube_emulator_factory: Callable[..., KubeEmulator]) -> KubeEmulator:
    emulator = kube_emulator_factory(crd_dirs=[default_crd_dir() / "gateway-api"], tls=False, builtin_controllers=False)
    emulator.controllers.add(GatewayController(delay=0.01))
    install_gateway(emulator)  # Gateway default/inference-gateway of Istio's class, one HTTP listener
    emulator.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "phi-4", "namespace": "default"},
            "spec": {"selector": {"app": "phi-4"}, "ports": [{"port": 80}]},
        }
    )
    return emulator


def _route(*rules: list[dict[str, Any]], gateway: str = "inference-gateway") -> dict[str, Any]:
    return {
        "apiVersion": API,
        "kind": "HTTPRoute",
        "metadata": {"name": "r", "namespace": "default"},
        "spec": {
            "parentRefs": [{"name": gateway}],
            "rules": [{"backendRefs": backends} for backends in rules],
        },
    }


def _condition(emu: KubeEmulator, kind: str) -> tuple[str, str, str]:
    found: list[tuple[str, str, str]] = []

    def written() -> bool:
        route = emu.cluster.get(API, "HTTPRoute", "default", "r") or {}
        for parent in (route.get("status") or {}).get("parents") or []:
            for c in parent.get("conditions") or []:
                if c["type"] == kind:
                    found[:] = [(c["status"], c["reason"], c["message"])]
                    return True
        return False

    assert wait_until(written, timeout=5)
    return found[0]


def test_a_valid_route_carries_istios_messages(emu: KubeEmulator) -> None:
    emu.cluster.create(_route([{"name": "phi-4", "port": 80}]))
    assert _condition(emu, "Accepted") == ("True", "Accepted", "Route was valid")
    assert _condition(emu, "ResolvedRefs") == ("True", "ResolvedRefs", "All references resolved")


def test_a_route_taken_by_two_listeners_says_how_many_parents_it_is_bound_to(emu: KubeEmulator) -> None:
    listeners = [{"name": "http", "port": 80, "protocol": "HTTP"}, {"name": "alt", "port": 8080, "protocol": "HTTP"}]
    emu.cluster.create(
        {
            "apiVersion": API,
            "kind": "Gateway",
            "metadata": {"name": "two", "namespace": "default"},
            "spec": {"gatewayClassName": "approuting-istio", "listeners": listeners},
        }
    )
    emu.cluster.create(_route([{"name": "phi-4", "port": 80}], gateway="two"))
    assert _condition(emu, "Accepted") == ("True", "Accepted", "Route was valid, bound to 2 parents")


def test_a_backend_of_another_kind_is_invalid_kind_with_its_group_and_kind_named(emu: KubeEmulator) -> None:
    emu.cluster.create(_route([{"group": "example.com", "kind": "Thing", "name": "x"}]))
    assert _condition(emu, "ResolvedRefs") == (
        "False",
        "InvalidKind",
        'referencing unsupported backendRef: group "example.com" kind "Thing"',
    )


def test_a_backend_in_another_namespace_is_refused_before_its_kind_is_read(emu: KubeEmulator) -> None:
    emu.cluster.create(_route([{"group": "example.com", "kind": "Thing", "name": "x", "namespace": "other"}]))
    assert _condition(emu, "ResolvedRefs") == (
        "False",
        "RefNotPermitted",
        'backendRef x/other not accessible to a HTTPRoute in namespace "default" (missing a ReferenceGrant?)',
    )


def test_a_missing_backend_of_weight_zero_is_not_resolved(emu: KubeEmulator) -> None:
    emu.cluster.create(_route([{"name": "phi-4", "port": 80}, {"name": "gone", "port": 80, "weight": 0}]))
    assert _condition(emu, "ResolvedRefs") == ("True", "ResolvedRefs", "All references resolved")


def test_of_two_invalid_backends_the_route_reports_the_last(emu: KubeEmulator) -> None:
    emu.cluster.create(_route([{"name": "gone", "port": 80}], [{**POOL, "name": "no-pool"}]))
    assert _condition(emu, "ResolvedRefs") == ("False", "BackendNotFound", "backend(no-pool) not found")


def test_a_hard_error_outweighs_an_invalid_backend_found_before_it(emu: KubeEmulator) -> None:
    emu.cluster.create(_route([{"name": "gone", "port": 80}], [{"name": "phi-4.default", "port": 80}]))
    assert _condition(emu, "ResolvedRefs") == (
        "False",
        "InvalidDestination",
        "service name invalid; the name of the Service must be used, not the hostname.",
    )


def _written(emu: KubeEmulator, kind: str, ns: str | None, name: str, pick: Callable[[dict[str, Any]], Any]) -> Any:
    found: list[Any] = []

    def done() -> bool:
        obj = emu.cluster.get(API, kind, ns, name) or {}
        found[:] = [pick(obj.get("status") or {})]
        return bool(found[0])

    assert wait_until(done, timeout=5)
    return found[0]


def test_istio_accepts_its_class_with_its_message_and_no_supported_version(emu: KubeEmulator) -> None:
    # The CRD's default status is Accepted Unknown, Pending, until the controller writes its own.
    def accepted(status: dict[str, Any]) -> Any:
        conditions = status.get("conditions") or []
        return conditions if any(c["status"] == "True" for c in conditions) else None

    conditions = _written(emu, "GatewayClass", None, "approuting-istio", accepted)
    assert [(c["type"], c["status"], c["message"]) for c in conditions] == [
        ("Accepted", "True", "Handled by Istio controller")
    ]


def test_a_listener_without_errors_says_so_in_each_condition(emu: KubeEmulator) -> None:
    listeners = _written(emu, "Gateway", "default", "inference-gateway", lambda s: s.get("listeners"))
    assert {(c["type"], c["message"]) for c in listeners[0]["conditions"]} == {
        ("Accepted", "No errors found"),
        ("Programmed", "No errors found"),
        ("ResolvedRefs", "No errors found"),
        ("Conflicted", "No errors found"),
    }


def test_a_listener_naming_an_unsupported_route_kind_says_invalid_route_kinds(emu: KubeEmulator) -> None:
    listener = {"name": "x", "port": 80, "protocol": "HTTP", "allowedRoutes": {"kinds": [{"kind": "TCPRoute"}]}}
    emu.cluster.create(
        {
            "apiVersion": API,
            "kind": "Gateway",
            "metadata": {"name": "kinds", "namespace": "default"},
            "spec": {"gatewayClassName": "approuting-istio", "listeners": [listener]},
        }
    )
    listeners = _written(emu, "Gateway", "default", "kinds", lambda s: s.get("listeners"))
    [refs] = [c for c in listeners[0]["conditions"] if c["type"] == "ResolvedRefs"]
    assert (refs["status"], refs["reason"], refs["message"]) == ("False", "InvalidRouteKinds", "Invalid route kinds")
