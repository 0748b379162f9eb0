"""Fixtures of the Ray group: KubeRay CRD schemas and an emulator with the KubeRay simulator."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

import pytest

from tests.cli import Result, invoke
from tests.conftest import SHARED


@cache
def crd_schema(kind: str) -> dict[str, Any]:
    """The ray.io/v1 openAPIV3Schema of ``kind`` from ../shared/crds/kuberay."""
    from tests.emulators.kube.crds import load_crd_dir

    # The emulator's loader caches the parsed CRDs on disk: no 3 MB YAML parse per run.
    crd = next(c for c in load_crd_dir(SHARED / "crds" / "kuberay") if c["spec"]["names"]["kind"] == kind)
    version = next(v for v in crd["spec"]["versions"] if v["name"] == "v1")
    schema: dict[str, Any] = version["schema"]["openAPIV3Schema"]
    return schema


def schema_problems(obj: dict[str, Any]) -> list[str]:
    """Schema errors and fields the API server would prune, as readable lines."""
    import copy

    from tests.emulators.kube import schema

    _, result = schema.process(copy.deepcopy(obj), crd_schema(obj["kind"]))
    return [f"{field}: {message}" for _, field, message in result.errors] + [
        f"unknown field {path}" for path in result.unknown
    ]


@pytest.fixture
def ray_emulator(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., Any]]:
    """``ray_emulator(failure=None, crds=True, operator=True, node=True, **controller_kwargs)``: a
    started emulator with only the KubeRay CRDs (loading every CRD under ../shared would cost seconds
    per test), the KubeRay simulator (none with ``operator=False``) and a system-pool CPU node (none
    with ``node=False``), its kubeconfig in $KUBECONFIG."""
    from tests.emulators.kube import KubeEmulator
    from tests.emulators.kube.controllers.kuberay import KubeRayController

    # Not tmp_path: tests ship tmp_path as a working directory, and the kubeconfig holds a token.
    kube_dir = tmp_path_factory.mktemp("kube")
    started: list[Any] = []
    simulators: list[KubeRayController] = []

    def start(
        failure: str | None = None, crds: bool = True, operator: bool = True, node: bool = True, **kwargs: Any
    ) -> Any:
        from tests.baremetal.nodes import cpu_node

        emu = KubeEmulator(crd_dirs=[SHARED / "crds" / "kuberay"] if crds else [])
        emu.start()
        started.append(emu)
        if node:  # the system pool's node every AKS cluster has: with none, Ray pods stay Pending
            emu.cluster.create(cpu_node("aks-system-0"))
        if operator:
            simulator = KubeRayController(delay=0.02, failure=failure, **kwargs)
            simulators.append(simulator)
            emu.controllers.add(simulator)
        path = emu.write_kubeconfig(kube_dir / f"kubeconfig-{len(started)}")
        monkeypatch.setenv("KUBECONFIG", str(path))
        return emu

    yield start
    for emu in started:
        emu.stop()
    for simulator in simulators:
        assert not simulator.pass_errors, simulator.pass_errors


def akscli(command_line: str, *values: object) -> Result:
    """``akscli`` with the words of ``command_line``, each ``{}`` word replaced by the next of
    ``values`` (paths stay one word whatever they hold)."""
    import shlex

    given = iter(values)
    words = [str(next(given)) if word == "{}" else word for word in shlex.split(command_line)]
    return invoke(*words)


def unready_head(emu: Any, cluster: str, namespace: str = "default") -> None:
    """Mark the head pod of Ray cluster ``cluster`` not Ready (its dashboard does not answer the
    readiness probe): the simulated Ray dashboard behind its head Service goes silent, and the
    API server's proxy answers 503 (tests/emulators/kube/controllers/kuberay/job_api.py)."""
    selector = f"ray.io/cluster={cluster},ray.io/node-type=head"
    for pod in emu.cluster.list("v1", "Pod", namespace, label_selector=selector):
        kept = [c for c in pod["status"].get("conditions") or [] if c.get("type") != "Ready"]
        unready = {"conditions": [*kept, {"type": "Ready", "status": "False", "reason": "ContainersNotReady"}]}
        emu.cluster.patch_status("v1", "Pod", namespace, pod["metadata"]["name"], unready)
