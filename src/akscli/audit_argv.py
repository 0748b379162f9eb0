"""The command line as the audit trail keeps it: the values of secret flags (by name), secret
KEY=VALUE pairs and secret-looking text hidden, and the credentials of a job's own command
(akscli.argv_credentials: curl -u, mysql -p...), while names that only point at a secret
(--access-secret NAME) and ordinary words stay readable. audit.py writes the line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from akscli import argv_credentials
from akscli.redact import url_credentials
from akscli.secret_words import holds_secret, is_bare_hex_key, is_reference, is_secret_name, looks_secret

REDACTED = "<redacted>"


# Flags whose value is a key=value pair that may carry a secret in its key.
_PAIR_FLAGS = ("--set", "--set-string", "--env", "-e", "--label", "--annotation")


# Flags named like a secret whose value names an object, not a secret: `model deploy --access-secret
# hf-token` names the Secret the pods read (referenced, never read by akscli). The log keeps the name,
# which says what the change used (docs/operations.md's example line); a value shaped like a token is
# still hidden (looks_secret).
_NAME_FLAGS = ("--access-secret",)


def redact_argv(argv: Sequence[str]) -> list[str]:
    """The command line with secret flag values, secret pairs and secret-looking text hidden, and
    the credentials of a job's own command (akscli.argv_credentials: curl -u, mysql -p...)."""
    argv = argv_credentials.redacted(argv)
    out: list[str] = []
    hide_next = ""  # the secret-named flag whose value comes next
    pair_next = False
    for arg in argv:
        if hide_next:
            out.append(redact_value(arg) if is_reference(hide_next, arg) else REDACTED)  # --password-file /etc/pw
            hide_next = ""
            continue
        if pair_next:
            out.append(_redact_pair(arg))
            pair_next = False
            continue
        if arg.startswith("-") and not arg.startswith("---"):
            name, eq, value = arg.partition("=")
            if name in _NAME_FLAGS:
                out.append(f"{name}={redact_value(value)}" if eq else name)
                continue
            if is_secret_name(name.lstrip("-")):
                out.append(name if not eq else f"{name}={value if is_reference(name, value) else REDACTED}")
                hide_next = "" if eq else name
                continue
            if name in _PAIR_FLAGS:
                out.append(f"{name}={_redact_pair(value)}" if eq else name)
                pair_next = not eq
                continue
            if eq and "=" in value:  # --tags=password=x: any flag's KEY=VALUE value is a pair
                out.append(f"{name}={_redact_pair(value)}")
                continue
        out.append(_redact_pair(arg) if "=" in arg else redact_value(arg))
    return out


def _redact_pair(text: str) -> str:
    key, eq, value = text.partition("=")
    if "://" in key:  # a URL whose query holds the "=": its parameters are read one by one
        return redact_value(text)
    if eq and (holds_secret(key.lstrip("-"), value) or is_bare_hex_key(key.lstrip("-"), value)):
        return f"{key}={REDACTED}"
    return redact_value(text)


def redact_value(text: str) -> str:
    if looks_secret(text, urls=False) or _holds_credential(text):
        return REDACTED
    # A URL's password (``https://user:***@host``, as Go's net/http prints one: golang/go
    # src/net/http/client.go stripPassword) and its credential query values (?token=, &sig=,
    # &code=), as error lines show them (akscli.redact.url_credentials): a query's second parameter
    # is no KEY=VALUE pair.
    return url_credentials(text) if "://" in text else text


# An HTTP credential inside an argument, as a job's command sends it (`ray job submit -- sh -c
# 'curl -H "Authorization: Bearer T" URL'`): a credential header with its value, a Bearer token, Basic
# credentials (base64 of "user:password": RFC 7617 section 2), a JWT. Narrower than redact.scrub's shapes,
# which may hide a word too many in an error line; here a --reason such as "Basic setup" is kept.
_CREDENTIAL_HEADER = r"(?i)\b(?:proxy-)?authorization\s*[:=]\s*\S|\b(?:cookie|x-api-key|api-key)\s*:\s*\S"


_BEARER = r"\b[Bb]earer\s+[\w.~+/=-]{8,}"


_BASIC = r"\bBasic\s+([A-Za-z0-9+/]{4,}={0,2})(?![\w+/=])"


_JWT = r"\beyJ[\w-]{4,}\.[\w-]{4,}\."


def _holds_credential(text: str) -> bool:
    if not any(w in text.lower() for w in ("bearer", "basic", "authorization", "cookie", "api-key", "eyj")):
        return False
    if re.search(_CREDENTIAL_HEADER, text) or re.search(_BEARER, text) or re.search(_JWT, text):
        return True
    import base64
    import binascii

    for match in re.finditer(_BASIC, text):
        try:
            if ":" in base64.b64decode(match.group(1), validate=True).decode("utf-8", "replace"):
                return True
        except (binascii.Error, ValueError):
            continue
    return False
