"""``-o name`` of every fleet command that shows or changes one object prints that object as kubectl's
name printer does (k8s.io/cli-runtime pkg/printers/name.go: ``kind.group/NAME``; an ARM resource as
its list names it, ``kind/NAME``), and nothing else on stdout: the run of ``rollout status``, each
approval request or gate ``approve`` answered, the run ``rollout start|stop|skip`` changed, the
member ``member uncordon`` reopened."""

from __future__ import annotations

from typing import Any

from tests.cli import invoke
from tests.fleet.armworld import ARM, gates_of, ok, seed_members
from tests.fleet.conftest import Hub
from tests.fleet.test_arm_update_runs import _create, _strategy
from tests.fleet.test_rollout_e2e import _runs_in_both_scopes, _staged

RUN = "clusterstagedupdaterun.placement.kubernetes-fleet.io/run-1"


def _names(*args: str) -> list[str]:
    result = invoke(*args, "-o", "name")
    assert result.exit_code == 0, result
    return result.stdout.splitlines()


def test_hub_rollout_status_names_the_run_as_rollout_list_does(hub: Hub) -> None:
    _staged(hub)
    # It printed a STAGE/MEMBER line per row: canary/, canary/canary, canary/(after approval), ...
    assert _names("fleet", "rollout", "status", "run-1") == [RUN]
    assert _names("fleet", "rollout", "list") == [RUN]


def test_hub_rollout_status_of_a_namespaced_run_names_its_staged_update_run(hub: Hub) -> None:
    _runs_in_both_scopes(hub)
    assert _names("fleet", "rollout", "status", "run-ns", "-n", "llm") == [
        "stagedupdaterun.placement.kubernetes-fleet.io/run-ns"
    ]


def test_hub_approve_names_each_approval_request_it_answered_as_its_dry_run_does(hub: Hub) -> None:
    _staged(hub)
    planned = _names("fleet", "approve", "run-1", "--dry-run=client")
    assert planned == ["clusterapprovalrequest.placement.kubernetes-fleet.io/run-1-after-canary"]
    assert _names("fleet", "approve", "run-1") == planned  # it printed "approved run-1-after-canary (stage canary)"


def test_hub_rollout_stop_and_start_name_the_run(hub: Hub) -> None:
    _staged(hub)
    assert _names("fleet", "rollout", "stop", "run-1") == [RUN]  # it printed "... stopping (see when ...)"
    hub.settle()
    assert _names("fleet", "rollout", "start", "run-1") == [RUN]


def test_member_uncordon_names_the_member(hub: Hub) -> None:
    member = "membercluster.cluster.kubernetes-fleet.io/canary"
    assert invoke("fleet", "member", "drain", "canary", "-y").exit_code == 0
    assert _names("fleet", "member", "uncordon", "canary") == [member]  # it printed "... uncordoned"
    assert _names("fleet", "member", "uncordon", "canary") == [member]  # and "... already uncordoned"


def _gated(fleet: Any) -> None:
    seed_members(fleet)
    _strategy("cloud;groups=cloud;before=approval")
    _create("up-1", "--strategy", "safe")


def test_arm_rollout_status_start_stop_and_skip_name_the_run_as_rollout_list_does(fleet: Any) -> None:
    _gated(fleet)
    assert _names("fleet", "rollout", "start", "up-1", *ARM) == ["updaterun/up-1"]  # "... started: Pending, ..."
    assert _names("fleet", "rollout", "status", "up-1", *ARM) == ["updaterun/up-1"]  # STAGE/MEMBER rows
    assert _names("fleet", "rollout", "list", *ARM) == ["updaterun/up-1"]
    assert _names("fleet", "rollout", "skip", "up-1", *ARM, "--target", "Stage:cloud") == ["updaterun/up-1"]
    assert _names("fleet", "rollout", "stop", "up-1", *ARM) == ["updaterun/up-1"]  # "updaterun/up-1 stopping"


def test_arm_approve_names_each_gate_it_completed_as_gates_lists_it(fleet: Any) -> None:
    _gated(fleet)
    ok("fleet", "rollout", "start", "up-1", *ARM)
    [gate] = gates_of("up-1")
    assert _names("fleet", "gates", *ARM, "--pending") == [f"gate/{gate['name']}"]
    # It printed "approved gate NAME (Before stage cloud)"; where --wait ended goes to stderr.
    result = invoke("fleet", "approve", "up-1", *ARM, "--wait", "--timeout", "30s", "-o", "name")
    assert result.exit_code == 0, result
    assert result.stdout.splitlines() == [f"gate/{gate['name']}"]
    assert "update run up-1 completed" in result.stderr
