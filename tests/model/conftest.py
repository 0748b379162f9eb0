"""Fixtures of the model group: an emulator with the serving CRDs and the KAITO simulator."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest

from ._shared import crd_dir

SERVING_CRDS = ("kaito", "keda", "gateway-api", "gateway-api-inference-extension")


@pytest.fixture
def model_emulator(
    kube_emulator_factory: Callable[..., Any], tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., Any]]:
    """``model_emulator(failure=None, crds=SERVING_CRDS, fleet=False)``: a started emulator with
    only the CRD folders named (every CRD would cost seconds per test), the KAITO simulator and
    (with fleet) the fleet hub simulator; its kubeconfig is in $KUBECONFIG."""
    from tests.emulators.kube.controllers import kaito

    kube_dir = tmp_path_factory.mktemp("kube")
    sims: list[Any] = []
    emulators: list[Any] = []

    def start(failure: str | None = None, crds: Sequence[str] = SERVING_CRDS, fleet: bool = False) -> Any:
        folders = [crd_dir() / c for c in (*crds, *(("fleet",) if fleet else ()))]
        emu = kube_emulator_factory(crd_dirs=folders, tls=False, controller_delay=0.02)
        emulators.append(emu)
        for c in kaito.controllers(delay=0.02, failure=failure):
            sims.append(c)
            emu.controllers.add(c)
        if fleet:
            from tests.emulators.kube.controllers.fleet import FleetHubController

            emu.controllers.add(FleetHubController(delay=0.02))
        path = emu.write_kubeconfig(kube_dir / f"kubeconfig-{len(sims)}")
        monkeypatch.setenv("KUBECONFIG", str(path))
        return emu

    yield start
    for emu in emulators:
        assert not emu.controllers.errors, emu.controllers.errors
