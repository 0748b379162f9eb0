"""The lab's MIG manager (controllers/mig_manager.py PolicyMigManager) runs where the GPU
Operator deploys it: only while the ClusterPolicy enables it, and it applies the layout a node was
labelled with before (a starting pod reads the label; NVIDIA/mig-parted main.go AddFunc)."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube.controllers.mig_manager import MIG_CONFIG, MIG_STATE, PolicyMigManager

from .conftest import settle
from .test_gfd_sim_mig import _node, _operator


def _policy_mig_manager(emu: Any, enabled: bool) -> None:
    [policy] = emu.cluster.list("nvidia.com/v1", "ClusterPolicy")
    emu.cluster.patch(
        "nvidia.com/v1",
        "ClusterPolicy",
        None,
        policy["metadata"]["name"],
        {"spec": {"migManager": {"enabled": enabled}}},
    )
    assert emu.idle(10.0)


def _label(emu: Any, layout: str) -> None:
    emu.cluster.patch("v1", "Node", None, "aks-gpu-0", {"metadata": {"labels": {MIG_CONFIG: layout}}})
    assert emu.idle(10.0)


def test_no_layout_is_applied_while_the_cluster_policy_disables_the_mig_manager(kube_emulator: Any) -> None:
    _operator(kube_emulator, "single", split=False)
    kube_emulator.controllers.add(PolicyMigManager())
    _policy_mig_manager(kube_emulator, False)
    _label(kube_emulator, "all-1g.10gb")
    assert MIG_STATE not in _node(kube_emulator)["metadata"]["labels"]


def test_enabling_the_mig_manager_applies_the_layout_the_node_was_labelled_with(kube_emulator: Any) -> None:
    _operator(kube_emulator, "single", split=False)
    kube_emulator.controllers.add(PolicyMigManager())
    _policy_mig_manager(kube_emulator, False)
    _label(kube_emulator, "all-1g.10gb")
    _policy_mig_manager(kube_emulator, True)
    settle(kube_emulator)  # the device plugin and GFD pods go before the layout is applied
    node = _node(kube_emulator)
    assert node["metadata"]["labels"][MIG_STATE] == "success"
    assert node["status"]["capacity"]["nvidia.com/gpu"] == "56"


def test_the_labs_gpu_nodes_show_the_driver_gfd_labels_them_with(kube_emulator: Any) -> None:
    """A MIG change has GFD label a node again: with the lab's nodes labelled as GFD labels them,
    doctor finds one driver in the pool, not a mixed one."""
    from tests.emulators import lab
    from tests.emulators.kube.controllers.nvidia_gfd import version_labels

    lab.add_gpu_nodes(kube_emulator)
    labels = kube_emulator.cluster.get("v1", "Node", None, "gpu-node-0")["metadata"]["labels"]
    wanted = version_labels()
    assert {k: labels.get(k) for k in ("nvidia.com/cuda.driver.major", "nvidia.com/cuda.driver.minor")} == {
        k: wanted[k] for k in ("nvidia.com/cuda.driver.major", "nvidia.com/cuda.driver.minor")
    }
