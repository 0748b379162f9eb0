"""Completion in real shells: bash and zsh on a pseudo-terminal (type, TAB, read the line back),
fish through its own ``complete -C``. Each loads the script ``akscli completion SHELL`` prints
and runs the installed ``akscli`` for candidates, as a user's shell does. A shell that is not
installed is skipped (.ci/run installs zsh and fish)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from akscli.cli.complete import protocol_lines
from akscli.cli.completion import completion_script
from akscli.cli.kubectl_complete import completions as kubectl_completions
from akscli.cli.main import root_command
from tests.cli import invoke
from tests.shells import Terminal

BIN = Path(sys.executable).parent
REPO = Path(__file__).resolve().parents[2]


def _env(tmp_path: Path) -> dict[str, str]:
    if not (BIN / "akscli").exists():
        pytest.skip("akscli is not installed beside this Python")
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: dev\n"
        "clusters: [{name: c1, cluster: {server: 'https://127.0.0.1:1'}}]\n"
        "users: [{name: u1, user: {token: t}}]\n"
        "contexts:\n- {name: dev, context: {cluster: c1, user: u1, namespace: team-a}}\n"
        "- {name: prod-eastus, context: {cluster: c1, user: u1}}\n",
        encoding="utf-8",
    )
    env = {
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(tmp_path),
        "TERM": "xterm",
        "KUBECONFIG": str(kubeconfig),
        "PYTHONPATH": str(REPO / "src"),  # the checkout under test, however akscli was installed
        "LANG": "C.UTF-8",
    }
    return env


def _script(tmp_path: Path, shell: str) -> Path:
    path = tmp_path / f"akscli.{shell}"
    path.write_text(completion_script(shell), encoding="utf-8")
    return path


# ---- bash ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bash_terminal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Terminal]:
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    tmp = tmp_path_factory.mktemp("bash")
    setup = f"PS1='$ '; bind 'set enable-bracketed-paste off'; source {_script(tmp, 'bash')}"
    terminal = Terminal(["bash", "--norc", "--noprofile", "-i"], _env(tmp), setup)
    yield terminal
    terminal.close()


def test_bash_completes_a_group_name(bash_terminal: Terminal) -> None:
    assert bash_terminal.complete("akscli mod") == "akscli model "


def test_bash_completes_a_command_of_a_group(bash_terminal: Terminal) -> None:
    assert bash_terminal.complete("akscli model pl") == "akscli model plan "


def test_bash_completes_an_output_format(bash_terminal: Terminal) -> None:
    assert bash_terminal.complete("akscli model list -o ya") == "akscli model list -o yaml "


def test_bash_completes_a_flag_value_given_with_equals(bash_terminal: Terminal) -> None:
    assert (
        bash_terminal.complete("akscli model deploy phi-4 --dry-run=cli")
        == "akscli model deploy phi-4 --dry-run=client "
    )


def test_bash_completes_a_model_name(bash_terminal: Terminal) -> None:
    assert bash_terminal.complete("akscli model plan phi-4-mi") == "akscli model plan phi-4-mini-instruct "


def test_bash_completes_a_kube_context(bash_terminal: Terminal) -> None:
    assert bash_terminal.complete("akscli model list --context pro") == "akscli model list --context prod-eastus "


def _manifest_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "files"
    (folder / "sub").mkdir(parents=True, exist_ok=True)
    for name in ("app.yaml", "app.txt", "notes.txt"):
        (folder / name).write_text("", encoding="utf-8")
    return folder


def test_bash_completes_a_manifest_file_by_its_extension(bash_terminal: Terminal, tmp_path: Path) -> None:
    folder = _manifest_folder(tmp_path)
    assert bash_terminal.complete(f"akscli apply -f {folder}/ap") == f"akscli apply -f {folder}/app.yaml "
    assert bash_terminal.complete(f"akscli apply -f {folder}/no") == f"akscli apply -f {folder}/no"


def test_bash_completes_a_directory_for_an_output_directory(bash_terminal: Terminal, tmp_path: Path) -> None:
    folder = _manifest_folder(tmp_path)
    line = bash_terminal.complete(f"akscli render model/vllm --output-dir {folder}/s")
    assert line == f"akscli render model/vllm --output-dir {folder}/sub/"


def test_bash_completes_any_file_for_a_kubeconfig(bash_terminal: Terminal, tmp_path: Path) -> None:
    folder = _manifest_folder(tmp_path)
    assert bash_terminal.complete(f"akscli model list --kubeconfig {folder}/no") == (
        f"akscli model list --kubeconfig {folder}/notes.txt "
    )


def test_bash_skips_a_global_flag_before_the_group(bash_terminal: Terminal) -> None:
    assert bash_terminal.complete("akscli --debug model st") == "akscli --debug model status "


# ---- zsh -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def zsh_terminal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Terminal]:
    if shutil.which("zsh") is None:
        pytest.skip("zsh is not installed")
    tmp = tmp_path_factory.mktemp("zsh")
    setup = (
        "PS1='$ '; unset zle_bracketed_paste; bindkey -e; autoload -U compinit; compinit -u -D; "
        f"source {_script(tmp, 'zsh')}"
    )
    terminal = Terminal(["zsh", "-f", "-i"], _env(tmp), setup)
    yield terminal
    terminal.close()


# zsh takes back the space it added after a match when the next key is not a word (the Ctrl-A
# that reads the line back), so these compare the words.


def test_zsh_completes_a_group_name(zsh_terminal: Terminal) -> None:
    assert zsh_terminal.complete("akscli mod").rstrip() == "akscli model"


def test_zsh_completes_a_vm_size(zsh_terminal: Terminal) -> None:
    line = zsh_terminal.complete("akscli nodepool add gpu --cluster c -g rg --vm-size Standard_ND96isr_H2")
    assert line.rstrip() == "akscli nodepool add gpu --cluster c -g rg --vm-size Standard_ND96isr_H200_v5"


def test_zsh_completes_a_namespace_from_the_kubeconfig(zsh_terminal: Terminal) -> None:
    assert zsh_terminal.complete("akscli model list -n team").rstrip() == "akscli model list -n team-a"


def test_zsh_completes_a_value_given_with_equals(zsh_terminal: Terminal) -> None:
    assert (
        zsh_terminal.complete("akscli model deploy phi-4 --dry-run=ser").rstrip()
        == "akscli model deploy phi-4 --dry-run=server"
    )


def test_zsh_completes_a_manifest_file_by_its_extension(zsh_terminal: Terminal, tmp_path: Path) -> None:
    folder = _manifest_folder(tmp_path)
    assert zsh_terminal.complete(f"akscli apply -f {folder}/ap").rstrip() == f"akscli apply -f {folder}/app.yaml"


def test_zsh_completes_a_directory_for_an_output_directory(zsh_terminal: Terminal, tmp_path: Path) -> None:
    folder = _manifest_folder(tmp_path)
    line = zsh_terminal.complete(f"akscli render model/vllm --output-dir {folder}/s").rstrip()
    assert line.rstrip("/") == f"akscli render model/vllm --output-dir {folder}/sub"


def test_zsh_skips_a_global_flag_before_the_group(zsh_terminal: Terminal) -> None:
    assert zsh_terminal.complete("akscli --debug model st").rstrip() == "akscli --debug model status"


# ---- fish ------------------------------------------------------------------------------------


def _fish(tmp_path: Path, line: str, env: dict[str, str] | None = None) -> list[str]:
    """fish's candidates for ``line`` (``complete -C``), with the script loaded; ``env``: _env's
    unless given (another folder's, with its emulator's kubeconfig)."""
    if shutil.which("fish") is None:
        pytest.skip("fish is not installed")
    script = _script(tmp_path, "fish")
    done = subprocess.run(
        ["fish", "--no-config", "-c", f"source {script}; complete -C '{line}'"],
        capture_output=True,
        text=True,
        env=env or _env(tmp_path),
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_fish_completes_group_names_with_their_help(tmp_path: Path) -> None:
    lines = _fish(tmp_path, "akscli mo")
    assert [line.split("\t")[0] for line in lines] == ["model"]
    assert "Model serving" in lines[0]


def test_fish_completes_runtimes(tmp_path: Path) -> None:
    values = [line.split("\t")[0] for line in _fish(tmp_path, "akscli model deploy phi-4 --runtime ")]
    assert values == ["airunway", "kaito", "vllm"]


def test_fish_completes_a_value_given_with_equals(tmp_path: Path) -> None:
    values = [line.split("\t")[0] for line in _fish(tmp_path, "akscli model list -o=js")]
    assert "-o=json" in values


def test_fish_completes_templates(tmp_path: Path) -> None:
    values = [line.split("\t")[0] for line in _fish(tmp_path, "akscli render model/vl")]
    assert values == ["model/vllm"]


def test_fish_offers_manifest_files_and_folders_only(tmp_path: Path) -> None:
    folder = _manifest_folder(tmp_path)
    values = sorted(line.split("\t")[0] for line in _fish(tmp_path, f"akscli apply -f {folder}/"))
    assert values == [f"{folder}/app.yaml", f"{folder}/sub/"]


def test_fish_offers_directories_for_an_output_directory(tmp_path: Path) -> None:
    folder = _manifest_folder(tmp_path)
    values = [line.split("\t")[0] for line in _fish(tmp_path, f"akscli render model/vllm --output-dir {folder}/")]
    assert values == [f"{folder}/sub/"]


def test_fish_skips_a_global_flag_before_the_group(tmp_path: Path) -> None:
    values = [line.split("\t")[0] for line in _fish(tmp_path, "akscli -v model st")]
    assert values == ["status"]


# ---- the protocol, PowerShell and kubectl ----------------------------------------------------


def test_an_empty_word_list_is_a_completion_not_a_help_request() -> None:
    result = invoke("__complete", "")
    assert result.exit_code == 0
    assert "Usage:" not in result.stdout
    assert result.stdout.splitlines()[-1] == ":4"
    assert "model\t" in result.stdout


def test_the_old_environment_protocol_does_not_get_the_help_text() -> None:
    if not (BIN / "akscli").exists():
        pytest.skip("akscli is not installed beside this Python")
    env = dict(os.environ, _AKSCLI_COMPLETE="complete_bash", COMP_WORDS="akscli ", COMP_CWORD="1")
    done = subprocess.run([str(BIN / "akscli")], capture_output=True, text=True, env=env, timeout=60)
    assert "Usage:" not in done.stdout


def test_a_manifest_file_flag_offers_kubectls_extensions() -> None:
    # kubectl's -f: json, yaml and yml with cobra's FilterFileExt directive (8), the extensions
    # printed before it (k8s.io/kubectl pkg/cmd/util/helpers.go, spf13/cobra completions.go).
    assert protocol_lines(["__complete", "apply", "-f", ""], root_command) == ["json", "yaml", "yml", ":8"]
    assert protocol_lines(["__complete", "policy", "check", "--filename", "x"], root_command) == [
        "json",
        "yaml",
        "yml",
        ":8",
    ]


def test_a_values_file_offers_yaml_files() -> None:
    assert protocol_lines(["__complete", "render", "model/vllm", "--values", ""], root_command) == ["yaml", "yml", ":8"]


def test_a_kubeconfig_completes_any_file() -> None:
    assert protocol_lines(["__complete", "model", "list", "--kubeconfig", ""], root_command) == [":0"]
    assert protocol_lines(["__complete", "model", "list", "--kubeconfig=k"], root_command) == [":0"]


def test_a_price_file_offers_csv_and_yaml() -> None:
    assert protocol_lines(["__complete", "model", "plan", "phi-4", "--price-file", ""], root_command) == [
        "csv",
        "yaml",
        "yml",
        ":8",
    ]


def test_an_output_directory_completes_directories() -> None:
    assert protocol_lines(["__complete", "render", "model/vllm", "--output-dir", ""], root_command) == [":16"]


def test_a_global_path_flag_completes_files_wherever_it_stands() -> None:
    assert protocol_lines(["__complete", "--policy-file", ""], root_command) == ["yaml", "yml", ":8"]
    assert protocol_lines(["__complete", "model", "list", "--audit-log", ""], root_command) == [":0"]


def test_a_global_flags_value_is_completed_without_building_the_command_tree() -> None:
    def no_tree() -> Any:
        raise AssertionError("the command tree was built")

    assert protocol_lines(["__complete", "--policy-file", ""], no_tree) == ["yaml", "yml", ":8"]


def test_every_option_whose_help_names_a_file_or_directory_completes_paths() -> None:
    from akscli.cli.complete import PATH_OPTIONS

    def options(command: Any, ctx: Any) -> Iterator[Any]:
        yield from (p for p in command.params if getattr(p, "param_type_name", "") == "option")
        if hasattr(command, "list_commands"):
            for name in command.list_commands(ctx):
                child = command.get_command(ctx, name)
                yield from options(child, type(ctx)(child, parent=ctx, info_name=name))

    root = root_command()
    names_a_path = re.compile(r"\b(file|directory|folder|dir)\b", re.I)
    for option in options(root, root.context_class(root, info_name="akscli")):
        if names_a_path.search(option.help or "") and not option.is_flag:
            assert set(option.opts) & set(PATH_OPTIONS), option.opts


def test_global_flags_before_the_group_are_skipped() -> None:
    values = protocol_lines(["__complete", "--debug", "model", "st"], root_command)
    assert values[0].startswith("status\t") and values[-1] == ":4"


def test_a_verbose_flag_before_the_group_still_completes_namespaces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "kc"
    config.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters: []\nusers: []\n"
        "contexts: [{name: c, context: {cluster: x, user: u, namespace: mine}}]\n"
    )
    monkeypatch.setenv("KUBECONFIG", str(config))
    assert protocol_lines(["__complete", "-v", "model", "list", "-n", ""], root_command) == ["mine", ":4"]
    assert protocol_lines(["__complete", "--reason", "x", "model", "-vv", "list", "-n", "m"], root_command) == [
        "mine",
        ":4",
    ]


def test_a_global_flags_value_is_not_taken_for_the_command() -> None:
    values = protocol_lines(["__complete", "--audit-log", "model", "render", "model/vl"], root_command)
    assert values == ["model/vllm", ":4"]


def test_a_format_needing_a_template_asks_for_no_space() -> None:
    assert protocol_lines(["__complete", "model", "list", "-o", "jsonp"], root_command)[-1] == ":6"


def test_the_powershell_script_registers_a_native_completer_that_asks_akscli() -> None:
    script = completion_script("powershell")
    assert "Register-ArgumentCompleter -Native -CommandName 'akscli'" in script
    assert "& 'akscli' __complete @words" in script
    assert "CompletionResult]::new(" in script


@pytest.mark.skipif(shutil.which("pwsh") is None, reason="PowerShell (pwsh) is not installed")
def test_powershell_completes_a_group_name(tmp_path: Path) -> None:
    script = _script(tmp_path, "powershell")
    command = (
        f". {script}; (TabExpansion2 -inputScript 'akscli mod' -cursorColumn 10).CompletionMatches"
        " | ForEach-Object { $_.CompletionText }"
    )
    done = subprocess.run(
        ["pwsh", "-NoProfile", "-Command", command], capture_output=True, text=True, env=_env(tmp_path)
    )
    assert done.stdout.split() == ["model"]


def test_kubectl_plugin_completion_completes_values_too() -> None:
    values = [
        line.split("\t")[0] for line in kubectl_completions(["__complete", "model", "deploy", "x", "--runtime", ""])
    ]
    assert values == ["kaito", "vllm", "airunway"]


def test_namespaces_also_come_from_the_cluster_when_it_answers_in_time(kubeconfig: Path, kube_emulator: Any) -> None:
    kube_emulator.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-b"}})
    values = [
        line.split("\t")[0] for line in protocol_lines(["__complete", "model", "list", "-n", "team-"], root_command)
    ]
    assert "team-b" in values


def test_an_unreachable_cluster_does_not_hold_up_completion(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    config = tmp_path / "kc"
    config.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: c\n"
        "clusters: [{name: c, cluster: {server: 'https://10.255.255.1:6443'}}]\n"
        "users: [{name: u, user: {token: t}}]\ncontexts: [{name: c, context: {cluster: c, user: u, namespace: mine}}]\n"
    )
    monkeypatch.setenv("KUBECONFIG", str(config))
    started = time.monotonic()
    assert protocol_lines(["__complete", "model", "list", "-n", ""], root_command) == ["mine", ":4"]
    assert time.monotonic() - started < 5
