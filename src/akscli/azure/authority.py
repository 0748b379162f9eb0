"""AZURE_AUTHORITY_HOST checked as azure-identity reads it, before any credential is built.

azure-identity makes a bare host ``https://host`` and raises ValueError for any other scheme
(upstream: Azure/azure-sdk-for-python sdk/identity/azure-identity
azure/identity/_internal/utils.py ``normalize_authority``); that ValueError reached the user as
``akscli token: ValueError`` or ``list clusters: ValueError`` (exit 1), or, in the default chain,
was swallowed into "no Azure credential found". Imports nothing beyond akscli.errors: akscli token
(kubectl's path) uses it."""

from __future__ import annotations

from akscli.errors import UsageError


def check_variable(host: str) -> None:
    """Refuse, in one usage line (exit 2), a non-empty AZURE_AUTHORITY_HOST azure-identity would
    refuse or could not sign in to (no host). kubelogin's trailing-slash rule is its flag's only
    (akscli.azure.token checks --authority-host and workloadidentity's variable that way)."""
    if not host:
        return
    from urllib.parse import urlsplit

    try:
        url = urlsplit(host)
        ok = (url.scheme == "https" and bool(url.hostname)) or (not url.scheme and bool(url.path))
    except ValueError:
        ok = False
    if not ok:
        raise UsageError(
            f"authority host {host!r} is not valid",
            hint="AZURE_AUTHORITY_HOST takes the Entra sign-in host or its https URL, "
            "e.g. https://login.microsoftonline.com/ (or unset it)",
        )


PUBLIC_HOST = "login.microsoftonline.com"


def exec_flag(variable: str) -> str | None:
    """AZURE_AUTHORITY_HOST as kubelogin's --authority-host takes it (an https URL ending in '/',
    upstream: Azure/kubelogin pkg/internal/token/options.go ``Validate``), for the exec line of a
    kubeconfig akscli writes; None when unset, empty or the public cloud's host (the default)."""
    host = variable.strip()
    if not host:
        return None
    url = host if "://" in host else f"https://{host}"
    from urllib.parse import urlsplit

    if (urlsplit(url).hostname or "").lower() == PUBLIC_HOST:
        return None
    return url if url.endswith("/") else url + "/"
