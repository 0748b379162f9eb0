"""A pod deleted between a controller's read and its log write has no log: the write is dropped,
not an error, and not a log for a pod of the same name made after it. The kubelet removes a
container's log with the container (kubernetes/kubernetes
pkg/kubelet/kuberuntime/kuberuntime_container.go removeContainer, removeContainerLog);
tests/emulators/kube/cluster.py write_pod_log. The KAITO Workspace controller's ``before_log``
hook lands the delete between its list of the pods and the write."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import Ctx, wait_until
from tests.emulators.kube.controllers.kaito import WorkspaceController
from tests.kube_emulator.test_graceful_deletion import running_pod
from tests.kube_emulator.test_kaito_scheduling import kaito_lab, state, workspace


def remove_now(emu: KubeEmulator, namespace: str, name: str) -> None:
    """The pod gone at once: a force delete (grace period 0), as `kubectl delete --force` sends."""
    emu.api.delete(emu.api.rt("v1", "Pod"), "v1", namespace, name, Ctx(user="system:admin"), grace_period=0)


def test_a_pod_deleted_before_its_log_is_written_gets_no_log(kube_emulator: KubeEmulator) -> None:
    read = kube_emulator.cluster.create(running_pod("p"))
    remove_now(kube_emulator, "default", "p")
    assert kube_emulator.cluster.write_pod_log(read, "started\n") is False
    assert kube_emulator.api.log_lines("default", "p", "main") == []


def test_a_log_written_for_a_replaced_pod_does_not_reach_the_new_one(kube_emulator: KubeEmulator) -> None:
    read = kube_emulator.cluster.create(running_pod("p"))
    remove_now(kube_emulator, "default", "p")
    kube_emulator.cluster.create(running_pod("p"))  # a StatefulSet's pod comes back under its name
    assert kube_emulator.cluster.write_pod_log(read, "old pod\n") is False
    assert kube_emulator.api.log_lines("default", "p", "main") == []


def test_a_live_pods_log_goes_to_its_first_container(kube_emulator: KubeEmulator) -> None:
    read = kube_emulator.cluster.create(running_pod("p"))
    assert kube_emulator.cluster.write_pod_log(read, "started\n") is True
    assert [line for _, line in kube_emulator.api.log_lines("default", "p", "main")] == ["started"]


def test_setting_logs_of_a_pod_never_there_is_still_an_error(kube_emulator: KubeEmulator) -> None:
    with pytest.raises(KeyError, match="not found"):
        kube_emulator.cluster.set_pod_logs("default", "nobody", "text\n")


def test_a_workspace_pod_deleted_before_its_log_is_written_is_no_controller_error(
    kube_emulator: KubeEmulator,
) -> None:
    emu = kaito_lab(kube_emulator)
    controller = next(c for c in emu.controllers.controllers if isinstance(c, WorkspaceController))
    deleted: list[str] = []

    def delete_once(pod: dict[str, Any]) -> None:
        if not deleted:
            md = pod["metadata"]
            deleted.append(md["name"])
            remove_now(emu, md["namespace"], md["name"])

    controller.before_log = delete_once
    emu.cluster.create(workspace())
    assert wait_until(lambda: bool(deleted))
    assert wait_until(lambda: state(emu) == "Ready")  # the StatefulSet makes the pod again
    assert emu.controllers.idle()
    assert emu.controllers.errors == []
