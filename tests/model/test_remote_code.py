"""A Hub model whose config.json needs the repo's own code (``auto_map`` AutoConfig, a model_type no
transformers maps) under ``--runtime vllm``: refused where akscli is sure the image's vLLM cannot load it
(akscli.model.remote_code), a warning for an image whose vLLM it does not know, and ``--trust-remote-code``
to pass vLLM's own flag (refused with KAITO, whose preset already passes it)."""

from __future__ import annotations

from typing import Any

import pytest

from akscli.errors import UsageError
from akscli.model import remote_code
from tests.cli import invoke
from tests.emulators.kube.hf_hub_server import HubServer
from tests.model.test_hub_config import REPO
from tests.model.test_hub_config import hub as hub
from tests.model.test_hub_config_multimodal_defaults import PHI35
from tests.model.test_hub_config_vllm_image import _put

# microsoft/Phi-4-multimodal-instruct's shape: model_type phi4mm, its config class in the repo
PHI4MM = {**PHI35, "model_type": "phi4mm", "auto_map": {"AutoConfig": "configuration_phi4mm.Phi4MMConfig"}}


def test_the_judge_refuses_only_where_sure_and_warns_for_an_image_it_does_not_know() -> None:
    with pytest.raises(UsageError, match=r"needs the repo.s own code \(model_type phi4mm") as refused:
        remote_code.check(REPO, PHI4MM, "v0.11.0", trusted=False)
    assert "--trust-remote-code" in (refused.value.hint or "") and "--runtime kaito" in (refused.value.hint or "")
    assert remote_code.check(REPO, PHI4MM, "v0.11.0", trusted=True) is None
    warned = remote_code.check(REPO, PHI4MM, None, trusted=False)
    assert warned is not None and "does not know the image's vLLM" in warned
    # vLLM's own config class: internvl_chat is in its registry up to v0.9.1, not from v0.9.2
    internvl = {**PHI4MM, "model_type": "internvl_chat"}
    assert remote_code.check(REPO, internvl, "v0.9.1", trusted=False) is None
    with pytest.raises(UsageError):
        remote_code.check(REPO, internvl, "v0.9.2", trusted=False)
    # a model_type transformers maps loads without the repo's code, auto_map or not (Phi-3.5's config)
    assert remote_code.check(REPO, {**PHI4MM, "model_type": "phi3"}, "v0.11.0", trusted=False) is None


def _deploy(*args: str) -> Any:
    return invoke("model", "deploy", REPO, "--hub-config", "--params-b", "4", "--dry-run", "client", *args)


def test_deploy_refuses_a_remote_code_model_under_vllm_and_passes_the_flag_when_given(hub: HubServer) -> None:
    _put(hub, PHI4MM)
    refused = _deploy("--runtime", "vllm", "-o", "name")
    assert refused.exit_code == 2, refused
    lines = refused.stderr.splitlines()
    assert lines[0] == (
        f"error: {REPO}'s config.json needs the repo's own code (model_type phi4mm, auto_map AutoConfig), which "
        "neither transformers nor vLLM v0.24.0's own configs know: without --trust-remote-code vLLM exits at start"
    )
    assert "add --trust-remote-code" in lines[1] and "--runtime kaito" in lines[1] and refused.stdout == ""
    trusted = _deploy("--runtime", "vllm", "--trust-remote-code", "-o", "yaml")
    assert trusted.exit_code == 0, trusted
    assert "- --trust-remote-code" in trusted.stdout


def test_trust_remote_code_is_refused_with_kaito_before_the_hub_is_read(hub: HubServer) -> None:
    _put(hub, PHI4MM)
    deploy = _deploy("--trust-remote-code")
    plan = invoke("model", "plan", REPO, "--hub-config", "--params-b", "4", "--trust-remote-code")
    for result in (deploy, plan):
        assert result.exit_code == 2 and result.stderr.splitlines()[0] == (  # type: ignore[attr-defined]
            "error: --trust-remote-code does not apply to KAITO: its vLLM preset for a Hugging Face model already "
            "passes --trust-remote-code"
        ), result
    assert hub.requests == []


def test_airunway_judges_remote_code_and_passes_the_flag_in_spec_engine(hub: HubServer) -> None:
    # AI Runway's vllm, llmd, kuberay and dynamo providers append vLLM's --trust-remote-code where
    # spec.engine.trustRemoteCode is true (ai-runway/airunway v0.7.0 providers/*/transformer.go).
    _put(hub, PHI4MM)
    refused = _deploy("--runtime", "airunway", "--provider", "vllm", "-o", "name")
    assert refused.exit_code == 2 and refused.stdout == "", refused
    assert "vLLM v0.24.0's own configs know" in refused.stderr.splitlines()[0]
    assert refused.stderr.splitlines()[1].endswith("or use --provider kaito")
    trusted = _deploy("--runtime", "airunway", "--provider", "llmd", "--trust-remote-code", "-o", "yaml")
    assert trusted.exit_code == 0, trusted
    assert "trustRemoteCode: true" in trusted.stdout
    # kuberay runs a Ray image whose vLLM akscli does not know: a warning, not a refusal
    warned = _deploy("--runtime", "airunway", "--provider", "kuberay", "-o", "name")
    assert warned.exit_code == 0 and "does not know the image's vLLM" in warned.stderr, warned


def test_the_airunway_emulator_vllm_provider_appends_the_flag_after_max_model_len() -> None:
    from tests.emulators.kube.controllers.airunway_objects import _vllm_objects

    md = {
        "apiVersion": "airunway.ai/v1alpha1",
        "kind": "ModelDeployment",
        "metadata": {"name": "m", "namespace": "ml", "uid": "u1"},
        "spec": {"model": {"id": REPO}, "engine": {"contextLength": 4096, "trustRemoteCode": True}},
    }
    args = _vllm_objects(md)[0]["spec"]["template"]["spec"]["containers"][0]["args"]
    assert args[-3:] == ["--max-model-len", "4096", "--trust-remote-code"]


# THUDM/chatglm2-6b's shape: vLLM's own config class loads its config.json (model_type chatglm), but its
# tokenizer_config.json names the repo's ChatGLMTokenizer (tokenization_chatglm.py) in auto_map.
CHATGLM = {**PHI35, "model_type": "chatglm", "auto_map": {"AutoConfig": "configuration_chatglm.ChatGLMConfig"}}
CHATGLM_TOKENIZER = {
    "tokenizer_class": "ChatGLMTokenizer",
    "auto_map": {"AutoTokenizer": ["tokenization_chatglm.ChatGLMTokenizer", None]},
}


def test_the_tokenizer_judge_refuses_a_repo_tokenizer_under_transformers_4_and_warns_later() -> None:
    assert remote_code.check(REPO, CHATGLM, "v0.11.0", trusted=False) is None  # the config loads
    with pytest.raises(UsageError, match=r"tokenizer is the repo.s own code \(ChatGLMTokenizer") as refused:
        remote_code.check_tokenizer(REPO, CHATGLM, CHATGLM_TOKENIZER, "v0.11.0", trusted=False)
    assert "--trust-remote-code" in (refused.value.hint or "")
    assert remote_code.check_tokenizer(REPO, CHATGLM, CHATGLM_TOKENIZER, "v0.11.0", trusted=True) is None
    for later in ("v0.25.1", None):  # vLLM's own tokenizers, transformers 5's overrides: not sure
        warned = remote_code.check_tokenizer(REPO, CHATGLM, CHATGLM_TOKENIZER, later, trusted=False)
        assert warned is not None and "may fail to load it" in warned
    # a class transformers has (with or without Fast), or no class and a model_type it maps: loads locally
    for tokenizer_class in ("LlamaTokenizerFast", "Qwen2Tokenizer"):
        mapped = {**CHATGLM_TOKENIZER, "tokenizer_class": tokenizer_class}
        assert remote_code.check_tokenizer(REPO, CHATGLM, mapped, "v0.11.0", trusted=False) is None
    unnamed = {"auto_map": CHATGLM_TOKENIZER["auto_map"]}
    assert remote_code.check_tokenizer(REPO, PHI35, unnamed, "v0.11.0", trusted=False) is None
    with pytest.raises(UsageError, match=r"\(unnamed, auto_map"):
        remote_code.check_tokenizer(REPO, CHATGLM, unnamed, "v0.11.0", trusted=False)


def test_deploy_reads_tokenizer_config_only_for_a_repo_with_tokenizer_code(hub: HubServer) -> None:
    hub.repos[REPO] = {  # type: ignore[index]
        "config.json": CHATGLM,
        "tokenizer_config.json": CHATGLM_TOKENIZER,
        "model.safetensors": 8 * 2**30,
    }
    old = ("--image", "vllm/vllm-openai:v0.11.0")  # transformers 4: no ChatGLMTokenizer
    plain = _deploy("--runtime", "vllm", *old, "-o", "name")
    assert plain.exit_code == 0, plain
    assert not [path for path, _ in hub.requests if "tokenizer_config.json" in path]
    hub.repos[REPO]["tokenization_chatglm.py"] = 20_000  # type: ignore[index]
    refused = _deploy("--runtime", "vllm", *old, "-o", "name")
    assert refused.exit_code == 2 and refused.stdout == "", refused
    assert refused.stderr.splitlines()[0] == (
        f"error: {REPO}'s tokenizer is the repo's own code (ChatGLMTokenizer, auto_map AutoTokenizer), which "
        "transformers 4 does not have: without --trust-remote-code vLLM v0.11.0 cannot load the tokenizer and "
        "exits at start"
    )
    assert [path for path, _ in hub.requests].count(f"/{REPO}/resolve/main/tokenizer_config.json") == 1
    assert _deploy("--runtime", "vllm", *old, "--trust-remote-code", "-o", "name").exit_code == 0


# A Mistral-format repo: params.json beside a config.json whose model_type no transformers maps (and no auto_map).
MISTRAL_NEXT = {
    "architectures": ["MistralForCausalLM"],
    "model_type": "mistral_next",
    "max_position_embeddings": 32768,
    "num_hidden_layers": 32,
    "num_attention_heads": 32,
    "num_key_value_heads": 8,
    "hidden_size": 4096,
}
PARAMS = {"path": "params.json"}
CONSOLIDATED = {"path": "consolidated.safetensors"}


def test_vllm_reads_params_json_first_from_v0_12_0_and_from_v0_16_0_only_beside_consolidated_weights() -> None:
    # vllm-project/vllm vllm/transformers_utils/config.py get_config, config_format auto, per release read
    for version, alone, beside in [
        ("v0.11.2", False, False),
        ("v0.12.0", True, True),
        ("v0.15.1", True, True),
        ("v0.16.0", False, True),
        ("v0.24.0", False, True),
    ]:
        assert remote_code.reads_params_json([PARAMS], version) is alone, version
        assert remote_code.reads_params_json([PARAMS, {"path": "sub/consolidated-00001.safetensors"}], version) is (
            beside
        ), version
    assert not remote_code.reads_params_json([CONSOLIDATED], "v0.24.0")  # no params.json
    assert not remote_code.reads_params_json([PARAMS, CONSOLIDATED], None)  # an image akscli does not know


def test_deploy_does_not_refuse_a_mistral_format_repo_whose_config_json_type_is_unknown(hub: HubServer) -> None:
    hub.repos[REPO] = {"config.json": MISTRAL_NEXT, "params.json": {"dim": 4096}, "consolidated.safetensors": 2**30}  # type: ignore[index]
    loaded = _deploy("--runtime", "vllm", "-o", "name")
    assert loaded.exit_code == 0, loaded
    assert (
        f"{REPO} is in Mistral format: vLLM v0.24.0 builds its config from params.json (MistralForCausalLM), not "
        "from its config.json (model_type mistral_next, MistralForCausalLM); akscli judged and sized that one"
    ) in loaded.stderr.splitlines()
    assert "mistral_next" not in loaded.stderr.replace("(model_type mistral_next,", "")  # no warning names it
    # vLLM v0.11.0 reads config.json while there is one: refused as before, with or without the flag
    old = _deploy("--runtime", "vllm", "--image", "vllm/vllm-openai:v0.11.0", "--trust-remote-code", "-o", "name")
    assert old.exit_code == 2 and "has model_type mistral_next" in old.stderr, old
