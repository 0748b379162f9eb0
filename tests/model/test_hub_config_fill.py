"""``--hub-config`` completes a described model: each description flag not given is read from
config.json (the keys vLLM reads) and --weights-gib from the repo's file list (the weight files
KAITO's generator counts), and one line on stderr names what came from the Hub; a flag given wins
(upstream: vllm-project/vllm v0.25.1 vllm/transformers_utils/model_arch_config_convertor.py;
kaito-project/kaito v0.12.0 presets/workspace/generator/generator.go selectWeightFiles;
huggingface/huggingface_hub ee0a4510 src/huggingface_hub/hf_api.py list_repo_tree,
utils/_pagination.py paginate)."""

from __future__ import annotations

import json
from typing import Any

from tests.cli import invoke
from tests.emulators.kube import hf_hub
from tests.emulators.kube.hf_hub_server import HubServer
from tests.model.test_hub_config import REPO
from tests.model.test_hub_config import hub as hub

GIB = 1 << 30
QWEN = {
    "architectures": ["Qwen2ForCausalLM"],
    "model_type": "qwen2",
    "num_hidden_layers": 28,
    "num_attention_heads": 28,
    "num_key_value_heads": 4,
    "hidden_size": 3584,
    "max_position_embeddings": 32768,
}
SHARDS = {"model-00001-of-00002.safetensors": 8 * GIB, "model-00002-of-00002.safetensors": 7 * GIB}
TREE = f"/api/models/{REPO}/tree/main?recursive=true&expand=false"
INFO = f"/api/models/{REPO}?expand=safetensors"


def _put(hub: HubServer, config: dict[str, Any], **files: Any) -> None:
    hub.repos[REPO] = {"config.json": config, **(files or SHARDS)}  # type: ignore[index]


def _planned(*args: str) -> tuple[dict[str, Any], str]:
    result = invoke("model", "plan", REPO, "--hub-config", "--runtime", "vllm", *args, "-o", "json")
    assert result.exit_code == 0, result
    return json.loads(result.stdout)["model"], result.stderr


def test_the_flag_alone_describes_the_model_from_config_json_and_the_file_list(hub: HubServer) -> None:
    _put(hub, QWEN)
    model, _ = _planned()
    assert (model["layers"], model["attention_heads"], model["kv_heads"], model["head_dim"]) == (28, 28, 4, 128)
    assert (model["context"], model["weights_gib"]) == (32768, 15.0)


def test_one_line_on_stderr_names_the_values_that_came_from_the_hub(hub: HubServer) -> None:
    _put(hub, QWEN)
    _, stderr = _planned("--layers", "28")
    assert (
        f"from {REPO} on Hugging Face: --attention-heads 28 --kv-heads 4 --hidden-size 3584 --max-context 32768 "
        "(max_position_embeddings) --weights-gib 15 (its 2 .safetensors files)"
    ) in stderr
    assert "--layers 28" not in stderr  # given, not read


def test_a_flag_given_wins_over_config_json(hub: HubServer) -> None:
    _put(hub, QWEN)
    model, _ = _planned("--max-context", "8192", "--weights-gib", "20")
    assert (model["context"], model["weights_gib"]) == (8192, 20.0)


def test_with_weights_gib_the_file_list_is_read_for_the_repos_format_and_the_size_is_the_flags(
    hub: HubServer,
) -> None:
    # vLLM v0.12.0+ lists the repo at start to see whether it reads params.json (a Mistral-format repo)
    _put(hub, QWEN)
    model, stderr = _planned("--weights-gib", "20")
    assert model["weights_gib"] == 20.0 and "(its 2 .safetensors files)" not in stderr
    assert [path for path, _ in hub.requests] == [f"/{REPO}/resolve/main/config.json", TREE, INFO]


def test_on_v0_11_the_file_list_is_not_asked_when_weights_gib_is_given(hub: HubServer) -> None:
    # vLLM v0.11.x reads config.json whatever the repo's files: the list would change nothing
    _put(hub, QWEN)
    _planned("--weights-gib", "20", "--image", "vllm/vllm-openai:v0.11.0")
    assert [path for path, _ in hub.requests] == [f"/{REPO}/resolve/main/config.json", INFO]


def test_the_file_lists_pages_are_followed_to_the_last(hub: HubServer) -> None:
    hub.page_size = 1
    _put(hub, QWEN)
    model, _ = _planned()
    assert model["weights_gib"] == 15.0
    assert [path for path, _ in hub.requests][1:] == [TREE, f"{TREE}&cursor=1", f"{TREE}&cursor=2", INFO]


def test_a_mistral_format_repo_counts_only_its_consolidated_files(hub: HubServer) -> None:
    _put(hub, QWEN, **{"consolidated.safetensors": 14 * GIB, **SHARDS})
    model, _ = _planned()
    assert model["weights_gib"] == 14.0


def test_bin_files_count_only_where_there_are_no_safetensors(hub: HubServer) -> None:
    _put(hub, QWEN, **{"pytorch_model.bin": 4 * GIB, "model.safetensors": 3 * GIB})
    model, _ = _planned()
    assert model["weights_gib"] == 3.0


def test_a_multimodal_models_values_are_read_from_its_text_config(hub: HubServer) -> None:
    _put(hub, {"architectures": ["Qwen2VLForConditionalGeneration"], "model_type": "qwen2_vl", "text_config": QWEN})
    model, _ = _planned()
    assert (model["layers"], model["kv_heads"], model["architecture"]) == (28, 4, "Qwen2VLForConditionalGeneration")


def test_the_kv_heads_are_the_attention_heads_where_config_json_names_none(hub: HubServer) -> None:
    # LlamaConfig's num_key_value_heads defaults to None: the attention heads (transformers __post_init__)
    llama = {**QWEN, "model_type": "llama", "architectures": ["LlamaForCausalLM"]}
    _put(hub, {k: v for k, v in llama.items() if k != "num_key_value_heads"})
    model, _ = _planned()
    assert model["kv_heads"] == 28


def test_an_fp8_quantization_config_sets_the_quantization(hub: HubServer) -> None:
    _put(hub, {**QWEN, "quantization_config": {"quant_method": "fp8"}})
    model, stderr = _planned()
    assert model["quantization"] == "fp8"
    assert "--quantization fp8" in stderr


def test_with_kaito_the_max_context_is_the_smaller_of_vllms_and_kaitos_limits(hub: HubServer) -> None:
    rope = {"rope_scaling": {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32768}}
    _put(hub, {**QWEN, **rope})
    result = invoke("model", "plan", REPO, "--hub-config", "--runtime", "kaito", "-o", "json")
    assert result.exit_code == 0, result
    assert json.loads(result.stdout)["model"]["context"] == 32768  # vLLM's is 131072
    assert "--max-context 32768 (max_position_embeddings, KAITO's token limit)" in result.stderr


def test_a_model_type_vllm_reads_its_own_way_keeps_its_attention_flags_required(hub: HubServer) -> None:
    _put(hub, {**QWEN, "model_type": "falcon", "architectures": ["FalconForCausalLM"]})
    result = invoke("model", "plan", REPO, "--hub-config", "--runtime", "vllm")
    assert result.exit_code == 2, result
    assert f"error: describing {REPO} needs --layers, --attention-heads" in result.stderr
    assert f"hint: {REPO}'s config.json on Hugging Face does not give them" in result.stderr


def test_a_bad_value_given_with_the_flag_is_refused_before_the_hub_is_asked(hub: HubServer) -> None:
    _put(hub, QWEN)
    result = invoke("model", "plan", REPO, "--hub-config", "--layers", "0")
    assert result.exit_code == 2, result
    assert hub.requests == []


def test_a_catalog_model_with_the_flag_alone_is_still_refused(hub: HubServer) -> None:
    result = invoke("model", "plan", "microsoft/phi-4", "--hub-config")
    assert result.exit_code == 2, result
    assert hub.requests == []


def test_a_gated_repos_file_list_is_read_with_the_token_that_opens_its_config(hub: HubServer, monkeypatch: Any) -> None:
    hub.repos[REPO] = hf_hub.repo(QWEN, gated=["hf_user"], **SHARDS)  # type: ignore[index]
    monkeypatch.setenv("HF_TOKEN", "hf_user")
    model, _ = _planned()
    assert model["weights_gib"] == 15.0
    assert {auth for _, auth in hub.requests} == {"Bearer hf_user"}


def test_a_name_that_is_neither_in_the_catalog_nor_an_org_name_id_gets_the_catalogs_nearest_names(
    hub: HubServer,
) -> None:
    result = invoke("model", "plan", "phi-4x", "--hub-config")
    assert result.exit_code == 2, result
    assert "error: MODEL: unknown model 'phi-4x'" in result.stderr
    assert "did you mean" in result.stderr
    assert hub.requests == []


def test_a_file_list_past_its_page_bound_is_one_line_whose_fix_is_weights_gib(hub: HubServer, monkeypatch: Any) -> None:
    from akscli.model import hub_config

    monkeypatch.setattr(hub_config, "MAX_PAGES", 1)
    hub.page_size = 1
    _put(hub, QWEN)
    result = invoke("model", "plan", REPO, "--hub-config", "--runtime", "vllm")
    assert result.exit_code == 1, result
    assert f"error: {REPO}'s file list on Hugging Face runs to more than 1 pages" in result.stderr
    assert "hint: give the size of its weight files yourself: --weights-gib GIB" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_next_page_on_another_server_is_refused_with_weights_gib_as_the_fix(hub: HubServer) -> None:
    _put(hub, QWEN)
    hub.queue(200, {"Content-Type": "application/json"}, json.dumps(QWEN).encode())
    hub.queue(200, {"Link": '<http://elsewhere.invalid/next>; rel="next"'}, b"[]")
    result = invoke("model", "plan", REPO, "--hub-config", "--runtime", "vllm")
    assert result.exit_code == 1, result
    assert f"error: Hugging Face sent {REPO}'s file list on to another server" in result.stderr
    assert "hint: give the size of its weight files yourself: --weights-gib GIB" in result.stderr
    assert not any("elsewhere" in path for path, _ in hub.requests)
