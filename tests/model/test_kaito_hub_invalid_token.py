"""A token the Hugging Face Hub does not know (revoked, expired, mistyped): the Hub answers 401
"Invalid credentials in Authorization header" on every URL, so KAITO's webhook is refused at the
file list, the first request it makes, even for a public repo. akscli's hint says the token is
not one the Hub knows, which is not the 403 hint (a token the Hub knows, without access) (upstream:
huggingface/huggingface_hub ee0a4510 src/huggingface_hub/utils/_http.py hf_raise_for_status;
kaito-project/kaito v0.12.0 0894eb2b presets/workspace/generator/generator.go listRepoFiles,
fetchURL, getAuthHeader)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.emulators.kube import hf_hub
from tests.emulators.kube.profiles import hf_token_secret
from tests.model.test_kaito_hub_repo import REPO, _deploy, _refused_and_nothing_left

Start = Callable[..., Any]
LIST = f"https://huggingface.co/api/models/{REPO}/tree/main?recursive=true"
LLAMA = {"architectures": ["LlamaForCausalLM"], "max_position_embeddings": 32768}
SECRET_TOKEN = "hf_fake"  # what profiles.hf_token_secret holds


def _public_repo_and_a_hub_that_knows_only(emu: Any, token: str) -> None:
    emu.api.huggingface_hub[REPO] = hf_hub.repo(LLAMA)
    hf_hub.known_tokens(emu.api.huggingface_hub, someone=token)


def test_a_secrets_token_the_hub_does_not_know_is_refused_at_the_file_list_and_the_hint_says_replace_it(
    model_emulator: Start,
) -> None:
    emu = model_emulator()
    _public_repo_and_a_hub_that_knows_only(emu, "hf_other")
    hf_token_secret(emu)
    result = _deploy("--max-model-len", "4096", "--access-secret", "hf-token")
    _refused_and_nothing_left(emu, result, f"error listing files: failed to fetch {LIST}: status 401")
    assert (
        "hint: Hugging Face does not know the token in Secret default/hf-token (--access-secret) (HTTP 401: revoked, "
        "expired or mistyped): make a new token at https://huggingface.co/settings/tokens"
    ) in result.stderr
    assert "has no access" not in result.stderr
    assert SECRET_TOKEN not in result.stdout + result.stderr


def test_the_controllers_token_the_hub_does_not_know_gets_the_hint_to_give_an_access_secret(
    model_emulator: Start,
) -> None:
    emu = model_emulator()
    emu.api.kaito_hf_token = "hf_revoked"
    _public_repo_and_a_hub_that_knows_only(emu, "hf_other")
    result = _deploy("--max-model-len", "4096")
    _refused_and_nothing_left(emu, result, f"error listing files: failed to fetch {LIST}: status 401")
    assert (
        "hint: Hugging Face does not know the HF_TOKEN of KAITO's workspace controller (no --access-secret given)"
    ) in result.stderr
    assert "then add --access-secret hf-token" in result.stderr
    assert "hf_revoked" not in result.stdout + result.stderr


def test_a_token_the_hub_knows_is_admitted_for_a_public_repo(model_emulator: Start) -> None:
    emu = model_emulator()
    _public_repo_and_a_hub_that_knows_only(emu, SECRET_TOKEN)
    hf_token_secret(emu)
    result = _deploy("--max-model-len", "4096", "--access-secret", "hf-token")
    assert result.exit_code == 0, result.stderr
