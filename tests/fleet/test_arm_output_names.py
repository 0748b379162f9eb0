"""``-o name`` of one ARM fleet resource is the line its list prints for it (``kind/NAME``, kubectl's form:
k8s.io/cli-runtime pkg/printers/name.go), for the commands that show or create one."""

from __future__ import annotations

from typing import Any

import pytest

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


def test_arm_strategy_create_prints_kubectls_created_line_as_the_hub_strategy_and_rollout_create_do(
    fleet: Any,
) -> None:
    # It printed the whole resource as YAML (systemData, eTag) by default.
    created = ok("fleet", "rollout", "strategy", "create", "safe", *ARM, "--stage", "s;groups=cloud")
    assert created == "updatestrategy/safe created\n"


def test_autoupgrade_create_prints_kubectls_created_line_and_list_says_none_for_no_strategy(fleet: Any) -> None:
    # create printed the whole resource as YAML by default; list left the STRATEGY cell blank.
    assert ok("fleet", "autoupgrade", "create", "nightly", *ARM, "--channel", "Stable") == (
        "autoupgradeprofile/nightly created\n"
    )
    row = ok("fleet", "autoupgrade", "list", *ARM).splitlines()[1]
    assert row.split() == ["nightly", "Stable", "no", "<none>", "Succeeded"]


def test_arm_rollout_create_name_is_the_rollout_list_line(fleet: Any) -> None:
    seed_member(fleet, "gpu", aks_id(fleet, "aks-gpu"), "cloud")
    args = ("--upgrade-type", "NodeImageOnly", "-o", "name")
    assert ok("fleet", "rollout", "create", "up-1", *ARM, *args).split() == ["updaterun/up-1"]
    assert ok("fleet", "rollout", "list", *ARM, "-o", "name").split() == ["updaterun/up-1"]


@pytest.mark.parametrize(
    ("command", "name"),
    [
        (["create", FLEET, "-g", RG], f"fleet/{FLEET}"),
        (["delete", FLEET, "-g", RG], f"fleet/{FLEET}"),
        (["member", "join", "gpu", "--cluster", "aks-gpu", *ARM], "member/gpu"),
        (["member", "remove", "gpu", *ARM], "member/gpu"),
        (["autoupgrade", "delete", "nightly", *ARM], "autoupgradeprofile/nightly"),
        (["rollout", "strategy", "create", "safe", *ARM, "--stage", "s;groups=cloud"], "updatestrategy/safe"),
        (["rollout", "strategy", "delete", "safe", *ARM], "updatestrategy/safe"),
        (["rollout", "create", "up-1", *ARM, "--upgrade-type", "NodeImageOnly"], "updaterun/up-1"),
        (["rollout", "create", "up-1", *ARM, "--upgrade-type", "NodeImageOnly", "--start"], "updaterun/up-1"),
        (["rollout", "start", "up-1", *ARM], "updaterun/up-1"),
        (["rollout", "stop", "up-1", *ARM], "updaterun/up-1"),
        (["rollout", "skip", "up-1", *ARM, "--target", "Member:gpu"], "updaterun/up-1"),
        (["rollout", "delete", "up-1", *ARM], "updaterun/up-1"),
    ],
    ids=lambda v: " ".join(v[:2]) if isinstance(v, list) else None,
)
def test_a_dry_run_o_name_prints_what_list_prints_not_the_url_path(
    azure_env: Any, command: list[str], name: str
) -> None:
    # Was the request's URL path (docs/changes/audit11-grammar-left.md "Still weak").
    printed = ok("fleet", *command, "--dry-run", "-o", "name").split()
    assert set(printed) == {name}


def test_autoupgrade_create_dry_run_o_name_is_its_list_line(fleet: Any) -> None:
    printed = ok("fleet", "autoupgrade", "create", "nightly", *ARM, "--channel", "Stable", "--dry-run", "-o", "name")
    assert printed.split() == ["autoupgradeprofile/nightly"]


def test_approve_dry_run_o_name_prints_each_gate_as_gate_list_does(azure_env: Any) -> None:
    from tests.fleet.test_arm_run_dry_run import pending_gate

    for gate in ("g1", "g2"):
        pending_gate(azure_env, gate, "up-1")
    listed = sorted(ok("fleet", "gates", *ARM, "-o", "name").split())
    assert listed == ["gate/g1", "gate/g2"]
    assert sorted(ok("fleet", "approve", "up-1", *ARM, "--dry-run", "-o", "name").split()) == listed
