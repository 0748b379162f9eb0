"""The lab's Gateway API controller (tests/emulators/kube/controllers/gateway.py): the status a
conformant implementation writes (kubernetes-sigs/gateway-api v1.6.1 apis/v1), only for the
GatewayClasses whose controllerName it implements."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver_common import wait_until
from tests.emulators.kube.controllers.gateway import ISTIO, GatewayController
from tests.emulators.kube.crds import default_crd_dir
from tests.emulators.kube.profiles import install_gateway, namespace

API = "gateway.networking.k8s.io/v1"


def _lab(factory: Callable[..., KubeEmulator], supported_version: bool = False) -> KubeEmulator:
    emulator = factory(crd_dirs=[default_crd_dir() / "gateway-api"], tls=False, builtin_controllers=False)
    emulator.controllers.add(GatewayController(delay=0.01, supported_version=supported_version))
    install_gateway(
        emulator
    )  # GatewayClass approuting-istio (istio.io/gateway-controller), Gateway default/inference-gateway
    return emulator


@pytest.fixture
def emu(kube_emulator_factory: Callable[..., KubeEmulator]) -> KubeEmulator:
    return _lab(kube_emulator_factory)


@pytest.fixture
def conformant(kube_emulator_factory: Callable[..., KubeEmulator]) -> KubeEmulator:
    """A controller that sets SupportedVersion, as the Gateway API asks and Istio does not."""
    return _lab(kube_emulator_factory, supported_version=True)


def _route(name: str, ns: str = "default", backend: str = "phi-4", **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": API,
        "kind": "HTTPRoute",
        "metadata": {"name": name, "namespace": ns},
        "spec": {
            "parentRefs": [{"name": "inference-gateway", "namespace": "default"}],
            "rules": [{"backendRefs": [{"name": backend, "port": 80}]}],
            **spec,
        },
    }


def _service(emu: KubeEmulator, name: str = "phi-4", ns: str = "default") -> None:
    emu.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": name, "namespace": ns},
            "spec": {"selector": {"app": name}, "ports": [{"port": 80}]},
        }
    )


def _parent_condition(emu: KubeEmulator, name: str, kind: str, ns: str = "default") -> tuple[str, str] | None:
    found: list[tuple[str, str]] = []

    def written() -> bool:
        route = emu.cluster.get(API, "HTTPRoute", ns, name) or {}
        for parent in (route.get("status") or {}).get("parents") or []:
            for c in parent.get("conditions") or []:
                if c["type"] == kind:
                    found[:] = [(c["status"], c["reason"])]
                    return True
        return False

    wait_until(written, timeout=5)
    return found[0] if found else None


def test_the_gatewayclass_of_the_implemented_controller_is_accepted(emu: KubeEmulator) -> None:
    def accepted() -> bool:
        gc = emu.cluster.get(API, "GatewayClass", None, "approuting-istio") or {}
        return any(
            c["type"] == "Accepted" and c["status"] == "True" and c["reason"] == "Accepted"
            for c in (gc.get("status") or {}).get("conditions") or []
        )

    assert wait_until(accepted, timeout=5)


def test_a_gatewayclass_of_another_controller_is_left_pending(emu: KubeEmulator) -> None:
    emu.cluster.create(
        {
            "apiVersion": API,
            "kind": "GatewayClass",
            "metadata": {"name": "other"},
            "spec": {"controllerName": "example.com/other-controller"},
        }
    )
    emu.cluster.create(_route("poke"))  # a pass over everything, after the class exists
    _parent_condition(emu, "poke", "Accepted")
    gc = emu.cluster.get(API, "GatewayClass", None, "other") or {}
    conditions = (gc.get("status") or {}).get("conditions") or []
    assert [(c["type"], c["status"], c["reason"]) for c in conditions] == [("Accepted", "Unknown", "Pending")]


def test_a_route_to_an_existing_service_is_accepted_with_resolved_refs(emu: KubeEmulator) -> None:
    _service(emu)
    emu.cluster.create(_route("phi-4"))
    assert _parent_condition(emu, "phi-4", "Accepted") == ("True", "Accepted")
    assert _parent_condition(emu, "phi-4", "ResolvedRefs") == ("True", "ResolvedRefs")


def test_a_route_to_a_missing_service_has_backend_not_found(emu: KubeEmulator) -> None:
    emu.cluster.create(_route("phi-4", backend="missing"))
    assert _parent_condition(emu, "phi-4", "ResolvedRefs") == ("False", "BackendNotFound")


def test_a_route_from_another_namespace_is_not_allowed_by_a_same_namespace_listener(emu: KubeEmulator) -> None:
    namespace(emu, "ml")
    _service(emu, ns="ml")
    emu.cluster.create(_route("phi-4", ns="ml"))
    assert _parent_condition(emu, "phi-4", "Accepted", ns="ml") == ("False", "NotAllowedByListeners")


def test_a_route_naming_no_listener_of_the_gateway_has_no_matching_parent(emu: KubeEmulator) -> None:
    _service(emu)
    route = _route("phi-4")
    route["spec"]["parentRefs"][0]["sectionName"] = "https"
    emu.cluster.create(route)
    assert _parent_condition(emu, "phi-4", "Accepted") == ("False", "NoMatchingParent")


def test_the_parent_status_of_another_controller_is_kept(emu: KubeEmulator) -> None:
    _service(emu)
    emu.cluster.create(_route("phi-4"))
    _parent_condition(emu, "phi-4", "Accepted")
    theirs = {
        "parentRef": {"name": "elsewhere"},
        "controllerName": "example.com/other-controller",
        "conditions": [
            {
                "type": "Accepted",
                "status": "True",
                "reason": "Accepted",
                "message": "",
                "lastTransitionTime": "2026-01-01T00:00:00Z",
            }
        ],
    }
    ours = emu.cluster.get(API, "HTTPRoute", "default", "phi-4")["status"]["parents"]  # type: ignore[index]
    emu.cluster.patch_status(API, "HTTPRoute", "default", "phi-4", {"parents": [theirs, *ours]})
    emu.cluster.patch(API, "HTTPRoute", "default", "phi-4", {"spec": {"hostnames": ["phi.example.com"]}})

    def both() -> bool:
        route = emu.cluster.get(API, "HTTPRoute", "default", "phi-4") or {}
        parents = (route.get("status") or {}).get("parents") or []
        generations = {c.get("observedGeneration") for p in parents for c in p["conditions"]}
        return len(parents) == 2 and 2 in generations

    assert wait_until(both, timeout=5)


def test_the_listener_counts_the_routes_attached_to_it(emu: KubeEmulator) -> None:
    _service(emu)
    emu.cluster.create(_route("a"))
    emu.cluster.create(_route("b"))

    def two() -> bool:
        gw = emu.cluster.get(API, "Gateway", "default", "inference-gateway") or {}
        return [lst.get("attachedRoutes") for lst in (gw.get("status") or {}).get("listeners") or []] == [2]

    assert wait_until(two, timeout=5)


def test_a_route_parent_status_names_the_controller_of_its_gateways_class(
    kube_emulator_factory: Callable[..., KubeEmulator],
) -> None:
    """RouteParentStatus.controllerName "corresponds with the controllerName field on GatewayClass"
    (gateway-api v1.6.1 apis/v1/shared_types.go), also for a controller that implements several."""
    emulator = kube_emulator_factory(crd_dirs=[default_crd_dir() / "gateway-api"], tls=False, builtin_controllers=False)
    emulator.controllers.add(GatewayController(implements=("a.example.com/first", ISTIO), delay=0.01))
    install_gateway(emulator)  # class approuting-istio: istio.io/gateway-controller
    _service(emulator)
    emulator.cluster.create(_route("phi-4"))

    def written() -> list[str]:
        route = emulator.cluster.get(API, "HTTPRoute", "default", "phi-4") or {}
        return [p["controllerName"] for p in (route.get("status") or {}).get("parents") or []]

    assert wait_until(written, timeout=5)
    assert written() == [ISTIO]


def _listener_with_kinds(emu: KubeEmulator, name: str, kinds: list[dict[str, str]]) -> dict[str, Any]:
    """The status of the one listener of Gateway NAME, whose allowedRoutes.kinds is ``kinds``
    (gateway-api v1.6.1 conformance/tests/gateway-invalid-route-kind.yaml)."""
    listener = {"name": "http", "port": 80, "protocol": "HTTP", "allowedRoutes": {"kinds": kinds}}
    emu.cluster.create(
        {
            "apiVersion": API,
            "kind": "Gateway",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"gatewayClassName": "approuting-istio", "listeners": [listener]},
        }
    )
    found: list[dict[str, Any]] = []

    def written() -> bool:
        gw = emu.cluster.get(API, "Gateway", "default", name) or {}
        found[:] = (gw.get("status") or {}).get("listeners") or []
        return bool(found)

    assert wait_until(written, timeout=5)
    return found[0]


def _resolved_refs(listener: dict[str, Any]) -> tuple[str, str]:
    [cond] = [c for c in listener["conditions"] if c["type"] == "ResolvedRefs"]
    return cond["status"], cond["reason"]


def test_a_listener_allowing_only_an_unsupported_route_kind_has_invalid_route_kinds(emu: KubeEmulator) -> None:
    # gateway_types.go ListenerStatus.SupportedKinds: unsupported kinds MUST NOT appear, and
    # ResolvedRefs MUST be False with reason InvalidRouteKinds (conformance GatewayInvalidRouteKind).
    listener = _listener_with_kinds(emu, "only-invalid", [{"kind": "InvalidRoute"}])
    assert _resolved_refs(listener) == ("False", "InvalidRouteKinds")
    assert listener["supportedKinds"] == []


def test_a_listener_allowing_a_supported_and_an_unsupported_kind_lists_the_supported_one(emu: KubeEmulator) -> None:
    listener = _listener_with_kinds(emu, "mixed", [{"kind": "InvalidRoute"}, {"kind": "HTTPRoute"}])
    assert _resolved_refs(listener) == ("False", "InvalidRouteKinds")
    assert listener["supportedKinds"] == [{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute"}]


def _class_condition(emu: KubeEmulator, kind: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = []

    def written() -> bool:
        gc = emu.cluster.get(API, "GatewayClass", None, "approuting-istio") or {}
        found[:] = [c for c in (gc.get("status") or {}).get("conditions") or [] if c["type"] == kind]
        return bool(found)

    assert wait_until(written, timeout=5)
    return found[0]


def test_an_accepted_gatewayclass_says_the_installed_crd_bundle_version_is_supported(conformant: KubeEmulator) -> None:
    emu = conformant
    # gatewayclass_types.go: SupportedVersion "MUST be set by a controller when it marks a
    # GatewayClass Accepted"; ../shared's CRDs are bundle v1.6.1, the one the simulator follows.
    condition = _class_condition(emu, "SupportedVersion")
    assert (condition["status"], condition["reason"]) == ("True", "SupportedVersion")


def test_a_crd_of_another_bundle_version_makes_supported_version_false(conformant: KubeEmulator) -> None:
    emu = conformant
    crd = "httproutes.gateway.networking.k8s.io"
    bundle = {"metadata": {"annotations": {"gateway.networking.k8s.io/bundle-version": "v1.2.0"}}}
    emu.cluster.patch("apiextensions.k8s.io/v1", "CustomResourceDefinition", None, crd, bundle)
    emu.cluster.create(_route("poke"))  # a pass over everything, after the CRD changed
    _parent_condition(emu, "poke", "Accepted")
    condition = _class_condition(emu, "SupportedVersion")
    assert (condition["status"], condition["reason"]) == ("False", "UnsupportedVersion")
    assert condition["message"] == "Gateway API CRD bundle versions found: v1.2.0, v1.6.1; supported: v1.6.1"
    assert _class_condition(emu, "Accepted")["status"] == "True"  # "best effort" support
