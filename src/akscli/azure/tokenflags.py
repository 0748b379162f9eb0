"""The checks of ``akscli token``'s exec-line values that need more than a look (files, the federated
token, the managed identity's ARM ID, the authority host), moved out of akscli.azure.token. kubectl
runs the plugin before every request: the standard library only (os; urllib.parse for a host)."""

from __future__ import annotations

import os

from akscli.durations import go_duration
from akscli.errors import UsageError


def check_file(flag: str, path: str) -> None:
    """A file flag names a readable file, checked before the cache is read: a cached token must
    not hide a kubeconfig whose exec line names a folder or a file that is gone."""
    if path and not (os.path.isfile(path) and os.access(path, os.R_OK)):
        what = "a folder" if os.path.isdir(path) else "no readable file"
        raise UsageError(f"{flag} {path!r} is {what}", hint=f"give {flag} the path of a file akscli can read")


def check_federated_token(path: str) -> None:
    """The federated token file holds one JWT (compact JWS: three base64url parts, RFC 7515 7.1),
    as the workload identity webhook projects it; anything else Entra would refuse after a round
    trip. Its contents are never quoted."""
    if not path:
        return
    with open(path, "rb") as fh:
        head = fh.read(65536)
    parts = head.strip().split(b".")
    if len(parts) != 3 or not all(parts[:2]) or any(p.strip(_BASE64URL) for p in parts):
        raise UsageError(
            f"--federated-token-file {path!r} does not hold a JWT",
            hint="point it at the projected service account token (AZURE_FEDERATED_TOKEN_FILE in the pod)",
        )


_IDENTITY_ID_KEYS = ["subscriptions", "resourcegroups", "providers", "userassignedidentities"]


def check_identity_resource_id(value: str) -> None:
    """kubelogin's --identity-resource-id names a user-assigned managed identity by its ARM ID
    (upstream: Azure/kubelogin pkg/internal/token/msicredential.go, azidentity.ResourceID), the ID of a
    Microsoft.ManagedIdentity/userAssignedIdentities resource."""
    parts = value.split("/")
    ok = (
        len(parts) == 9
        and parts[0] == ""
        and [p.lower() for p in parts[1:8:2]]
        == ["subscriptions", "resourcegroups", "providers", "userassignedidentities"]
        and parts[6].lower() == "microsoft.managedidentity"
        and all(parts[1:])
        and value.isprintable()
        and " " not in value
    )
    if value and not ok:
        raise UsageError(
            f"invalid --identity-resource-id {value!r}",
            hint="give the ARM ID of a user-assigned identity: /subscriptions/SUB/resourceGroups/RG/providers/"
            "Microsoft.ManagedIdentity/userAssignedIdentities/NAME",
        )


_BASE64URL = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def authority_host(flag: str, login: str | None, variables: str) -> str:
    """The Entra host to sign in to where a flag or a variable names one; "" for --environment's.

    As kubelogin (upstream: Azure/kubelogin pkg/internal/token/options.go, commit
    66784961ef44a34236a651d9b08bcdf0aa07b836): --authority-host goes to every credential
    (``GetCloudConfiguration``, over --environment), and AZURE_AUTHORITY_HOST is read only in
    workloadidentity mode, with os.LookupEnv after the flags (``UpdateFromEnv``): there the variable
    wins over the flag, and an empty one leaves --environment's host. In the other modes the variable
    is not read: ``akscli cluster credentials`` writes --authority-host into the exec line for a cloud
    whose host is not the public one (akscli.azure.clustercreds). ``Validate`` then checks the host: a
    URL with a scheme and a host, ending in a slash."""
    host, source = flag, "--authority-host"
    if variables != "none" and login == "workloadidentity" and "AZURE_AUTHORITY_HOST" in os.environ:
        host, source = os.environ["AZURE_AUTHORITY_HOST"], "AZURE_AUTHORITY_HOST"
    if host:
        _check_authority(host, source)
    return host


def _check_authority(host: str, source: str) -> None:
    from urllib.parse import urlsplit

    try:
        url = urlsplit(host)
        ok = url.scheme == "https" and bool(url.hostname)  # https: azure-identity and Go's azidentity refuse others
    except ValueError:
        ok = False
    if not ok:
        raise UsageError(
            f"authority host {host!r} is not valid",
            hint=f"{source} takes the https URL of the Entra sign-in host, e.g. https://login.microsoftonline.com/",
        )
    if not host.endswith("/"):
        raise UsageError(
            f"authority host {host!r} should have a trailing slash",
            hint=f"{source} must end in '/', as kubelogin requires: {host}/",
        )


# Where kubelogin uses --pop-enabled: the interactive and spn credentials (provider.go; ropc's is refused here
# anyway). Elsewhere it ignores the pair (docs/book/src/concepts/azure-arc.md: "these flags will be ignored if
# provided for other login modes").
_POP_MODES = ("interactive", "spn")


def check_pop(enabled: bool, claims: str, login: str | None) -> None:
    """kubelogin's --pop-enabled and --pop-claims, a proof-of-possession token for an Azure Arc-enabled
    cluster (upstream: Azure/kubelogin 66784961 pkg/internal/token/options.go ``Validate``, provider.go,
    docs/book/src/concepts/azure-arc.md). The pair is checked as kubelogin's Validate checks it, in every
    mode; where kubelogin would get a PoP token, akscli token, which gets bearer tokens only, refuses to
    hand kubectl a token the cluster would refuse."""
    if enabled and not claims:
        raise UsageError(
            "--pop-enabled needs --pop-claims",
            hint="give both, as kubelogin requires: --pop-enabled --pop-claims u=ARM_ID_OF_CLUSTER",
        )
    if claims and not enabled:
        raise UsageError(
            "--pop-claims needs --pop-enabled",
            hint="give both, as kubelogin requires, or drop --pop-claims",
        )
    if enabled and login in _POP_MODES:
        raise UsageError(
            f"--pop-enabled: a proof-of-possession token (--login {login}), which an Azure Arc-enabled cluster "
            "asks for, is not something akscli token can get",
            hint="sign in to that cluster with kubelogin (its exec line as kubelogin convert-kubeconfig writes it); "
            "where the cluster takes Entra bearer tokens, drop --pop-enabled and --pop-claims",
        )


def check_redirect_url(value: str, login: str | None) -> None:
    """kubelogin's --redirect-url, used by interactive sign-in only (upstream: Azure/kubelogin 66784961
    pkg/internal/token/interactivebrowsercredential.go, ``RedirectURL``; ignored in other modes), checked as
    azure-identity's InteractiveBrowserCredential checks its redirect_uri: a URL with a host and a port, where
    akscli listens for Entra's answer (azure/identity/_credentials/browser.py)."""
    if not value or login != "interactive":
        return
    from urllib.parse import urlsplit

    try:
        url = urlsplit(value)
        # azure-identity tests ``hostname and port``: port 0 is refused there too (browser.py), so here
        ok = url.scheme in ("http", "https") and bool(url.hostname) and bool(url.port)
    except ValueError:
        ok = False
    if not ok:
        raise UsageError(
            f"--redirect-url {value!r} is not a URL with a port",
            hint="give the redirect URI registered for --client-id, with its port, e.g. http://localhost:8400",
        )


# kubelogin's --timeout is pflag's DurationVar, read by Go's time.ParseDuration (akscli.durations.go_duration;
# upstream: Azure/kubelogin 66784961 pkg/internal/token/options.go ``AddFlags``).
def timeout(flag: str | None, variables: str) -> int | None:
    """kubelogin's --timeout (default 60s) and AZURE_CLI_TIMEOUT, which UpdateFromEnv reads after the flags
    (so it wins) where it parses, and skips where it does not or with --disable-environment-override; then
    ``Validate``: "timeout must be greater than 0" (upstream: Azure/kubelogin 66784961
    pkg/internal/token/options.go). It bounds the Azure CLI (and azd) that akscli token runs, in whole seconds
    as azure-identity's process_timeout takes them (rounded up); None: akscli's own default."""
    seconds, source = None, "--timeout"
    if flag is not None:
        seconds = go_duration(flag)
        if seconds is None:
            raise UsageError(
                f"invalid --timeout {flag!r}: not a duration",
                hint="give a Go duration with its unit, as kubelogin takes it: e.g. --timeout 60s, 2m or 1m30s",
            )
    if variables != "none" and "AZURE_CLI_TIMEOUT" in os.environ:
        from_env = go_duration(os.environ["AZURE_CLI_TIMEOUT"])
        if from_env is not None:
            seconds, source = from_env, "AZURE_CLI_TIMEOUT"
    if seconds is not None and seconds <= 0:
        raise UsageError(
            f"{source} must be greater than 0",
            hint=f"give {source} a positive duration, e.g. 60s (kubelogin's default)",
        )
    return None if seconds is None else max(1, int(-(-seconds // 1)))


# azure-identity's check of a subscription it hands to 'az' (azure/identity/_internal/utils.py
# VALID_SUBSCRIPTION_CHARACTERS): an ID or a name of letters, digits, '_', '-', '.' and spaces.
_SUBSCRIPTION_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-. ")


def check_subscription(value: str) -> None:
    """kubelogin's --subscription (-s), "Azure subscription ID or name. Used in azurecli login method"
    (upstream: Azure/kubelogin 66784961 pkg/internal/token/options.go ``AddFlags``)."""
    if value and (len(value) > 256 or not set(value) <= _SUBSCRIPTION_CHARS):
        raise UsageError(
            f"invalid --subscription {value!r}",
            hint="give the subscription's ID (or its name: letters, digits, '_', '-', '.' and spaces); "
            "'az account list -o table' lists them",
        )


def azurecli_tenant(flag: str | None, variable: str | None, variables: str, subscription: str) -> str | None:
    """The tenant akscli token's azurecli mode asks 'az' for: --tenant-id, else the environment's, as kubelogin
    hands its TenantID (read by UpdateFromEnv from AZURE_TENANT_ID, ARM_TENANT_ID with --use-azurerm-env-vars,
    none with --disable-environment-override) to the Azure CLI credential with the --subscription given
    (upstream: Azure/kubelogin 66784961 pkg/internal/token/azureclicredential.go; azidentity's
    azure_cli_credential.go appends --tenant and --subscription). 'az account get-access-token' refuses the
    two together ("Please specify only one of subscription and tenant, not both": Azure/azure-cli
    src/azure-cli-core/azure/cli/core/_profile.py ``get_raw_token``): refused here first, naming where the
    tenant came from. An account signed in as a managed identity takes its own tenant (Azure/azure-cli
    pull 31869, July 2025; before it, az refused any --tenant for such an account)."""
    name = "--tenant-id"
    tenant = flag
    if not tenant and variable:
        from akscli.azure.account import check_tenant

        name = "ARM_TENANT_ID" if variables == "azurerm" else "AZURE_TENANT_ID"
        try:
            tenant = check_tenant(variable, name)
        except UsageError:
            raise UsageError(
                f"invalid {name} {variable!r}: expected a tenant ID (GUID) or a domain",
                hint=f"set {name} to the tenant's ID or domain (e.g. {name}=contoso.onmicrosoft.com), or unset it",
            ) from None
    if tenant and subscription:
        fix = "drop --tenant-id" if name == "--tenant-id" else f"unset {name} (or add --disable-environment-override)"
        raise UsageError(
            f"--subscription and a tenant ({name}) together: 'az account get-access-token' takes one of them",
            hint=f"{fix}, or drop --subscription: the subscription already names its tenant",
        )
    return tenant or None
