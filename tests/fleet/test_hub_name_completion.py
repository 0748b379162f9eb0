"""TAB after `fleet place`, after a hub `fleet rollout` command that acts on an existing run, after
`fleet approve`, and after `fleet rollout strategy show|delete` offers the names the hub has, as
`fleet placement status <TAB>` does (complete.hub_placements) and kubectl completes `kubectl get
<kind> <TAB>` (kubernetes/kubectl pkg/util/completion/completion.go ResourceNameCompletionFunc):
ClusterStagedUpdateRuns and -Strategies, or with -n the namespace's StagedUpdateRuns and
-Strategies, read within complete.CLUSTER_TIMEOUT_S (complete._within). A command that creates the
run or strategy offers none, and with --fleet (Azure's update runs and strategies) none either."""

from __future__ import annotations

from typing import Any

import pytest

from akscli.cli.complete import protocol_lines
from akscli.cli.main import root_command
from akscli.fleet.rollout import run_objects, strategy_objects
from akscli.fleet.stages import parse_stages
from tests.cli import invoke
from tests.fleet.conftest import Hub


def _offered(*words: str) -> list[str]:
    return [line.split("\t")[0] for line in protocol_lines(["__complete", *words], root_command)[:-1]]


@pytest.fixture
def staged(hub: Hub) -> Hub:
    """A cluster-scoped strategy and run (canary, run-1) and namespaced ones in llm (team, team-run)."""
    for name, namespace, run in (("canary", None, "run-1"), ("team", "llm", "team-run")):
        objects: list[dict[str, Any]] = [
            *strategy_objects(name, namespace, parse_stages(["all"])),
            *run_objects(run, namespace, "llm", name, None, start=False),
        ]
        for obj in objects:
            hub.cluster.create(obj)
    hub.settle()
    return hub


def test_fleet_place_offers_the_hub_placements_to_update(hub: Hub) -> None:
    assert invoke("fleet", "place", "llm", "--select", "namespace/llm", "-y").exit_code == 0
    assert _offered("fleet", "place", "") == ["llm"]
    assert _offered("fleet", "place", "x") == []


@pytest.mark.parametrize(
    "words",
    [["rollout", "start"], ["rollout", "stop"], ["rollout", "status"], ["rollout", "delete"], ["approve"]],
)
def test_a_hub_run_name_completes_from_the_hub(staged: Hub, words: list[str]) -> None:
    assert _offered("fleet", *words, "") == ["run-1"]
    assert _offered("fleet", *words, "-n", "llm", "") == ["team-run"]


@pytest.mark.parametrize("verb", ["show", "delete"])
def test_a_hub_strategy_name_completes_from_the_hub(staged: Hub, verb: str) -> None:
    assert _offered("fleet", "rollout", "strategy", verb, "") == ["canary"]
    assert _offered("fleet", "rollout", "strategy", verb, "-n", "llm", "") == ["team"]


def test_creating_a_run_or_a_strategy_offers_no_name(staged: Hub) -> None:
    assert _offered("fleet", "rollout", "create", "") == []
    assert _offered("fleet", "rollout", "strategy", "create", "") == []


def test_with_fleet_no_hub_name_is_offered(staged: Hub) -> None:
    assert _offered("fleet", "rollout", "status", "--fleet", "fl", "-g", "rg", "") == []
    assert _offered("fleet", "rollout", "strategy", "show", "--fleet", "fl", "-g", "rg", "") == []
