"""secret_words.looks_secret reads its token pattern only where a value holds one of the pattern's
fixed parts (_SECRET_MARKS), and is_bare_hex_key only a 32-character value: the answers are the
pattern's own, for every shape and for text built around the marks."""

from __future__ import annotations

import random
import re

import pytest

from akscli import secret_words

SHAPES = [
    "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJl",
    "-----BEGIN RSA PRIVATE KEY-----",
    "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=abc123==;EndpointSuffix=core.windows.net",
    "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=abcdef",
    "SharedAccessSignature=sv=2020&sig=abc",
    "sv=2022-11-02&ss=b&sig=AbCdEf0123456789%2Bxyz%3D",
    "ghp_" + "a1B2" * 9,
    "github_pat_" + "A1b2" * 6,
    "hf_" + "abcdEFGH" * 4,
    "sk-proj-" + "Ab1_" * 6,
    "AKIAIOSFODNN7EXAMPLE",
    "ASIAIOSFODNN7EXAMPLE",
    "A" * 86 + "==",
    "postgresql://user:hunter2@db.example.com/x",
]


@pytest.mark.parametrize("value", SHAPES)
def test_each_secret_shape_is_still_a_secret(value: str) -> None:
    assert secret_words.looks_secret(value)


def test_a_plain_value_compiles_no_secret_pattern() -> None:
    re.purge()
    assert not secret_words.looks_secret("demo")
    assert not secret_words.is_bare_hex_key("name", "demo")
    patterns = (secret_words._SECRET_VALUE, secret_words._URL_PASSWORD, secret_words._HEX_KEY)
    assert [key for key in re._cache if key[1] in patterns] == []  # type: ignore[attr-defined]


def _unguarded(value: str, urls: bool) -> bool:
    return bool(re.search(secret_words._SECRET_VALUE, value)) or (
        urls and bool(re.search(secret_words._URL_PASSWORD, value))
    )


def test_the_marks_never_change_an_answer_of_the_pattern() -> None:
    pieces = [*secret_words._SECRET_MARKS, "://", "u:p@", "a", "Z", "0", "9", "_", "-", "=", "&", "?", ";", " ", "/"]
    pieces += [piece[:-1] for piece in secret_words._SECRET_MARKS if len(piece) > 1]
    pieces += ["abcdEFGH12345678", "A" * 86, "IOSFODNN7EXAMPLE"]
    rng = random.Random(35)
    values = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 12))) for _ in range(4000)]
    for value in values + SHAPES:
        for urls in (True, False):
            assert secret_words.looks_secret(value, urls=urls) == _unguarded(value, urls), value


@pytest.mark.parametrize(
    "value", ["0123456789abcdef0123456789ABCDEF", " 0123456789abcdef0123456789abcdef\n", "0" * 32, "a" * 33]
)
def test_a_bare_hex_key_is_read_as_the_pattern_reads_it(value: str) -> None:
    expected = bool(re.fullmatch(secret_words._HEX_KEY, value.strip()))
    assert secret_words.is_bare_hex_key("KEY", value) == expected
