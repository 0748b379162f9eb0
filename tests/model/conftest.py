"""Fixtures of the model group: an emulator with the serving CRDs and the KAITO simulator."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest

from tests.emulators.kube.profiles import install_kaito_controller, install_keda_kaito_scaler, ready_pod

from ._shared import crd_dir

SERVING_CRDS = ("kaito", "keda", "gateway-api", "gateway-api-inference-extension")
AIRUNWAY_CRDS = (*SERVING_CRDS, "airunway")


@pytest.fixture
def model_emulator(
    kube_emulator_factory: Callable[..., Any], tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., Any]]:
    """``model_emulator(failure=None, crds=SERVING_CRDS, fleet=False)``: a started emulator with
    only the CRD folders named (every CRD would cost seconds per test), the KAITO simulator (unless
    simulator=False; with inference_extension, KAITO's gatewayAPIInferenceExtension gate on) and (with fleet) the fleet
    hub simulator; its kubeconfig is in $KUBECONFIG."""
    from tests.emulators.kube.controllers import kaito

    kube_dir = tmp_path_factory.mktemp("kube")
    sims: list[Any] = []
    emulators: list[Any] = []

    def start(
        failure: str | None = None,
        crds: Sequence[str] = SERVING_CRDS,
        fleet: bool = False,
        controller: bool = True,
        gateway: bool = True,
        monitoring: bool = False,
        inference_extension: bool = False,
        simulator: bool = True,
    ) -> Any:
        folders = [crd_dir() / c for c in (*crds, *(("fleet",) if fleet else ()))]
        emu = kube_emulator_factory(crd_dirs=folders, tls=False, controller_delay=0.02)
        emulators.append(emu)
        if controller and "kaito" in crds:
            install_kaito_controller(emu, inference_extension=inference_extension)
        if "keda" in crds:
            from tests.emulators.kube.controllers.keda import KaitoScalerController, KedaController

            install_keda_kaito_scaler(emu)
            emu.keda = KedaController(delay=0.02)
            emu.controllers.add(emu.keda)
            emu.controllers.add(KaitoScalerController(delay=0.02))
        if gateway and "gateway-api" in crds:
            install_gateway(emu)
        if monitoring:
            install_podmonitor_api(emu)
        # simulator=False: no KAITO at all, so a Workspace keeps no status (controller=False only
        # leaves out the controller's pod that akscli looks for).
        for c in (
            kaito.controllers(delay=0.02, failure=failure, inference_extension=inference_extension) if simulator else []
        ):
            sims.append(c)
            emu.controllers.add(c)
        if "airunway" in crds:
            from tests.emulators.kube.controllers.airunway import ModelDeploymentController

            emu.controllers.add(ModelDeploymentController(delay=0.02))
            if controller:
                install_airunway_controller(emu)
        if fleet:
            from tests.emulators.kube.controllers.fleet import FleetHubController

            emu.controllers.add(FleetHubController(delay=0.02))
        path = emu.write_kubeconfig(kube_dir / f"kubeconfig-{len(sims)}")
        monkeypatch.setenv("KUBECONFIG", str(path))
        return emu

    yield start
    for emu in emulators:
        assert not emu.controllers.errors, emu.controllers.errors


def install_gateway(emu: Any, name: str = "inference-gateway", namespace: str = "default") -> None:
    """A GatewayClass and the Gateway --expose attaches to by default."""
    emu.cluster.create(
        {
            "apiVersion": "gateway.networking.k8s.io/v1",
            "kind": "GatewayClass",
            "metadata": {"name": "approuting-istio"},
            "spec": {"controllerName": "istio.io/gateway-controller"},
        }
    )
    emu.cluster.create(
        {
            "apiVersion": "gateway.networking.k8s.io/v1",
            "kind": "Gateway",
            "metadata": {"name": name, "namespace": namespace},
            "spec": {
                "gatewayClassName": "approuting-istio",
                "listeners": [{"name": "http", "port": 80, "protocol": "HTTP"}],
            },
        }
    )


def install_airunway_controller(emu: Any, *args: str) -> None:
    """The AI Runway controller-manager's pod, ready, run with ``args`` (the flags akscli reads
    from it, e.g. ``--gateway-name``, ``--patch-gateway-allowed-routes``); it replaces the one the
    fixture installs (the pod the AI Runway simulator stands for)."""
    emu.cluster.delete("v1", "Pod", "default", "airunway-controller-manager-0")
    labels = {"app.kubernetes.io/name": "airunway", "control-plane": "controller-manager"}
    ready_pod(emu, "default", "airunway-controller-manager-0", labels, image="airunway", args=list(args))


def install_podmonitor_api(emu: Any, group: str = "monitoring.coreos.com") -> None:
    """A cluster that serves PodMonitor; with the Prometheus Operator's group, also a Prometheus as
    kube-prometheus-stack installs it. ../shared/crds has no Prometheus Operator CRD, so these only
    make the APIs exist (any spec is kept); which PodMonitors a Prometheus scrapes is simulated by
    tests/emulators/kube/controllers/prometheus.py."""
    install_crd(emu, group, "PodMonitor")
    if group == "monitoring.coreos.com":
        install_prometheus(emu)


def install_prometheus(
    emu: Any,
    name: str = "kube-prometheus-stack-prometheus",
    namespace: str = "monitoring",
    selector: dict[str, Any] | None = None,
    namespace_selector: dict[str, Any] | None = None,
    default_selector: bool = True,
) -> None:
    """A Prometheus (monitoring.coreos.com/v1). By default kube-prometheus-stack's: it selects
    PodMonitors labelled release=<helm release> in every namespace
    (prometheus-community/helm-charts charts/kube-prometheus-stack templates/prometheus/prometheus.yaml
    with values.yaml podMonitorSelectorNilUsesHelmValues: true, podMonitorNamespaceSelector: {})."""
    install_crd(emu, "monitoring.coreos.com", "Prometheus", plural="prometheuses")
    if emu.cluster.get("v1", "Namespace", None, namespace) is None:
        emu.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
    spec: dict[str, Any] = {}
    if default_selector:
        spec = {
            "podMonitorSelector": {"matchLabels": {"release": "kube-prometheus-stack"}},
            "podMonitorNamespaceSelector": {},
        }
    if selector is not None:
        spec["podMonitorSelector"] = selector
    if namespace_selector is not None:
        spec["podMonitorNamespaceSelector"] = namespace_selector
    emu.cluster.create(
        {
            "apiVersion": "monitoring.coreos.com/v1",
            "kind": "Prometheus",
            "metadata": {"name": name, "namespace": namespace},
            "spec": spec,
        }
    )


def install_crd(emu: Any, group: str, kind: str, plural: str | None = None) -> None:
    plural = plural or f"{kind.lower()}s"
    if emu.cluster.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", None, f"{plural}.{group}") is not None:
        return
    emu.cluster.create(
        {
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": f"{plural}.{group}"},
            "spec": {
                "group": group,
                "scope": "Namespaced",
                "names": {"plural": plural, "singular": kind.lower(), "kind": kind, "listKind": f"{kind}List"},
                "versions": [
                    {
                        "name": "v1",
                        "served": True,
                        "storage": True,
                        "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}},
                    }
                ],
            },
        }
    )
