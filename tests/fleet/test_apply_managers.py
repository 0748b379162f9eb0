"""What a member's work applier does when a placement's apply strategy changes after it applied: the
field managers a server-side apply meets, and an object it shares with another owner. Upstream:
kubefleet-dev/kubefleet e160c1cd pkg/controllers/workapplier/apply.go (serverSideApply,
shouldUseForcedServerSideApply, validateOwnerReferences) and controller.go workFieldManagerName; the
simulator: tests/emulators/kube/controllers/fleet_apply_strategy.py FieldManagers."""

from __future__ import annotations

from tests.cli import invoke
from tests.emulators.kube.controllers.fleet_apply_strategy import PRE_EXISTING
from tests.fleet.conftest import Hub
from tests.fleet.test_apply_strategy import _annotate, _applied, _place, _row

SSA = ("--apply-strategy", "ServerSideApply")
APPLIED = ("True", "AllWorkHaveBeenApplied")


def _change_hub_object(hub: Hub) -> None:
    """A new manifest of the object the simulator's field managers hold (the last selected one)."""
    hub.cluster.patch("v1", "ConfigMap", "llm", "model-config", {"data": {"model": "phi-4-mini"}})
    hub.settle()


def _message(hub: Hub) -> str:
    [failed] = _row(hub)["failedPlacements"]
    return str(failed["condition"]["message"])


def test_server_side_apply_after_client_side_apply_applies_the_same_manifest(hub: Hub) -> None:
    # The client-side apply (an Update) took /spec/replicas from the other manager; the server-side
    # apply changes no value, so it shares the field without a conflict.
    _annotate(hub, PRE_EXISTING, "managed")
    assert _place(wait=True).exit_code == 0
    result = _place(*SSA, wait=True)
    assert result.exit_code == 0, result
    assert _applied(_row(hub)) == APPLIED


def test_a_new_manifest_after_client_then_server_side_apply_conflicts_with_fleets_own_update(hub: Hub) -> None:
    # Another manager still holds fields there, so shouldUseForcedServerSideApply does not force it.
    _annotate(hub, PRE_EXISTING, "managed")
    assert _place(wait=True).exit_code == 0
    assert _place(*SSA, wait=True).exit_code == 0
    _change_hub_object(hub)
    assert _applied(_row(hub)) == ("False", "NotAllWorkHaveBeenApplied")
    assert _message(hub).endswith('conflict with "work-api-agent" using v1: .spec.replicas)')
    result = _place(*SSA, wait=True)
    assert result.exit_code == 10, result
    said = " ".join(result.stderr.split())
    assert "KubeFleet's own client-side apply (field manager work-api-agent" in said
    assert "--server-side-apply-force" in said


def test_an_unforced_server_side_apply_after_a_forced_one_keeps_the_field(hub: Hub) -> None:
    _annotate(hub, PRE_EXISTING, "managed")
    assert _place(*SSA, "--server-side-apply-force", wait=True).exit_code == 0
    result = _place(*SSA, wait=True)
    assert result.exit_code == 0, result
    _change_hub_object(hub)
    assert _applied(_row(hub)) == APPLIED


def test_an_object_fleet_created_has_no_conflict_after_a_switch_to_server_side_apply(hub: Hub) -> None:
    # Guard: every manager is Fleet's, so shouldUseForcedServerSideApply forces the apply.
    assert _place(wait=True).exit_code == 0
    assert _place(*SSA, wait=True).exit_code == 0
    _change_hub_object(hub)
    assert _applied(_row(hub)) == APPLIED


def test_a_shared_object_fails_to_apply_once_co_ownership_is_turned_off_and_names_the_flag(hub: Hub) -> None:
    _annotate(hub, PRE_EXISTING, "owned")
    assert _place("--allow-co-ownership", wait=True).exit_code == 0
    result = _place(wait=True)
    assert result.exit_code == 10, result
    assert _message(hub) == (
        "Failed to apply the manifest (error: failed to apply the manifest: failed to validate owner references: "
        "object is co-owned by multiple objects but co-ownership has been disallowed)"
    )
    said = " ".join(result.stderr.split())
    assert "no longer allows co-ownership: place again with --allow-co-ownership" in said


def test_placement_status_names_the_fix_for_a_shared_object(hub: Hub) -> None:
    _annotate(hub, PRE_EXISTING, "owned")
    assert _place("--allow-co-ownership", wait=True).exit_code == 0
    assert _place().exit_code == 0
    hub.settle()
    shown = invoke("fleet", "placement", "status", "llm")
    assert shown.exit_code == 0, shown
    [fix] = [line for line in shown.stdout.splitlines() if line.strip().startswith("fix:")]
    assert "place again with --allow-co-ownership" in fix


def test_co_ownership_allowed_again_applies_the_shared_object(hub: Hub) -> None:
    # Guard: validateOwnerReferences accepts several owners while allowCoOwnership is on.
    _annotate(hub, PRE_EXISTING, "owned")
    assert _place("--allow-co-ownership", wait=True).exit_code == 0
    assert _place(wait=True).exit_code == 10
    assert _place("--allow-co-ownership", wait=True).exit_code == 0
    assert _applied(_row(hub)) == APPLIED


def test_a_server_side_apply_over_a_drift_conflicts_with_the_manager_that_made_it(hub: Hub) -> None:
    # kubectl edit changed /spec/replicas there (field manager kubectl-edit); whenToApply Always applies
    # over it, and an unforced server-side apply meets that manager.
    _annotate(hub, "fleet.emulator/fail", "drift")
    result = _place(*SSA, wait=True)
    assert result.exit_code == 10, result
    assert _message(hub).endswith('conflict with "kubectl-edit" using v1: .spec.replicas)')
    assert "--server-side-apply-force" in result.stderr


def test_a_forced_server_side_apply_takes_a_drifted_field_back_for_good(hub: Hub) -> None:
    _annotate(hub, "fleet.emulator/fail", "drift")
    assert _place(*SSA, "--server-side-apply-force", wait=True).exit_code == 0
    assert _place(*SSA, wait=True).exit_code == 0
    _change_hub_object(hub)
    assert _applied(_row(hub)) == APPLIED


def test_a_client_side_apply_over_a_drift_then_server_side_apply_has_no_conflict(hub: Hub) -> None:
    # Guard: the patch (an Update) took the field back from kubectl-edit, whose entry is then empty, so
    # every manager is Fleet's and shouldUseForcedServerSideApply forces the later applies.
    _annotate(hub, "fleet.emulator/fail", "drift")
    assert _place(wait=True).exit_code == 0
    assert _place(*SSA, wait=True).exit_code == 0
    _change_hub_object(hub)
    assert _applied(_row(hub)) == APPLIED
