"""ReferenceGrants for what is not a route's backendRef, in the lab's Istio: a Gateway listener's
certificate Secret in another namespace (tests/emulators/kube/controllers/gateway_tls.py) and an
HTTPRoute's request mirror to another namespace (gateway.py _resolved). The objects copy
kubernetes-sigs/gateway-api v1.6.1 conformance/tests/gateway-secret-missing-reference-grant.yaml,
gateway-secret-invalid-reference-grant.yaml, gateway-secret-reference-grant-specific.yaml and
gateway-secret-reference-grant-all-in-namespace.yaml; the statuses and messages are istio/istio 1.29.6
pilot/pkg/config/kube/gateway/conversion.go's (buildListener, buildTLS, createMirrorFilter)."""

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
GRANT_API = "gateway.networking.k8s.io/v1beta1"
FROM_GATEWAYS = {"group": "gateway.networking.k8s.io", "kind": "Gateway", "namespace": "default"}
TO_SECRET = {"group": "", "kind": "Secret", "name": "certificate"}
CERT_REFUSED = (
    "False",
    "RefNotPermitted",
    'certificateRef certificate/web not accessible to a Gateway in namespace "default" (missing a ReferenceGrant?)',
)
MIRROR_REFUSED = (
    'backendRef mirror/web not accessible to a HTTPRoute in namespace "default" (missing a ReferenceGrant?)'
)


@pytest.fixture
def emu(kube_emulator_factory: Callable[..., KubeEmulator]) -> KubeEmulator:
    emulator = kube_emulator_factory(crd_dirs=[default_crd_dir() / "gateway-api"], tls=False, builtin_controllers=False)
    emulator.controllers.add(GatewayController(delay=0.01))
    install_gateway(emulator)  # class approuting-istio; default/inference-gateway, one HTTP listener
    emulator.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "web"}})
    emulator.cluster.create(_secret("certificate", "web"))
    for name in ("backend", "mirror"):
        emulator.cluster.create(_service(name, "default" if name == "backend" else "web"))
    return emulator


def _secret(name: str, namespace: str) -> dict[str, Any]:
    data = {"tls.crt": "Y2VydA==", "tls.key": "a2V5"}
    meta = {"name": name, "namespace": namespace}
    return {"apiVersion": "v1", "kind": "Secret", "metadata": meta, "type": "kubernetes.io/tls", "data": data}


def _service(name: str, namespace: str) -> dict[str, Any]:
    spec = {"selector": {"app": name}, "ports": [{"port": 8080}]}
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": namespace}, "spec": spec}


def _grant(name: str = "reference-grant-specific", namespace: str = "web", **entries: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": GRANT_API,
        "kind": "ReferenceGrant",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"from": [entries.get("src", FROM_GATEWAYS)], "to": [entries.get("dst", TO_SECRET)]},
    }


def _tls_gateway(*refs: dict[str, Any]) -> dict[str, Any]:
    cert = refs or ({"group": "", "kind": "Secret", "name": "certificate", "namespace": "web"},)
    listener = {
        "name": "https",
        "port": 443,
        "protocol": "HTTPS",
        "allowedRoutes": {"namespaces": {"from": "All"}},
        "tls": {"certificateRefs": list(cert)},
    }
    spec = {"gatewayClassName": "approuting-istio", "listeners": [listener]}
    return {"apiVersion": API, "kind": "Gateway", "metadata": {"name": "tls", "namespace": "default"}, "spec": spec}


def _listener(
    emu: KubeEmulator, kind: str, until: Callable[[tuple[str, ...]], bool] = lambda c: True
) -> tuple[str, ...]:
    """The https listener's condition ``kind`` (status, reason, message) once ``until`` holds for it."""
    found: list[tuple[str, ...]] = []

    def written() -> bool:
        gw = emu.cluster.get(API, "Gateway", "default", "tls") or {}
        for lst in (gw.get("status") or {}).get("listeners") or []:
            for c in lst.get("conditions") or []:
                if c["type"] == kind:
                    found[:] = [(c["status"], c["reason"], c["message"])]
                    return until(found[0])
        return False

    assert wait_until(written, timeout=5), found
    return found[0]


def test_a_certificate_in_another_namespace_without_a_grant_is_not_permitted(emu: KubeEmulator) -> None:
    emu.cluster.create(_tls_gateway())
    assert _listener(emu, "ResolvedRefs") == CERT_REFUSED
    assert _listener(emu, "Programmed") == ("False", "Invalid", "Bad TLS configuration")
    gw = emu.cluster.get(API, "Gateway", "default", "tls") or {}
    assert {c["type"]: c["status"] for c in gw["status"]["conditions"]}["Accepted"] == "True"


@pytest.mark.parametrize(
    "grant",
    [
        _grant(name="reference-grant-wrong-namespace", namespace="default"),
        _grant(name="reference-grant-wrong-from-group", src={**FROM_GATEWAYS, "group": "not-the-group"}),
        _grant(name="reference-grant-wrong-from-kind", src={**FROM_GATEWAYS, "kind": "HTTPRoute"}),
        _grant(name="reference-grant-wrong-from-namespace", src={**FROM_GATEWAYS, "namespace": "not-the-namespace"}),
        _grant(name="reference-grant-wrong-to-group", dst={**TO_SECRET, "group": "not-the-group"}),
        _grant(name="reference-grant-wrong-to-kind", dst={**TO_SECRET, "kind": "Service"}),
        _grant(name="reference-grant-wrong-to-name", dst={**TO_SECRET, "name": "not-the-certificate"}),
    ],
    ids=lambda g: g["metadata"]["name"],
)
def test_a_grant_that_differs_in_any_field_leaves_the_certificate_refused(
    emu: KubeEmulator, grant: dict[str, Any]
) -> None:
    emu.cluster.create(grant)
    emu.cluster.create(_tls_gateway())
    assert _listener(emu, "ResolvedRefs") == CERT_REFUSED


@pytest.mark.parametrize("dst", [TO_SECRET, {"group": "", "kind": "Secret"}], ids=["specific", "all-in-namespace"])
def test_a_grant_for_the_secret_or_every_secret_there_programs_the_listener(
    emu: KubeEmulator, dst: dict[str, Any]
) -> None:
    emu.cluster.create(_grant(dst=dst))
    emu.cluster.create(_tls_gateway())
    assert _listener(emu, "ResolvedRefs")[:2] == ("True", "ResolvedRefs")
    assert _listener(emu, "Programmed")[:2] == ("True", "Programmed")


def test_a_grant_made_after_the_gateway_resolves_its_certificate_and_its_removal_revokes_it(emu: KubeEmulator) -> None:
    emu.cluster.create(_tls_gateway())
    assert _listener(emu, "ResolvedRefs") == CERT_REFUSED
    emu.cluster.create(_grant())
    assert _listener(emu, "ResolvedRefs", lambda c: c[0] == "True")[1] == "ResolvedRefs"
    emu.cluster.delete(GRANT_API, "ReferenceGrant", "web", "reference-grant-specific")
    assert _listener(emu, "ResolvedRefs", lambda c: c[0] == "False") == CERT_REFUSED


def test_a_certificate_in_the_gateways_own_namespace_needs_no_grant(emu: KubeEmulator) -> None:
    emu.cluster.create(_secret("own", "default"))
    emu.cluster.create(_tls_gateway({"name": "own"}))
    assert _listener(emu, "ResolvedRefs")[:2] == ("True", "ResolvedRefs")


def test_a_missing_certificate_secret_is_an_invalid_certificate_ref(emu: KubeEmulator) -> None:
    emu.cluster.create(_tls_gateway({"kind": "Secret", "name": "gone"}))
    message = "invalid certificate reference /Secret/gone., secret default/gone not found"
    assert _listener(emu, "ResolvedRefs") == ("False", "InvalidCertificateRef", message)


def _mirror_route(backend: str = "backend") -> dict[str, Any]:
    backend_ref = {"name": backend, "port": 8080}
    mirror = {
        "type": "RequestMirror",
        "requestMirror": {"backendRef": {"name": "mirror", "namespace": "web", "port": 8080}},
    }
    rule = {"filters": [mirror], "backendRefs": [backend_ref]}
    spec = {"parentRefs": [{"name": "inference-gateway"}], "rules": [rule]}
    return {
        "apiVersion": API,
        "kind": "HTTPRoute",
        "metadata": {"name": "mirrored", "namespace": "default"},
        "spec": spec,
    }


def _route_conditions(emu: KubeEmulator) -> dict[str, tuple[str, ...]]:
    found: dict[str, tuple[str, ...]] = {}

    def written() -> bool:
        route = emu.cluster.get(API, "HTTPRoute", "default", "mirrored") or {}
        for parent in (route.get("status") or {}).get("parents") or []:
            found.update({c["type"]: (c["status"], c["reason"], c["message"]) for c in parent.get("conditions") or []})
        return "ResolvedRefs" in found

    assert wait_until(written, timeout=5), found
    return found


def test_a_mirror_to_another_namespace_without_a_grant_is_not_permitted_and_the_route_still_accepted(
    emu: KubeEmulator,
) -> None:
    emu.cluster.create(_mirror_route())
    conditions = _route_conditions(emu)
    assert conditions["ResolvedRefs"] == ("False", "RefNotPermitted", MIRROR_REFUSED)
    assert conditions["Accepted"][:2] == ("True", "Accepted")


def test_a_grant_for_the_mirrors_service_resolves_the_route(emu: KubeEmulator) -> None:
    from_routes = {"group": "gateway.networking.k8s.io", "kind": "HTTPRoute", "namespace": "default"}
    emu.cluster.create(_grant(src=from_routes, dst={"group": "", "kind": "Service", "name": "mirror"}))
    emu.cluster.create(_mirror_route())
    assert _route_conditions(emu)["ResolvedRefs"] == ("True", "ResolvedRefs", "All references resolved")


def test_a_refused_backend_keeps_its_reason_and_the_mirrors_message_follows(emu: KubeEmulator) -> None:
    emu.cluster.create(_mirror_route(backend="gone"))
    message = f"backend(gone.default.svc.cluster.local) not found; {MIRROR_REFUSED}"
    assert _route_conditions(emu)["ResolvedRefs"] == ("False", "BackendNotFound", message)
