"""Which names and values hold a secret: the audit log masks them, the policy checks refuse them as
plain env values, and flag values that carry one get a warning (akscli.secret_hints.secret_keys).
Only ``re``, ``itertools`` and ``functools``: offline commands (render) read it without the policy
checks."""

from __future__ import annotations

import functools
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
        "PAT",
        "SAS",
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
# Values that are secrets whatever their name, as users put them in ``--env`` and ``--set``:
# - JWTs (Entra tokens) and PEM private keys;
# - Azure: a storage, Cosmos DB, Service Bus or Event Hubs connection string's key
#   (``AccountKey=``, ``SharedAccessKey=``, ``SharedAccessSignature=``), a SAS token's ``sig=``
#   (whole, as a query string, or in a URL), a storage account key (64 bytes, base64);
# - GitHub tokens (ghp_, gho_, ghu_, ghs_, ghr_: "Authentication token format updates are generally
#   available", github.blog changelog 2021-03-31; fine-grained github_pat_);
# - Hugging Face tokens (hf_), OpenAI and Anthropic API keys (sk-, sk-proj-, sk-ant-);
# - AWS access key IDs: AKIA long-term, ASIA temporary (AWS STS API reference, GetAccessKeyInfo);
# - a URL with a password in it (scheme://user:password@host).
# Pattern strings, compiled by re's own cache where a value holds one of _SECRET_MARKS: a clean
# value (``render --set name=demo``) compiles nothing (the pattern is about 5 M instructions to
# compile, 5% of a render; tests/foundation/test_startup.py).
_SECRET_VALUE = (
    r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"
    r"|-----BEGIN [A-Z ]*PRIVATE KEY-----"
    r"|(?:AccountKey|SharedAccessKey|SharedAccessSignature)=[^;\s]+"
    r"|(?:^|[?&])sig=[A-Za-z0-9%/+=]{16,}"
    r"|\b(ghp|gho|ghu|ghs|ghr|github_pat|hf)_[A-Za-z0-9_]{16,}"
    r"|\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}"
    r"|\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"
    r"|\b[A-Za-z0-9+/]{86}=="
)
# Each alternative's fixed part, in its order above: a value with none of them matches none.
_SECRET_MARKS = (
    "eyJ",
    "-----BEGIN ",
    "Key=",
    "Signature=",
    "sig=",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "hf_",
    "sk-",
    "AKIA",
    "ASIA",
    "==",
)
_URL_PASSWORD = r"\b[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@"


@functools.lru_cache(maxsize=4096)  # a list's objects repeat their env names (akscli.printable)
def is_secret_name(name: str) -> bool:
    """A variable, flag or key name that by convention holds a secret.

    Whole words only, so HF_TOKEN and clientSecret count but TOKENIZERS_PARALLELISM does not.
    """
    words = _words(name)
    return any(w in _SECRET_WORDS for w in words) or any(pair in _SECRET_PAIRS for pair in itertools.pairwise(words))


# The plural of a secret word or pair (``spec.tokens``, ``passwords``, ``apiKeys``, ``accessKeys``) as a
# name's last word: a field that holds several secrets. SECRETS and CREDENTIALS are secret words
# already. Not a secret name everywhere: ``max_tokens``, ``--max-num-batched-tokens`` (vLLM) and
# ``tokens: 4096`` count tokens, so akscli.redact_fields reads it for a field error's value that is no
# number (a string, a list, a map), whose value a count is not.
_PLURAL_WORDS = frozenset({"PASSWORDS", "PASSWDS", "PWDS", "TOKENS", "APIKEYS", "PASSPHRASES", "PATS"})


@functools.lru_cache(maxsize=4096)
def names_secrets(name: str) -> bool:
    """``name``'s last word is the plural of a secret word (``tokens``, ``apiKeys``: _PLURAL_WORDS),
    or its last two words a secret pair with its second word plural (``accessKeys``,
    ``connection_strings``)."""
    words = _words(name)
    if not words:
        return False
    if words[-1] in _PLURAL_WORDS:
        return True
    return len(words) > 1 and words[-1].endswith("S") and (words[-2], words[-1][:-1]) in _SECRET_PAIRS


# The last word of a secret-named flag or variable that says it points at the secret rather than
# holds it: a file or path to read it from (``--password-file``, ``--hf-token-path``; the ``_FILE``
# convention of the Docker Official Images, docker-library/postgres docker-entrypoint.sh file_env
# ``POSTGRES_PASSWORD_FILE``; huggingface/huggingface_hub src/huggingface_hub/constants.py
# ``HF_TOKEN_PATH``), or the name of an object that holds it (``--secret-name``, ``--secret-ref``:
# Kubernetes' own ``secretName``, ``secretRef``, kubernetes/api core/v1/types.go
# SecretVolumeSource.SecretName, EnvFromSource.SecretRef).
_REFERENCE_WORDS = frozenset({"FILE", "FILENAME", "PATH", "DIR", "NAME", "REF", "REFERENCE"})
# A value that is plainly a path: absolute, home- or dot-relative, of path characters only.
_PATH = r"(?:/|~/|\.{1,2}/)[\w.~@+/-]*"
# A Kubernetes object's name (a DNS-1123 subdomain: kubernetes/apimachinery
# pkg/util/validation/validation.go IsDNS1123Subdomain), or NAMESPACE/NAME.
_OBJECT_NAME = r"[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*"
_REFERENCE_VALUE = rf"{_PATH}|(?:{_OBJECT_NAME}/)?{_OBJECT_NAME}"


def is_reference(name: str, value: str) -> bool:
    """``name`` is named like a secret but says it points at one (its last word is FILE, PATH,
    DIR, NAME or REF: ``--password-file``, ``--secret-name``, ``HF_TOKEN_PATH``) and ``value`` is
    plainly a path or a Kubernetes object's name (``/etc/pw``, ``./pw.txt``, ``db-creds``), not a
    credential's shape: the value is shown. Any other value of such a name is taken for the
    secret itself (``--password-file hunter2!``)."""
    words = _words(name)
    if not words or words[-1] not in _REFERENCE_WORDS or len(value) > 253:
        return False
    return bool(re.fullmatch(_REFERENCE_VALUE, value)) and not looks_secret(value) and not is_bare_hex_key("", value)


def is_object_name(value: str) -> bool:
    """``value`` is a Kubernetes object's name (a DNS-1123 subdomain), or NAMESPACE/NAME."""
    return len(value) <= 253 and bool(re.fullmatch(rf"(?:{_OBJECT_NAME}/)?{_OBJECT_NAME}", value))


def holds_secret(name: str, value: str) -> bool:
    """A flag's or variable's value that is a secret by its name (is_secret_name), unless the name
    says it points at the secret and the value is plainly a path or a name (is_reference): the one
    rule the audit log, printed command lines and printed env values read a name by."""
    return is_secret_name(name) and not is_reference(name, value)


def _words(name: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return [w for w in re.split(r"[^A-Za-z0-9]+", spaced.upper()) if w]


def looks_secret(value: str, urls: bool = True) -> bool:
    """A value that is a secret whatever it is called (token, key, signature); with ``urls``, also
    a URL with a password in it (``urls=False``: where the password alone is masked,
    akscli.redact.url_credentials)."""
    if any(mark in value for mark in _SECRET_MARKS) and re.search(_SECRET_VALUE, value):
        return True
    return urls and "://" in value and bool(re.search(_URL_PASSWORD, value))


# A bare key of 32 hexadecimal digits, as Azure OpenAI and the other Azure AI services (Cognitive
# Services accounts) issue KEY1 and KEY2: 32 characters in learn.microsoft.com's example of
# Get-AzCognitiveServicesAccountKey (az.cognitiveservices); the hex digits are the keys as issued
# (no spec read). Ordinary hex values are not it: a git SHA is 40 digits, SHA-256 64, and a value
# of only digits or only letters is taken for a number or a word. 32 hex digits are also an MD5
# digest, a UUID without its dashes or a trace ID: a name with one of _HEX_ID_WORDS says so.
_HEX_KEY = r"(?=[0-9a-fA-F]*[0-9])(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{32}"
_HEX_ID_WORDS = frozenset(
    {
        "ID",
        "IDS",
        "UUID",
        "GUID",
        "HASH",
        "MD5",
        "SHA",
        "CHECKSUM",
        "DIGEST",
        "COMMIT",
        "REV",
        "REVISION",
        "VERSION",
        "TRACE",
        "SPAN",
        "ETAG",
        "REQUEST",
        "RUN",
    }
)


def is_bare_hex_key(name: str, value: str) -> bool:
    """``value`` is exactly a 32-hex-digit key (Azure OpenAI's shape) under a name that does not say
    it is an identifier or a digest (MODEL_MD5, TRACE_ID, RUN_ID are not keys)."""
    key = value.strip()
    if len(key) != 32 or not re.fullmatch(_HEX_KEY, key):
        return False
    return not any(w in _HEX_ID_WORDS for w in _words(name))


def is_secret_variable(name: str, value: str) -> bool:
    """An environment variable that holds a secret: by its name (not one that points at the secret,
    ``AZURE_FEDERATED_TOKEN_FILE=/var/run/...``: holds_secret), its value's shape, or a bare hex key."""
    return holds_secret(name, value) or looks_secret(value) or is_bare_hex_key(name, value)
