"""akscli token: the kubectl exec credential plugin (kubelogin get-token compatible).

The logic lives in ``akscli.azure.token``; its ``main()`` is also a fast entry point that
skips the CLI framework entirely (see docs/azure.md).
"""

from typing import Annotated

import typer

from akscli import output
from akscli.cli.azopts import AzAuth


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
    client_id: Annotated[
        str | None,
        typer.Option(
            "--client-id",
            help="Public client for devicecode/interactive, or a user-assigned managed identity.",
            show_default=False,
        ),
    ] = None,
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
            "AZURE_AUTHORITY_HOST wins).",
            show_default=False,
            hidden=True,
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
    disable_environment_override: Annotated[
        bool,
        typer.Option(
            "--disable-environment-override",
            help="Read no sign-in variable (AAD_LOGIN_METHOD, AZURE_*, AAD_*, ARM_*): the flags only; "
            "AZURE_AUTHORITY_HOST still picks the sign-in host (kubelogin's flag).",
        ),
    ] = False,
) -> None:
    """Print an ExecCredential with an Entra token for the cluster (run by kubectl).

    The environment, as kubelogin reads it: AAD_LOGIN_METHOD wins over --login and --auth. A
    --tenant-id or --client-id flag wins over AZURE_TENANT_ID and AZURE_CLIENT_ID (kubelogin lets
    the variables win). --auth spn signs in as AZURE_CLIENT_ID with AZURE_CLIENT_SECRET or
    AZURE_CLIENT_CERTIFICATE_PATH, else as kubelogin's AAD_SERVICE_PRINCIPAL_CLIENT_ID with
    AAD_SERVICE_PRINCIPAL_CLIENT_SECRET or AAD_SERVICE_PRINCIPAL_CLIENT_CERTIFICATE. Secrets are
    never printed.
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
    ):
        if value is not None:
            argv += [flag, value]
    argv += ["--use-azurerm-env-vars"] if use_azurerm_env_vars else []
    argv += ["--disable-environment-override"] if disable_environment_override else []
    from akscli.globals import FLAGS

    output.write(plugin.run(argv, verbose=FLAGS.verbose > 0))
