"""The grammar convention, checked over the whole command tree (docs/grammar.md).

A new command cannot drift: each flag name has one meaning everywhere, ``-n`` is the namespace,
``--context`` the kubeconfig context, the resource a command acts on is a positional NAME,
every command that changes something takes ``--dry-run[=none|client|server]``, ``--wait`` and
``--no-wait`` come together, and every read command prints ``-o name``.
"""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
from typer import _click as click

from akscli.cli import grammar, options
from akscli.globals import GLOBAL_HELP
from tests.cli import invoke

COMMANDS = grammar.leaf_commands()


def _options(command: click.Command) -> list[click.Parameter]:
    return grammar.options(command)


def _ids() -> list[str]:
    return [" ".join(path) for path, _ in COMMANDS]


def test_the_tree_has_every_group() -> None:
    groups = {path[0] for path, _ in COMMANDS}
    assert {"cluster", "nodepool", "baremetal", "ray", "model", "fleet", "apply", "render"} <= groups


def test_each_flag_name_has_one_meaning() -> None:
    meanings: dict[str, dict[tuple[object, ...], list[str]]] = defaultdict(lambda: defaultdict(list))
    for path, command in COMMANDS:
        for option in _options(command):
            for name in grammar.names(option):
                meanings[name][grammar.meaning(option)].append(" ".join(path))
    clashes = {
        name: {str(m): where for m, where in found.items()}
        for name, found in meanings.items()
        if len(found) > 1 and not grammar.allowed_second_meaning(name, found)
    }
    assert clashes == {}


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=_ids())
def test_n_is_always_the_namespace(path: list[str], command: click.Command) -> None:
    for option in _options(command):
        if "-n" in option.opts:
            assert option.opts == ["-n", "--namespace"], path


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=_ids())
def test_context_is_always_the_kubeconfig_context(path: list[str], command: click.Command) -> None:
    for option in _options(command):
        if "--context" in option.opts:
            assert option.help == grammar.CONTEXT_HELP, path


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=_ids())
def test_the_resource_acted_on_is_a_positional_name(path: list[str], command: click.Command) -> None:
    if path[-1] not in grammar.ONE_RESOURCE_VERBS or " ".join(path) in grammar.NO_NAME:
        return
    arguments = [p for p in command.params if p.param_type_name == "argument"]
    assert arguments, f"{' '.join(path)}: the resource it acts on is a positional NAME"
    assert not any("--name" in o.opts for o in _options(command) if o.opts[:1] == ["-n"])


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=_ids())
def test_every_change_has_dry_run(path: list[str], command: click.Command) -> None:
    if not grammar.changes_something(path):
        return
    dry_run = [o for o in _options(command) if "--dry-run" in o.opts]
    assert dry_run, f"{' '.join(path)} changes something: it needs --dry-run[=none|client|server]"
    assert not dry_run[0].is_flag and dry_run[0].help == grammar.DRY_RUN_HELP


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=_ids())
def test_every_change_takes_yes(path: list[str], command: click.Command) -> None:
    # a script passes -y to any change; where there is nothing to confirm it is a no-op
    has_dry_run = any("--dry-run" in o.opts for o in _options(command))
    if not (grammar.changes_something(path) or has_dry_run):
        return
    yes = [o for o in _options(command) if "--yes" in o.opts]
    assert yes, f"{' '.join(path)} changes something: it needs -y/--yes (flag_types.Yes)"
    assert yes[0].opts == ["-y", "--yes"] and yes[0].is_flag


DELETES = [(path, command) for path, command in COMMANDS if path[-1] in ("delete", "remove")]


def test_the_deletes_are_the_ones_the_docs_list() -> None:
    # a new delete gets --ignore-not-found and a row in docs/grammar.md
    assert len(DELETES) == 13, [" ".join(p) for p, _ in DELETES]


@pytest.mark.parametrize(("path", "command"), DELETES, ids=[" ".join(p) for p, _ in DELETES])
def test_every_delete_lists_ignore_not_found_in_its_help(path: list[str], command: click.Command) -> None:
    # kubectl delete --ignore-not-found (upstream: kubernetes/kubectl pkg/cmd/delete/delete_flags.go)
    result = invoke(*path, "--help")
    assert result.exit_code == 0, result
    assert "--ignore-not-found" in result.stdout, " ".join(path)
    flag = [o for o in _options(command) if "--ignore-not-found" in o.opts]
    assert flag and flag[0].is_flag and flag[0].default is False


def test_yes_is_accepted_where_there_is_nothing_to_confirm() -> None:
    result = invoke("cluster", "create", "demo", "-g", "rg-demo", "--dry-run", "-y", "-o", "json")
    assert result.exit_code == 0, result
    assert '"method": "PUT"' in result.stdout


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=_ids())
def test_wait_and_no_wait_come_together(path: list[str], command: click.Command) -> None:
    for option in _options(command):
        names = set(option.opts + option.secondary_opts)
        if names & {"--wait", "--no-wait"}:
            assert names == {"--wait", "--no-wait"}, path


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=_ids())
def test_read_commands_print_names(path: list[str], command: click.Command) -> None:
    outputs = [o for o in _options(command) if "--output" in o.opts]
    if not outputs or " ".join(path) in grammar.NO_NAME_OUTPUT:
        return
    assert "name" in (outputs[0].help or ""), f"{' '.join(path)}: -o name"


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=_ids())
def test_a_command_without_names_offers_no_o_name(path: list[str], command: click.Command) -> None:
    # baremetal probe listed -o name in its help and refused it when given
    if " ".join(path) not in grammar.NO_NAME_OUTPUT:
        return
    for option in _options(command):
        if "--output" in option.opts:
            assert "|name|" not in (option.help or ""), path


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=_ids())
def test_every_output_flag_takes_kubectl_templates(path: list[str], command: click.Command) -> None:
    # jsonpath= everywhere; custom-columns= where there are rows (a list, a report's table), not
    # on what prints manifests: kubectl create/apply -o has no custom-columns printer
    # (kubectl delete takes -o name and nothing else: output.DELETE_FORMATS)
    for option in _options(command):
        if "--output" in option.opts and not (option.help or "").startswith("Output format: name ("):
            assert "jsonpath=TEMPLATE" in (option.help or ""), path


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=_ids())
def test_an_option_help_names_only_flags_the_command_has(path: list[str], command: click.Command) -> None:
    # "How long --wait waits" on a command without --wait sent users to a flag that is refused
    # ("No such option: --wait"): baremetal test nccl, baremetal inventory, fleet member drain.
    # The global flags (akscli --allow ...) count: every command takes them.
    have = {name for option in _options(command) for name in grammar.names(option)}
    have |= set(re.findall(r"(--[a-z][a-z0-9-]*)", GLOBAL_HELP))
    for option in _options(command):
        named = set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", option.help or ""))
        assert named <= have, f"{' '.join(path)} {option.opts}: help names {sorted(named - have)}"


def test_wait_defaults_are_documented_for_every_command() -> None:
    table = grammar.wait_defaults()
    waiting = [" ".join(p) for p, c in COMMANDS if any("--wait" in o.opts + o.secondary_opts for o in _options(c))]
    assert sorted(row[0] for row in table) == sorted(f"akscli {w}" for w in waiting)


def test_bare_dry_run_means_client_and_keeps_the_name_positional() -> None:
    result = invoke("cluster", "create", "--dry-run", "demo", "-g", "rg-demo", "-o", "json")
    assert result.exit_code == 0, result
    assert '"name": "demo"' in result.stdout or "demo" in result.stdout


def test_arm_commands_refuse_server_dry_run_with_the_reason() -> None:
    result = invoke("cluster", "create", "demo", "-g", "rg-demo", "--dry-run=server")
    assert result.exit_code == 2
    assert "no server-side dry run" in result.stderr
    assert "--dry-run (client)" in result.stderr


def test_an_unknown_dry_run_mode_is_refused() -> None:
    result = invoke(
        "nodepool", "add", "gpu", "--cluster", "c1", "-g", "rg", "--vm-size", "Standard_D8ds_v5", "--dry-run=maybe"
    )
    assert result.exit_code == 2
    assert "--dry-run" in result.stderr


def test_version_flag_prints_the_version() -> None:
    from akscli import __version__

    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout == f"akscli {__version__}\n"


def test_a_usage_error_points_to_the_subcommands_help() -> None:
    result = invoke("cluster", "show", "-g", "rg")
    assert result.exit_code == 2
    assert "akscli cluster show --help" in result.stderr


def test_dry_run_modes_are_spelled_exactly_as_kubectl_spells_them() -> None:
    result = invoke("cluster", "create", "demo", "-g", "rg-demo", "--dry-run=CLIENT")
    assert result.exit_code == 2
    assert "use one of: none, client, server" in result.stderr


@pytest.mark.parametrize("words", [["-o=json"], ["-o", "json"], ["--output=json"]])
def test_a_short_flag_takes_its_value_after_an_equals_sign_as_kubectl_does(words: list[str]) -> None:
    result = invoke("model", "plan", "phi-4", *words)
    assert result.exit_code == 0, result
    assert result.stdout.startswith("{")


def test_an_equals_sign_after_a_short_flag_is_split_only_for_flags_that_take_a_value() -> None:
    takes_value = frozenset({"-o", "-n"})
    assert options.split_shorthand_values(["-o=json", "-n=a=b", "-y=1", "-oyaml"], takes_value) == [
        "-o",
        "json",
        "-n",
        "a=b",
        "-y=1",
        "-oyaml",
    ]
    assert options.split_shorthand_values(["run", "--", "-o=json"], takes_value) == ["run", "--", "-o=json"]
