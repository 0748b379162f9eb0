"""`ray cluster create --wait` names a pending pod's scheduling reason in its progress line as
soon as the scheduler has given it (kube/wait.py follows the pods of an object still pending
POD_LOOK_AFTER seconds in), not only in the timeout's error: KubeRay's status says only
RayClusterPodsProvisioning."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from akscli.kube import wait
from tests.baremetal.nodes import small_cpu_node
from tests.ray.conftest import akscli

REASON = "not scheduled: 0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector."


def progress_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("0/1 ready; raycluster.ray.io/demo")]


def test_the_progress_line_names_the_pending_pods_scheduling_reason(
    ray_emulator: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wait, "POD_LOOK_AFTER", 0.0)
    emu = ray_emulator()
    emu.cluster.create(small_cpu_node())  # the head fits here; no node is in pool gpu
    result = akscli("ray cluster create demo --worker-gpu 1 --gpu-pool gpu --worker-replicas 1 --wait --timeout 3s")
    assert result.exit_code == 5, result  # timed out (docs/exit-codes.md)
    with_reason = [line for line in progress_lines(result.stderr) if REASON in line]
    assert with_reason, result.stderr
    assert with_reason[0].startswith("0/1 ready; raycluster.ray.io/demo: ")
    assert " pod demo-" in with_reason[0]


def test_a_wait_shorter_than_the_look_after_reads_no_pods(
    ray_emulator: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wait, "POD_LOOK_AFTER", 60.0)
    emu = ray_emulator()
    emu.cluster.create(small_cpu_node())
    result = akscli("ray cluster create demo --worker-gpu 1 --gpu-pool gpu --worker-replicas 1 --wait --timeout 2s")
    assert result.exit_code == 5, result
    assert not [line for line in progress_lines(result.stderr) if REASON in line]
    assert not [e for e in emu.request_log if e.path.endswith("/pods") and "watch" in e.query]
