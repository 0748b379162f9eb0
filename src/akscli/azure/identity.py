"""The one credential factory, and where the subscription and tenant come from.

``credential()`` returns an ``azure.core`` TokenCredential. With no ``auth`` it walks the same
sources as DefaultAzureCredential (environment, workload identity, managed identity, Azure
CLI, Azure Developer CLI) but keeps what each one said, so that when none works the user
gets one message naming every source tried and how to enable each. azure-identity is
imported inside functions: ``akscli --help`` and offline commands never load it.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from akscli.azure.account import ENVIRONMENTS as ENVIRONMENTS
from akscli.azure.account import authority_of as authority_of
from akscli.azure.account import check_auth as check_auth
from akscli.azure.account import check_subscription as check_subscription
from akscli.azure.account import check_tenant as check_tenant
from akscli.azure.account import is_public_cloud as is_public_cloud
from akscli.azure.account import resolve_subscription as resolve_subscription
from akscli.azure.credential_chain import Chain, Source, Translating
from akscli.errors import UsageError
from akscli.redact import remember
from akscli.secret_hints import export_with_secret

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential

# The Azure CLI's public client: what `az login` and kubelogin's devicecode mode sign in as.
AZURE_CLI_CLIENT_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"


@dataclass(frozen=True)
class SignInEnv:
    """The sign-in values a command takes from the environment: azure-identity's AZURE_* variables
    (upstream: Azure/azure-sdk-for-python sdk/identity/azure-identity/azure/identity/_constants.py
    ``EnvironmentVariables``) for every command; ``akscli token`` builds its own from kubelogin's
    names (akscli.azure.token ``sign_in_env``). ``names`` says which variables they were, for the
    messages: ``AZURE``, ``ARM`` (kubelogin's --use-azurerm-env-vars) or "" (none read:
    --disable-environment-override). The secret and the certificate password never appear in a
    repr."""

    tenant_id: str | None = None
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    client_certificate_path: str | None = None
    client_certificate_password: str | None = field(default=None, repr=False)
    federated_token_file: str | None = None
    service_connection_id: str | None = None  # kubelogin's azurepipelines mode (akscli.azure.pipelines)
    identity_resource_id: str | None = None  # kubelogin's --identity-resource-id (msi), where no client id is given
    login_hint: str | None = None  # kubelogin's --login-hint and --redirect-url (interactive; akscli token's flags)
    redirect_url: str | None = None
    # akscli token's --timeout (seconds 'az' or 'azd' may take) and --disable-instance-discovery, kubelogin's.
    process_timeout: int | None = None
    disable_instance_discovery: bool = False
    names: str = "AZURE"
    # The variables the certificate's path and password came from, where not {names}_* (kubelogin's
    # AAD_SERVICE_PRINCIPAL_CLIENT_CERTIFICATE[_PASSWORD]): the hint names what the user set.
    certificate_names: tuple[str, str] | None = None

    @classmethod
    def from_environ(cls) -> SignInEnv:
        get = os.environ.get
        return cls(
            get("AZURE_TENANT_ID") or None,
            get("AZURE_CLIENT_ID") or None,
            get("AZURE_CLIENT_SECRET") or None,
            get("AZURE_CLIENT_CERTIFICATE_PATH") or None,
            get("AZURE_CLIENT_CERTIFICATE_PASSWORD") or None,
            get("AZURE_FEDERATED_TOKEN_FILE") or None,
        )

    def service_principal(self, tenant: str | None, client_id: str | None, authority: str | None) -> TokenCredential:
        """A client secret or certificate credential; ``CredentialUnavailableError`` without one."""
        import azure.identity as ai

        tid, cid = tenant or self.tenant_id, client_id or self.client_id
        if not (tid and cid and (self.client_secret or self.client_certificate_path)):
            raise ai.CredentialUnavailableError(f"{self._spn_names()} are not all set")
        if self.client_secret:
            remember(self.client_secret)  # akscli.redact: never in a message, whatever echoes it
            return ai.ClientSecretCredential(tid, cid, self.client_secret, **_common(tid, authority, self))
        if self.client_certificate_password:
            remember(self.client_certificate_password)
        try:
            return ai.CertificateCredential(
                tid,
                cid,
                certificate_path=self.client_certificate_path,
                password=self.client_certificate_password,
                **_common(tid, authority, self),
            )
        except (OSError, ValueError, TypeError) as exc:  # no such file, no or a wrong password, not a PEM or PFX
            p = self.names or "AZURE"
            path, password = self.certificate_names or (
                f"{p}_CLIENT_CERTIFICATE_PATH",
                f"{p}_CLIENT_CERTIFICATE_PASSWORD",
            )
            raise UsageError(
                f"cannot read the service principal's certificate {self.client_certificate_path}: "
                f"{getattr(exc, 'strerror', None) or exc}",
                hint=f"check {path} and {password}",
            ) from None

    def _spn_names(self) -> str:
        prefix = self.names or "AZURE"
        return f"{prefix}_TENANT_ID, {prefix}_CLIENT_ID and {prefix}_CLIENT_SECRET"

    def spn_refusal(self, tenant_flag: str) -> UsageError:
        """What --auth spn lacks, named by the variables this command reads."""
        if not self.names:
            return UsageError(
                "--auth spn needs a service principal, and --disable-environment-override reads none "
                "from the environment",
                hint="drop --disable-environment-override from the kubeconfig's exec args, or add "
                "--client-certificate FILE to them (a --client-secret there is kept in the kubeconfig and shown "
                "by ps)",
            )
        p = self.names
        return UsageError(
            f"--auth spn needs a service principal: {p}_CLIENT_ID with "
            f"{p}_CLIENT_SECRET or {p}_CLIENT_CERTIFICATE_PATH, and a tenant",
            # The secret is read at a silent prompt of the user's shell (akscli.secret_hints), not typed
            # into an export line that the shell's history keeps.
            hint=f"{export_with_secret((f'{p}_TENANT_ID', f'{p}_CLIENT_ID'), f'{p}_CLIENT_SECRET')} "
            f"(or pass {tenant_flag})",
        )


def _common(tenant: str | None, authority: str | None = None, env: SignInEnv | None = None) -> dict[str, Any]:
    """Keyword arguments every azure-identity class accepts: authority and discovery. The
    ``authority`` given (akscli token's, which chose it: akscli.azure.token) wins over
    AZURE_AUTHORITY_HOST; an empty variable is the public cloud (azure-identity would sign in to "https://").
    Instance discovery is off with AKSCLI_DISABLE_INSTANCE_DISCOVERY or akscli token's
    --disable-instance-discovery, which kubelogin hands to each Entra credential it builds (upstream:
    Azure/kubelogin 66784961 pkg/internal/token/devicecodecredential.go, interactivebrowsercredential.go,
    clientsecretcredential.go, clientcertcredential.go, workloadidentitycredential.go,
    azurepipelinescredential.go: ``DisableInstanceDiscovery``)."""
    from akscli.azure import signinlog
    from akscli.azure.armretry import CONNECT_TIMEOUT_S, READ_TIMEOUT_S, ReachableRetryPolicy

    # A refused, unresolvable or TLS-failing token endpoint is reported at once, as for ARM
    # (akscli.azure.armretry); azure-identity builds its pipeline's retry policy from this class
    # (azure/identity/_internal/pipeline.py, build_pipeline). Its requests are logged at --debug.
    kw: dict[str, Any] = {"retry_policy_class": ReachableRetryPolicy, **signinlog.hooks()}
    # The token endpoint's timeouts are ARM's (armretry.CONNECT_TIMEOUT_S): azure-identity hands
    # these to its transport (azure/identity/_internal/pipeline.py build_pipeline: RequestsTransport(**kwargs)).
    kw["connection_timeout"], kw["read_timeout"] = CONNECT_TIMEOUT_S, READ_TIMEOUT_S
    if not authority and "AZURE_AUTHORITY_HOST" in os.environ:
        authority = os.environ["AZURE_AUTHORITY_HOST"] or "login.microsoftonline.com"
    if authority:
        kw["authority"] = authority
    off = env is not None and env.disable_instance_discovery
    if off or os.environ.get("AKSCLI_DISABLE_INSTANCE_DISCOVERY", "").lower() in ("1", "true", "yes"):
        kw["disable_instance_discovery"] = True
    if tenant:
        kw["additionally_allowed_tenants"] = ["*"]
    return kw


def _env_source(tenant: str | None, env: SignInEnv, authority: str | None = None) -> Source:
    def build() -> TokenCredential:
        return env.service_principal(tenant, None, authority)

    return Source(
        "environment (service principal)",
        build,
        "set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH)",
    )


def _workload_identity_source(tenant: str | None, env: SignInEnv, authority: str | None = None) -> Source:
    def build() -> TokenCredential:
        from azure.identity import CredentialUnavailableError, WorkloadIdentityCredential

        tid = tenant or env.tenant_id
        cid = env.client_id
        token_file = env.federated_token_file
        if not (tid and cid and token_file):
            raise CredentialUnavailableError(
                "AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_ID and AZURE_TENANT_ID are not all set"
            )
        return WorkloadIdentityCredential(
            tenant_id=tid, client_id=cid, token_file_path=token_file, **_common(tid, authority, env)
        )

    return Source(
        "workload identity",
        build,
        "in a pod, label it azure.workload.identity/use=true with a federated service account",
    )


def _managed_identity_source(env: SignInEnv) -> Source:
    def build() -> TokenCredential:
        from azure.identity import CredentialUnavailableError, ManagedIdentityCredential

        has_endpoint = any(os.environ.get(v) for v in ("IDENTITY_ENDPOINT", "MSI_ENDPOINT"))
        # IMDS is only probed where it can exist; elsewhere its connection timeout would cost
        # seconds on every command of a developer laptop with no credential at all.
        if not has_endpoint and os.environ.get("AKSCLI_TRY_IMDS", "1") != "1":
            raise CredentialUnavailableError("no managed identity endpoint")
        from akscli.azure.signinlog import hooks

        client_id = env.client_id
        return (
            ManagedIdentityCredential(client_id=client_id, **hooks())
            if client_id
            else (ManagedIdentityCredential(**hooks()))
        )

    return Source(
        "managed identity",
        build,
        "on an Azure VM, AKS node or App Service, assign a managed identity with access",
    )


def _azure_cli(tenant: str | None, subscription: str | None, timeout: int | None = None) -> TokenCredential:
    """The Azure CLI asked for a token of the right tenant: ``--tenant`` when the user named one,
    otherwise ``--subscription``, so that the CLI picks the tenant that subscription lives in (a
    token of the CLI's default tenant gets 401 InvalidAuthenticationTokenTenant from ARM).
    ``az account get-access-token`` takes one of the two (azure-identity AzureCliCredential). ``timeout``:
    akscli token's --timeout, in seconds (else 20)."""
    from azure.identity import AzureCliCredential

    sub = None if tenant else subscription
    return AzureCliCredential(tenant_id=tenant or "", subscription=sub, process_timeout=timeout or 20)


def _azure_cli_source(tenant: str | None, subscription: str | None) -> Source:
    def build() -> TokenCredential:
        return _azure_cli(tenant, subscription)

    return Source("Azure CLI", build, "run 'az login'")


def _azd(tenant: str | None, timeout: int | None = None) -> TokenCredential:
    """The Azure Developer CLI's token ('azd auth token'), of ``tenant`` where one is given, as
    kubelogin's azd mode (upstream: Azure/kubelogin pkg/internal/token/azuredevopscredential.go,
    azidentity.AzureDeveloperCLICredential with the TenantID)."""
    from azure.identity import AzureDeveloperCliCredential

    return AzureDeveloperCliCredential(tenant_id=tenant or "", process_timeout=timeout or 20)


def _azd_source(tenant: str | None) -> Source:
    def build() -> TokenCredential:
        return _azd(tenant)

    return Source("Azure Developer CLI", build, "run 'azd auth login'")


def _prompt(verification_uri: str, user_code: str, expires_on: Any) -> None:
    sys.stderr.write(f"To sign in, open {verification_uri} and enter the code {user_code}\n")
    sys.stderr.flush()


def _explicit(
    auth: str,
    tenant: str | None,
    client_id: str | None,
    subscription: str | None,
    env: SignInEnv,
    authority: str | None = None,
    tenant_flag: str = "--tenant",
) -> TokenCredential:
    import azure.identity as ai

    tid = tenant or env.tenant_id
    cid = client_id or env.client_id
    if auth == "spn":
        try:
            return env.service_principal(tid, cid, authority)
        except ai.CredentialUnavailableError:
            raise env.spn_refusal(tenant_flag) from None
    if auth == "workloadidentity":
        token_file = env.federated_token_file
        if not (tid and cid and token_file):
            raise UsageError(
                "--auth workloadidentity needs AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_ID and AZURE_TENANT_ID"
                + ("" if env.names else ", and --disable-environment-override reads none of them"),
                hint="run it in a pod labelled azure.workload.identity/use=true whose service "
                "account has azure.workload.identity/client-id",
            )
        return ai.WorkloadIdentityCredential(
            tenant_id=tid, client_id=cid, token_file_path=token_file, **_common(tid, authority, env)
        )
    if auth == "msi":
        # A client id, else a resource id, else the system-assigned identity (upstream: Azure/kubelogin
        # pkg/internal/token/msicredential.go; azure-identity's identity_config "resource_id").
        from akscli.azure.signinlog import hooks

        if cid:
            return ai.ManagedIdentityCredential(client_id=cid, **hooks())
        if env.identity_resource_id:
            return ai.ManagedIdentityCredential(identity_config={"resource_id": env.identity_resource_id}, **hooks())
        return ai.ManagedIdentityCredential(**hooks())
    if auth == "azurepipelines":
        from akscli.azure import pipelines

        return pipelines.credential(tid, cid, env.service_connection_id, _common(tid, authority, env))
    if auth == "azurecli":
        return _azure_cli(tenant, subscription, env.process_timeout)
    if auth == "azd":
        # The tenant given, else the environment's (AZURE_TENANT_ID; akscli token: ARM_TENANT_ID with
        # --use-azurerm-env-vars, none with --disable-environment-override), as kubelogin hands its TenantID,
        # which UpdateFromEnv reads in every mode, to azd (upstream: Azure/kubelogin 66784961
        # pkg/internal/token/options.go UpdateFromEnv, azuredevopscredential.go). As everywhere in akscli
        # token, the --tenant-id flag wins over the variable; the variable is checked as the flag is.
        tid = tenant or check_tenant(env.tenant_id or None, f"{env.names or 'AZURE'}_TENANT_ID")
        return _azd(tid, env.process_timeout)
    # devicecode / interactive: signed in once, then remembered (akscli.azure.signin).
    from akscli.azure import signin

    # kubelogin's --login-hint and --redirect-url go to the browser sign-in only (upstream: Azure/kubelogin
    # 66784961 pkg/internal/token/interactivebrowsercredential.go; azure-identity's login_hint, redirect_uri).
    given = (("login_hint", env.login_hint), ("redirect_uri", env.redirect_url)) if auth == "interactive" else ()
    browser = {k: v for k, v in given if v}
    return signin.remembered(auth, cid or AZURE_CLI_CLIENT_ID, tid, _common(tid, authority, env), _prompt, browser)


_FIXES = {
    "spn": "check AZURE_CLIENT_ID / AZURE_CLIENT_SECRET and the tenant; rotate the secret if it expired",
    "workloadidentity": "check the federated credential of the app matches the service account",
    "msi": "assign a managed identity to this VM or node, or set AZURE_CLIENT_ID to pick one",
    "azurecli": "run 'az login' (with --tenant for another tenant)",
    "azd": "run 'azd auth login' (with --tenant-id for another tenant)",
    "devicecode": "finish the device code sign-in in a browser within 15 minutes",
    "interactive": "complete the browser sign-in, or use --auth devicecode on a remote shell",
    "azurepipelines": "check the service connection's federated credential and SYSTEM_ACCESSTOKEN",
}


def _quiet_sdk_logs() -> None:
    """The SDKs log every failed attempt as a WARNING; akscli reports failures itself, once."""
    import logging

    from akscli import logconfig
    from akscli.globals import FLAGS

    logconfig.ready()  # the CLI's configuration first, where it waited for a library that logs

    level = logging.DEBUG if FLAGS.debug else logging.CRITICAL
    for name in ("azure", "msal"):
        logging.getLogger(name).setLevel(level)


def credential(
    auth: str | None = None,
    tenant: str | None = None,
    *,
    client_id: str | None = None,
    subscription: str | None = None,
    authority: str | None = None,
    tenant_flag: str = "--tenant",
    env: SignInEnv | None = None,
    host_flag: str = "AZURE_AUTHORITY_HOST",
) -> TokenCredential:
    """The credential every Azure call of akscli uses.

    ``auth`` picks one source (``AUTH_MODES``); None walks the default chain. ``client_id``
    overrides AZURE_CLIENT_ID for the explicit modes (the token plugin's --client-id).
    ``subscription`` lets the Azure CLI pick that subscription's tenant; ``authority`` is the
    Entra host of a sovereign cloud (from a kubeconfig's --environment). ``tenant_flag``: the
    command's own name for the tenant, for the hints (``token`` keeps kubelogin's --tenant-id), and
    ``host_flag`` where it takes the sign-in host (``token``: --authority-host).
    ``env``: the sign-in variables to use (default: azure-identity's, ``SignInEnv.from_environ``).
    """
    _quiet_sdk_logs()
    env = env or SignInEnv.from_environ()
    # kubelogin's azurepipelines mode only akscli token offers (its parse_args checks the mode).
    mode = auth if auth == "azurepipelines" else check_auth(auth)
    tid = check_tenant(tenant, tenant_flag)
    if not authority and os.environ.get("AZURE_AUTHORITY_HOST", "").strip():  # read by azure-identity then
        from akscli.azure.authority import check_variable

        check_variable(os.environ["AZURE_AUTHORITY_HOST"].strip())
    # One credential per command: the ARM clients, the raw pipeline and the audit identity of one
    # command share it, so a sign-in (or a token request) happens once.
    key = (mode, tid, client_id, subscription, authority, env, _env_key())
    cached = _CREDENTIALS.get(key)
    if cached is not None:
        return cached
    cred = _build(mode, tid, client_id, subscription, authority, env, tenant_flag, host_flag)
    _CREDENTIALS.clear()  # a process holds the credentials of one command
    _CREDENTIALS[key] = cred
    return cred


_CREDENTIALS: dict[tuple[Any, ...], TokenCredential] = {}


def _env_key() -> tuple[tuple[str, str], ...]:
    prefixes = ("AZURE_", "AKSCLI_", "IDENTITY_", "MSI_", "HOME", "XDG_CACHE_HOME")
    return tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith(prefixes)))


def _build(
    mode: str | None,
    tid: str | None,
    client_id: str | None,
    subscription: str | None,
    authority: str | None,
    env: SignInEnv,
    tenant_flag: str = "--tenant",
    host_flag: str = "AZURE_AUTHORITY_HOST",
) -> TokenCredential:
    from akscli.process import import_on_own_stack

    import_on_own_stack("azure.identity")  # every source below imports from it

    if mode is not None:
        explicit = _explicit(mode, tid, client_id, subscription, env, authority, tenant_flag)
        return Translating(explicit, f"--auth {mode}", _FIXES[mode], (authority, host_flag))
    sources = [
        _env_source(tid, env, authority),
        _workload_identity_source(tid, env, authority),
        _managed_identity_source(env),
        _azure_cli_source(tid, subscription),
        _azd_source(tid),
    ]
    return Chain(sources, (authority, host_flag))
