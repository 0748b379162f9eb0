"""`fleet placement delete` takes several names, -l/--selector or --all, as kubectl delete
(upstream: kubernetes/kubectl pkg/cmd/delete/delete.go DeleteOptions.Validate and DeleteResult;
kubernetes/cli-runtime pkg/resource/builder.go visitBySelector): every name is checked before
anything is sent, one confirmation and one wait cover them all, and a name the hub does not have
is named after the others are deleted."""

from __future__ import annotations

from tests.cli import invoke
from tests.fleet.conftest import Hub

P1 = "placement.kubernetes-fleet.io/v1"


def _two(hub: Hub) -> None:
    for name in ("one", "two"):
        placed = invoke("fleet", "place", name, "--select", "namespace/llm", "-y")
        assert placed.exit_code == 0, placed
    hub.settle()


def _left(hub: Hub) -> list[str]:
    return sorted(p["metadata"]["name"] for p in hub.cluster.list(P1, "ClusterResourcePlacement"))


def test_two_placements_are_deleted_in_one_command(hub: Hub) -> None:
    _two(hub)
    result = invoke("fleet", "placement", "delete", "one", "two", "-y", "-o", "name")
    assert result.exit_code == 0, result
    assert result.stdout.split() == [
        "clusterresourceplacement.placement.kubernetes-fleet.io/one",
        "clusterresourceplacement.placement.kubernetes-fleet.io/two",
    ]
    assert _left(hub) == []


def test_a_missing_placement_is_named_after_the_others_are_deleted(hub: Hub) -> None:
    _two(hub)
    result = invoke("fleet", "placement", "delete", "one", "nosuch", "two", "-y")
    assert result.exit_code == 3, result
    assert "nosuch" in result.stderr
    assert _left(hub) == []


def test_all_deletes_every_placement(hub: Hub) -> None:
    _two(hub)
    result = invoke("fleet", "placement", "delete", "--all", "-y")
    assert result.exit_code == 0, result
    assert _left(hub) == []


def test_a_name_with_a_selector_is_refused_and_nothing_is_deleted(hub: Hub) -> None:
    _two(hub)
    result = invoke("fleet", "placement", "delete", "one", "-l", "app=x", "-y")
    assert result.exit_code == 2, result
    assert "error: name cannot be provided when a selector is specified" in result.stderr
    assert _left(hub) == ["one", "two"]


def _cluster_and_namespaced(hub: Hub) -> None:
    placed = invoke("fleet", "place", "one", "--select", "namespace/llm", "-y")
    assert placed.exit_code == 0, placed
    placed = invoke(
        "fleet", "place", "cfg", "-n", "llm", "--select", "configmap/model-config", "--pick-fixed", "canary"
    )
    assert placed.exit_code == 0, placed
    hub.settle()


def test_every_typed_name_is_checked_against_the_namespace_not_only_the_last(hub: Hub) -> None:
    _cluster_and_namespaced(hub)
    result = invoke(
        "fleet", "placement", "delete", "clusterresourceplacement/one", "resourceplacement/cfg", "-n", "llm", "-y"
    )
    assert result.exit_code == 2, result
    assert "error: clusterresourceplacement is cluster-scoped: drop -n" in result.stderr
    assert _left(hub) == ["one"]
    assert [p["metadata"]["name"] for p in hub.cluster.list(P1, "ResourcePlacement", "llm")] == ["cfg"]


def test_all_with_all_namespaces_deletes_both_kinds_with_each_objects_namespace(hub: Hub) -> None:
    _cluster_and_namespaced(hub)
    result = invoke("fleet", "placement", "delete", "--all", "-A", "-y")
    assert result.exit_code == 0, result
    assert result.stdout.splitlines() == [
        'clusterresourceplacement.placement.kubernetes-fleet.io "one" deleted',
        'resourceplacement.placement.kubernetes-fleet.io "cfg" deleted from llm namespace',
    ]
    assert _left(hub) == [] and hub.cluster.list(P1, "ResourcePlacement", "llm") == []


def test_a_selector_across_namespaces_that_matches_nothing_says_no_resources_found(hub: Hub) -> None:
    _cluster_and_namespaced(hub)
    result = invoke("fleet", "placement", "delete", "-l", "team=none", "-A", "-y")
    assert result.exit_code == 0, result
    assert result.stderr.strip() == "No resources found"
    assert _left(hub) == ["one"]
