"""akscli render: templates into manifests, for GitOps (no cluster needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from akscli import output, validate, yamlio
from akscli.errors import UsageError
from akscli.render import TEMPLATE_SUFFIX, list_templates
from akscli.render import render as render_objects


def render(
    template: Annotated[
        str | None, typer.Argument(help="Template, e.g. model/vllm (see --list).", show_default=False)
    ] = None,
    set_values: Annotated[
        list[str] | None,
        typer.Option("--set", help="A value: key=value (dotted keys nest). Repeatable.", show_default=False),
    ] = None,
    values_files: Annotated[
        list[str] | None,
        typer.Option("-f", "--values", help="A YAML file of values. Repeatable; --set wins.", show_default=False),
    ] = None,
    stack: Annotated[
        str | None, typer.Option("--stack", help="Label the objects as members of this stack.", show_default=False)
    ] = None,
    output_format: Annotated[str, typer.Option("-o", "--output", help="yaml|json|name.")] = "yaml",
    output_dir: Annotated[
        str | None,
        typer.Option("--output-dir", help="Write one file per object into this directory.", show_default=False),
    ] = None,
    list_all: Annotated[bool, typer.Option("--list", help="List the templates.")] = False,
) -> None:
    """Render a template into Kubernetes manifests (offline)."""
    if list_all or template is None:
        for name in list_templates():
            output.write(name.removesuffix(TEMPLATE_SUFFIX))
        return
    values: dict[str, object] = {}
    for file in values_files or []:
        path = validate.existing_file(file, "values file")
        loaded = yamlio.load(path.read_text(encoding="utf-8"), str(path)) or {}
        if not isinstance(loaded, dict):
            raise UsageError(f"values file {file} is not a mapping", "write key: value lines")
        values = validate.merge_values(values, loaded)
    values = validate.merge_values(values, validate.set_values(set_values or []))
    objects = render_objects(template, values, stack=stack)
    if output_dir:
        _write_files(objects, Path(output_dir), output_format)
    else:
        output.emit_documents(objects, output.check_format(output_format, ("yaml", "json", "name")))


def _write_files(objects: list[dict[str, object]], directory: Path, fmt: str) -> None:
    fmt = output.check_format(fmt, ("yaml", "json"))
    directory.mkdir(parents=True, exist_ok=True)
    for obj in objects:
        meta = obj["metadata"]
        assert isinstance(meta, dict)
        parts = [str(obj["kind"]).lower(), str(meta["name"])]
        if meta.get("namespace"):
            parts.insert(0, str(meta["namespace"]))
        path = directory / ("_".join(parts) + (".yaml" if fmt == "yaml" else ".json"))
        path.write_text(yamlio.dump(obj) if fmt == "yaml" else yamlio.dump_json(obj) + "\n", encoding="utf-8")
        output.info(f"wrote {path}")
