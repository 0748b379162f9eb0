"""The lab's gateway on InferencePools, as Istio behaves (tests/emulators/kube/controllers/
gateway_pools.py; istio/istio 1.29.6 pilot/pkg/config/kube/gateway/inferencepool_collection.go
and conversion.go): each pool's parent status, and a route to a pool with the extension off."""

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
POOL = "inference.networking.k8s.io/v1"
GATEWAY = {"group": "gateway.networking.k8s.io", "kind": "Gateway", "namespace": "default", "name": "inference-gateway"}


def _start(factory: Callable[..., KubeEmulator], inference_extension: bool = True) -> KubeEmulator:
    dirs = [default_crd_dir() / "gateway-api", default_crd_dir() / "gateway-api-inference-extension"]
    emulator = factory(crd_dirs=dirs, tls=False, builtin_controllers=False)
    emulator.controllers.add(GatewayController(delay=0.01, inference_extension=inference_extension))
    install_gateway(emulator)  # approuting-istio (istio.io/gateway-controller), default/inference-gateway
    return emulator


@pytest.fixture
def emu(kube_emulator_factory: Callable[..., KubeEmulator]) -> KubeEmulator:
    return _start(kube_emulator_factory)


def _pool(emu: KubeEmulator, picker: str = "phi-4-epp") -> None:
    emu.cluster.create(
        {
            "apiVersion": POOL,
            "kind": "InferencePool",
            "metadata": {"name": "phi-4", "namespace": "default"},
            "spec": {
                "selector": {"matchLabels": {"app": "phi-4"}},
                "targetPorts": [{"number": 8000}],
                "endpointPickerRef": {"name": picker, "port": {"number": 9002}, "failureMode": "FailOpen"},
            },
        }
    )


def _picker_service(emu: KubeEmulator, name: str = "phi-4-epp") -> None:
    emu.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"selector": {"app": name}, "ports": [{"name": "grpc-ext-proc", "port": 9002}]},
        }
    )


def _route(emu: KubeEmulator, section: str | None = None) -> None:
    parent = {"name": "inference-gateway", "namespace": "default", **({"sectionName": section} if section else {})}
    emu.cluster.create(
        {
            "apiVersion": API,
            "kind": "HTTPRoute",
            "metadata": {"name": "phi-4", "namespace": "default"},
            "spec": {
                "parentRefs": [parent],
                "rules": [
                    {
                        "backendRefs": [
                            {"group": "inference.networking.k8s.io", "kind": "InferencePool", "name": "phi-4"}
                        ]
                    }
                ],
            },
        }
    )


def _pool_conditions(emu: KubeEmulator, want: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """The pool's status once ``want`` holds for it."""
    found: dict[str, Any] = {}

    def written() -> bool:
        found.clear()
        found.update((emu.cluster.get(POOL, "InferencePool", "default", "phi-4") or {}).get("status") or {})
        return want(found)

    assert wait_until(written, timeout=5.0), found
    return found


def _conditions(parent: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {c["type"]: (c["status"], c["reason"]) for c in parent["conditions"]}


def _route_condition(emu: KubeEmulator, kind: str, want: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """The route's condition ``kind`` once ``want`` holds for it."""
    found: dict[str, Any] = {}

    def written() -> bool:
        route = emu.cluster.get(API, "HTTPRoute", "default", "phi-4") or {}
        found.clear()
        for parent in (route.get("status") or {}).get("parents") or []:
            found.update(next((c for c in parent["conditions"] if c["type"] == kind), {}))
        return bool(found) and want(found)

    assert wait_until(written, timeout=5.0), found
    return found


def _route_resolved_refs(emu: KubeEmulator) -> dict[str, Any]:
    """The route's ResolvedRefs, once the gateway has written one."""
    return _route_condition(emu, "ResolvedRefs", lambda c: True)


def test_a_pool_named_by_an_accepted_route_is_accepted_by_its_gateway_with_resolved_refs(emu: KubeEmulator) -> None:
    _picker_service(emu)
    _pool(emu)
    _route(emu)
    status = _pool_conditions(emu, lambda s: bool(s.get("parents")))
    [parent] = status["parents"]
    assert parent["parentRef"] == GATEWAY and "controllerName" not in parent
    assert _conditions(parent) == {"Accepted": ("True", "Accepted"), "ResolvedRefs": ("True", "ResolvedRefs")}


def test_a_pool_whose_picker_service_does_not_exist_has_invalid_extension_ref(emu: KubeEmulator) -> None:
    # conformance/tests/inferencepool_invalid_epp_service.go: ResolvedRefs False.
    _pool(emu)
    _route(emu)
    status = _pool_conditions(emu, lambda s: bool(s.get("parents")))
    refs = next(c for c in status["parents"][0]["conditions"] if c["type"] == "ResolvedRefs")
    assert (refs["status"], refs["reason"]) == ("False", "InvalidExtensionRef")
    assert refs["message"] == "Referenced ExtensionRef not found phi-4-epp"


def test_a_pool_resolves_once_its_picker_service_appears(emu: KubeEmulator) -> None:
    _pool(emu)
    _route(emu)
    _pool_conditions(emu, lambda s: bool(s.get("parents")))
    _picker_service(emu)
    _pool_conditions(emu, lambda s: _conditions(s["parents"][0]).get("ResolvedRefs") == ("True", "ResolvedRefs"))


def test_a_pool_named_by_a_route_its_gateway_does_not_accept_is_not_accepted(emu: KubeEmulator) -> None:
    _picker_service(emu)
    _pool(emu)
    _route(emu, section="https")  # the Gateway has listener "http" only: NoMatchingParent
    status = _pool_conditions(emu, lambda s: bool(s.get("parents")))
    accepted = next(c for c in status["parents"][0]["conditions"] if c["type"] == "Accepted")
    assert (accepted["status"], accepted["reason"]) == ("False", "HTTPRouteNotAccepted")
    assert accepted["message"].startswith("Referenced HTTPRoute default/phi-4 not accepted by Gateway")


def test_a_pool_no_route_names_any_more_loses_its_gateway_parent(emu: KubeEmulator) -> None:
    # conformance/tests/inferencepool_resolvedrefs_condition.go: no parent statuses once unreferenced.
    _picker_service(emu)
    _pool(emu)
    _route(emu)
    _pool_conditions(emu, lambda s: bool(s.get("parents")))
    emu.cluster.delete(API, "HTTPRoute", "default", "phi-4")
    _pool_conditions(emu, lambda s: not s.get("parents"))


def test_with_the_extension_off_a_route_to_a_pool_has_invalid_kind_and_the_pool_no_status(
    kube_emulator_factory: Callable[..., KubeEmulator],
) -> None:
    emu = _start(kube_emulator_factory, inference_extension=False)
    _picker_service(emu)
    _pool(emu)
    _route(emu)
    refs = _route_resolved_refs(emu)
    assert (refs["status"], refs["reason"]) == ("False", "InvalidKind")
    assert "ENABLE_GATEWAY_API_INFERENCE_EXTENSION" in refs["message"]
    assert not ((emu.cluster.get(POOL, "InferencePool", "default", "phi-4") or {}).get("status") or {}).get("parents")


def test_a_route_to_a_pool_that_does_not_exist_is_accepted_with_backend_not_found(emu: KubeEmulator) -> None:
    # kubernetes-sigs/gateway-api-inference-extension v1.6.0 conformance/tests/httproute_invalid_inferencepool_ref.go:
    # Accepted True (Accepted) and ResolvedRefs False (BackendNotFound); the message is Istio's
    # (istio/istio 1.29.6 pilot/pkg/config/kube/gateway/conversion.go buildDestination).
    _route(emu)
    accepted = _route_condition(emu, "Accepted", lambda c: True)
    refs = _route_condition(emu, "ResolvedRefs", lambda c: True)
    assert (accepted["status"], accepted["reason"]) == ("True", "Accepted")
    assert (refs["status"], refs["reason"], refs["message"]) == ("False", "BackendNotFound", "backend(phi-4) not found")


def test_a_route_whose_pool_is_deleted_loses_its_resolved_refs(emu: KubeEmulator) -> None:
    _picker_service(emu)
    _pool(emu)
    _route(emu)
    _route_condition(emu, "ResolvedRefs", lambda c: c["status"] == "True")
    emu.cluster.delete(POOL, "InferencePool", "default", "phi-4")
    refs = _route_condition(emu, "ResolvedRefs", lambda c: c["status"] == "False")
    assert (refs["reason"], refs["message"]) == ("BackendNotFound", "backend(phi-4) not found")
    accepted = _route_condition(emu, "Accepted", lambda c: True)
    assert (accepted["status"], accepted["reason"]) == ("True", "Accepted")
