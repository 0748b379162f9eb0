"""``--stage`` values become hub strategy stages or ARM update stages."""

from __future__ import annotations

import pytest

from akscli.errors import UsageError
from akscli.fleet.stages import StageSpec, arm_stages, hub_stages, parse_stage, parse_stages


def test_hub_stage_with_labels_sort_gates_and_wait() -> None:
    spec = parse_stage("canary;labels=env=canary;sort=order;max=25%;before=approval;after=approval;after=wait:1h30m")
    assert hub_stages([spec]) == [
        {
            "name": "canary",
            "labelSelector": {"matchLabels": {"env": "canary"}},
            "sortingLabelKey": "order",
            "maxConcurrency": "25%",
            "beforeStageTasks": [{"type": "Approval"}],
            "afterStageTasks": [{"type": "Approval"}, {"type": "TimedWait", "waitTime": "1h30m"}],
        }
    ]


def test_hub_stage_without_labels_selects_every_member() -> None:
    assert hub_stages([parse_stage("all")]) == [{"name": "all", "labelSelector": {}}]


def test_arm_stage_lists_groups_gates_and_the_wait_in_seconds() -> None:
    spec = parse_stage("prod;groups=east,west;max=2;before=approval;after=wait:10m")
    assert arm_stages([spec]) == [
        {
            "name": "prod",
            "groups": [{"name": "east"}, {"name": "west"}],
            "maxConcurrency": "2",
            "afterStageWaitInSeconds": 600,
            "beforeGates": [{"displayName": "approve before prod", "type": "Approval"}],
        }
    ]


def test_arm_stage_without_groups_is_refused() -> None:
    with pytest.raises(UsageError, match="no update groups"):
        arm_stages([parse_stage("prod")])


def test_hub_stage_with_groups_is_refused_with_the_hub_form() -> None:
    with pytest.raises(UsageError) as info:
        hub_stages([parse_stage("prod;groups=a")])
    assert "labels=" in (info.value.hint or "")


@pytest.mark.parametrize(
    "bad",
    [
        "",
        ";labels=a=b",
        "Prod",
        "x;color=blue",
        "x;max=0",
        "x;after=later",
        "x;after=wait:0s",
        "x;before=wait",
        "x;labels",
    ],
)
def test_malformed_stages_are_refused(bad: str) -> None:
    with pytest.raises(UsageError):
        parse_stage(bad)


def test_stage_names_must_be_unique() -> None:
    with pytest.raises(UsageError, match="same name"):
        parse_stages(["a", "a"])


def test_a_strategy_needs_a_stage() -> None:
    with pytest.raises(UsageError, match="at least one --stage"):
        parse_stages([])


# The hub's CRD (kubefleet-dev/kubefleet apis/placement/v1beta1/stageupdate_types.go): a stage name
# matches ^[a-z0-9]+$, a strategy has at most 31 stages, a percentage matches ^(100|[1-9][0-9]?)%$.


def test_hub_stage_name_with_a_dash_is_refused_before_it_is_sent() -> None:
    with pytest.raises(UsageError, match="lower-case letters and digits only") as info:
        hub_stages([parse_stage("canary-1")])
    assert "canary1" in (info.value.hint or "")


def test_the_hub_stage_name_rule_is_not_applied_to_arm_stages() -> None:
    assert arm_stages([parse_stage("canary-1;groups=a")])[0]["name"] == "canary-1"


def test_hub_strategy_of_more_than_31_stages_is_refused() -> None:
    with pytest.raises(UsageError, match="at most 31 stages"):
        hub_stages([parse_stage(f"s{i}") for i in range(32)])


def test_a_percentage_with_a_leading_zero_is_written_as_the_crd_takes_it() -> None:
    assert hub_stages([parse_stage("all;max=05%")])[0]["maxConcurrency"] == "5%"


def test_an_arm_stage_wait_past_the_int32_of_after_stage_wait_in_seconds_is_refused() -> None:
    # fleets.json 2026-06-01 UpdateStage.afterStageWaitInSeconds: integer, format int32.
    spec = StageSpec(name="prod", groups=["east"], after_wait_seconds=2**31)
    with pytest.raises(UsageError) as info:
        arm_stages([spec])
    assert str(info.value) == (
        "invalid wait after stage prod: 2147483648s is more than the Fleet API's afterStageWaitInSeconds holds "
        "(an int32: at most 2147483647s)"
    )


def test_the_longest_wait_after_a_stage_fits_the_int32() -> None:
    # after=wait: takes under a year (validate.MAX_DURATION): 8783h is the most, well inside an int32.
    assert arm_stages([parse_stage("prod;groups=east;after=wait:8783h")])[0]["afterStageWaitInSeconds"] == 31618800
    with pytest.raises(UsageError, match="longer than a year"):
        parse_stage("prod;groups=east;after=wait:8784h")


def test_strategy_show_tables_name_each_stages_sort_max_gates_and_waits() -> None:
    # The show tables printed only the members (or groups) of each stage: a strategy with an approval
    # gate read the same as one without.
    from akscli.fleet.arm import strategy_fields
    from akscli.fleet.stages import hub_strategy_fields

    specs = parse_stages(["canary;labels=env=canary;sort=order;max=25%;after=approval;after=wait:1h", "prod"])
    hub = dict(hub_strategy_fields({"metadata": {"name": "s"}, "spec": {"stages": hub_stages(specs)}}))
    assert hub["stages"] == "canary: env=canary (sort order, max 25%, after approval, after wait 1h); prod: all members"
    specs = parse_stages(["canary;groups=c1;max=2;before=approval;after=wait:10m", "rest;groups=c2"])
    arm = dict(strategy_fields({"name": "s", "properties": {"strategy": {"stages": arm_stages(specs)}}}))
    assert arm["stages"] == "canary: c1 (max 2, before approval, after wait 600s); rest: c2"


def test_a_stage_percentage_out_of_range_is_named_as_typed_with_a_percentage_hint() -> None:
    # the line said '150' and "the nearest value accepted is 100" (max=100 is 100 members)
    with pytest.raises(UsageError) as err:
        parse_stage("a;max=150%")
    assert str(err.value) == "invalid max of stage a '150%': it must be between 1% and 100%"
    assert err.value.hint == "the nearest value accepted is 100%"
