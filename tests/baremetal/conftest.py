"""Shared helpers for the bare-metal tests: where ../shared is, and recorded probe answers."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]


def _shared() -> Path:
    return Path(os.environ.get("AKSCLI_SHARED_DIR") or REPO.parent / "shared")


H100_DIR = _shared() / "data" / "gpu-probe" / "h100-80gb-hbm3-vm"


def h100_record() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((H100_DIR / "nvml.json").read_text())
    return data


def eight_gpu_record(active_links: int = 18) -> dict[str, Any]:
    """The recorded H100 answers turned into an 8-GPU NVLink node (as an ND H100 v5 reports it)."""
    base = h100_record()
    device = base["devices"][0]
    devices = []
    for i in range(8):
        d = copy.deepcopy(device)
        d["index"] = i
        d["uuid"] = f"GPU-00000000-0000-0000-0000-00000000000{i}"
        d["pci_bus_id"] = f"00000000:{0x1A + i:02X}:00.0"
        links: list[dict[str, Any]] = []
        for link in range(36):
            if link < 18:
                links.append(
                    {
                        "link": link,
                        "state": 1 if link < active_links else 0,
                        "version": 4,
                        "remote_pci_bus_id": "00000000:00:00.0",
                    }
                )
            else:
                links.append({"link": link, "state": {"error": "NVMLError_InvalidArgument"}})
        d["nvlink"] = links
        devices.append(d)
    base["devices"] = devices
    base["device_count"] = 8
    return base


def ib_sysfs(hcas: int = 8) -> Any:
    """/sys/class/infiniband of an ND H100 v5 (mlx5_ib<N>, port 1 each, as the kernel's
    drivers/infiniband/core/sysfs.c writes state and link_layer), for sysfs.ListingSysfs."""
    from akscli.baremetal.sysfs import INFINIBAND, ListingSysfs

    devices = [f"mlx5_ib{i}" for i in range(hcas)]
    dirs = {INFINIBAND: devices} | {f"{INFINIBAND}/{d}/ports": ["1"] for d in devices}
    files = {f"{INFINIBAND}/{d}/ports/1/state": "4: ACTIVE" for d in devices} | {
        f"{INFINIBAND}/{d}/ports/1/link_layer": "InfiniBand" for d in devices
    }
    return ListingSysfs(dirs, files)


@pytest.fixture
def h100() -> dict[str, Any]:
    return h100_record()


@pytest.fixture
def kube(kubeconfig: Path) -> Any:
    """akscli's Kube client, connected to the test's emulator."""
    from akscli.kube.client import KubeTarget
    from akscli.kube.connecting import connect

    return connect(KubeTarget(kubeconfig=str(kubeconfig)))


def add_nodes(emu: Any, nodes: list[dict[str, Any]]) -> None:
    for n in nodes:
        emu.cluster.create(n)


def helm_gpu_operator(emu: Any, *, nfd: bool = False) -> None:
    """What ``helm install gpu-operator nvidia/gpu-operator -n gpu-operator --create-namespace
    --set clusterPolicy.deployCR=false`` leaves: the namespace and the operator's Deployment;
    ``nfd``: NFD's worker DaemonSet too (the chart's default, nfd.enabled)."""
    from tests.emulators.kube.controllers.nvidia import NAMESPACE, operator_objects
    from tests.emulators.kube.profiles import install_crds

    crd = emu.cluster.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", None, "clusterpolicies.nvidia.com")
    if crd is None:
        install_crds(emu, "nvidia")
    if emu.cluster.get("v1", "Namespace", None, NAMESPACE) is None:
        emu.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}})
    for obj in operator_objects(nfd=nfd):
        emu.cluster.create(obj)
    assert emu.idle(HELM_WAIT)  # the Deployment's pod exists, as after `helm install --wait`


# How long helm install --wait waits, by default (upstream: helm/helm cmd/helm/flags.go addInstallFlags,
# --timeout 300*time.Second). emu.idle ends as soon as the controllers have nothing due, so this bounds
# CPU time only: NFD's worker DaemonSet on a cluster of 1,100 nodes is 1,000 pods made one by one
# (test_prepare_nfd_bounded.py), 3-5 s on an idle core, and it ran past the 10 s this was at load 18
# with 596-925 of them made (audit37-flake37).
HELM_WAIT = 300.0


# As akscli's templates/baremetal/clusterpolicy.yaml.j2: the operands tolerate AKS's sku=gpu taint
# too, or they would not run on the GPU nodes.
OPERAND_TOLERATIONS = {
    "tolerations": [
        {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"},
        {"key": "sku", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"},
    ]
}


def cluster_policy(
    name: str = "cluster-policy", *, driver: bool | dict[str, Any] = True, daemonsets: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A ClusterPolicy as akscli's templates/baremetal/clusterpolicy.yaml.j2 writes it (``daemonsets``
    replaces its operand tolerations)."""
    return {
        "apiVersion": "nvidia.com/v1",
        "kind": "ClusterPolicy",
        "metadata": {"name": name},
        "spec": {
            "operator": {},
            "daemonsets": copy.deepcopy(OPERAND_TOLERATIONS) if daemonsets is None else daemonsets,
            "driver": driver if isinstance(driver, dict) else {"enabled": driver},
            "toolkit": {"enabled": True},
            "devicePlugin": {"enabled": True},
            "dcgm": {"enabled": False},
            "dcgmExporter": {"enabled": False},
            "gfd": {"enabled": True},
            "nodeStatusExporter": {"enabled": False},
        },
    }


def install_gpu_operator(
    emu: Any, *, failure: str | None = None, driver: bool | dict[str, Any] = True, operator_pod: bool = True
) -> dict[str, Any]:
    """The Helm chart's operator Deployment and a ClusterPolicy with the operator simulator running
    it; waits until it has a state. ``driver`` may be the ClusterPolicy's whole driver spec."""
    from tests.emulators.kube.controllers.nvidia import ClusterPolicyController

    if operator_pod:
        helm_gpu_operator(emu)
    emu.controllers.add(ClusterPolicyController(delay=0.01, failure=failure))
    policy = emu.cluster.create(cluster_policy(driver=driver))
    assert emu.idle(10.0)
    return policy  # type: ignore[no-any-return]


# Two healthy ND H100 GPU nodes under the GPU Operator, and the stuck-MIG sequence: the shared
# setup of test_mig_manager, test_doctor_mig_pending_nodes and test_device_plugin_health.
PLUGIN = "app=nvidia-device-plugin-daemonset"
HOLD = "akscli.test/hold"


def gpu_operator_cluster(emu: Any) -> None:
    """Two healthy GPU nodes (aks-gpu-0, aks-gpu-1) with the GPU Operator running on them."""
    from . import nodes as fx

    add_nodes(emu, fx.healthy_cluster(2))
    install_gpu_operator(emu)


@pytest.fixture
def mig(kube_emulator: Any) -> Any:
    """The MIG manager simulated on :func:`gpu_operator_cluster`."""
    from tests.emulators.kube.controllers.mig_manager import MigManager

    gpu_operator_cluster(kube_emulator)
    manager = kube_emulator.controllers.add(MigManager())
    assert kube_emulator.idle(10.0)
    return manager


def settle(emu: Any) -> None:
    """Idle until no operand pod is left terminating with nothing holding it: the simulated kubelet
    removes a deleted pod after the controllers' pass that deleted it, and the MIG manager goes on
    from that removal."""
    for _ in range(20):
        assert emu.idle(10.0)
        pods = emu.cluster.list("v1", "Pod", namespace="gpu-operator")
        if not any(p["metadata"].get("deletionTimestamp") and not p["metadata"].get("finalizers") for p in pods):
            assert emu.idle(10.0)
            return
    raise AssertionError("operand pods kept terminating")


def hold_plugin_pod(emu: Any, node: str) -> str:
    """Keep the node's device plugin pod from going (a finalizer), so a MIG change waits on it; its name."""
    from .plugin_fixtures import plugin_pod

    pod = str(plugin_pod(emu, node, "gpu-operator", PLUGIN)["metadata"]["name"])
    emu.cluster.patch("v1", "Pod", "gpu-operator", pod, {"metadata": {"finalizers": [HOLD]}})
    return pod


def release_pod(emu: Any, pod: str) -> None:
    emu.cluster.patch("v1", "Pod", "gpu-operator", pod, {"metadata": {"finalizers": None}})


def mig_past_its_wait(emu: Any, mig: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Move the MIG manager past its 5 minutes per GPU client and doctor's clock 6 minutes on: a
    change still waiting on a held pod is then stuck."""
    from datetime import UTC, datetime, timedelta

    from akscli.gpu import mig as gpu_mig

    mig.advance(301)
    assert emu.idle(10.0)
    later = datetime.now(UTC) + timedelta(minutes=6)
    monkeypatch.setattr(gpu_mig, "_now", lambda: later)


def mig_findings(kube: Any) -> list[Any]:
    """baremetal doctor's findings about a MIG layout."""
    from akscli.baremetal import doctor

    return [f for f in doctor.diagnose(kube, doctor.Options()).findings if "MIG layout" in f.message]
