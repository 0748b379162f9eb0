"""A vLLM deploy onto nodes that exist reads their NVIDIA driver from GPU feature discovery's labels
(NVIDIA/k8s-device-plugin internal/lm/nvml.go newVersionLabeler) and runs or refuses the image by it:
CUDA 13 (vllm/vllm-openai:v0.24.0) needs driver 580 or later, CUDA 12 (its -cu129 tag) 525 or later
(NVIDIA's minor version compatibility, Table 1). Where no node of the size reports one, the size rule
(kinds.default_vllm_image) stands."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from akscli.model import node_driver
from tests.baremetal.nodes import NC_A100, node
from tests.cli import invoke

Start = Callable[..., Any]
A10 = "Standard_NV36ads_A10_v5"
CUDA13, CUDA12 = "vllm/vllm-openai:v0.24.0", "vllm/vllm-openai:v0.24.0-cu129"


def gfd_node(name: str, driver: str | None, size: str = NC_A100) -> dict[str, Any]:
    """A one-GPU node with the driver labels GFD writes (the current names and the deprecated ones)."""
    obj = node(name, size=size, gpus=1, driver=driver)
    if driver:
        major, minor, rev = driver.split(".")
        obj["metadata"]["labels"].update(
            {
                "nvidia.com/cuda.driver-version.major": major,
                "nvidia.com/cuda.driver-version.minor": minor,
                "nvidia.com/cuda.driver-version.revision": rev,
                "nvidia.com/cuda.driver-version.full": driver,
            }
        )
    return obj


def deploy(*flags: str, size: str = NC_A100) -> Any:
    # Phi-4-mini fits one A10 (phi-4 does not), named phi-4 on every size.
    model = "microsoft/Phi-4-mini-instruct" if size == A10 else "phi-4"
    return invoke("model", "deploy", model, "--name", "phi-4", "--runtime", "vllm", "--vm-size", size, *flags, "-y")


def image_of(emu: Any) -> str:
    dep = emu.cluster.get("apps/v1", "Deployment", "default", "phi-4")
    return str(dep["spec"]["template"]["spec"]["containers"][0]["image"])


def test_gfd_driver_labels_are_read_in_both_spellings() -> None:
    assert node_driver.driver_of(gfd_node("a", "570.211.01")) == node_driver.Driver("a", "570.211.01", 570)
    deprecated_only = node("b", driver="550.90.07")
    assert node_driver.driver_of(deprecated_only) == node_driver.Driver("b", "550.90.07", 550)
    assert node_driver.driver_of(node("c", driver=None)) is None


def test_the_cuda_of_a_vllm_tag_is_known_and_of_any_other_image_not() -> None:
    assert node_driver.image_cuda("vllm/vllm-openai:v0.24.0") == 13
    assert node_driver.image_cuda("vllm/vllm-openai:v0.24.0-cu129") == 12
    assert node_driver.image_cuda("vllm/vllm-openai:v0.19.1") == 12
    assert node_driver.image_cuda("myorg/vllm:v0.24.0") is None
    assert node_driver.image_cuda("vllm/vllm-openai:latest") is None


def test_nodes_whose_driver_predates_cuda_13_get_the_cuda_12_build(model_emulator: Start) -> None:
    # An A100 pool on a node image from before R580 (AKS installed 570 on its CUDA sizes before 2025-10-23).
    emu = model_emulator()
    emu.cluster.create(gfd_node("a100-0", "570.148.08"))
    result = deploy()
    assert result.exit_code == 0, result
    assert image_of(emu) == CUDA12
    assert "node a100-0 (Standard_NC24ads_A100_v4) runs NVIDIA driver 570.148.08" in result.stderr
    assert f"running {CUDA12}" in result.stderr


def test_nodes_on_driver_580_keep_the_cuda_13_image_and_nothing_is_said(model_emulator: Start) -> None:
    emu = model_emulator()
    emu.cluster.create(gfd_node("a100-0", "580.159.04"))
    result = deploy()
    assert result.exit_code == 0, result
    assert image_of(emu) == CUDA13
    assert "NVIDIA driver" not in result.stderr


def test_a10_nodes_whose_gpu_operator_driver_runs_cuda_13_get_the_cuda_13_image(model_emulator: Start) -> None:
    # The size rule gives A10 sizes -cu129 (AKS's GRID R570); a GPU Operator's R595 there runs CUDA 13.
    emu = model_emulator()
    emu.cluster.create(gfd_node("a10-0", "595.91.07", size=A10))
    result = deploy(size=A10)
    assert result.exit_code == 0, result
    assert image_of(emu) == CUDA13
    assert f"running {CUDA13} (CUDA 13)" in result.stderr


def test_a_cuda_13_image_given_for_an_older_driver_is_refused_before_anything_is_sent(model_emulator: Start) -> None:
    emu = model_emulator()
    emu.cluster.create(gfd_node("a100-0", "580.159.04"))
    emu.cluster.create(gfd_node("a100-1", "570.148.08"))  # the pod may land on either: the oldest decides
    result = deploy("--image", CUDA13)
    assert result.exit_code == 2, result
    [error, hint] = [line for line in result.stderr.splitlines() if line.startswith(("error:", "hint:"))]
    assert "needs NVIDIA driver 580 or later, and node a100-1 (Standard_NC24ads_A100_v4) runs NVIDIA driver " \
        "570.148.08" in error  # fmt: skip
    assert hint == f"hint: --image {CUDA12} (CUDA 12.9), or a newer driver on the nodes"
    assert emu.cluster.get("apps/v1", "Deployment", "default", "phi-4") is None


def test_without_driver_labels_the_size_rule_stands(model_emulator: Start) -> None:
    # Plain AKS runs no GFD: no driver label, so A10 keeps -cu129 and A100 the CUDA 13 tag.
    emu = model_emulator()
    emu.cluster.create(gfd_node("a10-0", None, size=A10))
    result = deploy("-o", "json", size=A10)
    assert result.exit_code == 0, result
    [dep] = [o for o in json.loads(result.stdout)["items"] if o["kind"] == "Deployment"]
    assert dep["spec"]["template"]["spec"]["containers"][0]["image"] == CUDA12
