"""The connection flags given before the command: ``akscli --context C -n NS model list`` runs as
``model list --context C -n NS``. Plain argv reading with click's command tree passed in, so the
CLI's run (akscli.cli.main) and shell completion (akscli.cli.complete) share it without importing
each other."""

from collections.abc import Callable, Sequence
from typing import Any

from akscli.errors import UsageError

# kubectl takes its connection flags before the command as well (`kubectl --context prod get
# pods`: persistent flags of its root command; upstream: kubernetes/kubectl pkg/cmd/cmd.go,
# NewKubectlCommand, kubeConfigFlags.AddFlags(flags) on the root's PersistentFlags). akscli's
# commands declare them; those given before the first command word move after it. Of kubectl's
# other global flags akscli's cluster commands implement --request-timeout only (upstream:
# kubernetes/kubectl pkg/cmd/cmd.go, NewKubectlCommand, and k8s.io/cli-runtime
# pkg/genericclioptions/config_flags.go, ConfigFlags.AddFlags: --request-timeout is registered
# with --context and --kubeconfig, so `kubectl --request-timeout=5s get pods` works); --as,
# --token, --server and the rest are not akscli flags and stay unknown wherever they stand.
_CONNECTION_FLAGS = ("-n", "--namespace", "--context", "--kubeconfig", "--request-timeout")
CONNECTION_FLAGS = _CONNECTION_FLAGS  # what cli/unknown_flag.py offers for a typo before the command


def leading_connection_flags(argv: list[str]) -> tuple[list[str], str | None]:
    """The connection flags (with their values) before the first command word, and the last of
    them where its value is still to come (``akscli -n``, as shell completion sees
    ``akscli -n <TAB>``), else None."""
    lead: list[str] = []
    index = 0
    while index < len(argv) and connection_flag(argv[index]):
        word = argv[index]
        width = 1 if "=" in word or _short_with_value(word) else 2
        if index + width > len(argv):
            return lead, word
        lead += argv[index : index + width]
        index += width
    return lead, None


def leading_connection_flags_last(
    argv: list[str], takes_namespace: Callable[[list[str]], bool] | None = None
) -> list[str]:
    """``--context C -n NS model list`` as ``model list --context C -n NS`` (before ``--``, where
    one is given). Only flags before the first command word move; ``-nNS`` and ``--flag=VALUE``
    are one word, the others take the next word as their value. A leading namespace is dropped
    for a command that ``takes_namespace`` says has none (``gpu usage``, ``doctor``): kubectl's
    ``-n`` is a flag of every command and a command without namespaced objects ignores it
    (``kubectl -n ml get nodes``)."""
    lead, waiting = leading_connection_flags(argv)
    if waiting is not None:
        raise UsageError(f"{waiting} needs a value", hint=f"for example: akscli {waiting} VALUE model list")
    if not lead:
        return argv
    rest = argv[len(lead) :]
    if not any(not word.startswith("-") for word in rest):
        # No command after them (`--context prod --help`, `--context prod`): the help, as kubectl
        # prints it for `kubectl --context prod --help`; the root takes no connection flags.
        return rest
    if takes_namespace is not None and not takes_namespace(rest):
        lead = _without_namespace(lead)
    cut = rest.index("--") if "--" in rest else len(rest)
    return rest[:cut] + lead + rest[cut:]


def leading_connection_values(lead: list[str]) -> list[tuple[str, str]]:
    """The (flag, value) pairs of ``lead`` (leading_connection_flags): ``-nNS`` and
    ``--flag=VALUE`` are one word, the others two; ``-n`` is named ``--namespace``'s short form."""
    pairs: list[tuple[str, str]] = []
    index = 0
    while index < len(lead):
        word = lead[index]
        if _short_with_value(word):
            pairs.append(("-n", word[2:]))
            index += 1
        elif "=" in word:
            flag, _, value = word.partition("=")
            pairs.append((flag, value))
            index += 1
        else:
            pairs.append((word, lead[index + 1] if index + 1 < len(lead) else ""))
            index += 2
    return pairs


def _without_namespace(lead: list[str]) -> list[str]:
    out: list[str] = []
    index = 0
    while index < len(lead):
        word = lead[index]
        width = 1 if "=" in word or _short_with_value(word) else 2
        if not (_short_with_value(word) or word.partition("=")[0] in ("-n", "--namespace")):
            out += lead[index : index + width]
        index += width
    return out


def _short_with_value(word: str) -> bool:
    return word.startswith("-n") and not word.startswith("--") and len(word) > 2


def connection_flag(word: str) -> bool:
    return word.partition("=")[0] in _CONNECTION_FLAGS or _short_with_value(word)


def takes_namespace(root: Any, args: Sequence[str]) -> bool:
    """Whether the command ``args`` name under ``root`` declares -n (a word that names no
    command: let click say so, with the namespace where the user put it)."""
    command = leaf_command(root, args)
    if command is None:
        return True
    return any("--namespace" in param.opts for param in command.params)


def leaf_command(root: Any, args: Sequence[str]) -> Any:
    """The click command ``args`` name under ``root`` (as far as its words go), or None where a
    word names no command."""
    from typer import _click as click

    command = root
    for word in args:
        if word.startswith("-"):
            break
        get = getattr(command, "get_command", None)  # a group (the root loads its groups lazily)
        if get is None:
            break
        sub = get(click.Context(command), word)
        if sub is None:
            return None
        command = sub
    return command


DRY_RUN_MODES = ("none", "client", "server")


DRY_RUN_FLAG = "--dry-run"


def bare_dry_run(argv: list[str]) -> list[str]:
    """kubectl's ``--dry-run`` alone means ``--dry-run=client`` (pflag's NoOptDefVal), so
    ``--dry-run NAME`` keeps NAME as the positional argument. ``--dry-run client`` (a mode
    word after a space) is still read as the mode. Words after ``--`` are left alone (they
    belong to a job's entrypoint)."""
    out: list[str] = []
    for index, word in enumerate(argv):
        if word == "--":
            return out + argv[index:]
        bare = word == DRY_RUN_FLAG and (index + 1 == len(argv) or argv[index + 1] not in DRY_RUN_MODES)
        out.append(f"{DRY_RUN_FLAG}=client" if bare else word)
    return out
