"""The NVIDIA driver the nodes a vLLM deploy's pods are pinned to really run, and the vLLM image it
can start (akscli model deploy, runtime vllm and AI Runway's vllm and llmd providers).

AKS labels no node with its driver (Azure/AgentBaker 06836ee2 parts/linux/cloud-init/artifacts/
cse_config.sh: the only GPU label its kubelet gets is kubernetes.azure.com/dcgm-exporter=enabled, on
managed GPU nodes). NVIDIA's GPU feature discovery does, wherever it runs (the GPU Operator, the
device plugin chart with gfd.enabled): NVIDIA/k8s-device-plugin 1b826acc internal/lm/nvml.go
newVersionLabeler writes the driver NVML reports as ``nvidia.com/cuda.driver-version.major``,
``.minor``, ``.revision`` and ``.full`` (``580.159.04``), and the same three parts under the
deprecated ``nvidia.com/cuda.driver.major``, ``.minor``, ``.rev``.

The rule: a CUDA 13.x build needs driver 580 or later, a CUDA 12.x one 525 or later (NVIDIA, CUDA
Compatibility, docs.nvidia.com/deploy/cuda-compatibility/minor-version-compatibility.html, Table 1).
vllm/vllm-openai's vX.Y.Z tag is CUDA 13 from v0.20.0 and its vX.Y.Z-cu129 tag CUDA 12.9
(akscli.model.vllm_versions CUDA13_FROM). The nodes are those the deploy's fit check already read
(akscli.model.cluster_room size_room: the pages of 20 schedulable nodes of the size it read, no
request of its own). Where nodes of the size exist and GFD labelled them, the driver decides; where
none does (a pool autoscaled from 0, node auto-provisioning, GFD not installed, a client dry run),
akscli.model.kinds.default_vllm_image's rule by VM size stands.

Plain logic: no Typer, no rich; nothing is printed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from akscli.errors import UsageError
from akscli.model import vllm_versions
from akscli.model.kinds import DEFAULT_VLLM_IMAGE, DEFAULT_VLLM_IMAGE_CUDA12, default_vllm_image

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

FULL = "nvidia.com/cuda.driver-version.full"
MAJOR = ("nvidia.com/cuda.driver-version.major", "nvidia.com/cuda.driver.major")
MINOR = ("nvidia.com/cuda.driver-version.minor", "nvidia.com/cuda.driver.minor")
REVISION = ("nvidia.com/cuda.driver-version.revision", "nvidia.com/cuda.driver.rev")
# NVIDIA's Table 1: the oldest driver each CUDA major runs on (minor version compatibility).
MIN_DRIVER = {13: 580, 12: 525}
# The repository whose tags say their CUDA (vllm-project/vllm v0.24.0
# .buildkite/scripts/publish-release-images.sh: vX.Y.Z on CUDA 13.0, vX.Y.Z-cu129 on 12.9.1).
VLLM_REPOS = frozenset({"vllm/vllm-openai", "docker.io/vllm/vllm-openai", "index.docker.io/vllm/vllm-openai"})
_CUDA_TAG = re.compile(r"v(\d+\.\d+\.\d+)(?:-cu(1[0-9])([0-9]))?")


@dataclass(frozen=True)
class Driver:
    node: str
    version: str
    major: int


def driver_of(node: Mapping[str, Any]) -> Driver | None:
    """The driver GFD's labels name on ``node``, or None where GFD wrote none."""
    labels = (node.get("metadata") or {}).get("labels") or {}
    major = next((labels[k] for k in MAJOR if labels.get(k)), "")
    if not major.isdigit():
        return None
    parts = [major, *(next((labels[k] for k in keys if labels.get(k)), "") for keys in (MINOR, REVISION))]
    version = labels.get(FULL) or ".".join(p for p in parts if p)
    return Driver(str((node.get("metadata") or {}).get("name") or ""), version, int(major))


def image_cuda(image: str) -> int | None:
    """The CUDA major of a vllm/vllm-openai release tag (13 for vX.Y.Z from v0.20.0, 12 before it and
    for -cu12N), None for any other image or tag (its CUDA is not known)."""
    path, _, tag = image.rpartition(":")
    if "@" in image or path not in VLLM_REPOS:
        return None
    found = _CUDA_TAG.fullmatch(tag)
    if found is None:
        return None
    if found.group(2):
        return int(found.group(2))
    return 13 if vllm_versions._key(found.group(1)) >= vllm_versions._key(vllm_versions.CUDA13_FROM) else 12


def _oldest(drivers: Iterable[Driver]) -> Driver:
    return min(drivers, key=lambda d: (d.major, d.version, d.node))


def follow(image: str | None, vm_size: str, drivers: list[Driver]) -> tuple[str | None, str | None]:
    """The default image the nodes' drivers call for, and the info line that says why: (None, None)
    where the size rule stands. ``image``: --image, None for akscli's default. The pods may land on any
    of the nodes, so the oldest driver decides. The default becomes its -cu129 build below 580, or the
    CUDA 13 tag where the size rule chose -cu129 and every labelled node runs 580 or later; an --image
    whose CUDA the oldest driver cannot run is a UsageError naming the node and its driver, with the
    -cu129 tag as the fix."""
    if not drivers:
        return None, None
    oldest = _oldest(drivers)
    where = f"node {oldest.node} ({vm_size}) runs NVIDIA driver {oldest.version} (GPU feature discovery's labels)"
    if image is not None:
        cuda = image_cuda(image)
        if cuda is not None and oldest.major < MIN_DRIVER[cuda]:
            fix = f"--image {image}-cu129 (CUDA 12.9), or " if cuda == 13 else ""
            raise UsageError(
                f"{image} is built on CUDA {cuda}, which needs NVIDIA driver {MIN_DRIVER[cuda]} or later, and "
                f"{where}: vLLM would fail to start there",
                hint=f"{fix}a newer driver on the nodes",
            )
        return None, None
    if oldest.major < MIN_DRIVER[12]:
        raise UsageError(
            f"{where}, older than any vLLM image akscli runs needs (CUDA 12: 525 or later)",
            hint="a newer driver on the nodes, or --image with a build for it",
        )
    by_size = default_vllm_image(vm_size)
    if oldest.major < MIN_DRIVER[13]:
        if by_size == DEFAULT_VLLM_IMAGE_CUDA12:
            return DEFAULT_VLLM_IMAGE_CUDA12, None  # the size rule picked it already
        note = f"{where}, older than CUDA 13 needs (580): running {DEFAULT_VLLM_IMAGE_CUDA12}, the CUDA 12.9 build"
        return DEFAULT_VLLM_IMAGE_CUDA12, note + f" of {DEFAULT_VLLM_IMAGE}"
    if by_size == DEFAULT_VLLM_IMAGE_CUDA12:
        return DEFAULT_VLLM_IMAGE, (
            f"the {vm_size} nodes run NVIDIA driver {oldest.version} or later (GPU feature discovery's labels), "
            f"not the R570 AKS installs on the size: running {DEFAULT_VLLM_IMAGE} (CUDA 13)"
        )
    return None, None
