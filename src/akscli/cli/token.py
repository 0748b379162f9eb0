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
) -> None:
    """Print an ExecCredential with an Entra token for the cluster (run by kubectl)."""
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
    from akscli.globals import FLAGS

    output.write(plugin.run(argv, verbose=FLAGS.verbose > 0))
