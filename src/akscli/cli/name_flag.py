"""`akscli cluster show -n ml -g rg`: az names the resource a command acts on with -n/--name
(upstream: Azure/azure-cli 00217f51 src/azure-cli-core/azure/cli/core/commands/parameters.py
name_type, options_list ('--name', '-n'), which az aks, az fleet and az aks nodepool use:
0088c878 src/azure-cli/azure/cli/command_modules/acs/_params.py). akscli follows kubectl's
grammar (docs/grammar.md): the resource is a positional NAME and -n is the namespace. Where a
command takes a NAME argument and has no such flag, click's `No such option: -n` becomes one line
that says so, with the line written akscli's way as the hint."""

from collections.abc import Sequence
from typing import Any

from akscli.errors import UsageError

NAME_FLAGS = ("-n", "--name")


def _quoted(words: Sequence[str]) -> str:
    """``words`` as a shell line. shlex is imported here: only these error hints quote words
    (shlex compiles a pattern at import: about 0.1 ms)."""
    import shlex

    return shlex.join(words)


def refusal(ctx: Any, option: str | None, args: Sequence[str], prog: str) -> UsageError | None:
    """The usage error for -n/--name given to a command ``ctx`` whose resource is its NAME
    argument, or for -n/--namespace given to one that works in no namespace; None where neither
    is the case (the caller reports click's own error)."""
    if ctx is None or option not in (*NAME_FLAGS, "--namespace"):
        return None
    if not any(getattr(p, "param_type_name", "") == "argument" and p.name == "name" for p in ctx.command.params):
        return no_namespace(ctx, option, args, prog) if option in ("-n", "--namespace") else None
    if option not in NAME_FLAGS:
        return None
    depth, parent = 0, ctx.parent
    while parent is not None:
        depth, parent = depth + 1, parent.parent
    value, words = _flag_value(args, option)
    if value is None or (len(words) > depth and not words[depth].startswith("-")):
        return None  # the NAME was given as well: not a name written az's way
    fixed = f"{prog} {_quoted([*words[:depth], value, *words[depth:]])}"
    why = "az's flag; in akscli, as in kubectl, -n is the namespace" if option == "-n" else "az's flag"
    return UsageError(f"'{ctx.command_path}' takes the name as its argument, not {option} ({why})", hint=fixed)


def no_namespace(ctx: Any, option: str, args: Sequence[str], prog: str) -> UsageError | None:
    """-n/--namespace after a command that has none (``doctor -n ml``, ``cluster list -n x``): one
    line saying the command works in no namespace, and the line without it as the hint. kubectl
    takes -n on every command (a persistent flag of its root: kubernetes/kubectl dee3483a
    pkg/cmd/cmd.go) and a command without namespaced objects ignores it, as akscli ignores a -n
    given before the command (options.leading_connection_flags_last); after it, the user asked
    this command for a namespace, so it is said, not dropped."""
    words = _without(args, option)
    if words is None:
        return None
    return UsageError(
        f"'{ctx.command_path}' works in no namespace: it takes no {option} (in akscli, as in kubectl, "
        "-n is the namespace of the objects a command reads or writes)",
        hint=f"{prog} {_quoted(words)}",
    )


# The kubeconfig flags of the commands that reach a Kubernetes cluster (akscli.cli.options).
KUBECONFIG_FLAGS = ("--context", "--kubeconfig", "--request-timeout")


def no_kubeconfig(ctx: Any, option: str | None, args: Sequence[str], prog: str) -> UsageError | None:
    """--context, --kubeconfig or --request-timeout after a command that reaches no Kubernetes
    cluster (``cluster list --context prod``, ``model plan phi-4 --context x``): one line saying
    so, what it reads instead, and the line without the flag as the hint, as no_namespace says it
    for -n (click's `No such option: --context` named no fix, or offered ``--max-context``)."""
    if ctx is None or option not in KUBECONFIG_FLAGS:
        return None
    words = _without(args, option)
    if words is None:
        return None
    return _reaches_no_cluster(ctx, option, words, prog)


def _reaches_no_cluster(ctx: Any, option: str, words: Sequence[str], prog: str) -> UsageError:
    flags = {o for p in ctx.command.params for o in getattr(p, "opts", ())}
    if "--fleet" in flags and option in flags:
        # A fleet command with a hub path and an ARM one, given --fleet (cli/fleet/common.py
        # refuse_hub_flags_on_arm): the hint drops every hub flag given, not only the first.
        for other in KUBECONFIG_FLAGS:
            words = _without(words, other) or words
        return UsageError(
            f"'{ctx.command_path}' with --fleet acts through Azure Resource Manager and reaches no Kubernetes "
            f"cluster, so it takes no {option} (without --fleet it acts on the hub that --context names)",
            hint=f"{prog} {_quoted(words)}",
        )
    arm = any(getattr(p, "name", "") == "subscription" for p in ctx.command.params)
    reads = " (it reads Azure Resource Manager: --subscription picks the subscription)" if arm else ""
    return UsageError(
        f"'{ctx.command_path}' reaches no Kubernetes cluster, so it takes no {option}{reads}",
        hint=f"{prog} {_quoted(words)}",
    )


ALL_NAMESPACES_FLAGS = ("-A", "--all-namespaces")


def no_all_namespaces(ctx: Any, option: str | None, args: Sequence[str], prog: str) -> UsageError | None:
    """-A/--all-namespaces after a command that has none (``gpu usage -A``, ``cluster list -A``,
    ``doctor -A``): one line saying why the command has no all-namespaces reading, with the line
    without the flag as the hint, as no_namespace and no_kubeconfig say it for -n and --context.
    kubectl's -A belongs to ``get`` and the commands that list (kubernetes/kubectl dee3483a
    pkg/cmd/get/get.go, ``--all-namespaces``), and means: list the namespaced kind across every
    namespace, with a NAMESPACE column."""
    if ctx is None or option not in ALL_NAMESPACES_FLAGS:
        return None
    words = list(args)
    if option not in words or ("--" in words and words.index("--") < words.index(option)):
        return None
    del words[words.index(option)]
    from akscli.cli.options import reads_every_namespace_declared

    flags = {o for p in ctx.command.params for o in getattr(p, "opts", ())}
    if reads_every_namespace_declared(ctx.command):
        why = "reads every namespace already (-n keeps one)"
    elif "--context" not in flags:
        return _reaches_no_cluster(ctx, option, words, prog)
    elif "--namespace" in flags:
        why = "acts in one namespace (-n picks it)"
    else:
        why = "works in no namespace"
    return UsageError(
        f"'{ctx.command_path}' {why}: it takes no {option} (in akscli, as in kubectl, -A lists the objects "
        "of every namespace)",
        hint=f"{prog} {_quoted(words)}",
    )


SELECT_FLAGS = ("-l", "--selector", "--all")


def by_name_only(ctx: Any, option: str | None, args: Sequence[str], prog: str) -> UsageError | None:
    """-l/--selector or --all after a delete declared to choose by NAME only
    (options.chooses_by_name): one line with the command's reason and the NAME... line as the hint,
    rather than click's ``No such option: -l``."""
    if ctx is None or option not in SELECT_FLAGS:
        return None
    whys = getattr(getattr(ctx.command, "callback", None), "akscli_chooses_by_name", None)
    why = whys.get(option) if isinstance(whys, dict) else None
    if not isinstance(why, str):
        return None
    return UsageError(
        f"'{ctx.command_path}' takes no {option}: {why}",
        hint=f"name them: {ctx.command_path} NAME [NAME...]",
    )


def _without(args: Sequence[str], option: str) -> list[str] | None:
    """``args`` without ``option`` and its value; None where it is not there (or only after --)."""
    words = list(args)
    for index, word in enumerate(words):
        if word == "--":
            return None
        if word == option and index + 1 < len(words):
            del words[index : index + 2]
            return words
        if word.startswith(option + "=") or (option == "-n" and word.startswith("-n") and not word.startswith("--")):
            del words[index]
            return words
    return None


def revision_argument(ctx: Any, message: str, args: Sequence[str], prog: str) -> UsageError | None:
    """``akscli model rollback phi-4 1``: helm takes the revision as an argument (helm/helm 0e32b3ac
    pkg/cmd/rollback.go, ``rollback <RELEASE> [REVISION]``); akscli, as ``kubectl rollout undo``,
    as --to-revision (kubernetes/kubectl 5be1f71c pkg/cmd/rollout/rollout_undo.go). click's `Got unexpected
    extra argument (1)` becomes one line saying so, with the line written akscli's way as the hint.
    None for another command or another extra argument."""
    if ctx is None or not any(getattr(p, "name", "") == "to_revision" for p in ctx.command.params):
        return None
    extra = message.rpartition("(")[2].rstrip(")")
    if not message.startswith("Got unexpected extra argument") or not extra.isdigit() or extra not in args:
        return None
    words = list(args)
    at = len(words) - 1 - words[::-1].index(extra)
    words[at : at + 1] = ["--to-revision", extra]
    return UsageError(
        f"'{ctx.command_path}' takes the revision as --to-revision, not as an argument (helm's grammar)",
        hint=f"{prog} {_quoted(words)}",
    )


# The commands whose first argument is the Ray cluster they act on (their help: "Ray cluster").
RAY_CLUSTER_ARGUMENT = frozenset(
    {
        ("ray", "cluster", "create"),
        ("ray", "cluster", "delete"),
        ("ray", "cluster", "logs"),
        ("ray", "cluster", "nodes"),
        ("ray", "cluster", "scale"),
        ("ray", "cluster", "status"),
        ("ray", "dashboard"),
        ("ray", "workergroup", "add"),
        ("ray", "workergroup", "list"),
    }
)
# upstream: ray-project/kuberay f789988b kubectl-plugin/pkg/cmd/create/create_workergroup.go and
# kubectl-plugin/pkg/cmd/get/get_nodes.go, get_workergroup.go: `--ray-cluster`, shorthand `-c`,
# names the Ray cluster; akscli's `ray job submit --cluster` does too.
RAY_CLUSTER_FLAGS = {
    "--cluster": "ray job submit's flag",
    "--ray-cluster": "kubectl ray's flag",
    "-c": "kubectl ray's flag",
}


def ray_cluster_flag(ctx: Any, option: str | None, args: Sequence[str], prog: str) -> UsageError | None:
    """``ray workergroup add cpu --cluster rc`` (or kubectl ray's ``--ray-cluster rc``, ``-c rc``):
    the command takes the Ray cluster as its first argument, so the line says that, with the line
    written akscli's way as the hint; kubectl_flags' refusal of kubectl's --cluster named a
    kubeconfig context instead. None for another command, another flag, or where every argument
    was given as well (the flag then means something else)."""
    if ctx is None or option not in RAY_CLUSTER_FLAGS:
        return None
    names: list[str] = []
    parent = ctx
    while parent.parent is not None:
        names.insert(0, parent.info_name)
        parent = parent.parent
    if tuple(names) not in RAY_CLUSTER_ARGUMENT:
        return None
    depth = len(names)
    value, words = _flag_value(args, option)
    arguments = [p for p in ctx.command.params if p.param_type_name == "argument"]
    if not value or _positionals(ctx, words[depth:]) >= len(arguments):
        return None
    fixed = f"{prog} {_quoted([*words[:depth], value, *words[depth:]])}"
    return UsageError(
        f"'{ctx.command_path}' takes the Ray cluster as its argument {arguments[0].human_readable_name}, "
        f"not {option} ({RAY_CLUSTER_FLAGS[option]})",
        hint=fixed,
    )


def _flag_value(args: Sequence[str], option: str) -> tuple[str | None, list[str]]:
    """The value given to ``option`` (``--name x``, ``--name=x``; a short one also ``-cx``) and
    ``args`` without the two; None and ``args`` where it is not there (or only after --)."""
    words = list(args)
    for index, word in enumerate(words):
        if word == "--":
            break
        if word == option and index + 1 < len(words):
            return words[index + 1], [*words[:index], *words[index + 2 :]]
        if word.startswith(option + "=") or (
            not option.startswith("--") and word.startswith(option) and word != option
        ):
            return word[len(option) :].removeprefix("="), [*words[:index], *words[index + 1 :]]
    return None, words


def _positionals(ctx: Any, words: Sequence[str]) -> int:
    """How many of ``words`` (what follows the command's name) are arguments, not options or
    their values."""
    takes_value = {o for p in ctx.command.params if p.param_type_name == "option" and not p.is_flag for o in p.opts}
    count, skip = 0, False
    for word in words:
        if skip:
            skip = False
        elif word == "--":
            break
        elif word.startswith("-") and word != "-":
            skip = word in takes_value
        else:
            count += 1
    return count
