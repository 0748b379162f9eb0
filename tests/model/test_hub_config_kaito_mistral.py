"""A Mistral-format repo without a config.json under ``--hub-config --runtime kaito``: KAITO's preset generator
reads its params.json instead (kaito-project/kaito 056b8280 presets/workspace/generator/generator.go
fetchAndParseConfig: "config.json not available; fall back to params.json", for a repo selectWeightFiles found
consolidated*.safetensors in), with its own key names (presets/workspace/generator/model_catalog.go configKeyMap,
optionalKeyMap), so akscli sizes the Workspace from the same file; a repo without consolidated weights is still
refused, as KAITO's generator fails it ("error fetching config")."""

from __future__ import annotations

import json
from typing import Any

from tests.cli import invoke
from tests.emulators.kube.hf_hub_server import HubServer
from tests.model.test_hub_config import CONFIG_PATH, REPO
from tests.model.test_hub_config import hub as hub
from tests.model.test_hub_config_fill import TREE
from tests.model.test_hub_config_mistral_format import PARAMS, PARAMS_PATH


def _put(hub: HubServer, weights: str = "consolidated.safetensors", params: dict[str, Any] | None = PARAMS) -> None:
    files: dict[str, Any] = {weights: 14 << 30}
    if params is not None:
        files["params.json"] = params
    hub.repos[REPO] = files  # type: ignore[index]


def _plan(*args: str) -> Any:
    return invoke("model", "plan", REPO, "--hub-config", "--params-b", "7", "--runtime", "kaito", "-o", "json", *args)


def test_kaito_sizes_a_mistral_format_repo_without_config_json_from_its_params_json(hub: HubServer) -> None:
    _put(hub)
    planned = _plan()
    assert planned.exit_code == 0, planned
    model = json.loads(planned.stdout)["model"]
    assert (model["layers"], model["kv_heads"], model["head_dim"], model["context"]) == (32, 8, 128, 8192)
    assert model["weights_gib"] == 14
    assert (
        f"{REPO} has no config.json: KAITO's preset generator reads its params.json (a Mistral-format repo), "
        "and akscli sized it from that one"
    ) in planned.stderr.splitlines()
    # KAITO's token limit and the one KAITO's vLLM (config_format mistral) derives are both params.json's
    assert "--max-context 8192 (params.json max_seq_len)" in planned.stderr
    assert [path for path, _ in hub.requests] == [CONFIG_PATH, TREE, PARAMS_PATH]


def test_kaitos_key_names_are_read_where_params_json_names_no_head_dim_or_kv_heads(hub: HubServer) -> None:
    # generator.go calculateKVCacheTokenSize: no KV heads, the attention heads; no head_dim, dim / n_heads
    _put(hub, params={k: v for k, v in PARAMS.items() if k not in ("head_dim", "n_kv_heads")})
    planned = _plan()
    assert planned.exit_code == 0, planned
    model = json.loads(planned.stdout)["model"]
    assert (model["kv_heads"], model["head_dim"]) == (32, 128)


def test_kaito_refuses_a_max_context_above_the_params_json_limit(hub: HubServer) -> None:
    _put(hub)
    refused = _plan("--max-context", "16384")
    assert refused.exit_code == 2 and refused.stdout == "", refused
    assert refused.stderr.splitlines()[0].startswith(
        f"error: --max-context 16384 is above {REPO}'s limit in its params.json on Hugging Face: 8192"
    )


def test_a_repo_without_config_json_or_consolidated_weights_is_refused_as_kaito_refuses_it(hub: HubServer) -> None:
    _put(hub, weights="model.safetensors")
    refused = _plan()
    assert refused.exit_code != 0 and refused.stdout == "", refused
    assert f"error: Hugging Face has no {REPO}/config.json (HTTP 404)" in refused.stderr
    assert PARAMS_PATH not in [path for path, _ in hub.requests]


def test_without_params_json_a_mistral_format_repo_without_config_json_is_refused(hub: HubServer) -> None:
    _put(hub, params=None)
    refused = _plan()
    assert refused.exit_code != 0 and refused.stdout == "", refused
    assert f"error: Hugging Face has no {REPO}/params.json (HTTP 404)" in refused.stderr


def test_vllm_still_refuses_a_repo_without_config_json(hub: HubServer) -> None:
    _put(hub)
    refused = invoke("model", "plan", REPO, "--hub-config", "--params-b", "7", "--runtime", "vllm")
    assert refused.exit_code != 0, refused
    assert f"error: Hugging Face has no {REPO}/config.json (HTTP 404)" in refused.stderr


def test_a_params_json_without_a_length_gets_kaitos_default_token_limit(hub: HubServer) -> None:
    # generator.go ParseModelMetadata: none of configKeyMap["modelTokenLimit"], DefaultModelTokenLimit 2048
    # (KAITO's vLLM would take 128000 from adapt_config_dict: the lower one binds)
    _put(hub, params={k: v for k, v in PARAMS.items() if k != "max_seq_len"})
    planned = _plan()
    assert planned.exit_code == 0, planned
    assert json.loads(planned.stdout)["model"]["context"] == 2048
    assert "--max-context 2048 (KAITO's default, 2048)" in planned.stderr


# A config.json beside params.json: KAITO's generator sizes from config.json, but passes vLLM config_format mistral
# (generator.go setMistralMode, FinalizeParams; presets/workspace/models/vllm_model.go hands ModelRunParams on), so
# KAITO's vLLM derives its length from params.json (vllm/transformers_utils/config.py MistralConfigParser).
WITH_CONFIG = {
    "architectures": ["MistralForCausalLM"],
    "model_type": "mistral",
    "max_position_embeddings": 32768,
    "num_hidden_layers": 32,
    "num_attention_heads": 32,
    "num_key_value_heads": 8,
    "head_dim": 128,
    "hidden_size": 4096,
}


def _put_with_config(hub: HubServer, params: dict[str, Any]) -> None:
    _put(hub, params=params)
    hub.repos[REPO]["config.json"] = WITH_CONFIG  # type: ignore[index]


def test_kaitos_vllm_holds_a_mistral_format_repo_to_its_params_json_length(hub: HubServer) -> None:
    _put_with_config(hub, PARAMS)
    planned = _plan()
    assert planned.exit_code == 0, planned
    assert json.loads(planned.stdout)["model"]["context"] == 8192  # config.json's 32768 before
    assert "--max-context 8192 (params.json max_seq_len)" in planned.stderr
    assert (
        f"{REPO} is in Mistral format: KAITO runs vLLM v0.25.1 with config_format mistral, which builds its config "
        "from params.json (MistralForCausalLM); KAITO's generator sizes the Workspace from its config.json, as akscli "
        "did"
    ) in planned.stderr.splitlines()
    refused = _plan("--max-context", "16384")
    assert refused.exit_code == 2, refused
    assert refused.stderr.splitlines()[0] == (
        f"error: --max-context 16384 is above {REPO}'s limit in its params.json on Hugging Face: 8192 (params.json "
        "max_seq_len), above which vLLM exits at start"
    )


def test_kaitos_token_limit_from_config_json_binds_where_params_json_allows_more(hub: HubServer) -> None:
    # params.json names both lengths, so vLLM's is 65536 (without max_position_embeddings vLLM takes config.json's)
    _put_with_config(hub, {**PARAMS, "max_seq_len": 65536, "max_position_embeddings": 65536})
    refused = _plan("--max-context", "40000")
    assert refused.exit_code == 2, refused
    assert refused.stderr.splitlines()[0] == (
        f"error: --max-context 40000 is above {REPO}'s limit in its config.json on Hugging Face: 32768 "
        "(max_position_embeddings), above which KAITO's webhook refuses it"
    )


def test_a_mistral_format_repo_with_config_json_but_no_params_json_is_refused_before_anything_is_sent(
    hub: HubServer,
) -> None:
    # KAITO sets config_format mistral for consolidated weights (generator.go setMistralMode); vLLM's
    # MistralConfigParser reads only params.json and raises where there is none
    # (vllm/transformers_utils/config.py _download_mistral_config_file).
    _put_with_config(hub, PARAMS)
    del hub.repos[REPO]["params.json"]  # type: ignore[index]
    refused = _plan()
    assert refused.exit_code == 2 and refused.stdout == "", refused
    assert refused.stderr.splitlines()[0] == (
        f"error: {REPO} is in Mistral format (consolidated*.safetensors) but has no params.json on Hugging Face: "
        "KAITO runs vLLM v0.25.1 with config_format mistral, which reads only params.json, so it would exit at start"
    )
    assert [path for path, _ in hub.requests] == [CONFIG_PATH, TREE, PARAMS_PATH]


# --weights-gib gives the size, but the file list is still read: KAITO's generator lists every repo outside its
# catalog (generator.go FetchModelMetadata, selectWeightFiles), so the format is seen as without the flag.
def test_with_weights_gib_kaitos_vllm_still_holds_a_mistral_format_repo_to_its_params_json_length(
    hub: HubServer,
) -> None:
    _put_with_config(hub, PARAMS)
    planned = _plan("--weights-gib", "20")
    assert planned.exit_code == 0, planned
    model = json.loads(planned.stdout)["model"]
    assert (model["context"], model["weights_gib"]) == (8192, 20)  # config.json's 32768 before
    assert "--max-context 8192 (params.json max_seq_len)" in planned.stderr
    assert [path for path, _ in hub.requests] == [CONFIG_PATH, TREE, PARAMS_PATH]


def test_with_weights_gib_a_mistral_format_repo_without_params_json_is_still_refused(hub: HubServer) -> None:
    _put_with_config(hub, PARAMS)
    del hub.repos[REPO]["params.json"]  # type: ignore[index]
    refused = _plan("--weights-gib", "20")
    assert refused.exit_code == 2 and refused.stdout == "", refused  # planned from config.json before
    assert refused.stderr.splitlines()[0].startswith(
        f"error: {REPO} is in Mistral format (consolidated*.safetensors) but has no params.json on Hugging Face"
    )
