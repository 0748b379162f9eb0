"""An ``sk-`` key with no upper-case letter is hidden in a server's answer too: after a vendor's
prefix (OpenAI's ``sk-proj-``, ``sk-svcacct-``, ``sk-admin-``: gitleaks/gitleaks
cmd/generate/config/rules/openai.go; Anthropic's ``sk-ant-api03-``, ``sk-ant-admin01-`` and the
OAuth ``sk-ant-oat01-``/``sk-ant-ort01-``: anthropic.go, whose own example key is lower case but its
last two letters) 32 key characters of any case, and a bare ``sk-`` with one unbroken run of 32 or
more lower-case letters and digits (DeepSeek's ``sk-`` and 32 hex digits: betterleaks/betterleaks
cmd/generate/config/rules/deepseek.go). Before, an ``sk-`` key needed an upper-case letter and a
digit. A Kubernetes name (``sk-learn-...``: words joined by "-") stays."""

from __future__ import annotations

import pytest

from akscli import redact

KEYS = {
    "deepseek": "sk-" + "0c3a9e51d2b84f7a9e6d1c0b5a4f3e2d",
    "openai project, lower case": "sk-proj-" + "canary0123456789abcdefghijklmnopqrstuvwxyz_-0123456789",
    "openai service account": "sk-svcacct-" + "canary0123456789abcdefghijklmnopqrstuv",
    "anthropic oauth": "sk-ant-oat01-" + "canary0123456789-abcdefghijklmnopqrstuvwx",
    "anthropic api, gitleaks' example": "sk-ant-api03-abc123xyz-456def789ghij-klmnopqrstuvwx-3456yza789bcde-"
    "1234fghijklmnopby56aaaogaopaaaabc123xyzAA",
}


@pytest.mark.parametrize("key", KEYS.values(), ids=KEYS.keys())
def test_a_lower_case_key_in_an_answer_is_hidden(key: str) -> None:
    assert (
        redact.scrub(f"401 Unauthorized: invalid key {key}, check it") == "401 Unauthorized: invalid key ***, check it"
    )
    assert redact.server_text(f"driver: key={key}") == "driver: key=***"


@pytest.mark.parametrize(
    "name",
    [
        "sk-learn-train-20260101",
        "sk-learn-classification-with-a-very-long-name-2026",  # long, but words
        "sk-proj-demo",  # a vendor prefix and a short name
        "sk-" + "abcdefghijklmnopqrstuvwxyzabcdefgh",  # no digit: a word
        "sk-" + "0123456789012345678901234567890123",  # no letter: a number
    ],
)
def test_a_name_that_starts_with_sk_is_kept(name: str) -> None:
    assert redact.scrub(f"pod {name} failed") == f"pod {name} failed"
