"""akscli render: templates into manifests, for GitOps (no cluster needed). Its flags; the body is
akscli.cli.render_body, which the fast path (akscli.cli.fast) calls too."""

from typing import Annotated

import typer

from akscli import output
from akscli.cli import completers, render_body
from akscli.cli import options as opts


def render(
    template: Annotated[
        str | None,
        typer.Argument(
            help="Template, e.g. model/vllm (see --list).", show_default=False, autocompletion=completers.templates
        ),
    ] = None,
    set_values: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="A value: key=value; dotted keys nest (\\. is a dot in a key); a list is {a,b}, a map"
            " k=v,k2=v2, an object YAML flow {k: v}. Repeatable.",
            show_default=False,
        ),
    ] = None,
    values_files: Annotated[
        list[str] | None,
        typer.Option("--values", help="A YAML file of values. Repeatable; --set wins.", show_default=False),
    ] = None,
    stack: Annotated[
        str | None, typer.Option("--stack", help="Label the objects as members of this stack.", show_default=False)
    ] = None,
    output_format: Annotated[
        str | None,
        opts.output_option(
            output.MANIFEST_FORMATS,
            "default yaml; with --help-values or --list: table|wide|json|yaml|name",
            accept=output.LIST_FORMATS,
        ),
    ] = None,
    output_dir: Annotated[
        str | None,
        typer.Option("--output-dir", help="Write one file per object into this directory.", show_default=False),
    ] = None,
    list_all: Annotated[bool, typer.Option("--list", help="List the templates.")] = False,
    help_values: Annotated[
        bool, typer.Option("--help-values", help="List the template's values: type, default and help.")
    ] = False,
) -> None:
    """Render a template into Kubernetes manifests (offline)."""
    render_body.render(template, set_values, values_files, stack, output_format, output_dir, list_all, help_values)
