"""A model outside KAITO's catalog: KAITO's webhook reads its config.json from the Hugging Face Hub
when it admits the Workspace and refuses a max-model-len above the token limit it finds there (the
first of max_position_embeddings, n_ctx, seq_length, max_seq_len, max_sequence_length and
model_max_length, a multimodal model's text_config included, else 2048). akscli cannot read the
Hub, so it checks --max-model-len against --max-context; where they differ, KAITO's refusal comes
at the apply (no dry run can ask it before the inference ConfigMap is stored), and nothing of the
model is left. vLLM's own rule at start is config.json's model_max_length, else the smallest of
its keys (vllm-project/vllm v0.11.0 and v0.25.1 vllm/config/model.py _get_and_verify_max_len):
the plan says so for a model served by akscli's own vLLM (upstream: kaito-project/kaito v0.12.0 0894eb2b
api/v1beta1/inference_config_validation.go; presets/workspace/models/vllm_model.go GetModelByName;
presets/workspace/generator/generator.go Generate, mergeTextConfig, ParseModelMetadata, getInt;
model_catalog.go configKeyMap)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.emulators.kube import hf_hub
from tests.emulators.kube.admission_kaito_config import hub_token_limit
from tests.emulators.kube.controllers.kaito import KAITO

Start = Callable[..., Any]
REPO = "acme/coder-7b"
DESCRIBED = [
    "--weights-gib", "14", "--layers", "32", "--attention-heads", "32", "--kv-heads", "8",
    "--head-dim", "128", "--max-context", "32768",
]  # fmt: skip


LLAMA_4096 = hf_hub.repo({"architectures": ["LlamaForCausalLM"], "max_position_embeddings": 4096})


def _deploy(*args: str) -> Any:
    return invoke("model", "deploy", REPO, *DESCRIBED, "--vm-size", "Standard_NC24ads_A100_v4", *args, "-y")


# ---- the token limit KAITO reads from config.json -------------------------------------------


def test_the_first_key_present_is_the_limit_not_the_smallest() -> None:
    assert hub_token_limit({"max_position_embeddings": 8192, "seq_length": 4096}) == 8192


def test_a_config_without_any_of_the_keys_is_held_to_2048() -> None:
    assert hub_token_limit({"architectures": ["LlamaForCausalLM"], "n_positions": 32768}) == 2048


def test_a_multimodal_models_text_config_gives_the_limit() -> None:
    assert (
        hub_token_limit(
            {"architectures": ["Gemma3ForConditionalGeneration"], "text_config": {"max_position_embeddings": 131072}}
        )
        == 131072
    )


def test_a_top_level_key_wins_over_the_same_key_in_text_config() -> None:
    config = {"max_position_embeddings": 4096, "text_config": {"max_position_embeddings": 131072}}
    assert hub_token_limit(config) == 4096


def test_a_key_earlier_in_kaitos_order_in_text_config_wins_over_a_later_top_level_one() -> None:
    # mergeTextConfig promotes the nested keys first; the order of the keys then decides.
    assert hub_token_limit({"seq_length": 4096, "text_config": {"max_position_embeddings": 131072}}) == 131072


def test_a_value_that_is_no_number_is_passed_over() -> None:
    assert hub_token_limit({"max_position_embeddings": None, "n_ctx": "4096"}) == 4096


# ---- a deploy KAITO refuses -----------------------------------------------------------------


def test_max_context_above_config_jsons_limit_is_refused_by_kaito_and_nothing_is_left(model_emulator: Start) -> None:
    emu = model_emulator()
    emu.api.huggingface_hub[REPO] = LLAMA_4096
    result = _deploy("--max-model-len", "8192")
    assert result.exit_code != 0, result
    assert "max-model-len 8192 exceeds model's maximum supported context window 4096 (ModelTokenLimit)" in result.stderr
    assert "Traceback" not in result.stderr
    assert emu.cluster.get(KAITO, "Workspace", "default", "coder-7b") is None
    assert emu.cluster.get("v1", "ConfigMap", "default", "coder-7b-inference-config") is None


def test_a_max_model_len_within_config_jsons_limit_is_deployed(model_emulator: Start) -> None:
    emu = model_emulator()
    emu.api.huggingface_hub[REPO] = LLAMA_4096
    result = _deploy("--max-model-len", "4096")
    assert result.exit_code == 0, result
    assert emu.cluster.get(KAITO, "Workspace", "default", "coder-7b") is not None


def test_a_server_dry_run_cannot_ask_kaito_before_the_configmap_is_stored(model_emulator: Start) -> None:
    # Why the note does not send the user to --dry-run=server: KAITO reads the ConfigMap as stored.
    emu = model_emulator()
    emu.api.huggingface_hub[REPO] = LLAMA_4096
    result = invoke("model", "deploy", REPO, *DESCRIBED, "--max-model-len", "8192", "--dry-run=server")
    assert result.exit_code == 0, result
    assert "KAITO checks its inference.config once configmap/coder-7b-inference-config exists" in result.stdout


# ---- what the plan says ---------------------------------------------------------------------


def test_the_kaito_note_says_kaito_checks_the_limit_when_the_workspace_is_created() -> None:
    result = invoke("model", "deploy", REPO, *DESCRIBED, "--max-model-len", "8192", "--dry-run=client")
    assert result.exit_code == 0, result
    assert "--dry-run=server asks" not in result.stderr
    assert (
        "no dry run can ask KAITO before the inference ConfigMap is stored, so KAITO checks it when the Workspace "
        "is created"
    ) in result.stderr
    assert "vLLM itself exits at start with max-model-len 8192 above config.json's model_max_length" in result.stderr
    assert "vLLM's length keys: max_position_embeddings" in result.stderr


def test_a_described_model_on_akscli_s_vllm_says_what_vllm_holds_max_model_len_to() -> None:
    result = invoke(
        "model", "deploy", REPO, *DESCRIBED, "--runtime", "vllm", "--max-model-len", "8192", "--dry-run=client"
    )
    assert result.exit_code == 0, result
    assert (
        f"akscli checked max-model-len 8192 against --max-context 32768 only: it did not read {REPO}'s config.json "
        "(--hub-config reads it)\n"
    ) in result.stderr
    assert (
        "vLLM itself exits at start with max-model-len 8192 above config.json's model_max_length where it has one, "
        "else the smallest of its length keys (times its RoPE scaling factor; 2048 if none)\n"
    ) in result.stderr
    assert (
        "vLLM's length keys: max_position_embeddings, n_positions, max_seq_len, seq_length, max_target_positions, "
        "max_sequence_length, max_seq_length, seq_len; give --max-context the limit they set"
    ) in result.stderr


def test_vllms_rule_puts_config_jsons_model_max_length_before_the_smallest_key() -> None:
    # vllm-project/vllm v0.11.0 and v0.25.1 _get_and_verify_max_len: "For Command-R / Cohere ...
    # models", a model_max_length in config.json replaces the smallest of the keys.
    from akscli.model.catalog import vllm_limit_rule

    rule, keys = vllm_limit_rule(8192)
    assert "above config.json's model_max_length where it has one, else the smallest of its length keys" in rule
    assert "model_max_length" not in keys


def test_model_plan_for_vllm_lists_the_vllm_note_among_its_warnings() -> None:
    result = invoke("model", "plan", REPO, *DESCRIBED, "--runtime", "vllm", "-o", "json")
    assert result.exit_code == 0, result
    warnings = json.loads(result.stdout)["warnings"]
    assert any(w.startswith("akscli checked max-model-len 8192 against --max-context 32768 only") for w in warnings)


def test_a_catalog_model_on_akscli_s_vllm_gets_no_note() -> None:
    result = invoke("model", "deploy", "phi-4", "--runtime", "vllm", "--dry-run=client")
    assert result.exit_code == 0, result
    assert "akscli checked max-model-len" not in result.stderr


# ---- a described model whose id is in KAITO's catalog -----------------------------------------

PHI4_DESCRIBED = [
    "--weights-gib", "29", "--layers", "40", "--attention-heads", "40", "--kv-heads", "10",
    "--head-dim", "128", "--max-context", "65536",
]  # fmt: skip


def test_a_described_model_in_kaitos_catalog_is_held_to_its_catalog_limit_before_anything_is_sent() -> None:
    # KAITO takes microsoft/phi-4's token limit from the catalog it embeds (modelTokenLimit 16384),
    # not from the --max-context typed: akscli refuses what KAITO's webhook would.
    result = invoke(
        "model", "deploy", "microsoft/phi-4", *PHI4_DESCRIBED, "--max-model-len", "32768", "--dry-run=client"
    )
    assert result.exit_code == 2, result
    assert (
        "max-model-len 32768 is above KAITO's token limit for microsoft/phi-4, 16384 (the modelTokenLimit of the "
        "catalog KAITO embeds, not --max-context 65536): KAITO's webhook refuses it"
    ) in result.stderr
    assert "use --max-model-len 16384 or less" in result.stderr
    assert result.stdout == ""


def test_a_described_model_in_kaitos_catalog_is_not_said_to_come_from_the_hub() -> None:
    result = invoke(
        "model", "deploy", "Microsoft/Phi-4", *PHI4_DESCRIBED, "--max-model-len", "16384", "--dry-run=client"
    )
    assert result.exit_code == 0, result
    assert "KAITO's catalog has no" not in result.stderr
