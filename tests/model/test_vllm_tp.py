"""The tensor-parallel degrees vLLM v0.24.0 starts a model at, and the KV heads each rank holds
(akscli.model.vllm_tp; vllm-project/vllm v0.24.0 vllm/config/model.py get_num_kv_heads and
verify_with_parallel_config, vllm/model_executor/models/llama.py LlamaAttention,
vllm/model_executor/layers/linear.py QKVParallelLinear, vllm/model_executor/layers/mamba/mamba_mixer2.py)."""

from __future__ import annotations

import pytest

from akscli.errors import UsageError
from akscli.model import catalog, planning, vllm_kv, vllm_tp
from tests.cli import invoke

from .conftest import gpu_sku

# 64 attention heads, 8 KV heads of 128, 80 layers: 2 x 80 x 8 x 128 x 2 = 327,680 B a token
LLAMA_70B = "meta-llama/Llama-3.3-70B-Instruct"
PER_TOKEN = 327_680
NANO = "nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B-BF16"


def _mqa() -> catalog.Model:
    """Llama 3.3 70B's shape with multi-query attention: one KV head, 2 x 80 x 1 x 128 x 2 = 40,960 B a token."""
    return catalog.get(LLAMA_70B)._replace(id="example/mqa-70b", kv_heads=1, weights_gib=400.0)


@pytest.mark.parametrize(("tp", "heads", "replicas"), [(1, 8, 1), (4, 2, 1), (8, 1, 1), (16, 1, 2)])
def test_a_gqa_model_with_8_kv_heads_keeps_at_least_one_on_each_rank(tp: int, heads: int, replicas: int) -> None:
    # get_num_kv_heads: max(1, 8 // tp); QKVParallelLinear.num_kv_head_replicas: tp // 8 where tp >= 8
    model = catalog.get(LLAMA_70B)
    assert (vllm_tp.kv_heads_per_rank(model, tp), vllm_tp.replicas(model, tp)) == (heads, replicas)


def test_at_tp_16_the_ranks_together_hold_the_8_kv_heads_twice() -> None:
    model, sku = catalog.get(LLAMA_70B), gpu_sku("Standard_ND96isr_H100_v5")
    at_8 = vllm_kv.kv_cache_bytes(model, 8192, 1, sku, per_layer=True, tp=8)
    assert at_8 == PER_TOKEN * 8192
    assert vllm_kv.kv_cache_bytes(model, 8192, 1, sku, per_layer=True, tp=16) == 2 * at_8


def test_tp_16_is_a_degree_vllm_starts_a_model_with_8_kv_heads_at() -> None:
    assert vllm_tp.refusal(catalog.get(LLAMA_70B), 16) is None


def test_an_mqa_model_holds_its_one_kv_head_on_each_of_8_ranks() -> None:
    model = _mqa()
    assert (vllm_tp.kv_heads_per_rank(model, 8), vllm_tp.replicas(model, 8)) == (1, 8)
    assert vllm_tp.kv_bytes_per_token(model, 8) == 8 * 40_960


def test_the_fit_puts_an_mqa_models_whole_cache_on_every_gpu_at_tp_8() -> None:
    # 16 requests of 8192 tokens: 40,960 x 8192 x 16 = 5 GiB on each of the 8 GPUs, not 5 / 8
    row = planning.fit(_mqa(), gpu_sku("Standard_ND96isr_H100_v5"), context=8192, concurrency=16)
    assert (row.fits, row.tensor_parallel, row.pipeline_parallel) == (True, 8, 1)
    assert row.kv_cache_per_gpu_gib == 5.0


def test_mla_keeps_the_whole_latent_on_every_rank() -> None:
    # get_num_kv_heads returns 1 under use_mla; MLAAttentionSpec num_kv_heads=1, head_size kv_lora_rank + rope
    model = catalog.get("deepseek-ai/DeepSeek-V3-0324")
    assert model.is_mla
    assert (vllm_tp.kv_heads_per_rank(model, 8), vllm_tp.replicas(model, 8)) == (1, 8)
    assert vllm_tp.kv_bytes_per_token(model, 8) == 8 * model.kv_bytes_per_token


def test_the_kaito_figure_stays_the_estimators() -> None:
    # KAITO's estimator counts every layer once (kaito-project/kaito .../nodesestimator/estimator.go)
    model, sku = _mqa(), gpu_sku("Standard_ND96isr_H100_v5")
    assert vllm_kv.kv_cache_bytes(model, 8192, 1, sku, per_layer=False, tp=8) == model.kv_bytes_per_token * 8192


def test_the_plan_says_in_one_line_that_the_ranks_hold_the_cache_more_than_once() -> None:
    plan = planning.plan(_mqa(), runtime="vllm", concurrency=16, vm_sizes=[gpu_sku("Standard_ND96isr_H100_v5")])
    assert plan.recommended is not None and plan.recommended.tensor_parallel == 8
    assert [w for w in plan.warnings if "tensor-parallel GPUs" in w] == [
        "KV cache at tensor parallel 8: vLLM v0.24.0 keeps its one KV head on each of the 8 tensor-parallel GPUs; "
        "the figure counts it 8 times"
    ]
    assert plan.kv_cache_bytes == 8 * 40_960 * 8192 * 16


def test_a_plan_whose_tp_divides_the_kv_heads_has_no_replication_line() -> None:
    plan = planning.plan(catalog.get(LLAMA_70B), runtime="vllm", vm_sizes=[gpu_sku("Standard_ND96isr_H100_v5")])
    assert plan.recommended is not None and plan.recommended.tensor_parallel <= 8
    assert not [w for w in plan.warnings if "tensor-parallel GPUs" in w]


def test_a_kaito_plan_has_no_replication_line() -> None:
    plan = planning.plan(_mqa(), runtime="kaito", vm_sizes=[gpu_sku("Standard_ND96isr_H100_v5")])
    assert not [w for w in plan.warnings if "tensor-parallel GPUs" in w]


def test_the_cli_plan_header_counts_every_copy_of_an_mla_latent() -> None:
    # Kimi-K2.5 at TP 8: 70,272 B a token x 8192 = 0.54 GiB, held whole on each of the 8 ranks
    result = invoke("model", "plan", "moonshotai/Kimi-K2.5", "--runtime", "vllm")
    assert result.exit_code == 0, result
    assert "KV cache ~4.29 GiB" in result.stdout
    assert "keeps the whole MLA latent on each of the 8 tensor-parallel GPUs" in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("changes", "tp", "why"),
    [
        ({"attention_heads": 28, "kv_heads": 4}, 8, "8 does not divide its 28 attention heads"),
        ({"attention_heads": 40, "kv_heads": 10}, 4, "4 does not divide its 10 KV heads"),
        ({"attention_heads": 48, "kv_heads": 6}, 8, "its 6 KV heads do not divide 8"),
        ({"mamba_heads": 24}, 16, "16 does not divide the 24 heads of its recurrent layers"),
        ({"mamba_groups": 3}, 2, "2 does not divide its 3 Mamba2 groups (vLLM replicates only a single group)"),
        ({}, 16, "16 does not divide its 8 Mamba2 groups (vLLM replicates only a single group)"),
    ],
)
def test_vllm_fails_to_start_at_a_degree_that_does_not_divide_the_heads_or_groups(
    changes: dict[str, int], tp: int, why: str
) -> None:
    # verify_with_parallel_config (attention heads); llama.py asserts (KV heads); mamba_mixer2.py asserts
    # (num_heads % tp, and n_groups % tp unless n_groups == 1)
    assert vllm_tp.refusal(catalog.get(NANO)._replace(**changes), tp) == why


@pytest.mark.parametrize("tp", [1, 2, 4, 8])
def test_the_nemotron_row_starts_at_every_degree_up_to_8(tp: int) -> None:
    # 32 attention heads, 2 KV heads, 64 Mamba heads, 8 groups (its cited config.json)
    assert vllm_tp.refusal(catalog.get(NANO), tp) is None


def test_a_single_mamba2_group_is_replicated_at_any_degree() -> None:
    assert vllm_tp.refusal(catalog.get(NANO)._replace(mamba_groups=1), 8) is None


def test_mla_heads_are_not_checked_as_kv_heads() -> None:
    # DeepSeek-V3's row names 128 KV heads; under MLA vLLM keeps one latent and splits no KV heads
    assert vllm_tp.refusal(catalog.get("deepseek-ai/DeepSeek-V3-0324")._replace(kv_heads=3), 8) is None


def test_phi_4_does_not_fit_4_t4s_because_vllm_fails_at_tp_4() -> None:
    # 40 attention heads, 10 KV heads: TP 4 divides the first, not the second (llama.py, which phi3.py extends)
    row = planning.fit(catalog.get("phi-4"), gpu_sku("Standard_NC64as_T4_v3"), context=8192)
    assert not row.fits
    assert row.reason.endswith(
        "; vLLM v0.24.0 fails to start it at tensor parallel 4: 4 does not divide its 10 KV heads"
    )


def test_a_size_the_user_picks_says_so_in_one_error_line() -> None:
    plan = planning.plan(catalog.get("phi-4"), runtime="vllm", context=8192)
    with pytest.raises(UsageError) as err:
        planning.check_vm_size(plan, "Standard_NC64as_T4_v3")
    assert "\n" not in err.value.message
    assert "fails to start it at tensor parallel 4: 4 does not divide its 10 KV heads" in err.value.message


def test_a_size_that_fits_below_the_refused_degree_names_none() -> None:
    assert planning.fit(catalog.get("phi-4"), gpu_sku("Standard_NC24ads_A100_v4"), context=8192).reason == ""


def test_a_kaito_node_whose_gpu_count_vllm_refuses_does_not_fit() -> None:
    # KAITO sets --tensor-parallel-size to the node's GPUs where the model is not under half of one GPU
    # (kaito-project/kaito pkg/model/interface.go configureParallelism, modelFitsOnSingleGPU): falcon-7b's 71
    # attention heads refuse TP 2 on 2 x A10
    row = planning.kaito_fit(catalog.get("tiiuae/falcon-7b"), gpu_sku("Standard_NV72ads_A10_v5"), context=2048)
    assert not row.fits
    assert row.reason == (
        "KAITO runs vLLM at tensor parallel 2 (the node's GPUs), which vLLM v0.25.1 (KAITO's) fails to start: "
        "2 does not divide its 71 attention heads"
    )


def test_a_kaito_node_that_serves_on_one_gpu_is_not_refused() -> None:
    row = planning.kaito_fit(catalog.get("tiiuae/falcon-7b"), gpu_sku("Standard_NV36ads_A10_v5"), context=2048)
    assert (row.fits, row.tensor_parallel) == (True, 1)
