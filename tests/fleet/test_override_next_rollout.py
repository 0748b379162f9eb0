"""An override whose spec.placement names no placement reaches the members only with the placement's
next rollout; one that names it rolls out at once. Upstream: kubefleet-dev/kubefleet e160c1cd
apis/placement/v1beta1/override_types.go Placement ("Otherwise, it will be applied to the next
rollout"), pkg/controllers/rollout/controller.go handleClusterResourceOverrideSnapshot (a snapshot
naming no placement enqueues nothing); the simulator: fleet_rollout.triggers."""

from __future__ import annotations

from typing import Any

from tests.cli import invoke
from tests.fleet.conftest import Hub

P1 = "placement.kubernetes-fleet.io/v1"
PB = "placement.kubernetes-fleet.io/v1beta1"


def _override(hub: Hub, name: str, placement: str | None) -> None:
    patch = {"op": "add", "path": "/metadata/labels", "value": {"tier": "gpu"}}
    spec: dict[str, Any] = {
        "clusterResourceSelectors": [{"group": "", "version": "v1", "kind": "Namespace", "name": "llm"}],
        "policy": {"overrideRules": [{"clusterSelector": {"clusterSelectorTerms": []}, "jsonPatchOverrides": [patch]}]},
    }
    if placement is not None:
        spec["placement"] = {"name": placement}
    hub.cluster.create({"apiVersion": P1, "kind": "ClusterResourceOverride", "metadata": {"name": name}, "spec": spec})
    hub.settle()


def _carried(hub: Hub) -> dict[str, list[str]]:
    return {
        b["spec"]["targetCluster"]: list(b["spec"].get("clusterResourceOverrideSnapshots") or [])
        for b in hub.cluster.list(PB, "ClusterResourceBinding")
    }


def _placed(hub: Hub) -> None:
    result = invoke("fleet", "place", "llm", "--select", "namespace/llm", "-y")
    assert result.exit_code == 0, result
    hub.settle()


def test_an_override_naming_no_placement_waits_for_the_next_rollout(hub: Hub) -> None:
    _placed(hub)
    _override(hub, "unnamed", None)
    assert all(v == [] for v in _carried(hub).values())
    rows = hub.get("ClusterResourcePlacement", "llm")["status"]["placementStatuses"]
    assert not any("applicableClusterResourceOverrides" in r for r in rows)


def test_the_next_resource_snapshot_rolls_an_unnamed_override_out(hub: Hub) -> None:
    _placed(hub)
    _override(hub, "unnamed", None)
    hub.cluster.patch("v1", "ConfigMap", "llm", "model-config", {"data": {"model": "phi-4-mini"}})
    hub.settle()
    assert set(map(tuple, _carried(hub).values())) == {("unnamed-0",)}
    rows = hub.get("ClusterResourcePlacement", "llm")["status"]["placementStatuses"]
    assert all(r.get("applicableClusterResourceOverrides") == ["unnamed-0"] for r in rows)


def test_an_override_naming_the_placement_rolls_out_at_once(hub: Hub) -> None:
    _placed(hub)
    _override(hub, "named", "llm")
    assert set(map(tuple, _carried(hub).values())) == {("named-0",)}
