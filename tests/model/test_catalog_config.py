"""A catalog model's config.json facts (models.yaml ``model_type``, ``auto_config``) judged under
``--runtime vllm`` as a Hub config is (akscli.model.remote_code), per transformers major: nemotron_h's
config class is only in transformers 5, so a transformers 4 image (vLLM v0.11.0, akscli's default before
v0.24.0) cannot load
NVIDIA-Nemotron-3-Nano-30B-A3B's config.json without the repo's own code."""

from __future__ import annotations

import pytest

from akscli import datafiles
from akscli.errors import UsageError
from akscli.model import catalog, remote_code, vllm_archs, vllm_versions
from tests.cli import invoke

NANO = "nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B-BF16"


def test_a_type_only_transformers_5_maps_is_refused_on_a_transformers_4_image_with_the_image_that_loads_it() -> None:
    config = catalog.config_of(NANO)
    assert config == {
        "model_type": "nemotron_h",
        "architectures": ["NemotronHForCausalLM"],
        "auto_map": {"AutoConfig": "configuration_nemotron_h.NemotronHConfig"},
    }
    with pytest.raises(
        UsageError, match=r"neither the image's transformers 4 nor vLLM v0\.11\.0's own configs"
    ) as refused:
        remote_code.check(NANO, config, "v0.11.0", trusted=False)
    assert "use --image vllm/vllm-openai:v0.24.0 (CUDA 13: NVIDIA driver 580 or later;" in (refused.value.hint or "")
    assert remote_code.check(NANO, config, "v0.24.0", trusted=False) is None
    unsure = remote_code.check(NANO, config, "v0.20.0", trusted=False)  # wheel allows either major
    assert unsure is not None and "does not know which major" in unsure
    # vLLM v0.11.0 loads deepseek_v32 (transformers 5 only) with its own config class
    assert remote_code.check("x/y", {**config, "model_type": "deepseek_v32"}, "v0.11.0", trusted=False) is None
    assert catalog.config_of("meta-llama/Llama-3.3-70B-Instruct") is None  # no model_type recorded: not judged


def test_the_recorded_facts_are_in_step_with_their_sources_and_the_data() -> None:
    rows = [r for r in datafiles.load("models")["models"] if "model_type" in r or "auto_config" in r]
    assert rows
    for row in rows:
        assert row.get("config_source") and "model_type" in row, row["id"]
        # a derived model_type: one transformers maps, its auto_map not read
        if row["config_source"].startswith("derived:"):
            assert "auto_config" not in row and row["model_type"] in remote_code.transformers_types(), row["id"]
    assert not remote_code._type_sections()["4"] & remote_code._type_sections()["5"]
    assert remote_code._type_sections()["5.5.3"] <= remote_code.transformers_types()
    named = {name for name, _ in vllm_archs.sections(remote_code.VLLM_CONFIGS)}
    assert named <= vllm_versions.RELEASES


def test_deploy_and_plan_refuse_the_catalog_model_under_a_transformers_4_image() -> None:
    for command in ("deploy", "plan"):
        refused = invoke(
            "model",
            command,
            NANO,
            "--runtime",
            "vllm",
            "--image",
            "vllm/vllm-openai:v0.11.0",
            *(["--dry-run", "client"] * (command == "deploy")),
        )
        assert refused.exit_code == 2, refused
        lines = refused.stderr.splitlines()
        assert lines[0] == (
            f"error: {NANO}'s config.json needs the repo's own code (model_type nemotron_h, auto_map AutoConfig), "
            "which neither the image's transformers 4 nor vLLM v0.11.0's own configs know: without "
            "--trust-remote-code vLLM exits at start"
        )
        assert lines[1] == f"hint: {remote_code.hint(image='v0.24.0')}" and refused.stdout == ""


GEMMA4 = "google/gemma-4-E2B-it"


def test_a_model_type_derived_from_the_architecture_is_judged_alone_where_no_transformers_or_vllm_maps_it() -> None:
    config = catalog.config_of(GEMMA4)  # auto_map not read: judged on its model_type
    assert config == {"model_type": "gemma4", "architectures": ["Gemma4ForConditionalGeneration"]}
    assert not catalog.auto_map_read(GEMMA4) and catalog.auto_map_read(NANO)
    with pytest.raises(
        UsageError, match=r"model_type gemma4, which neither the image's transformers 4 nor vLLM v0\.19\.0's own"
    ) as refused:
        remote_code.check(GEMMA4, config, "v0.19.0", trusted=False, auto_map_read=False)
    assert refused.value.hint == "use --image vllm/vllm-openai:v0.24.0, or use --runtime kaito"
    assert remote_code.check(GEMMA4, config, "v0.24.0", trusted=False, auto_map_read=False) is None
    unsure = remote_code.check(GEMMA4, config, "v0.20.0", trusted=False, auto_map_read=False)
    assert unsure is not None and "does not know which major" in unsure
    assert remote_code.check(GEMMA4, config, "v0.11.0", trusted=True, auto_map_read=False) is None
    # Qwen3.5-9B's config.json was read: it names no AutoConfig, so --trust-remote-code cannot load it either
    read = catalog.config_of("Qwen/Qwen3.5-9B") or {}
    assert "auto_map" not in read and catalog.auto_map_read("Qwen/Qwen3.5-9B")
    with pytest.raises(UsageError, match=r"exits at start with or without --trust-remote-code"):
        remote_code.check("Qwen/Qwen3.5-9B", read, "v0.11.0", trusted=True)
    qwen = catalog.config_of("Qwen/Qwen3.5-2B") or {}  # vLLM's own qwen3_5 class from v0.17.0
    assert remote_code.check("q", qwen, "v0.17.0", trusted=False, auto_map_read=False) is None
    unified = catalog.config_of("google/gemma-4-12B-it") or {}  # only transformers v5.25.0 maps it
    with pytest.raises(UsageError) as no_image:
        remote_code.check("g", unified, "v0.11.0", trusted=False, auto_map_read=False)
    assert no_image.value.hint == "use --runtime kaito"
    phi4 = catalog.config_of("microsoft/phi-4") or {}
    for release in vllm_versions.RELEASES:  # phi3: every transformers read maps it
        assert remote_code.check("p", phi4, release, trusted=False, auto_map_read=False) is None


def test_deploy_refuses_a_derived_type_an_older_image_cannot_load() -> None:
    refused = invoke("model", "deploy", "Qwen/Qwen3.5-2B", "--runtime", "vllm", "--image", "vllm/vllm-openai:v0.11.0",
                     "--dry-run", "client", "-o", "yaml")  # fmt: skip
    assert refused.exit_code == 2, refused
    assert refused.stderr.splitlines() == [
        "error: Qwen/Qwen3.5-2B's config.json has model_type qwen3_5, which neither the image's transformers 4 nor "
        "vLLM v0.11.0's own configs know: vLLM exits at start (only the repo's own config code, if it ships one, "
        "loads it with --trust-remote-code)",
        "hint: use --image vllm/vllm-openai:v0.17.0, or use --runtime kaito",
    ]
    assert refused.stdout == ""


def test_deepseek_r1_distill_llama_8b_is_judged_on_the_llama_type_its_hub_model_info_names() -> None:
    # daniel-p-green/alain-ai-learning-platform out/research-deepseek-ai-deepseek-r1-distill-llama-8b/sources/
    # huggingface/model.json (522537bc): the Hub's config summary, model_type llama, no auto_map
    config = catalog.config_of("deepseek-ai/DeepSeek-R1-Distill-Llama-8B")
    assert config == {"model_type": "llama", "architectures": ["LlamaForCausalLM"]}
    assert remote_code.check("deepseek-ai/DeepSeek-R1-Distill-Llama-8B", config, "v0.11.0", trusted=False) is None


def test_gemma_3_is_judged_on_the_gemma3_type_transformers_conversion_script_writes() -> None:
    # huggingface/transformers src/transformers/models/gemma3/convert_gemma3_weights_orbax_to_hf.py (0d914582)
    # saves each variant as a Gemma3Config (configuration_gemma3.py: model_type "gemma3"), no auto_map; the
    # architecture alone maps from gemma3 and shieldgemma2, so these rows were not judged before
    for model_id in ("google/gemma-3-4b-it", "google/gemma-3-27b-it"):
        config = catalog.config_of(model_id)
        assert config == {"model_type": "gemma3", "architectures": ["Gemma3ForConditionalGeneration"]}, model_id
        assert not catalog.auto_map_read(model_id)
        assert remote_code.check(model_id, config, "v0.11.0", trusted=False) is None  # transformers 4 maps gemma3


# The shape each row was checked against, as its authors publish it (rows' shape_source):
# - meta-llama/llama-models models/sku_list.py (5309637c) llama3_3_instruct_models: dim 8192, n_layers 80,
#   n_heads 64, n_kv_heads 8 (head_dim dim / n_heads);
# - google/gemma_pytorch gemma/config.py (014acb7a) get_config_for_4b and get_config_for_27b_v3, and the same
#   numbers in transformers' convert_gemma3_weights_orbax_to_hf.py _VARIANTS (131072 positions: the 27b's own,
#   the 4b's Gemma3TextConfig default).
AUTHORS_SHAPES = {
    "meta-llama/Llama-3.3-70B-Instruct": {
        "layers": 80, "hidden_size": 8192, "attention_heads": 64, "kv_heads": 8, "head_dim": 128, "context": 131072,
    },
    "google/gemma-3-4b-it": {
        "layers": 34, "hidden_size": 2560, "attention_heads": 8, "kv_heads": 4, "head_dim": 256, "context": 131072,
    },
    "google/gemma-3-27b-it": {
        "layers": 62, "hidden_size": 5376, "attention_heads": 32, "kv_heads": 16, "head_dim": 128, "context": 131072,
    },
}  # fmt: skip


def test_the_rows_shapes_are_the_ones_their_authors_publish() -> None:
    rows = {row["id"]: row for row in datafiles.load("models")["models"]}
    for model_id, shape in AUTHORS_SHAPES.items():
        row = rows[model_id]
        assert row.get("shape_source"), model_id
        assert {key: row[key] for key in shape} == shape, model_id
    checked = {model_id for model_id, row in rows.items() if row.get("shape_source")}
    assert checked == set(AUTHORS_SHAPES)  # a new shape_source needs its numbers here
