"""How an eviction's conditions are read, as kubectl-fleet's draincluster reads them."""

from __future__ import annotations

from typing import Any

from akscli.fleet.drain import classify, eviction_name


def _eviction(*conditions: tuple[str, str, str]) -> dict[str, Any]:
    return {"status": {"conditions": [{"type": t, "status": s, "message": m} for t, s, m in conditions]}}


def test_an_eviction_without_a_verdict_is_not_terminal() -> None:
    assert classify({}) is None
    assert classify(_eviction(("Valid", "True", "ok"))) is None


def test_executed_eviction_means_evicted() -> None:
    assert classify(_eviction(("Valid", "True", ""), ("Executed", "True", "allowed")))[0] == "Evicted"


def test_eviction_refused_by_a_disruption_budget_is_blocked_with_its_message() -> None:
    message = (
        "Eviction is blocked by specified ClusterResourcePlacementDisruptionBudget, availablePlacements: 2, "
        "totalPlacements: 3"
    )
    verdict = classify(_eviction(("Valid", "True", ""), ("Executed", "False", message)))
    assert verdict == ("Blocked", message)


def test_invalid_eviction_of_a_missing_placement_means_nothing_is_left_to_evict() -> None:
    verdict = classify(_eviction(("Valid", "False", "Failed to find ClusterResourcePlacement targeted by eviction")))
    assert verdict is not None and verdict[0] == "AlreadyGone"


def test_an_eviction_refused_for_a_pick_fixed_placement_is_not_a_budget_block() -> None:
    verdict = classify(
        _eviction(
            ("Valid", "False", "Found ClusterResourcePlacement with PickFixed placement type targeted by eviction")
        )
    )
    assert verdict is not None and verdict[0] == "PickFixed"


def test_an_eviction_of_a_placement_not_rolled_out_yet_is_not_a_budget_block() -> None:
    message = "Eviction is blocked, placement has not propagated resources to target cluster yet"
    verdict = classify(_eviction(("Valid", "True", "Eviction is valid"), ("Executed", "False", message)))
    assert verdict is not None and verdict[0] == "NotPlacedYet"


def test_an_eviction_refused_for_two_bindings_on_the_member_waits_for_the_old_one_to_go() -> None:
    # validateEviction (EvictionInvalidMultipleCRBMessage): one binding being deleted, one new.
    verdict = classify(
        _eviction(
            ("Valid", "False", "Found more than one scheduler decision for placement in cluster targeted by eviction")
        )
    )
    assert verdict is not None and verdict[0] == "StillRemoving"


def test_other_invalid_evictions_are_unconfirmed() -> None:
    verdict = classify(_eviction(("Valid", "False", "a reason this akscli does not know")))
    assert verdict is not None and verdict[0] == "Unconfirmed"


def test_eviction_names_are_unique_valid_object_names_even_for_long_placements() -> None:
    first, second = eviction_name("p" * 240, "member-1"), eviction_name("p" * 240, "member-1")
    assert first != second
    assert len(first) <= 253
