"""``--hub-config``: tokenizer_config.json's model_max_length, read where vLLM reads it (a pooling
model with absolute position embeddings: vllm-project/vllm v0.11.0 and v0.25.1 vllm/config/model.py
get_and_verify_max_len, _get_and_verify_max_len), and a token the Hub does not know, told apart
from one without access (huggingface/huggingface_hub ee0a4510 src/huggingface_hub/utils/_http.py
hf_raise_for_status: a 401 "Invalid credentials in Authorization header")."""

from __future__ import annotations

from typing import Any

import pytest

from tests.cli import invoke
from tests.emulators.kube import hf_hub
from tests.emulators.kube.hf_hub_server import HubServer
from tests.model.test_hub_config import REPO
from tests.model.test_hub_config import TREE_PATH as TREE
from tests.model.test_hub_config import hub as hub

BERT = {
    "architectures": ["BertModel"],
    "model_type": "bert",
    "position_embedding_type": "absolute",
    "num_hidden_layers": 12,
    "num_attention_heads": 12,
    "hidden_size": 768,
    "max_position_embeddings": 512,
}
FILES = {"model.safetensors": 1 << 29}
CONFIG, TOKENIZER = (f"/{REPO}/resolve/main/{name}" for name in ("config.json", "tokenizer_config.json"))


def _put(hub: HubServer, config: dict[str, Any], **files: Any) -> None:
    hub.repos[REPO] = {"config.json": config, **FILES, **files}  # type: ignore[index]


def _plan(*args: str) -> Any:
    # --weights-gib and --params-b given: the model info is not asked; the file list is, for the repo's format
    sizes = ("--weights-gib", "0.5", "--params-b", "0.1")
    return invoke("model", "plan", REPO, "--hub-config", "--runtime", "vllm", *sizes, *args)


def test_an_embedders_tokenizer_config_lowers_vllms_length_below_config_jsons(hub: HubServer) -> None:
    _put(hub, BERT, **{"tokenizer_config.json": {"model_max_length": 256}})
    result = _plan("--max-context", "512")
    assert result.exit_code == 2, result
    assert "512 is above" in result.stderr
    assert "256 (tokenizer_config.json model_max_length), above which vLLM exits at start" in result.stderr
    assert [path for path, _ in hub.requests] == [CONFIG, TREE, TOKENIZER]


def test_a_tokenizers_unset_model_max_length_leaves_config_jsons_length(hub: HubServer) -> None:
    # transformers writes VERY_LARGE_INTEGER, int(1e30), where a tokenizer sets none
    _put(hub, BERT, **{"tokenizer_config.json": {"model_max_length": 1000000000000000019884624838656}})
    result = _plan("--max-context", "512")
    assert result.exit_code == 0, result


def test_a_repo_without_a_tokenizer_config_is_planned_from_config_json(hub: HubServer) -> None:
    _put(hub, BERT)
    result = _plan()
    assert result.exit_code == 0, result
    assert "--max-context 512 (max_position_embeddings)" in result.stderr


def test_a_generative_models_tokenizer_config_is_not_read(hub: HubServer) -> None:
    llama = {**BERT, "architectures": ["LlamaForCausalLM"], "model_type": "llama"}
    _put(hub, llama, **{"tokenizer_config.json": {"model_max_length": 256}})
    result = _plan("--max-context", "512")
    assert result.exit_code == 0, result
    assert [path for path, _ in hub.requests] == [CONFIG, TREE]


def test_an_embedder_with_relative_position_embeddings_has_its_tokenizer_config_left_unread(hub: HubServer) -> None:
    _put(
        hub, {**BERT, "position_embedding_type": "relative_key"}, **{"tokenizer_config.json": {"model_max_length": 256}}
    )
    assert _plan("--max-context", "512").exit_code == 0
    assert [path for path, _ in hub.requests] == [CONFIG, TREE]


def test_a_token_the_hub_does_not_know_is_refused_as_such_not_as_a_token_without_access(
    hub: HubServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _put(hub, BERT)
    hf_hub.known_tokens(hub.repos, someone="hf_known")  # type: ignore[arg-type]
    monkeypatch.setenv("HF_TOKEN", "hf_revoked")
    result = _plan()
    assert result.exit_code == 6, result
    assert (
        "error: Hugging Face does not accept the token akscli sent (HF_TOKEN, HUGGING_FACE_HUB_TOKEN or the Hub's "
        'token file): HTTP 401 "Invalid credentials in Authorization header"'
    ) in result.stderr
    assert "hint: the token is revoked, expired or mistyped: make a new one at" in result.stderr
    assert "no access" not in result.stderr
    assert "hf_revoked" not in result.stdout + result.stderr


def test_a_token_the_hub_knows_without_access_to_a_gated_repo_still_gets_the_403_line(
    hub: HubServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    hub.repos[REPO] = hf_hub.repo(BERT, gated=["hf_granted"])  # type: ignore[index]
    hf_hub.known_tokens(hub.repos, someone="hf_known", granted="hf_granted")  # type: ignore[arg-type]
    monkeypatch.setenv("HF_TOKEN", "hf_known")
    result = _plan()
    assert result.exit_code == 6, result
    assert "answered 403" in result.stderr
    assert "has no access to it" in result.stderr
