"""akscli render's body: templates into manifests, without the CLI framework (akscli.cli.render
declares the flags; the fast path, akscli.cli.fast, calls this with the same arguments)."""

import json
from typing import TYPE_CHECKING, Any

from akscli import helm_values, output, validate, yamlio
from akscli.errors import UsageError
from akscli.render import TEMPLATE_SUFFIX, describe_values, list_templates, resolve_template
from akscli.render import render as render_objects

if TYPE_CHECKING:
    from pathlib import Path


def render(
    template: str | None,
    set_values: list[str] | None,
    values_files: list[str] | None,
    stack: str | None,
    output_format: str | None,
    output_dir: str | None,
    list_all: bool,
    help_values: bool,
) -> None:
    """Render a template into Kubernetes manifests (offline)."""
    if output_format is not None and template is not None and not help_values:
        output.check_format(output_format, output.MANIFEST_FORMATS)  # manifests: before rendering
    if help_values and template is not None:
        _emit_values(template, output_format or "table")
        return
    if template is None and (set_values or values_files or stack or output_dir or (output_format and not list_all)):
        raise UsageError("give the TEMPLATE to render", hint="akscli render --list shows them, e.g. render model/vllm")
    if list_all or template is None:
        names = [name.removesuffix(TEMPLATE_SUFFIX) for name in list_templates()]
        if output_format is None:
            for name in names:
                output.write(name)
        else:
            # -o name prints the names as they are given to render (the default, without -o)
            rows = [{"name": name} for name in names]
            output.emit(rows, output_format, [output.Column("TEMPLATE", "name")], name=lambda r: str(r["name"]))
        return
    values: dict[str, object] = {}
    for file in values_files or []:
        path = validate.existing_file(file, "values file")
        loaded = yamlio.load(yamlio.read_text(path, f"values file {file}"), f"values file {file}") or {}
        if not isinstance(loaded, dict):
            raise UsageError(f"values file {file} is not a mapping", "write key: value lines")
        values = helm_values.merge_values(values, loaded)
    values = helm_values.merge_values(values, helm_values.set_values(set_values or []))
    _check_declared(template, values)
    _warn_secret_sets(set_values or [], template)
    objects = render_objects(template, values, stack=stack)
    fmt = output_format or "yaml"
    if output_dir:
        from pathlib import Path  # only to write files: a render to stdout loads no pathlib

        _write_files(objects, Path(output_dir), fmt)
    else:
        output.emit_documents(objects, fmt)


def _warn_secret_sets(set_values: list[str], template: str) -> None:
    """A --set value shaped like a secret (secret_hints.secret_keys; by its value only: a template's
    ``access_secret`` names a Secret, it does not hold one) is on akscli's command line, which ps and
    the shell's history show: say so, without the value, and name the file form."""
    from akscli.secret_hints import secret_keys

    if keys := secret_keys(set_values, by_name=False):
        named = ", ".join(f"--set {key}=..." for key in keys)
        output.warn(
            f"{named} looks like a secret (the value is not shown): ps and the shell's history show akscli's "
            f"command line; put it in a values file instead (akscli render {template} --values FILE), and keep "
            "the rendered manifests, which hold it as plain text, out of Git"
        )


def _check_declared(template: str, values: dict[str, object]) -> None:
    """A value the template does not declare is a typo, not something to drop in silence."""
    from akscli.render import values_spec

    name = resolve_template(template)
    declared = values_spec(name)
    unknown = sorted(set(values) - set(declared))
    if declared and unknown:
        short = name.removesuffix(TEMPLATE_SUFFIX)
        raise UsageError(
            f"template {short} has no value {', '.join(unknown)}",
            hint=f"its values are: {', '.join(declared)} (akscli render {short} --help-values)",
        )


def _default_text(row: dict[str, Any], limit: int | None) -> str:
    if row["required"]:
        return "(required)"
    value = row["default"]
    text = "-" if value is None else value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    return text if limit is None or len(text) <= limit else text[: limit - 3] + "..."


def _emit_values(template: str, fmt: str) -> None:
    name = resolve_template(template).removesuffix(TEMPLATE_SUFFIX)
    columns = [
        output.Column("VALUE", "key"),
        output.Column("TYPE", "type"),
        output.Column("DEFAULT", lambda r: _default_text(r, None if fmt == "wide" else 40)),
        output.Column("HELP", "help"),
    ]
    output.emit(
        describe_values(name),
        output.check_format(fmt, ("table", "wide", "json", "yaml", "name")),
        columns,
        name=lambda r: str(r["key"]),
        empty=f"Template {name} declares no values.",
    )


def _write_files(objects: list[dict[str, object]], directory: "Path", fmt: str) -> None:
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
