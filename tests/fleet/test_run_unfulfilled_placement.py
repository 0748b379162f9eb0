"""``fleet rollout create --start`` on a placement the scheduler could not fully schedule: KubeFleet
fails a run created then for good ("policy snapshot ... not fully scheduled yet", upstream:
kubefleet-dev/kubefleet e160c1cd pkg/controllers/updaterun/initialization.go determinePolicySnapshot),
and the scheduler tries again as members join (pkg/scheduler/watchers/membercluster/watcher.go). So
akscli waits on, and creates the run once the placement is fully scheduled."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from akscli.kube.readiness.fleet import placement_scheduled
from tests.cli import invoke
from tests.emulators.kube.apiserver import wait_until
from tests.fleet.conftest import Hub

P1 = "placement.kubernetes-fleet.io/v1"


def _scheduled(hub: Hub) -> dict[str, Any]:
    crp = hub.cluster.get(P1, "ClusterResourcePlacement", None, "llm") or {}
    conds = {c["type"]: c for c in (crp.get("status") or {}).get("conditions") or []}
    return dict(conds.get("ClusterResourcePlacementScheduled") or {})


def test_an_unfulfilled_placement_waits_for_the_run_and_says_why(hub: Hub) -> None:
    assert (
        invoke("fleet", "place", "llm", "--select", "namespace/llm", "--external", "--pick-n", "4", "-y").exit_code == 0
    )
    assert wait_until(lambda: _scheduled(hub).get("reason") == "SchedulingPolicyUnfulfilled", timeout=30)
    verdict = placement_scheduled(hub.get("ClusterResourcePlacement", "llm"))
    assert not verdict.ready and not verdict.failed  # it was exit 10 at once
    assert verdict.reason == "SchedulingPolicyUnfulfilled"
    assert "placed on 3 of 4 members" in verdict.message
    assert "the run is created once the placement is fully scheduled" in verdict.message
    assert "rolls out" not in verdict.message  # External: only update runs roll it out


def test_a_run_on_an_unfulfilled_placement_is_created_once_a_member_joins(hub: Hub) -> None:
    assert invoke("fleet", "rollout", "strategy", "create", "all", "--stage", "all;max=100%", "-y").exit_code == 0
    assert (
        invoke("fleet", "place", "llm", "--select", "namespace/llm", "--external", "--pick-n", "4", "-y").exit_code == 0
    )
    assert wait_until(lambda: _scheduled(hub).get("reason") == "SchedulingPolicyUnfulfilled", timeout=30)
    args = ("fleet", "rollout", "create", "run-1", "--placement", "llm", "--strategy", "all", "--start", "-y")
    with ThreadPoolExecutor(1) as pool:
        creating = pool.submit(invoke, *args)
        # Its watch of the placement is open (the simulator's controllers watch in process): it is waiting.
        watching = wait_until(lambda: any(hub.emu.api.store.watchers.values()), timeout=60)
        hub.member("north", {"env": "prod"})
        made = creating.result()
    assert watching
    assert made.exit_code == 0, made
    hub.settle()
    conds = {c["type"]: c for c in hub.get("ClusterStagedUpdateRun", "run-1")["status"]["conditions"]}
    assert conds["Initialized"]["status"] == "True", conds


def test_the_wait_for_an_unfulfilled_placement_ends_at_the_given_timeout(hub: Hub) -> None:
    assert invoke("fleet", "rollout", "strategy", "create", "all", "--stage", "all;max=100%", "-y").exit_code == 0
    assert (
        invoke("fleet", "place", "llm", "--select", "namespace/llm", "--external", "--pick-n", "4", "-y").exit_code == 0
    )
    assert wait_until(lambda: _scheduled(hub).get("reason") == "SchedulingPolicyUnfulfilled", timeout=30)
    made = invoke(
        "fleet", "rollout", "create", "run-1", "--placement", "llm", "--strategy", "all", "--start", "--timeout", "2s",
        "-y",
    )  # fmt: skip
    assert made.exit_code == 5, made  # was exit 2: --timeout was refused on the hub
    assert "timed out after 2s waiting for" in made.stderr
    assert hub.cluster.get(P1, "ClusterStagedUpdateRun", None, "run-1") is None
