"""Pipeline-parallel plans split the layers the way vLLM does, and the fullest stage bounds the fit
(akscli.model.vllm_tp.stage_layers / heaviest_stage; vllm-project/vllm v0.25.1 vllm/distributed/utils.py
get_pp_indices and vllm/v1/core/kv_cache_utils.py get_kv_cache_configs; KAITO's multi-node layout,
kaito-project/kaito pkg/model/interface.go configureParallelism: TP = the node's GPUs, PP = the nodes)."""

from __future__ import annotations

import pytest

from akscli.model import catalog, planning, vllm_tp

from .conftest import gpu_sku

LLAMA_70B = "meta-llama/Llama-3.3-70B-Instruct"


@pytest.mark.parametrize(
    ("layers", "stages", "split"),
    [
        (64, 2, [32, 32]),
        (61, 2, [31, 30]),  # the remainder goes to the stage before the last
        (62, 4, [15, 16, 16, 15]),  # 62 // 4 = 15, remainder 2: partitions[-2] and [-3] take one each
        (48, 15, [3] * 11 + [4, 4, 4, 3]),
    ],
)
def test_vllm_splits_the_layers_over_the_stages_with_the_remainder_before_the_last(
    layers: int, stages: int, split: list[int]
) -> None:
    assert vllm_tp.stage_layers(layers, stages) == split


def test_one_stage_holds_every_layer() -> None:
    assert vllm_tp.heaviest_stage(61, 1) == 1.0


def test_the_fullest_of_two_stages_over_61_layers_holds_31() -> None:
    assert vllm_tp.heaviest_stage(61, 2) == 31 / 61


def test_a_two_node_vllm_plan_puts_the_fullest_stage_on_each_gpu() -> None:
    # DeepSeek-R1 on 2 x ND96isr_H100_v5 (TP 8 x PP 2): 641.3 GiB x 1.02 = 654.13 GiB of weights; the fullest
    # stage holds 31 of 61 layers, 654.13 x 31 / 61 / 8 = 41.55 GiB a GPU (an even split said 40.88)
    row = planning.fit(catalog.get("deepseek-ai/DeepSeek-R1-0528"), gpu_sku("Standard_ND96isr_H100_v5"), context=8192)
    assert (row.tensor_parallel, row.pipeline_parallel, row.nodes) == (8, 2, 2)
    assert row.weights_per_gpu_gib == 41.55
    assert row.memory_per_gpu_gib == 44.13


def test_a_model_whose_fullest_stage_overflows_two_nodes_takes_three() -> None:
    # Llama 3.3 70B's heads with 1084 GiB of weights on ND96isr_H100_v5 (8 x 80 GiB, 69.7 GiB usable a GPU):
    # 1084 x 1.02 + the KV cache (2.56 GiB over 81 layers) = 1108.2 GiB. An even split over 2 nodes asks
    # 1108.2 / 16 = 69.26 GiB a GPU, which fits; vLLM's fullest stage holds 41 of the 81 layers,
    # 1108.2 x 41 / 81 / 8 = 70.12 GiB, which does not: three stages (27 layers each)
    model = catalog.get(LLAMA_70B)._replace(id="example/81-layers", layers=81, weights_gib=1084.0)
    row = planning.fit(model, gpu_sku("Standard_ND96isr_H100_v5"), context=8192)
    assert (row.tensor_parallel, row.pipeline_parallel, row.nodes) == (8, 3, 3)


def test_the_same_weights_over_80_layers_fit_two_nodes() -> None:
    model = catalog.get(LLAMA_70B)._replace(id="example/80-layers", layers=80, weights_gib=1084.0)
    row = planning.fit(model, gpu_sku("Standard_ND96isr_H100_v5"), context=8192)
    assert (row.tensor_parallel, row.pipeline_parallel, row.nodes) == (8, 2, 2)


def test_kaito_nodes_whose_fullest_stage_overflows_the_gpu_are_warned() -> None:
    # KAITO's estimator gives Qwen3.5-122B-A10B 15 A10 nodes (its even per-GPU sizing); vLLM runs them as 15
    # stages over 48 layers, the fullest holding 4 (48 / 15 = 3.2): 22.17 GiB a GPU against 24 x 0.82 = 19.68
    row = planning.kaito_fit(catalog.get("Qwen/Qwen3.5-122B-A10B"), gpu_sku("Standard_NV36ads_A10_v5"), context=8192)
    assert (row.fits, row.nodes, row.pipeline_parallel, row.memory_per_gpu_gib) == (True, 15, 15, 22.17)
    assert row.warnings[-1] == (
        "KAITO's 15 nodes are 15 vLLM pipeline stages over 48 layers; the fullest holds 4 (22.17 GiB a GPU), over "
        "the 19.68 GiB vLLM may use: likely short of memory at start"
    )


def test_kaito_nodes_whose_stages_fit_carry_no_stage_warning() -> None:
    # Llama 3.3 70B on 3 x NC24ads_A100_v4: 80 layers as 27 + 27 + 26, 48.39 GiB a GPU of 80 x 0.84
    row = planning.kaito_fit(catalog.get(LLAMA_70B), gpu_sku("Standard_NC24ads_A100_v4"), context=8192)
    assert (row.nodes, row.memory_per_gpu_gib) == (3, 48.39)
    assert not [w for w in row.warnings if "pipeline stages" in w]


def test_a_size_whose_even_split_fits_but_fullest_stage_does_not_says_so() -> None:
    # 20 layers, 7000 GiB: 7140.6 GiB over 16 x 8 H100s is 55.8 a GPU under an even split (69.7 usable), but
    # 16 stages over 20 layers hold 2 on four of them: 7140.6 x 2 / 20 / 8 = 89.3 GiB a GPU
    model = catalog.get(LLAMA_70B)._replace(id="example/20-layers", layers=20, weights_gib=7000.0)
    row = planning.fit(model, gpu_sku("Standard_ND96isr_H100_v5"), context=8192)
    assert not row.fits
    assert row.reason.endswith(
        "128 x 80 GiB GPUs leave 8921.6 GiB, but vLLM's fullest of 16 pipeline stages holds 2 of 20 layers: "
        "89.3 GiB a GPU"
    )
    assert row.shortfall_gib > 0
