"""Fixtures of the model group: an emulator with the serving CRDs and the KAITO simulator; the
built-in GPU SKU table and prices (``builtin_prices``, ``gpu_sku``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest

from akscli.model import skus
from tests.emulators.kube.controllers.hpa import HorizontalPodAutoscalerController
from tests.emulators.kube.profiles import (
    aks_storage_classes,
    install_airunway_providers,
    install_gateway,
    install_kaito_controller,
    install_keda_kaito_scaler,
    install_podmonitor_api,
    keda_operator_pod,
)

# install_airunway_controller, install_crd and install_prometheus are re-exported: tests import them from here.
from tests.emulators.kube.profiles import install_airunway_controller as install_airunway_controller
from tests.emulators.kube.profiles import install_crd as install_crd
from tests.emulators.kube.profiles import install_prometheus as install_prometheus
from tests.emulators.serving import serve_models

from ._shared import crd_dir


class _KedaRegisteringHpa(HorizontalPodAutoscalerController):
    """The HPA controller, which reads KEDA's values from external.metrics.k8s.io (controllers/hpa.py).
    KEDA's chart registers that API (profiles.keda_operator_pod: its metrics apiserver's pod,
    Service and APIService); it is installed the first time a test lets the HPA's 15 s pass, so
    only the tests that autoscale pay for it."""

    def __init__(self, emu: Any) -> None:
        super().__init__(delay=0.02, resync=False)
        self._emu: Any = emu
        self._registered = False

    def sync_period_passes(self) -> None:
        if not self._registered:
            self._registered = True
            # A test that gave KEDA's operator a workload identity installed it already.
            if not self._emu.cluster.list("v1", "Pod", None, "app.kubernetes.io/name=keda-operator"):
                keda_operator_pod(self._emu)
        super().sync_period_passes()


SERVING_CRDS = ("kaito", "keda", "gateway-api", "gateway-api-inference-extension")
AIRUNWAY_CRDS = (*SERVING_CRDS, "airunway")


@pytest.fixture
def model_emulator(
    kube_emulator_factory: Callable[..., Any], tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., Any]]:
    """``model_emulator(failure=None, crds=SERVING_CRDS, fleet=False)``: a started emulator with
    only the CRD folders named (every CRD would cost seconds per test), the KAITO simulator (unless
    simulator=False; with inference_extension, KAITO's gatewayAPIInferenceExtension gate on) and (with fleet) the fleet
    hub simulator; its kubeconfig is in $KUBECONFIG. With ``serving`` (or ``monitoring``: the
    Prometheus Operator and kube-prometheus-stack's Prometheus) the ready model pods answer as the
    lab's do (``emu.serving``, tests.emulators.serving)."""
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
        serving: bool = False,
        inference_extension: bool = False,
        simulator: bool = True,
    ) -> Any:
        folders = [crd_dir() / c for c in (*crds, *(("fleet",) if fleet else ()))]
        emu = kube_emulator_factory(crd_dirs=folders, tls=False, controller_delay=0.02)
        emulators.append(emu)
        aks_storage_classes(emu)  # AKS's Azure Disk CSI classes (vLLM's weights volume: managed-csi-premium)
        if controller and "kaito" in crds:
            install_kaito_controller(emu, inference_extension=inference_extension)
        if "keda" in crds:
            from tests.emulators.kube.controllers.keda import KedaController
            from tests.emulators.kube.controllers.keda_kaito_scaler import KaitoScalerController, KaitoScalerMetrics
            from tests.emulators.kube.incluster import InClusterHttp

            # KEDA reads what the pods report (Serving.figures), scraped over the cluster's HTTP by
            # the Prometheus (monitoring) or by keda-kaito-scaler, as in the lab; both scrape only
            # when a test lets their interval pass (emu.prometheus.interval_passes(),
            # emu.kaito_scaler.poll()), so no value changes behind a test's back.
            install_keda_kaito_scaler(emu)
            http = InClusterHttp(emu)
            emu.kaito_scaler = KaitoScalerMetrics(http)
            emu.keda = KedaController(delay=0.02, http=http, kaito_scaler=emu.kaito_scaler)
            emu.controllers.add(emu.keda)
            # The HPA KEDA makes syncs only when a test lets its 15 s pass (emu.hpa.sync_period_passes()),
            # reading KEDA's values from external.metrics.k8s.io.
            emu.hpa = _KedaRegisteringHpa(emu)
            emu.controllers.add(emu.hpa)
            emu.controllers.add(KaitoScalerController(delay=0.02, metrics=emu.kaito_scaler, poller=False))
        if serving or monitoring:
            emu.serving = serve_models(emu)
        if gateway and "gateway-api" in crds:
            from tests.emulators.kube.controllers.gateway import GatewayController

            install_gateway(emu)
            # The status Istio writes on the Gateway, the routes and the pools (model deploy --wait reads it).
            emu.gateway = GatewayController(delay=0.02)
            emu.controllers.add(emu.gateway)
        if monitoring:
            install_podmonitor_api(emu, scrape_loop=False)
            emu.prometheus = emu.prometheus_servers["monitoring"]
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
            install_airunway_providers(emu)
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


@pytest.fixture
def builtin_prices() -> Iterator[None]:
    """The SKU table with its built-in prices, before the test and again after it (a test may load a
    price file)."""
    skus.load()
    yield
    skus.load()


def gpu_sku(name: str) -> skus.GpuSku:
    """The SKU of that name from the table, which a test expects to be there."""
    sku = skus.get(name)
    assert sku is not None
    return sku
