"""How ``--hub-config`` asks the Hub: huggingface_hub's token (HF_TOKEN, else the Hub's token
file), never shown and not sent on a redirect to another host; a refusal in one line with its
fix; retries of a 429 or 503 that wait at least Retry-After; a size cap (upstream:
huggingface/huggingface_hub ee0a4510 src/huggingface_hub/utils/_auth.py get_token,
constants.py HF_TOKEN_PATH, utils/_http.py http_backoff and
_httpx_follow_relative_redirects_with_backoff, file_download.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from akscli import netfail
from akscli.model import hub_config
from tests.emulators.kube.hf_hub_server import HubServer, serving
from tests.model.test_hub_config import CONFIG_PATH, LLAMA, REPO, TOKEN, TREE_PATH, _plan, _put
from tests.model.test_hub_config import hub as hub
from tests.model.test_hub_config import slept as slept
from tests.silent_server import Silent


def _shown(result: object) -> str:
    return str(result)


# ---- the token -------------------------------------------------------------------------------


def test_hf_token_is_sent_and_opens_a_gated_repo_without_being_shown(
    hub: HubServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _put(hub, LLAMA, gated=[TOKEN])
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    result = _plan(65536, "--runtime", "vllm")
    assert "32768 (max_position_embeddings)" in result.stderr  # config.json was read
    assert hub.requests == [(CONFIG_PATH, f"Bearer {TOKEN}"), (TREE_PATH, f"Bearer {TOKEN}")]
    assert TOKEN not in _shown(result)


def test_the_hubs_token_file_under_hf_home_is_read_when_hf_token_is_unset(
    hub: HubServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _put(hub, LLAMA, gated=[TOKEN])
    (tmp_path / "hf-home").mkdir()
    (tmp_path / "hf-home" / "token").write_text(f"  {TOKEN}\n")  # as `hf auth login` leaves it, cleaned
    assert _plan(32768, "--runtime", "vllm").exit_code == 0
    assert hub.requests == [(CONFIG_PATH, f"Bearer {TOKEN}"), (TREE_PATH, f"Bearer {TOKEN}")]


def test_hf_token_comes_before_the_token_file(hub: HubServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "hf-home").mkdir()
    (tmp_path / "hf-home" / "token").write_text("hf_from_file")
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    assert hub_config.token() == TOKEN


def test_hf_hub_disable_implicit_token_sends_none(hub: HubServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    monkeypatch.setenv("HF_HUB_DISABLE_IMPLICIT_TOKEN", "1")
    assert hub_config.token() is None


def test_the_token_follows_a_redirect_on_the_same_host_but_not_to_another(
    hub: HubServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    with serving({REPO: {"config.json": LLAMA}}) as cdn:
        _put(hub, LLAMA)  # the file list is read from the Hub itself
        hub.redirects[CONFIG_PATH] = "/acme/renamed/resolve/main/config.json"  # a renamed repo: relative
        hub.redirects["/acme/renamed/resolve/main/config.json"] = f"{cdn.url}{CONFIG_PATH}"
        assert _plan(32768, "--runtime", "vllm").exit_code == 0
    assert hub.requests == [
        (CONFIG_PATH, f"Bearer {TOKEN}"),
        ("/acme/renamed/resolve/main/config.json", f"Bearer {TOKEN}"),
        (TREE_PATH, f"Bearer {TOKEN}"),
    ]
    assert cdn.requests == [(CONFIG_PATH, None)]


# ---- refusals --------------------------------------------------------------------------------


def test_a_gated_repo_without_a_token_is_refused_with_the_way_to_give_one(hub: HubServer) -> None:
    _put(hub, LLAMA, gated=[TOKEN])
    result = _plan(32768, "--runtime", "vllm")
    assert result.exit_code == 6, result
    assert f"error: {REPO} is gated on Hugging Face: its config.json needs a token (HTTP 401)" in result.stderr
    assert "log in with `hf auth login` (it asks for the token without showing it; or set HF_TOKEN)" in result.stderr
    assert f"accept the model's conditions at {hub.url}/{REPO}" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_repo_the_hub_lacks_without_a_token_says_so_with_the_id_to_check(hub: HubServer) -> None:
    # the Hub answers 401 with X-Error-Code RepoNotFound: it does not say whether a private repo is there
    result = _plan(32768, "--runtime", "vllm")
    assert result.exit_code == 6, result
    assert f"error: Hugging Face has no public repo {REPO} (HTTP 401)" in result.stderr
    assert f"hint: check the id at {hub.url}/{REPO}; for a private repo, log in with `hf auth login`" in result.stderr


def test_an_unreadable_token_file_is_one_line_not_a_traceback(hub: HubServer, tmp_path: Path) -> None:
    (tmp_path / "hf-home" / "token").mkdir(parents=True)
    result = _plan(32768, "--runtime", "vllm")
    assert result.exit_code == 2, result
    assert f"error: cannot read the Hugging Face token file {tmp_path / 'hf-home' / 'token'}: " in result.stderr
    assert hub.requests == []


def test_a_token_without_access_is_refused_with_403_and_not_shown(
    hub: HubServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _put(hub, LLAMA, gated=["hf_someone_else"])
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    result = _plan(32768, "--runtime", "vllm")
    assert result.exit_code == 6, result
    assert "answered 403" in result.stderr and f"ask for access at {hub.url}/{REPO}" in result.stderr
    assert TOKEN not in _shown(result)


def test_a_repo_the_hub_lacks_with_a_token_is_not_found(hub: HubServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    result = _plan(32768, "--runtime", "vllm")
    assert result.exit_code == 3, result
    assert f"error: Hugging Face has no {REPO}/config.json that the token can see (HTTP 404)" in result.stderr


def test_a_config_json_over_the_size_cap_is_refused(hub: HubServer) -> None:
    _put(hub, {**LLAMA, "padding": "x" * hub_config.MAX_BYTES})
    result = _plan(32768, "--runtime", "vllm")
    assert result.exit_code == 1, result
    assert f"more than akscli reads from the Hub ({hub_config.MAX_BYTES} at most)" in result.stderr
    assert "hint: describe the model with flags instead" in result.stderr


# ---- retries ---------------------------------------------------------------------------------


def test_a_429_is_retried_no_sooner_than_its_retry_after(hub: HubServer, slept: list[float]) -> None:
    _put(hub, LLAMA)
    hub.queue(429, {"Retry-After": "3"})
    hub.queue(503)
    assert _plan(32768, "--runtime", "vllm").exit_code == 0
    assert len(hub.requests) == 4  # config.json three times, then the file list
    assert slept[0] >= 3 and len(slept) == 2


def test_the_hub_is_asked_at_most_four_times(hub: HubServer, slept: list[float]) -> None:
    _put(hub, LLAMA)
    for _ in range(5):
        hub.queue(503)
    result = _plan(32768, "--runtime", "vllm")
    assert result.exit_code == 1, result
    assert "could not read" in result.stderr and "after 4 tries (last: HTTP 503)" in result.stderr
    assert len(hub.requests) == 4 and len(slept) == 3


def test_a_retry_after_past_a_minute_is_reported_not_waited(hub: HubServer, slept: list[float]) -> None:
    _put(hub, LLAMA)
    hub.queue(429, {"Retry-After": "600"})
    result = _plan(32768, "--runtime", "vllm")
    assert result.exit_code == 1, result
    assert "(last: HTTP 429, which asked to wait 600s)" in result.stderr
    assert slept == []


def test_a_hub_that_never_answers_is_asked_once_and_once_more_only_after_an_answer(
    monkeypatch: pytest.MonkeyPatch, slept: list[float]
) -> None:
    """akscli.netfail's rule for a timeout. Upstream differs: huggingface_hub's ``http_backoff``
    retries every ``requests.Timeout`` ``max_retries`` (5) times (huggingface/huggingface_hub
    01dd37b8 src/huggingface_hub/utils/_http.py), so a hub that takes the connection and never
    answers is asked 6 times."""
    server = Silent()
    monkeypatch.setenv("HF_ENDPOINT", f"https://{server.server}")
    monkeypatch.setattr(hub_config, "TIMEOUT_S", 0.3)
    netfail.forget()
    with pytest.raises(Exception, match=r"could not read .* \(last: timed out\)"):
        hub_config.read_config(REPO)
    assert server.connections() == 1
    netfail.answered(server.server)
    with pytest.raises(Exception, match=r"after 2 tries \(last: timed out\)"):
        hub_config.read_config(REPO)
    assert server.connections() == 2
    server.close()
