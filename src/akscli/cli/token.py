"""akscli token: the kubectl exec credential plugin (kubelogin get-token compatible).

The logic lives in ``akscli.azure.token``; its ``main()`` is also a fast entry point that
skips the CLI framework entirely (see docs/azure.md).
"""

from typing import Annotated

import typer

from akscli import output
from akscli.cli.azopts import AzAuth, ClientId, IdentityResourceId


def token(
    server_id: Annotated[
        str | None,
        typer.Option(
            "--server-id", help="Entra application of the API server (default: the AKS server app).", show_default=False
        ),
    ] = None,
    tenant_id: Annotated[
        str | None,
        typer.Option("--tenant-id", "-t", help="Entra tenant (default: $AZURE_TENANT_ID).", show_default=False),
    ] = None,
    client_id: ClientId = None,
    auth: AzAuth = None,
    login: Annotated[
        str | None,
        typer.Option("--login", "-l", help="kubelogin's name for --auth.", show_default=False, hidden=True),
    ] = None,
    environment: Annotated[
        str | None,
        typer.Option(
            "--environment",
            "-e",
            help="kubelogin's Azure cloud to sign in to (AzurePublicCloud, AzureChinaCloud, AzureUSGovernmentCloud; "
            "--authority-host wins).",
            show_default=False,
            hidden=True,
        ),
    ] = None,
    authority_host: Annotated[
        str | None,
        typer.Option(
            "--authority-host",
            help="Entra sign-in host, an https URL ending in '/' (over kubelogin's cloud name; AZURE_AUTHORITY_HOST "
            "is read only in workloadidentity mode, where it wins, as in kubelogin).",
            show_default=False,
        ),
    ] = None,
    client_secret: Annotated[
        str | None,
        typer.Option(
            "--client-secret",
            help="--auth spn: the service principal's secret, a flag for kubelogin's exec lines (it stays in the "
            "kubeconfig, and others can read a command line with ps; prefer AZURE_CLIENT_SECRET). With it, "
            "--client-id names the service principal. Never printed.",
            show_default=False,
        ),
    ] = None,
    client_certificate: Annotated[
        str | None,
        typer.Option(
            "--client-certificate",
            help="--auth spn: the service principal's certificate, PEM or PFX; --client-id names the principal.",
            show_default=False,
        ),
    ] = None,
    client_certificate_password: Annotated[
        str | None,
        typer.Option(
            "--client-certificate-password",
            help="The certificate's password (others can read a command line with ps; prefer "
            "AZURE_CLIENT_CERTIFICATE_PASSWORD). Never printed.",
            show_default=False,
        ),
    ] = None,
    federated_token_file: Annotated[
        str | None,
        typer.Option(
            "--federated-token-file",
            help="--auth workloadidentity: the federated token file (AZURE_FEDERATED_TOKEN_FILE wins, as kubelogin).",
            show_default=False,
        ),
    ] = None,
    azure_pipelines_service_connection_id: Annotated[
        str | None,
        typer.Option(
            "--azure-pipelines-service-connection-id",
            help="--auth azurepipelines: the service connection (default: $AZURESUBSCRIPTION_SERVICE_CONNECTION_ID).",
            show_default=False,
        ),
    ] = None,
    identity_resource_id: IdentityResourceId = None,
    login_hint: Annotated[
        str | None,
        typer.Option(
            "--login-hint",
            help="--auth interactive: the user name to fill in on the sign-in page (kubelogin's).",
            show_default=False,
        ),
    ] = None,
    redirect_url: Annotated[
        str | None,
        typer.Option(
            "--redirect-url",
            help="--auth interactive: the redirect URI registered for --client-id, with its port, e.g. "
            "http://localhost:8400 (kubelogin's).",
            show_default=False,
        ),
    ] = None,
    pop_enabled: Annotated[
        bool,
        typer.Option(
            "--pop-enabled",
            hidden=True,  # kubelogin's Azure Arc PoP token; refused with its fix (akscli.azure.tokenflags)
            help="kubelogin's proof-of-possession token: refused in interactive and spn modes.",
        ),
    ] = False,
    pop_claims: Annotated[
        str | None,
        typer.Option(
            "--pop-claims", hidden=True, help="kubelogin's PoP claims (with --pop-enabled).", show_default=False
        ),
    ] = None,
    use_azurerm_env_vars: Annotated[
        bool,
        typer.Option(
            "--use-azurerm-env-vars",
            help="Read the service principal and tenant from ARM_CLIENT_ID, ARM_CLIENT_SECRET (or "
            "ARM_CLIENT_CERTIFICATE_PATH and ARM_CLIENT_CERTIFICATE_PASSWORD) and ARM_TENANT_ID, Terraform's "
            "names, in place of AZURE_* and AAD_* (kubelogin's flag).",
        ),
    ] = False,
    legacy: Annotated[
        bool,
        typer.Option(
            "--legacy",
            hidden=True,  # kubelogin's; refused with its fix (akscli.azure.token), so not offered in help
            help="kubelogin's ADAL v1 token for the retired Azure AD integration: refused.",
        ),
    ] = False,
    subscription: Annotated[
        str | None,
        typer.Option(
            "--subscription",
            help="--auth azurecli: the subscription (ID or name) whose Azure CLI account signs in, kubelogin's; "
            "not with a tenant (--tenant-id, AZURE_TENANT_ID), which 'az' refuses beside it.",
            show_default=False,
        ),
    ] = None,
    subscription_short: Annotated[
        str | None, typer.Option("-s", hidden=True, help="kubelogin's -s, --subscription.", show_default=False)
    ] = None,
    timeout: Annotated[
        str | None,
        typer.Option(
            "--timeout",
            help="How long the Azure CLI (or azd) may take to give the token, a Go duration such as 60s "
            "(kubelogin's; AZURE_CLI_TIMEOUT wins where it is one, as in kubelogin).",
            show_default=False,
        ),
    ] = None,
    disable_instance_discovery: Annotated[
        bool,
        typer.Option(
            "--disable-instance-discovery",
            help="Skip Entra's instance discovery, for an identity provider that has no discovery endpoint "
            "(kubelogin's flag).",
        ),
    ] = False,
    username: Annotated[
        str | None,
        typer.Option("--username", hidden=True, help="kubelogin's ropc user: refused.", show_default=False),
    ] = None,
    password: Annotated[
        str | None,
        typer.Option("--password", hidden=True, help="kubelogin's ropc password: refused.", show_default=False),
    ] = None,
    disable_environment_override: Annotated[
        bool,
        typer.Option(
            "--disable-environment-override",
            help="Read no sign-in variable (AAD_LOGIN_METHOD, AZURE_*, AAD_*, ARM_*): the flags only "
            "(kubelogin's flag).",
        ),
    ] = False,
) -> None:
    """Print an ExecCredential with an Entra token for the cluster (run by kubectl).

    The environment, as kubelogin reads it: AAD_LOGIN_METHOD wins over --login and --auth (set but
    empty, it is refused). A --tenant-id or --client-id flag wins over AZURE_TENANT_ID and
    AZURE_CLIENT_ID (kubelogin lets the variables win), as do --client-secret and
    --client-certificate; in workloadidentity mode the webhook's AZURE_CLIENT_ID,
    AZURE_FEDERATED_TOKEN_FILE and AZURE_AUTHORITY_HOST win, as in kubelogin. --auth spn signs in as
    AZURE_CLIENT_ID with AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH, else as kubelogin's
    AAD_SERVICE_PRINCIPAL_CLIENT_ID with AAD_SERVICE_PRINCIPAL_CLIENT_SECRET or
    AAD_SERVICE_PRINCIPAL_CLIENT_CERTIFICATE; a variable set but empty replaces the earlier name.
    --auth azurepipelines signs in as an Azure Pipelines service connection (AZURESUBSCRIPTION_*
    and SYSTEM_ACCESSTOKEN). Secrets are never printed.
    """
    from akscli.azure import token as plugin

    argv: list[str] = []
    for flag, value in (
        ("--server-id", server_id),
        ("--tenant-id", tenant_id),
        ("--client-id", client_id),
        # kubelogin's --login, then --auth (the later wins): each is checked; --environment too.
        ("--login", login),
        ("--auth", auth),
        ("--environment", environment),
        ("--authority-host", authority_host),
        ("--client-secret", client_secret),
        ("--client-certificate", client_certificate),
        ("--client-certificate-password", client_certificate_password),
        ("--federated-token-file", federated_token_file),
        ("--azure-pipelines-service-connection-id", azure_pipelines_service_connection_id),
        ("--identity-resource-id", identity_resource_id),
        ("--login-hint", login_hint),
        ("--redirect-url", redirect_url),
        ("--pop-claims", pop_claims),
        ("--subscription", subscription),
        ("-s", subscription_short),
        ("--timeout", timeout),
        ("--username", username),  # kubelogin's ropc flags: refused by name (akscli.azure.token)
        ("--password", password),
    ):
        if value is not None:
            argv += [flag, value]
    argv += ["--use-azurerm-env-vars"] if use_azurerm_env_vars else []
    argv += ["--disable-environment-override"] if disable_environment_override else []
    argv += ["--legacy"] if legacy else []
    argv += ["--pop-enabled"] if pop_enabled else []
    argv += ["--disable-instance-discovery"] if disable_instance_discovery else []
    from akscli.globals import FLAGS

    output.write(plugin.run(argv, verbose=FLAGS.verbose > 0))
