"""The Service the lab's Istio makes per InferencePool a Gateway took, and what a route to the pool
resolves to (istio/istio 1.29.6 pilot/pkg/config/kube/gateway/inferencepool_collection.go
InferencePoolServiceName, translateShadowServiceToService, canManageShadowServiceForInference;
conversion.go buildDestination)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver_common import wait_until

from .test_gateway_inferencepool import POOL, _picker_service, _pool, _route, _route_resolved_refs, _start

# InferencePoolServiceName("phi-4"): NAME-ip- and the first 8 hex digits of sha256(NAME).
SHADOW = "phi-4-ip-" + hashlib.sha256(b"phi-4").hexdigest()[:8]


@pytest.fixture
def emu(kube_emulator_factory: Callable[..., KubeEmulator]) -> KubeEmulator:
    return _start(kube_emulator_factory)


def _service(emu: KubeEmulator, name: str) -> dict[str, Any]:
    found: dict[str, Any] = {}

    def made() -> bool:
        found.update(emu.cluster.get("v1", "Service", "default", name) or {})
        return bool(found)

    assert wait_until(made, timeout=5.0)
    return found


def test_a_pool_a_gateway_took_gets_istios_headless_shadow_service_owned_by_the_pool(emu: KubeEmulator) -> None:
    _picker_service(emu)
    _pool(emu)
    _route(emu)
    service = _service(emu, SHADOW)
    pool = emu.cluster.get(POOL, "InferencePool", "default", "phi-4")
    assert service["metadata"]["labels"] == {
        "istio.io/inferencepool-name": "phi-4",
        "istio.io/inferencepool-extension-service": "phi-4-epp",
        "istio.io/inferencepool-extension-port": "9002",
        "istio.io/inferencepool-extension-failure-mode": "FailOpen",
        "internal.istio.io/service-semantics": "inferencepool",
    }
    assert service["metadata"]["ownerReferences"] == [
        {"apiVersion": POOL, "kind": "InferencePool", "name": "phi-4", "uid": pool["metadata"]["uid"]}
    ]
    assert service["spec"]["clusterIP"] == "None" and service["spec"]["selector"] == {"app": "phi-4"}
    assert service["spec"]["ports"] == [{"name": "http-0", "protocol": "TCP", "port": 54321, "targetPort": 8000}]
    assert {f["manager"] for f in service["metadata"]["managedFields"]} == {"istio.io/inference-pool-controller"}


def test_a_long_pool_name_is_cut_so_the_service_name_fits_63_characters() -> None:
    from tests.emulators.kube.controllers.gateway_pools import shadow_name

    name = "m" * 60
    assert shadow_name(name) == "m" * 51 + "-ip-" + hashlib.sha256(name.encode()).hexdigest()[:8]


def test_a_service_of_that_name_that_is_not_istios_is_left_alone_and_the_route_is_an_invalid_destination(
    emu: KubeEmulator,
) -> None:
    _picker_service(emu)
    _picker_service(emu, SHADOW)  # someone else's Service, without istio.io/inferencepool-name
    _pool(emu)
    _route(emu)
    refs = _route_resolved_refs(emu)
    assert (refs["status"], refs["reason"]) == ("False", "InvalidDestination")
    assert refs["message"] == "InferencePool service invalid, extensionRef labels not found"
    assert "labels" not in emu.cluster.get("v1", "Service", "default", SHADOW)["metadata"]


def test_the_route_to_a_pool_resolves_once_istio_made_the_shadow_service(emu: KubeEmulator) -> None:
    _picker_service(emu)
    _pool(emu)
    _route(emu)
    _service(emu, SHADOW)

    def resolved() -> bool:
        return _route_resolved_refs(emu).get("status") == "True"

    assert wait_until(resolved, timeout=5.0)


def test_the_pools_deletion_takes_its_shadow_service_with_it(emu: KubeEmulator) -> None:
    _picker_service(emu)
    _pool(emu)
    _route(emu)
    _service(emu, SHADOW)
    emu.cluster.delete(POOL, "InferencePool", "default", "phi-4")
    assert wait_until(lambda: emu.cluster.get("v1", "Service", "default", SHADOW) is None, timeout=5.0)
