"""``baremetal doctor`` reads every node's kubelet start in one paged list of Events, narrowed on the
server to the kubelet's Starting events on Nodes (upstream: kubernetes/kubernetes a2b9bc4e
pkg/apis/core/v1/conversion.go AddFieldLabelConversionsForEvent: involvedObject.kind, reason and source
are selectable), so a restart is judged on every node whose RDMA resource is at 0, not on the first 20
with one list each. Requests are counted in the emulator's log, never timed."""

from __future__ import annotations

from typing import Any

import pytest

from akscli.baremetal import doctor
from akscli.gpu import plugin as gpu_plugin
from tests.cli import invoke
from tests.emulators.kube.controllers.device_manager import DeviceManager
from tests.emulators.kube.controllers.rdma_plugin import RdmaSharedDevicePlugin

from . import nodes as fx
from .conftest import add_nodes, helm_gpu_operator

NAMESPACE = "gpu-operator"
PODS = "name=rdma-shared-dp-ds"
NODES = [f"aks-gpu-{i}" for i in range(25)]  # more than the 20 nodes doctor judged before


@pytest.fixture
def restarted(kube_emulator: Any, kubeconfig: Any) -> Any:
    """25 RDMA nodes whose plugin pods started before the kubelet restarted on each, and another
    node's kube-proxy Starting event (not the kubelet's)."""
    plugin = RdmaSharedDevicePlugin(delay=0.0)
    manager = DeviceManager(delay=0.0)
    kube_emulator.controllers.add(plugin)
    kube_emulator.controllers.add(manager)
    add_nodes(kube_emulator, [fx.node(name, rdma_resource=None) for name in NODES])
    helm_gpu_operator(kube_emulator)
    assert invoke("baremetal", "prepare", "--rdma", "--no-cluster-policy", "-y").exit_code == 0
    assert kube_emulator.idle(30.0)
    for pod in kube_emulator.cluster.list("v1", "Pod", namespace=NAMESPACE, label_selector=PODS):
        running = {"running": {"startedAt": "2026-01-01T00:00:00Z"}}
        statuses = [{**cs, "state": running} for cs in pod["status"]["containerStatuses"]]
        kube_emulator.cluster.patch_pod_status(pod, {"containerStatuses": statuses})
    for name in NODES:
        manager.restart_kubelet(name)
        plugin.restart_kubelet(name)
    assert kube_emulator.idle(30.0)
    return kube_emulator


def _event_lists(emu: Any) -> list[Any]:
    return [r for r in emu.requests(method="GET", path="/api/v1/namespaces/default/events") if r.verb == "list"]


def test_doctor_names_the_kubelet_restart_on_every_node_past_the_old_twenty(restarted: Any, kube: Any) -> None:
    # Before: the first 20 nodes got "the kubelet restarted ...", the other 5 "registered with no device".
    [finding] = [f for f in doctor.diagnose(kube, doctor.Options()).findings if f.check == "rdma-resource"]
    assert "the kubelet restarted after daemonset" in finding.message
    assert finding.count == len(NODES)


def test_doctor_reads_the_kubelet_starts_of_all_nodes_in_one_request(restarted: Any, kube: Any) -> None:
    # Before: one Event list per node (20 requests), each of every event about that node.
    restarted.request_log.clear()
    doctor.diagnose(kube, doctor.Options())
    # The GPU check names the first node whose nvidia.com/gpu is at 0: its own one-node list.
    lists = [r.query["fieldSelector"] for r in _event_lists(restarted)]
    assert lists == [
        ["involvedObject.kind=Node,reason=Starting,source=kubelet"],
        ["involvedObject.name=aks-gpu-0,involvedObject.kind=Node,reason=Starting,source=kubelet"],
    ]


def test_the_kubelet_starts_list_follows_every_page(restarted: Any, kube: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gpu_plugin, "EVENT_PAGE", 10)
    restarted.request_log.clear()
    starts = gpu_plugin.kubelet_starts(kube)
    assert sorted(starts) == sorted(NODES)
    pages = _event_lists(restarted)
    assert [r.query["limit"] for r in pages] == [["10"]] * 3
    assert ["continue" in r.query for r in pages] == [False, True, True]


def test_kube_proxys_starting_event_on_a_node_is_not_a_kubelet_start(restarted: Any, kube: Any) -> None:
    # kubernetes/kubernetes cmd/kube-proxy/app/server.go birthCry: kube-proxy records its own "Starting"
    # Event on its Node (read through find_string; commit not known).
    ref = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "aks-cpu-0", "uid": "aks-cpu-0"}}
    restarted.cluster.add_event(ref, "Starting", "", component="kube-proxy")
    assert "aks-cpu-0" not in gpu_plugin.kubelet_starts(kube)
