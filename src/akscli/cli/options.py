"""The shared options' parts: the -o, -n and --timeout options each command words for itself,
the checks of their values, the flag blocks (``flag_block``, ``KubeFlags``) and the helpers that
turn typed flags into the targets the logic modules take.

The options every command reuses verbatim (``namespace: flag_types.Namespace = None``) are in
akscli.cli.flag_types, which only the commands that name one import; a read command's -o
(``output_fmt: opts.Output = "table"``) is here, as `model catalog` has it.
"""

import functools
import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Annotated, Any

import typer

from akscli import validate
from akscli.cli import completers
from akscli.cli.leading_flags import DRY_RUN_FLAG as DRY_RUN_FLAG
from akscli.cli.leading_flags import DRY_RUN_MODES as DRY_RUN_MODES
from akscli.cli.leading_flags import bare_dry_run as bare_dry_run
from akscli.errors import UsageError
from akscli.output import (
    LIST_FORMATS,
    MANIFEST_FORMATS,
    check_format,
    shown_formats,
)
from akscli.records import Record

if TYPE_CHECKING:
    from akscli.kube.client import Kube, KubeTarget
    from akscli.resource_type import ResourceType


def namespace_option(help_text: str) -> Any:
    """-n/--namespace, kubectl's meaning; ``help_text`` says what leaving it out means."""
    return typer.Option(
        "-n", "--namespace", metavar="NAME", help=help_text, show_default=False, autocompletion=completers.namespaces
    )


def label_selector(selector: str | None, *, within: str | None = None) -> str | None:
    """-l's value, checked before anything is sent (validate.label_selector), for the server to
    apply to the list (``labelSelector``, on every page of it); ``within``: the selector the
    command lists by already (``akscli.io/model``), to which -l adds its requirements, as a
    selector's comma is AND (kubernetes/apimachinery pkg/labels/selector.go Parse)."""
    if selector is None:
        return within
    checked = validate.label_selector(selector)
    if not checked:  # a blank -l selects everything (kubectl: cli-runtime builder.go LabelSelectorParam)
        return within
    return f"{within},{checked}" if within else checked


def refuse_selector(selector: str | None, listed: str, hint: str) -> None:
    """-l on a list of what is no Kubernetes object (Azure resources): one line, before anything
    is read or sent, rather than a filter silently not applied."""
    if selector is not None:
        raise UsageError(
            f"-l/--selector selects Kubernetes objects by label; {listed} are not Kubernetes objects", hint=hint
        )


# The attribute a command's function carries when it lists what is no Kubernetes object
# (lists_no_kubernetes_objects); typer copies it onto the click command's callback
# (functools.update_wrapper in typer/main.py get_callback), where cli/main.py reads it.
LISTS_NO_KUBERNETES_OBJECTS = "akscli_lists_no_kubernetes_objects"


def lists_no_kubernetes_objects(command: Callable[..., None]) -> Callable[..., None]:
    """Declares a list command whose items are no Kubernetes objects (Azure resources, akscli's
    records): given -l, it answers that -l selects Kubernetes objects by label, rather than
    click's plain ``No such option: -l`` (cli/main.py). Put it under ``@app.command(...)``."""
    setattr(command, LISTS_NO_KUBERNETES_OBJECTS, True)
    return command


# The attribute of a command that reads every namespace unless -n picks one (reads_every_namespace).
READS_EVERY_NAMESPACE = "akscli_reads_every_namespace"


def reads_every_namespace(command: Callable[..., None]) -> Callable[..., None]:
    """Declares a command that reads every namespace unless -n picks one (``gpu usage``): given
    -A, it answers that it does so already (cli/name_flag.py no_all_namespaces)."""
    setattr(command, READS_EVERY_NAMESPACE, True)
    return command


def reads_every_namespace_declared(command: Any) -> bool:
    """Whether a click command was declared with reads_every_namespace."""
    return bool(getattr(getattr(command, "callback", None), READS_EVERY_NAMESPACE, False))


# The attribute of a delete that chooses by NAME only (chooses_by_name): why it takes no -l or
# --all, per flag.
CHOOSES_BY_NAME = "akscli_chooses_by_name"


def chooses_by_name(selector_why: str, all_why: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Declares a delete whose NAME... picks what no label selector can (``model delete``: a model
    is every object its deploy made): given -l/--selector it answers ``selector_why``, given --all
    ``all_why``, rather than click's plain ``No such option: -l`` (cli/name_flag.py by_name_only)."""

    def declare(command: Callable[..., None]) -> Callable[..., None]:
        setattr(command, CHOOSES_BY_NAME, {"-l": selector_why, "--selector": selector_why, "--all": all_why})
        return command

    return declare


def lists_no_kubernetes_objects_declared(command: Any) -> bool:
    """Whether a click command was declared with lists_no_kubernetes_objects."""
    return bool(getattr(getattr(command, "callback", None), LISTS_NO_KUBERNETES_OBJECTS, False))


def output_option(formats: Sequence[str], note: str = "", *, accept: Sequence[str] = ()) -> Any:
    """-o/--output listing the formats the command prints (output.LIST_FORMATS and the like;
    ``jsonpath=`` and ``custom-columns=`` where the command applies them). The value is checked
    against ``formats`` (and ``accept``: formats the ``note`` names for one mode of the command)
    as the flags are parsed, before the command runs: ``-o bogus`` renders and sends nothing."""
    allowed = (*formats, *(f for f in accept if f not in formats))
    help_text = "Output format: " + shown_formats(formats) + (f" ({note})" if note else "") + "."

    def check(ctx: Any, _param: Any, value: str | None) -> str | None:
        if value is None or getattr(ctx, "resilient_parsing", False):
            return value
        try:
            return check_format(value, allowed)
        except UsageError as exc:
            if not accept or not exc.message.startswith("unknown output format"):
                raise
        # A format no mode prints: the hint names the command's own formats (and az's word, as
        # check_format does), then the note's: render's `-o xml` listed table|wide|custom-columns,
        # which only its --list and --help-values take.
        try:
            check_format(value, formats)
        except UsageError as exc:
            raise UsageError(exc.message, hint=f"{exc.hint} ({note})" if note else exc.hint) from None
        return check_format(value, allowed)

    check.akscli_formats = allowed  # type: ignore[attr-defined]  # docgen's fast-path spec (akscli.cli.fast_spec)
    return typer.Option(
        "-o", "--output", metavar="FORMAT", help=help_text, callback=check, autocompletion=completers.output_formats
    )


def type_name(
    kind: str,
    what: str,
    listing: str,
    *,
    also: Sequence[str] = (),
    resources: Sequence["ResourceType"] = (),
    check: Callable[[str], str] | None = None,
) -> Callable[[Any, Any, str | None], str | None]:
    """The callback of a NAME argument that also takes kubectl's TYPE/NAME form, ``KIND/NAME``: the
    line that the command group's ``-o name`` prints, so that a script hands it back as it is
    (upstream: kubernetes/cli-runtime 69e8693b pkg/resource/builder.go splitResourceTypeName: one
    slash, a type and a name). Another type names nothing of the group: one usage line, before
    anything is read. ``what`` is the name's description in errors, ``listing`` the command that
    lists the names (the hint); ``also``: other types its -o name prints (a NodePool's
    ``nodepool.karpenter.sh``); ``resources``: the Kubernetes resources the NAME may be, each taken
    by every TYPE kubectl takes for it (resource_type.ResourceType.named_by). The resource a TYPE
    named is left in ``ctx.meta`` (typed_resource) for a command whose scope it decides. ``check``:
    the name's own rule where it is one whatever the other flags say (an AKS cluster's ARM name),
    so that a bad NAME is refused before a flag the command needs is found missing (-g)."""

    def checked(ctx: Any, param: Any, value: str | None) -> str | None:
        if value is None or getattr(ctx, "resilient_parsing", False):
            return value
        if "/" not in value:
            return value if check is None else check(value)
        given, _, rest = value.partition("/")
        if rest and "/" not in rest:
            named: list[ResourceType | None] = [r for r in resources if r.named_by(given)]
            if named or given == kind or given in also:
                ctx.meta[_TYPED + str(getattr(param, "name", ""))] = (given, named[0] if named else None)
                return rest if check is None else check(rest)
        raise UsageError(
            f"invalid {what} {value!r}: give NAME or {kind}/NAME, as {listing.partition(' ')[2]} -o name prints it",
            hint=f"list them with: {listing} -o name",
        )

    return checked


_TYPED = "akscli.typed."


def typed_resource(param: str = "name") -> "tuple[str, ResourceType | None] | None":
    """The TYPE that the NAME argument ``param`` was given with, and the resource of type_name's
    ``resources`` it named (None for the group's own ``kind`` and ``also``); None for a bare NAME."""
    from typer._click.globals import get_current_context

    ctx = get_current_context(silent=True)
    found = ctx.meta.get(_TYPED + param) if ctx is not None else None
    return found if isinstance(found, tuple) else None


def keep_typed(ctx: Any, param: Any) -> None:
    """After type_name's check of one of several names (NAME...): what its TYPE was (or None for a
    bare NAME), kept in order, so that every name's TYPE is checked (typed_resources), not only
    the last one's, which typed_resource gives."""
    key = _TYPED + str(getattr(param, "name", ""))
    kept = ctx.meta.setdefault(key + ".each", [])
    kept.append(ctx.meta.pop(key, None))
    if kept[-1] is not None:
        ctx.meta[key] = kept[-1]


def typed_resources(param: str = "names") -> "list[tuple[str, ResourceType | None] | None]":
    """Each TYPE the NAME... argument ``param`` was given with (keep_typed), one per name, in
    order: None for a bare NAME; an empty list where the command took no NAME...."""
    from typer._click.globals import get_current_context

    ctx = get_current_context(silent=True)
    kept = ctx.meta.get(_TYPED + param + ".each", []) if ctx is not None else []
    return [typed if isinstance(typed, tuple) else None for typed in kept]


# -o of a read command: built here, not with the other shared options (akscli.cli.flag_types), as
# the one `model catalog` has (about 0.15 M instructions; flag_types' twenty are 3 M).
Output = Annotated[str, output_option(LIST_FORMATS)]
# Commands that show one object accept the same formats as lists (wide is the table, name is
# kind/name), so `-o name` works on every read command.
ObjectOutput = Output
# -o of a changing command that prints nothing else: the format of what --dry-run prints; -o name
# also makes the real run print only the kind/NAME of each object it changed (kubectl patch -o name).
DRY_RUN_FORMATS = MANIFEST_FORMATS
DRY_RUN_HELP = (
    "--dry-run[=none|client|server]; bare --dry-run means client. "
    "client: render and validate, print what would be sent, touch nothing; "
    "server: the server's plan (Kubernetes only); none: make the change."
)


def check_dry_run(ctx: Any, _param: Any, value: str | None) -> str | None:
    """--dry-run's MODE, checked as the flags are parsed (as -o is): a command that reads or
    signs in before it acts never does so for a mode it would refuse."""
    if value is None or getattr(ctx, "resilient_parsing", False):
        return value
    return dry_run_mode(value)


def timeout_option(help_text: str, *, kubectl_wait: bool = False) -> Any:
    """--timeout on a command that always waits (no --wait): ``help_text`` says what it bounds,
    so that the help names no flag the command lacks (tests/foundation/test_grammar.py).
    ``kubectl_wait``: the --timeout of a --wait, read as kubectl wait's (validate.wait_timeout)."""

    def check(ctx: Any, _param: Any, value: str | None) -> str | None:
        # Checked as the flags are parsed (as -o is): a bad --timeout stops the command before
        # it reads its cluster, not after it has applied and is about to wait.
        if value is None or getattr(ctx, "resilient_parsing", False):
            return value
        if kubectl_wait:
            return validate.wait_timeout(value)
        validate.duration(value, "--timeout")
        return value

    return typer.Option("--timeout", metavar="DURATION", help=help_text, callback=check)


def delete_wait(wait: bool, timeout: str) -> float | None:
    """--wait and --timeout of a delete as common.delete_objects takes them (None: --no-wait);
    the duration is checked before anything is read or sent."""
    seconds = validate.duration(timeout, "--timeout")
    return seconds if wait else None


# akscli.kube.apply.DEFAULT_PARALLEL, repeated so that parsing flags does not import the apply
# engine (a test holds the two equal)
DEFAULT_PARALLEL = 16


def output_format(value: str, allowed: tuple[str, ...] = LIST_FORMATS) -> str:
    return check_format(value, allowed)


def dry_run_mode(value: str) -> str:
    # Exact spelling, as kubectl: "--dry-run=CLIENT" is refused there (k8s.io/kubectl
    # pkg/cmd/util/helpers.go, GetDryRunStrategy), so a script is never akscli-only.
    return validate.choice(value, DRY_RUN_MODES, "--dry-run value", case_sensitive=True)


def name_across_namespaces(ctx: Any) -> UsageError | None:
    """A NAME argument with -A (``model top phi-4 -A``, ``ray cluster nodes rc -A``,
    ``ray workergroup list rc -A``; the NAME... of a delete, ``ray cluster delete a b -A``), read
    from the parsed ``ctx`` of any command that takes both:
    kubectl refuses it, since a name picks one object of one namespace (upstream: kubernetes/
    kubernetes staging/src/k8s.io/cli-runtime/pkg/resource/builder.go visitByName, with
    allNamespace: "a resource cannot be retrieved by name across all namespaces"). None where
    the command was not given both. A delete of a cluster-scoped kind names its -A
    ``all_namespaces_ignored`` (delete_many.AllNamespacesIgnored): kubectl takes names with it
    there. Here, not in cli/name_flag.py with the other refusals of
    a flag: every command runs this check, and `model plan` loads no other part of that module."""
    if ctx.resilient_parsing or not ctx.params.get("all_namespaces"):
        return None
    for param in ctx.command.params:
        value = ctx.params.get(param.name) if param.param_type_name == "argument" else None
        words = value if isinstance(value, list) else [value] if isinstance(value, str) else []
        if words and all(words) and not _cluster_scoped_types(ctx, param.name, len(words)):
            import shlex  # here: only this refusal's hint quotes a word (shlex compiles a pattern as it loads)

            path = ctx.command_path
            hint = f"{path} {shlex.join(words)} -n NAMESPACE reads it in one namespace; {path} -A reads every namespace"
            if isinstance(value, list):  # NAME... (the deletes): -A goes with -l or --all
                hint = (
                    f"{path} {shlex.join(words)} -n NAMESPACE deletes them in one namespace; "
                    f"{path} -l SELECTOR -A deletes in every namespace"
                )
            return UsageError(
                f"a resource cannot be retrieved by name across all namespaces ('{path}' given "
                f"{param.human_readable_name} {' '.join(words)} and -A)",
                hint=hint,
            )
    return None


def _cluster_scoped_types(ctx: Any, param: str, count: int) -> bool:
    """Whether each of the ``count`` names of the NAME... argument ``param`` was given with the TYPE
    of a cluster-scoped kind (``fleet placement delete clusterresourceplacement/a -A``): kubectl
    reads such a name with no namespace and ignores -A (cli-runtime builder.go visitByName: the
    refusal is reached by a namespaced mapping only). A bare name is refused still: the fleet
    deletes' -A spans both kinds of their pair, so a bare name does not say which it is."""
    kept = ctx.meta.get(_TYPED + param + ".each") or []
    return len(kept) == count and all(
        isinstance(typed, tuple) and typed[1] is not None and not typed[1].namespaced for typed in kept
    )


def split_shorthand_values(argv: list[str], takes_value: frozenset[str]) -> list[str]:
    """kubectl's flag parser reads ``-o=json`` as ``-o json`` (spf13/pflag flag.go,
    parseSingleShortArg: "'-f=arg'"); Click would read the value as ``=json``. So ``-X=VALUE``
    becomes ``-X VALUE`` for each short option in ``takes_value``; words after ``--`` are left
    alone."""
    out: list[str] = []
    for index, word in enumerate(argv):
        if word == "--":
            return out + argv[index:]
        if len(word) > 2 and word[2] == "=" and word[:2] in takes_value:
            out += [word[:2], word[3:]]
        else:
            out.append(word)
    return out


# Where a command's context keeps the names of the single boolean flags it was given false
# (``--expose=false``), which bool_flag_values takes out before Click parses: ctx.meta[TURNED_OFF].
TURNED_OFF = "akscli.turned_off"


class BoolFlag:
    """One name of a command's boolean flag, as ``bool_flag_values`` reads ``NAME=VALUE``.

    A plain class: every command reads its flags through it, and nothing copies, compares or
    unpacks one, which is all a NamedTuple would add for its 0.1 ms of start-up (its ``__new__``
    is compiled as its class is made)."""

    __slots__ = ("names", "off")

    def __init__(self, names: frozenset[str], off: str | None) -> None:
        self.names = names  # every name of the flag, both halves of a pair (--wait, --no-wait)
        self.off = off  # the word that means false: a pair's other half; None for a single flag


def bool_flag_values(
    argv: list[str],
    flags: Mapping[str, BoolFlag],
    value_flags: frozenset[str],
    *,
    lenient: bool = False,
    turned_off: set[str] | None = None,
) -> list[str]:
    """kubectl's bool flags take a value after ``=`` (``--wait=false``, ``-A=true``; upstream:
    spf13/pflag 01748d8 flag.go parseLongArg and parseSingleShortArg, bool.go: NoOptDefVal
    "true", the value read by strconv.ParseBool); Click's flags take none. So ``NAME=VALUE``
    of each flag in ``flags`` becomes NAME when VALUE is true; when false, the pair's other half
    (``--no-wait``) or, for a single flag, nothing, with the flag given before it taken back (the
    last one wins, as in pflag). Any other VALUE is a usage error, unless ``lenient`` (shell
    completion reads the words typed so far) drops the word. A space-separated value is not the
    flag's (``--wait false`` leaves ``false`` a positional, as pflag does). Words after ``--``
    and the value of an option in ``value_flags`` (``--set --wait=true``, ``--set -y``) are left
    alone, and a flag taken back is never such a value: pflag gives an option that takes a value
    the next word whatever it looks like (flag.go parseLongArg/parseSingleShortArg: ``a = a[1:]``),
    and every such akscli option takes one word (Click ``nargs`` 1). ``turned_off`` collects
    the single flags given false and not given again after (``--expose=false``): Click sees
    nothing of them, and `model deploy --reuse-values` must tell them from flags not given."""
    out: list[tuple[str, bool]] = []  # each word, and whether it is the value of an option
    off: list[BoolFlag] = []  # the single flags given false
    tail: list[str] = []
    for index, word in enumerate(argv):
        if index and argv[index - 1] in value_flags and not out[-1][1]:
            out.append((word, True))  # even "--": pflag and Click both take it as the value
            continue
        if word == "--":
            tail = argv[index:]
            break
        name, eq, value = word.partition("=")
        flag = flags.get(name) if eq else None
        if flag is None:
            out.append((word, False))
        elif value not in validate.GO_BOOLS and lenient:
            continue
        elif validate.go_bool(value, name):
            out.append((name, False))
        elif flag.off is not None:
            out.append((flag.off, False))
        else:
            out = [(w, is_value) for w, is_value in out if is_value or w not in flag.names]
            off.append(flag)
    if turned_off is not None:
        given = {w for w, is_value in out if not is_value}
        turned_off.update(n for flag in off if not flag.names & given for n in flag.names)
    return [w for w, _ in out] + tail


def connect(
    kubeconfig: str | None,
    context: str | None,
    namespace: str | None = None,
    request_timeout: str | None = None,
) -> "Kube":
    """A cluster connection from the shared options (imports the kubernetes client only here)."""
    from akscli.kube.connecting import connect as connect_target
    from akscli.kube.connecting import kube_target

    return connect_target(kube_target(kubeconfig, context, namespace, request_timeout))


class KubeFlags(Record):
    """Where a command works on a cluster: --kubeconfig, --context and, where the command has
    them, -n/--namespace and --request-timeout (``on_kube`` hands them over as one). A
    Record, not a NamedTuple or a dataclass: every command imports it (akscli.records says why)."""

    kubeconfig: str | None = None
    context: str | None = None
    namespace: str | None = None
    request_timeout: str | None = None

    def target(self) -> "KubeTarget":
        from akscli.kube.connecting import kube_target

        return kube_target(self.kubeconfig, self.context, self.namespace, self.request_timeout)

    def connect(self) -> "Kube":
        """A cluster connection (imports the kubernetes client only here)."""
        return connect(self.kubeconfig, self.context, self.namespace, self.request_timeout)

    def client_namespace(self) -> str:
        """Where a --dry-run=client renders, without connecting: -n, else the namespace of the
        context (--context, else the current one) in the kubeconfig, else ``default``, as kubectl
        create --dry-run=client resolves it (upstream: kubernetes/kubectl pkg/cmd/create/
        create_deployment.go Complete reads f.ToRawKubeConfigLoader().Namespace() whatever the
        dry-run strategy; kubernetes/client-go 32ce75a7 tools/clientcmd/client_config.go
        DirectClientConfig.Namespace: the override, else the context's, else "default")."""
        if self.namespace:
            return self.namespace
        from akscli.kube.connecting import context_namespace

        return context_namespace(self.target()) or "default"

    def connect_ns(self) -> "tuple[Kube, str]":
        """The connection and the namespace to work in (-n, else the context's)."""
        kube = self.connect()
        return kube, self.namespace or kube.namespace


def kube_flags(
    kubeconfig: str | None = None,
    kube_context: str | None = None,
    namespace: str | None = None,
    request_timeout: str | None = None,
) -> KubeFlags:
    if request_timeout:
        # checked before anything is read or sent, also where the command goes to ARM instead (--fleet)
        validate.request_timeout(request_timeout)
    if kube_context:
        from akscli.kube.connecting import check_context

        check_context(kubeconfig, kube_context)
    return KubeFlags(kubeconfig, kube_context, namespace, request_timeout)


class DeleteFlags(Record):
    """The flags every delete command has: -y, --dry-run, -o, --ignore-not-found, --wait/--no-wait
    and --timeout (flag_types.on_delete declares them, in each command's order, and hands them over
    as one). ``wait`` is false for --no-wait; ``timeout`` is None where the command leaves the
    default to its path (`fleet rollout delete`: the hub's 5m or ARM's 60m). ``ignore_not_found_typed``:
    --ignore-not-found was on the command line, true or false (pflag's Flag.Changed, which kubectl
    delete reads to default it to true with -l or --all: delete_many.ignores_not_found)."""

    yes: bool = False
    dry_run: str = "none"
    output: str | None = None
    ignore_not_found: bool = False
    wait: bool = True
    timeout: str | None = None
    ignore_not_found_typed: bool = False

    def wait_seconds(self, default: str) -> float | None:
        """--wait and --timeout (``default`` where none was given) as common.delete_objects takes
        them (delete_wait)."""
        return delete_wait(self.wait, self.timeout or default)


def delete_flags(
    yes: bool = False,
    dry_run: str = "none",
    output_: str | None = None,
    ignore_not_found: bool = False,
    wait: bool = True,
    no_wait: bool = False,
    timeout: str | None = None,
) -> DeleteFlags:
    """A DeleteFlags from the parsed flags: a command has --wait/--no-wait (``wait``) or, as the
    ARM deletes, --no-wait/--wait (``no_wait``); whether --ignore-not-found was typed is read
    from the running command's context (given, or given false: TURNED_OFF)."""
    from typer._click.core import ParameterSource
    from typer._click.globals import get_current_context

    ctx = get_current_context(silent=True)
    typed = ctx is not None and (
        ctx.get_parameter_source("ignore_not_found") is ParameterSource.COMMANDLINE
        or "--ignore-not-found" in (ctx.meta.get(TURNED_OFF) or ())
    )
    return DeleteFlags(yes, dry_run, output_, ignore_not_found, wait and not no_wait, timeout, typed)


def flag_block(
    options: Mapping[str, Any],
    into: str,
    build: Callable[..., Any],
    *,
    defaults: Mapping[str, Any] | None = None,
    before: Mapping[str, str] | None = None,
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """A decorator for a block of flags several commands share.

    Typer reads a command's options from its signature, so the decorated command's parameter
    named ``into`` is replaced, in place, by the ``options`` (name -> Annotated type); when the
    command runs, their values are handed to it as one ``into`` argument, ``build(**flags)``.
    ``before``: an option put just before another parameter of the command rather than with the
    rest (option name -> that parameter's name), where the help lists it there.
    """

    def decorate(command: Callable[..., None]) -> Callable[..., None]:
        signature = inspect.signature(command, eval_str=True)
        params: list[inspect.Parameter] = []
        for param in signature.parameters.values():
            if param.name != into:
                params.append(param)
                continue
            for name, annotation in options.items():
                default = (defaults or {}).get(name)
                params.append(inspect.Parameter(name, param.kind, annotation=annotation, default=default))
        for name, anchor in (before or {}).items():
            moved = next(p for p in params if p.name == name)
            params.remove(moved)
            params.insert(next(i for i, p in enumerate(params) if p.name == anchor), moved)

        @functools.wraps(command)
        def run(**values: Any) -> None:
            block = build(**{name: values.pop(name) for name in options})
            command(**values, **{into: block})

        # The block as docgen's fast-path spec records it (akscli.cli.fast_spec); typer copies it
        # onto the click command's callback (functools.update_wrapper in typer/main.py get_callback).
        run.akscli_block = (into, f"{build.__module__}:{build.__qualname__}", tuple(options))  # type: ignore[attr-defined]
        run.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
        run.__annotations__ = {p.name: p.annotation for p in params} | {"return": None}
        return run

    return decorate
