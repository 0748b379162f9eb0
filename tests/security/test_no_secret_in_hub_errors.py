"""The Hugging Face token of ``--hub-config`` (audit23-kaito10) in none of its error paths: every
refusal and failure of the one GET, with the token set, under --debug, says neither the token
nor a credential in HF_ENDPOINT (huggingface_hub's variables: ee0a4510
src/huggingface_hub/constants.py ENDPOINT, utils/_auth.py get_token)."""

from __future__ import annotations

import pytest

from tests.emulators.kube.hf_hub_server import HubServer
from tests.model.test_hub_config import LLAMA, _plan, _put
from tests.model.test_hub_config import hub as hub
from tests.model.test_hub_config import slept as slept

TOKEN = "hf_canaryTokenValue0123456789"


def _said(result: object) -> str:
    return str(result)


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param({"status": 404}, id="404"),
        pytest.param({"status": 503}, id="503 four times"),
        pytest.param({"status": 200, "body": b"[1, 2]"}, id="not a JSON object"),
        pytest.param({"status": 200, "body": b"{" + b" " * (2 * 1024 * 1024 + 1) + b"}"}, id="over the size cap"),
    ],
)
def test_a_hub_failure_with_a_token_never_shows_it(
    hub: HubServer, slept: list[float], monkeypatch: pytest.MonkeyPatch, answer: dict[str, object]
) -> None:
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    _put(hub, LLAMA)
    for _ in range(4):
        hub.queue(**answer)  # type: ignore[arg-type]
    result = _plan(32768, "--runtime", "vllm", "--debug")
    assert result.exit_code != 0, result
    assert TOKEN not in _said(result)


def test_a_token_that_cannot_go_in_a_header_is_one_line_without_it(
    hub: HubServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_TOKEN", TOKEN + "\u2019")
    result = _plan(32768, "--runtime", "vllm")
    assert result.exit_code == 2, result  # was 'unexpected error: UnicodeEncodeError', exit 1
    assert result.stderr.startswith(
        "error: the Hugging Face token (HF_TOKEN, HUGGING_FACE_HUB_TOKEN or the token file)"
    )
    assert hub.requests == []
    assert TOKEN not in _said(result)


def test_a_credential_in_hf_endpoint_is_not_shown_when_the_hub_cannot_be_reached(
    hub: HubServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_ENDPOINT", f"http://mirror:{TOKEN}@127.0.0.1:9")
    result = _plan(32768, "--runtime", "vllm")
    assert result.exit_code != 0, result
    assert TOKEN not in _said(result)


def test_a_token_set_as_hf_endpoint_by_mistake_is_not_quoted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_ENDPOINT", TOKEN)
    result = _plan(32768, "--runtime", "vllm")
    assert result.exit_code == 2, result
    assert "HF_ENDPOINT" in result.stderr
    assert TOKEN not in _said(result)
