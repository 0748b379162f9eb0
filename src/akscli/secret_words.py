"""Which names and values hold a secret: the audit log masks them, the policy checks refuse them as
plain env values, and flag values that carry one get a warning (akscli.secret_hints.secret_keys).
Only ``re`` and ``itertools``: offline commands (render) read it without the policy checks."""

from __future__ import annotations

import itertools
import re

_SECRET_WORDS = frozenset(
    {
        "PASSWORD",
        "PASSWD",
        "PWD",
        "SECRET",
        "SECRETS",
        "TOKEN",
        "APIKEY",
        "CREDENTIAL",
        "CREDENTIALS",
        "PASSPHRASE",
    }
)
_SECRET_PAIRS = frozenset(
    {
        ("API", "KEY"),
        ("ACCESS", "KEY"),
        ("PRIVATE", "KEY"),
        ("ACCOUNT", "KEY"),
        ("CONNECTION", "STRING"),
        ("SHARED", "KEY"),
        ("MASTER", "KEY"),
    }
)
# Values that are secrets whatever their name: JWTs, PEM keys, Azure storage keys, SAS signatures,
# GitHub and Hugging Face tokens, AWS access keys.
_SECRET_VALUE = re.compile(
    r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"
    r"|-----BEGIN [A-Z ]*PRIVATE KEY-----"
    r"|AccountKey=[^;\s]+"
    r"|[?&]sig=[A-Za-z0-9%/+=]{16,}"
    r"|\b(ghp|gho|ghs|github_pat|hf)_[A-Za-z0-9_]{16,}"
    r"|\bAKIA[0-9A-Z]{16}\b"
    r"|\b[A-Za-z0-9+/]{86}=="
)


def is_secret_name(name: str) -> bool:
    """A variable, flag or key name that by convention holds a secret.

    Whole words only, so HF_TOKEN and clientSecret count but TOKENIZERS_PARALLELISM does not.
    """
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    words = [w for w in re.split(r"[^A-Za-z0-9]+", spaced.upper()) if w]
    return any(w in _SECRET_WORDS for w in words) or any(pair in _SECRET_PAIRS for pair in itertools.pairwise(words))


def looks_secret(value: str) -> bool:
    """A value that is a secret whatever it is called (token, key, signature)."""
    return bool(_SECRET_VALUE.search(value))
