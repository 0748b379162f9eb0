"""The audit log's command line keeps no HTTP credential that an argument carries: a job's own
command after ``--`` (``ray job submit -- sh -c 'curl -H "Authorization: Bearer T" URL'``) is
recorded as typed otherwise, and the log is a file that outlives the shell's history. The shapes are
those an error line hides (akscli.redact.scrub): a credential header's value, a Bearer token,
Basic credentials (base64 of "user:password", RFC 7617 section 2), a JWT; the argument is then
``<redacted>`` whole, as docs/operations.md says of an argument that looks like a token. A
``--reason`` that only names the words is kept."""

from __future__ import annotations

import base64

import pytest

from akscli import audit_argv

TOKEN = "CanaryBearer0123456789abcdef"
BASIC = base64.b64encode(b"ci-user:CanaryBasicPassword").decode()

CARRIED = {
    "a shell command's header": ["sh", "-c", f'curl -H "Authorization: Bearer {TOKEN}" http://svc/v1'],
    "a header argument": ["curl", "-H", f"Authorization: Bearer {TOKEN}", "http://svc/v1"],
    "basic credentials": ["curl", "-H", f"Authorization: Basic {BASIC}", "http://svc/v1"],
    "a cookie header": ["wget", f"--header=Cookie: session={TOKEN}", "http://svc/v1"],
    "a bare bearer value": ["python", "client.py", f"Bearer {TOKEN}"],
}


@pytest.mark.parametrize("command", CARRIED.values(), ids=CARRIED.keys())
def test_a_credential_in_a_jobs_command_is_not_kept_in_the_audit_argv(command: list[str]) -> None:
    recorded = audit_argv.redact_argv(["ray", "job", "submit", "--cluster", "rc", "--", *command])
    assert any("<redacted>" in arg for arg in recorded), recorded
    assert all(TOKEN not in arg and BASIC not in arg for arg in recorded), recorded
    assert recorded[:6] == ["ray", "job", "submit", "--cluster", "rc", "--"]


@pytest.mark.parametrize(
    "reason", ["Basic setup of phi", "a fix for the Bearer tokens", "Basic configuration", "rotate authorization"]
)
def test_a_reason_that_names_the_words_is_kept(reason: str) -> None:
    argv = ["model", "deploy", "phi-4", "--reason", reason]
    assert audit_argv.redact_argv(argv) == argv
