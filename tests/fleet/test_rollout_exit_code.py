"""`fleet rollout create|start|stop` and `fleet rollout strategy create` on the hub with
`--dry-run=server --exit-code`: the server dry run's plan with kubectl diff's exit status, 0
nothing would change, 1 something would (kubernetes/kubectl pkg/cmd/diff/diff.go), as
`fleet place --exit-code`; the two creates never 0: 1, or 4 for a taken name."""

from __future__ import annotations

import pytest

from akscli.fleet.placement import PlacementRequest, build
from akscli.fleet.rollout import run_objects, strategy_objects
from akscli.fleet.stages import parse_stages
from tests.cli import assert_exit_code_needs_server_dry_run, invoke, server_diff
from tests.fleet.conftest import Hub

STRATEGY = ("fleet", "rollout", "strategy", "create", "all", "--stage", "all;max=100%")
RUN = ("fleet", "rollout", "create", "run-1", "--placement", "llm", "--strategy", "all")


def _placed(hub: Hub, stage: str = "all;max=100%") -> None:
    """An External placement of namespace llm and the strategy `all`, on the hub."""
    for obj in build(PlacementRequest(name="llm", selects=["namespace/llm"], external=True)):
        hub.cluster.create(obj)
    for obj in strategy_objects("all", None, parse_stages([stage])):
        hub.cluster.create(obj)
    hub.settle()


def _run(hub: Hub, *, start: bool) -> None:
    # The stage waits for an approval before it starts, so a started run stays started while the
    # command reads it: with nothing holding it, a run over no member ends at once and a start of a
    # finished run is refused (exit 4), however fast the command is.
    _placed(hub, "all;max=100%;before=approval")
    for obj in run_objects("run-1", None, "llm", "all", None, start=start):
        hub.cluster.create(obj)


def test_a_new_strategy_would_change_something_exit_1(hub: Hub) -> None:
    result = server_diff(*STRATEGY)
    assert result.exit_code == 1, result
    assert "will be created" in result.stdout


def test_a_strategy_that_exists_is_the_creates_conflict_exit_4(hub: Hub) -> None:
    # Refused as the create itself refuses it (kubectl create --dry-run=server: AlreadyExists); the
    # apply had replaced its stages, and the server dry run said "no change" for the same ones.
    assert invoke(*STRATEGY, "-y").exit_code == 0
    result = server_diff(*STRATEGY)
    assert result.exit_code == 4, result
    assert "error: staged update strategy all already exists" in result.stderr


def test_a_new_run_would_change_something_exit_1(hub: Hub) -> None:
    _placed(hub)
    result = server_diff(*RUN)
    assert result.exit_code == 1, result
    assert "clusterstagedupdaterun.placement.kubernetes-fleet.io/run-1 (cluster): will be created" in result.stdout


def test_a_run_that_exists_is_the_creates_conflict_exit_4(hub: Hub) -> None:
    # The server's dry-run create answers AlreadyExists (kubectl create --dry-run=server); the
    # dry-run apply said "no change" for the same run, and the apply would have gone over it.
    _placed(hub)
    assert invoke(*RUN, "-y").exit_code == 0
    result = server_diff(*RUN)
    assert result.exit_code == 4, result
    assert "error: staged update run run-1 already exists" in result.stderr


def test_starting_a_run_not_started_would_change_it_exit_1(hub: Hub) -> None:
    _run(hub, start=False)
    result = server_diff("fleet", "rollout", "start", "run-1")
    assert result.exit_code == 1, result


def test_starting_a_started_run_is_no_change_exit_0(hub: Hub) -> None:
    _run(hub, start=True)
    result = server_diff("fleet", "rollout", "start", "run-1")
    assert result.exit_code == 0, result


def test_stopping_a_started_run_would_change_it_exit_1(hub: Hub) -> None:
    _run(hub, start=True)
    result = server_diff("fleet", "rollout", "stop", "run-1")
    assert result.exit_code == 1, result


@pytest.mark.parametrize(
    "command",
    [
        STRATEGY,
        RUN,
        ("fleet", "rollout", "start", "run-1"),
        ("fleet", "rollout", "stop", "run-1"),
    ],
)
def test_exit_code_without_a_server_dry_run_is_one_usage_line(command: tuple[str, ...]) -> None:
    assert_exit_code_needs_server_dry_run(*command)


@pytest.mark.parametrize("command", [STRATEGY[:4], RUN[:3]])
def test_a_creates_exit_code_help_says_a_taken_name_is_4_never_0(command: tuple[str, ...]) -> None:
    result = invoke(*command, "--help")
    said = " ".join(result.stdout.split())
    assert "exit 1 when the create would go through, 4 when the name is taken" in said, said
    assert "0 when nothing would" not in said
