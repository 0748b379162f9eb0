"""kubectl's connection flags that akscli does not take (``--as``, ``--token``, ``--server``,
``--cluster``, ``--insecure-skip-tls-verify`` ...; kubernetes/cli-runtime 69e8693b
pkg/genericclioptions/config_flags.go AddFlags, and kubectl's ``--warnings-as-errors``,
kubernetes/kubectl dee3483a pkg/cmd/cmd.go): a script written for kubectl passes them to
`kubectl akscli` too. Click said only ``No such option: --as``, as if akscli did not know kubectl;
the line now says which of kubectl's connection flags akscli reads, and the hint how to get the
same connection (a kubeconfig context). Nothing is sent, exit 2, and a value is never repeated."""

from __future__ import annotations

import pytest

from tests.cli import invoke

READ = "akscli reads --kubeconfig, --context, -n and --request-timeout of kubectl's connection flags"


@pytest.mark.parametrize("flag", ["--as=admin", "--user=ci", "--token=s3cr3t-value", "--client-key=/k"])
def test_a_kubectl_user_flag_says_akscli_takes_the_user_from_a_kubeconfig_context(flag: str) -> None:
    result = invoke("model", "list", "-n", "ml", flag, env={"KUBECONFIG": "/nonexistent/kubeconfig"})
    assert result.exit_code == 2
    name = flag.partition("=")[0]
    assert result.stderr.splitlines() == [
        f"error: 'akscli model list' takes no {name}, kubectl's flag: {READ}",
        "hint: pass a kubeconfig context that holds the cluster and user: --context NAME "
        "(kubectl config get-contexts lists them)",
    ]
    assert "s3cr3t-value" not in result.stderr + result.stdout


@pytest.mark.parametrize("words", [["--server=https://10.0.0.1"], ["-s", "https://10.0.0.1"], ["--cluster=prod"]])
def test_a_kubectl_cluster_flag_names_the_kubeconfig_context_too(words: list[str]) -> None:
    result = invoke("model", "list", *words)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: 'akscli model list' takes no {words[0].partition('=')[0]}, kubectl's flag")
    assert "--context NAME" in result.stderr


def test_a_kubectl_flag_before_the_command_is_answered_the_same() -> None:
    result = invoke("--insecure-skip-tls-verify", "model", "list")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: 'akscli' takes no --insecure-skip-tls-verify, kubectl's flag")


def test_a_kubectl_flag_with_no_connection_to_set_says_to_leave_it_out() -> None:
    result = invoke("model", "list", "--warnings-as-errors")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == "hint: leave it out: akscli has no such setting"


def test_an_option_kubectl_does_not_have_keeps_clicks_line() -> None:
    result = invoke("model", "list", "--bogus")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: No such option: --bogus")


def test_the_line_names_the_command_for_a_flag_another_command_has() -> None:
    """``ray job submit --cluster`` names a Ray cluster: the refusal of kubectl's --cluster on
    ``model list`` must not say that akscli takes no --cluster at all."""
    result = invoke("model", "list", "--cluster=prod")
    assert result.stderr.startswith("error: 'akscli model list' takes no --cluster, kubectl's flag: ")
