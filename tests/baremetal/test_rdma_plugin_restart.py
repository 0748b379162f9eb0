"""An RDMA resource the kubelet drops five minutes after its plugin stopped, and one a restarted kubelet
keeps at 0 until the plugin registers again, as the emulator reproduces them
(tests/emulators/kube/controllers/rdma_plugin.py; upstream: kubernetes/kubernetes 0022bec3
pkg/kubelet/cm/devicemanager/manager.go GetCapacity stopGracePeriodExpired and readCheckpoint;
Mellanox/k8s-rdma-shared-dev-plugin 410b0f3 pkg/resources/server.go Watch), and what ``baremetal doctor``
says of each: the stopped plugin or the kubelet restart, not a plugin that found no RDMA device."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from akscli.baremetal import doctor
from tests.cli import invoke
from tests.emulators.kube.controllers.device_manager import DeviceManager
from tests.emulators.kube.controllers.rdma_plugin import RdmaSharedDevicePlugin

from . import nodes as fx
from .conftest import add_nodes, helm_gpu_operator
from .plugin_fixtures import crash, plugin_pod

RESOURCE = "rdma/rdma_shared_device_a"
NAMESPACE = "gpu-operator"  # prepare --rdma's namespace for the plugin
NODE = "aks-gpu-0"
PODS = "name=rdma-shared-dp-ds"


@pytest.fixture
def plugin(kube_emulator: Any, kubeconfig: Any) -> RdmaSharedDevicePlugin:
    found = RdmaSharedDevicePlugin(delay=0.0)
    kube_emulator.controllers.add(found)
    kube_emulator.controllers.add(DeviceManager(delay=0.0))  # the kubelet's Starting event as it restarts
    add_nodes(kube_emulator, [fx.node(NODE, rdma_resource=None)])
    helm_gpu_operator(kube_emulator)
    assert invoke("baremetal", "prepare", "--rdma", "--no-cluster-policy", "-y").exit_code == 0
    assert kube_emulator.idle(10.0)
    return found


def _status(emu: Any) -> tuple[str, str]:
    assert emu.idle(10.0)
    status = emu.cluster.get("v1", "Node", None, NODE)["status"]
    return status["capacity"][RESOURCE], status["allocatable"][RESOURCE]


def _stop_plugin(emu: Any) -> None:
    emu.cluster.delete("apps/v1", "DaemonSet", NAMESPACE, "rdma-shared-dp-ds")
    for pod in emu.cluster.list("v1", "Pod", namespace=NAMESPACE, label_selector=PODS):
        emu.cluster.delete("v1", "Pod", NAMESPACE, pod["metadata"]["name"])
    assert emu.idle(10.0)


def _plugin_started(emu: Any, at: str) -> None:
    """The plugin's container started at ``at``: before or after the kubelet restart a test makes (the
    emulator's timestamps have one-second steps)."""
    [pod] = emu.cluster.list("v1", "Pod", namespace=NAMESPACE, label_selector=PODS)
    running = {"running": {"startedAt": at}}
    statuses = [{**cs, "state": running} for cs in pod["status"]["containerStatuses"]]
    emu.cluster.patch_pod_status(pod, {"containerStatuses": statuses})
    assert emu.idle(10.0)


def _restart_kubelet(emu: Any, plugin: RdmaSharedDevicePlugin) -> None:
    [manager] = [c for c in emu.controllers.controllers if isinstance(c, DeviceManager)]
    manager.restart_kubelet(NODE)  # the kubelet's Starting event on the Node
    plugin.restart_kubelet(NODE)


def _finding(kube: Any) -> doctor.Finding:
    [found] = [f for f in doctor.diagnose(kube, doctor.Options()).findings if f.check == "rdma-resource"]
    return found


def _finding_after_the_drop(emu: Any, plugin: RdmaSharedDevicePlugin, kube: Any) -> doctor.Finding:
    """doctor's finding once the grace period of a plugin stopped has run out (capacity 0)."""
    plugin.advance(301)
    assert _status(emu) == ("0", "0")
    return _finding(kube)


def test_a_stopped_plugins_resource_drops_to_capacity_0_after_the_five_minute_grace_period(
    kube_emulator: Any, plugin: RdmaSharedDevicePlugin
) -> None:
    _stop_plugin(kube_emulator)
    plugin.advance(299)
    assert _status(kube_emulator) == ("63", "0")
    plugin.advance(2)
    assert _status(kube_emulator) == ("0", "0")


def test_a_restarted_kubelet_keeps_the_rdma_resource_at_0_until_the_plugin_registers_again(
    kube_emulator: Any, plugin: RdmaSharedDevicePlugin
) -> None:
    _restart_kubelet(kube_emulator, plugin)
    assert _status(kube_emulator) == ("0", "0")
    plugin.plugin_registers(NODE)
    assert _status(kube_emulator) == ("63", "63")


def test_doctor_names_the_crashing_plugin_once_the_kubelet_dropped_its_resource(
    kube_emulator: Any, plugin: RdmaSharedDevicePlugin, kube: Any
) -> None:
    # Before: "rdma/rdma_shared_device_a registered with no device", fix "the plugin found no RDMA device there".
    crash(kube_emulator, plugin_pod(kube_emulator, NODE, NAMESPACE, PODS))
    assert _status(kube_emulator) == ("63", "0")  # the endpoint stopped, before the clock moves on
    finding = _finding_after_the_drop(kube_emulator, plugin, kube)
    assert finding.message.endswith(
        f"; {RESOURCE} registered with no device: daemonset {NAMESPACE}/rdma-shared-dp-ds, the RDMA device "
        "plugin that registered it, stopped (its pod there is CrashLoopBackOff), and the kubelet drops a "
        "stopped plugin's devices after five minutes"
    )
    assert finding.fix.startswith("read why the plugin is not running")


def test_doctor_names_a_kubelet_restart_the_running_plugin_has_not_registered_since(
    kube_emulator: Any, plugin: RdmaSharedDevicePlugin, kube: Any
) -> None:
    # Before: "registered with no device", with the fix about RDMA modules and selectors.
    _plugin_started(kube_emulator, "2026-01-01T00:00:00Z")
    _restart_kubelet(kube_emulator, plugin)
    finding = _finding(kube)
    assert finding.message.endswith(
        f"; {RESOURCE} registered with no device: the kubelet restarted after daemonset "
        f"{NAMESPACE}/rdma-shared-dp-ds's pod started, and keeps every device plugin's resource at 0 until the "
        "plugin registers again"
    )
    assert finding.fix.startswith("the plugin registers again within seconds of a kubelet restart")


def test_doctor_keeps_no_rdma_device_for_a_plugin_that_started_after_the_kubelet(
    kube_emulator: Any, plugin: RdmaSharedDevicePlugin, kube: Any
) -> None:
    _restart_kubelet(kube_emulator, plugin)
    plugin.plugin_registers(NODE)
    _plugin_started(kube_emulator, (datetime.now(UTC) + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ"))
    assert _status(kube_emulator) == ("63", "63")
    # The plugin, started after the kubelet, registered the resource with no device.
    status = kube_emulator.cluster.get("v1", "Node", None, NODE)["status"]
    none = {key: {**status[key], RESOURCE: "0"} for key in ("capacity", "allocatable")}
    kube_emulator.cluster.patch_status("v1", "Node", None, NODE, none)
    finding = _finding(kube)
    assert finding.message.endswith(f"; {RESOURCE} registered with no device")
    assert finding.fix.startswith("the plugin found no RDMA device there")


def test_test_nccl_refusing_a_resource_the_restarted_kubelet_holds_at_0_points_at_doctor(
    kube_emulator: Any, plugin: RdmaSharedDevicePlugin
) -> None:
    # Before, the hint named only missing RDMA modules and the plugin's selectors.
    _restart_kubelet(kube_emulator, plugin)
    result = invoke("baremetal", "test", "nccl", "--nodes", "1", "--dry-run=server")
    assert result.exit_code == 2, result
    assert " ".join(result.stderr.split()).endswith(
        "; a plugin stopped over five minutes ago, or not registered since the kubelet restarted, leaves 0 too "
        "('akscli baremetal doctor' tells which), or pass --rdma-resource none"
    )


def test_doctor_says_no_plugin_names_a_resource_whose_daemonset_was_deleted(
    kube_emulator: Any, plugin: RdmaSharedDevicePlugin, kube: Any
) -> None:
    # Before: "registered with no device", with the fix about RDMA modules and the plugin's selectors.
    _stop_plugin(kube_emulator)
    finding = _finding_after_the_drop(kube_emulator, plugin, kube)
    assert finding.message.endswith(
        f"; {RESOURCE} registered with no device: no RDMA device plugin akscli finds names it, so the one that "
        "registered it is gone (or is one akscli does not recognise), and the kubelet keeps a resource it once "
        "registered at capacity 0"
    )
    assert finding.fix.startswith("deploy the RDMA device plugin again (akscli baremetal prepare --rdma)")


def test_doctor_names_the_daemonset_that_no_longer_places_its_plugin_on_the_node(
    kube_emulator: Any, plugin: RdmaSharedDevicePlugin, kube: Any
) -> None:
    # The plugin's DaemonSet now selects other nodes: it deletes the pod here, which stops the plugin.
    kube_emulator.cluster.patch(
        "apps/v1",
        "DaemonSet",
        NAMESPACE,
        "rdma-shared-dp-ds",
        {"spec": {"template": {"spec": {"nodeSelector": {"rdma": "true"}}}}},
    )
    assert kube_emulator.idle(10.0)
    finding = _finding_after_the_drop(kube_emulator, plugin, kube)
    assert finding.message.endswith(
        f"; {RESOURCE} registered with no device: daemonset {NAMESPACE}/rdma-shared-dp-ds, which names it, places "
        "no pod on the node (its nodeSelector asks for rdma=true, which the node lacks), and the kubelet drops a "
        "plugin's devices five minutes after it stops"
    )
    assert finding.fix.startswith(f"change the plugin's nodeSelector, affinity or tolerations (kubectl -n {NAMESPACE}")
