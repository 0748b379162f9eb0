"""The fleet commands that take an existing object's NAME take the line its list prints with -o name
(``member/NAME``, ``updaterun/NAME`` through ARM; ``clusterstagedupdaterun.placement.kubernetes-fleet.io/NAME``
on the hub) and every TYPE kubectl takes for the hub's resource (KubeFleet's CRDs: kind, plural,
singular, short names; k8s.io/cli-runtime pkg/resource/builder.go splitResourceTypeName, mappingFor).
They were refused as invalid names (exit 2). A TYPE that contradicts -n or --fleet is one line, exit 2."""

from __future__ import annotations

from typing import Any

import pytest

from tests.cli import invoke
from tests.fleet.armworld import ARM, seed_members
from tests.fleet.conftest import Hub
from tests.fleet.test_rollout_e2e import _runs_in_both_scopes


def _ok(*args: str) -> list[str]:
    result = invoke(*args)
    assert result.exit_code == 0, result
    return result.stdout.splitlines()


def test_each_line_of_hub_rollout_list_names_its_run_to_status(hub: Hub) -> None:
    _runs_in_both_scopes(hub)
    cluster_run, namespaced_run = _ok("fleet", "rollout", "list", "-A", "-o", "name")
    assert _ok("fleet", "rollout", "status", cluster_run, "-o", "name") == [cluster_run]
    assert _ok("fleet", "rollout", "status", namespaced_run, "-n", "llm", "-o", "name") == [namespaced_run]
    # kubectl's short name and Kind.
    assert _ok("fleet", "rollout", "status", "csur/run-1", "-o", "name") == [cluster_run]
    assert _ok("fleet", "placement", "status", "ClusterResourcePlacement/llm", "-o", "name") != []


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["sur/run-ns"], "error: sur is namespaced: give its namespace with -n NAMESPACE"),
        (["csur/run-1", "-n", "llm"], "error: csur is cluster-scoped: drop -n"),
        (["updaterun/run-1"], "error: updaterun/run-1 names an object of Azure Resource Manager (add --fleet)"),
        (
            ["crp/run-1"],
            "error: invalid update run name 'crp/run-1': give NAME or updaterun/NAME, "
            "as fleet rollout list -o name prints it",
        ),
    ],
    ids=["namespaced-kind-without-n", "cluster-kind-with-n", "arm-kind-on-the-hub", "another-type"],
)
def test_a_type_that_does_not_fit_is_one_usage_line(args: list[str], line: str) -> None:
    # No hub at all: each is refused before anything is read.
    result = invoke("fleet", "rollout", "status", *args, "--kubeconfig", "/nonexistent")
    assert result.exit_code == 2, result
    assert result.stderr.splitlines()[0] == line


def test_each_line_of_arm_member_list_names_the_member_to_show(fleet: Any) -> None:
    seed_members(fleet)
    lines = _ok("fleet", "member", "list", *ARM, "-o", "name")
    assert lines == ["member/edge", "member/gpu"]
    assert _ok("fleet", "member", "show", lines[1], *ARM, "-o", "name") == [lines[1]]
    hub_type = invoke("fleet", "rollout", "status", "csur/up-1", *ARM)
    assert hub_type.exit_code == 2, hub_type
    assert hub_type.stderr.splitlines()[0] == "error: csur/up-1 names an object of the fleet's hub (leave out --fleet)"
