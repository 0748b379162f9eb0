"""akscli version."""

from __future__ import annotations

import platform
from importlib import metadata
from typing import Annotated

from akscli import __version__, output
from akscli.cli import options as opts

PACKAGES = (
    "kubernetes",
    "azure-identity",
    "azure-mgmt-containerservice",
    "azure-mgmt-containerservicefleet",
    "azure-core",
    "typer",
    "rich",
)


def _installed(dist: str) -> str | None:
    # Read package metadata instead of importing: `akscli version` stays an offline, fast command.
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def version(
    output_format: Annotated[str, opts.output_option(("table", "json", "yaml"))] = "table",
) -> None:
    """Show akscli, Python, Kubernetes client and Azure SDK versions."""
    packages = {name: _installed(name) for name in PACKAGES}
    info: dict[str, object] = {
        "akscli": __version__,
        "python": platform.python_version(),
        "platform": f"{platform.system().lower()}/{platform.machine()}",
        "packages": packages,
    }
    if output_format == "table":
        fields = [("akscli", info["akscli"]), ("python", info["python"]), ("platform", info["platform"])]
        fields += [(k, v or "not installed") for k, v in packages.items()]
        output.emit_object(info, "table", fields=fields)
    else:
        output.emit_object(info, output.check_format(output_format, ("json", "yaml")))
