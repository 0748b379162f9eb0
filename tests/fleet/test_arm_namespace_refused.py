"""-n/--namespace (and -A) say where a hub object lives. Through ARM (--fleet) an update run, its
gates and a strategy are child resources of the fleet and have no namespace (upstream:
azure-mgmt-containerservicefleet 4.0.0 operations: update_runs, fleet_update_strategies and gates
take a resource group, a fleet and a name), so with --fleet the flag is refused (exit 2, nothing
read or sent) rather than accepted and ignored."""

from __future__ import annotations

import shlex
from typing import Any

import pytest

from tests.cli import invoke
from tests.fleet.armworld import ARM

NAMESPACE_REFUSED = (
    "error: -n/--namespace applies to hub objects; the fleet's update runs and strategies in Azure (--fleet) have "
    "no namespace"
)
NAMESPACED = {
    "approve": ["fleet", "approve", "up-1", *ARM, "-y"],
    "rollout create": ["fleet", "rollout", "create", "up-1", *ARM, "--upgrade-type", "NodeImageOnly", "-y"],
    "rollout start": ["fleet", "rollout", "start", "up-1", *ARM, "-y"],
    "rollout stop": ["fleet", "rollout", "stop", "up-1", *ARM, "-y"],
    "rollout status": ["fleet", "rollout", "status", "up-1", *ARM],
    "rollout list": ["fleet", "rollout", "list", *ARM],
    "rollout delete": ["fleet", "rollout", "delete", "up-1", *ARM, "-y"],
    "strategy create": ["fleet", "rollout", "strategy", "create", "safe", *ARM, "--stage", "all;groups=cloud", "-y"],
    "strategy list": ["fleet", "rollout", "strategy", "list", *ARM],
    "strategy delete": ["fleet", "rollout", "strategy", "delete", "safe", *ARM, "-y"],
}


@pytest.mark.parametrize("command", list(NAMESPACED.values()), ids=list(NAMESPACED))
def test_namespace_with_fleet_is_refused_and_nothing_is_read_or_sent(fleet: Any, command: list[str]) -> None:
    fleet.request_log.clear()
    result = invoke(*command, "-n", "team-a")
    assert result.exit_code == 2, result
    first = result.stderr.splitlines()[0]
    assert first == NAMESPACE_REFUSED, result.stderr
    assert "Traceback" not in result.stderr
    assert fleet.request_log == []


@pytest.mark.parametrize(
    "command", [NAMESPACED["rollout list"], NAMESPACED["strategy list"]], ids=["runs", "strategies"]
)
def test_all_namespaces_with_fleet_is_refused_and_nothing_is_read(fleet: Any, command: list[str]) -> None:
    fleet.request_log.clear()
    result = invoke(*command, "-A")
    assert result.exit_code == 2, result
    assert result.stderr.splitlines()[0].startswith("error: -A/--all-namespaces applies to hub objects;")
    assert fleet.request_log == []


# Every command with a hub path and an ARM one (@on_fleet and @on_hub).
HUB_AND_ARM = {**NAMESPACED, "strategy show": ["fleet", "rollout", "strategy", "show", "safe", *ARM]}


@pytest.mark.parametrize("command", list(HUB_AND_ARM.values()), ids=list(HUB_AND_ARM))
def test_a_hub_connection_flag_with_fleet_is_refused_with_the_line_without_it(fleet: Any, command: list[str]) -> None:
    # --fleet acts through ARM; --context, --kubeconfig and --request-timeout were dropped unsaid.
    fleet.request_log.clear()
    result = invoke(*command, "--context", "nope", "--request-timeout=5s")
    assert result.exit_code == 2, result
    first = result.stderr.splitlines()[0]
    assert first.startswith("error: 'akscli fleet ") and "' with --fleet acts through Azure Resource Manager" in first
    assert "so it takes no --context" in first
    assert f"hint: akscli {shlex.join(command)}\n" in result.stderr  # both flags dropped
    assert fleet.request_log == []
