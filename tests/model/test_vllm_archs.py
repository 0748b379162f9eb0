"""A model whose architecture the image's vLLM cannot serve (not in its model registry, no transformers
class for its Transformers backend) is refused under ``--runtime vllm`` before anything is rendered, with
the first vLLM image that serves it and KAITO as the ways out (akscli.model.vllm_archs)."""

from __future__ import annotations

import pytest

from akscli.errors import UsageError
from akscli.model import vllm_archs
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


def test_deploy_refuses_a_catalog_model_the_default_image_cannot_serve() -> None:
    # Kimi-K2.5: no model_type recorded, so its config is not judged first (Qwen3.5's is: test_catalog_config)
    kimi = "moonshotai/Kimi-K2.5"
    refused = invoke("model", "deploy", kimi, "--runtime", "vllm", "--dry-run", "client", "-o", "yaml")
    assert refused.exit_code == 2, refused
    assert refused.stderr.splitlines() == [
        f"error: vLLM v0.11.0 cannot serve {kimi} (KimiK25ForConditionalGeneration): its model registry "
        "lacks the architecture and the image's transformers has no class for its Transformers backend, so vLLM "
        "exits at start",
        "hint: use --image vllm/vllm-openai:v0.15.0 or --runtime kaito",
    ]
    assert refused.stdout == ""
