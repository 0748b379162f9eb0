"""ReferenceGrants in the lab's Istio (tests/emulators/kube/controllers/gateway_grants.py): a route
reaches a backend in another namespace only while a grant there opens it, as the Gateway API's
conformance tests ask (kubernetes-sigs/gateway-api v1.6.1 conformance/tests/
httproute-reference-grant.go, httproute-invalid-reference-grant.go and
httproute-partially-invalid-via-invalid-reference-grant.go, whose objects these tests copy) and
istio/istio 1.29.6 pilot/pkg/config/kube/gateway/references_collection.go BackendAllowed reads them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver_common import wait_until
from tests.emulators.kube.controllers.gateway import GatewayController
from tests.emulators.kube.controllers.gateway_dataplane import Request, _backend
from tests.emulators.kube.crds import default_crd_dir
from tests.emulators.kube.profiles import install_gateway

API = "gateway.networking.k8s.io/v1"
GRANT_API = "gateway.networking.k8s.io/v1beta1"
POOL_API = "inference.networking.k8s.io/v1"
CRD_API = "apiextensions.k8s.io/v1"
REFUSED = 'backendRef web-backend/web not accessible to a HTTPRoute in namespace "default" (missing a ReferenceGrant?)'
GRANTED = ("True", "ResolvedRefs", "All references resolved")
FROM_ROUTES = {"group": "gateway.networking.k8s.io", "kind": "HTTPRoute", "namespace": "default"}
TO_BACKEND = {"group": "", "kind": "Service", "name": "web-backend"}


@pytest.fixture
def emu(kube_emulator_factory: Callable[..., KubeEmulator]) -> KubeEmulator:
    dirs = [default_crd_dir() / "gateway-api", default_crd_dir() / "gateway-api-inference-extension"]
    emulator = kube_emulator_factory(crd_dirs=dirs, tls=False, builtin_controllers=False)
    emulator.controllers.add(GatewayController(delay=0.01))
    install_gateway(emulator)  # default/inference-gateway, one HTTP listener for routes of its namespace
    emulator.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "web"}})
    for name in ("web-backend", "web-backend-v2"):
        emulator.cluster.create(_service(name, "web", 8080))
    return emulator


def _service(name: str, namespace: str, port: int) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"selector": {"app": name}, "ports": [{"port": port}]},
    }


def _grant(namespace: str = "web", name: str = "reference-grant", **entries: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": GRANT_API,
        "kind": "ReferenceGrant",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"from": [entries.get("src", FROM_ROUTES)], "to": [entries.get("dst", TO_BACKEND)]},
    }


def _route(*backends: dict[str, Any]) -> dict[str, Any]:
    refs = backends or ({"name": "web-backend", "namespace": "web", "port": 8080},)
    return {
        "apiVersion": API,
        "kind": "HTTPRoute",
        "metadata": {"name": "reference-grant", "namespace": "default"},
        "spec": {"parentRefs": [{"name": "inference-gateway"}], "rules": [{"backendRefs": list(refs)}]},
    }


def _resolved_refs(emu: KubeEmulator, until: Callable[[tuple[str, ...]], bool] = lambda c: True) -> tuple[str, ...]:
    """The route's ResolvedRefs (status, reason, message) once ``until`` holds for it."""
    found: list[tuple[str, ...]] = []

    def written() -> bool:
        route = emu.cluster.get(API, "HTTPRoute", "default", "reference-grant") or {}
        for parent in (route.get("status") or {}).get("parents") or []:
            for c in parent.get("conditions") or []:
                if c["type"] == "ResolvedRefs":
                    found[:] = [(c["status"], c["reason"], c["message"])]
                    return until(found[0])
        return False

    assert wait_until(written, timeout=5), found
    return found[0]


def test_reference_grant_is_served_beside_the_gateway_apis_routes(emu: KubeEmulator) -> None:
    crd = emu.cluster.get(CRD_API, "CustomResourceDefinition", None, "referencegrants.gateway.networking.k8s.io")
    assert crd is not None
    assert crd["metadata"]["annotations"]["gateway.networking.k8s.io/bundle-version"] == "v1.6.1"
    assert [v["name"] for v in crd["spec"]["versions"]] == ["v1", "v1beta1"]


def test_a_grant_in_the_backends_namespace_lets_the_route_resolve_the_service_there(emu: KubeEmulator) -> None:
    emu.cluster.create(_grant())
    emu.cluster.create(_route())
    assert _resolved_refs(emu) == GRANTED


def test_a_grant_made_after_the_route_resolves_it_then(emu: KubeEmulator) -> None:
    emu.cluster.create(_route())
    assert _resolved_refs(emu) == ("False", "RefNotPermitted", REFUSED)
    emu.cluster.create(_grant())
    assert _resolved_refs(emu, lambda c: c[0] == "True") == GRANTED


def test_deleting_the_grant_revokes_the_reference(emu: KubeEmulator) -> None:
    emu.cluster.create(_grant())
    emu.cluster.create(_route())
    assert _resolved_refs(emu) == GRANTED
    emu.cluster.delete(GRANT_API, "ReferenceGrant", "web", "reference-grant")
    assert _resolved_refs(emu, lambda c: c[0] == "False") == ("False", "RefNotPermitted", REFUSED)


@pytest.mark.parametrize(
    "grant",
    [
        _grant(namespace="default", name="wrong-namespace"),
        _grant(name="wrong-from-group", src={**FROM_ROUTES, "group": "not-the-group-youre-looking-for"}),
        _grant(name="wrong-from-kind", src={**FROM_ROUTES, "kind": "Gateway"}),
        _grant(name="wrong-from-namespace", src={**FROM_ROUTES, "namespace": "not-the-namespace-youre-looking-for"}),
        _grant(name="wrong-to-group", dst={**TO_BACKEND, "group": "not-the-group-youre-looking-for"}),
        _grant(name="wrong-to-kind", dst={**TO_BACKEND, "kind": "Secret"}),
        _grant(name="wrong-to-name", dst={**TO_BACKEND, "name": "not-the-service-youre-looking-for"}),
    ],
    ids=lambda g: g["metadata"]["name"],
)
def test_a_grant_that_differs_in_any_field_allows_nothing(emu: KubeEmulator, grant: dict[str, Any]) -> None:
    emu.cluster.create(grant)
    emu.cluster.create(_route())
    assert _resolved_refs(emu) == ("False", "RefNotPermitted", REFUSED)


def test_a_grant_for_one_service_leaves_its_sibling_refused(emu: KubeEmulator) -> None:
    emu.cluster.create(_grant())
    emu.cluster.create(
        _route(
            {"name": "web-backend-v2", "namespace": "web", "port": 8080},
            {"name": "web-backend", "namespace": "web", "port": 8080},
        )
    )
    message = REFUSED.replace("web-backend/", "web-backend-v2/")
    assert _resolved_refs(emu) == ("False", "RefNotPermitted", message)


def test_a_grant_without_a_name_opens_every_service_of_its_namespace(emu: KubeEmulator) -> None:
    emu.cluster.create(_grant(dst={"group": "", "kind": "Service"}))
    emu.cluster.create(_route({"name": "web-backend-v2", "namespace": "web", "port": 8080}))
    assert _resolved_refs(emu) == GRANTED


def test_a_granted_service_that_does_not_exist_is_not_found_in_its_own_namespace(emu: KubeEmulator) -> None:
    emu.cluster.create(_grant(dst={"group": "", "kind": "Service"}))
    emu.cluster.create(_route({"name": "gone", "namespace": "web", "port": 8080}))
    assert _resolved_refs(emu) == ("False", "BackendNotFound", "backend(gone.web.svc.cluster.local) not found")


def test_a_grant_to_an_inference_pool_lets_the_route_reach_the_pool_there(emu: KubeEmulator) -> None:
    # istio/istio 1.29.6 pilot/pkg/config/kube/gateway/testdata/reference-policy-inferencepool.yaml
    emu.cluster.create(_service("phi-4-epp", "web", 9002))
    emu.cluster.create(
        {
            "apiVersion": POOL_API,
            "kind": "InferencePool",
            "metadata": {"name": "phi-4", "namespace": "web"},
            "spec": {
                "selector": {"matchLabels": {"app": "phi-4"}},
                "targetPorts": [{"number": 8000}],
                "endpointPickerRef": {"name": "phi-4-epp", "port": {"number": 9002}, "failureMode": "FailOpen"},
            },
        }
    )
    pool = {"group": "inference.networking.k8s.io", "kind": "InferencePool", "name": "phi-4", "namespace": "web"}
    emu.cluster.create(_grant(dst={"group": "inference.networking.k8s.io", "kind": "InferencePool", "name": "phi-4"}))
    emu.cluster.create(_route(pool))
    # Istio's shadow Service is made in the pool's namespace, and the route resolves through it.
    assert _resolved_refs(emu, lambda c: c[0] == "True") == GRANTED


def _ready_pod(emu: KubeEmulator) -> None:
    emu.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "web-backend-0", "namespace": "web", "labels": {"app": "web-backend"}},
            "spec": {"containers": [{"name": "web", "image": "web", "ports": [{"containerPort": 8080}]}]},
        }
    )
    emu.cluster.patch_status("v1", "Pod", "web", "web-backend-0", {"conditions": [{"type": "Ready", "status": "True"}]})


def _answer(emu: KubeEmulator) -> tuple[int, bytes]:
    route = _route()
    ref = route["spec"]["rules"][0]["backendRefs"][0]
    request = Request(method="GET", path="/", body=b"", host="gateway")
    status, _, body = _backend(emu.cluster, route, ref, request, lambda ns, pod, port: _pod_answers(ns, pod))
    return status, body


def _pod_answers(namespace: str, pod: dict[str, Any]) -> Callable[[str, str, bytes], tuple[int, dict[str, str], bytes]]:
    name = f"{namespace}/{pod['metadata']['name']}".encode()
    return lambda method, path, body: (200, {}, name)


def test_a_request_reaches_a_granted_backend_and_gets_500_once_the_grant_is_gone(emu: KubeEmulator) -> None:
    _ready_pod(emu)
    emu.cluster.create(_grant())
    assert _answer(emu) == (200, b"web/web-backend-0")
    emu.cluster.delete(GRANT_API, "ReferenceGrant", "web", "reference-grant")
    status, _ = _answer(emu)
    assert status == 500
