"""The Prometheus paths of sessions 27-28 (`gpu usage --utilization --prometheus URL`, an Azure
Monitor workspace queried with an Entra token) leak no credential: a URL's password or token
parameter is refused without being echoed, and an answer that quotes the access token is shown
without it (akscli.redact)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.cli import invoke

CANARY = "CanaryUrlPassw0rd-3e9b"


def test_a_urls_password_and_secret_parameters_are_hidden_from_an_error_line() -> None:
    from akscli.redact import scrub

    line = scrub(f"GET https://bob:{CANARY}@prom.example.com/api?access_token={CANARY}&query=up&api_key={CANARY}")
    assert CANARY not in line
    assert line == "GET https://bob:***@prom.example.com/api?access_token=***&query=up&api_key=***"
    assert scrub("see http://localhost:9090/?query=up and bob@example.com") == (
        "see http://localhost:9090/?query=up and bob@example.com"
    )


def test_a_warning_that_quotes_a_url_shows_no_password(capsys: pytest.CaptureFixture[str]) -> None:
    # A warning repeats a server's or a library's words (statuslines.info), as an error line does.
    from akscli import output

    output.warn(f"Prometheus https://bob:{CANARY}@prom.example.com/?token={CANARY} could not be queried")
    shown = "warning: Prometheus https://bob:***@prom.example.com/?token=*** could not be queried\n"
    assert capsys.readouterr().err == shown


@pytest.mark.parametrize(
    ("url", "words"),
    [
        (f"http://bob:{CANARY}@127.0.0.1:9/", "user name or password"),
        (f"http://127.0.0.1:9/?access_token={CANARY}", "without ?query"),
    ],
    ids=["password", "token-parameter"],
)
def test_gpu_usage_refuses_a_prometheus_url_with_credentials_and_does_not_echo_them(
    kube_emulator: Any, kubeconfig: Any, url: str, words: str
) -> None:
    result = invoke("--debug", "gpu", "usage", "--utilization", "--prometheus", url)
    assert result.exit_code == 2, result
    assert words in result.stderr
    assert CANARY not in result.stdout + result.stderr


def test_an_azure_monitor_answer_that_quotes_the_token_is_shown_without_it(
    kube_emulator: Any, kubeconfig: Any, azure_env: Any
) -> None:
    from tests.emulators.arm.workspace import resolve_workspace

    def echo(method: str, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        # A server (or a proxy before it) whose error quotes the request's header back.
        token = {k.lower(): v for k, v in headers.items()}["authorization"].removeprefix("Bearer ")
        doc = {"status": "error", "errorType": "bad_data", "error": f"cannot parse token {token}"}
        return 400, {"Content-Type": "application/json"}, json.dumps(doc).encode()

    azure_env.prometheus_workspace = echo
    with resolve_workspace(azure_env) as endpoint:
        result = invoke("gpu", "usage", "--utilization", "--prometheus", endpoint, "-vv")
    assert result.exit_code == 0, result
    assert "GPU utilization not shown" in result.stderr and "cannot parse token ***" in result.stderr
    issued = list(azure_env.tokens)
    assert issued and not [t for t in issued if t in result.stdout + result.stderr]


def test_a_hidden_url_parameter_keeps_the_sentence_punctuation_after_it() -> None:
    # review20: the value stops before the ")," that ends the sentence, not at the next space.
    from akscli.redact import url_credentials

    line = url_credentials(f"(see http://prom:9090/api?token={CANARY}), then retry; or ?pwd={CANARY}.")
    assert line == "(see http://prom:9090/api?token=***), then retry; or ?pwd=***."
    assert url_credentials("https://p/?token=a.b),c&x=1") == "https://p/?token=***&x=1"


def test_a_password_with_an_at_sign_is_hidden_whole() -> None:
    # review20: Go's url.go parseAuthority splits at the authority's LAST "@" (validUserinfo takes "@",
    # go.dev/issue/3439); the base stopped at the first and echoed the password's tail.
    from akscli.redact import url_credentials

    assert url_credentials(f"https://bob@corp.example:Pa@{CANARY}@prom/x") == "https://bob@corp.example:***@prom/x"
    result = invoke("--debug", "gpu", "usage", "--utilization", "--prometheus", f"http://bob:Pa@{CANARY}@127.0.0.1:9/")
    assert result.exit_code == 2, result
    assert "'http://bob:***@127.0.0.1:9/'" in result.stderr
    assert CANARY not in result.stdout + result.stderr
