"""``--hub-config``: a model described on the command line is checked against its config.json on
the Hugging Face Hub, read over loopback HTTP from the emulated Hub (hf_hub_server). vLLM exits at
start with a max-model-len above the length it derives from config.json, and KAITO's webhook
refuses one above the token limit it reads there (upstream: vllm-project/vllm v0.11.0
vllm/config/model.py _get_and_verify_max_len; kaito-project/kaito v0.12.0
presets/workspace/generator/generator.go ParseModelMetadata); the architecture decides vLLM's
multimodal processor cache (vllm/model_executor/models/registry.py _MULTIMODAL_MODELS)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from akscli.kube import retry
from tests.cli import invoke
from tests.emulators.kube import hf_hub
from tests.emulators.kube.controllers.kaito import KAITO
from tests.emulators.kube.hf_hub_server import HubServer, serving

REPO = "acme/coder-7b"
DESCRIBED = [
    "--weights-gib", "14", "--layers", "32", "--attention-heads", "32", "--kv-heads", "8",
    "--head-dim", "128",
]  # fmt: skip
LLAMA = {"architectures": ["LlamaForCausalLM"], "max_position_embeddings": 32768}
TOKEN = "hf_user_token"
CONFIG_PATH = f"/{REPO}/resolve/main/config.json"
# the file list, read under --runtime vllm (v0.12.0+) and KAITO even with --weights-gib: the repo's format decides
# what their vLLM reads (akscli.model.hub_describe._format_seen)
TREE_PATH = f"/api/models/{REPO}/tree/main?recursive=true&expand=false"


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[HubServer]:
    """The emulated Hub at HF_ENDPOINT, no token in the environment or in the Hub's token file
    (HF_HOME is empty), and retries that record their waits instead of sleeping."""
    for name in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_TOKEN_PATH", "HF_HUB_DISABLE_IMPLICIT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    with serving({}) as server:
        monkeypatch.setenv("HF_ENDPOINT", server.url)
        yield server


@pytest.fixture
def slept(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    waits: list[float] = []
    monkeypatch.setattr(retry, "sleep", waits.append)
    return waits


def _put(hub: HubServer, config: dict[str, Any], **kwargs: Any) -> None:
    hub.repos[REPO] = hf_hub.repo(config, **kwargs)  # type: ignore[index]


def _plan(context: int, *args: str) -> Any:
    return invoke("model", "plan", REPO, *DESCRIBED, "--max-context", str(context), "--hub-config", *args)


def _vllm_args(*args: str) -> list[str]:
    result = invoke(
        "model", "deploy", REPO, *DESCRIBED, "--max-context", "32768", "--hub-config", "--runtime", "vllm",
        "--access-secret", "hf-token", *args, "--dry-run=client", "-o", "yaml",
    )  # fmt: skip
    assert result.exit_code == 0, result
    deployment = next(d for d in yaml.safe_load_all(result.stdout) if d and d["kind"] == "Deployment")
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    return [str(a) for a in container.get("args") or container.get("command") or []]


# ---- the limits ------------------------------------------------------------------------------


def test_a_max_context_above_config_jsons_max_position_embeddings_is_refused_before_anything_is_planned(
    hub: HubServer,
) -> None:
    _put(hub, LLAMA)
    result = _plan(65536, "--runtime", "vllm")
    assert result.exit_code == 2, result
    assert (
        f"error: --max-context 65536 is above {REPO}'s limit in its config.json on Hugging Face: 32768 "
        "(max_position_embeddings), above which vLLM exits at start"
    ) in result.stderr
    assert "hint: use --max-context 32768" in result.stderr
    assert result.stdout == ""


def test_a_max_context_within_config_jsons_limit_is_planned(hub: HubServer) -> None:
    _put(hub, LLAMA)
    result = _plan(32768, "--runtime", "vllm")
    assert result.exit_code == 0, result
    # config.json and the file list (the repo's format), with no token to send
    assert hub.requests == [(CONFIG_PATH, None), (TREE_PATH, None)]


def test_the_rope_scaling_factor_raises_vllms_limit(hub: HubServer) -> None:
    _put(hub, {**LLAMA, "max_position_embeddings": 4096, "rope_scaling": {"type": "linear", "factor": 4.0}})
    assert _plan(16384, "--runtime", "vllm").exit_code == 0
    refused = _plan(16385, "--runtime", "vllm")
    assert "16384 (max_position_embeddings × rope_scaling.factor 4)" in refused.stderr


def test_a_yarn_rope_counts_from_its_original_max_position_embeddings(hub: HubServer) -> None:
    rope = {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32768}
    _put(hub, {**LLAMA, "max_position_embeddings": 40960, "rope_scaling": rope})
    assert _plan(131072, "--runtime", "vllm").exit_code == 0
    assert "131072 (rope_scaling.original_max_position_embeddings" in _plan(131073, "--runtime", "vllm").stderr


def test_a_multimodal_config_is_read_from_its_text_config(hub: HubServer) -> None:
    # vLLM reads the text config (get_hf_text_config), not the vision tower's own length
    config = {
        "architectures": ["LlavaForConditionalGeneration"],
        "text_config": {"max_position_embeddings": 8192},
        "vision_config": {"max_position_embeddings": 577},
    }
    _put(hub, config)
    assert _plan(8192, "--runtime", "vllm").exit_code == 0
    assert "8192 (max_position_embeddings)" in _plan(8193, "--runtime", "vllm").stderr


def test_kaito_refuses_above_its_own_token_limit_where_vllms_is_higher(hub: HubServer) -> None:
    # KAITO takes max_position_embeddings as it stands; vLLM multiplies it by the RoPE factor
    _put(hub, {**LLAMA, "max_position_embeddings": 4096, "rope_scaling": {"type": "linear", "factor": 4.0}})
    result = _plan(16384, "--runtime", "kaito")
    assert result.exit_code == 2, result
    assert "4096 (max_position_embeddings), above which KAITO's webhook refuses it" in result.stderr


def test_kaitos_token_limit_is_2048_where_config_json_names_none(hub: HubServer) -> None:
    _put(hub, {"architectures": ["LlamaForCausalLM"]})
    assert "2048 (KAITO's default, 2048)" in _plan(4096, "--runtime", "kaito").stderr
    assert _plan(4096, "--runtime", "vllm").exit_code == 0  # vLLM's is its config class's default: not checked


# ---- the architecture ------------------------------------------------------------------------


def test_a_multimodal_architecture_from_config_json_gets_the_processor_cache_flag_on_a_t4(hub: HubServer) -> None:
    _put(hub, {"architectures": ["Gemma3ForConditionalGeneration"], "text_config": {"max_position_embeddings": 32768}})
    args = _vllm_args("--vm-size", "Standard_NC4as_T4_v3", "--max-model-len", "4096", "--weights-gib", "7")
    assert args[args.index("--mm-processor-cache-gb") + 1] == "0.5"


def test_a_text_architecture_from_config_json_gets_no_processor_cache_flag(hub: HubServer) -> None:
    _put(hub, LLAMA)
    args = _vllm_args("--vm-size", "Standard_NC4as_T4_v3", "--max-model-len", "4096", "--weights-gib", "7")
    assert "--mm-processor-cache-gb" not in args


# ---- the flag's bounds -----------------------------------------------------------------------


def test_without_the_flag_the_hub_is_not_asked(hub: HubServer) -> None:
    _put(hub, LLAMA)
    result = invoke("model", "plan", REPO, *DESCRIBED, "--max-context", "65536", "--runtime", "vllm")
    assert result.exit_code == 0, result
    assert hub.requests == []


def test_the_flag_with_a_catalog_model_is_refused_without_asking_the_hub(hub: HubServer) -> None:
    result = invoke("model", "plan", "microsoft/phi-4", "--hub-config")
    assert result.exit_code == 2, result
    assert (
        "error: --hub-config reads the config.json of a model the catalog lacks; microsoft/phi-4 is in" in result.stderr
    )
    assert hub.requests == []


def test_a_bad_flag_is_refused_before_the_hub_is_asked(hub: HubServer) -> None:
    _put(hub, LLAMA)
    result = invoke(
        "model", "deploy", REPO, *DESCRIBED, "--max-context", "32768", "--hub-config", "--provider", "nope",
        "--dry-run=client",
    )  # fmt: skip
    assert result.exit_code == 2, result
    assert hub.requests == []


def test_the_hubs_http_client_is_imported_only_with_the_flag_and_never_kubernetes_or_azure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.foundation.test_startup import CLUSTER_AND_AZURE, _imports

    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # nothing listens: refused at once, not retried
    families = (*CLUSTER_AND_AZURE, "urllib3", "akscli.model.hub_config")
    described = ("model", "plan", REPO, *DESCRIBED, "--max-context", "4096")
    assert _imports(*described, families=families) == {"code": 0, "heavy": []}
    read = _imports(*described, "--hub-config", families=families)
    assert read == {"code": 1, "heavy": ["akscli.model.hub_config", "urllib3"]}


# ---- KAITO: akscli and KAITO's webhook read the same Hub -------------------------------------


def _kaito_deploy(hub: HubServer, model_emulator: Any, context: int) -> tuple[Any, Any]:
    emu = model_emulator()
    hub.repos = emu.api.huggingface_hub  # what KAITO's webhook reads (hf_hub.preset) is what akscli reads
    _put(hub, LLAMA)
    result = invoke(
        "model", "deploy", REPO, *DESCRIBED, "--max-context", str(context), "--hub-config",
        "--vm-size", "Standard_NC24ads_A100_v4", "--max-model-len", "4096", "-y",
    )  # fmt: skip
    return emu, result


def test_a_kaito_deploy_with_a_max_context_above_config_json_is_refused_before_anything_is_sent(
    hub: HubServer, model_emulator: Any
) -> None:
    emu, result = _kaito_deploy(hub, model_emulator, 65536)
    assert result.exit_code == 2, result
    assert "32768 (max_position_embeddings)" in result.stderr
    assert emu.cluster.get(KAITO, "Workspace", "default", "coder-7b") is None


def test_a_kaito_deploy_checked_against_config_json_says_so_instead_of_what_it_could_not_check(
    hub: HubServer, model_emulator: Any
) -> None:
    emu, result = _kaito_deploy(hub, model_emulator, 32768)
    assert result.exit_code == 0, result
    assert emu.cluster.get(KAITO, "Workspace", "default", "coder-7b") is not None
    assert "akscli read that config.json (--hub-config) and checked max-model-len 4096" in result.stderr
    assert "akscli did not read" not in result.stderr
