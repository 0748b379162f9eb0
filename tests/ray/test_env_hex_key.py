"""``--env`` with a bare Azure OpenAI key (32 hex digits: Azure AI services' KEY1/KEY2) under a
neutral name is taken for a secret; ordinary hex values are not (the rule: akscli.secret_words
is_bare_hex_key)."""

from __future__ import annotations

import pytest

from akscli.audit_argv import redact_argv
from akscli.printable import masked_env
from akscli.secret_hints import secret_keys

KEY = "3f0c9a1b" + "7e2d4c6f8a0b1c2d3e4f5a6b"  # made up; 32 hex digits


def test_a_bare_32_hex_key_under_a_neutral_name_is_a_secret_everywhere_it_is_shown() -> None:
    assert secret_keys([f"AOAI={KEY}", "EPOCHS=3"]) == ["AOAI"]
    job = {"apiVersion": "ray.io/v1", "kind": "RayJob", "spec": {"runtimeEnvYAML": f"env_vars:\n  AOAI: {KEY}\n"}}
    assert KEY not in str(masked_env(job))
    assert KEY not in " ".join(redact_argv(["ray", "job", "submit", "--env", f"AOAI={KEY}"]))


@pytest.mark.parametrize(
    "pair",
    [
        "REF=" + "0123456789abcdef0123456789abcdef01234567",  # a git SHA: 40 digits
        "WEIGHTS=" + "ab" * 32,  # SHA-256: 64 digits
        "MODEL_MD5=" + KEY,  # the name says digest
        "TRACE_ID=" + KEY,
        "RUN_ID=" + KEY,
        "SEED=" + "1" * 32,  # digits only: a number
        "MARKER=" + "abcdef" * 5 + "ab",  # letters only
    ],
)
def test_ordinary_hex_values_are_not_keys(pair: str) -> None:
    assert secret_keys([pair]) == []
