"""``fleet member show`` and ``fleet rollout strategy show``: one ARM GET each (as az fleet member
show and az fleet updatestrategy show), printed as ``fleet show`` prints a fleet (a key/value
table, -o json|yaml the resource, -o name ``kind/NAME``). They are also the commands that follow a
member's or a strategy's write akscli stopped waiting for (tests/fleet/test_arm_wait_cut.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.cli import invoke
from tests.fleet.armworld import ARM, aks_id, fleet_id, ok, seed_member


def test_member_show_prints_the_members_group_labels_state_and_cluster(fleet: Any) -> None:
    fleet.put_resource(
        f"{fleet_id(fleet)}/members/gpu",
        {"properties": {"clusterResourceId": aks_id(fleet, "aks-gpu"), "group": "cloud", "labels": {"env": "prod"}}},
    )
    out = ok("fleet", "member", "show", "gpu", *ARM)
    lines = dict(line.split(":", 1) for line in out.splitlines())
    assert lines["name"].strip() == "gpu"
    assert lines["type"].strip() == "AKS"
    assert lines["update group"].strip() == "cloud"
    assert "env" in lines["labels"] and "prod" in lines["labels"]
    assert lines["cluster"].strip() == aks_id(fleet, "aks-gpu")


def test_member_show_json_is_the_arm_resource(fleet: Any) -> None:
    seed_member(fleet, "gpu", aks_id(fleet, "aks-gpu"), "cloud")
    member = json.loads(ok("fleet", "member", "show", "gpu", *ARM, "-o", "json"))
    assert member["id"] == f"{fleet_id(fleet)}/members/gpu"
    assert member["properties"]["group"] == "cloud"


def test_member_show_name_prints_kind_and_name(fleet: Any) -> None:
    seed_member(fleet, "gpu", aks_id(fleet, "aks-gpu"), "cloud")
    assert ok("fleet", "member", "show", "gpu", *ARM, "-o", "name").strip() == "member/gpu"


def test_member_show_of_no_such_member_is_not_found(fleet: Any) -> None:
    result = invoke("fleet", "member", "show", "nosuch", *ARM)
    assert result.exit_code == 3, result
    assert "Traceback" not in result.stderr


def test_strategy_show_lists_each_stage_with_its_update_groups(fleet: Any) -> None:
    ok(
        "fleet",
        "rollout",
        "strategy",
        "create",
        "safe",
        *ARM,
        "--stage",
        "canary;groups=c1",
        "--stage",
        "rest;groups=c2,c3",
    )
    out = ok("fleet", "rollout", "strategy", "show", "safe", *ARM)
    lines = dict(line.split(":", 1) for line in out.splitlines())
    assert lines["name"].strip() == "safe"
    assert lines["state"].strip() == "Succeeded"
    assert lines["stages"].strip() == "canary: c1; rest: c2,c3"


def test_strategy_show_json_is_the_arm_resource(fleet: Any) -> None:
    ok("fleet", "rollout", "strategy", "create", "safe", *ARM, "--stage", "all;groups=cloud")
    strategy = json.loads(ok("fleet", "rollout", "strategy", "show", "safe", *ARM, "-o", "json"))
    assert strategy["id"] == f"{fleet_id(fleet)}/updateStrategies/safe"
    assert [s["name"] for s in strategy["properties"]["strategy"]["stages"]] == ["all"]


def test_strategy_show_with_fleet_refuses_a_namespace(fleet: Any) -> None:
    fleet.request_log.clear()
    result = invoke("fleet", "rollout", "strategy", "show", "safe", *ARM, "-n", "team-a")
    assert result.exit_code == 2, result
    assert result.stderr.startswith("error: -n/--namespace applies to hub objects;")
    assert fleet.request_log == []


@pytest.mark.usefixtures("hub")
def test_strategy_show_without_fleet_shows_the_hubs_strategy_and_the_members_each_stage_picks() -> None:
    ok(
        "fleet",
        "rollout",
        "strategy",
        "create",
        "safe",
        "--stage",
        "canary;labels=env=staging",
        "--stage",
        "prod",
        "-y",
    )
    out = ok("fleet", "rollout", "strategy", "show", "safe")
    lines = dict(line.split(":", 1) for line in out.splitlines())
    assert lines["name"].strip() == "safe"
    assert lines["stages"].strip() == "canary: env=staging; prod: all members"


def _profile(emu: Any) -> None:
    emu.put_resource(
        f"{fleet_id(emu)}/autoUpgradeProfiles/stable",
        {"properties": {"channel": "Stable", "nodeImageSelection": {"type": "Latest"}, "disabled": False}},
    )


def test_autoupgrade_show_prints_the_profiles_channel_and_state(fleet: Any) -> None:
    _profile(fleet)
    out = ok("fleet", "autoupgrade", "show", "stable", *ARM)
    lines = {key.strip(): value.strip() for key, value in (line.split(":", 1) for line in out.splitlines())}
    assert lines["name"] == "stable"
    assert lines["channel"] == "Stable"
    assert lines["node image selection"] == "Latest"
    assert lines["disabled"] == "no"
    assert lines["strategy"] == "<none>"


def test_autoupgrade_show_json_is_the_arm_resource_and_name_its_kind(fleet: Any) -> None:
    _profile(fleet)
    profile = json.loads(ok("fleet", "autoupgrade", "show", "stable", *ARM, "-o", "json"))
    assert profile["id"] == f"{fleet_id(fleet)}/autoUpgradeProfiles/stable"
    assert ok("fleet", "autoupgrade", "show", "stable", *ARM, "-o", "name").strip() == "autoupgradeprofile/stable"


def test_autoupgrade_show_of_no_such_profile_is_not_found(fleet: Any) -> None:
    result = invoke("fleet", "autoupgrade", "show", "nosuch", *ARM)
    assert result.exit_code == 3, result
    assert "Traceback" not in result.stderr
