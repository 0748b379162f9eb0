"""A Mistral-format repo under ``--hub-config --runtime vllm``: where the image's vLLM builds its config from the
repo's params.json (akscli.model.remote_code.reads_params_json), akscli judges the architecture and takes the
limits from that config (akscli.model.mistral_params), not from config.json; on v0.11.x, which reads config.json,
the refusal says that v0.12.0 and later read params.json (upstream: vllm-project/vllm v0.24.0
vllm/transformers_utils/config.py MistralConfigParser.parse, vllm/transformers_utils/configs/mistral.py
adapt_config_dict)."""

from __future__ import annotations

from typing import Any

from akscli.model import mistral_params
from tests.cli import invoke
from tests.emulators.kube.hf_hub_server import HubServer
from tests.model.test_hub_config import CONFIG_PATH, REPO
from tests.model.test_hub_config import hub as hub
from tests.model.test_hub_config_fill import TREE

PARAMS_PATH = f"/{REPO}/resolve/main/params.json"
# A params.json as Mistral writes one (mistral-inference's ModelArgs keys).
PARAMS = {
    "dim": 4096,
    "n_layers": 32,
    "head_dim": 128,
    "hidden_dim": 14336,
    "n_heads": 32,
    "n_kv_heads": 8,
    "norm_eps": 1e-05,
    "vocab_size": 131072,
    "rope_theta": 1000000.0,
    "max_seq_len": 8192,
}
# A config.json beside it that names an architecture no vLLM registers (a stub, or one of a later release).
STUB = {
    "architectures": ["MistralNextForCausalLM"],
    "model_type": "mistral",
    "max_position_embeddings": 32768,
    "num_hidden_layers": 32,
    "num_attention_heads": 32,
    "num_key_value_heads": 8,
    "hidden_size": 4096,
}
DESCRIBED = ["--weights-gib", "14", "--layers", "32", "--attention-heads", "32", "--kv-heads", "8", "--head-dim", "128"]


def _put(hub: HubServer, config: dict[str, Any], params: dict[str, Any] | None = PARAMS) -> None:
    files: dict[str, Any] = {"config.json": config, "consolidated.safetensors": 14 << 30}
    if params is not None:
        files["params.json"] = params
    hub.repos[REPO] = files  # type: ignore[index]


def _deploy(*args: str) -> Any:
    return invoke(
        "model", "deploy", REPO, "--hub-config", "--params-b", "7", "--runtime", "vllm", "--dry-run", "client",
        "-o", "name", *args,
    )  # fmt: skip


def test_vllm_names_the_architecture_of_a_mistral_format_repo_from_params_json() -> None:
    assert mistral_params.architecture(PARAMS) == "MistralForCausalLM"
    assert mistral_params.architecture({**PARAMS, "moe": {"num_experts": 8}}) == "MixtralForCausalLM"
    large = {**PARAMS, "moe": {"num_experts": 128, "num_shared_experts": 1}}
    assert mistral_params.architecture(large) == "MistralLarge3ForCausalLM"
    assert mistral_params.adapted(large, STUB, True)["model_type"] == "deepseek_v3"
    # _remap_mistral_mla_args gives an MLA model without moe one shared expert
    assert mistral_params.architecture({**PARAMS, "qk_nope_head_dim": 128}) == "MistralLarge3ForCausalLM"
    vision = mistral_params.adapted({**PARAMS, "vision_encoder": {"hidden_size": 1024}}, STUB, True)
    assert vision["architectures"] == ["PixtralForConditionalGeneration"] and vision["model_type"] == "pixtral"
    assert vision["text_config"]["num_hidden_layers"] == 32 and vision["text_config"]["max_seq_len"] == 8192


def test_params_json_keys_are_renamed_and_config_json_only_fills_what_it_lacks() -> None:
    built = mistral_params.adapted(PARAMS, STUB, True)
    assert built["architectures"] == ["MistralForCausalLM"] and built["model_type"] == "transformer"
    assert (built["hidden_size"], built["num_key_value_heads"], built["max_seq_len"]) == (4096, 8, 8192)
    # params.json names no max_position_embeddings: config.json's, where its AutoConfig loads, else 128000
    assert built["max_position_embeddings"] == 32768
    assert mistral_params.adapted(PARAMS, STUB, False)["max_position_embeddings"] == 128_000
    fp8 = {**PARAMS, "quantization": {"qformat_weight": "fp8_e4m3", "qscheme_act": "TENSOR"}}
    assert mistral_params.adapted(fp8, STUB, True)["quantization_config"] == {
        "quant_method": "fp8",
        "activation_scheme": "static",
    }
    yarn = {**PARAMS, "yarn": {"factor": 4.0, "original_max_position_embeddings": 8192, "beta": 32, "alpha": 1}}
    rope = mistral_params.adapted(yarn, STUB, True)["rope_parameters"]
    assert rope == {
        "rope_type": "yarn", "mscale_all_dim": 1, "factor": 4.0, "original_max_position_embeddings": 8192,
        "beta_fast": 32, "beta_slow": 1,
    }  # fmt: skip


def test_a_stub_config_json_architecture_is_not_refused_where_vllm_reads_params_json(hub: HubServer) -> None:
    _put(hub, STUB)
    loaded = _deploy(*DESCRIBED, "--max-context", "8192")
    assert loaded.exit_code == 0, loaded
    assert (
        f"{REPO} is in Mistral format: vLLM v0.24.0 builds its config from params.json (MistralForCausalLM), not "
        "from its config.json (model_type mistral, MistralNextForCausalLM); akscli judged and sized that one"
    ) in loaded.stderr.splitlines()
    # --weights-gib given: the file list is still read (vLLM v0.12.0+ lists the repo to see its format)
    assert [path for path, _ in hub.requests] == [CONFIG_PATH, TREE, PARAMS_PATH]


def test_a_stub_config_json_without_params_json_is_still_refused(hub: HubServer) -> None:
    _put(hub, STUB, params=None)
    refused = _deploy(*DESCRIBED, "--max-context", "8192")
    assert refused.exit_code == 2 and refused.stdout == "", refused
    assert any(
        line.startswith(f"error: vLLM v0.24.0 cannot serve {REPO} (MistralNextForCausalLM)")
        for line in (refused.stderr.splitlines())
    ), refused


def test_the_limit_vllm_holds_a_mistral_format_repo_to_comes_from_params_json(hub: HubServer) -> None:
    _put(hub, {**STUB, "architectures": ["MistralForCausalLM"]})
    filled = _deploy()  # the description from the Hub: the file list (read for the weights) shows params.json
    assert filled.exit_code == 0, filled
    assert "--max-context 8192 (params.json max_seq_len)" in filled.stderr
    assert "--weights-gib 14 (its 1 .safetensors file)" in filled.stderr
    # params.json names no length: config.json's max_position_embeddings, read through its AutoConfig
    _put(
        hub, {**STUB, "architectures": ["MistralForCausalLM"]}, {k: v for k, v in PARAMS.items() if k != "max_seq_len"}
    )
    assert "--max-context 32768 (config.json max_position_embeddings, as params.json names none)" in _deploy().stderr
    _put(hub, {**STUB, "architectures": ["MistralForCausalLM"]})
    above = _deploy("--max-context", "32768")
    assert above.exit_code == 2, above
    assert above.stderr.splitlines()[0] == (
        f"error: --max-context 32768 is above {REPO}'s limit in its params.json on Hugging Face: 8192 (params.json "
        "max_seq_len), above which vLLM exits at start"
    )


def test_with_weights_gib_the_limit_still_comes_from_params_json(hub: HubServer) -> None:
    # config.json's architecture loads, so no judge asked for the file list: with --weights-gib it was never read
    _put(hub, {**STUB, "architectures": ["MistralForCausalLM"]})
    planned = _deploy(*DESCRIBED)
    assert planned.exit_code == 0, planned
    assert "--max-context 8192 (params.json max_seq_len)" in planned.stderr  # config.json's 32768 before
    above = _deploy(*DESCRIBED, "--max-context", "32768")
    assert above.exit_code == 2, above
    assert above.stderr.splitlines()[0].startswith(
        f"error: --max-context 32768 is above {REPO}'s limit in its params.json on Hugging Face: 8192"
    )


def test_the_refusal_on_v0_11_says_that_v0_12_0_and_later_read_params_json(hub: HubServer) -> None:
    _put(hub, {**STUB, "architectures": ["MistralForCausalLM"], "model_type": "mistral_next"})
    refused = _deploy("--image", "vllm/vllm-openai:v0.11.0")
    assert refused.exit_code == 2 and refused.stdout == "", refused
    error, hint = refused.stderr.splitlines()[:2]
    assert error.startswith(f"error: {REPO}'s config.json has model_type mistral_next")
    assert error.endswith("; vLLM v0.12.0 and later read its params.json instead (a Mistral-format repo)")
    assert hint.startswith("hint: use --image vllm/vllm-openai:v0.24.0 (CUDA 13") and hint.endswith(
        ", or use --runtime kaito"
    )
