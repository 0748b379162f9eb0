"""A gated repo outside KAITO's catalog: the Hub lists its files to anyone, and answers 401 for a
file without a token, 403 with a token whose account has no access. KAITO's webhook sends the
token of presetOptions.modelAccessSecret, else its controller's own HF_TOKEN, and refuses the
Workspace when the Hub refuses config.json. akscli's hint names the fix (the Secret, the access
request), never the token (upstream: kaito-project/kaito v0.12.0 0894eb2b
presets/workspace/generator/generator.go getAuthHeader, fetchURL, fetchAndParseConfig;
huggingface/huggingface_hub src/huggingface_hub/errors.py GatedRepoError;
https://huggingface.co/docs/hub/models-gated)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.emulators.kube import hf_hub
from tests.emulators.kube.controllers.kaito import KAITO
from tests.emulators.kube.profiles import hf_token_secret
from tests.model.test_kaito_hub_repo import REPO, _deploy, _refused_and_nothing_left

Start = Callable[..., Any]
CONFIG = f"https://huggingface.co/{REPO}/resolve/main/config.json"
LLAMA = {"architectures": ["LlamaForCausalLM"], "max_position_embeddings": 32768}
SECRET_TOKEN = "hf_fake"  # what profiles.hf_token_secret holds


def _gated(emu: Any, *granted: str) -> None:
    emu.api.huggingface_hub[REPO] = hf_hub.repo(LLAMA, gated=granted)


def test_a_gated_repo_without_a_token_is_refused_at_its_config_and_the_hint_says_make_the_secret(
    model_emulator: Start,
) -> None:
    emu = model_emulator()
    _gated(emu, SECRET_TOKEN)
    result = _deploy("--max-model-len", "4096")
    # the file list is answered (a gated repo's files are listed to anyone); config.json is not
    _refused_and_nothing_left(
        emu,
        result,
        f"failed to get model preset: error fetching config: authentication required for accessing {CONFIG}",
    )
    assert f"hint: {REPO} is gated or private on Hugging Face" in result.stderr
    assert (
        'read -rs HF_TOKEN && printf %s "$HF_TOKEN" | kubectl create secret generic hf-token -n default '
        "--from-file=HF_TOKEN=/dev/stdin"
    ) in result.stderr
    assert f"accept the model's conditions at https://huggingface.co/{REPO}" in result.stderr


def test_a_gated_repo_with_a_token_that_has_no_access_is_refused_with_the_hubs_403_and_the_token_is_not_shown(
    model_emulator: Start,
) -> None:
    emu = model_emulator()
    _gated(emu, "hf_someone_else")
    hf_token_secret(emu)
    result = _deploy("--max-model-len", "4096", "--access-secret", "hf-token")
    _refused_and_nothing_left(
        emu, result, f"failed to get model preset: error fetching config: failed to fetch {CONFIG}: status 403"
    )
    assert (
        f"hint: the token in Secret default/hf-token (--access-secret) has no access to {REPO}: with that token's "
        f"account, ask for access at https://huggingface.co/{REPO}"
    ) in result.stderr
    assert SECRET_TOKEN not in result.stdout + result.stderr


def test_a_gated_repo_is_admitted_with_a_token_that_has_access(model_emulator: Start) -> None:
    emu = model_emulator()
    _gated(emu, SECRET_TOKEN)
    hf_token_secret(emu)
    result = _deploy("--max-model-len", "4096", "--access-secret", "hf-token")
    assert result.exit_code == 0, result.stderr
    assert emu.cluster.get(KAITO, "Workspace", "default", "coder-7b") is not None


def test_the_controllers_own_hf_token_admits_a_gated_repo_without_an_access_secret(model_emulator: Start) -> None:
    # getAuthHeader falls back to the controller's HF_TOKEN, and a 200 leaves DownloadAuthRequired
    # unset, so the webhook does not ask for modelAccessSecret: the Workspace is admitted.
    emu = model_emulator()
    emu.api.kaito_hf_token = "hf_controller"
    _gated(emu, "hf_controller")
    result = _deploy("--max-model-len", "4096")
    assert result.exit_code == 0, result.stderr
    assert emu.cluster.get(KAITO, "Workspace", "default", "coder-7b") is not None


def test_the_controllers_hf_token_without_access_is_refused_with_403_and_the_hint_names_that_token(
    model_emulator: Start,
) -> None:
    emu = model_emulator()
    emu.api.kaito_hf_token = "hf_controller"
    _gated(emu, SECRET_TOKEN)
    result = _deploy("--max-model-len", "4096")
    _refused_and_nothing_left(emu, result, f"failed to fetch {CONFIG}: status 403")
    assert (
        "hint: the HF_TOKEN of KAITO's workspace controller (no --access-secret given) has no access to "
        f"{REPO}" in result.stderr
    )
    assert "then add --access-secret hf-token" in result.stderr
    assert "hf_controller" not in result.stdout + result.stderr


def test_a_repo_the_hub_lacks_gets_the_hint_to_check_the_id(model_emulator: Start) -> None:
    emu = model_emulator()
    result = _deploy("--max-model-len", "4096")
    _refused_and_nothing_left(emu, result, "error listing files: authentication required for accessing")
    assert (
        f"hint: Hugging Face has no public repo {REPO}: check the id at https://huggingface.co/{REPO}" in result.stderr
    )


def test_a_repo_the_hub_lacks_with_a_token_gets_the_hint_to_check_the_id_and_the_tokens_reach(
    model_emulator: Start,
) -> None:
    emu = model_emulator()
    hf_token_secret(emu)
    result = _deploy("--max-model-len", "4096", "--access-secret", "hf-token")
    _refused_and_nothing_left(emu, result, "error listing files: failed to fetch")
    assert (
        f"hint: Hugging Face has no repo {REPO} that the token in Secret default/hf-token (--access-secret) can see"
    ) in result.stderr


def test_a_refusal_the_hub_did_not_cause_keeps_the_webhooks_hint(model_emulator: Start) -> None:
    emu = model_emulator()
    emu.api.huggingface_hub[REPO] = hf_hub.repo({"architectures": ["AcmeForCausalLM"], "max_position_embeddings": 8192})
    result = _deploy("--max-model-len", "4096")
    _refused_and_nothing_left(emu, result, "unsupported model architecture for")
    assert "hint: fix the value the server names and run again" in result.stderr
