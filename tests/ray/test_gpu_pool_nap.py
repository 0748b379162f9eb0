"""`ray cluster create --gpu-pool NAME` where NAME is a NAP (Karpenter) NodePool: the workers select
its nodes by karpenter.sh/nodepool, the label Karpenter gives them (it writes no agentpool label:
akscli.nap.target), and a NodePool with no nodes is judged by its limits, readiness and taints."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.baremetal.nodes import nc_a100_node
from tests.cli import invoke
from tests.conftest import SHARED
from tests.emulators.kube.controllers.karpenter_install import install_nap
from tests.ray.conftest import akscli

RAY = "ray.io/v1"
T4 = "Standard_NC4as_T4_v3"


@pytest.fixture
def nap_ray(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], Any]]:
    """An emulator serving KubeRay's and Karpenter's CRDs, with the KubeRay simulator and a NAP
    cluster (install_nap: the default AKSNodeClass and NodePool, the NAP simulator)."""
    from tests.emulators.kube import KubeEmulator
    from tests.emulators.kube.controllers.kuberay import KubeRayController

    started: list[Any] = []

    def start() -> Any:
        emu = KubeEmulator(crd_dirs=[SHARED / "crds" / "kuberay", SHARED / "crds" / "karpenter"])
        emu.start()
        started.append(emu)
        emu.controllers.add(KubeRayController(delay=0.02))
        emu.nap = install_nap(emu)
        path = emu.write_kubeconfig(tmp_path_factory.mktemp("kube") / "kubeconfig")
        monkeypatch.setenv("KUBECONFIG", str(path))
        return emu

    yield start
    for emu in started:
        emu.stop()


def add_pool(name: str, *flags: str) -> None:
    added = invoke("nodepool", "add", name, "--auto-provision", *(flags or ("--gpu", "t4")), "-y")
    assert added.exit_code == 0, added


def worker_selector(emu: Any) -> dict[str, str]:
    group = emu.cluster.get(RAY, "RayCluster", "default", "demo")["spec"]["workerGroupSpecs"][0]
    return dict(group["template"]["spec"]["nodeSelector"])


def test_a_nodepool_named_as_gpu_pool_is_selected_by_karpenters_label(nap_ray: Callable[[], Any]) -> None:
    emu = nap_ray()
    add_pool("gpu-t4")
    result = akscli("ray cluster create demo --worker-gpu 1 --gpu-pool gpu-t4 --worker-min 0 --worker-max 2")
    assert result.exit_code == 0, result
    assert worker_selector(emu) == {"karpenter.sh/nodepool": "gpu-t4"}
    said = " ".join(result.stderr.split())
    assert (
        "NAP NodePool gpu-t4 has no nodes now; node auto-provisioning makes them for worker group default-group"
    ) in said


def test_a_name_aks_could_give_a_pool_is_a_nodepools_where_no_node_carries_it_as_agentpool(
    nap_ray: Callable[[], Any],
) -> None:
    emu = nap_ray()
    add_pool("gput4", "--vm-size", T4)
    result = akscli("ray cluster create demo --worker-gpu 1 --gpu-pool gput4 --worker-min 0 --worker-max 2")
    assert result.exit_code == 0, result
    assert worker_selector(emu) == {"karpenter.sh/nodepool": "gput4"}
    # The worker is sized from the one size the NodePool allows: the T4's share, not the 4Gi default.
    group = emu.cluster.get(RAY, "RayCluster", "default", "demo")["spec"]["workerGroupSpecs"][0]
    assert group["template"]["spec"]["containers"][0]["resources"]["requests"]["memory"] == "19Gi"


def test_an_aks_pool_with_nodes_keeps_the_agentpool_selector_beside_a_nodepool_of_the_name(
    nap_ray: Callable[[], Any],
) -> None:
    emu = nap_ray()
    emu.cluster.create(nc_a100_node("aks-gpua100-0", pool="gpua100"))
    add_pool("gpua100")
    result = akscli("ray cluster create demo --worker-gpu 1 --gpu-pool gpua100")
    assert result.exit_code == 0, result
    assert worker_selector(emu) == {"kubernetes.azure.com/agentpool": "gpua100"}


def _warnings_of_workers_on_the_t4_pool(*pool_flags: str) -> str:
    """What `ray cluster create` says (stderr, one line) of autoscaled GPU workers on a new NAP
    NodePool gpu-t4 of T4s made with ``pool_flags``."""
    add_pool("gpu-t4", "--gpu", "t4", *pool_flags)
    result = akscli("ray cluster create demo --worker-gpu 1 --gpu-pool gpu-t4 --worker-min 0 --worker-max 2")
    assert result.exit_code == 0, result
    return " ".join(result.stderr.split())


def test_a_nodepool_at_its_gpu_limit_is_said_to_make_no_node(nap_ray: Callable[[], Any]) -> None:
    nap_ray()
    assert (
        "NAP NodePool gpu-t4 has no nodes, and its nvidia.com/gpu limit is reached (0 of 0 in use, a worker asks 1): "
        "worker group default-group stays pending; check it with: akscli nodepool show gpu-t4 --auto-provision"
    ) in _warnings_of_workers_on_the_t4_pool("--max-gpus", "0")


def test_a_nodepool_whose_taint_the_workers_do_not_tolerate_is_said_to_make_no_node(
    nap_ray: Callable[[], Any],
) -> None:
    # upstream: Karpenter skips a NodePool whose taints the pod does not tolerate (scheduler.go
    # Taints.ToleratesPod); the workers tolerate sku=gpu and nvidia.com/gpu only
    nap_ray()
    assert (
        "NAP NodePool gpu-t4 has no nodes, and its nodes are tainted team=ml:NoSchedule, which the workers do not "
        "tolerate: Karpenter makes no node of it for them"
    ) in _warnings_of_workers_on_the_t4_pool("--node-taints", "team=ml:NoSchedule")


def test_a_name_no_nodepool_or_node_has_keeps_the_agentpool_selector_and_its_warning(
    nap_ray: Callable[[], Any],
) -> None:
    emu = nap_ray()
    result = akscli("ray cluster create demo --worker-gpu 1 --gpu-pool gpuzero --worker-min 0 --worker-max 2")
    assert result.exit_code == 0, result
    assert worker_selector(emu) == {"kubernetes.azure.com/agentpool": "gpuzero"}
    assert "node pool gpuzero has no nodes" in result.stderr


def test_the_nodepool_is_read_with_one_get_and_its_nodes_with_one_page_of_one(nap_ray: Callable[[], Any]) -> None:
    emu = nap_ray()
    add_pool("gpu-t4")
    with emu._log_lock:
        emu.request_log.clear()
    result = akscli("ray cluster create demo --worker-gpu 1 --gpu-pool gpu-t4 --worker-min 0 --worker-max 2")
    assert result.exit_code == 0, result
    gets = [r.path for r in emu.requests(method="GET") if "/nodepools" in r.path]
    # One read serves the sizing and the empty-pool warning (akscli.ray.live size_gpu_groups, check_gpu_capacity).
    assert gets == ["/apis/karpenter.sh/v1/nodepools/gpu-t4"]
    nodes = [r.query for r in emu.requests(method="GET") if r.path == "/api/v1/nodes"]
    assert all(q.get("limit") == ["1"] for q in nodes)


def test_a_worker_pending_on_a_nodepool_is_told_to_read_the_nodepool_not_to_scale_a_pool() -> None:
    from akscli import ray

    stuck = {
        "metadata": {"name": "w"},
        "spec": {
            "nodeSelector": {"karpenter.sh/nodepool": "gpu-t4"},
            "containers": [{"name": "ray-worker", "resources": {"limits": {"nvidia.com/gpu": 1}}}],
        },
        "status": {"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False"}]},
    }
    events = {
        "w": [{"reason": "FailedScheduling", "message": "0/3 nodes are available: 3 Insufficient nvidia.com/gpu."}]
    }
    [finding] = ray.diagnose_pods([stuck], events, gpu_nodes=True)
    assert finding.hint == (
        "no node has a free GPU and node auto-provisioning made none: see NodePool gpu-t4's limits and taints "
        "with: akscli nodepool show gpu-t4 --auto-provision"
    )


def test_a_group_added_on_a_nodepool_reads_it_with_one_get(nap_ray: Callable[[], Any]) -> None:
    emu = nap_ray()
    add_pool("gpu-t4")
    assert akscli("ray cluster create demo --worker-replicas 0").exit_code == 0
    with emu._log_lock:
        emu.request_log.clear()
    added = akscli("ray workergroup add demo t4 --worker-gpu 1 --gpu-pool gpu-t4 --replicas 1")
    assert added.exit_code == 0, added
    gets = [r.path for r in emu.requests(method="GET") if "/nodepools" in r.path]
    assert gets == ["/apis/karpenter.sh/v1/nodepools/gpu-t4"]
