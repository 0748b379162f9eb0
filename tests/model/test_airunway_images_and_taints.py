"""AI Runway (ai-runway/airunway v0.7.0): the image each provider runs, and the GPU nodes the kuberay
provider's workers can land on. docs/changes/audit10-weak.md has the upstream files."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from akscli.errors import UsageError
from akscli.model import airunway
from akscli.model.kinds import DEFAULT_VLLM_IMAGE
from tests.baremetal.nodes import nc_a100_node
from tests.cli import invoke

from .conftest import AIRUNWAY_CRDS
from .test_serving_paths_upstream import _kind, _request

Start = Callable[..., Any]


# ---- the image (providers/*/transformer.go getImage) -------------------------------------------


@pytest.mark.parametrize("provider", ["vllm", "llmd"])
def test_airunway_vllm_and_llmd_providers_run_the_vllm_image_akscli_pins(provider: str) -> None:
    # getImage: spec.engine.image, else vllm/vllm-openai:cu130-nightly (vllm) or :v0.9.1 (llmd).
    from akscli.model import deploy

    md = _kind(deploy.build(_request(runtime="airunway", provider=provider)), "ModelDeployment")
    assert md["spec"]["engine"]["image"] == DEFAULT_VLLM_IMAGE
    chosen = "vllm/vllm-openai:v0.10.2"
    md = _kind(deploy.build(_request(runtime="airunway", provider=provider, image=chosen)), "ModelDeployment")
    assert md["spec"]["engine"]["image"] == chosen


@pytest.mark.parametrize("provider", ["kaito", "kuberay", "dynamo"])
def test_airunway_providers_that_take_no_vllm_image_there_get_none(provider: str) -> None:
    # kuberay: a Ray image (rayproject/ray-llm); dynamo: its runtime image; kaito: KAITO's preset image.
    from akscli.model import deploy

    md = _kind(deploy.build(_request(runtime="airunway", provider=provider)), "ModelDeployment")
    assert "image" not in md["spec"]["engine"]
    assert "image" not in md["spec"]


def test_a_malformed_image_is_refused_for_the_airunway_vllm_provider() -> None:
    result = invoke(
        "model", "deploy", "phi-4", "--runtime", "airunway", "--provider", "vllm", "--image", "Bad Image", "--dry-run"
    )
    assert result.exit_code == 2, result
    assert "--image" in result.stderr


def test_the_airunway_vllm_provider_runs_the_image_akscli_pins(model_emulator: Start) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    result = invoke("model", "deploy", "phi-4", "--runtime", "airunway", "--provider", "vllm", "-y")
    assert result.exit_code == 0, result
    assert emu.idle(10.0)
    deployment = emu.cluster.get("apps/v1", "Deployment", "default", "phi-4")
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    assert container["image"] == DEFAULT_VLLM_IMAGE


# ---- kuberay workers on tainted GPU nodes -----------------------------------------------------


SKU_GPU = {"key": "sku", "value": "gpu", "effect": "NoSchedule"}
AKSCLI_GPU = {"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}


def test_kuberay_is_refused_when_every_gpu_node_has_a_taint_its_workers_do_not_tolerate(model_emulator: Start) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    for i in range(2):
        emu.cluster.create(nc_a100_node(f"gpu-{i}", pool="gpu", taints=[SKU_GPU]))
    result = invoke("model", "deploy", "phi-4", "--runtime", "airunway", "--provider", "kuberay", "-y")
    assert result.exit_code == 2, result
    [error] = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert error.startswith("error: AI Runway's kuberay provider gives its Ray workers no tolerations")
    assert "sku=gpu:NoSchedule on pool gpu (2 nodes)" in error
    assert "Traceback" not in result.stderr
    assert "--provider vllm, llmd or dynamo" in result.stderr
    assert "-n gpu --node-taints" in result.stderr
    assert emu.cluster.get("airunway.ai/v1alpha1", "ModelDeployment", "default", "phi-4") is None


def test_kuberay_is_deployed_where_the_gpu_taint_is_akscli_own(model_emulator: Start) -> None:
    # AKS's ExtendedResourceToleration tolerates nvidia.com/gpu:NoSchedule for a pod requesting GPUs.
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    emu.cluster.create(nc_a100_node("gpu-0", pool="gpu", taints=[AKSCLI_GPU]))
    emu.cluster.create(nc_a100_node("spot-0", pool="spot", taints=[SKU_GPU]))
    result = invoke("model", "deploy", "phi-4", "--runtime", "airunway", "--provider", "kuberay", "-y")
    assert result.exit_code == 0, result


def test_kuberay_check_reads_only_gpu_nodes_and_blocking_effects() -> None:
    cpu = {"metadata": {"name": "cpu-0"}, "spec": {"taints": [SKU_GPU]}, "status": {}}
    prefer = nc_a100_node("gpu-1", pool="gpu", taints=[{**SKU_GPU, "effect": "PreferNoSchedule"}])
    airunway.check_kuberay_nodes([cpu])  # no GPU node: a pool at zero nodes is not judged
    airunway.check_kuberay_nodes([nc_a100_node("gpu-0", pool="gpu", taints=[SKU_GPU]), prefer])
    execute = nc_a100_node("gpu-2", pool="gpu", taints=[{**AKSCLI_GPU, "effect": "NoExecute"}])
    with pytest.raises(UsageError, match=r"nvidia.com/gpu=present:NoExecute on pool gpu \(1 node\)"):
        airunway.check_kuberay_nodes([execute])
