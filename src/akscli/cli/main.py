"""The root of the command tree, and the one place where errors become exit codes.

Groups and top-level commands are imported lazily from ``COMMANDS``: ``akscli --help`` and
``akscli GROUP --help`` import only the modules they show, never kubernetes or azure.
"""

import copy
import importlib
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import typer
from typer import _click as click
from typer.core import TyperGroup

from akscli import globals as global_flags
from akscli import logconfig
from akscli.cli import refused, run_common
from akscli.errors import EXIT_INTERRUPTED, AkscliError
from akscli.statuslines import as_invoked

if TYPE_CHECKING:
    from akscli.cli.options import BoolFlag

# name -> (module:attribute, one-line help). The attribute is a Typer app (a group) or a
# plain function (a single command).
COMMANDS: dict[str, tuple[str, str]] = {
    "cluster": ("akscli.cli.cluster:app", "AKS clusters through Azure Resource Manager."),
    "nodepool": ("akscli.cli.nodepool:app", "AKS node pools: GPU pools, MIG, taints, spot."),
    "baremetal": ("akscli.cli.baremetal:app", "AKS on bare metal and GPU/RDMA node readiness."),
    "ray": ("akscli.cli.ray:app", "Ray on Kubernetes through KubeRay: clusters, jobs, services."),
    "model": ("akscli.cli.model:app", "Model serving: catalog, plan, deploy, operate."),
    "fleet": ("akscli.cli.fleet:app", "Azure Kubernetes Fleet Manager: members, placement, rollouts."),
    "doctor": ("akscli.cli.ops:doctor", "Check a cluster for what akscli's command groups need."),
    "gpu": ("akscli.cli.ops:gpu_app", "GPU usage and the cost of idle GPUs."),
    "audit": ("akscli.cli.ops:audit_app", "The audit trail of changes made with akscli."),
    "policy": ("akscli.cli.ops:policy_app", "Policy guardrails for manifests."),
    "render": ("akscli.cli.render:render", "Render a template into manifests (for GitOps)."),
    "apply": ("akscli.cli.apply:apply", "Apply manifest files through akscli's plan, policy and audit."),
    "diff": ("akscli.cli.apply:diff", "What apply -f would change; exit 1 when something would (kubectl diff)."),
    "token": ("akscli.cli.token:token", "kubectl exec credential plugin for Entra ID sign-in."),
    "completion": ("akscli.cli.completion:completion", "Print a shell completion script."),
    "version": ("akscli.cli.version:version", "Show akscli, Python and SDK versions."),
}


def _load(entry: str) -> Any:
    module_name, _, attr = entry.partition(":")
    return getattr(importlib.import_module(module_name), attr)


def _to_click(name: str, target: Any) -> click.Command:
    if isinstance(target, typer.Typer):
        command = typer.main.get_command(target)
    else:
        single = typer.Typer(rich_markup_mode=None, add_completion=False)
        single.command(name)(target)
        command = typer.main.get_command(single)
    return _finish(command, name)


def _finish(command: click.Command, name: str) -> click.Command:
    command.name = name
    _name_metavars(command)
    _add_examples(command, name)
    _read_kubectl_values(command)
    _suggest_for(command, (name,))
    refused.wrap_callbacks(command)
    refused.wrap_invoke(command)
    return command


class UnknownCommand(click.exceptions.UsageError):
    """A group's refusal of a word that is no command of it, with the hint akscli.cli.suggest_for
    gives where az or kubectl users type that word (`cluster scale`: `nodepool scale`)."""

    def __init__(self, refused: click.exceptions.UsageError, hint: str) -> None:
        super().__init__(refused.message, refused.ctx)
        self.hint = hint


def _suggest_for(command: click.Command, path: tuple[str, ...]) -> None:
    """Each group of ``command`` refuses an unknown word with suggest_for's hint for it, when it
    has one (cobra's SuggestFor); every other refusal is the group's own."""
    children = getattr(command, "commands", None)
    if children is None:
        return
    for child_name, child in children.items():
        _suggest_for(child, (*path, child_name))
    resolve = command.resolve_command  # type: ignore[attr-defined]

    def resolve_suggesting(ctx: click.Context, args: list[str]) -> Any:
        try:
            return resolve(ctx, args)
        except click.exceptions.UsageError as exc:
            raise _suggested(exc, path, args) from None

    command.resolve_command = resolve_suggesting  # type: ignore[attr-defined]


def _suggested(exc: click.exceptions.UsageError, path: tuple[str, ...], args: list[str]) -> Exception:
    """``exc`` with suggest_for's hint for the word it refused (``args[0]``, the name a group
    resolves), or ``exc`` itself."""
    from akscli.cli.suggest_for import hint

    said = hint(path, args[0]) if args and not isinstance(exc, UnknownCommand) else None
    return exc if said is None else UnknownCommand(exc, said)


def _read_kubectl_values(command: click.Command) -> None:
    """Each command reads its flags' values as kubectl does: ``-o=json`` and ``-n=team-a``
    (options.split_shorthand_values), and ``--wait=false``, ``-A=true`` for each boolean flag
    (options.bool_flag_values). Both read the command's own Click parameters as it parses, so a
    new flag gets them, and a command that is built but not run (help, docgen) pays nothing."""
    children = getattr(command, "commands", None)
    parse = command.parse_args
    if children is not None:
        for child in children.values():
            _read_kubectl_values(child)

        def parse_group_args(ctx: click.Context, args: list[str]) -> list[str]:
            # Only the group's own words, before its subcommand's name: the subcommand reads its
            # own (a value of one of its options may look like a flag: --set --help=false).
            from akscli.cli.options import bool_flag_values

            value_flags, flags = _flag_kinds(command, ctx)
            end = _subcommand_at(args, value_flags)
            own = bool_flag_values(args[:end], flags, value_flags, lenient=ctx.resilient_parsing)
            return parse(ctx, own + args[end:])

        command.parse_args = parse_group_args  # type: ignore[method-assign]
        return

    def parse_args(ctx: click.Context, args: list[str]) -> list[str]:
        from akscli.cli.options import TURNED_OFF, bool_flag_values, name_across_namespaces, split_shorthand_values

        value_flags, flags = _flag_kinds(command, ctx)
        args = split_shorthand_values(args, frozenset(n for n in value_flags if len(n) == 2))
        ctx.meta[refused.ARGS] = args  # the flag a refusal names is the spelling typed (refused.label)
        turned_off: set[str] = set()  # --expose=false: Click sees nothing of it
        ctx.meta[TURNED_OFF] = turned_off
        rest = parse(
            ctx, bool_flag_values(args, flags, value_flags, lenient=ctx.resilient_parsing, turned_off=turned_off)
        )
        if (across := name_across_namespaces(ctx)) is not None:
            raise across
        return rest

    command.parse_args = parse_args  # type: ignore[method-assign]


def _subcommand_at(args: list[str], value_flags: frozenset[str]) -> int:
    """Where a group's subcommand name is in ``args`` (its first word that is neither a flag nor
    a flag's value); ``len(args)`` when there is none."""
    index = 0
    while index < len(args) and args[index].startswith("-") and args[index] != "--":
        index += 2 if args[index] in value_flags else 1
    return min(index, len(args))


def _flag_kinds(command: click.Command, ctx: click.Context) -> "tuple[frozenset[str], dict[str, BoolFlag]]":
    """The names of ``command``'s options that take a value, and of its boolean flags (each with
    the word that turns it off: the other half of ``--x/--no-x``, none for a single ``--x``).

    -h/--help is one of them: cobra's help flag is a bool flag, so ``--help=false`` leaves help
    off and the command runs, and ``--help=true`` is ``--help`` (upstream: spf13/cobra
    command.go, execute: ``helpVal, err := c.Flags().GetBool("help")``, ErrHelp only when true;
    InitDefaultHelpFlag declares it with BoolP)."""
    from akscli.cli.options import BoolFlag

    value_flags: set[str] = set()
    flags: dict[str, BoolFlag] = {}
    if command.add_help_option:
        helps = frozenset(ctx.help_option_names)
        flags.update((name, BoolFlag(helps, None)) for name in helps)
    for param in command.params:
        if param.param_type_name != "option" or getattr(param, "count", False):
            continue
        if not getattr(param, "is_flag", False):
            value_flags.update(param.opts)
        elif getattr(param, "is_bool_flag", False):
            names = frozenset([*param.opts, *param.secondary_opts])
            for on, off in ((param.opts, param.secondary_opts), (param.secondary_opts, param.opts)):
                for name in on:
                    flags[name] = BoolFlag(names, max(off, key=len) if off else None)
    return frozenset(value_flags), flags


def _running(name: str, subcommand: str | None) -> click.Command:
    """The command ``name`` about to run ``subcommand``: a group is built with only that one.

    Typer turns every command of a group into a Click command (reading each function's
    signature) before it runs one; `akscli model plan` needs only plan's. Help, completion of
    the group's own words, a mistyped name (with its suggestions) and docgen get the whole group.
    """
    entry = COMMANDS[name][0]
    narrowed = _narrowed(entry, subcommand) if subcommand is not None else None
    if narrowed is None:
        return _to_click(name, _load(entry))
    return _finish(typer.main.get_group(narrowed), name)


def _narrowed(entry: str, subcommand: str) -> typer.Typer | None:
    """The group app ``entry`` with only ``subcommand`` registered; None when ``entry`` is not a
    group or ``subcommand`` is none of its commands or groups. A group module with a
    ``COMMANDS`` table and a ``group(only)`` function (cli/model.py) builds it without importing
    the modules of its other commands."""
    module_name, _, attr = entry.partition(":")
    module = importlib.import_module(module_name)
    if subcommand in getattr(module, "COMMANDS", ()) and hasattr(module, "group"):
        built: typer.Typer = module.group(subcommand)
        return built
    app = getattr(module, attr)
    if not isinstance(app, typer.Typer) or not (app.registered_groups or len(app.registered_commands) > 1):
        return None
    commands = [c for c in app.registered_commands if _registered_name(c) == subcommand]
    groups = [g for g in app.registered_groups if g.name == subcommand]
    if len(commands) + len(groups) != 1:
        return None
    narrowed = copy.copy(app)
    narrowed.registered_commands, narrowed.registered_groups = commands, groups
    return narrowed


def _registered_name(info: Any) -> str | None:
    if info.name is not None:
        return str(info.name)
    return typer.main.get_command_name(info.callback.__name__) if info.callback else None


def _spelled_as_invoked(formatter: click.HelpFormatter) -> None:
    """Help names the commands it shows (its examples) as akscli was run: `kubectl akscli ...`
    under kubectl, as its usage line does (statuslines.as_invoked)."""
    formatter.buffer[:] = [as_invoked("".join(formatter.buffer))]


def _add_examples(command: click.Command, path: str) -> None:
    """Every command's --help ends with its examples (akscli.cli.examples), set as its help is
    formatted (Click's and Typer's help both start at ``format_help``): a command that runs
    prints no help and need not load the examples (about 0.2 ms of every command)."""
    format_help = command.format_help

    def with_examples(ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from akscli.cli.examples import epilog

        text = epilog(path)
        if text is not None:
            command.epilog = text
        format_help(ctx, formatter)
        _spelled_as_invoked(formatter)

    command.format_help = with_examples  # type: ignore[method-assign]
    for child_name, child in getattr(command, "commands", {}).items():
        _add_examples(child, f"{path} {child_name}")


# One metavar per flag everywhere (a flag has one meaning: tests/foundation/test_grammar.py).
METAVARS = {"output": "FORMAT", "timeout": "DURATION", "parallel": "N"}


def _name_metavars(command: click.Command) -> None:
    """Show option values as VM_SIZE and arguments as NAME (Typer would print <str> and {name})."""
    for param in command.params:
        if param.metavar is not None or getattr(param, "is_flag", False) or getattr(param, "count", False):
            continue
        if param.param_type_name == "option":
            longest = max(param.opts, key=len).lstrip("-")
            param.metavar = METAVARS.get(longest, longest.upper().replace("-", "_"))
        elif param.param_type_name == "argument" and param.name:
            param.metavar = param.name.upper()
    for child in getattr(command, "commands", {}).values():
        _name_metavars(child)


# Where a newcomer starts: the last lines of `akscli --help` (the groups' are in akscli.cli.examples).
START_HERE = (
    "akscli model plan phi-4 --max-model-len 8192 --concurrency 8",
    "akscli model deploy phi-4 --dry-run=client",
    "akscli cluster credentials ml -g rg-ml",
)


class LazyGroup(TyperGroup):
    """A root group that imports a command's module only when that command runs or is completed."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """Running a command: its group is built with only the subcommand that runs (``_running``)."""
        if args and args[0] in COMMANDS:
            subcommand = args[1] if len(args) > 1 else None
            return args[0], _running(args[0], subcommand), args[1:]
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.UsageError as exc:
            # Typer suggests a close command name from the group's loaded commands (typer 0.28
            # core.py TyperGroup.resolve_command, difflib.get_close_matches), which a lazy root
            # has none of: the same words here, from the command names (`akscli modle`).
            from difflib import get_close_matches

            matches = get_close_matches(args[0], list(COMMANDS)) if args else []
            if matches and "Did you mean" not in exc.message:
                exc.message = f"{exc.message.rstrip('.')}. Did you mean {', '.join(repr(m) for m in matches)}?"
            raise _suggested(exc, (), args) from None

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        return _to_click(cmd_name, _load(COMMANDS[cmd_name][0]))

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[Any]:
        """<TAB> after ``akscli``: the commands with their one-line help, without importing them."""
        if incomplete.startswith("-"):
            return list(super().shell_complete(ctx, incomplete))
        from typer._click.shell_completion import CompletionItem

        return [CompletionItem(name, help=text) for name, (_, text) in COMMANDS.items() if name.startswith(incomplete)]

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_help(ctx, formatter)
        _spelled_as_invoked(formatter)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, help_text) for name, (_, help_text) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_paragraph()
        formatter.write_text("Start here (offline: no cluster, no Azure account), then connect a cluster:")
        for line in START_HERE:
            formatter.write(f"  {line}\n")
        formatter.write_paragraph()
        for line in global_flags.GLOBAL_HELP.splitlines():
            formatter.write_text(line) if not line.startswith("  ") else formatter.write(line + "\n")


app = typer.Typer(
    cls=LazyGroup,
    name="akscli",
    help="akscli: AI workloads on Azure Kubernetes Service, from the terminal.\n\n"
    "Also runs as a kubectl plugin: kubectl akscli ...",
    rich_markup_mode=None,
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    # A fixed width makes help identical on every terminal, so it can be cached (cli/entry.py).
    context_settings={"help_option_names": ["-h", "--help"], "terminal_width": 100, "max_content_width": 100},
)


def _print_version(value: bool) -> None:
    if value:
        from akscli import __version__

        sys.stdout.write(f"akscli {__version__}\n")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", is_eager=True, callback=_print_version, help="Print akscli's version and exit."
    ),
) -> None:
    """akscli: AI workloads on Azure Kubernetes Service, from the terminal."""


def root_command() -> click.Command:
    command = typer.main.get_command(app)
    _read_kubectl_values(command)  # `akscli --help=false COMMAND`, as each command reads its own
    return command


def _prog_name() -> str:
    base = os.path.basename(sys.argv[0]) if sys.argv else "akscli"
    return "kubectl akscli" if base == "kubectl-akscli" else "akscli"


def run(argv: Sequence[str]) -> int:
    """Run akscli with ``argv`` and return its exit code (never raises for expected errors).
    The fast path (akscli.cli.fast) runs the few offline commands it fully understands; it
    answers None for anything else, which the command tree runs. A command line that names no
    fast command (akscli.cli.fast_words.may_be_fast) does not import it."""
    from akscli.cli.fast_words import may_be_fast

    if not may_be_fast(list(argv)):
        return run_tree(argv)
    from akscli.cli import fast

    code = fast.run(argv)
    return run_tree(argv) if code is None else code


def run_tree(argv: Sequence[str]) -> int:
    """Run ``argv`` through the command tree (Typer), whatever the fast path could serve."""
    try:
        if list(argv[:1]) == ["__complete"]:
            from akscli.cli.complete import protocol_lines

            sys.stdout.write("".join(line + "\n" for line in protocol_lines(list(argv), root_command, _prog_name())))
            return 0
        return run_common.guarded(lambda: _run(argv))
    finally:
        run_common.cleanup()


def _run(argv: Sequence[str]) -> int:
    args = list(argv)
    try:
        args = _prepared(argv)
        logconfig.configure()
        if any(k.endswith("AKSCLI_COMPLETE") for k in os.environ):
            from typer._completion_classes import completion_init

            completion_init()  # shell completion asks through these environment variables
        result = root_command().main(args=args, prog_name=_prog_name(), standalone_mode=False)
        return run_common.command_result(result)
    except typer.Exit as exc:
        return int(exc.exit_code)
    except click.exceptions.NoArgsIsHelpError as exc:
        # `akscli` or `akscli GROUP` alone: show the help, as kubectl does, and succeed.
        sys.stdout.write(exc.format_message() + "\n")
        return 0
    except click.exceptions.UsageError as exc:
        if exc.ctx is not None and global_flags.FLAGS.verbose:
            sys.stderr.write(exc.ctx.get_usage() + "\n")
        path = _command_path(exc, args)
        hint = exc.hint if isinstance(exc, UnknownCommand) else f"run '{path} --help' for usage"
        if (
            isinstance(exc, click.exceptions.NoSuchOption)
            and exc.option_name in ("-l", "--selector")
            and exc.ctx is not None
            and _lists_no_kubernetes_objects(exc.ctx.command)
        ):
            # A list of Azure resources or akscli's records: -l would select nothing there.
            message = f"-l/--selector selects Kubernetes objects by label; '{path}' lists no Kubernetes objects"
            return run_common.report(AkscliError(message, hint), 2)
        from akscli.cli.name_flag import revision_argument

        if (revision := revision_argument(exc.ctx, exc.format_message(), args, _prog_name())) is not None:
            return run_common.report(revision, 2)
        if isinstance(exc, click.exceptions.NoSuchOption):
            from akscli.cli.name_flag import by_name_only, no_all_namespaces, no_kubeconfig, ray_cluster_flag, refusal

            for check in (refusal, no_kubeconfig, no_all_namespaces, ray_cluster_flag, by_name_only):
                if (said := check(exc.ctx, exc.option_name, args, _prog_name())) is not None:
                    return run_common.report(said, 2)
            from akscli.cli import kubectl_flags

            if (kubectls := kubectl_flags.refusal(exc.option_name, path)) is not None:
                return run_common.report(kubectls, 2)
            from akscli.cli.unknown_flag import unknown_flag

            return run_common.report(unknown_flag(exc.ctx, exc.option_name, exc.message, path), 2)
        if isinstance(exc, click.exceptions.MissingParameter) and "-f" in getattr(exc.param, "opts", ()):
            # `akscli apply app.yaml`: the file given as an argument (kubectl: Unexpected args)
            typed = next((a for a in args if a.endswith((".yaml", ".yml", ".json")) and not a.startswith("-")), None)
            hint = f"give the file with -f, as kubectl does: {path} -f {typed}" if typed else hint
        if isinstance(exc, click.exceptions.BadParameter):
            from akscli.cli import bad_number

            if (said := bad_number.refusal(exc, args)) is not None:  # a number: validate's words
                return run_common.report(said, 2)
            typed = bad_number.typed_flag(exc.param, args)
            if typed is not None:  # click names every spelling ('--count' / '--node-count'): the one typed
                exc.param_hint = f"'{typed}'"
            hint = bad_number.hint(exc.param, typed) or hint  # a number flag: its form, range and default
        return run_common.report(AkscliError(exc.format_message(), hint), 2)
    except click.exceptions.ClickException as exc:
        return run_common.report(AkscliError(exc.format_message()), exc.exit_code)
    except typer.Abort:
        sys.stderr.write(run_common.interrupted())
        return EXIT_INTERRUPTED


def _prepared(argv: Sequence[str]) -> list[str]:
    """run_common.prepared, a refused word of its own named as the argument it is (refused.name_word)."""
    from akscli.argv_check import WordRefused

    try:
        return run_common.prepared(argv, _takes_namespace)
    except WordRefused as exc:
        try:
            words = run_common.prepared(argv, _takes_namespace, check=False)
        except (AkscliError, click.exceptions.ClickException):
            raise exc from None
        raise refused.name_word(exc, root_command(), words) from None


def _lists_no_kubernetes_objects(command: click.Command) -> bool:
    """The command's declared property (options.lists_no_kubernetes_objects), not its name."""
    from akscli.cli.options import lists_no_kubernetes_objects_declared

    return lists_no_kubernetes_objects_declared(command)


def _takes_namespace(args: Sequence[str]) -> bool:
    """Whether the command ``args`` name declares -n (akscli.cli.leading_flags.takes_namespace)."""
    from akscli.cli.leading_flags import takes_namespace

    return takes_namespace(root_command(), args)


def _command_path(exc: click.exceptions.UsageError, args: Sequence[str]) -> str:
    """The command the bad usage belongs to. click's parser raises a flag's missing value
    (``-o`` last) without a context, so then the path is followed through the words of ``args``
    that name subcommands: the hint names the command's help, as kubectl's ``See 'kubectl get
    --help' for usage.`` does, not the top level's."""
    if exc.ctx is not None:
        return exc.ctx.command_path
    command, path = root_command(), [_prog_name()]
    for word in args:
        if word.startswith("-"):
            continue
        get = getattr(command, "get_command", None)  # a group (the root loads its groups lazily)
        sub = get(click.Context(command), word) if get is not None else None
        if sub is None:
            break
        command = sub
        path.append(word)
    return " ".join(path)


def main() -> None:
    run_common.finish(run(sys.argv[1:]))
