"""An override that changes what a member gets makes its binding stale, as a new resource snapshot
does: the rollout controller moves it as the rollout strategy allows, and the binding names the
override snapshots it rolled out. Upstream: kubefleet-dev/kubefleet e160c1cd
pkg/controllers/rollout/controller.go pickBindingsToRoll (ClusterResourceOverrideSnapshots and
ResourceOverrideSnapshots compared with those that apply now), apis/placement/v1beta1/binding_types.go."""

from __future__ import annotations

from typing import Any

from tests.cli import invoke
from tests.emulators.kube.apiserver import wait_until
from tests.fleet.conftest import Hub

PB = "placement.kubernetes-fleet.io/v1beta1"
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
