"""One KV figure per plan: the header and `-o json` read the sizing the fit uses (vLLM v0.24.0's per-layer
rule under --runtime vllm, KAITO's every-layer figure under --runtime kaito); which layers slide for a model
read from config.json (--hub-config); and the plans that say their figure is not vLLM's (hybrid models) or
rests on KAITO's catalog alone (kv_estimated). Numbers are worked from vllm-project/vllm v0.24.0
vllm/v1/kv_cache_interface.py and vllm/v1/core/kv_cache_utils.py, as in test_vllm_kv.py."""

from __future__ import annotations

import json

import pytest

from akscli.model import catalog, hub_describe, planning, vllm_kv
from tests.cli import invoke
from tests.emulators.kube.hf_hub_server import HubServer
from tests.model.test_hub_config import REPO
from tests.model.test_hub_config import hub as hub

from .conftest import gpu_sku

pytestmark = pytest.mark.usefixtures("builtin_prices")

GIB = 1024**3
# gemma-3-27b-it at 131072 tokens on an A100 (2048 batched tokens): 10 full layers, 52 sliding; group_size 10;
# page 16 x 16 x (128 + 128) x 2 = 131072 B; full pages 8192; window pages cdiv(1023 + 2048, 16) + 1 = 193;
# 10 x 131072 x (8192 + 6 x 193) = 12255232000 B.
GEMMA_27B_ON_A100 = 12255232000


def _json(*args: str) -> dict[str, object]:
    result = invoke("model", "plan", *args, "-o", "json")
    assert result.exit_code == 0, result
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_the_json_kv_figure_is_vllms_on_the_picked_size_for_a_sliding_window_model() -> None:
    plan = _json("google/gemma-3-27b-it", "--runtime", "vllm", "--max-model-len", "131072")
    assert plan["recommended"] == "Standard_NC24ads_A100_v4"
    assert plan["requirements"] == {
        "weights_gib": 52.12,
        "kv_bytes_per_token": 507904,
        "kv_cache_gib": round(GEMMA_27B_ON_A100 / GIB, 2),
        "kv_cache_sized_on": "Standard_NC24ads_A100_v4",
    }


def test_the_header_shows_the_same_figure_and_the_every_layer_one_beside_it() -> None:
    result = invoke("model", "plan", "google/gemma-3-27b-it", "--runtime", "vllm", "--max-model-len", "131072")
    assert (
        "context 131,072 x concurrency 1: KV cache 11.41 GiB (as vLLM allocates it on Standard_NC24ads_A100_v4; "
        "every layer in full: 62.00 GiB, 507,904 bytes/token)"
    ) in result.stdout


def test_the_plan_figure_is_the_fits_figure_times_its_gpus() -> None:
    # Two requests move the pick to an H100 NVL (8192 batched tokens): window pages cdiv(1023 + 8192, 16) + 1
    # = 577, so 10 x 131072 x (8192 + 6 x 577) x 2 = 30550261760 B.
    gemma = catalog.get("google/gemma-3-27b-it")
    p = planning.plan(gemma, runtime="vllm", context=131072, concurrency=2)
    assert p.recommended is not None and p.kv_sized_on == p.recommended.vm_size == "Standard_NC40ads_H100_v5"
    assert p.kv_cache_bytes == 30550261760
    assert p.recommended.kv_cache_per_gpu_gib == round(30550261760 / GIB / p.recommended.gpus, 2)


def test_kaito_plans_keep_kaitos_every_layer_figure_with_no_size_named() -> None:
    requirements = _json("google/gemma-3-27b-it", "--runtime", "kaito", "--max-model-len", "131072")["requirements"]
    assert requirements == {"weights_gib": 52.12, "kv_bytes_per_token": 507904, "kv_cache_gib": 62.0}


def test_a_model_without_a_window_keeps_its_json_as_it_was() -> None:
    requirements = _json("microsoft/phi-4", "--runtime", "vllm")["requirements"]
    assert requirements == {"weights_gib": 27.86, "kv_bytes_per_token": 204800, "kv_cache_gib": 1.56}


def test_gpt_oss_slides_every_even_layer_over_128_tokens() -> None:
    # 36 layers: 18 full, 18 sliding, group_size 18; page 16 x 8 x (64 + 64) x 2 = 32768 B; full pages 512.
    # H100 (8192 batched): window pages cdiv(min(127 + 8192, 8192), 16) + 1 = 513 -> 18 x 32768 x 1025 = 604569600.
    # A100 (2048 batched): cdiv(2175, 16) + 1 = 137 -> 18 x 32768 x 649 = 382795776 (every layer: 603979776).
    oss = catalog.get("openai/gpt-oss-120b")
    assert vllm_kv.layer_counts(oss) == (18, 18)
    assert vllm_kv.request_bytes(oss, 8192, gpu_sku("Standard_NC40ads_H100_v5")) == 604569600
    assert vllm_kv.request_bytes(oss, 8192, gpu_sku("Standard_NC24ads_A100_v4")) == 382795776
    assert oss.kv_bytes_per_token * 8192 == 603979776


@pytest.mark.parametrize(
    ("text", "model_type", "layers", "window"),
    [
        ({"sliding_window": 1024, "sliding_window_pattern": 6}, "gemma3_text", 62, (1024, 52)),
        ({}, "gemma3_text", 26, (4096, 22)),  # Gemma3TextConfig's defaults: window 4096, pattern 6
        ({"sliding_window": 128}, "gpt_oss", 24, (128, 12)),
        ({}, "gpt_oss", 36, (128, 18)),  # GptOssConfig's default window
        ({"sliding_window": 4096}, "mistral", 32, (4096, 32)),  # not interleaved: every layer slides
        ({"sliding_window": 512, "layer_types": ["sliding_attention", "full_attention"] * 2}, "llama", 4, (512, 2)),
        ({"sliding_window": 32768, "use_sliding_window": False}, "qwen2", 28, None),
        ({"sliding_window": 32768}, "qwen3", 28, None),  # Qwen3Config: use_sliding_window defaults to False
        ({"sliding_window": 0}, "mistral", 32, None),  # vLLM reads 0 as no window
        ({"sliding_window": None}, "mistral", 32, None),
        ({}, "llama", 32, None),
    ],
)
def test_the_window_vllm_serves_is_read_from_the_text_config(
    text: dict[str, object], model_type: str, layers: int, window: tuple[int, int] | None
) -> None:
    assert vllm_kv.window_from_config(text, model_type, layers) == window


def test_an_interleaving_akscli_does_not_read_is_said_not_guessed() -> None:
    found = vllm_kv.window_from_config(
        {"sliding_window": 4096, "layer_types": ["sliding_attention", "full_attention"]}, "cohere2", 2
    )
    assert isinstance(found, str) and "model type cohere2" in found and "every layer in full" in found


def test_layer_types_of_the_wrong_length_are_said_not_guessed() -> None:
    found = vllm_kv.window_from_config({"sliding_window": 512, "layer_types": ["sliding_attention"]}, "llama", 4)
    assert isinstance(found, str) and "each of the 4 layers" in found


def test_fill_carries_the_window_of_a_gemma_3_config() -> None:
    config = {
        "model_type": "gemma3",
        "text_config": {
            "model_type": "gemma3_text",
            "num_hidden_layers": 34,
            "num_attention_heads": 8,
            "num_key_value_heads": 4,
            "hidden_size": 2560,
            "sliding_window": 1024,
        },
    }
    filled = hub_describe.fill(catalog.Description(), config, None, None)
    assert filled.window == (1024, 29)


def test_a_hub_config_plan_sizes_the_sliding_layers_as_vllm_does(hub: HubServer) -> None:
    layer_types = ["sliding_attention", "full_attention"] * 12
    hub.repos[REPO] = {
        "config.json": {
            "architectures": ["GptOssForCausalLM"],
            "model_type": "gpt_oss",
            "num_hidden_layers": 24,
            "num_attention_heads": 64,
            "num_key_value_heads": 8,
            "head_dim": 64,
            "hidden_size": 2880,
            "max_position_embeddings": 131072,
            "sliding_window": 128,
            "layer_types": layer_types,
        },
        "model-00001-of-00001.safetensors": 12 * 1024**3,
    }  # type: ignore[index]
    plan = _json(REPO, "--hub-config", "--runtime", "vllm", "--params-b", "20")
    assert (plan["model"]["sliding_window"], plan["model"]["sliding_layers"]) == (128, 12)
    assert "kv_cache_sized_on" in plan["requirements"]
    assert any("a 128-token window plus one prefill chunk on 12" in w for w in plan["warnings"])


@pytest.mark.parametrize("runtime", ["vllm", "kaito"])
def test_a_hybrid_mamba_model_says_its_kv_figure_is_not_vllms(runtime: str) -> None:
    warnings = planning.plan(catalog.get("nvidia/NVIDIA-Nemotron-Nano-9B-v2"), runtime=runtime).warnings
    assert [w for w in warnings if "hybrid model" in w] == [
        vllm_kv.hybrid_note(catalog.get("nvidia/NVIDIA-Nemotron-Nano-9B-v2"))
    ]


def test_an_attention_only_model_has_no_hybrid_line() -> None:
    assert vllm_kv.hybrid_note(catalog.get("microsoft/phi-4")) is None


def test_a_row_without_a_published_shape_shows_its_kv_figure_as_an_estimate() -> None:
    result = invoke("model", "plan", "moonshotai/Kimi-K2.5", "--runtime", "vllm")
    # 70,272 B a token x 8192 = 0.54 GiB of MLA latent, whole on each of the 8 tensor-parallel ranks (vllm_tp)
    assert "KV cache ~4.29 GiB" in result.stdout
    assert "the KV figure is an estimate: moonshotai/Kimi-K2.5's layers and heads come from KAITO's catalog" in (
        result.stdout + result.stderr
    )
