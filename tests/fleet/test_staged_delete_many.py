"""`fleet rollout delete` and `fleet rollout strategy delete` on the hub take several names,
-l/--selector, --all and -A, as kubectl delete (upstream: kubernetes/kubectl pkg/cmd/delete/delete.go
DeleteOptions.Validate, DeleteResult and PrintObj; pkg/cmd/delete/delete_flags.go --all and
-A/--all-namespaces); through ARM (--fleet) they stay one NAME: an ARM DELETE names one resource
(Azure/azure-cli-extensions src/fleet/azext_fleet/_help.py: az fleet updaterun delete and az fleet
updatestrategy delete take one -n)."""

from __future__ import annotations

from typing import Any

from akscli.fleet.rollout import strategy_objects
from akscli.fleet.stages import parse_stages
from tests.cli import invoke
from tests.fleet.armworld import ARM
from tests.fleet.conftest import Hub

P1 = "placement.kubernetes-fleet.io/v1"
STAGES = parse_stages(["canary;labels=env=staging"])


def _strategy(hub: Hub, name: str, namespace: str | None = None, labels: dict[str, str] | None = None) -> None:
    for obj in strategy_objects(name, namespace, STAGES):
        obj["metadata"]["labels"] = {**obj["metadata"].get("labels", {}), **(labels or {})}
        hub.cluster.create(obj)


def _left(hub: Hub, kind: str, namespace: str | None = None) -> list[str]:
    items: list[Any] = hub.cluster.list(P1, kind, namespace)
    return sorted(obj["metadata"]["name"] for obj in items)


def test_two_strategies_are_deleted_in_one_command_with_one_line_each(hub: Hub) -> None:
    _strategy(hub, "a")
    _strategy(hub, "b")
    result = invoke("fleet", "rollout", "strategy", "delete", "a", "b", "-y")
    assert result.exit_code == 0, result
    assert result.stdout.splitlines() == [
        'clusterstagedupdatestrategy.placement.kubernetes-fleet.io "a" deleted',
        'clusterstagedupdatestrategy.placement.kubernetes-fleet.io "b" deleted',
    ]
    assert _left(hub, "ClusterStagedUpdateStrategy") == []


def test_a_strategy_selector_deletes_only_the_labelled_ones(hub: Hub) -> None:
    _strategy(hub, "a", labels={"team": "ml"})
    _strategy(hub, "b")
    result = invoke("fleet", "rollout", "strategy", "delete", "-l", "team=ml", "-y", "-o", "name")
    assert result.exit_code == 0, result
    assert result.stdout == "clusterstagedupdatestrategy.placement.kubernetes-fleet.io/a\n"
    assert _left(hub, "ClusterStagedUpdateStrategy") == ["b"]


def test_all_with_all_namespaces_deletes_both_kinds_naming_each_namespace(hub: Hub) -> None:
    _strategy(hub, "a")
    _strategy(hub, "b", "llm")
    result = invoke("fleet", "rollout", "strategy", "delete", "--all", "-A", "-y")
    assert result.exit_code == 0, result
    # The cluster-scoped first, as strategy list -A lists them; kubectl's line per namespaced object.
    assert result.stdout.splitlines() == [
        'clusterstagedupdatestrategy.placement.kubernetes-fleet.io "a" deleted',
        'stagedupdatestrategy.placement.kubernetes-fleet.io "b" deleted from llm namespace',
    ]
    assert _left(hub, "ClusterStagedUpdateStrategy") == [] and _left(hub, "StagedUpdateStrategy", "llm") == []


def test_all_with_a_namespace_deletes_only_that_namespaces_strategies(hub: Hub) -> None:
    _strategy(hub, "a")
    _strategy(hub, "b", "llm")
    result = invoke("fleet", "rollout", "strategy", "delete", "--all", "-n", "llm", "-y")
    assert result.exit_code == 0, result
    assert _left(hub, "ClusterStagedUpdateStrategy") == ["a"] and _left(hub, "StagedUpdateStrategy", "llm") == []


def test_a_missing_run_is_named_after_the_other_runs_are_deleted(hub: Hub) -> None:
    from tests.fleet.test_rollout_e2e import _staged

    _staged(hub)
    result = invoke("fleet", "rollout", "delete", "run-1", "nosuch", "-y")
    assert result.exit_code == 3, result
    assert "nosuch" in result.stderr
    assert _left(hub, "ClusterStagedUpdateRun") == []


def test_a_run_name_with_all_is_refused_before_anything_is_deleted(hub: Hub) -> None:
    _strategy(hub, "a")
    result = invoke("fleet", "rollout", "strategy", "delete", "a", "--all", "-y")
    assert result.exit_code == 2, result
    assert "error: name cannot be provided when a selector is specified" in result.stderr
    assert _left(hub, "ClusterStagedUpdateStrategy") == ["a"]


def test_a_bad_name_of_two_deletes_nothing(hub: Hub) -> None:
    _strategy(hub, "a")
    result = invoke("fleet", "rollout", "strategy", "delete", "a", "Bad_Name", "-y")
    assert result.exit_code == 2, result
    assert _left(hub, "ClusterStagedUpdateStrategy") == ["a"]


def test_a_name_with_all_namespaces_is_refused(hub: Hub) -> None:
    _strategy(hub, "a")
    result = invoke("fleet", "rollout", "delete", "run-1", "-A", "-y")
    assert result.exit_code == 2, result
    assert "a resource cannot be retrieved by name across all namespaces" in result.stderr


def test_an_arm_run_delete_takes_one_name(fleet: Any) -> None:
    result = invoke("fleet", "rollout", "delete", "up-1", "up-2", *ARM, "-y")
    assert result.exit_code == 2, result
    assert "--fleet deletes one update run by NAME" in result.stderr
    assert "leave out --fleet" in result.stderr


def test_an_arm_strategy_delete_takes_no_selector(fleet: Any) -> None:
    result = invoke("fleet", "rollout", "strategy", "delete", "-l", "team=ml", *ARM, "-y")
    assert result.exit_code == 2, result
    assert "--fleet deletes one" in result.stderr


def test_an_arm_delete_takes_no_all_namespaces(fleet: Any) -> None:
    result = invoke("fleet", "rollout", "delete", "--all", "-A", *ARM, "-y")
    assert result.exit_code == 2, result
    assert "-A/--all-namespaces applies to hub objects" in result.stderr


def test_check_choice_leaves_the_names_to_a_caller_that_checks_them_once() -> None:
    # The staged deletes check each name once, in staged_names with the TYPE it was given: no
    # second pass through check_choice (None, not a no-op check per name).
    from akscli.cli import delete_many

    assert delete_many.check_choice(["Not_A_Name"], None, False, "update run name", None) is None


def test_a_strategy_named_twice_is_deleted_then_named_not_found(hub: Hub) -> None:
    # As kubectl: each NAME typed is visited (cli-runtime builder.go visitByName), the second DELETE
    # finds it gone (delete_many._visited_again).
    _strategy(hub, "a")
    result = invoke("fleet", "rollout", "strategy", "delete", "a", "a", "-y")
    assert result.exit_code == 3, result
    assert result.stdout.splitlines() == ['clusterstagedupdatestrategy.placement.kubernetes-fleet.io "a" deleted']
    assert "not found" in result.stderr
