"""`fleet place --dry-run=server --exit-code`: the placement's plan with kubectl diff's exit status
(0 nothing would change, 1 something would; kubernetes/kubectl pkg/cmd/diff/diff.go)."""

from __future__ import annotations

from tests.cli import assert_exit_code_needs_server_dry_run, invoke, server_diff
from tests.fleet.conftest import Hub

PLACE = ("fleet", "place", "llm", "--select", "namespace/llm", "--pick-all")


def test_a_new_placement_would_change_something_exit_1(hub: Hub) -> None:
    result = server_diff(*PLACE)
    assert result.exit_code == 1, result
    assert "clusterresourceplacement.placement.kubernetes-fleet.io/llm (cluster): will be created" in result.stdout


def test_the_same_placement_again_is_no_change_exit_0(hub: Hub) -> None:
    assert invoke(*PLACE, "-y").exit_code == 0
    result = server_diff(*PLACE)
    assert result.exit_code == 0, result


def test_exit_code_without_a_server_dry_run_is_one_usage_line() -> None:
    assert_exit_code_needs_server_dry_run(*PLACE)
