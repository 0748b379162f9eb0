"""The lab's nodes (tests/emulators/lab.py add_gpu_nodes, built by tests/baremetal/nodes.py) as the
real kubectl shows them with -o wide: the kubelet's version, the node's addresses, OS image, kernel
and container runtime, as an AKS Ubuntu node reports them in status.nodeInfo, and the table's
columns as the API server prints them (kubernetes/kubernetes pkg/printers/internalversion/
printers.go nodeColumnDefinitions, printNode)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.baremetal.nodes import KUBELET_VERSION
from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.discovery import VERSION_INFO
from tests.emulators.lab import add_gpu_nodes

pytestmark = [
    pytest.mark.kubectl,
    pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed"),
]

WIDE = ["NAME", "STATUS", "ROLES", "AGE", "VERSION", "INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE"]


def _wide(kube_emulator: KubeEmulator) -> list[list[str]]:
    add_gpu_nodes(kube_emulator)
    done = subprocess.run(
        ["kubectl", "get", "nodes", "-o", "wide"], capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode == 0, done.stderr
    # OS-IMAGE holds spaces ("Ubuntu 22.04.5 LTS"): split on the runs of two or more kubectl pads with
    return [[cell.strip() for cell in line.split("  ") if cell.strip()] for line in done.stdout.splitlines()]


def test_get_nodes_wide_shows_the_kubelet_os_kernel_and_runtime(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    header, *rows = _wide(kube_emulator)
    assert header == [*WIDE, "KERNEL-VERSION", "CONTAINER-RUNTIME"]
    gpu = next(row for row in rows if row[0] == "gpu-node-0")
    assert gpu[4:] == [
        KUBELET_VERSION,
        "10.224.0.5",
        "<none>",
        "Ubuntu 22.04.5 LTS",
        "5.15.0-1116-azure",
        "containerd://1.7.33-1",
    ]


def test_the_nodes_kubelet_is_the_api_servers_version(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    _, *rows = _wide(kube_emulator)
    server = str(VERSION_INFO["gitVersion"]).split("-", 1)[0]
    assert server == "v1.32.0"
    assert {row[4] for row in rows} == {server}
