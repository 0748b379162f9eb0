"""The MIG manager simulated (tests/emulators/kube/controllers/mig_manager.py, as NVIDIA/mig-parted
bd7160f pkg/mig/reconfigure/reconfigure.go Run writes nvidia.com/mig.config.state), and what both
doctors say about a change under way and one stuck (akscli.gpu.mig: the manager's last write is its
managedFields time, the step the GPU client pods still on the node)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulators.kube.controllers.mig_manager import MigManager

from .conftest import PLUGIN, hold_plugin_pod, mig_findings, mig_past_its_wait, release_pod, settle
from .plugin_fixtures import plugin_pod

NODE = "aks-gpu-1"


def ask(emu: Any, layout: str) -> None:
    emu.cluster.patch("v1", "Node", None, NODE, {"metadata": {"labels": {"nvidia.com/mig.config": layout}}})
    settle(emu)


def labels(emu: Any) -> dict[str, str]:
    return emu.cluster.get("v1", "Node", None, NODE)["metadata"]["labels"]  # type: ignore[no-any-return]


def test_a_listed_layout_ends_in_success_with_the_device_plugin_back(kube_emulator: Any, mig: MigManager) -> None:
    ask(kube_emulator, "all-1g.10gb")
    assert labels(kube_emulator)["nvidia.com/mig.config.state"] == "success"
    assert labels(kube_emulator)["nvidia.com/gpu.deploy.device-plugin"] == "true"
    assert plugin_pod(kube_emulator, NODE, "gpu-operator", PLUGIN)["spec"]["nodeName"] == NODE
    assert mig.applied[NODE] == "all-1g.10gb"


def test_a_layout_the_config_does_not_list_fails_without_pending(kube_emulator: Any, mig: MigManager) -> None:
    ask(kube_emulator, "all-9g.99gb")
    assert labels(kube_emulator)["nvidia.com/mig.config.state"] == "failed"
    assert labels(kube_emulator)["nvidia.com/gpu.deploy.device-plugin"] == "true"
    assert NODE not in mig.applied


def test_the_manager_writes_as_nvidia_mig_manager(kube_emulator: Any, mig: MigManager) -> None:
    ask(kube_emulator, "all-1g.10gb")
    node = kube_emulator.cluster.get("v1", "Node", None, NODE)
    managers = {(e["manager"], e["operation"]) for e in node["metadata"]["managedFields"]}
    assert ("nvidia-mig-manager", "Update") in managers


def test_a_change_whose_clients_are_gone_is_applying_a_warning(kube_emulator: Any, kube: Any, mig: MigManager) -> None:
    mig.hold.add(NODE)
    ask(kube_emulator, "all-1g.10gb")
    assert labels(kube_emulator)["nvidia.com/mig.config.state"] == "pending"
    [found] = mig_findings(kube)
    assert found.severity == "warning"
    assert found.message.endswith(
        f"; {NODE} has been pending 0 minute(s), its GPU clients gone: the MIG manager is applying the layout "
        "(a MIG mode change resets the GPUs)"
    )
    mig.release(NODE)
    settle(kube_emulator)
    assert labels(kube_emulator)["nvidia.com/mig.config.state"] == "success"
    assert mig_findings(kube) == []


def test_a_device_plugin_pod_that_stays_is_waited_for_then_stuck_after_five_minutes(
    kube_emulator: Any, kube: Any, mig: MigManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    pod = hold_plugin_pod(kube_emulator, NODE)
    ask(kube_emulator, "all-1g.10gb")
    [waiting] = mig_findings(kube)
    assert waiting.severity == "warning"
    assert waiting.message.endswith(
        f"; {NODE} has been pending 0 minute(s): the MIG manager waits for {pod} to go (up to 5 minutes for each "
        "GPU client)"
    )
    mig_past_its_wait(kube_emulator, mig, monkeypatch)
    [stuck] = mig_findings(kube)
    assert stuck.severity == "error"
    assert f"; {NODE} is stuck: pending 6 minute(s) with {pod} still on it" in stuck.message
    assert stuck.fix.startswith(f"find why {pod} stays (kubectl -n gpu-operator describe pod {pod}")
    assert labels(kube_emulator)["nvidia.com/mig.config.state"] == "pending"
    assert labels(kube_emulator)["nvidia.com/gpu.deploy.device-plugin"] == "paused-for-mig-change"
    release_pod(kube_emulator, pod)
