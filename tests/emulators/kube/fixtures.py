"""Pytest fixtures of the Kubernetes API emulator (loaded by tests/conftest.py).

- ``kube_emulator``: a fresh, started emulator per test: TLS with a throwaway CA and a bearer
  token (so kubectl, which sends credentials only over TLS, works too), every CRD under
  ../shared/crds preloaded, the built-in Deployment/StatefulSet/DaemonSet/Job controllers
  running with 0.05 s delays.
- ``kubeconfig``: a kubeconfig for it (context "emulator", namespace "default"); KUBECONFIG
  and KUBECACHEDIR (kubectl's discovery cache) point into the test's tmp_path.
- ``kube_emulator_factory(**kwargs)``: custom set-ups; kwargs go to KubeEmulator, plus
  ``builtin_controllers`` (default True), ``controller_delay`` (0.05) and
  ``controller_failure`` (None).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.emulators.kube.controllers.builtin import builtin_controllers
from tests.emulators.kube.crds import default_crd_dir
from tests.emulators.kube.emulator import KubeEmulator


@pytest.fixture
def kube_emulator_factory() -> Iterator[Callable[..., KubeEmulator]]:
    made: list[KubeEmulator] = []

    def make(**kwargs: Any) -> KubeEmulator:
        builtin = kwargs.pop("builtin_controllers", True)
        delay = kwargs.pop("controller_delay", 0.05)
        failure = kwargs.pop("controller_failure", None)
        kwargs.setdefault("crd_dirs", [default_crd_dir()])
        kwargs.setdefault("tls", True)
        emu = KubeEmulator(**kwargs).start()
        made.append(emu)
        if builtin:
            for c in builtin_controllers(delay, failure):
                emu.controllers.add(c)
        return emu

    yield make
    for emu in made:
        emu.stop()


@pytest.fixture
def kube_emulator(kube_emulator_factory: Callable[..., KubeEmulator]) -> KubeEmulator:
    return kube_emulator_factory()


@pytest.fixture
def kubeconfig(kube_emulator: KubeEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = kube_emulator.write_kubeconfig(tmp_path / "kubeconfig", context="emulator", namespace="default")
    monkeypatch.setenv("KUBECONFIG", str(path))
    monkeypatch.setenv("KUBECACHEDIR", str(tmp_path / "kube-cache"))
    return path
