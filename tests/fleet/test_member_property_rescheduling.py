"""The hub simulator schedules again when a joined member's properties change, as KubeFleet's
membercluster watcher does (upstream: kubefleet-dev/kubefleet e160c1cd
pkg/scheduler/watchers/membercluster/watcher.go SetupWithManager's UpdateFunc: a property's value
changed). The simulator passes over every placement on any MemberCluster change, which includes it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.cli import invoke
from tests.emulators.kube.apiserver import wait_until
from tests.fleet.conftest import A100, C1, Hub

SIZE = "Standard_NC24ads_A100_v4"


def _props(value: str, seen: str) -> dict[str, Any]:
    return {"properties": {A100: {"value": value, "observationTime": seen}}}


def test_a_pick_n_wait_ends_once_a_joined_member_gains_an_a100_count(hub: Hub) -> None:
    hub.member("north", {"env": "prod"})
    hub.settle()
    args = ("fleet", "place", "llm", "--select", "namespace/llm", "--pick-n", "3", "--gpu-size", SIZE)
    with ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(invoke, *args, "--wait", "--timeout", "60s", "-y")
        crp = "placement.kubernetes-fleet.io/v1", "ClusterResourcePlacement", None, "llm"
        assert wait_until(lambda: "found 2 cluster(s)" in str(hub.cluster.get(*crp)), timeout=30)
        # The member's property provider reports two A100 nodes after it joined.
        hub.cluster.patch_status(C1, "MemberCluster", None, "north", _props("2", "2026-11-26T12:10:00Z"))
        result = waiting.result()
    assert result.exit_code == 0, result
    rows = hub.get("ClusterResourcePlacement", "llm")["status"]["placementStatuses"]
    assert sorted(r["clusterName"] for r in rows) == ["canary", "gpu-east", "north"]
