"""akscli apply -f: manifests from files through the apply engine (plan, policy, audit, wait)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from akscli import output, validate, yamlio
from akscli.cli import options as opts
from akscli.cli.common import apply_objects
from akscli.errors import UsageError


def _read_manifests(paths: list[str]) -> list[dict[str, Any]]:
    files: list[Path] = []
    for value in paths:
        path = Path(value).expanduser()
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml", ".json"))
        else:
            files.append(validate.existing_file(value, "manifest file"))
    objects: list[dict[str, Any]] = []
    for file in files:
        for doc in yamlio.load_all(file.read_text(encoding="utf-8"), str(file)):
            items = doc.get("items") if isinstance(doc, dict) and doc.get("kind") == "List" else [doc]
            for item in items or []:
                if (
                    not isinstance(item, dict)
                    or not item.get("kind")
                    or not item.get("apiVersion")
                    or not isinstance(item.get("metadata"), dict)
                    or not item["metadata"].get("name")
                ):
                    raise UsageError(
                        f"{file}: every document needs apiVersion, kind and metadata.name", "check the manifest"
                    )
                objects.append(item)
    if not objects:
        raise UsageError("no manifests found", "pass -f FILE or -f DIR with .yaml or .json files")
    return objects


def apply(
    filenames: Annotated[
        list[str], typer.Option("-f", "--filename", help="A file or directory of manifests. Repeatable.")
    ],
    stack: Annotated[str, typer.Option("--stack", help="The stack these objects belong to (for --prune).")] = "default",
    kubeconfig: opts.Kubeconfig = None,
    context: opts.Context = None,
    namespace: opts.Namespace = None,
    request_timeout: opts.RequestTimeout = None,
    dry_run: opts.DryRun = "none",
    wait: opts.Wait = False,
    timeout: opts.Timeout = "10m",
    prune: opts.Prune = False,
    force_conflicts: opts.ForceConflicts = False,
    parallel: opts.Parallel = 8,
    yes: opts.Yes = False,
    output_format: opts.Output = "table",
) -> None:
    """Apply manifests with server-side apply: plan, policy check, apply, prune, wait, audit."""
    validate.name(stack, "stack name")
    output.check_format(output_format)
    objects = _read_manifests(filenames)
    apply_objects(
        objects,
        stack=stack,
        target=opts.kube_target(kubeconfig, context, namespace, request_timeout),
        dry_run=dry_run,
        wait=wait,
        timeout=timeout,
        prune=prune,
        force_conflicts=force_conflicts,
        parallel=parallel,
        yes=yes,
        output_format=output_format,
    )
