"""Both doctors give a rollout row, in kubectl rollout status's words, to the device plugin
DaemonSets no operator reconciles (akscli.gpu.plugin.rollout_rules): the RDMA shared device plugin
``baremetal prepare --rdma`` deploys (found by upstream's DaemonSet name, akscli.gpu.rdma_plugins), and an NVIDIA
device plugin installed without the GPU Operator (the static manifest's DaemonSet, through its pod's
controller reference; NVIDIA/k8s-device-plugin deployments/helm/nvidia-device-plugin's, by the
chart's app.kubernetes.io/name=nvidia-device-plugin)."""

from __future__ import annotations

from typing import Any

from akscli.baremetal import doctor
from akscli.doctor import checks as cluster_doctor
from akscli.gpu import plugin as gpu_plugin
from akscli.gpu import stack as gpu_stack
from tests.cli import invoke
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.controllers.rdma_plugin import RdmaSharedDevicePlugin
from tests.ops.fakes import FakeReader

from . import nodes as fx
from .conftest import add_nodes, helm_gpu_operator
from .plugin_fixtures import NAMESPACE, STANDALONE, install_standalone

RDMA_DS = "rdma-shared-dp-ds"


def _stall(emu: Any, namespace: str, name: str) -> None:
    """A template change no node can fit (1000 CPUs): the rollout stops at one pod updated."""
    ds = emu.cluster.get("apps/v1", "DaemonSet", namespace, name)
    ds["spec"]["template"]["spec"]["containers"][0]["resources"] = {"requests": {"cpu": "1000"}}
    emu.cluster.update(ds)

    def status() -> dict[str, Any]:
        return dict(emu.cluster.get("apps/v1", "DaemonSet", namespace, name)["status"])

    assert wait_until(lambda: status().get("observedGeneration") == 2 and status().get("updatedNumberScheduled") == 1)


def _rdma_cluster(emu: Any) -> None:
    """Two RDMA-capable GPU nodes with no rdma/ resource yet, and akscli's RDMA plugin on them."""
    emu.controllers.add(RdmaSharedDevicePlugin(delay=0.0))
    add_nodes(emu, [fx.node(f"aks-gpu-{i}", rdma_resource=None) for i in range(2)])
    helm_gpu_operator(emu)
    result = invoke("baremetal", "prepare", "--rdma", "--no-cluster-policy", "-y")
    assert result.exit_code == 0, result
    assert emu.idle(10.0)


def test_baremetal_doctor_names_the_rdma_plugins_stalled_rollout(
    kube_emulator: Any, kubeconfig: Any, kube: Any
) -> None:
    _rdma_cluster(kube_emulator)
    _stall(kube_emulator, "gpu-operator", RDMA_DS)
    [finding] = [f for f in doctor.diagnose(kube, doctor.Options()).findings if f.check == "rdma-plugin"]
    assert finding.severity == "warning"  # the other node's old pod still serves
    assert finding.message == (
        f'daemonset gpu-operator/{RDMA_DS}: Waiting for daemon set "{RDMA_DS}" rollout to finish: 1 out of 2 new '
        "pods have been updated, 1 of 2 pods available (RDMA shared device plugin, deployed by baremetal prepare "
        "--rdma)"
    )
    assert finding.fix.startswith(f"kubectl rollout status daemonset/{RDMA_DS} -n gpu-operator follows it")


def test_an_rdma_plugin_rolled_out_gives_no_row(kube_emulator: Any, kubeconfig: Any, kube: Any) -> None:
    _rdma_cluster(kube_emulator)
    assert not [f for f in doctor.diagnose(kube, doctor.Options()).findings if f.check == "rdma-plugin"]


def test_a_standalone_nvidia_plugins_stalled_rollout_is_a_not_ready_row_under_doctor(
    kube_emulator: Any, kube: Any
) -> None:
    add_nodes(kube_emulator, fx.healthy_cluster(2))
    install_standalone(kube_emulator)
    _stall(kube_emulator, NAMESPACE, STANDALONE)
    rows = {c.name: c for c in cluster_doctor._gpu_stack(kube)}
    row = rows[f"rollout daemonset/{STANDALONE}"]
    assert (row.status, row.present, row.blocking) == (cluster_doctor.NOT_READY, True, False)
    assert row.detail == (
        f'daemonset {NAMESPACE}/{STANDALONE}: Waiting for daemon set "{STANDALONE}" rollout to finish: 1 out of 3 '
        "new pods have been updated, 2 of 3 pods available (NVIDIA device plugin, installed without the GPU "
        "Operator)"
    )


# ---- what is read, and when (objects shaped as the chart and akscli's template make them) --------


def _chart_daemonset(name: str, updated: int, available: int) -> dict[str, Any]:
    """NVIDIA/k8s-device-plugin deployments/helm/nvidia-device-plugin/templates/daemonset-device-plugin.yml:
    the chart's labels (_helpers.tpl nvidia-device-plugin.labels) on the DaemonSet and its pods."""
    labels = {"app.kubernetes.io/name": "nvidia-device-plugin", "app.kubernetes.io/instance": "nvdp"}
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": name, "namespace": "nvidia-device-plugin", "generation": 2, "labels": labels},
        "spec": {"selector": {"matchLabels": labels}, "updateStrategy": {"type": "RollingUpdate"}},
        "status": {
            "observedGeneration": 2,
            "desiredNumberScheduled": 2,
            "updatedNumberScheduled": updated,
            "numberAvailable": available,
        },
    }


def _chart_pod(daemonset: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": f"{daemonset}-abcde",
            "namespace": "nvidia-device-plugin",
            "labels": {"app.kubernetes.io/name": "nvidia-device-plugin", "app.kubernetes.io/instance": "nvdp"},
            "ownerReferences": [{"kind": "DaemonSet", "name": daemonset, "controller": True}],
        },
        "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]},
    }


def _gpu_nodes(count: int = 2) -> gpu_stack.GpuNodes:
    nodes = gpu_stack.GpuNodes(nodes=count, advertising=count)
    nodes.vendors.add("nvidia")
    return nodes


def test_a_charts_plugin_rollout_is_found_by_the_charts_label_whichever_pod_was_found() -> None:
    reader = FakeReader(
        _chart_pod("nvdp-nvidia-device-plugin-gpu-feature-discovery"),
        _chart_daemonset("nvdp-nvidia-device-plugin", 1, 0),
        _chart_daemonset("nvdp-nvidia-device-plugin-gpu-feature-discovery", 2, 2),
    )
    plugin = reader.get("v1", "Pod", "nvdp-nvidia-device-plugin-gpu-feature-discovery-abcde", "nvidia-device-plugin")
    [rule] = gpu_plugin.rollout_rules(reader, _gpu_nodes(), plugin, gpu_stack.Rule)  # type: ignore[arg-type]
    assert rule.check == "device-plugin"
    assert (rule.severity, rule.subject) == ("error", "rollout daemonset/nvdp-nvidia-device-plugin")  # none available


def test_the_rdma_plugins_are_looked_for_in_one_daemonset_list_only_where_a_gpu_node_is() -> None:
    # Before audit 33: only akscli's own label (app=rdma-shared-dp), and only where a GPU node carried
    # NFD's rdma.capable. Audit 33: two lists (the kustomize name, app=sriovdp), which missed a
    # NicNodePolicy's rdma-shared-dp-ds-<hash> and the sriov-network-operator's unlabelled DaemonSet.
    # Now one list, each DaemonSet judged by what upstream puts on it (rdma_plugins.kind_of).
    queries: list[tuple[str | None, str | None]] = []

    class Recording(FakeReader):
        def list(self, api_version: str, kind: str, **kwargs: Any) -> Any:
            if kind == "DaemonSet":
                queries.append((kwargs.get("field_selector"), kwargs.get("label_selector")))
            return super().list(api_version, kind, **kwargs)

    gpu_plugin.rollout_rules(Recording(), _gpu_nodes(0), None, gpu_stack.Rule)  # type: ignore[arg-type]
    assert queries == []
    gpu_plugin.rollout_rules(Recording(), _gpu_nodes(), None, gpu_stack.Rule)  # type: ignore[arg-type]
    assert queries == [(None, None)]
