"""`fleet place --max-unavailable N --wait` warns, before it starts, when KubeFleet's pacing cannot
be seen through within --timeout: the members the placement is on, N at a time, and for objects
KubeFleet cannot track unavailablePeriodSeconds (60 s by default) between steps (upstream:
kubefleet-dev/kubefleet e160c1cd pkg/controllers/rollout/controller.go calculateMaxToRemove,
isBindingReady; akscli.fleet.pacing). The line says the arithmetic and the --timeout that fits."""

from __future__ import annotations

from akscli.fleet import pacing
from tests.cli import invoke
from tests.fleet.conftest import Hub

PLACE = ("fleet", "place", "llm", "--select", "namespace/llm", "-y")


def test_twelve_members_one_at_a_time_do_not_fit_the_default_ten_minutes() -> None:
    line = pacing.timeout_warning(12, "1", None, 600)
    assert line is not None
    assert "the placement is on 12 members and --max-unavailable 1 updates 1 at a time, 12 steps" in line
    assert "unavailablePeriodSeconds (60s) after each step, 11 x 60s = 660s, not less than --timeout (600s)" in line
    assert "Give --timeout 12m" in line
    assert "kubefleet-dev/kubefleet pkg/controllers/rollout/controller.go" in line


def test_ten_members_one_at_a_time_fit_ten_minutes() -> None:
    assert pacing.timeout_warning(10, "1", None, 600) is None


def test_a_percentage_is_of_the_members_rounded_up() -> None:
    assert pacing.members_at_once("25%", 10) == 3  # intstr.GetScaledValueFromIntOrPercent(..., roundUp=true)
    line = pacing.timeout_warning(10, "25%", 300, 600)
    assert line is not None and "updates 3 at a time, 4 steps" in line and "3 x 300s = 900s" in line


def test_zero_at_a_time_or_no_period_is_not_estimated() -> None:
    assert pacing.timeout_warning(12, "0", None, 60) is None
    assert pacing.timeout_warning(12, "1", 0, 60) is None


def _placed(hub: Hub) -> None:
    result = invoke(*PLACE)
    assert result.exit_code == 0, result
    hub.settle()


def test_an_update_that_cannot_fit_its_timeout_is_warned_before_it_starts(hub: Hub) -> None:
    _placed(hub)  # on the three members
    result = invoke(*PLACE, "--max-unavailable", "1", "--unavailable-period", "300", "--wait", "--timeout", "5m")
    assert result.exit_code == 0, result  # a ConfigMap is tracked: no period, the wait ends at once
    assert (
        "warning: --wait may run out before the rollout ends: the placement is on 3 members and --max-unavailable 1 "
        "updates 1 at a time, 3 steps;" in result.stderr
    )
    assert "2 x 300s = 600s, not less than --timeout (300s). Give --timeout 15m" in result.stderr


def test_an_update_that_fits_its_timeout_is_not_warned(hub: Hub) -> None:
    _placed(hub)
    result = invoke(*PLACE, "--max-unavailable", "1", "--wait", "--timeout", "5m")
    assert result.exit_code == 0, result
    assert "may run out" not in result.stderr


def test_a_first_placement_is_not_paced_and_not_warned(hub: Hub) -> None:
    result = invoke(*PLACE, "--max-unavailable", "1", "--unavailable-period", "300", "--wait", "--timeout", "5m")
    assert result.exit_code == 0, result
    assert "may run out" not in result.stderr
