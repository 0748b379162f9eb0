"""A model whose architecture the image's vLLM cannot serve (not in its model registry, no transformers
class for its Transformers backend) is refused under ``--runtime vllm`` before anything is rendered, with
the first vLLM image that serves it and KAITO as the ways out (akscli.model.vllm_archs)."""

from __future__ import annotations

import json

import pytest

from akscli.errors import UsageError
from akscli.model import catalog, kinds, remote_code, vllm_archs, vllm_versions
from tests.cli import invoke

QWEN35 = "Qwen3_5ForConditionalGeneration"  # Qwen/Qwen3.5-2B: registered from vLLM v0.17.0, transformers 5 only


def test_refused_at_the_default_release_and_served_from_its_first_release() -> None:
    with pytest.raises(UsageError, match=r"vLLM v0\.11\.0 cannot serve Qwen/Qwen3\.5-2B \(Qwen3_5For") as refused:
        vllm_archs.check("Qwen/Qwen3.5-2B", QWEN35, "v0.11.0", trusted=False, kaito="--runtime kaito")
    assert refused.value.hint == "use --image vllm/vllm-openai:v0.17.0 or --runtime kaito"
    with pytest.raises(UsageError):
        vllm_archs.check("Qwen/Qwen3.5-2B", QWEN35, "v0.16.0", trusted=False, kaito=None)
    assert vllm_archs.check("Qwen/Qwen3.5-2B", QWEN35, "v0.17.0", trusted=False, kaito=None) is None
    # not judged: an image whose release akscli does not know, or no architecture known
    assert vllm_archs.check("Qwen/Qwen3.5-2B", QWEN35, None, trusted=False, kaito=None) is None
    assert vllm_archs.check("Qwen/Qwen3.5-2B", None, "v0.11.0", trusted=False, kaito=None) is None


def test_the_transformers_fallback_or_trusted_remote_code_gets_a_warning() -> None:
    # DiffLlamaForCausalLM: not in v0.11.0's registry, a class transformers 4 has (the fallback may serve it)
    warned = vllm_archs.check("org/diffllama", "DiffLlamaForCausalLM", "v0.11.0", trusted=False, kaito=None)
    assert warned is not None and "Transformers backend fallback" in warned
    assert vllm_archs.check("Qwen/Qwen3.5-2B", QWEN35, "v0.11.0", trusted=True, kaito=None) is not None


def test_deploy_refuses_a_catalog_model_an_older_image_cannot_serve() -> None:
    # Kimi-K2.5: no model_type recorded, so its config is not judged first (Qwen3.5's is: test_catalog_config)
    kimi = "moonshotai/Kimi-K2.5"
    refused = invoke("model", "deploy", kimi, "--runtime", "vllm", "--image", "vllm/vllm-openai:v0.11.0",
                     "--dry-run", "client", "-o", "yaml")  # fmt: skip
    assert refused.exit_code == 2, refused
    assert refused.stderr.splitlines() == [
        f"error: vLLM v0.11.0 cannot serve {kimi} (KimiK25ForConditionalGeneration): its model registry "
        "lacks the architecture and the image's transformers has no class for its Transformers backend, so vLLM "
        "exits at start",
        "hint: use --image vllm/vllm-openai:v0.15.0 or --runtime kaito",
    ]
    assert refused.stdout == ""


def test_the_default_image_serves_every_catalog_model_without_remote_code() -> None:
    # v0.24.0: the lowest release whose registry has every catalog architecture and whose image loads every
    # recorded config.json (Nemotron-3-Nano's nemotron_h from transformers 5.5.3); v0.11.0 refused 24 rows.
    release = vllm_versions.image_version(kinds.DEFAULT_VLLM_IMAGE)
    assert release == "v0.24.0" and vllm_versions.image_version(kinds.DEFAULT_VLLM_IMAGE_CUDA12) == release
    for model in catalog.all_models():
        config = catalog.config_of(model.id)
        assert not config or remote_code.check(model.id, config, release, False, "--runtime kaito") is None, model.id
        assert vllm_archs.check(model.id, model.architecture, release, False, None) is None, model.id


def test_an_a10_size_whose_aks_driver_predates_cuda_13_gets_the_cuda_12_build() -> None:
    # AKS's A10 sizes run the GRID R570 driver; v0.24.0's default tag is CUDA 13.0, which needs 580 or later.
    def image(*flags: str) -> str:
        result = invoke("model", "deploy", "microsoft/Phi-4-mini-instruct", "--runtime", "vllm", *flags,
                        "--dry-run", "client", "-o", "json")  # fmt: skip
        assert result.exit_code == 0, result
        [deployment] = [o for o in json.loads(result.stdout)["items"] if o["kind"] == "Deployment"]
        return str(deployment["spec"]["template"]["spec"]["containers"][0]["image"])

    assert image("--vm-size", "Standard_NV36ads_A10_v5") == "vllm/vllm-openai:v0.24.0-cu129"
    assert image("--vm-size", "Standard_NC4as_T4_v3") == "vllm/vllm-openai:v0.24.0"
    assert image("--vm-size", "Standard_NV36ads_A10_v5", "--image", "vllm/vllm-openai:v0.19.1") == (
        "vllm/vllm-openai:v0.19.1"
    )


def test_a_hint_naming_a_cuda_13_image_names_the_driver_it_needs() -> None:
    # vLLM's tags are CUDA 13.0 from v0.20.0 (driver 580 or later), each with a CUDA 12.9 -cu129 tag.
    with pytest.raises(UsageError) as refused:
        vllm_archs.check("deepseek-ai/DeepSeek-V4-Pro", "DeepseekV4ForCausalLM", "v0.11.0", trusted=False, kaito=None)
    assert refused.value.hint == (
        "use --image vllm/vllm-openai:v0.20.0 (CUDA 13: NVIDIA driver 580 or later; on an older driver, such as "
        "AKS's A10 sizes' 570, v0.20.0-cu129)"
    )
    assert vllm_versions.driver_note("v0.19.1") == ""
