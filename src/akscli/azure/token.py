"""``akscli token``: the kubeconfig exec credential plugin (a drop-in for ``kubelogin get-token``).

kubectl runs this on every call, so the cached path uses the standard library only: it
imports neither azure nor kubernetes (nor typer). Tokens are cached per tenant, client,
server application and sign-in mode in a 0600 file under the user's cache directory and
are refreshed ``REFRESH_MARGIN`` seconds before they expire.

The cache is trusted only when it is the user's own: a folder or file owned by someone else
is ignored, a folder or file of ours that others can read is tightened (0700/0600) first, and
a cache that cannot be written never keeps a token obtained from Entra ID from being printed.
"""

from __future__ import annotations

# Every import here is paid on each kubectl call: no dataclasses (inspect), no pathlib,
# tempfile only when writing. See tests/bench/bench_token.py.
import hashlib
import json
import os
import sys
from typing import TYPE_CHECKING, NamedTuple

from akscli import cachedir, timestamps
from akscli.azure import tokenfile
from akscli.azure.execinfo import exec_api_version
from akscli.azure.tokenenv import certificate_names as certificate_names
from akscli.azure.tokenenv import sign_in_env as sign_in_env
from akscli.azure.tokenfile import REFRESH_MARGIN as REFRESH_MARGIN
from akscli.azure.tokenflags import authority_host as _authority_host
from akscli.azure.tokenflags import azurecli_tenant as _azurecli_tenant
from akscli.azure.tokenflags import check_federated_token as _check_federated_token
from akscli.azure.tokenflags import check_file as _check_file
from akscli.azure.tokenflags import check_identity_resource_id as _check_identity_resource_id
from akscli.azure.tokenflags import check_pop as _check_pop
from akscli.azure.tokenflags import check_redirect_url as _check_redirect_url
from akscli.azure.tokenflags import check_subscription as _check_subscription
from akscli.azure.tokenflags import timeout as _timeout
from akscli.errors import AkscliError, UsageError

if TYPE_CHECKING:
    from collections.abc import Sequence

AKS_SERVER_APP = "6dae42f8-4368-4678-94ff-3960e28e3630"
LOGIN_MODES = ("azurecli", "devicecode", "spn", "msi", "workloadidentity", "interactive", "azurepipelines", "azd")
# kubelogin's modes and flags that akscli token refuses by name, each with its fix: ropc (a user's password,
# which Entra ID refuses where MFA is required) and --legacy (an ADAL v1 token for the retired Azure AD
# integration). upstream: Azure/kubelogin 66784961 pkg/internal/token/options.go (supportedLogin, AddFlags),
# provider.go (ROPCLogin; IsLegacy: the ADAL credentials), docs/book/src/concepts/login-modes/ropc.md.
_REFUSED_MODES = {
    "ropc": (
        "signing in with a user's name and password is not supported by akscli token: Entra ID refuses it "
        "where MFA is required, and Microsoft recommends against it",
        "sign in as a person with --login devicecode or interactive, or as automation with spn, "
        "workloadidentity or msi ('akscli cluster credentials NAME -g RG --login MODE' rewrites the exec line)",
    ),
}
# ropc's own flags (options.go AddFlags: "user name for ropc login flow", "password for ropc login flow"):
# refused with ropc's line wherever they stand, before any other problem of the line.
_ROPC_FLAGS = ("--username", "--password")
_REFUSED_FLAGS = {
    "--legacy": (
        "an ADAL v1 token with the 'spn:' audience, for clusters on the retired Azure AD integration, "
        "is not supported by akscli token",
        "drop --legacy from the exec line ('akscli cluster credentials NAME -g RG' writes one without it); "
        "a cluster still on the legacy integration: move it to AKS-managed Entra ID (az aks update --enable-aad)",
    ),
}
# kubelogin flags that kubeconfigs carry and that mean nothing different here: where kubelogin keeps
# its authentication record, --cache-dir and the deprecated --token-cache-dir (one option; kubelogin's
# convert-kubeconfig rewrites --token-cache-dir as --cache-dir: Azure/kubelogin 66784961
# pkg/internal/token/options.go AddFlags, pkg/internal/converter/convert.go getArgValues).
_IGNORED_VALUE_FLAGS = ("--token-cache-dir", "--cache-dir")
# kubelogin's boolean flags that choose which environment variables it reads.
_ENV_FLAGS = {"--use-azurerm-env-vars": "azurerm", "--disable-environment-override": "none"}
# kubelogin's sign-in value flags (options.go ``AddFlags``), by field of identity.SignInEnv.
_VALUE_FLAGS = {
    "--client-secret": "client_secret",
    "--client-certificate": "client_certificate_path",
    "--client-certificate-password": "client_certificate_password",
    "--federated-token-file": "federated_token_file",
    "--azure-pipelines-service-connection-id": "service_connection_id",
    "--identity-resource-id": "identity_resource_id",
    # interactive only, as kubelogin (interactivebrowsercredential.go: LoginHint, RedirectURL); ignored elsewhere
    "--login-hint": "login_hint",
    "--redirect-url": "redirect_url",
}
_SECRET_FIELDS = ("client_secret", "client_certificate_password")
PUBLIC_AUTHORITY = "https://login.microsoftonline.com"
_TRUE, _FALSE = ("1", "t", "true"), ("0", "f", "false")  # Go's strconv.ParseBool, which pflag uses

_USAGE = (
    "usage: akscli token [--server-id ID] [--tenant-id TENANT] [--client-id ID] "
    "[--auth azurecli|devicecode|spn|msi|workloadidentity|interactive|azurepipelines|azd] "
    "[--client-secret S | --client-certificate FILE [--client-certificate-password P]] "
    "[--federated-token-file FILE] [--authority-host URL] [--azure-pipelines-service-connection-id ID] "
    "[--identity-resource-id ID] [--login-hint USER] [--redirect-url URL] [--subscription SUB] [--timeout 60s] "
    "[--use-azurerm-env-vars] [--disable-environment-override] [--disable-instance-discovery]"
)


class TokenRequest(NamedTuple):
    server_id: str = AKS_SERVER_APP
    tenant_id: str | None = None
    client_id: str | None = None
    login: str | None = None
    environment: str | None = None  # kubelogin's --environment: the sovereign cloud to sign in to
    # Which variables the sign-in reads: "azure" (AZURE_*, kubelogin's AAD_*), "azurerm" (ARM_*,
    # --use-azurerm-env-vars) or "none" (--disable-environment-override).
    variables: str = "azure"
    # The Entra host to sign in to, where a flag or a variable names one (``_authority_host``).
    authority_host: str = ""
    # kubelogin's --client-secret, --client-certificate(-password), --federated-token-file and
    # --azure-pipelines-service-connection-id, by field of identity.SignInEnv: they win over the
    # variables, as --tenant-id and --client-id do.
    flag_values: tuple[tuple[str, str], ...] = ()
    subscription: str | None = None  # kubelogin's --subscription: the Azure CLI's account (azurecli mode)
    timeout: int | None = None  # --timeout / AZURE_CLI_TIMEOUT, whole seconds: how long az (or azd) may take
    no_discovery: bool = False  # --disable-instance-discovery: azure-identity's disable_instance_discovery

    def __repr__(self) -> str:  # the secret and the certificate password never in a repr
        values = tuple((k, "[hidden]" if k in _SECRET_FIELDS else v) for k, v in self.flag_values)
        return f"TokenRequest({self.server_id!r}, {self.login!r}, {self.variables!r}, {values!r})"

    @property
    def scope(self) -> str:
        """kubelogin's ``GetScope`` (Azure/kubelogin pkg/internal/token/execCredentialPlugin.go):
        trailing slashes trimmed, ``/.default`` added unless the server id ends in it (an App ID
        URI such as ``api://aks-server/`` or one given with its scope)."""
        scope = self.server_id.rstrip("/")
        return scope if scope.endswith("/.default") else scope + "/.default"

    def cache_key(self) -> str:
        # Keyed by the identity the environment names as well: a token of one service principal
        # is never served for another that AAD_SERVICE_PRINCIPAL_CLIENT_ID or ARM_CLIENT_ID names.
        env = sign_in_env(self.variables, self.login)
        tenant = self.tenant_id or env.get("tenant_id", "")
        client = self.client_id or ""
        authority = self.authority_host or (self.environment or "").lower()
        parts = [tenant, client, env.get("client_id", ""), self.variables]
        parts += [self.server_id, self.login or "default", authority]
        if self.login == "msi":  # which identity: --identity-resource-id, where no client id names one
            parts.append(dict(self.flag_values).get("identity_resource_id", ""))
        if self.login in (None, "azurecli"):
            # The Azure CLI signs in as whoever 'az login' last signed in; kubelogin's azurecli mode
            # keeps no token of its own and asks the CLI on every call (Azure/kubelogin
            # pkg/internal/token/azureclicredential.go). Keyed by that account, a token of the
            # previous account is never served after 'az login' as another, 'az account set' to
            # another tenant, or 'az logout'.
            from akscli.azure import azprofile

            parts += [azprofile.signed_in_account(), self.subscription or ""]
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


def parse_args(argv: Sequence[str]) -> TokenRequest:
    """Parse kubelogin-compatible flags (``--flag value`` and ``--flag=value``).

    Every value first passes the checks the CLI gives every command line (argv_check.command_line:
    none empty or blank, none too long, no control character): the fast path (cli/entry.py)
    skips the CLI, and `--server-id ''` there used to mean the AKS server app. Given but empty is
    no default in kubelogin either, which has none for --server-id and refuses it (upstream:
    Azure/kubelogin 66784961 pkg/internal/token/execCredentialPlugin.go Do: "server-id is
    required")."""
    from akscli.argv_check import command_line

    command_line(argv)
    values: dict[str, str] = {}
    names = {
        "--server-id": "server_id",
        "--tenant-id": "tenant_id",
        "-t": "tenant_id",
        "--client-id": "client_id",
        "--auth": "login",
        # kubelogin's name, which kubeconfigs written by kubelogin (and akscli before 0.2) carry.
        "--login": "login",
        "-l": "login",
        "--environment": "environment",
        "-e": "environment",
        "--authority-host": "authority_host",
        "--pop-claims": "pop_claims",  # with --pop-enabled: checked by tokenflags.check_pop
        "--subscription": "subscription",
        "-s": "subscription",
        "--timeout": "timeout",
        **dict.fromkeys(_ROPC_FLAGS, "ropc"),
        **_VALUE_FLAGS,
    }
    args = [a for a in argv if a != "get-token"]
    switches: set[str] = set()
    state = _Parsed()
    problems: list[UsageError] = []  # each flag's; ropc's line comes before the first, wherever it stands
    while state.i < len(args):
        try:
            _parse_one(args, state, names, values, switches)
        except UsageError as exc:
            problems.append(exc)
        state.i += 1
    login = values.get("login")
    variables = "none" if "none" in switches else "azurerm" if "azurerm" in switches else "azure"
    if state.ropc:
        message, hint = _REFUSED_MODES["ropc"]
        raise UsageError(f"{state.ropc}: {message}", hint=hint)
    if problems:
        raise problems[0]
    # kubelogin reads AAD_LOGIN_METHOD after its flags, so the variable wins over the kubeconfig's
    # --login (upstream: Azure/kubelogin pkg/internal/token/options.go ``UpdateFromEnv``, commit
    # 66784961ef44a34236a651d9b08bcdf0aa07b836): CI sets it to sign in without a browser.
    # --disable-environment-override keeps the kubeconfig's (there, and docs/book/src/concepts/
    # login-modes/devicecode.md).
    # Read with os.LookupEnv: a set but empty AAD_LOGIN_METHOD replaces the flag with "", which
    # kubelogin's ``Validate`` then refuses ("'' is not a supported login method").
    from_env = None if variables == "none" else os.environ.get("AAD_LOGIN_METHOD")
    if from_env is not None:
        from_env = from_env.strip()
        if from_env.lower() in _REFUSED_MODES:
            message, hint = _REFUSED_MODES[from_env.lower()]
            raise UsageError(f"AAD_LOGIN_METHOD={from_env}: {message}", hint=hint)
        if from_env.lower() not in LOGIN_MODES:
            raise UsageError(
                f"AAD_LOGIN_METHOD={from_env!r} is not a sign-in mode akscli token has",
                hint="set it to one of: " + ", ".join(LOGIN_MODES) + " (or unset it)",
            )
        login = from_env
    server = values.get("server_id") or AKS_SERVER_APP
    check_id(server, "--server-id")
    for key, flag in (
        ("tenant_id", "--tenant-id"),
        ("client_id", "--client-id"),
        ("service_connection_id", "--azure-pipelines-service-connection-id"),
    ):
        if values.get(key):
            check_id(values[key], flag)
    environment = values.get("environment") or None
    if environment is not None:
        from akscli.azure.identity import ENVIRONMENTS

        if environment.replace(" ", "").lower() not in ENVIRONMENTS:
            raise UsageError(
                f"unknown --environment {environment!r}",
                hint="use AzurePublicCloud, AzureChinaCloud or AzureUSGovernmentCloud (or the Azure CLI's "
                "AzureCloud, AzureUSGovernment)",
            )
    login = login.lower() if login else None
    for flag in ("--client-certificate", "--federated-token-file"):
        _check_file(flag, values.get(_VALUE_FLAGS[flag], ""))
    _check_federated_token(values.get("federated_token_file", ""))
    _check_identity_resource_id(values.get("identity_resource_id", ""))
    _check_pop(state.pop, values.get("pop_claims", ""), login)
    _check_redirect_url(values.get("redirect_url", ""), login)
    subscription = values.get("subscription", "")
    _check_subscription(subscription)
    timeout = _timeout(values.get("timeout"), variables)
    tenant = values.get("tenant_id") or None
    if login == "azurecli":  # the environment's tenant too, as kubelogin (tokenflags.azurecli_tenant)
        tenant = _azurecli_tenant(tenant, sign_in_env(variables, login).get("tenant_id"), variables, subscription)
    flag_values = tuple((field, values[field]) for field in _VALUE_FLAGS.values() if values.get(field))
    return TokenRequest(
        server,
        tenant,
        values.get("client_id") or None,
        login,
        environment,
        variables,
        _authority_host(values.get("authority_host", ""), login, variables),
        flag_values,
        subscription if login == "azurecli" else None,  # kubelogin: "Used in azurecli login method"
        timeout,
        state.discovery_off,
    )


class _Parsed:
    """Where parse_args is in its words (``i``), the ropc flag or mode seen first, and kubelogin's booleans
    --pop-enabled and --disable-instance-discovery: kept when one flag's check fails, so that the later
    flags are still read."""

    __slots__ = ("discovery_off", "i", "pop", "ropc")

    def __init__(self) -> None:
        self.i, self.ropc, self.pop, self.discovery_off = 0, "", False, False


def _parse_one(
    args: list[str], state: _Parsed, names: dict[str, str], values: dict[str, str], switches: set[str]
) -> None:
    """The flag of ``args`` at ``state.i`` (and its value, where ``state.i`` moves on to it)."""
    flag, eq, inline = args[state.i].partition("=")
    if flag in _ROPC_FLAGS and not state.ropc:
        state.ropc = f"{flag} (kubelogin's ropc sign-in)"
    if flag in _REFUSED_FLAGS:
        if _switch(flag, inline if eq else "true"):  # a boolean, as pflag's: --legacy=false asks nothing
            message, hint = _REFUSED_FLAGS[flag]
            raise UsageError(f"{flag}: {message}", hint=hint)
    elif flag == "--pop-enabled":  # kubelogin's boolean (options.go AddFlags)
        state.pop = _switch(flag, inline if eq else "true")
    elif flag == "--disable-instance-discovery":  # kubelogin's boolean: to each Entra credential it builds
        state.discovery_off = _switch(flag, inline if eq else "true")
    elif flag in _ENV_FLAGS:
        if _switch(flag, inline if eq else "true"):
            switches.add(_ENV_FLAGS[flag])
        else:
            switches.discard(_ENV_FLAGS[flag])
    elif flag in names or flag in _IGNORED_VALUE_FLAGS:
        if eq:
            value = inline
        elif state.i + 1 < len(args):
            state.i += 1
            value = args[state.i]
        else:
            raise UsageError(f"{flag} needs a value", hint=_USAGE)
        if flag == "--password" or (flag in _VALUE_FLAGS and _VALUE_FLAGS[flag] in _SECRET_FIELDS):
            from akscli.redact import remember

            remember(value)  # akscli.redact: never in a message, whatever echoes it
        if names.get(flag) == "login" and value.strip().lower() == "ropc" and not state.ropc:
            state.ropc = f"{flag} {value.strip()}"
        if flag in names:
            values[names[flag]] = value.strip()
            if names[flag] == "login":
                _check_login(values["login"], flag)  # --login, -l and --auth: each one given, not only the last
    else:
        # The flag's name only, as pflag says it (spf13/pflag flag.go parseLongArg: "unknown flag:
        # --%s" of the name before '='): a misspelt --client-secret=S must not print S.
        raise UsageError(f"unknown flag {flag!r} for akscli token", hint=_USAGE)


def _switch(flag: str, value: str) -> bool:
    word = value.strip().lower()
    if word in _TRUE or word in _FALSE:
        return word in _TRUE
    raise UsageError(f"{flag} takes true or false, not {value!r}", hint=_USAGE)


def _check_login(login: str, flag: str) -> None:
    """The sign-in mode given to ``flag`` as typed (--login, -l or --auth), so the line names it."""
    if login.strip().lower() in _REFUSED_MODES:
        message, hint = _REFUSED_MODES[login.strip().lower()]
        raise UsageError(f"{flag} {login.strip()}: {message}", hint=hint)
    if login.lower() not in LOGIN_MODES:
        raise UsageError(f"unknown {flag} mode {login!r}", hint="use one of: " + ", ".join(LOGIN_MODES))


def check_id(value: str, what: str) -> None:
    """An exec line's ID flag (--server-id, --tenant-id, --client-id...): a GUID, a domain or an App ID URI."""
    ok = value and len(value) <= 256 and all(c.isalnum() or c in "-._:/" for c in value)
    if not ok:
        raise UsageError(
            f"invalid {what} {value!r}", hint=f"{what} takes an ID (GUID), a domain or an application ID URI"
        )


def cache_dir() -> str:
    return cachedir.path("tokens")


def cache_path(req: TokenRequest) -> str:
    return os.path.join(cache_dir(), f"{req.cache_key()}.json")


def read_cached(req: TokenRequest, now: float | None = None) -> tuple[str, int] | None:
    """The cached token and its expiry (epoch seconds) if it is still fresh enough."""
    return tokenfile.read(cache_dir(), cache_path(req), now)


def write_cached(req: TokenRequest, token: str, expires_on: int) -> None:
    tokenfile.write(cache_dir(), cache_path(req), token, expires_on)


def acquire(req: TokenRequest) -> tuple[str, int]:
    """Get a fresh token from Entra ID (imports azure-identity) and cache it."""
    from akscli.azure import identity

    flags = dict(req.flag_values)
    values = sign_in_env(req.variables, req.login)
    if req.login == "workloadidentity" and "federated_token_file" in values:
        flags.pop("federated_token_file", None)  # the webhook's AZURE_FEDERATED_TOKEN_FILE wins, as in kubelogin
    values.update(flags)
    # AKS kubeconfigs name the Azure CLI's public client; it matters only to the sign-in
    # modes that act as a public client or pick one of several managed identities, to azurepipelines
    # (kubelogin's convert-kubeconfig writes --client-id only when given one: pkg/internal/converter/
    # convert.go), and to spn where the exec line carries the principal's secret or certificate too.
    own = req.login == "spn" and ("client_secret" in flags or "client_certificate_path" in flags)
    client = req.client_id if own or req.login in ("devicecode", "interactive", "msi", "azurepipelines") else None
    if req.login == "msi" and "client_id" in values:
        # For msi, kubelogin's rule: the variable (AZURE_CLIENT_ID, AAD_SERVICE_PRINCIPAL_CLIENT_ID, or with
        # --use-azurerm-env-vars ARM_CLIENT_ID) wins over --client-id, read with os.LookupEnv after the flags
        # (upstream: Azure/kubelogin 66784961 pkg/internal/token/options.go ``UpdateFromEnv``, then
        # msicredential.go: ClientID, else --identity-resource-id, else the system-assigned identity). The
        # --client-id an AKS kubeconfig carries is the AKS client, not an identity; set but empty, the
        # variable leaves the system-assigned identity (or --identity-resource-id's).
        client = values["client_id"]
    elif req.login == "workloadidentity":
        # kubelogin's rule: the webhook's AZURE_CLIENT_ID (read by UpdateFromEnv after the flags) wins, else the
        # --client-id that convert-kubeconfig writes when given one (upstream: Azure/kubelogin 66784961
        # pkg/internal/token/options.go ``UpdateFromEnv``; pkg/internal/converter/convert.go, case
        # token.WorkloadIdentityLogin).
        client = values.get("client_id") or req.client_id
    authority = req.authority_host.rstrip("/") or identity.authority_of(req.environment)
    if authority is None and "AZURE_AUTHORITY_HOST" in os.environ:
        # azure-identity would read the variable itself (or fail on an empty one): not read here.
        authority = PUBLIC_AUTHORITY
    names = {"azure": "AZURE", "azurerm": "ARM"}.get(req.variables, "")
    cert_names = certificate_names(req.variables)
    if "client_certificate_path" in flags:
        cert_names = ("--client-certificate", "--client-certificate-password")
    env = identity.SignInEnv(
        **values,
        names=names,
        certificate_names=cert_names,
        process_timeout=req.timeout,
        disable_instance_discovery=req.no_discovery,
    )
    cred = identity.credential(
        req.login,
        req.tenant_id,
        client_id=client,
        subscription=req.subscription,
        authority=authority,
        tenant_flag="--tenant-id",
        env=env,
        host_flag="--authority-host (or --environment)",
    )
    tok = cred.get_token(req.scope)
    if req.login == "azd":
        return tok.token, int(tok.expires_on)  # azd keeps its own tokens (``run``)
    try:
        write_cached(req, tok.token, int(tok.expires_on))
    except OSError as exc:
        # The token is good: kubectl gets it; only the next call pays another sign-in.
        sys.stderr.write(f"warning: cannot cache the token in {cache_dir()}: {exc.strerror or exc}\n")
    return tok.token, int(tok.expires_on)


def exec_credential(token: str, expires_on: int, api_version: str | None = None) -> str:
    stamp = timestamps.format(expires_on)
    return json.dumps(
        {
            "kind": "ExecCredential",
            "apiVersion": api_version or exec_api_version(),
            "spec": {"interactive": False},
            "status": {"expirationTimestamp": stamp, "token": token},
        }
    )


def run(argv: Sequence[str], *, verbose: bool = False) -> str:
    """The ExecCredential JSON for ``argv`` (kubelogin get-token flags)."""
    req = parse_args(argv)
    api_version = exec_api_version()
    # azd mode keeps no token of its own and asks azd on every call, as kubelogin (docs/book/src/concepts/
    # login-modes/azd.md: "kubelogin will not cache any token since it's already managed by Azure
    # Developer CLI"): a token of the previous account is never served after 'azd auth login' as another.
    cached = None if req.login == "azd" else read_cached(req)
    token, expires_on = cached or acquire(req)
    if verbose:  # where the token came from and until when; never the token
        source = "the cache" if cached else "Entra ID"
        until = timestamps.format(expires_on)
        sys.stderr.write(f"akscli token: token for {req.server_id} from {source}, valid until {until}\n")
    return exec_credential(token, expires_on, api_version)


def main(argv: Sequence[str] | None = None) -> int:
    """Fast entry point: ``akscli token ...`` without loading the CLI framework."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["token"]:
        args = args[1:]
    if any(a in ("-h", "--help") for a in args):
        sys.stdout.write(_USAGE + "\n")
        return 0
    debug = "--debug" in args
    verbosity = sum(1 if a == "--verbose" else len(a) - 1 for a in args if a == "--verbose" or _is_v(a))
    verbose = verbosity > 0
    args = [a for a in args if a != "--debug" and a != "--verbose" and not _is_v(a)]
    logged = debug or verbosity >= 2  # the request log, as the CLI's --debug and -vv (akscli.logconfig)
    if logged:
        _request_log(debug, verbosity)
    try:
        return _main(args, debug, verbose)
    finally:
        if logged:  # one in-process run (a test) never leaks the log into the next
            _request_log(False, 0)


def _main(args: list[str], debug: bool, verbose: bool) -> int:
    try:
        sys.stdout.write(run(args, verbose=verbose) + "\n")
        sys.stdout.flush()
        return 0
    except AkscliError as exc:
        return _failed(exc, details=verbose or debug)
    except Exception as exc:
        if debug:  # the traceback, scrubbed as the error line is
            import traceback

            from akscli.redact import scrub

            sys.stderr.write(scrub("".join(traceback.format_exception(exc))))
        from akscli.azure.arm import translate_arm_error

        return _failed(translate_arm_error(exc, what="akscli token"))


def _is_v(arg: str) -> bool:
    return arg.startswith("-v") and set(arg[1:]) == {"v"}


def _request_log(debug: bool, verbosity: int) -> None:
    """The sign-in's requests on stderr (akscli.azure.signinlog), configured as the CLI configures them."""
    from akscli import logconfig
    from akscli.globals import FLAGS

    FLAGS.debug, FLAGS.verbose = debug, verbosity
    logconfig.configure()
    logconfig.ready()


def _failed(err: AkscliError, details: bool = False) -> int:
    """The error and hint lines (and, with -v or --debug, the error's details), scrubbed as
    cli.main scrubs them (akscli.redact): Entra ID's answer may be quoted, and kubectl shows this
    stderr to the user."""
    from akscli.redact import scrub

    sys.stderr.write(f"error: {scrub(err.message)}\n")
    hint = err.hint_line(details)
    if hint:
        sys.stderr.write(f"hint: {scrub(hint)}\n")
    for line in err.details if details else ():
        sys.stderr.write(f"  {scrub(line)}\n")
    return err.exit_code


if __name__ == "__main__":
    sys.exit(main())
