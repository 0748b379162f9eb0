"""The model catalog: lookups, suggestions, KV sizing and agreement with KAITO's data."""

from __future__ import annotations

import functools

import pytest
from ruamel.yaml import YAML

from akscli.errors import UsageError
from akscli.model import catalog

from ._shared import kaito_catalog_path


@functools.cache
def _kaito() -> dict[str, dict]:
    return {m["name"]: m for m in YAML(typ="safe", pure=True).load(kaito_catalog_path().read_text())["models"]}


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


def _described(**flags: object) -> catalog.Description:
    base: dict[str, object] = {"weights_gib": 13, "layers": 32, "attention_heads": 32, "max_context": 8192}
    return catalog.Description(**{**base, "head_dim": 128, **flags})  # type: ignore[arg-type]


def test_a_name_without_description_flags_is_looked_up_in_the_catalog() -> None:
    assert catalog.resolve("phi-4", catalog.Description()) is catalog.get("phi-4")


def test_a_described_model_gets_its_kv_heads_from_the_flags() -> None:
    assert catalog.resolve("acme/tiny-7b", _described(kv_heads=8)).kv_heads == 8


def test_zero_kv_heads_is_refused_not_taken_as_no_value() -> None:
    with pytest.raises(UsageError, match="--kv-heads"):
        catalog.resolve("acme/tiny-7b", _described(kv_heads=0))


def test_kv_heads_must_divide_the_attention_heads() -> None:
    with pytest.raises(UsageError, match="must divide --attention-heads 32"):
        catalog.resolve("acme/tiny-7b", _described(kv_heads=5))


def test_a_hidden_size_below_the_head_count_is_refused() -> None:
    with pytest.raises(UsageError, match="--hidden-size"):
        catalog.resolve("acme/tiny-7b", _described(head_dim=None, hidden_size=8))


def test_the_unknown_model_hint_names_the_flags_plan_accepts() -> None:
    with pytest.raises(UsageError) as err:
        catalog.get("acme/unknown")
    assert "--max-context" in (err.value.hint or "") and "--context" not in (err.value.hint or "").replace(
        "--max-context", ""
    )


def test_a_model_as_a_dict_has_every_field_and_the_derived_figures() -> None:
    model = catalog.get("phi-4")
    assert model.to_dict() == {
        **{name: getattr(model, name) for name in catalog.Model._fields if name not in catalog.SHOWN_WHERE_SET},
        "name": model.name,
        "kv_bytes_per_token": model.kv_bytes_per_token,
        "quant_family": model.quant_family,
        "attention": "GQA",
    }


def test_only_a_model_with_a_sliding_window_shows_its_window_in_its_dict() -> None:
    gemma = catalog.get("google/gemma-3-4b-it").to_dict()
    assert (gemma["sliding_window"], gemma["sliding_window_pattern"]) == (1024, 6)
    assert not set(catalog.SHOWN_WHERE_SET) & set(catalog.get("phi-4").to_dict())


def test_only_a_row_marked_kv_estimated_says_so_in_its_dict() -> None:
    assert catalog.get("moonshotai/Kimi-K2.5").to_dict()["kv_estimated"] is True
    assert "kv_estimated" not in catalog.get("openai/gpt-oss-120b").to_dict()
