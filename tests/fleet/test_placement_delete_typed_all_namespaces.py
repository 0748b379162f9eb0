"""`fleet placement delete clusterresourceplacement/NAME -A`: kubectl reads a name of a
cluster-scoped kind with no namespace and ignores -A (upstream: kubernetes/cli-runtime
pkg/resource/builder.go visitByName: `if mapping.Scope.Name() != meta.RESTScopeNameNamespace {
selectorNamespace = "" }`; only a namespaced mapping reaches "a resource cannot be retrieved by
name across all namespaces"); the staged deletes' cluster-scoped TYPEs too. A ResourcePlacement's
TYPE, or a bare name (the fleet deletes' -A spans both kinds, so it does not say which), is
refused as before."""

from __future__ import annotations

from tests.cli import invoke
from tests.fleet.conftest import Hub
from tests.fleet.test_placement_delete_many import _left, _two
from tests.fleet.test_staged_delete_many import _left as _strategies_left
from tests.fleet.test_staged_delete_many import _strategy

CRP = "clusterresourceplacement.placement.kubernetes-fleet.io"


def test_a_cluster_scoped_type_and_name_with_all_namespaces_is_deleted(hub: Hub) -> None:
    _two(hub)
    result = invoke("fleet", "placement", "delete", f"{CRP}/one", "clusterresourceplacement/two", "-A", "-y")
    assert result.exit_code == 0, result
    assert result.stdout.splitlines() == [f'{CRP} "one" deleted', f'{CRP} "two" deleted']
    assert _left(hub) == []


def test_a_namespaced_type_and_name_with_all_namespaces_is_refused(hub: Hub) -> None:
    _two(hub)
    result = invoke("fleet", "placement", "delete", "clusterresourceplacement/one", "resourceplacement/two", "-A", "-y")
    assert result.exit_code == 2, result
    assert result.stderr.startswith("error: a resource cannot be retrieved by name across all namespaces (")
    assert _left(hub) == ["one", "two"]


def test_a_bare_name_with_all_namespaces_is_refused_as_before(hub: Hub) -> None:
    _two(hub)
    result = invoke("fleet", "placement", "delete", "one", "-A", "-y")
    assert result.exit_code == 2, result
    assert "cannot be retrieved by name across all namespaces" in result.stderr
    assert _left(hub) == ["one", "two"]


def test_a_cluster_scoped_strategy_type_and_name_with_all_namespaces_is_deleted(hub: Hub) -> None:
    _strategy(hub, "a")
    result = invoke("fleet", "rollout", "strategy", "delete", "clusterstagedupdatestrategy/a", "-A", "-y")
    assert result.exit_code == 0, result
    assert result.stdout.splitlines() == ['clusterstagedupdatestrategy.placement.kubernetes-fleet.io "a" deleted']
    assert _strategies_left(hub, "ClusterStagedUpdateStrategy") == []
