"""kubectl delete's choice of objects for the delete commands that act on Kubernetes objects:
NAME..., -l/--selector or --all, with kubectl's rules (upstream: kubernetes/kubectl
pkg/cmd/delete/delete.go DeleteOptions.Validate and DeleteResult; kubernetes/cli-runtime
pkg/resource/builder.go visitorResult and visitBySelector).

Everything typed is checked before anything is read; every name is read before anything is
deleted; names that are not there are named in one NotFoundError after the others are deleted
(kubectl's builder runs ContinueOnError: the rest are still deleted), or ignored with
--ignore-not-found."""

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Annotated, Any

import typer

from akscli import errors, output, validate
from akscli.cli import options as opts

if TYPE_CHECKING:
    from akscli.kube.client import Kube

# kubectl delete --all: "Delete all resources, in the namespace of the specified resource types."
# (kubernetes/kubectl pkg/cmd/delete/delete_flags.go AddFlags).
All = Annotated[
    bool, typer.Option("--all", help="Delete every one in the namespace (kubectl delete --all).", show_default=False)
]


def names_argument(single: Any, *, selectable: bool = True) -> Any:
    """The NAME... argument for a command whose NAME argument type was ``single`` (an Annotated
    str with a typer.Argument): the same help, completion and per-name callback, taken once per
    name, and optional (-l or --all may choose instead; ``selectable``: the command takes them)."""
    info = single.__metadata__[0]
    each = info.callback

    def check(ctx: Any, param: Any, values: list[str] | None) -> list[str]:
        return [each(ctx, param, v) if each else v for v in values or []]

    help_text = (info.help or "").replace(" name;", " names;", 1)
    return Annotated[
        list[str] | None,
        typer.Argument(
            help=f"{help_text} One or more" + ("; or -l or --all." if selectable else "."),
            autocompletion=info.autocompletion,
            callback=check,
            metavar="NAME...",
            show_default=False,
        ),
    ]


def check_choice(
    names: Sequence[str],
    selector: str | None,
    all_: bool,
    what: str,
    check: Callable[[str, str], object] = validate.name,
    *,
    selectable: bool = True,
) -> str | None:
    """Refuse a choice kubectl refuses, before anything is sent; each name checked as a ``what``
    (``check``: validate.name, or the kind's own rule); the label selector to list by (``""`` for
    --all) or None for names; ``selectable``: the command takes -l and --all (the hint names them)."""
    if all_ and selector is not None:
        raise errors.UsageError(
            "cannot set --all and --selector at the same time", hint="give one: -l SELECTOR or --all"
        )
    if names and (selector is not None or all_):
        raise errors.UsageError(
            "name cannot be provided when a selector is specified",
            hint=f"give {what}s, or -l SELECTOR, or --all, not names with either",
        )
    if not names and selector is None and not all_:
        hint = f"give one or more {what}s" + (", -l SELECTOR, or --all to delete every one" if selectable else "")
        raise errors.UsageError(f"no {what} given", hint=hint)
    for name in names:
        check(name, what)
    if names:
        return None
    return opts.label_selector(selector) or "" if selector is not None else ""


def chosen(
    kube: "Kube",
    api_version: str,
    kind: str,
    ns: str | None,
    names: Sequence[str],
    selector: str | None,
    read: Callable[[str], Any],
) -> tuple[list[Any], list[errors.NotFoundError]]:
    """What ``read`` gives for each chosen name (a missing one raises NotFoundError) and the names
    that were not there; ``selector`` (check_choice's): the names are those of the listed objects.
    A selector that matches nothing says "No resources found" (kubectl delete's line), on stderr."""
    if selector is not None:
        items = kube.list(api_version, kind, namespace=ns, label_selector=selector or None)
        names = sorted(str(item["metadata"]["name"]) for item in items)
        if not names:  # kubectl get's words (cli-runtime printers), which kubectl delete -l says too
            output.info(f"No resources found in {ns} namespace." if ns else "No resources found")
    found: list[Any] = []
    missing: list[errors.NotFoundError] = []
    for name in dict.fromkeys(names):
        try:
            found.append(read(name))
        except errors.NotFoundError as exc:
            missing.append(exc)
    return found, missing


def raise_missing(missing: Sequence[errors.NotFoundError], ignore_not_found: bool) -> None:
    """After the others are deleted: the names that were not there, one error (exit 3; one name:
    its own error unchanged), unless --ignore-not-found (kubectl delete.go DeleteResult:
    r.IgnoreErrors(errors.IsNotFound))."""
    if not missing or ignore_not_found:
        return
    if len(missing) == 1:
        raise missing[0]
    raise errors.NotFoundError("; ".join(exc.message for exc in missing), hint=missing[0].hint)
