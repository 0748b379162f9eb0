"""The one way a hint tells a user to put a secret into a Kubernetes Secret: read it without echo
into a shell variable, then hand it to kubectl on its standard input, so the secret reaches neither
the shell's history nor the process list (``ps``), as a ``--from-literal=KEY=VALUE`` argument does.

upstream: kubernetes/kubectl dee3483a pkg/cmd/create/create_secret.go (handleSecretFromFileSources:
``--from-file=KEY=PATH`` stats PATH and reads it whole with os.ReadFile, so ``/dev/stdin`` works and
the key is the one named); kubernetes.io "Managing Secrets using kubectl" gives --from-file as the
form that needs no shell escaping and writes its files with ``echo -n`` so no newline is stored.
``printf %s`` (a shell builtin: no process of its own) adds no newline: KAITO v0.12.0
sends the Secret's HF_TOKEN as is in its Authorization header (presets/workspace/models/vllm_model.go
GetHFTokenFromSecret, generator.go getAuthHeader), and Go's net/http refuses a header value with a
newline in it."""

from __future__ import annotations

from collections.abc import Iterable


def secret_from_stdin(name: str, namespace: str, key: str, variable: str | None = None) -> str:
    """``read -rs VAR && printf %s "$VAR" | kubectl create secret generic NAME -n NS
    --from-file=KEY=/dev/stdin``: the secret is typed at a silent prompt, never on a command line."""
    var = variable or key
    return (
        f'read -rs {var} && printf %s "${var}" | kubectl create secret generic {name} -n {namespace} '
        f"--from-file={key}=/dev/stdin"
    )


def secret_keys(pairs: Iterable[str], *, by_name: bool = True) -> list[str]:
    """The KEYs of ``KEY=VALUE`` flag values that carry a secret, by the audit log's rules (a name
    such as HF_TOKEN or API_KEY, or a value shaped like a token or key: akscli.secret_words), each
    once, in order. Such a value is on akscli's own command line, which ``ps`` and the shell's
    history show; the value itself is never returned. ``by_name`` False: the value's
    shape only, for keys that name a Secret rather than hold one (a template's ``access_secret``)."""
    from akscli.secret_words import is_secret_name, looks_secret

    keys: list[str] = []
    for pair in pairs:
        key, eq, value = pair.partition("=")
        secret = looks_secret(value) or (by_name and is_secret_name(key))
        if eq and secret and key not in keys:
            keys.append(key)
    return keys


def secret_name_for(key: str) -> str:
    """A Secret name for the variable ``key`` in a hint: HF_TOKEN -> hf-token."""
    name = "-".join(part for part in key.lower().replace("_", "-").split("-") if part.isalnum())
    return name[:63].strip("-") or "secret"
