"""Query parameters that are credentials by name, not by a secret word in it: a SAS's ``sig``, an
OAuth authorization ``code`` and the other grant parameters msal keeps out of its cache keys, a
signed URL's signature. An error line or warning that echoes such a URL shows none of them
(akscli.redact.url_credentials), whatever their length."""

from __future__ import annotations

import pytest

from tests.cli import invoke

CANARY = "Canary5ig"  # short: the value shape (looks_secret's 16-character sig=) does not catch it


@pytest.mark.parametrize(
    "name", ["sig", "code", "code_verifier", "device_code", "assertion", "client_assertion", "X-Amz-Signature"]
)
def test_a_credential_query_parameter_is_hidden_from_an_error_line(name: str) -> None:
    from akscli.redact import scrub

    line = scrub(f"GET https://acct.blob.core.windows.net/c/b?sv=2022-11-02&{name}={CANARY}&state=s1 failed")
    assert line == f"GET https://acct.blob.core.windows.net/c/b?sv=2022-11-02&{name}=***&state=s1 failed"


def test_a_parameter_that_only_ends_in_code_is_shown() -> None:
    from akscli.redact import scrub

    assert scrub("https://h/a?errorcode=5&query=up") == "https://h/a?errorcode=5&query=up"


@pytest.mark.parametrize(
    "url",
    [
        'http://prom:9090/api/v1/query?query=sum(rate(http_requests_total{code="500"}[5m]))',
        "http://prom:9090/api/v1/query?query=sum%28x%7Bcode%3D%22500%22%7D%29&time=1",
        'http://prom:9090/graph?g0.expr=rate(x{job="a",code="500"}[5m])&g0.tab=0',
    ],
)
def test_a_promql_label_named_code_in_a_query_value_is_shown(url: str) -> None:
    # only a query parameter named code is a credential; a PromQL matcher code="500" inside ?query= is
    # what the user asked for, and an error line that echoes the URL keeps it
    from akscli.redact import scrub

    assert scrub(f"error: {url} answered 400") == f"error: {url} answered 400"


def test_a_refused_prometheus_url_is_echoed_without_its_sas_signature_or_code() -> None:
    url = f"https://prom.example/x?code={CANARY}&sig={CANARY}"
    result = invoke("gpu", "usage", "--utilization", "--prometheus", url)
    assert result.exit_code == 2 and "without ?query" in result.stderr
    assert CANARY not in result.stdout + result.stderr


@pytest.mark.parametrize(
    "url",
    [
        f"http://prom.example/?query=up&token={CANARY}",  # the second parameter: no KEY=VALUE pair of its own
        f"https://acct.blob.core.windows.net/c/b?sv=2022-11-02&sig={CANARY}",
        f"http://localhost:8400/?code={CANARY}&state=s1",
    ],
)
def test_the_audit_log_keeps_no_credential_query_value_of_a_url_flag(url: str) -> None:
    from akscli.audit_argv import redact_argv

    for argv in (["gpu", "usage", "--prometheus", url], ["gpu", "usage", f"--prometheus={url}"]):
        kept = " ".join(redact_argv(argv))
        assert CANARY not in kept and "://" in kept, kept
