"""kubectl takes --context, --kubeconfig and -n before the command too (`kubectl --context prod
get pods`); so does akscli (and so `kubectl akscli --context prod ...` works as a plugin)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.cli import invoke


def test_context_and_namespace_before_the_command_are_the_commands_own(kubeconfig: Path, kube_emulator: Any) -> None:
    kube_emulator.record_requests = True
    result = invoke("--context", "emulator", "-n", "team-a", "model", "list")
    assert result.exit_code == 0, result
    assert kube_emulator.requests("GET", "/namespaces/team-a/")


def test_an_unknown_context_before_the_command_is_the_context_error(kubeconfig: Path) -> None:
    result = invoke("--context", "nope", "model", "list")
    assert result.exit_code != 0
    assert "No such option" not in result.stderr
    assert "nope" in result.stderr


def test_kubeconfig_and_attached_namespace_before_the_command(
    kubeconfig: Path, kube_emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KUBECONFIG")
    kube_emulator.record_requests = True
    result = invoke(f"--kubeconfig={kubeconfig}", "-nteam-a", "model", "list")
    assert result.exit_code == 0, result
    assert kube_emulator.requests("GET", "/namespaces/team-a/")


def test_words_after_double_dash_are_left_alone(kubeconfig: Path) -> None:
    from akscli.cli.leading_flags import leading_connection_flags_last

    argv = ["--context", "c", "ray", "job", "submit", "--", "python", "-n", "x"]
    assert leading_connection_flags_last(argv) == ["ray", "job", "submit", "--context", "c", "--", "python", "-n", "x"]


def test_a_connection_flag_before_the_command_without_its_value_says_so() -> None:
    result = invoke("-n")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: -n needs a value\n")


def test_request_timeout_before_the_command_is_the_commands_own(kubeconfig: Path, kube_emulator: Any) -> None:
    # kubectl registers --request-timeout with its other persistent connection flags
    # (k8s.io/cli-runtime pkg/genericclioptions/config_flags.go, ConfigFlags.AddFlags).
    kube_emulator.record_requests = True
    result = invoke("--request-timeout=5s", "-n", "team-a", "model", "list")
    assert result.exit_code == 0, result
    assert kube_emulator.requests("GET", "/namespaces/team-a/")


def test_a_bad_request_timeout_before_the_command_is_the_flags_own_error(kubeconfig: Path) -> None:
    result = invoke("--request-timeout", "soon", "model", "list")
    assert result.exit_code == 2
    assert "No such option" not in result.stderr
    assert "--request-timeout" in result.stderr


def test_a_kubectl_flag_akscli_does_not_implement_is_not_moved() -> None:
    from akscli.cli.leading_flags import leading_connection_flags_last

    assert leading_connection_flags_last(["--as", "bob", "model", "list"]) == ["--as", "bob", "model", "list"]


def test_a_namespace_before_a_command_without_one_is_ignored_as_kubectl_does(
    kubeconfig: Path, kube_emulator: Any
) -> None:
    # kubectl's -n is a persistent flag of its root (kubernetes/kubectl pkg/cmd/cmd.go), taken by
    # every command and ignored by those without namespaced objects (`kubectl -n ml get nodes`).
    result = invoke("-n", "ml", "doctor", "--for", "ray", "-o", "json")
    assert result.exit_code != 2, result
    assert "works in no namespace" not in result.stderr and "No such option" not in result.stderr


def test_only_the_namespace_is_dropped_before_a_command_without_one() -> None:
    from akscli.cli.leading_flags import leading_connection_flags_last

    argv = ["--context", "c", "-n", "ml", "--namespace=x", "-ny", "gpu", "usage"]
    assert leading_connection_flags_last(argv, lambda rest: False) == ["gpu", "usage", "--context", "c"]


def test_a_namespace_given_after_a_command_without_one_is_one_line_with_the_line_without_it(kubeconfig: Path) -> None:
    result = invoke("doctor", "-n", "ml", "--for", "ray")
    assert result.exit_code == 2
    assert "'akscli doctor' works in no namespace: it takes no -n" in result.stderr
    assert "No such option" not in result.stderr
    assert "akscli doctor --for ray" in result.stderr


@pytest.mark.parametrize("args", [("--context", "prod", "--help"), ("-n", "ml", "-h"), ("--context", "prod")])
def test_connection_flags_with_no_command_after_them_print_the_help_as_kubectl_does(args: tuple[str, ...]) -> None:
    result = invoke(*args)
    assert result.exit_code == 0, result
    assert result.stdout.startswith("Usage: ")
    assert result.stderr == ""


@pytest.mark.parametrize(
    ("args", "line", "hint"),
    [
        (
            ("cluster", "list", "--context", "prod"),
            "'akscli cluster list' reaches no Kubernetes cluster, so it takes "
            "no --context (it reads Azure Resource Manager: --subscription picks the subscription)",
            "akscli cluster list",
        ),
        (
            ("--kubeconfig", "/k", "audit", "list"),
            "'akscli audit list' reaches no Kubernetes cluster, so it takes no --kubeconfig\n",
            "akscli audit list",
        ),
        (
            ("gpu", "usage", "-A", "-o", "json"),
            "'akscli gpu usage' reads every namespace already",
            "akscli gpu usage -o json",
        ),
        (
            ("cluster", "list", "-A"),
            "'akscli cluster list' reaches no Kubernetes cluster, so it takes no -A (",
            "akscli cluster list",
        ),
        (
            ("doctor", "--all-namespaces"),
            "'akscli doctor' works in no namespace: it takes no --all-namespaces",
            "akscli doctor",
        ),
        (
            ("model", "status", "phi-4", "-A"),
            "'akscli model status' acts in one namespace (-n picks it)",
            "akscli model status phi-4",
        ),
    ],
)
def test_a_kubeconfig_flag_or_all_namespaces_given_to_a_command_without_it_is_one_line_with_the_fix(
    args: tuple[str, ...], line: str, hint: str
) -> None:
    # click said `No such option: --context` (or -A) and the command's --help, which names no fix.
    result = invoke(*args)
    assert result.exit_code == 2
    assert line in result.stderr
    assert f"hint: {hint}\n" in result.stderr


def test_every_command_that_reaches_a_cluster_takes_request_timeout() -> None:
    # kubectl registers --request-timeout beside --kubeconfig and --context (k8s.io/cli-runtime
    # pkg/genericclioptions/config_flags.go, ConfigFlags.AddFlags); `ray cluster list
    # --request-timeout 5s` was refused as if ray reached no Kubernetes cluster.
    from akscli.cli.main import COMMANDS, _load, _to_click

    def missing(path: list[str], command: Any) -> list[str]:
        if getattr(command, "commands", None):
            return [m for name, child in command.commands.items() for m in missing([*path, name], child)]
        flags = {o for p in command.params for o in getattr(p, "opts", ())}
        return [" ".join(path)] if "--context" in flags and "--request-timeout" not in flags else []

    found = [m for name, (entry, _) in COMMANDS.items() for m in missing([name], _to_click(name, _load(entry)))]
    assert not found, found


def test_request_timeout_before_a_ray_command_is_its_own(kubeconfig: Path) -> None:
    result = invoke("--request-timeout=5s", "ray", "cluster", "list", "-n", "rt-none")
    assert result.exit_code == 0, result
    assert "reaches no Kubernetes cluster" not in result.stderr
