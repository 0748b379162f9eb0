"""Resource selectors KubeFleet's placement controller refuses: a resource selected twice, a reserved
namespace placed with its contents. The hub takes such a placement, then sets Scheduled=False,
reason InvalidResourceSelectors, and places nothing until the selectors change (upstream:
kubefleet-dev/kubefleet e160c1cd pkg/controllers/placement/controller.go handleUpdate,
pkg/utils/controller/resource_selector_resolver.go gatherSelectedResource and
fetchAllResourcesInOneNamespace, pkg/utils/common.go IsReservedNamespace)."""

from __future__ import annotations

from typing import Any

import pytest

from akscli.errors import UsageError
from akscli.fleet.placement import PlacementRequest, build
from akscli.kube.readiness import fleet as rules
from tests.cli import invoke
from tests.fleet.conftest import Hub

P1 = "placement.kubernetes-fleet.io/v1"
DUPLICATE = (
    "The resource selectors are invalid: failed to process the request due to a client error: "
    "found duplicate resource {Group: Version:v1 Kind:Namespace Name:llm Namespace: Envelope:<nil>}"
)


def _selectors(*selects: str, namespace_only: bool = False) -> list[dict[str, Any]]:
    objects = build(PlacementRequest(name="llm", selects=selects, namespace_only=namespace_only))
    return list(objects[-1]["spec"]["resourceSelectors"])


def test_a_select_given_twice_is_refused_before_anything_is_sent() -> None:
    with pytest.raises(UsageError, match="'namespace/llm' is given twice") as err:
        _selectors("namespace/llm", "namespace/llm")
    assert err.value.hint == "give each --select once"


@pytest.mark.parametrize("name", ["kube-system", "fleet-system", "kube-anything"])
def test_a_reserved_namespace_with_its_contents_is_refused(name: str) -> None:
    with pytest.raises(UsageError, match=f"reserved namespace {name}"):
        _selectors(f"namespace/{name}")


def test_the_default_namespace_with_its_contents_is_refused_as_the_hub_agent_skips_it() -> None:
    # cmd/hubagent/workload/setup.go: skippedNamespaces["default"] = true on every hub.
    with pytest.raises(UsageError, match="the KubeFleet hub agent skips namespace default"):
        _selectors("namespace/default")


def test_every_namespace_is_refused_as_it_takes_in_kube_system() -> None:
    with pytest.raises(UsageError, match="selects every namespace, default, kube-system and fleet-system among them"):
        _selectors("namespace")


def test_namespace_only_may_name_a_reserved_namespace() -> None:
    # NamespaceOnly reads the Namespace object alone (fetchResources), with no reserved-name check.
    assert _selectors("namespace/kube-system", namespace_only=True) == [
        {"group": "", "version": "v1", "kind": "Namespace", "name": "kube-system", "selectionScope": "NamespaceOnly"}
    ]


def _invalid(kind: str = "ClusterResourcePlacement", generation: int = 2) -> dict[str, Any]:
    return {
        "kind": kind,
        "metadata": {"name": "llm", "generation": 2},
        "spec": {"policy": {"placementType": "PickAll"}},
        "status": {
            "conditions": [
                {
                    "type": kind + "Scheduled",
                    "status": "False",
                    "reason": "InvalidResourceSelectors",
                    "message": DUPLICATE,
                    "observedGeneration": generation,
                }
            ]
        },
    }


@pytest.mark.parametrize("kind", ["ClusterResourcePlacement", "ResourcePlacement"])
def test_invalid_resource_selectors_end_the_placement_wait_with_the_selectors_to_fix(kind: str) -> None:
    verdict = rules.placement(_invalid(kind))
    assert verdict.failed
    assert verdict.reason == "InvalidResourceSelectors"
    assert "found duplicate resource" in verdict.message
    assert verdict.fix.startswith("change the placement's resource selectors (--select)")


def test_invalid_resource_selectors_of_an_older_generation_do_not_end_the_wait() -> None:
    assert not rules.placement(_invalid(generation=1)).failed


def test_a_run_does_not_wait_for_a_placement_with_invalid_resource_selectors() -> None:
    verdict = rules.placement_scheduled(_invalid())
    assert verdict.failed
    assert verdict.fix.startswith("change the placement's resource selectors")


def _crp(hub: Hub) -> dict[str, Any]:
    return hub.get("ClusterResourcePlacement", "llm")


def _scheduled(hub: Hub) -> dict[str, Any]:
    conds = {c["type"]: c for c in (_crp(hub).get("status") or {}).get("conditions") or []}
    return dict(conds.get("ClusterResourcePlacementScheduled") or {})


def _label_namespace(hub: Hub, name: str, labels: dict[str, str]) -> None:
    namespace = hub.cluster.get("v1", "Namespace", None, name)
    if namespace is None:
        hub.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}})
        return
    namespace["metadata"]["labels"] = {**(namespace["metadata"].get("labels") or {}), **labels}
    hub.cluster.update(namespace)


def test_a_namespace_selected_by_name_and_by_label_fails_the_wait_at_once(hub: Hub) -> None:
    _label_namespace(hub, "llm", {"team": "llm"})
    result = invoke(
        "fleet", "place", "llm", "--select", "namespace/llm", "--select", "namespace:team=llm",
        "--wait", "--timeout", "60s", "-y",
    )  # fmt: skip
    assert result.exit_code == 10, result
    assert "ClusterResourcePlacementScheduled=False (InvalidResourceSelectors)" in result.stderr
    assert "found duplicate resource {Group: Version:v1 Kind:Namespace Name:llm" in result.stderr
    assert "hint: change the placement's resource selectors (--select)" in result.stderr


def test_the_hub_places_nothing_for_invalid_resource_selectors(hub: Hub) -> None:
    _label_namespace(hub, "llm", {"team": "llm"})
    invoke("fleet", "place", "llm", "--select", "namespace/llm", "--select", "namespace:team=llm", "-y")
    hub.settle()
    status = _crp(hub).get("status") or {}
    assert _scheduled(hub)["message"] == DUPLICATE
    assert _scheduled(hub)["observedGeneration"] == 1
    assert [c["type"] for c in status["conditions"]] == ["ClusterResourcePlacementScheduled"]
    assert not status.get("placementStatuses")
    assert hub.cluster.list(P1, "ClusterResourceBinding") == []


def test_a_label_selector_taking_in_a_reserved_namespace_is_invalid_on_the_hub(hub: Hub) -> None:
    _label_namespace(hub, "llm", {"team": "llm"})
    _label_namespace(hub, "kube-system", {"team": "llm"})
    result = invoke("fleet", "place", "llm", "--select", "namespace:team=llm", "--wait", "--timeout", "60s", "-y")
    assert result.exit_code == 10, result
    assert "invalid clusterRresourcePlacement llm: namespace kube-system is not allowed to propagate" in result.stderr


def test_fixing_the_selectors_places_it(hub: Hub) -> None:
    _label_namespace(hub, "llm", {"team": "llm"})
    invoke("fleet", "place", "llm", "--select", "namespace/llm", "--select", "namespace:team=llm", "-y")
    hub.settle()
    result = invoke("fleet", "place", "llm", "--select", "namespace/llm", "--wait", "--timeout", "60s", "-y")
    assert result.exit_code == 0, result
    assert _scheduled(hub)["reason"] != "InvalidResourceSelectors"


def test_a_run_on_a_placement_with_invalid_selectors_is_not_created_and_says_why(hub: Hub) -> None:
    assert invoke("fleet", "rollout", "strategy", "create", "all", "--stage", "all;max=100%", "-y").exit_code == 0
    _label_namespace(hub, "llm", {"team": "llm"})
    placed = invoke(
        "fleet", "place", "llm", "--select", "namespace/llm", "--select", "namespace:team=llm", "--external", "-y"
    )
    assert placed.exit_code == 0, placed
    hub.settle()
    result = invoke("fleet", "rollout", "create", "run-1", "--placement", "llm", "--strategy", "all", "--start", "-y")
    assert result.exit_code == 10, result  # it waited up to its 5-minute timeout for members
    assert "InvalidResourceSelectors" in result.stderr
    assert "hint: change the placement's resource selectors (--select)" in result.stderr
    assert hub.cluster.get(P1, "ClusterStagedUpdateRun", None, "run-1") is None


def test_a_label_selector_taking_in_the_default_namespace_is_invalid_on_the_hub(hub: Hub) -> None:
    _label_namespace(hub, "llm", {"team": "llm"})
    _label_namespace(hub, "default", {"team": "llm"})
    result = invoke("fleet", "place", "llm", "--select", "namespace:team=llm", "--wait", "--timeout", "60s", "-y")
    assert result.exit_code == 10, result
    assert "invalid clusterRresourcePlacement llm: namespace default is not allowed to propagate" in result.stderr
    assert "no default, fleet-* or kube-* namespace with its contents" in result.stderr
