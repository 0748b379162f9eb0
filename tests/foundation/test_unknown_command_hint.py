"""An unknown command that az or kubectl users type is refused with akscli's command for it in the
hint (cli/suggest_for.py, one table), as cobra offers a command's SuggestFor words (spf13/cobra
command.go, SuggestionsFor). Before, each said only `run 'akscli GROUP --help' for usage`."""

from __future__ import annotations

import re

import pytest

from akscli.cli.suggest_for import SUGGEST_FOR
from tests.cli import invoke
from tests.foundation.test_bad_input import leaves


def _refused(*args: str) -> list[str]:
    result = invoke(*args)
    assert result.exit_code == 2, result
    assert result.stdout == ""
    return result.stderr.splitlines()


def test_cluster_scale_names_nodepool_scale() -> None:
    assert _refused("cluster", "scale", "ml", "-g", "rg-ml", "--node-count", "3") == [
        "error: No such command 'scale'.",
        "hint: az aks scale scales a node pool: akscli nodepool scale POOL --cluster CLUSTER -g GROUP --count N",
    ]


def test_cluster_get_credentials_names_cluster_credentials() -> None:
    assert _refused("cluster", "get-credentials", "ml", "-g", "rg-ml")[-1] == (
        "hint: az aks get-credentials in akscli: akscli cluster credentials NAME -g GROUP"
    )


def test_cluster_get_upgrades_names_cluster_upgrade_list() -> None:
    assert _refused("cluster", "get-upgrades", "ml", "-g", "rg-ml")[-1] == (
        "hint: az aks get-upgrades in akscli: akscli cluster upgrade NAME -g GROUP --list"
    )


def test_nodepool_get_upgrades_names_nodepool_upgrade_list() -> None:
    assert _refused("nodepool", "get-upgrades", "gpu", "--cluster", "ml", "-g", "rg-ml")[-1] == (
        "hint: az aks nodepool get-upgrades in akscli: akscli nodepool upgrade POOL --cluster CLUSTER -g GROUP --list"
    )


def test_fleet_member_add_names_fleet_member_join() -> None:
    assert _refused("fleet", "member", "add", "aks-east")[-1] == (
        "hint: a cluster joins a fleet with: akscli fleet member join NAME --fleet FLEET -g GROUP --cluster CLUSTER"
    )


def test_fleet_member_create_names_fleet_member_join() -> None:
    assert _refused("fleet", "member", "create", "aks-east")[-1] == (
        "hint: az fleet member create in akscli: akscli fleet member join NAME --fleet FLEET -g GROUP --cluster CLUSTER"
    )


def test_fleet_member_delete_names_fleet_member_remove() -> None:
    assert _refused("fleet", "member", "delete", "aks-east")[-1] == (
        "hint: az fleet member delete in akscli: akscli fleet member remove NAME --fleet FLEET -g GROUP"
    )


def test_model_scale_names_a_redeploy_with_replicas_and_reuse_values() -> None:
    assert _refused("model", "scale", "phi-4", "--replicas", "2") == [
        "error: No such command 'scale'.",
        "hint: a model scales by a redeploy from its recorded options: "
        "akscli model deploy MODEL --replicas N --reuse-values",
    ]


def test_get_pods_names_kubectl_get_and_akscli_lists() -> None:
    assert _refused("get", "pods") == [
        "error: No such command 'get'.",
        "hint: get is kubectl's: kubectl get (akscli's own lists: akscli model list, akscli ray cluster list)",
    ]


def test_logs_names_model_logs_and_ray_job_logs() -> None:
    assert _refused("logs", "phi-4")[-1] == (
        "hint: a model's logs: akscli model logs MODEL; a Ray job's: akscli ray job logs JOB"
    )


def test_model_get_names_model_list_and_model_status() -> None:
    assert _refused("model", "get", "phi-4") == [
        "error: No such command 'get'.",
        "hint: kubectl get in akscli: akscli model list, or akscli model status NAME for one",
    ]


def test_ray_cluster_describe_names_ray_cluster_status() -> None:
    assert _refused("ray", "cluster", "describe", "rc")[-1] == (
        "hint: kubectl describe in akscli: akscli ray cluster status NAME"
    )


def test_nodepool_describe_names_nodepool_show_with_the_flags_it_needs() -> None:
    assert _refused("nodepool", "describe", "gpu")[-1] == (
        "hint: kubectl describe in akscli: akscli nodepool show POOL --cluster CLUSTER -g GROUP"
    )


def test_fleet_updaterun_names_fleet_rollout() -> None:
    assert _refused("fleet", "updaterun", "start", "run-1")[-1] == (
        "hint: az fleet updaterun in akscli: "
        "akscli fleet rollout create|start|stop|skip|status|list|delete NAME --fleet FLEET"
    )


def test_fleet_updatestrategy_names_fleet_rollout_strategy() -> None:
    assert _refused("fleet", "updatestrategy", "list")[-1] == (
        "hint: az fleet updatestrategy in akscli: "
        "akscli fleet rollout strategy create|show|list|delete NAME --fleet FLEET"
    )


def test_fleet_get_credentials_names_fleet_credentials() -> None:
    assert _refused("fleet", "get-credentials", "hub", "-g", "rg")[-1] == (
        "hint: az fleet get-credentials in akscli: akscli fleet credentials NAME -g GROUP"
    )


def test_the_word_is_matched_whatever_its_case_as_cobra_matches_suggest_for() -> None:
    assert _refused("cluster", "Scale")[-1].startswith("hint: az aks scale scales a node pool:")


def test_help_of_the_unknown_command_gets_the_same_hint() -> None:
    assert _refused("cluster", "scale", "--help")[-1].startswith("hint: az aks scale scales a node pool:")


def test_a_misspelling_of_an_akscli_command_keeps_typers_did_you_mean() -> None:
    assert _refused("nodepool", "scael") == [
        "error: No such command 'scael'. Did you mean 'scale'?",
        "hint: run 'akscli nodepool --help' for usage",
    ]


def test_a_word_the_table_lacks_keeps_the_groups_help_hint() -> None:
    assert _refused("cluster", "frobnicate")[-1] == "hint: run 'akscli cluster --help' for usage"


def test_under_kubectl_the_hint_names_kubectl_akscli(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setattr(sys, "argv", ["kubectl-akscli"])
    assert _refused("model", "scale")[-1].endswith(": kubectl akscli model deploy MODEL --replicas N --reuse-values")


_COMMANDS = [" ".join(path) for path, _ in leaves()]
_GROUPS = {tuple(path[:i]) for path, _ in leaves() for i in range(len(path))}


@pytest.mark.parametrize(("path", "word"), list(SUGGEST_FOR), ids=lambda v: " ".join(v) if isinstance(v, tuple) else v)
def test_every_row_is_a_group_and_a_word_that_is_none_of_its_commands(path: tuple[str, ...], word: str) -> None:
    assert path in _GROUPS
    assert " ".join([*path, word]) not in _COMMANDS
    assert not any(c.startswith(" ".join([*path, word]) + " ") for c in _COMMANDS)


@pytest.mark.parametrize("row", list(SUGGEST_FOR.items()), ids=lambda r: " ".join([*r[0][0], r[0][1]]))
def test_every_akscli_command_a_row_names_exists(row: tuple[tuple[tuple[str, ...], str], str]) -> None:
    named = [re.findall(r"[a-z][a-z-]*", text) for text in row[1].split("akscli ")[1:]]
    assert all(any(" ".join(words[:n]) in _COMMANDS for n in range(1, 5)) for words in named), (
        row
    )  # up to fleet rollout strategy create
