"""The ARM token a <TAB> reuses: one the Azure CLI gave, kept for completion only.

azure-identity's AzureCliCredential runs ``az account get-access-token`` on every ``get_token`` and
keeps nothing ("Applications calling this method directly must also handle token caching because
this credential doesn't cache the tokens it acquires": Azure/azure-sdk-for-python
sdk/identity/azure-identity/azure/identity/_credentials/azure_cli.py, ``get_token``). The CLI takes
1 to 2 s at best and 10 to 15 s in some releases (Azure/azure-cli issue 29871), more than a <TAB>
waits (cli/complete_arm.py ARM_TIMEOUT_S). So the token the Azure CLI gave to any ARM command or
<TAB> of akscli is kept in akscli's cache folder (``tab-tokens``: a 0700 folder, a 0600 file per
identity, as ``akscli token`` keeps its own: akscli.azure.tokenfile), and only a <TAB> reads it
back, while it has more than tokenfile.REFRESH_MARGIN seconds left. Every other command asks the
credential as before. The file's name is a hash of who signs in (the CLI's signed-in account and
config folder, the identity variables, --auth, --tenant, the subscription and the scope): a token is
never served after ``az login`` as another, ``az account set`` to another tenant or ``az logout``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from akscli import cachedir

if TYPE_CHECKING:
    from azure.core.credentials import AccessToken, TokenCredential

# Set by a <TAB>'s reading thread (cli/complete_arm.py _arm_names): its credential reads the cache first.
READING: ContextVar[bool] = ContextVar("akscli_tab_token_reading", default=False)
# Who signs in, as azure-identity's sources read it (Azure/azure-sdk-for-python sdk/identity/
# azure-identity/azure/identity/_constants.py EnvironmentVariables), and where akscli signs in and reads ARM.
_IDENTITY_VARIABLES = (
    "AZURE_TENANT_ID",
    "AZURE_CLIENT_ID",
    "AZURE_CLIENT_CERTIFICATE_PATH",
    "AZURE_FEDERATED_TOKEN_FILE",
    "AZURE_USERNAME",
    "IDENTITY_ENDPOINT",
    "MSI_ENDPOINT",
    "AZURE_AUTHORITY_HOST",
    "AKSCLI_ARM_ENDPOINT",
)
# The source name of the default chain's Azure CLI (credential_chain.Chain.chosen_name, identity._azure_cli_source).
AZURE_CLI = "Azure CLI"


def cache_dir() -> str:
    return cachedir.path("tab-tokens")


def cache_path(who: tuple[str | None, str | None, str], scopes: tuple[str, ...]) -> str:
    """The file of the token of ``who`` (--auth, --tenant, the subscription) for ``scopes``."""
    from akscli.azure import azprofile

    auth, tenant, subscription = who
    parts = [*scopes, auth or "default", tenant or "", subscription]
    parts += [azprofile.config_dir(), azprofile.signed_in_account()]
    parts += [os.environ.get(name, "") for name in _IDENTITY_VARIABLES]
    return os.path.join(cache_dir(), hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32] + ".json")


class Kept:
    """``inner`` (the ARM credential of --auth, --tenant and the subscription: ``who``) whose Azure
    CLI tokens are kept for a <TAB>, and which in a <TAB> (READING) answers from them first."""

    def __init__(self, inner: TokenCredential, who: tuple[str | None, str | None, str]) -> None:
        self._inner = inner
        self._who = who

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        from akscli.azure import tokenfile
        from akscli.azure.credential_chain import remembered

        # A claims or tenant challenge (ARMChallengeAuthenticationPolicy) always asks the credential.
        plain = not kwargs.get("claims") and not kwargs.get("tenant_id")
        path = cache_path(self._who, scopes)
        if plain and READING.get():
            kept = tokenfile.read(cache_dir(), path)
            if kept is not None:
                from azure.core.credentials import AccessToken

                return remembered(AccessToken(*kept))
        got = self._inner.get_token(*scopes, **kwargs)
        if plain and self._from_azure_cli():
            with contextlib.suppress(OSError):  # the token is good; the next <TAB> asks the CLI again
                tokenfile.write(cache_dir(), path, got.token, int(got.expires_on))
        return got

    def _from_azure_cli(self) -> bool:
        return self._who[0] == "azurecli" or getattr(self._inner, "chosen_name", "") == AZURE_CLI

    def close(self) -> None:
        close = getattr(self._inner, "close", None)
        if close is not None:
            close()
