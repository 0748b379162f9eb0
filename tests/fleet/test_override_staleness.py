"""An override that changes what a member gets makes its binding stale, as a new resource snapshot
does: the rollout controller moves it as the rollout strategy allows, and the binding names the
override snapshots it rolled out. Upstream: kubefleet-dev/kubefleet e160c1cd
pkg/controllers/rollout/controller.go pickBindingsToRoll (ClusterResourceOverrideSnapshots and
ResourceOverrideSnapshots compared with those that apply now), apis/placement/v1beta1/binding_types.go."""

from __future__ import annotations

import json
from typing import Any

from akscli.fleet.placement import PlacementRequest, build
from akscli.fleet.rollout import run_objects, strategy_objects
from akscli.fleet.stages import parse_stages
from tests.cli import invoke
from tests.emulators.kube.apiserver import wait_until
from tests.fleet.conftest import Hub

PB = "placement.kubernetes-fleet.io/v1beta1"
P1 = "placement.kubernetes-fleet.io/v1"
C1 = "cluster.kubernetes-fleet.io/v1"
FAIL = "fleet.emulator/fail"
PLACE = ("fleet", "place", "llm", "--select", "namespace/llm")


def _ok(*args: str) -> None:
    result = invoke(*args)
    assert result.exit_code == 0, result


def _overrides(hub: Hub) -> dict[str, list[str]]:
    return {
        b["spec"]["targetCluster"]: b["spec"].get("clusterResourceOverrideSnapshots") or []
        for b in hub.cluster.list(PB, "ClusterResourceBinding")
    }


def _rows(hub: Hub) -> dict[str, dict[str, Any]]:
    rows = hub.get("ClusterResourcePlacement", "llm")["status"]["placementStatuses"]
    return {r["clusterName"]: {c["type"]: c for c in r["conditions"]} for r in rows}


def _annotate(hub: Hub, member: str, value: str | None) -> None:
    hub.cluster.patch(C1, "MemberCluster", None, member, {"metadata": {"annotations": {FAIL: value}}})
    hub.settle()


def _override_added_while_gpu_east_is_not_available(hub: Hub) -> None:
    _ok(*PLACE, "-y")
    hub.settle()
    _annotate(hub, "gpu-east", "available")
    _ok(*PLACE, "--override", '@/metadata/labels/tier="gpu"', "-y")
    hub.settle()


def test_a_new_override_is_held_back_by_the_rollout_strategy_like_a_new_snapshot(hub: Hub) -> None:
    # maxUnavailable 25% of 3 = 1 and gpu-east not available: 2 ready of the 2 that must stay, so
    # only gpu-east (its rollout failed) takes the override.
    _override_added_while_gpu_east_is_not_available(hub)
    assert _overrides(hub) == {"canary": [], "cpu-west": [], "gpu-east": ["llm-override-0"]}
    started = _rows(hub)["canary"]["RolloutStarted"]
    assert (started["status"], started["reason"]) == ("False", "RolloutNotStartedYet")


def test_the_override_reaches_every_member_once_the_rollout_may_go_on(hub: Hub) -> None:
    _override_added_while_gpu_east_is_not_available(hub)
    _annotate(hub, "gpu-east", None)
    assert wait_until(lambda: set(map(tuple, _overrides(hub).values())) == {("llm-override-0",)})


def test_an_override_changed_and_changed_back_unseen_takes_no_new_snapshot(hub: Hub) -> None:
    # The override controller snapshots an override when its spec's hash differs from the latest
    # snapshot's (kubefleet-dev/kubefleet e160c1cd pkg/controllers/overrider/clusterresource_controller.go
    # ensureClusterResourceOverrideSnapshot), not per generation: two changes made while the hub
    # agent was away, the second undoing the first, leave llm-override-0, and no member moves.
    _ok(*PLACE, "--override", '@/metadata/labels/tier="gpu"', "-y")
    hub.settle()
    assert wait_until(lambda: set(map(tuple, _overrides(hub).values())) == {("llm-override-0",)})
    hub.emu.controllers.remove(hub.controller)
    override = hub.get("ClusterResourceOverride", "llm-override")
    original = override["spec"]
    changed = json.loads(json.dumps(original).replace('"gpu"', '"cpu"'))
    for spec in (changed, original):
        hub.cluster.patch(P1, "ClusterResourceOverride", None, "llm-override", {"spec": spec})
    assert hub.get("ClusterResourceOverride", "llm-override")["metadata"]["generation"] == 3
    hub.emu.controllers.add(hub.controller)
    hub.settle()
    assert set(map(tuple, _overrides(hub).values())) == {("llm-override-0",)}


def test_an_update_run_binds_each_member_with_the_override_snapshots_it_recorded(hub: Hub) -> None:
    # recordOverrideSnapshots (pkg/controllers/updaterun/initialization.go) records them per member
    # in the run's status, and execution.go writes them on the member's binding as it updates it.
    objects = build(
        PlacementRequest(
            name="llm", selects=["namespace/llm"], external=True, overrides=['@/metadata/labels/tier="gpu"']
        )
    )
    objects += strategy_objects("all", None, parse_stages(["all;max=4"]))
    for obj in objects:
        hub.cluster.create(obj)
    hub.settle()
    for obj in run_objects("run-1", None, "llm", "all", None, start=True):
        hub.cluster.create(obj)
    hub.settle()
    run = hub.get("ClusterStagedUpdateRun", "run-1")
    recorded = {
        c["clusterName"]: c.get("clusterResourceOverrideSnapshots")
        for c in run["status"]["stagesStatus"][0]["clusters"]
    }
    assert recorded == {"canary": ["llm-override-0"], "cpu-west": ["llm-override-0"], "gpu-east": ["llm-override-0"]}
    assert _overrides(hub) == recorded


def _hub_override(
    hub: Hub, name: str, namespace: str, placement: dict[str, str] | None, scope: str = "NamespaceWithResources"
) -> None:
    """A ClusterResourceOverride written on the hub (not by akscli), for env=prod, of namespace ``namespace``."""
    selector = {"group": "", "version": "v1", "kind": "Namespace", "name": namespace, "selectionScope": scope}
    spec: dict[str, Any] = {
        "clusterResourceSelectors": [selector],
        "policy": {
            "overrideRules": [
                {
                    "clusterSelector": {"clusterSelectorTerms": [{"labelSelector": {"matchLabels": {"env": "prod"}}}]},
                    "jsonPatchOverrides": [{"op": "add", "path": "/metadata/labels/tier", "value": "gold"}],
                }
            ]
        },
    }
    if placement is not None:
        spec["placement"] = placement
    hub.cluster.create({"apiVersion": P1, "kind": "ClusterResourceOverride", "metadata": {"name": name}, "spec": spec})


def test_an_override_reaches_a_placement_only_through_what_it_selects_and_its_reference(hub: Hub) -> None:
    # overrider.go FetchAllMatchingOverridesForResourceSnapshot: no reference is any placement; the
    # selector must name a candidate of the snapshot (namespace llm here, not chat).
    _hub_override(hub, "any", "llm", None)
    _hub_override(hub, "other-namespace", "chat", None)
    # Another selectionScope: KubeFleet's webhook admits one override per selector, the whole
    # ResourceSelectorTerm (pkg/utils/validator/clusterresourceoverride.go
    # validateClusterResourceOverrideResourceLimit); the matching reads group, kind and name only.
    _hub_override(hub, "other-placement", "llm", {"name": "chat"}, "NamespaceOnly")
    _ok(*PLACE, "-y")
    hub.settle()
    assert _overrides(hub) == {"gpu-east": ["any-0"], "cpu-west": ["any-0"], "canary": []}
