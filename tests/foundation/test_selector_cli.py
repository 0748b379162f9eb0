"""Every -l/--selector akscli takes is read as the API server reads it (akscli/kube/selectors.py,
kubernetes/apimachinery pkg/labels/selector.go Parse): a selector the server would refuse is
refused before anything is sent, in one line naming the part that is wrong, exit 2."""

from __future__ import annotations

from typing import Any

import pytest

from tests.cli import invoke

# Each command that takes -l, with what else it needs to get as far as listing.
SELECTOR_COMMANDS = {
    "nodepool list": ("nodepool", "list", "--auto-provision"),
    "baremetal doctor": ("baremetal", "doctor"),
    "baremetal inventory": ("baremetal", "inventory", "--image", "example.com/probe:1", "-y"),
    "ray cluster list": ("ray", "cluster", "list"),
    "ray cluster nodes": ("ray", "cluster", "nodes", "rc"),
    "ray job list": ("ray", "job", "list"),
    "ray service list": ("ray", "service", "list"),
    "model list": ("model", "list"),
    "fleet placement list": ("fleet", "placement", "list"),
    "fleet placement delete": ("fleet", "placement", "delete", "-y"),
    "ray cluster delete": ("ray", "cluster", "delete", "-y"),
    "ray job delete": ("ray", "job", "delete", "-y"),
    "ray service delete": ("ray", "service", "delete", "-y"),
    "fleet rollout delete": ("fleet", "rollout", "delete", "-y"),
    "fleet rollout strategy delete": ("fleet", "rollout", "strategy", "delete", "-y"),
    "nodepool delete": ("nodepool", "delete", "--auto-provision", "-y"),
    "fleet rollout list": ("fleet", "rollout", "list"),
    "fleet rollout strategy list": ("fleet", "rollout", "strategy", "list"),
}


def test_the_table_names_every_command_that_takes_the_selector() -> None:
    from akscli.cli import grammar

    taking = {
        " ".join(path)
        for path, command in grammar.leaf_commands()
        if any("--selector" in getattr(p, "opts", ()) for p in command.params)
    }
    assert taking == set(SELECTOR_COMMANDS)


@pytest.mark.parametrize("args", SELECTOR_COMMANDS.values(), ids=list(SELECTOR_COMMANDS))
def test_a_selector_the_server_would_refuse_is_refused_before_anything_is_sent(
    kube_emulator: Any, kubeconfig: Any, args: tuple[str, ...]
) -> None:
    kube_emulator.record_requests = True
    result = invoke(*args, "-l", "app:web")
    assert result.exit_code == 2, result
    assert kube_emulator.request_log == []
    assert result.stderr.splitlines()[0] == (
        "error: -l: invalid label selector 'app:web': key 'app:web': name part must consist of alphanumeric "
        "characters, '-', '_' or '.', and must start and end with an alphanumeric character"
    )


def test_a_set_without_parentheses_names_what_came_instead() -> None:
    result = invoke("model", "list", "-l", "env in prod")
    assert result.exit_code == 2
    error, hint = result.stderr.splitlines()[:2]
    assert error == "error: -l: invalid label selector 'env in prod': after 'env in': found 'prod' expected: '('"
    assert hint.startswith("hint: write KEY=VALUE, KEY==VALUE, KEY!=VALUE, 'KEY in (V1,V2)'")


def test_a_set_ending_in_two_commas_is_refused_with_the_spelling_every_server_reads() -> None:
    # akscli reads -l as the oldest supported server (1.32) does; 1.35 accepts ",,)" (apimachinery
    # 65de33d3), "(a,)" holds the same values for every server
    result = invoke("model", "list", "-l", "env in (a,,)")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[:2] == [
        "error: -l: invalid label selector 'env in (a,,)': in the values of 'env': ',,)' (API servers before 1.35 "
        "refuse it)",
        "hint: end the set with one comma for an empty value, e.g. 'env in (a,)': every server reads that alike",
    ]


def test_a_bad_value_names_the_value_and_its_key() -> None:
    result = invoke("ray", "cluster", "list", "-l", "team=ml/a")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0].startswith(
        "error: -l: invalid label selector 'team=ml/a': value 'ml/a' of 'team': a valid label must be an empty string"
    )


def test_a_set_based_selector_and_a_bare_key_are_sent_as_typed(kube_emulator: Any, kubeconfig: Any) -> None:
    kube_emulator.record_requests = True
    result = invoke("ray", "cluster", "list", "-l", "  env notin (dev),!legacy,team  ")
    assert result.exit_code == 0, result
    sent = [r.query.get("labelSelector") for r in kube_emulator.request_log if r.verb == "list"]
    assert sent == [["env notin (dev),!legacy,team"]]


def test_a_blank_selector_adds_nothing_to_the_commands_own_as_kubectl_reads_it() -> None:
    # kubernetes/cli-runtime pkg/resource/builder.go LabelSelectorParam: a blank -l is no selector
    # (akscli's command line refuses a blank flag value before this: cli/main.py)
    from akscli.cli import options as opts

    assert opts.label_selector(" ", within="ray.io/cluster=rc") == "ray.io/cluster=rc"
