"""The references of what ``fleet place`` and ``fleet rollout`` render resolve, as KubeFleet resolves
them (kubefleet-dev/kubefleet e160c1cd):

- An override applies to a placement's resources only when its spec.placement names that placement
  (a ResourceOverride with scope Namespaced: in its own namespace) and a selector names one of the
  placement's selected resources by group, version, kind and name (pkg/utils/overrider/overrider.go
  FetchAllMatchingOverridesForResourceSnapshot); a ClusterResourceOverride with a label selector or
  no name is refused by the webhook (pkg/utils/validator/clusterresourceoverride.go).
- A staged update run reads its placement and its strategy by name, a namespaced run in its own
  namespace (pkg/controllers/updaterun/initialization.go validatePlacement, and the strategy
  lookup); a missing one fails the run for good, so akscli reads both first
  (akscli/fleet/runchecks.check_runs, tests/fleet/test_rollout_create.py). The objects a placement
  selects are the user's: akscli warns for a missing one (fleet/matching.warn_missing_selected)."""

from __future__ import annotations

from typing import Any

import pytest

from akscli.errors import UsageError
from akscli.fleet import CRO, CRP, CSUR, CSUS, RO, RP, SUR, SUS
from akscli.fleet.placement import PlacementRequest, build
from akscli.fleet.rollout import run_objects, strategy_objects
from akscli.fleet.stages import StageSpec

OVERRIDE = '@/metadata/labels/tier="gold"'


def _key(selector: dict[str, Any]) -> tuple[str, str, str, str]:
    return (selector["group"], selector["version"], selector["kind"], selector.get("name", ""))


def _by_kind(objects: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {o["kind"]: o for o in objects}


def test_a_cluster_override_names_its_placement_and_only_resources_it_selects() -> None:
    objs = _by_kind(build(PlacementRequest(name="web", selects=["namespace/team-a"], overrides=[OVERRIDE])))
    placement, override = objs[CRP], objs[CRO]
    assert override["spec"]["placement"]["name"] == placement["metadata"]["name"]
    selected = {_key(s) for s in placement["spec"]["resourceSelectors"]}
    assert {_key(s) for s in override["spec"]["clusterResourceSelectors"]} <= selected


def test_a_namespaced_override_names_its_placement_in_its_own_namespace() -> None:
    request = PlacementRequest(name="web", namespace="team-a", selects=["deployment/web"], overrides=[OVERRIDE])
    objs = _by_kind(build(request))
    placement, override = objs[RP], objs[RO]
    assert override["spec"]["placement"] == {"name": "web", "scope": "Namespaced"}
    assert override["metadata"]["namespace"] == placement["metadata"]["namespace"]
    selected = {_key(s) for s in placement["spec"]["resourceSelectors"]}
    assert {_key(s) for s in override["spec"]["resourceSelectors"]} <= selected


# A bare `namespace` (every namespace) is refused before this, for kube-system (test_invalid_selectors.py).
@pytest.mark.parametrize("select", ["namespace:team=ml", "clusterrole"])
def test_a_cluster_override_of_a_placement_selecting_by_label_or_kind_is_refused(select: str) -> None:
    with pytest.raises(UsageError, match="a ClusterResourceOverride selects objects by name"):
        build(PlacementRequest(name="web", selects=[select], overrides=[OVERRIDE]))


@pytest.mark.parametrize(("namespace", "run_kind", "strategy_kind"), [(None, CSUR, CSUS), ("team-a", SUR, SUS)])
def test_a_run_names_the_strategy_of_its_own_scope(namespace: str | None, run_kind: str, strategy_kind: str) -> None:
    [strategy] = strategy_objects("waves", namespace, [StageSpec(name="canary", labels="env=canary")])
    [run] = run_objects("web-1", namespace, "web", "waves", None, start=True)
    assert (run["kind"], strategy["kind"]) == (run_kind, strategy_kind)
    assert run["spec"]["stagedRolloutStrategyName"] == strategy["metadata"]["name"]
    assert run["metadata"].get("namespace") == strategy["metadata"].get("namespace")
