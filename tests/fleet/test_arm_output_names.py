"""``-o name`` of one ARM fleet resource is the line its list prints for it (``kind/NAME``, kubectl's form:
k8s.io/cli-runtime pkg/printers/name.go), for the commands that show or create one."""

from __future__ import annotations

from typing import Any

from tests.fleet.armworld import ARM, FLEET, RG, aks_id, ok, seed_member


def test_fleet_show_name_is_the_fleet_list_line(fleet: Any) -> None:
    assert ok("fleet", "show", FLEET, "-g", RG, "-o", "name").split() == [f"fleet/{FLEET}"]
    assert ok("fleet", "list", "-g", RG, "-o", "name").split() == [f"fleet/{FLEET}"]


def test_fleet_create_name_is_the_fleet_list_line(azure_env: Any) -> None:
    assert ok("fleet", "create", "f2", "-g", RG, "-o", "name").split() == ["fleet/f2"]
    assert ok("fleet", "list", "-g", RG, "-o", "name").split() == ["fleet/f2"]


def test_member_join_name_is_the_member_list_line(fleet: Any) -> None:
    assert ok("fleet", "member", "join", "gpu", "--cluster", "aks-gpu", *ARM, "-o", "name").split() == ["member/gpu"]
    assert ok("fleet", "member", "list", *ARM, "-o", "name").split() == ["member/gpu"]


def test_autoupgrade_create_name_is_the_autoupgrade_list_line(fleet: Any) -> None:
    created = ok("fleet", "autoupgrade", "create", "nightly", *ARM, "--channel", "Stable", "-o", "name")
    assert created.split() == ["autoupgradeprofile/nightly"]
    assert ok("fleet", "autoupgrade", "list", *ARM, "-o", "name").split() == ["autoupgradeprofile/nightly"]


def test_arm_strategy_create_and_list_name_the_kind(fleet: Any) -> None:
    created = ok("fleet", "rollout", "strategy", "create", "safe", *ARM, "--stage", "s;groups=cloud", "-o", "name")
    assert created.split() == ["updatestrategy/safe"]
    assert ok("fleet", "rollout", "strategy", "list", *ARM, "-o", "name").split() == ["updatestrategy/safe"]


def test_arm_rollout_create_name_is_the_rollout_list_line(fleet: Any) -> None:
    seed_member(fleet, "gpu", aks_id(fleet, "aks-gpu"), "cloud")
    args = ("--upgrade-type", "NodeImageOnly", "-o", "name")
    assert ok("fleet", "rollout", "create", "up-1", *ARM, *args).split() == ["updaterun/up-1"]
    assert ok("fleet", "rollout", "list", *ARM, "-o", "name").split() == ["updaterun/up-1"]
