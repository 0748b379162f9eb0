"""The kubeconfig user's credentials as the official client loads them, checked.

kubernetes-client/python 37.0.2 (kubernetes/config/kube_config.py) leaves two failures for
later, where they read wrong:

- An exec credential plugin that fails: ``KubeConfigLoader._load_from_exec_plugin`` catches the
  ``ConfigException`` that ``ExecProvider.run`` (kubernetes/config/exec_provider.py) raises ("exec:
  process returned N. <its stderr>") and only logs it (``logging.error``) on the root logger; the
  client then goes on without credentials and the API server answers 401 Unauthorized. kubectl
  stops at once: "getting credentials: exec: executable akscli failed with exit code 6"
  (kubernetes/client-go plugin/pkg/client/auth/exec/exec.go, ``refreshCredsLocked``), after
  passing the plugin's stderr through. ``observed`` listens for that log record while the loader
  runs (at connect, and whenever its refresh hook runs the plugin again) and ``raise_failure``
  turns it into one AuthError naming the plugin and its exit code, with the plugin's own words.
- A token with a line break or another control character: it becomes the Authorization header
  and http.client rejects it with the whole value in the error. client-go refuses such a header
  without printing it ("net/http: invalid header field value for \"Authorization\""). ``check``
  says which user's token is wrong, never the token. A token file's surrounding whitespace (its
  trailing newline) is trimmed, as client-go reads token files (client-go
  transport/token_source.go, ``fileTokenSource.Token``: ``strings.TrimSpace``).
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from akscli import errors

_EXIT = re.compile(r"exec: process returned (-?\d+)(?:\. (.*))?\Z", re.DOTALL)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def entry(merged: Any, name: str | None) -> dict[str, Any]:
    """The ``user`` mapping of the kubeconfig user ``name`` (empty when there is none) in
    ``merged``, the official client's merged kubeconfig (``KubeConfigMerger.config``)."""
    if not name:
        return {}
    value = getattr(merged, "value", merged)
    users = (value.get("users") if isinstance(value, dict) else None) or []
    for item in users:
        value = getattr(item, "value", item)  # the merger wraps each file's entries in ConfigNode
        if isinstance(value, dict) and value.get("name") == name and isinstance(value.get("user"), dict):
            found: dict[str, Any] = value["user"]
            return found
    return {}


class _ExecErrors(logging.Handler):
    """The exec-provider errors the client's loader logs on one thread."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.thread = threading.get_ident()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if threading.get_ident() != self.thread or record.module != "kube_config":
            return
        message = record.getMessage()
        if message.startswith("exec:"):
            self.messages.append(message)


@dataclass
class User:
    name: str | None
    config: dict[str, Any] = field(default_factory=dict)

    @property
    def plugin(self) -> str | None:
        exec_config = self.config.get("exec")
        return str(exec_config.get("command")) if isinstance(exec_config, dict) else None

    def remember_secrets(self) -> None:
        """The user's password and the exec plugin's env values that hold a secret (an ExecEnvVar,
        kubernetes/client-go tools/clientcmd/api/v1/types.go: a client secret handed to the plugin)
        are hidden from every message (akscli.redact): a failing plugin's stderr, passed through as
        kubectl does, may quote them. Such a value is one by its name, its shape or a bare key
        (akscli.secret_words.is_secret_variable, as a container's env value is masked), so
        ``AZURE_FEDERATED_TOKEN_FILE=/var/run/...`` is not, and ``API_AUTH=ghp_...`` is."""
        from akscli.redact import remember
        from akscli.secret_words import is_secret_variable

        if isinstance(self.config.get("password"), str):
            remember(self.config["password"])
        exec_config = self.config.get("exec")
        for variable in (exec_config.get("env") or []) if isinstance(exec_config, dict) else []:
            if not isinstance(variable, dict) or not isinstance(variable.get("value"), str):
                continue
            if is_secret_variable(str(variable.get("name", "")), variable["value"]):
                remember(variable["value"])

    @contextmanager
    def observed(self) -> Iterator[None]:
        """Within: the client's loader runs; a failed exec plugin raises AuthError after it."""
        self.remember_secrets()
        handler = _ExecErrors()
        root = logging.getLogger()
        root.addHandler(handler)
        try:
            yield
        finally:
            root.removeHandler(handler)
        if handler.messages:
            raise self.exec_failure(handler.messages[0])

    def exec_failure(self, message: str) -> errors.AuthError:
        plugin = os.path.basename(self.plugin or "the exec plugin")
        who = f"exec plugin {plugin!r} of user {self.name or 'unknown'!r}"
        matched = _EXIT.match(message)
        if matched:
            said = [line.strip() for line in (matched.group(2) or "").splitlines() if line.strip()]
            hint = (
                "the plugin said: " + " / ".join(said)
                if said
                else "the plugin's own message is above (or run the plugin yourself): fix what it says, then retry"
            )
            return errors.AuthError(f"getting credentials: {who} failed with exit code {matched.group(1)}", hint)
        problem = message.removeprefix("exec:").strip()
        return errors.AuthError(
            f"getting credentials: {who} gave no usable credential: {problem}",
            "its output must be a client.authentication.k8s.io ExecCredential with a token or a client "
            "certificate: check the plugin and the kubeconfig's exec section",
        )

    def check(self, configuration: Any) -> None:
        """Trim a token file's whitespace; refuse a token with a control character (UsageError)."""
        keys = configuration.api_key or {}
        value = keys.get("BearerToken")
        if not isinstance(value, str):
            return
        scheme, _, token = value.partition(" ")
        if "token" not in self.config and self.config.get("tokenFile"):
            token = token.strip()
            keys["BearerToken"] = f"{scheme} {token}"
        from akscli.redact import remember

        remember(token)  # from the kubeconfig, its token file or the plugin: an echo of it is scrubbed
        if _CONTROL.search(token):
            source = (
                f"the token from exec plugin {os.path.basename(self.plugin)!r}"
                if self.plugin and "token" not in self.config and not self.config.get("tokenFile")
                else "the kubeconfig's token"
                if "token" in self.config
                else "the kubeconfig's token file"
            )
            raise errors.UsageError(
                f"{source} for user {self.name or 'unknown'!r} contains a newline or control character",
                "remove it (a token is one line of printable characters), or get fresh credentials with "
                "'akscli cluster credentials NAME -g GROUP'",
            )

    def guard(self, run_hook: Callable[[], None], configuration: Any) -> None:
        """How the credential refresh hook runs: observed, then checked."""
        with self.observed():
            run_hook()
        self.check(configuration)


# The sign-in modes of an Entra exec plugin that ask the user something: a device code to enter, a
# browser to open (kubelogin's devicecode and interactive; akscli token's, which are kubelogin's).
PROMPTING_LOGINS = ("devicecode", "interactive")


def exec_prompts(user: dict[str, Any], environ: dict[str, str] | None = None) -> bool:
    """Whether the kubeconfig user's exec plugin would ask the user to sign in: kubelogin's
    ``get-token`` (``--login``/``-l``, devicecode when not given; AAD_LOGIN_METHOD, from the exec
    entry's env or else the environment, wins unless --disable-environment-override: upstream
    Azure/kubelogin 66784961 pkg/internal/token/options.go ``NewOptions``, ``AddFlags``,
    ``UpdateFromEnv``; pkg/internal/env/variables.go ``LoginMethod``) or ``akscli token`` (its
    --login or --auth; the default chain asks nothing: akscli.azure.token.parse_args)."""
    spec = user.get("exec") if isinstance(user.get("exec"), dict) else None
    if spec is None:
        return False
    command = os.path.basename(str(spec.get("command") or ""))
    args = [str(a) for a in spec.get("args") or []]
    if command in ("kubelogin", "kubectl-kubelogin") and "get-token" in args:
        login: str | None = "devicecode"
    elif command == "akscli" and args[:1] == ["token"]:
        login = None
    else:
        return False
    for i, arg in enumerate(args):
        flag, eq, value = arg.partition("=")
        if flag in ("--login", "-l", "--auth"):
            login = value if eq else (args[i + 1] if i + 1 < len(args) else login)
    if not any(a.partition("=")[0] == "--disable-environment-override" for a in args):
        env = dict(environ if environ is not None else os.environ)
        for item in spec.get("env") or []:
            if isinstance(item, dict) and item.get("name"):
                env[str(item["name"])] = str(item.get("value") or "")
        login = env.get("AAD_LOGIN_METHOD", login)
    return (login or "").lower() in PROMPTING_LOGINS
