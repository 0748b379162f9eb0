"""No simulator writes as the tests' field manager ("emulator-test"): each names the manager its real
binary's writes get, the user agent's text before the first "/" (kubernetes/apiserver
pkg/endpoints/handlers/create.go managerOrUserAgent; kubernetes/client-go rest/config.go
DefaultKubernetesUserAgent), and a controller that names none is refused (cluster.ClusterState._ctx)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from typing import Any

from tests.emulators import autoscaler
from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import Ctx, wait_until
from tests.emulators.kube.cluster import TEST_MANAGER, ClusterState
from tests.emulators.kube.controllers import base
from tests.emulators.kube.controllers.prometheus_server import ScrapeLoop
from tests.kube_emulator.test_controllers import configmap
from tests.kube_emulator.test_karpenter import H100, emu, gpu_app, gpu_pool, running_on  # noqa: F401 (fixture)

# Simulators that write nothing through the API server: Prometheus reads its targets only.
WRITE_NOTHING = {ScrapeLoop}


def _simulators() -> set[type[base.Controller]]:
    import tests.emulators.kube.controllers as package

    found: set[type[base.Controller]] = set()
    names = [m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]
    modules = [autoscaler, *(importlib.import_module(name) for name in names)]
    for module in modules:
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, base.Controller) and not inspect.isabstract(cls) and cls.__module__ == module.__name__:
                found.add(cls)
    return found


def test_every_simulator_names_a_field_manager_of_its_own() -> None:
    simulators = _simulators()
    assert len(simulators) > 30  # the walk found the package's controllers
    unnamed = sorted(c.__name__ for c in simulators - WRITE_NOTHING if c.field_manager in (None, TEST_MANAGER))
    assert unnamed == []


def test_a_controller_that_names_no_field_manager_is_refused(kube_emulator: KubeEmulator) -> None:
    class Unnamed(base.Controller):
        watches = [("v1", "ConfigMap")]  # noqa: RUF012

        def reconcile(self, cluster: ClusterState, obj: dict[str, Any]) -> None:
            cluster.patch("v1", "ConfigMap", "default", obj["metadata"]["name"], {"data": {"seen": "yes"}})

    kube_emulator.controllers.add(Unnamed(delay=0))
    kube_emulator.cluster.create(configmap("a"))
    assert wait_until(lambda: bool(kube_emulator.controllers.errors))
    assert "Unnamed writes with no field_manager" in str(kube_emulator.controllers.errors[0])
    cm = kube_emulator.cluster.get("v1", "ConfigMap", "default", "a") or {}
    assert "seen" not in (cm.get("data") or {})


def test_a_gpu_pod_placed_by_karpenter_is_written_by_no_simulator_as_emulator_test(emu: KubeEmulator) -> None:  # noqa: F811
    writes: list[tuple[str, str]] = []

    def record(typ: str, rt: Any, obj: dict[str, Any], ctx: Ctx) -> None:
        if ctx.origin is not None:
            writes.append((type(ctx.origin).__name__, str(ctx.field_manager)))

    emu.api.listeners.append(record)
    emu.cluster.create(gpu_pool("gpu", [H100]))
    emu.cluster.create(gpu_app("llm", H100))
    node = running_on(emu, "llm")
    emu.idle()
    assert [w for w in writes if w[1] == TEST_MANAGER] == []
    managers = {m for _, m in writes}
    assert {"karpenter", "kube-controller-manager", "kube-scheduler"} <= managers
    claims = emu.cluster.list("karpenter.sh/v1", "NodeClaim")
    assert claims and {m["manager"] for m in claims[0]["metadata"]["managedFields"]} == {"karpenter"}
    written = emu.cluster.get("v1", "Node", None, node) or {}
    assert TEST_MANAGER not in {m["manager"] for m in written["metadata"]["managedFields"]}


def test_the_schedulers_bind_records_no_field_manager_for_the_pods_node(emu: KubeEmulator) -> None:  # noqa: F811
    # BindingREST writes spec.nodeName through the storage layer, so no manager owns it
    # (kubernetes/kubernetes pkg/registry/core/pod/storage/storage.go setPodHostAndAnnotations)
    emu.cluster.create(gpu_pool("gpu", [H100]))
    emu.cluster.create(gpu_app("llm", H100))
    node = running_on(emu, "llm")
    pod = next(p for p in emu.cluster.list("v1", "Pod", "default") if p["spec"].get("nodeName") == node)
    owners = [m["manager"] for m in pod["metadata"]["managedFields"] if "f:nodeName" in str(m.get("fieldsV1"))]
    assert owners == []
