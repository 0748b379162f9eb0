"""A token of a published format is hidden wherever a server's answer puts it, though akscli never
sent it (a RayJob read from the cluster, a webhook quoting another object): error lines, ``--debug``
lines, the audit log's result, plan and diff lines, warnings (akscli.redact.hide_tokens). The
formats: Hugging Face ``hf_`` (huggingface.co/docs/hub/security-tokens; gitleaks/gitleaks
cmd/generate/config/rules/huggingface.go), GitHub ``ghp_``/``gho_``/``ghu_``/``ghs_``/``ghr_`` and
``github_pat_`` (github.blog 2021-04-05, "Behind GitHub's new authentication token formats";
gitleaks cmd/generate/config/rules/github.go), OpenAI and Anthropic ``sk-`` keys (gitleaks
openai.go, anthropic.go), AWS key IDs, an Azure SAS's ``sig=`` and a connection string's keys
(learn.microsoft.com/rest/api/storageservices/create-service-sas), a PEM private key. A URL's
password alone is hidden, the URL kept, as Go's net/http prints one (golang/go
src/net/http/client.go stripPassword: ``https://user:***@host``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from akscli import audit_argv, output, redact
from akscli.kube.plan_diff import diff_objects
from tests.security.test_container_args_error_lines import refused_apply

HF = "hf_" + "CanaryHubTokenAbCdEfGhIjKlMnOpQr"
SHAPES = {
    "hugging face": (f"denied: --hf-token={HF} in job", "denied: --hf-token=*** in job"),
    "hugging face org": ("token api_org_" + "CanaryOrgTokenAbCdEfGhIjKlMnOpQrSt" + " refused", "token *** refused"),
    "github classic": ("clone with ghp_" + "CanaryGitHub0123456789abcdefghijklm" + ": 401", "clone with ***: 401"),
    "github oauth": ("gho_" + "CanaryGitHubOAuth0123456789abcdefghi", "***"),
    "github fine-grained": ("github_pat_" + "11CANARY0123456789_abcdefghijklmnopqrstuv", "***"),
    "openai project": ("key sk-proj-" + "CanaryOpenAI0123456789abcdefgh" + " invalid", "key *** invalid"),
    "anthropic": ("x-api-key sk-ant-api03-" + "Canary0123456789-abcdefghijklmnAA", "x-api-key ***"),
    "aws key id": ("AKIA" + "CANARY0123456789", "***"),
    "sas signature": ("sv=2024-11-04&se=2026&sig=" + "Canary0123456789%2Babcdef%3D", "sv=2024-11-04&se=2026&sig=***"),
    "storage connection string": (
        "AccountName=x;AccountKey=" + "Canary0123456789abcdef+/==" + ";EndpointSuffix=core.windows.net",
        "AccountName=x;AccountKey=***;EndpointSuffix=core.windows.net",
    ),
    "service bus signature": (
        "SharedAccessSignature=" + "SharedAccessSignature sr=x&sig=Canary0123456789",
        "SharedAccessSignature=*** sr=x&sig=***",
    ),
    "pem private key": ("key: -----BEGIN PRIVATE KEY-----\nMIIEvQ\n-----END PRIVATE KEY----- bad", "key: *** bad"),
}


@pytest.mark.parametrize(("answer", "shown"), SHAPES.values(), ids=SHAPES.keys())
def test_a_token_of_a_published_shape_is_hidden_in_an_error_line(answer: str, shown: str) -> None:
    assert redact.scrub(answer) == shown


@pytest.mark.parametrize(
    "text",
    [
        "pod sk-learn-train-job-20260101 failed",  # a Kubernetes name: lower case, no key
        "hf_hub_download_timeout exceeded",  # an identifier, not a token
        "sig=short and AccountKey=",
        "ghp_ is GitHub's personal token prefix",
    ],
)
def test_words_that_only_resemble_a_token_are_kept(text: str) -> None:
    assert redact.scrub(text) == text


def test_a_plan_line_hides_a_token_in_any_field() -> None:
    before = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "annotations": {"note": "old"}}}
    after = {**before, "metadata": {"name": "c", "annotations": {"note": f"pulled with {HF}"}}}
    assert diff_objects(before, after) == ["~ metadata.annotations.note: old -> pulled with ***"]


def test_a_warning_that_quotes_a_token_hides_it(capsys: pytest.CaptureFixture[str]) -> None:
    output.warn(f"the job's driver printed {HF}")
    assert capsys.readouterr().err.endswith("the job's driver printed ***\n")


def test_the_audit_argv_keeps_a_urls_host_and_hides_its_password() -> None:
    argv = ["ray", "job", "submit", "--", "python", "t.py", "--db", "postgresql://app:pw-31@db:5432/x"]
    assert audit_argv.redact_argv(argv)[-1] == "postgresql://app:***@db:5432/x"


def test_an_error_line_keeps_a_urls_host_and_hides_its_password() -> None:  # a guard: scrub did so already
    assert redact.scrub('Get "https://bob:pw-31@reg.example/v2/": EOF') == 'Get "https://bob:***@reg.example/v2/": EOF'


@pytest.mark.parametrize("flags", [[], ["--debug"]], ids=["plain", "debug"])
def test_a_server_answer_with_a_token_akscli_never_sent_reaches_no_output(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flags: list[str]
) -> None:
    monkeypatch.setenv("AKSCLI_AUDIT_LOG", str(tmp_path / "audit.jsonl"))
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {}}
    result, log = refused_apply(
        kube_emulator, tmp_path, obj, r"/configmaps/c$", f"denied: RayJob train has --hf-token {HF}", flags
    )
    assert "denied: RayJob train has --hf-token ***" in result.stderr, result
    assert HF not in result.stdout + result.stderr + log
