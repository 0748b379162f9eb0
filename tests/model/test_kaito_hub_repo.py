"""A model outside KAITO's catalog: KAITO's webhook builds its preset from the Hugging Face Hub when
it admits the Workspace (the repo's file list, then config.json, or params.json for a
Mistral-format repo), and refuses the Workspace with the Hub's error ("failed to get model
preset: ...") or for an architecture vLLM does not run. akscli cannot read the Hub: the refusal
comes at the apply, and nothing of the model is left (upstream: kaito-project/kaito v0.12.0
0894eb2b presets/workspace/models/vllm_model.go GetModelByName, generateHuggingFaceModel;
presets/workspace/generator/generator.go FetchModelMetadata, selectWeightFiles,
fetchAndParseConfig, fetchURL; api/v1beta1/workspace_validation.go InferenceSpec.validateCreate;
huggingface/huggingface_hub src/huggingface_hub/utils/_http.py hf_raise_for_status)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.emulators.kube import hf_hub
from tests.emulators.kube.controllers.kaito import KAITO
from tests.emulators.kube.profiles import hf_token_secret

Start = Callable[..., Any]
REPO = "acme/coder-7b"
TREE = f"https://huggingface.co/api/models/{REPO}/tree/main?recursive=true"
DESCRIBED = [
    "--weights-gib", "14", "--layers", "32", "--attention-heads", "32", "--kv-heads", "8",
    "--head-dim", "128", "--max-context", "32768",
]  # fmt: skip


def _deploy(*args: str) -> Any:
    return invoke("model", "deploy", REPO, *DESCRIBED, "--vm-size", "Standard_NC24ads_A100_v4", *args, "-y")


def _refused_and_nothing_left(emu: Any, result: Any, message: str) -> None:
    assert result.exit_code != 0, result
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert emu.cluster.get(KAITO, "Workspace", "default", "coder-7b") is None
    assert emu.cluster.get("v1", "ConfigMap", "default", "coder-7b-inference-config") is None


def test_a_repo_the_hub_lacks_is_refused_with_the_hubs_401_when_kaito_has_no_token(model_emulator: Start) -> None:
    emu = model_emulator()
    result = _deploy("--max-model-len", "4096")
    _refused_and_nothing_left(
        emu,
        result,
        "invalid value: failed to get model preset: error listing files: authentication required for accessing "
        f"{TREE}: inference.preset",
    )
    # KAITO calls the Hub for every Workspace created, config or not: the plan's server dry run
    # (before anything is applied) already gets the refusal.
    assert "planning (server-side dry run)" in result.stderr


def test_a_repo_the_hub_lacks_is_refused_with_the_hubs_404_when_the_access_secret_holds_a_token(
    model_emulator: Start,
) -> None:
    emu = model_emulator()
    hf_token_secret(emu)
    result = _deploy("--max-model-len", "4096", "--access-secret", "hf-token")
    _refused_and_nothing_left(
        emu, result, f"failed to get model preset: error listing files: failed to fetch {TREE}: status 404: inference"
    )


def test_an_architecture_vllm_does_not_run_is_refused(model_emulator: Start) -> None:
    emu = model_emulator()
    emu.api.huggingface_hub[REPO] = hf_hub.repo({"architectures": ["AcmeForCausalLM"], "max_position_embeddings": 8192})
    result = _deploy("--max-model-len", "4096")
    _refused_and_nothing_left(
        emu, result, f"failed to get model preset: unsupported model architecture for {REPO}: AcmeForCausalLM"
    )


def test_a_repo_without_weight_files_is_refused(model_emulator: Start) -> None:
    emu = model_emulator()
    emu.api.huggingface_hub[REPO] = {"config.json": {"architectures": ["LlamaForCausalLM"]}, "README.md": 10}
    result = _deploy("--max-model-len", "2048")
    _refused_and_nothing_left(emu, result, "failed to get model preset: no .safetensors or .bin files found")


def test_a_mistral_format_repo_without_config_json_is_read_from_params_json(model_emulator: Start) -> None:
    # params.json has none of the token-limit keys here (KAITO's TestDimConfigKey's params), so the
    # limit is KAITO's default 2048: 4096 is refused, which shows params.json was read.
    emu = model_emulator()
    params = {"dim": 4096, "n_layers": 32}
    emu.api.huggingface_hub[REPO] = hf_hub.repo(None, params_json=params, consolidated_safetensors=1)
    refused = _deploy("--max-model-len", "4096")
    _refused_and_nothing_left(
        emu, refused, "max-model-len 4096 exceeds model's maximum supported context window 2048 (ModelTokenLimit)"
    )
    assert _deploy("--max-model-len", "2048").exit_code == 0
    assert emu.cluster.get(KAITO, "Workspace", "default", "coder-7b") is not None


def test_params_json_is_not_read_for_a_repo_that_is_not_in_mistral_format(model_emulator: Start) -> None:
    emu = model_emulator()
    emu.api.huggingface_hub[REPO] = hf_hub.repo(None, params_json={"dim": 4096, "n_layers": 32})
    result = _deploy("--max-model-len", "2048")
    _refused_and_nothing_left(
        emu,
        result,
        f"failed to get model preset: error fetching config: failed to fetch https://huggingface.co/{REPO}/resolve/main/"
        "config.json: status 404",
    )


def test_the_hubs_error_from_both_checks_is_one_message_with_both_paths() -> None:
    # validateInferenceConfig asks GetModelByName again once it reaches a max-model-len; knative
    # merges the two identical errors (knative.dev/pkg apis/field_error.go merge).
    from tests.emulators.kube import admission_kaito_config

    workspace = {
        "metadata": {"name": "coder-7b", "namespace": "default"},
        "inference": {"preset": {"name": REPO}, "config": "coder-7b-inference-config"},
    }
    stored = {"data": {"inference_config.yaml": "vllm:\n  max-model-len: 4096\n"}}
    denial = admission_kaito_config.review("kaito.sh", "Workspace", workspace, None, lambda _ns, _name: stored, {})
    assert denial is not None
    assert str(denial.message).endswith(
        f"failed to get model preset: error listing files: authentication required for accessing {TREE}: "
        "inference.preset, preset"
    )
