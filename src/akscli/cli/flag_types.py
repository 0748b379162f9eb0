"""The options every command reuses verbatim, defined once: parameter annotations such as
``namespace: flag_types.Namespace = None`` (cluster connection, a change's -o, --dry-run, -y,
--wait ...; a read command's -o, which `model catalog` has too, is options.Output),
and ``on_kube``, the block of kubectl's connection flags.

Each is a Typer option built as this module loads (about 0.15 M instructions an option:
``typer.Option`` and ``typing.Annotated``), so only the modules of commands that name one import
it: ``model plan``, ``model catalog`` and ``version`` build none of them
(docs/changes/audit33-perf33.md).
"""

from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any

import typer

from akscli.cli import completers, options
from akscli.cli.options import DRY_RUN_FORMATS, DRY_RUN_HELP, namespace_option, output_option, timeout_option
from akscli.output import APPLY_FORMATS, DELETE_FORMATS


def kubeconfig_option(callback: Callable[[str | None], str | None] | None = None) -> Any:
    """--kubeconfig PATH; ``callback`` checks the value as it is parsed (the credentials commands,
    azopts.KubeconfigFile)."""
    return typer.Option(
        "--kubeconfig",
        metavar="PATH",
        help="Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).",
        show_default=False,
        callback=callback,
    )


Kubeconfig = Annotated[str | None, kubeconfig_option()]

Context = Annotated[
    str | None,
    typer.Option(
        "--context",
        metavar="NAME",
        help="The kubeconfig context to use (default: the current context).",
        show_default=False,
        autocompletion=completers.kube_contexts,
    ),
]

Namespace = Annotated[str | None, namespace_option("Namespace (default: the context's namespace, else 'default').")]

AllNamespaces = Annotated[bool, typer.Option("-A", "--all-namespaces", help="List across all namespaces.")]

Selector = Annotated[
    str | None,
    typer.Option(
        "-l",
        "--selector",
        metavar="SELECTOR",
        help="Label selector, kubectl's grammar: KEY=VALUE, KEY==VALUE, KEY!=VALUE, 'KEY in (V1,V2)', "
        "'KEY notin (V1,V2)', KEY (has the label), !KEY (has it not); ',' joins requirements that must all "
        "hold, e.g. -l 'team=ml,env in (prod,staging)'. Checked before anything is sent.",
        show_default=False,
    ),
]

# -o of a command that applies objects: what was applied (kubectl apply's printers), and with
# --dry-run=client the manifests (kubectl create --dry-run=client -o; yaml for the default).
ApplyOutput = Annotated[str, output_option(APPLY_FORMATS, "what was applied; --dry-run=client: the manifests")]

DryRunOutput = Annotated[
    str, output_option(DRY_RUN_FORMATS, "what --dry-run prints; name: only the kind/NAME of what it changes")
]

# -o of a delete: kubectl delete's -o name (output.DELETE_FORMATS); without it, kubectl's lines.
DeleteOutput = Annotated[str | None, output_option(DELETE_FORMATS, "each deleted object as kind.group/name")]

# kubectl delete's --ignore-not-found, default false (upstream: kubernetes/kubectl
# pkg/cmd/delete/delete_flags.go, "Treat \"resource not found\" as a successful delete"); on
# every delete command (tests/foundation/test_grammar.py), applied by errors.absent_is_done.
# kubectl's default of true with -l/--all unless the flag is typed: delete_many.ignores_not_found,
# and the help of the deletes that take them says it, as kubectl's does ('Defaults to "true" when
# --all is specified.', delete_flags.go AddFlags).
IGNORE_NOT_FOUND_HELP = 'Treat "not found" as a successful delete: exit 0, print nothing (kubectl\'s flag).'
IgnoreNotFound = Annotated[bool, typer.Option("--ignore-not-found", help=IGNORE_NOT_FOUND_HELP)]
IgnoreNotFoundSelecting = Annotated[
    bool,
    typer.Option(
        "--ignore-not-found",
        help=IGNORE_NOT_FOUND_HELP + " With -l or --all it is on unless given =false, as in kubectl.",
    ),
]

DryRun = Annotated[
    str,
    typer.Option(
        "--dry-run",
        metavar="[=MODE]",
        help=DRY_RUN_HELP,
        callback=options.check_dry_run,
        autocompletion=completers.dry_run_modes,
    ),
]

# On every command that changes something, a no-op where it has nothing to ask, so that a
# script can pass -y to any change (tests/foundation/test_grammar.py holds the tree to it).
Yes = Annotated[bool, typer.Option("-y", "--yes", help="Answer yes to confirmations, if any (for scripts).")]

Wait = Annotated[
    bool,
    typer.Option(
        "--wait/--no-wait", help="Wait until the objects are ready, or return at once (defaults: docs/grammar.md)."
    ),
]

Timeout = Annotated[
    str,
    timeout_option(
        "How long --wait waits, e.g. 90s, 10m, 1h; 0 checks once and does not wait, and a negative duration "
        "(-1s) waits a week, as kubectl wait.",
        kubectl_wait=True,
    ),
]

# kubectl delete's --wait=true: a Kubernetes delete returns once its objects are gone, finalizers
# included (upstream: kubernetes/kubectl pkg/cmd/delete/delete.go DeleteResult); --no-wait is the
# ARM deletes' other half (azopts.NoWait), so every delete says --wait/--no-wait the same way.
DeleteWait = Annotated[
    bool,
    typer.Option(
        "--wait/--no-wait",
        help="Wait until the deleted objects are gone, finalizers included (the default, as kubectl delete), "
        "or return once the API server accepted the delete.",
    ),
]

DeleteTimeout = Annotated[
    str,
    timeout_option("How long --wait waits for the objects to be gone, e.g. 90s, 10m; 0 waits a week (kubectl's 0s)."),
]

RequestTimeout = Annotated[
    str | None,
    typer.Option(
        "--request-timeout",
        metavar="DURATION",
        help="How long one API request may take, its retries included, and a followed log stream or -w watch, "
        "as kubectl's: e.g. 10s, 1.5s, 500ms, 1m30s; 0 or a negative duration (-1s): no timeout, and -1s "
        "is still sent on, so the API server bounds the request by its own limit (default: 30s each try).",
        show_default=False,
    ),
]

ForceConflicts = Annotated[
    bool, typer.Option("--force-conflicts", help="Take ownership of fields another field manager owns.")
]

Prune = Annotated[
    bool,
    typer.Option(
        "--prune",
        help="Delete objects of this stack that are no longer rendered: in the namespaces of the objects "
        "rendered, and cluster-scoped ones labelled with the stack's namespace (akscli.io/stack-namespace). "
        "Never one Fleet placed on this member.",
    ),
]

Parallel = Annotated[
    int,
    typer.Option(
        "--parallel", metavar="N", help="How many objects of one ordering tier are applied at once.", min=1, max=64
    ),
]


# The options a KubeFlags block may hold: flag name -> (parameter name, option). The parameter
# of --context is ``kube_context``: some commands have a --context of their own (model plan).
KUBE_OPTIONS: dict[str, tuple[str, Any]] = {
    "namespace": ("namespace", Namespace),
    "kubeconfig": ("kubeconfig", Kubeconfig),
    "context": ("kube_context", Context),
    "request_timeout": ("request_timeout", RequestTimeout),
}


def on_kube(*names: str, into: str = "cluster") -> Callable[[Callable[..., None]], Callable[..., None]]:
    """A decorator: the options ``names`` of KUBE_OPTIONS (default --kubeconfig, --context and
    --request-timeout, kubectl's connection flags: k8s.io/cli-runtime
    pkg/genericclioptions/config_flags.go ConfigFlags.AddFlags registers them together), in that
    order, in place of the command's ``into: KubeFlags`` parameter."""
    chosen = names or ("kubeconfig", "context", "request_timeout")
    return options.flag_block(dict(KUBE_OPTIONS[name] for name in chosen), into, options.kube_flags)


# The flags of a delete (options.DeleteFlags), in the order most deletes list them; the parameter
# of -o is ``output_``, of --no-wait/--wait (the ARM deletes) ``no_wait``.
DELETE_ORDER = ("yes", "dry_run", "output_", "ignore_not_found", "wait", "timeout")


def on_delete(
    order: Sequence[str] = DELETE_ORDER,
    *,
    wait: tuple[str, Any, bool] = ("wait", DeleteWait, True),
    timeout: tuple[Any, str | None] = (DeleteTimeout, "5m"),
    before: Mapping[str, str] | None = None,
    into: str = "delete",
    selects: bool = False,
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """A decorator: a delete's -y, --dry-run, -o, --ignore-not-found, its wait flag and --timeout,
    in ``order`` (``wait``'s parameter name in its place), in place of the command's ``into:
    options.DeleteFlags`` parameter. ``wait``: the parameter name, option and default of the wait
    flag (kubectl delete's --wait/--no-wait, or an ARM delete's --no-wait/--wait); ``timeout``:
    the --timeout option and its default; ``before``: as options.flag_block's (-y listed before
    the Azure flags, as `fleet delete` lists it); ``selects``: the command takes -l and --all, so
    --ignore-not-found's help says it is their default."""
    wait_name, wait_type, wait_default = wait
    types: dict[str, Any] = {
        "yes": Yes,
        "dry_run": DryRun,
        "output_": DeleteOutput,
        "ignore_not_found": IgnoreNotFoundSelecting if selects else IgnoreNotFound,
        wait_name: wait_type,
        "timeout": timeout[0],
    }
    defaults = {
        "yes": False,
        "dry_run": "none",
        "ignore_not_found": False,
        wait_name: wait_default,
        "timeout": timeout[1],
    }
    chosen = {name: types[name] for name in order}
    return options.flag_block(chosen, into, options.delete_flags, defaults=defaults, before=before)
