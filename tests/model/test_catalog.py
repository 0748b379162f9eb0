"""The model catalog: lookups, suggestions, KV sizing and agreement with KAITO's data."""

from __future__ import annotations

import functools

import pytest
from ruamel.yaml import YAML

from akscli import catalog
from akscli.errors import UsageError

from ._shared import kaito_catalog_path


@functools.cache
def _kaito() -> dict[str, dict]:
    return {m["name"]: m for m in YAML(typ="safe").load(kaito_catalog_path().read_text())["models"]}


def test_a_model_is_found_by_preset_name_or_hugging_face_id_in_any_case() -> None:
    assert catalog.get("phi-4") is catalog.get("MICROSOFT/PHI-4")


def test_an_unknown_model_names_the_closest_known_ones() -> None:
    with pytest.raises(UsageError) as err:
        catalog.get("llama-3.1-8b")
    assert "llama-3.1-8b-instruct" in (err.value.hint or "")


def test_catalog_rows_carry_kaitos_numbers() -> None:
    for name, k in _kaito().items():
        m = catalog.get(name)
        assert m.weights_gib == float(k["modelFileSize"].removesuffix("Gi")), name
        assert (m.layers, m.attention_heads, m.kv_heads, m.context) == (
            k["numHiddenLayers"],
            k["numAttentionHeads"],
            k["numKeyValueHeads"],
            k["modelTokenLimit"],
        ), name


def test_kv_bytes_per_token_counts_keys_and_values_of_every_layer_at_16_bit() -> None:
    # Llama 3.1 8B: 32 layers x 8 KV heads x 128 dims x (K and V) x 2 bytes.
    assert catalog.get("llama-3.1-8b-instruct").kv_bytes_per_token == 32 * 8 * 128 * 2 * 2


def test_kv_bytes_per_token_of_latent_attention_is_the_compressed_latent() -> None:
    # DeepSeek R1: (kv_lora_rank 512 + rope 64) x 61 layers x 2 bytes.
    assert catalog.get("deepseek-r1-0528").kv_bytes_per_token == (512 + 64) * 61 * 2


def test_head_dim_falls_back_to_hidden_size_over_heads() -> None:
    assert catalog.get("phi-3-mini-4k-instruct").head_dim == 3072 // 32


def test_search_matches_every_word() -> None:
    ids = [m.id for m in catalog.search("qwen awq")]
    assert ids == ["Qwen/Qwen3-8B-AWQ"]


def test_a_model_outside_the_catalog_is_described_by_its_config() -> None:
    m = catalog.custom(
        "acme/tiny-7b", weights_gib=13.0, layers=32, attention_heads=32, kv_heads=8, hidden_size=4096, context=8192
    )
    assert (m.head_dim, m.kv_bytes_per_token) == (128, 32 * 8 * 128 * 4)


def test_a_custom_model_needs_a_hugging_face_id() -> None:
    with pytest.raises(UsageError, match="not a Hugging Face id"):
        catalog.custom("tiny", weights_gib=1, layers=1, attention_heads=1, hidden_size=64, context=128)


def test_active_parameters_are_read_from_a_mixture_of_experts_name() -> None:
    assert catalog.get("nvidia/NVIDIA-Nemotron-3-Super-120B-A12B-BF16").active_parameters_b == 12
