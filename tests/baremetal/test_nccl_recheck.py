"""baremetal test nccl: the chosen nodes are read again just before the Job is made, and with
fewer free nodes than pods the pods are still kept off every node passed over."""

from __future__ import annotations

from typing import Any

import pytest

from akscli.baremetal import nccl_nodes, nccl_pick
from tests.cli import invoke

from . import nodes as fx
from .conftest import add_nodes
from .growth import growable
from .test_nccl_free_gpus import _holding, node_names


def _bind_after_pick(monkeypatch: pytest.MonkeyPatch, emu: Any, gpus: int = 8) -> None:
    """A workload pod bound to the first node chosen, once the choice is made and before the Job is."""
    original = nccl_pick.pick

    def pick_then_bind(*args: Any, **kwargs: Any) -> Any:
        pins = original(*args, **kwargs)
        first = (pins.chosen if hasattr(pins, "chosen") else pins[0])[0]
        _holding(emu, "late-0", first, gpus)
        return pins

    monkeypatch.setattr(nccl_pick, "pick", pick_then_bind)


def test_a_pod_bound_to_a_chosen_node_meanwhile_moves_the_test_to_another(
    kube_emulator: Any, kubeconfig: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before: the Job was pinned to aks-gpu-0, whose GPUs were gone; its pod waited for the timeout.
    add_nodes(kube_emulator, [fx.node(f"aks-gpu-{i}") for i in range(3)])
    _bind_after_pick(monkeypatch, kube_emulator)
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", "--dry-run=server")
    assert result.exit_code == 0, result
    assert (
        "warning: pods took the GPUs of 1 chosen node(s) before the test started: aks-gpu-0 (8 of 8 GPUs in use)"
        in result.stderr
    )
    assert node_names(result.stdout) == ["aks-gpu-1", "aks-gpu-2"]


def test_a_chosen_node_filled_meanwhile_with_no_spare_keeps_the_pods_off_it(
    kube_emulator: Any, kubeconfig: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_nodes(kube_emulator, growable(kube_emulator, [fx.node(f"aks-gpu-{i}") for i in range(2)]))
    _bind_after_pick(monkeypatch, kube_emulator)
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", "--dry-run=server")
    assert result.exit_code == 0, result
    assert "1 GPU node(s) can take a test pod and 2 are asked for" in result.stderr
    assert node_names(result.stdout) is None
    assert node_names(result.stdout, "NotIn") == ["aks-gpu-0"]


def test_with_fewer_free_nodes_a_node_not_ready_yet_untainted_is_kept_off(kube_emulator: Any, kubeconfig: Any) -> None:
    # Before: not pinned, and the scheduler, which reads taints, could bind a pod to aks-gpu-0.
    pool = [fx.node("aks-gpu-0", ready=False), fx.node("aks-gpu-1"), fx.node("aks-gpu-2")]
    add_nodes(kube_emulator, growable(kube_emulator, pool))
    _holding(kube_emulator, "train-0", "aks-gpu-1", 8)
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", "--dry-run=server")
    assert result.exit_code == 0, result
    assert node_names(result.stdout, "NotIn") == ["aks-gpu-0", "aks-gpu-1"]


def test_too_many_nodes_passed_over_leave_the_pods_unpinned_and_say_so() -> None:
    nodes = nccl_nodes.SizeNodes(gpu_nodes=nccl_pick.KEEP_OFF_MAX + 1)
    nodes.passed_over = [f"n{i}" for i in range(nccl_pick.KEEP_OFF_MAX + 1)]
    assert nccl_pick.keep_off(nodes) == (
        [],
        f"the pods are not pinned: the {nccl_pick.KEEP_OFF_MAX + 1} GPU node(s) passed over are too many to name",
    )
