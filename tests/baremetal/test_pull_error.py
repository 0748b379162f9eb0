"""baremetal's probe and NCCL pods tell an image that cannot be pulled through
akscli.kube.pod_problems, with every pull reason the kubelet has (upstream: kubernetes/kubernetes
v1.32.0 pkg/kubelet/images/types.go)."""

from __future__ import annotations

from typing import Any

import pytest

from akscli.baremetal import pods


def _pod(reason: str, init: bool = False) -> dict[str, Any]:
    statuses = [{"name": "probe", "state": {"waiting": {"reason": reason, "message": "m"}}}]
    key = "initContainerStatuses" if init else "containerStatuses"
    return {"metadata": {"name": "p"}, "status": {"phase": "Pending", key: statuses}}


@pytest.mark.parametrize("reason", ["ErrImageNeverPull", "ImageInspectError"])
def test_every_kubelet_pull_reason_is_a_pull_error(reason: str) -> None:
    assert pods.pull_error(_pod(reason)) == reason


def test_an_init_containers_pull_failure_is_a_pull_error() -> None:
    assert pods.pull_error(_pod("ImagePullBackOff", init=True)) == "ImagePullBackOff"


@pytest.mark.parametrize("reason", ["ContainerCreating", "CrashLoopBackOff"])
def test_other_waiting_reasons_are_no_pull_error(reason: str) -> None:
    assert pods.pull_error(_pod(reason)) is None
