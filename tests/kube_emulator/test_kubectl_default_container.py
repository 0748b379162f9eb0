"""The real kubectl logs, with no -c, on the emulator's pods: the container it reads and the lines it
writes on stderr are the ones akscli's kube.pod_containers.default gives for the same pod (model logs)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from akscli.kube import pod_containers
from tests.emulators.kube import KubeEmulator

pytestmark = [
    pytest.mark.kubectl,
    pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed"),
]


def _pod(emu: KubeEmulator, annotation: str | None) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": "p", "namespace": "default"}
    if annotation is not None:
        metadata["annotations"] = {pod_containers.DEFAULT_CONTAINER_ANNOTATION: annotation}
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": metadata,
        "spec": {
            "nodeName": "n1",
            "initContainers": [{"name": "fetch", "image": "x"}],
            "containers": [{"name": "vllm", "image": "x"}, {"name": "proxy", "image": "x"}],
        },
        "status": {"phase": "Running"},
    }
    emu.cluster.create(pod)
    for container in ("fetch", "vllm", "proxy"):
        emu.cluster.set_pod_logs("default", "p", f"{container} says hi\n", container=container)
    return pod


@pytest.mark.parametrize("annotation", [None, "proxy", "envoy"])
def test_kubectl_logs_reads_and_says_what_pod_containers_default_gives(
    kube_emulator: KubeEmulator, kubeconfig: Path, annotation: str | None
) -> None:
    pod = _pod(kube_emulator, annotation)
    r = subprocess.run(["kubectl", "logs", "p"], capture_output=True, text=True, timeout=30, check=False)
    container, lines = pod_containers.default(pod)
    assert (r.returncode, r.stdout, r.stderr.splitlines()) == (0, f"{container} says hi\n", lines)
