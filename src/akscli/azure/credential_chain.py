"""The credentials credential() hands out, around azure-identity's: a chain that tries each sign-in
source in order (as DefaultAzureCredential) and, when none works, says every source tried and how
to enable each; one source's failures turned into an AuthError with its fix, a sign-in that reached
no Entra host said as the network's failure, Entra's 429 as throttling. Every token handed out is
remembered for redaction. azure-identity is imported inside the methods.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from akscli.azure.account import AUTH_MODES
from akscli.errors import AkscliError, AuthError
from akscli.redact import remember

if TYPE_CHECKING:
    from azure.core.credentials import AccessToken, TokenCredential


@dataclass(frozen=True)
class Source:
    name: str
    build: Callable[[], TokenCredential]
    fix: str


def remembered(token: AccessToken) -> AccessToken:
    """Every access token akscli's credential hands out (ARM's, an Azure Monitor workspace's, a
    cluster's): hidden from every later message (akscli.redact), a warning that quotes a server's
    answer included, which only hides remembered values, not a token's shape."""
    remember(token.token)
    return token


class Translating:
    """A TokenCredential whose failures are ``AuthError``s with a fix, never tracebacks."""

    def __init__(self, inner: TokenCredential, what: str, fix: str, host: tuple[str | None, str]) -> None:
        self._inner = inner
        self._what = what
        self._fix = fix
        self._host = host  # the sign-in host given (None: azure-identity's) and where the user sets it

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        from azure.core.exceptions import ClientAuthenticationError

        try:
            return remembered(self._inner.get_token(*scopes, **kwargs))
        except ClientAuthenticationError as exc:
            problem = first_line(exc)
            raise unreachable(exc, self._what, *self._host) or AuthError(
                f"{self._what} could not get a token: {problem}", hint=NOT_INSTALLED.get(problem, self._fix)
            ) from exc

    def close(self) -> None:
        close = getattr(self._inner, "close", None)
        if close is not None:
            close()


def unreachable(
    exc: BaseException, what: str, host: str | None = None, knob: str = "AZURE_AUTHORITY_HOST"
) -> AuthError | None:
    """A sign-in that reached no token endpoint (refused, no such host, TLS: akscli.netfail) says
    so, instead of blaming the credentials; it names the host (the one given, else the variable's)
    and where the user sets it (``knob``: akscli token's --authority-host, which it reads in place of
    AZURE_AUTHORITY_HOST outside workloadidentity mode, as kubelogin)."""
    from akscli import netfail

    failure = netfail.classify(exc)
    authority = host or os.environ.get("AZURE_AUTHORITY_HOST") or "the Entra ID sign-in endpoint"
    if failure.is_tls:
        return AuthError(
            f"{what} could not get a token: TLS to {authority} failed: {netfail.TLS_HINTS[failure.kind]} "
            f"({failure.reason})",
            hint=f"a proxy that inspects TLS needs its CA in REQUESTS_CA_BUNDLE; check {knob}",
        )
    if failure.kind in ("refused", "dns"):
        problem = "the connection was refused" if failure.kind == "refused" else failure.reason
        return AuthError(
            f"{what} could not get a token: cannot reach {authority}: {problem}",
            hint=f"check the network or proxy (HTTPS_PROXY) and {knob}",
        )
    if failure.timed_out:
        seconds = netfail.timeout_seconds(exc)
        within = f" within {seconds:g}s" if seconds is not None else ""
        doing = "did not accept the connection" if failure.kind == "connect-timeout" else "did not answer"
        return AuthError(
            f"{what} could not get a token: {authority} {doing}{within}",
            hint=f"check the network or proxy (HTTPS_PROXY) and {knob}, then try again",
        )
    return None


class Chain:
    """Try each source in order; keep every reason so that a total failure explains itself."""

    def __init__(
        self, sources: Sequence[Source], host: tuple[str | None, str] = (None, "AZURE_AUTHORITY_HOST")
    ) -> None:
        self._sources = list(sources)
        self._host = host  # as Translating's: the sign-in host given and where the user sets it
        self._chosen: Any = None
        self._chosen_name = ""

    @property
    def chosen_name(self) -> str:
        """The name of the source that gave the last token ("" before one did)."""
        return self._chosen_name

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        from azure.core.exceptions import ClientAuthenticationError
        from azure.identity import CredentialUnavailableError

        from akscli.azure import armretry

        if self._chosen is not None:
            try:
                return remembered(self._chosen.get_token(*scopes, **kwargs))
            except ClientAuthenticationError as exc:
                raise AuthError(f"{self._chosen_name} could not get a token: {first_line(exc)}") from exc
        tried: list[str] = []
        details: list[str] = []
        for src in self._sources:
            armretry.take_throttled()
            try:
                cred = src.build()
                token = cred.get_token(*scopes, **kwargs)
            except CredentialUnavailableError as exc:
                tried.append(src.name)
                details.append(f"{src.name}: {first_line(exc)}; to use it: {src.fix}")
                continue
            except ClientAuthenticationError as exc:
                throttled, wait = armretry.take_throttled()
                if throttled:
                    raise throttling_error(src.name, wait) from exc
                # A sign-in that reached no Entra host (no such host, refused, TLS) is the network's
                # failure, not a refusal of the credential found, as Translating says it.
                raise unreachable(exc, src.name, *self._host) or AuthError(
                    f"{src.name} was found but Entra ID refused it: {first_line(exc)}",
                    hint=src.fix + "; or choose another with --auth",
                ) from exc
            self._chosen, self._chosen_name = cred, src.name
            return remembered(token)
        # What is wrong and the one fix first, as az says it ("Please run 'az login' to setup
        # account.": Azure/azure-cli src/azure-cli-core/azure/cli/core/_profile.py
        # _AZ_LOGIN_MESSAGE); what each source said only under -v, where azure-identity's
        # ChainedTokenCredential puts it in one long message ("Attempted credentials:" then one
        # line each: Azure/azure-sdk-for-python sdk/identity/azure-identity/azure/identity/
        # _credentials/chained.py _get_error_message).
        raise AuthError(
            "no Azure credential found; run 'az login' to sign in",
            hint="tried " + ", ".join(tried),
            details=(*details, "or pick one with --auth " + "|".join(AUTH_MODES)),
            details_pointer="-v shows why each failed and how to use it",
        )

    def close(self) -> None:
        close = getattr(self._chosen, "close", None)
        if close is not None:
            close()


def first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "message", None) or exc).strip()
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("Troubleshoot") and not line.startswith("To mitigate"):
            return line[:400]
    return type(exc).__name__


# A sign-in tool that is not installed: 'az login' cannot be the fix. The message is azure-identity's
# (Azure/azure-sdk-for-python sdk/identity/azure-identity/azure/identity/_credentials/azure_cli.py
# CLI_NOT_FOUND); azd's own message already says how to install it.
NOT_INSTALLED = {
    "Azure CLI not found on path": (
        "install the Azure CLI (https://learn.microsoft.com/cli/azure/install-azure-cli), then run 'az login'"
    ),
}


def throttling_error(source: str, wait: float | None) -> AkscliError:
    """Entra answered the sign-in 429 and akscli sent it no more: throttling, not a refused
    credential (Entra throttles a client too eager for tokens with 429 and Retry-After, upstream:
    learn.microsoft.com/en-us/entra/msal/dotnet/advanced/client-and-server-throttling)."""
    from akscli.azure.armretry import MAX_RETRY_AFTER_S

    if wait is not None and wait > MAX_RETRY_AFTER_S:
        hint = f"Entra ID asks to wait {wait:.0f}s, longer than akscli waits; retry then"
    else:
        hint = "retry in a minute; fewer parallel sign-ins reduce throttling"
    return AkscliError(f"{source}: Entra ID is throttling sign-ins (429 Too Many Requests)", hint=hint)
