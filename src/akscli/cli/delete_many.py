"""kubectl delete's choice of objects for the delete commands that act on Kubernetes objects:
NAME..., -l/--selector or --all, with kubectl's rules (upstream: kubernetes/kubectl
pkg/cmd/delete/delete.go DeleteOptions.Validate and DeleteResult; kubernetes/cli-runtime
pkg/resource/builder.go visitorResult and visitBySelector).

Everything typed is checked before anything is read; every name is read before anything is
deleted; names that are not there are named in one NotFoundError after the others are deleted
(kubectl's builder runs ContinueOnError: the rest are still deleted), or ignored with
--ignore-not-found."""

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from akscli import errors, output, validate
from akscli.cli import options as opts

if TYPE_CHECKING:
    from akscli.kube.client import Kube

T = TypeVar("T")
# What is deleted for a chosen object: (apiVersion, kind, name, namespace), the object first.
Ref = tuple[str, str, str, str | None]
# A chosen object's read, from its name, its namespace and the object -l or --all listed (None for
# a NAME, which the read reads): what it gives, or NotFoundError.
Read = Callable[[str, str | None, dict[str, Any] | None], T]


def all_option(text: str) -> Any:
    """--all, its help ``text`` in kubectl delete's words with the command's kind for "resources":
    "Delete all resources, in the namespace of the specified resource types." (kubernetes/kubectl
    pkg/cmd/delete/delete_flags.go AddFlags). "In the namespace" is true of a namespaced kind only; a
    cluster-scoped kind's selector lists with no namespace (kubernetes/cli-runtime
    pkg/resource/builder.go visitBySelector: `if mapping.Scope.Name() != meta.RESTScopeNameNamespace {
    selectorNamespace = "" }`), so that kind's says so instead."""
    return Annotated[bool, typer.Option("--all", help=f"{text} (kubectl delete --all).", show_default=False)]


def all_in_namespace(kinds: str) -> Any:
    """--all of a namespaced kind's delete (``kinds``: its plural, "RayJobs")."""
    return all_option(f"Delete all {kinds}, in the namespace; with -A, in every namespace")


def all_of_pair(cluster_kinds: str, namespaced_kinds: str) -> Any:
    """--all of a KubeFleet pair of kinds (fleet placement, rollout and strategy delete): -n picks the kind."""
    return all_option(
        f"Delete all {cluster_kinds}, or with -n all {namespaced_kinds}, in that namespace;"
        " with -A, both, in every namespace"
    )


if TYPE_CHECKING:
    AllRayJobs = bool
    AllPlacements = bool
    AllRuns = bool
    AllStrategies = bool
    AllNodePools = bool
else:
    AllRayJobs = all_in_namespace("RayJobs")
    AllPlacements = all_of_pair("ClusterResourcePlacements", "ResourcePlacements")
    AllRuns = all_of_pair("ClusterStagedUpdateRuns", "StagedUpdateRuns")
    AllStrategies = all_of_pair("ClusterStagedUpdateStrategies", "StagedUpdateStrategies")
    # A cluster-scoped kind's (NAP NodePools): there is no namespace to keep to.
    AllNodePools = all_option(
        "Delete all NodePools (with --auto-provision), in no namespace: NodePools are cluster-scoped"
    )

# kubectl delete -A: "If present, list the requested object(s) across all namespaces. Namespace in
# current context is ignored even if specified with --namespace." (delete_flags.go AddFlags; the
# builder's AllNamespaces in delete.go Complete). A NAME with -A is refused for every command
# (options.name_across_namespaces); without -l or --all nothing is chosen (check_choice).
AllNamespaces = Annotated[
    bool,
    typer.Option(
        "-A",
        "--all-namespaces",
        help="With -l or --all: every namespace, -n ignored (kubectl delete -A).",
        show_default=False,
    ),
]

# -A on a delete of a cluster-scoped kind (NAP NodePools): kubectl takes it and lists, reads and
# deletes with no namespace, names included (kubernetes/cli-runtime pkg/resource/builder.go
# visitBySelector and visitByName: `if mapping.Scope.Name() != meta.RESTScopeNameNamespace {
# selectorNamespace = "" }`, before the "cannot be retrieved by name across all namespaces" check,
# which only a namespaced mapping reaches). Its parameter is ``all_namespaces_ignored``, not
# ``all_namespaces``, so that options.name_across_namespaces leaves its NAMEs alone.
AllNamespacesIgnored = Annotated[
    bool,
    typer.Option(
        "-A",
        "--all-namespaces",
        help="With --auto-provision: taken and ignored, as kubectl delete -A of a cluster-scoped kind.",
        show_default=False,
    ),
]


def names_argument(single: Any, *, selectable: bool = True, note: str = "") -> Any:
    """The NAME... argument for a command whose NAME argument type was ``single`` (an Annotated
    str with a typer.Argument): the same help, completion and per-name callback, taken once per
    name, and optional (-l or --all may choose instead; ``selectable``: the command takes them);
    ``note``: a sentence after, e.g. where only one NAME is taken."""
    info = single.__metadata__[0]
    each = info.callback

    def check(ctx: Any, param: Any, values: list[str] | None) -> list[str]:
        if not each:
            return list(values or [])
        names: list[str] = []
        for value in values or []:
            names.append(each(ctx, param, value))
            opts.keep_typed(ctx, param)  # each name's TYPE, not only the last one's (typed_resources)
        return names

    help_text = (info.help or "").replace(" name;", " names;", 1)
    return Annotated[
        list[str] | None,
        typer.Argument(
            help=f"{help_text} One or more"
            + ("; or -l or --all." if selectable else ".")
            + (f" {note}" if note else ""),
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
    check: Callable[[str, str], object] | None = validate.name,
    *,
    selectable: bool = True,
) -> str | None:
    """Refuse a choice kubectl refuses, before anything is sent; each name checked as a ``what``
    (``check``: validate.name, or the kind's own rule; None where the caller checks them in its own
    single pass, as the staged deletes pair each name with its TYPE); the label selector to list by (``""`` for
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
    if check is not None:
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
    read: "Read[T]",
    *,
    all_namespaces: bool = False,
    listing: Callable[[str | None], Iterable[dict[str, Any]]] | None = None,
) -> tuple[list[T], list[errors.NotFoundError]]:
    """What ``read`` gives for each chosen object, from its name, namespace and the object as
    listed (a missing one raises NotFoundError), and the names that were not there. A NAME is
    read by ``read`` (its third argument None). ``selector`` (check_choice's): the objects are
    those listed, page by page: ``kind`` in ``ns``, or with ``all_namespaces`` (-A) in every
    namespace, and ``read`` is given each listed object, so it need not read it again: kubectl
    delete -l lists and sends each DELETE with no read between (kubernetes/cli-runtime
    pkg/resource/builder.go visitBySelector makes each Info from the list's items;
    kubernetes/kubectl pkg/cmd/delete/delete.go DeleteResult deletes each Info). ``listing``: the
    command's own list from the selector (the fleet's pairs of kinds), in place of ``kind``'s. A
    selector that matches nothing says "No resources found" (kubectl delete's line), on stderr."""
    picked = [(name, ns) for name in names]
    listed: dict[tuple[str, str | None], dict[str, Any]] = {}
    if selector is not None:
        items = (
            listing(selector or None)
            if listing is not None
            else kube.list(
                api_version, kind, namespace=ns, all_namespaces=all_namespaces, label_selector=selector or None
            )
        )
        listed = {(str(i["metadata"]["name"]), i["metadata"].get("namespace")): i for i in items}
        # The cluster-scoped first, then by namespace and name, as the lists print them.
        picked = sorted(listed, key=lambda pair: (pair[1] is not None, pair[1] or "", pair[0]))
        if not picked:  # kubectl get's words (cli-runtime printers), which kubectl delete -l says too
            output.info(f"No resources found in {ns} namespace." if ns and not all_namespaces else "No resources found")
    objects: list[T] = []
    missing: list[errors.NotFoundError] = []
    for name, where in dict.fromkeys(picked):
        try:
            objects.append(read(name, where, listed.get((name, where))))
        except errors.NotFoundError as exc:
            missing.append(exc)
    return objects, missing


def delete_chosen(
    kube: "Kube",
    chosen_by: tuple[str, str, str | None],
    names: Sequence[str],
    selector: str | None,
    refs_of: Read[Sequence[Ref]],
    delete: opts.DeleteFlags,
    *,
    action: str,
    wait: float | None,
    what: str = "",
    all_namespaces: bool = False,
    listing: Callable[[str | None], Iterable[dict[str, Any]]] | None = None,
) -> None:
    """The body of a delete of Kubernetes objects: each chosen object (``chosen_by``: the
    apiVersion, kind and namespace that chosen lists and reads) turned into what is deleted for it
    (``refs_of``, a Read: the object and what goes with it), all deleted after one confirmation
    with one wait (common.delete_objects: ``what``, ``action``, ``wait``), then the missing names
    raised; absent ones ignored with --ignore-not-found, or by default with -l or --all
    (ignores_not_found: one listed and gone before its DELETE). Each chosen object is read once:
    a NAME by ``refs_of``, a listed one by the list; one read again only when its DELETE found it
    gone (_gone_before_delete), for akscli's own not-found words."""
    from akscli.cli.common import delete_objects

    api_version, kind, ns = chosen_by
    with errors.absent_is_done(delete.ignore_not_found):
        found, missing = chosen(
            kube, api_version, kind, ns, names, selector, refs_of, all_namespaces=all_namespaces, listing=listing
        )
        refs = [ref for refs in found for ref in refs]
        deleted: list[str] = []
        if refs:
            deleted = delete_objects(
                kube,
                refs,
                yes=delete.yes,
                what=what,
                action=action,
                dry_run=delete.dry_run,
                fmt=delete.output,
                wait=wait,
            )
        gone = _gone_before_delete(found, deleted, refs_of, delete) if refs else []
        again = _visited_again(kube, names, found, refs_of, delete) if refs else []
        raise_missing([*missing, *gone, *again], ignores_not_found(delete, selector))


def _gone_before_delete(
    found: Sequence[Sequence[Ref]],
    deleted: Sequence[str],
    refs_of: Read[Sequence[Ref]],
    delete: opts.DeleteFlags,
) -> list[errors.NotFoundError]:
    """A chosen object that was read and then deleted by someone else before akscli's DELETE (which
    answered 404: delete_objects leaves it out of ``deleted``): NotFound, named after the others,
    read again for akscli's own not-found words. kubectl sends the DELETE with no read before it,
    and a 404 there is `Error from server (NotFound)` unless --ignore-not-found, which -l and --all
    default to true (kubernetes/kubectl pkg/cmd/delete/delete.go DeleteResult:
    `if o.IgnoreNotFound { r = r.IgnoreErrors(errors.IsNotFound) }`; Complete); raise_missing
    applies that rule. Only the chosen object counts (each ``found``'s first ref): what goes with
    it may already be gone. A client dry run sends no DELETE."""
    if opts.dry_run_mode(delete.dry_run) == "client":
        return []
    done = set(deleted)
    missing: list[errors.NotFoundError] = []
    for refs in found:
        if not refs or output.kind_ref(*refs[0][:3]) in done:
            continue
        try:
            refs_of(refs[0][2], refs[0][3], None)
        except errors.NotFoundError as exc:
            missing.append(exc)
    return missing


def _visited_again(
    kube: "Kube",
    names: Sequence[str],
    found: Sequence[Sequence[Ref]],
    refs_of: Read[Sequence[Ref]],
    delete: opts.DeleteFlags,
) -> list[errors.NotFoundError]:
    """A NAME given more than once is visited once more for each repeat, as kubectl visits it:
    kubernetes/cli-runtime pkg/resource/builder.go visitByName makes one Info per name in b.names
    (ResourceTypeOrNameArgs appends args[1:], none dropped), and kubernetes/kubectl
    pkg/cmd/delete/delete.go DeleteResult sends a DELETE for each Info (ContinueOnError). The
    repeat's DELETE of an object already gone is NotFound, named after the others (read again for
    akscli's own not-found words); of one a finalizer still holds, accepted and printed again.
    Dry runs change nothing, so only a real delete is sent again."""
    if opts.dry_run_mode(delete.dry_run) != "none":
        return []
    firsts = {refs[0][2]: refs[0] for refs in found if refs}
    missing: list[errors.NotFoundError] = []
    for index, name in enumerate(names):
        ref = firsts.get(name)
        if ref is None or name not in names[:index]:
            continue
        if kube.delete(ref[0], ref[1], ref[2], namespace=ref[3]) is None:
            try:
                refs_of(name, ref[3], None)
            except errors.NotFoundError as exc:
                missing.append(exc)
            continue
        output.deleted(*ref, "none", delete.output)
    return missing


def ignores_not_found(delete: opts.DeleteFlags, selector: str | None) -> bool:
    """Whether a name that is not there is no error: --ignore-not-found, or -l or --all
    (``selector`` not None) without --ignore-not-found typed, true or false, as kubectl delete
    defaults it (kubernetes/kubectl pkg/cmd/delete/delete.go Complete: `if o.DeleteAll ||
    len(o.LabelSelector) > 0 ... if f := cmd.Flags().Lookup("ignore-not-found"); f != nil &&
    !f.Changed { o.IgnoreNotFound = true }`): an object listed and deleted by someone else before
    its turn is already what was asked for."""
    return delete.ignore_not_found or (selector is not None and not delete.ignore_not_found_typed)


def raise_missing(missing: Sequence[errors.NotFoundError], ignore_not_found: bool) -> None:
    """After the others are deleted: the names that were not there, one error (exit 3; one name:
    its own error unchanged), unless --ignore-not-found (kubectl delete.go DeleteResult:
    r.IgnoreErrors(errors.IsNotFound))."""
    if not missing or ignore_not_found:
        return
    if len(missing) == 1:
        raise missing[0]
    raise errors.NotFoundError("; ".join(exc.message for exc in missing), hint=missing[0].hint)
