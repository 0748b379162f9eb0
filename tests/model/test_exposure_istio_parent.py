"""Whether the Gateway a model's route names is Istio's, for the hint about the Service istiod makes
per pool (akscli.model.exposure._istio_parent): the Gateway's GatewayClass decides
(kubernetes-sigs/gateway-api v1.6.1 apis/v1/gatewayclass_types.go, GatewayClassSpec.ControllerName),
and the controllerName in the route's status only where the class cannot be read."""

from __future__ import annotations

from typing import Any

from akscli.errors import AuthError
from akscli.model.exposure import _istio_parent
from akscli.model.kinds import ISTIO_CONTROLLER

ALB = "alb.networking.azure.io/alb-controller"  # Application Gateway for Containers' controller


class _Kube:
    """A Gateway default/gw of class CLASS; reading the class is forbidden unless CONTROLLER is given."""

    def __init__(self, class_name: str, controller: str | None) -> None:
        self.class_name, self.controller = class_name, controller

    def get(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> dict[str, Any] | None:
        if kind == "Gateway":
            return {"metadata": {"name": name, "namespace": namespace}, "spec": {"gatewayClassName": self.class_name}}
        if self.controller is None:
            raise AuthError(f'gatewayclasses.gateway.networking.k8s.io "{name}" is forbidden')
        return {"metadata": {"name": name}, "spec": {"controllerName": self.controller}}


def _route(status_controller: str) -> dict[str, Any]:
    ref = {"name": "gw"}
    return {
        "metadata": {"name": "phi-4", "namespace": "default"},
        "spec": {"parentRefs": [ref]},
        "status": {"parents": [{"parentRef": ref, "controllerName": status_controller}]},
    }


def test_a_gateway_whose_class_is_not_istios_is_not_istios_whatever_the_status_says() -> None:
    assert not _istio_parent(_Kube("azure-alb-external", ALB), _route(ISTIO_CONTROLLER))


def test_application_routings_class_is_istios_under_any_controller_name() -> None:
    renamed = (
        "example.com/renamed-istiod"  # PILOT_GATEWAY_API_CONTROLLER_NAME (istio/istio pilot/pkg/features/pilot.go)
    )
    assert _istio_parent(_Kube("approuting-istio", renamed), _route(renamed))


def test_a_class_the_user_may_not_read_falls_back_to_the_route_statuss_controller_name() -> None:
    assert _istio_parent(_Kube("istio", None), _route(ISTIO_CONTROLLER))
    assert not _istio_parent(_Kube("istio", None), _route(ALB))
