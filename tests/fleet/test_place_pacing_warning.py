"""`fleet place --max-unavailable N --wait` warns, before it starts, when KubeFleet's pacing cannot
be seen through within --timeout, or never ends: the members the placement stays on, goes to and
leaves (a change of policy in the same command counts), N taken out of service and --max-surge added
at a time, and for objects KubeFleet cannot track unavailablePeriodSeconds (60 s by default) between
steps (upstream: kubefleet-dev/kubefleet e160c1cd pkg/controllers/rollout/controller.go
calculateRealTarget, calculateMaxToRemove, calculateMaxToAdd, isBindingReady; akscli.fleet.pacing).
The line says the arithmetic and the --timeout that fits."""

from __future__ import annotations

from typing import Any

from akscli.fleet import pacing
from akscli.fleet.pacing import Change
from tests.cli import invoke
from tests.fleet.conftest import Hub

PLACE = ("fleet", "place", "llm", "--select", "namespace/llm", "-y")


def test_twelve_members_one_at_a_time_do_not_fit_the_default_ten_minutes() -> None:
    line = pacing.timeout_warning(Change(kept=12), "1", None, None, 600)
    assert line is not None
    assert "the placement is on 12 members and --max-unavailable 1 updates 1 at a time, 12 steps" in line
    assert "unavailablePeriodSeconds (60s) after each step, 11 x 60s = 660s, not less than --timeout (600s)" in line
    assert "Give --timeout 12m" in line
    assert "kubefleet-dev/kubefleet pkg/controllers/rollout/controller.go" in line


def test_ten_members_one_at_a_time_fit_ten_minutes() -> None:
    assert pacing.timeout_warning(Change(kept=10), "1", None, None, 600) is None


def test_a_percentage_is_of_the_members_rounded_up() -> None:
    assert pacing.members_at_once("25%", 10) == 3  # intstr.GetScaledValueFromIntOrPercent(..., roundUp=true)
    line = pacing.timeout_warning(Change(kept=10), "25%", None, 300, 600)
    assert line is not None and "updates 3 at a time, 4 steps" in line and "3 x 300s = 900s" in line


def test_no_period_is_not_estimated() -> None:
    assert pacing.timeout_warning(Change(kept=12), "1", None, 0, 60) is None


def test_members_added_are_bound_by_max_surge_then_the_others_are_updated() -> None:
    # PickN 3 -> 6, maxSurge 2: the three new members at once (target 6 + 2 - 3 can be ready), then
    # the three kept ones one a period once all six are ready (6 ready - (6 - 1)).
    played = pacing.rollout_seconds(Change(kept=3, added=3), unavailable=1, surge=2, period=60)
    assert (played.steps, played.seconds, played.stuck) == (4, 180, 0)


def test_members_left_are_removed_first_within_max_unavailable() -> None:
    # PickN 9 -> 6, maxUnavailable 1 of 6: 9 ready - 5 = 4 at once, three removals and one update.
    played = pacing.rollout_seconds(Change(kept=6, removed=3), unavailable=1, surge=2, period=60)
    assert (played.steps, played.seconds) == (6, 300)


def test_a_move_with_max_unavailable_zero_is_paced_by_max_surge_alone() -> None:
    # PickFixed a,b -> c,d with maxSurge 1: add one, remove one once it is ready, and again.
    played = pacing.rollout_seconds(Change(kept=0, added=2, removed=2, target=2), unavailable=0, surge=1, period=60)
    assert (played.steps, played.seconds, played.stuck) == (3, 120, 0)


def test_max_unavailable_zero_never_updates_the_members_a_placement_stays_on() -> None:
    line = pacing.timeout_warning(Change(kept=3), "0", "1", None, 600)
    assert line is not None
    assert "--wait may not see the rollout end: the placement is on 3 members;" in line
    assert "never reaches the 3 members it stays on. Give --max-unavailable 1 or more" in line
    assert "RollingUpdateConfig.MaxUnavailable" in line


def test_a_pick_n_short_of_matching_members_never_updates_in_place() -> None:
    # calculateRealTarget is numberOfClusters (5) though 3 match: more than 4 of 5 must be ready.
    line = pacing.timeout_warning(Change(kept=3, target=5), "1", None, None, 600)
    assert line is not None and "Give --max-unavailable 3 or more" in line


def _member(name: str, env: str) -> dict[str, Any]:
    return {"metadata": {"name": name, "labels": {"env": env}}}


MEMBERS = [_member("a", "prod"), _member("b", "staging"), _member("c", "prod")]


def _policy(env: str) -> dict[str, Any]:
    term = {"labelSelector": {"matchLabels": {"env": env}}}
    return {
        "placementType": "PickAll",
        "affinity": {
            "clusterAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"clusterSelectorTerms": [term]}}
        },
    }


def _on(policy: dict[str, Any], *members: str) -> dict[str, Any]:
    return {"spec": {"policy": policy}, "status": {"placementStatuses": [{"clusterName": m} for m in members]}}


def test_under_an_unchanged_policy_a_member_that_no_longer_matches_stays() -> None:
    # b's labels changed after it was picked: the scheduler does not filter a binding of the latest
    # policy snapshot again (framework.go runSchedulingCycleForPickAllPlacementType); c is new.
    assert pacing.change_for(_on(_policy("prod"), "a", "b"), _policy("prod"), MEMBERS) == Change(kept=2, added=1)


def test_a_new_policy_leaves_the_members_it_no_longer_matches() -> None:
    assert pacing.change_for(_on(_policy("prod"), "a", "b"), _policy("staging"), MEMBERS) == Change(kept=1, removed=1)


def test_pick_n_keeps_the_members_it_is_on_up_to_the_new_number() -> None:
    pick = {"placementType": "PickN", "numberOfClusters": 1}
    assert pacing.change_for(_on({**pick, "numberOfClusters": 3}, "a", "b", "c"), pick, MEMBERS) == Change(
        kept=1, removed=2, target=1
    )


def _placed(hub: Hub, *extra: str) -> None:
    result = invoke(*PLACE, *extra)
    assert result.exit_code == 0, result
    hub.settle()


def _workspace_in_llm(hub: Hub) -> None:
    """A KAITO Workspace: a kind KubeFleet cannot track (availability_tracker.go), so each member waits
    unavailablePeriodSeconds."""
    hub.cluster.create(
        {
            "apiVersion": "kaito.sh/v1beta1",
            "kind": "Workspace",
            "metadata": {"name": "phi-4", "namespace": "llm"},
            "resource": {"instanceType": "Standard_NC24ads_A100_v4", "labelSelector": {"matchLabels": {"apps": "phi"}}},
            "inference": {"preset": {"name": "phi-4-mini-instruct"}},
        }
    )


# A change of what the placement places on the env=prod members (gpu-east, cpu-west): an override it
# did not have.
GOLD = ("--override", 'env=prod@/metadata/labels/tier="gold"')


def test_an_update_that_cannot_fit_its_timeout_is_warned_before_it_starts(hub: Hub) -> None:
    _workspace_in_llm(hub)
    _placed(hub)  # on the three members
    result = invoke(*PLACE, *GOLD, "--max-unavailable", "1", "--unavailable-period", "300", "--wait", "--timeout", "5m")
    assert result.exit_code == 0, result  # the simulator's periods are 0 unless a test sets wait_scale
    # The override's rule selects env=prod: gpu-east and cpu-west, not canary (overrider.go isClusterMatched).
    assert (
        "warning: --wait may run out before the rollout ends: the placement is on 3 members, 2 of them to update in "
        "place and --max-unavailable 1 updates 1 at a time, 2 steps; for objects KubeFleet cannot track "
        "(here Workspace/phi-4)" in result.stderr
    )
    assert "1 x 300s = 300s, not less than --timeout (300s). Give --timeout 10m" in result.stderr


def test_an_update_that_fits_its_timeout_is_not_warned(hub: Hub) -> None:
    _workspace_in_llm(hub)
    _placed(hub)
    result = invoke(*PLACE, *GOLD, "--max-unavailable", "1", "--wait", "--timeout", "5m")
    assert result.exit_code == 0, result
    assert "may run out" not in result.stderr


def test_an_update_of_objects_kubefleet_tracks_waits_no_period_and_is_not_warned(hub: Hub) -> None:
    # A ConfigMap alone: a member is ready once available (isBindingReady), whatever the period.
    _placed(hub)
    result = invoke(*PLACE, *GOLD, "--max-unavailable", "1", "--unavailable-period", "300", "--wait", "--timeout", "5m")
    assert result.exit_code == 0, result
    assert "may run out" not in result.stderr


def test_a_re_place_that_changes_nothing_placed_is_not_warned(hub: Hub) -> None:
    # Same selectors, same objects, no override: every binding stays on its snapshot (pickBindingsToRoll).
    _workspace_in_llm(hub)
    _placed(hub)
    result = invoke(*PLACE, "--max-unavailable", "1", "--unavailable-period", "300", "--wait", "--timeout", "5m")
    assert result.exit_code == 0, result
    assert "warning: --wait may" not in result.stderr


def test_a_first_placement_is_not_paced_and_not_warned(hub: Hub) -> None:
    result = invoke(*PLACE, "--max-unavailable", "1", "--unavailable-period", "300", "--wait", "--timeout", "5m")
    assert result.exit_code == 0, result
    assert "may run out" not in result.stderr


def _to_three(*extra: str) -> Any:
    fixed = ("--pick-fixed", "gpu-east,cpu-west,canary")
    pace = ("--max-unavailable", "1", "--max-surge", "1", "--unavailable-period", "300", "--wait", "--timeout", "5m")
    return invoke(*PLACE, *fixed, *pace, *extra)


def test_a_change_to_more_members_in_the_same_command_is_counted(hub: Hub) -> None:
    _workspace_in_llm(hub)
    _placed(hub, "--pick-fixed", "gpu-east")
    result = _to_three(*GOLD)
    assert result.exit_code == 0, result
    assert (
        "the placement goes from 1 member to 3 (1 kept, 2 added, 0 left) and --max-unavailable 1 updates 1 at a time "
        "and --max-surge 1 adds up to 1 above the target of 3, 2 steps;"
    ) in result.stderr
    assert "1 x 300s = 300s, not less than --timeout (300s). Give --timeout 10m" in result.stderr


def test_members_added_while_the_kept_one_keeps_what_it_has_take_one_step(hub: Hub) -> None:
    # The kept member's binding stays up to date; the two new ones are bound at once (calculateMaxToAdd).
    _workspace_in_llm(hub)
    _placed(hub, "--pick-fixed", "gpu-east")
    result = _to_three()
    assert result.exit_code == 0, result
    assert "may run out" not in result.stderr


def test_a_change_to_fewer_members_that_fits_is_not_warned(hub: Hub) -> None:
    # PickN 3 -> 1, maxUnavailable 1 of 1: 3 ready - 0 = 3 at once, two removals and the update.
    _workspace_in_llm(hub)
    _placed(hub, "--pick-n", "3")
    result = invoke(
        *PLACE,
        *GOLD,
        "--pick-n",
        "1",
        "--max-unavailable",
        "1",
        "--unavailable-period",
        "300",
        "--wait",
        "--timeout",
        "5m",
    )
    assert result.exit_code == 0, result
    assert "may run out" not in result.stderr


def test_max_unavailable_zero_with_a_change_of_what_is_placed_is_warned(hub: Hub) -> None:
    # The hub is held while the command runs: its placement controller would otherwise pass over
    # the new generation (only the period changed) before its override controller takes the new
    # override's snapshot, and the wait would read a placement Available with the override not
    # rolled out (a race KubeFleet's separate controllers have too: docs/changes/audit32-flake32.md).
    # Held, the wait runs out (exit 5) whatever the order; once back, the hub holds both members.
    _placed(hub, "--max-unavailable", "0", "--max-surge", "1")
    hub.emu.controllers.remove(hub.controller)
    pace = ("--max-unavailable", "0", "--max-surge", "1", "--unavailable-period", "30")
    result = invoke(*PLACE, *GOLD, *pace, "--wait", "--timeout", "1s")
    hub.emu.controllers.add(hub.controller)  # a starting hub agent lists what is there
    assert result.exit_code == 5, result
    assert (
        "warning: --wait may not see the rollout end: the placement is on 3 members, 2 of them to update"
        in result.stderr
    )
    assert "never reaches the 2 members it stays on" in result.stderr
    hub.settle()
    rows = {r["clusterName"]: r for r in hub.get("ClusterResourcePlacement", "llm")["status"]["placementStatuses"]}
    started = {m: next(c for c in r["conditions"] if c["type"] == "RolloutStarted") for m, r in rows.items()}
    assert {m: (c["status"], c.get("reason")) for m, c in started.items() if c["status"] != "True"} == {
        "gpu-east": ("False", "RolloutNotStartedYet"),
        "cpu-west": ("False", "RolloutNotStartedYet"),
    }


def test_max_unavailable_zero_when_nothing_placed_changes_is_not_warned(hub: Hub) -> None:
    _placed(hub)
    result = invoke(*PLACE, "--max-unavailable", "0", "--max-surge", "1", "--wait", "--timeout", "1m")
    assert result.exit_code == 0, result
    assert "warning: --wait may" not in result.stderr
