"""akscli version: its flags (the body is akscli.cli.version_body, which the fast path calls too)."""

from typing import Annotated

import typer

from akscli.cli import options as opts
from akscli.cli import version_body
from akscli.cli.version_body import PACKAGES as PACKAGES
from akscli.cli.version_body import VERSION_FORMATS


def version(
    output_format: Annotated[str, opts.output_option(VERSION_FORMATS)] = "table",
    client: Annotated[
        bool,
        typer.Option(
            "--client",
            help="Accepted as kubectl version --client is: akscli's version is always the client's only "
            "(it reads no server).",
        ),
    ] = False,
) -> None:
    """Show akscli, Python, Kubernetes client and Azure SDK versions."""
    version_body.version(output_format, client)
