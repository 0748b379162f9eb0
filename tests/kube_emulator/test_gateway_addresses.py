"""The lab's Istio deploys a Gateway's Service and writes the Gateway's addresses from its load
balancer, as Istio does (tests/emulators/kube/controllers/gateway_service.py; istio/istio 1.29.6
pilot/pkg/config/kube/gateway/conversion.go reportGatewayStatus, deploymentcontroller.go,
manifests/charts/istio-control/istio-discovery/files/kube-gateway.yaml)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver_common import wait_until
from tests.emulators.kube.controllers.gateway import GatewayController
from tests.emulators.kube.crds import default_crd_dir
from tests.emulators.kube.profiles import install_gateway

API = "gateway.networking.k8s.io/v1"
SERVICE = "inference-gateway-approuting-istio"  # NAME-CLASS (getDefaultName)
HOST = f"{SERVICE}.default.svc.cluster.local"


def _start(factory: Callable[..., KubeEmulator], load_balancer: bool = True) -> KubeEmulator:
    emulator = factory(crd_dirs=[default_crd_dir() / "gateway-api"], tls=False, builtin_controllers=False)
    emulator.controllers.add(GatewayController(delay=0.01, load_balancer=load_balancer))
    return emulator


def _gateway_status(
    emu: KubeEmulator, want: Callable[[dict[str, Any]], bool], name: str = "inference-gateway"
) -> dict[str, Any]:
    found: dict[str, Any] = {}

    def written() -> bool:
        found.clear()
        found.update((emu.cluster.get(API, "Gateway", "default", name) or {}).get("status") or {})
        return want(found)

    assert wait_until(written, timeout=5.0), found
    return found


def _programmed(status: dict[str, Any]) -> dict[str, Any]:
    return next((c for c in status.get("conditions") or [] if c["type"] == "Programmed"), {})


def test_a_gateway_gets_istios_load_balancer_service(kube_emulator_factory: Callable[..., KubeEmulator]) -> None:
    emu = _start(kube_emulator_factory)
    install_gateway(emu)
    _gateway_status(emu, lambda s: bool(s.get("addresses")))
    service = emu.cluster.get("v1", "Service", "default", SERVICE)
    gateway = emu.cluster.get(API, "Gateway", "default", "inference-gateway")
    assert service["spec"]["type"] == "LoadBalancer"
    assert [(p["name"], p["port"], p["appProtocol"]) for p in service["spec"]["ports"]] == [
        ("status-port", 15021, "tcp"),
        ("http", 80, "http"),
    ]
    assert service["spec"]["selector"] == {"gateway.networking.k8s.io/gateway-name": "inference-gateway"}
    assert service["metadata"]["labels"]["gateway.networking.k8s.io/gateway-class-name"] == "approuting-istio"
    assert service["metadata"]["ownerReferences"][0]["uid"] == gateway["metadata"]["uid"]


def test_the_gateways_address_is_its_load_balancers_ip(kube_emulator_factory: Callable[..., KubeEmulator]) -> None:
    emu = _start(kube_emulator_factory)
    install_gateway(emu)
    status = _gateway_status(emu, lambda s: bool(s.get("addresses")))
    ingress = emu.cluster.get("v1", "Service", "default", SERVICE)["status"]["loadBalancer"]["ingress"]
    assert status["addresses"] == [{"type": "IPAddress", "value": ingress[0]["ip"]}]
    programmed = _programmed(status)
    assert (programmed["status"], programmed["reason"]) == ("True", "Programmed")
    assert programmed["message"] == f"Resource programmed, assigned to service(s) {HOST}:80"


def test_a_pending_load_balancer_gives_no_address_and_programmed_false(
    kube_emulator_factory: Callable[..., KubeEmulator],
) -> None:
    emu = _start(kube_emulator_factory, load_balancer=False)
    install_gateway(emu)
    status = _gateway_status(emu, lambda s: _programmed(s).get("status") == "False")
    assert "addresses" not in status
    programmed = _programmed(status)
    assert programmed["reason"] == "AddressNotAssigned"
    assert programmed["message"] == (
        f"Assigned to service(s) {HOST}:80, but failed to assign to all requested addresses: "
        f'address pending for hostname "{HOST}"'
    )


def test_a_cluster_ip_gateway_reports_its_services_hostname(kube_emulator_factory: Callable[..., KubeEmulator]) -> None:
    emu = _start(kube_emulator_factory)
    install_gateway(emu)
    gateway = emu.cluster.get(API, "Gateway", "default", "inference-gateway")
    annotations = {"networking.istio.io/service-type": "ClusterIP", "gateway.istio.io/name-override": "gw"}
    emu.cluster.create(
        {**gateway, "metadata": {"name": "internal", "namespace": "default", "annotations": annotations}, "status": {}}
    )
    status = _gateway_status(emu, lambda s: bool(s.get("addresses")), name="internal")
    assert status["addresses"] == [{"type": "Hostname", "value": "gw.default.svc.cluster.local"}]
    assert emu.cluster.get("v1", "Service", "default", "gw")["spec"]["type"] == "ClusterIP"
