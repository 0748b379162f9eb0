"""A GPU node whose MIG layout the GPU Operator's MIG manager failed to apply, or is applying, as
its labels say (nvidia.com/mig.config.state failed or pending, as NVIDIA/mig-parted bd7160f
pkg/mig/reconfigure/reconfigure.go writes it): both doctors name the node, the layout and the fix
(akscli.gpu.mig). The labels are set here as the MIG manager sets them; the operator's labeller keeps
them (a value already there is kept), and a paused device plugin takes the node's GPUs."""

from __future__ import annotations

import json
from typing import Any

from akscli.baremetal import doctor
from tests.cli import invoke

from . import nodes as fx
from .conftest import add_nodes, install_gpu_operator
from .test_mig_manager import settle

PENDING = {
    "nvidia.com/mig.config": "all-1g.10gb",
    "nvidia.com/mig.config.state": "pending",
    # maybeSetPaused: each GPU client deployed on the node is paused for the change
    "nvidia.com/gpu.deploy.device-plugin": "paused-for-mig-change",
    "nvidia.com/gpu.deploy.gpu-feature-discovery": "paused-for-mig-change",
    "nvidia.com/gpu.deploy.dcgm-exporter": "paused-for-mig-change",
    "nvidia.com/gpu.deploy.dcgm": "paused-for-mig-change",
}
# setState: the paused labels set back to "true", then the state.
FAILED = {"nvidia.com/mig.config": "all-1g.10gb", "nvidia.com/mig.config.state": "failed"}


def mig_findings(emu: Any, kube: Any, labels: dict[str, str]) -> list[doctor.Finding]:
    add_nodes(emu, fx.healthy_cluster(2))
    install_gpu_operator(emu)
    emu.cluster.patch("v1", "Node", None, "aks-gpu-1", {"metadata": {"labels": labels}})
    settle(emu)  # the paused clients' pods gone (the simulated kubelet removes them)
    return [f for f in doctor.diagnose(kube, doctor.Options()).findings if "MIG layout" in f.message]


def test_a_node_whose_mig_layout_failed_is_an_error_that_says_how_to_find_why_and_retry(
    kube_emulator: Any, kube: Any
) -> None:
    [found] = mig_findings(kube_emulator, kube, FAILED)
    assert (found.severity, found.message) == (
        "error",
        "1 GPU node(s) failed to apply their MIG layout (nvidia.com/mig.config.state=failed): "
        "aks-gpu-1 (nvidia.com/mig.config=all-1g.10gb)",
    )
    assert "kubectl -n gpu-operator get pods -l app=nvidia-mig-manager -o wide" in found.fix
    assert "kubectl label node aks-gpu-1 nvidia.com/mig.config=<layout> --overwrite" in found.fix
    assert "to try all-1g.10gb again, delete the node's nvidia-mig-manager pod" in found.fix


def test_a_node_changing_its_mig_layout_is_a_warning_and_its_paused_device_plugin_takes_its_gpus(
    kube_emulator: Any, kube: Any
) -> None:
    [found] = mig_findings(kube_emulator, kube, PENDING)
    assert found.severity == "warning"
    assert found.message.startswith(
        "1 GPU node(s) are changing their MIG layout (nvidia.com/mig.config.state=pending), their GPU clients "
        "paused (nvidia.com/gpu.deploy.*=paused-for-mig-change): aks-gpu-1 (nvidia.com/mig.config=all-1g.10gb); "
        "aks-gpu-1 has been pending, its GPU clients gone: the MIG manager is applying the layout"
    )
    assert "kubectl get pods -A --field-selector spec.nodeName=aks-gpu-1" in found.fix
    node = kube_emulator.cluster.get("v1", "Node", None, "aks-gpu-1")
    assert node["status"]["allocatable"]["nvidia.com/gpu"] == "0"
    assert node["metadata"]["labels"]["nvidia.com/mig.config.state"] == "pending"  # the labeller keeps it


def test_a_node_whose_mig_layout_is_applied_is_not_named(kube_emulator: Any, kube: Any) -> None:
    applied = {"nvidia.com/mig.config": "all-1g.10gb", "nvidia.com/mig.config.state": "success"}
    assert mig_findings(kube_emulator, kube, applied) == []


def test_doctor_gives_a_failed_mig_layout_its_own_check_row(kube_emulator: Any, kubeconfig: Any) -> None:
    add_nodes(kube_emulator, fx.healthy_cluster(2))
    install_gpu_operator(kube_emulator)
    kube_emulator.cluster.patch("v1", "Node", None, "aks-gpu-1", {"metadata": {"labels": FAILED}})
    assert kube_emulator.idle(10.0)
    result = invoke("doctor", "-o", "json")
    [row] = [c for c in json.loads(result.stdout)["checks"] if c["check"] == "mig"]
    assert row["status"] == "not-ready"
    assert row["detail"].startswith("1 GPU node(s) failed to apply their MIG layout")
