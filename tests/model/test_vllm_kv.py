"""The KV cache vLLM v0.24.0 allocates for Gemma 3 (sliding-window layers), against KAITO's
every-layer figure. Each number is worked from vllm-project/vllm v0.24.0:
vllm/v1/kv_cache_interface.py (FullAttentionSpec and SlidingWindowSpec max_memory_usage_bytes),
vllm/v1/core/kv_cache_utils.py (_get_kv_cache_groups_uniform_page_size, _max_memory_usage_bytes_from_groups),
vllm/engine/arg_utils.py (get_batch_defaults: 8192 batched tokens on >= 70 GiB GPUs but A100, else 2048)."""

from __future__ import annotations

import pytest

from akscli.model import catalog, planning, vllm_kv

from .conftest import gpu_sku

GIB = 1024**3


pytestmark = pytest.mark.usefixtures("builtin_prices")


def test_gemma_3_4b_keeps_only_window_and_prefill_chunk_on_sliding_layers() -> None:
    # 34 layers, pattern 6: full at 5, 11, 17, 23, 29 (5), sliding 29. group_size min(5, 29) = 5;
    # sliding groups cdiv(29, 5) = 6 (one padding layer), full groups 1.
    # page = 16 tokens x 4 KV heads x (256 + 256) x 2 bytes = 65536.
    # T4 (16 GiB): 2048 batched tokens. full pages cdiv(8192, 16) = 512;
    # window pages cdiv(min(1023 + 2048, 8192), 16) + 1 = 192 + 1 = 193.
    # 5 x 65536 x (512 + 6 x 193) = 547225600 (KAITO: 2 x 34 x 4 x 256 x 2 x 8192 = 1140850688).
    gemma = catalog.get("google/gemma-3-4b-it")
    assert vllm_kv.request_bytes(gemma, 8192, gpu_sku("Standard_NC4as_T4_v3")) == 547225600
    assert gemma.kv_bytes_per_token * 8192 == 1140850688


def test_on_an_h100_the_8192_token_chunk_covers_the_context_and_padding_costs_more() -> None:
    # H100 (80 GiB, not an A100): 8192 batched tokens; window pages cdiv(min(1023 + 8192, 8192), 16) + 1
    # = 513. 5 x 65536 x (512 + 6 x 513) = 1176371200, above KAITO's 1140850688 (the padding layer
    # and the extra block).
    gemma = catalog.get("google/gemma-3-4b-it")
    assert vllm_kv.request_bytes(gemma, 8192, gpu_sku("Standard_NC40ads_H100_v5")) == 1176371200


def test_an_a100_80g_batches_2048_tokens_as_a_smaller_gpu_does() -> None:
    assert vllm_kv.max_num_batched_tokens(gpu_sku("Standard_NC24ads_A100_v4")) == 2048
    assert vllm_kv.max_num_batched_tokens(gpu_sku("Standard_NC40ads_H100_v5")) == 8192


def test_gemma_3_27b_at_its_full_context_needs_under_a_quarter_of_kaitos_kv() -> None:
    # 62 layers: 10 full, 52 sliding; group_size 10, sliding groups cdiv(52, 10) = 6.
    # page = 16 x 16 x (128 + 128) x 2 = 131072. full pages 131072 / 16 = 8192;
    # window pages cdiv(1023 + 8192, 16) + 1 = 577. 10 x 131072 x (8192 + 6 x 577) = 15275130880.
    # KAITO: 2 x 62 x 16 x 128 x 2 x 131072 = 66571993088.
    gemma = catalog.get("google/gemma-3-27b-it")
    assert vllm_kv.request_bytes(gemma, 131072, gpu_sku("Standard_NC40ads_H100_v5")) == 15275130880
    assert gemma.kv_bytes_per_token * 131072 == 66571993088


def test_near_equal_layer_counts_share_the_larger_group_size() -> None:
    # 7 layers, pattern 2: full 3 (1, 3, 5), sliding 4; 4 < 1.5 x 3, so group_size 4, one group each.
    # page = 16 x 1 x (64 + 64) x 2 = 4096; full pages cdiv(4096, 16) = 256; window pages
    # cdiv(min(127 + 2048, 4096), 16) + 1 = 137. 4 x 4096 x (256 + 137) = 6438912.
    tiny = catalog.get("phi-4")._replace(
        layers=7, kv_heads=1, head_dim=64, sliding_window=128, sliding_window_pattern=2
    )
    assert vllm_kv.request_bytes(tiny, 4096, gpu_sku("Standard_NC4as_T4_v3")) == 6438912


def test_a_model_without_a_window_keeps_the_every_layer_figure() -> None:
    phi = catalog.get("phi-4")
    assert vllm_kv.request_bytes(phi, 8192, gpu_sku("Standard_NC40ads_H100_v5")) == phi.kv_bytes_per_token * 8192
    assert vllm_kv.rule_note(phi) is None


def test_vllm_runtime_fits_gemma_3_27b_full_context_on_one_h100() -> None:
    # weights 51.1 x 1.02 = 52.12 GiB + 15275130880 B = 14.23 GiB of KV: one 94 GiB H100 NVL.
    # Every layer at full length (62 GiB of KV) needed two.
    gemma = catalog.get("google/gemma-3-27b-it")
    fit = planning.fit(gemma, gpu_sku("Standard_NC80adis_H100_v5"), context=131072)
    assert (fit.gpus, fit.kv_cache_per_gpu_gib) == (1, round(15275130880 / GIB, 2))


def test_kaito_runtime_still_counts_every_layer() -> None:
    gemma = catalog.get("google/gemma-3-27b-it")
    fit = planning.kaito_fit(gemma, gpu_sku("Standard_NC80adis_H100_v5"), context=131072)
    assert fit.kv_cache_per_gpu_gib == round(66571993088 / GIB / fit.gpus, 2)


def test_the_vllm_plan_names_the_rule_in_one_line_and_kaitos_does_not() -> None:
    gemma = catalog.get("google/gemma-3-4b-it")
    vllm_lines = [w for w in planning.plan(gemma, runtime="vllm").warnings if "KV cache sized as vLLM" in w]
    assert vllm_lines == [
        "KV cache sized as vLLM v0.24.0 allocates it: full context on 5 of 34 layers, "
        "a 1024-token window plus one prefill chunk on 29 (KAITO counts every layer)"
    ]
    assert not [w for w in planning.plan(gemma, runtime="kaito").warnings if "vLLM v0.24.0" in w]
