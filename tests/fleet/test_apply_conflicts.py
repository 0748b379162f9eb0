"""What a member's work applier does with an object another field manager or another owner holds, and
which overrides make a drifted object's manifest new. Upstream: kubefleet-dev/kubefleet e160c1cd
pkg/controllers/workapplier/apply.go serverSideApply (Force only with serverSideApplyConfig.force),
process.go processOneManifest (the takeover runs before reportDiffOnlyIfApplicable),
pkg/controllers/workgenerator/override.go applyOverrides (the overrides keyed by the object); the
simulator: tests/emulators/kube/controllers/fleet_apply_strategy.py."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube.controllers.fleet_apply_strategy import PRE_EXISTING
from tests.fleet.conftest import Hub
from tests.fleet.test_apply_strategy import _annotate, _applied, _place, _row

P1 = "placement.kubernetes-fleet.io/v1"
SSA = ("--apply-strategy", "ServerSideApply")


def _work_condition(hub: Hub) -> dict[str, Any]:
    work = hub.get("Work", "llm-work", "fleet-member-canary")
    return dict(work["status"]["manifestConditions"][-1]["conditions"][0])


def test_a_server_side_apply_over_another_managers_field_fails_with_the_conflict_and_names_the_flag(
    hub: Hub,
) -> None:
    _annotate(hub, PRE_EXISTING, "managed")
    result = _place(*SSA, wait=True)
    assert result.exit_code == 10, result
    assert "--server-side-apply-force" in result.stderr
    [failed] = _row(hub)["failedPlacements"]
    assert failed["condition"]["reason"] == "ManifestApplyFailed"
    assert failed["condition"]["message"] == (
        "Failed to apply the manifest (error: failed to apply the manifest: failed to apply the manifest object: "
        "an error is returned by the API server: Apply failed with 1 conflict: conflict with "
        '"kubectl-client-side-apply" using v1: .spec.replicas)'
    )


def test_a_forced_server_side_apply_takes_the_field_over(hub: Hub) -> None:
    _annotate(hub, PRE_EXISTING, "managed")
    result = _place(*SSA, "--server-side-apply-force", wait=True)
    assert result.exit_code == 0, result
    assert _applied(_row(hub)) == ("True", "AllWorkHaveBeenApplied")


def test_a_client_side_apply_has_no_field_manager_conflicts(hub: Hub) -> None:
    _annotate(hub, PRE_EXISTING, "managed")
    assert _place(wait=True).exit_code == 0
    assert _applied(_row(hub)) == ("True", "AllWorkHaveBeenApplied")


def test_report_diff_fails_to_take_over_an_object_another_owner_holds(hub: Hub) -> None:
    _annotate(hub, PRE_EXISTING, "owned")
    result = _place("--apply-strategy", "ReportDiff", wait=True)
    assert result.exit_code == 10, result
    assert "FailedToTakeOver" in result.stderr and "--allow-co-ownership" in result.stderr
    [diff] = [c for c in _row(hub)["conditions"] if c["type"] == "DiffReported"]
    assert (diff["status"], diff["reason"]) == ("False", "NotAllWorkHaveDiffReported")
    cond = _work_condition(hub)
    assert (cond["status"], cond["reason"]) == ("False", "FailedToReportDiff")
    assert cond["message"].startswith("An error blocks the diff reporting process (FailedToTakeOver, error: ")
    assert "co-ownership is disallowed" in cond["message"]


def test_report_diff_with_co_ownership_allowed_reports_an_owned_object(hub: Hub) -> None:
    _annotate(hub, PRE_EXISTING, "owned")
    assert _place("--apply-strategy", "ReportDiff", "--allow-co-ownership", wait=True).exit_code == 0
    assert _work_condition(hub)["reason"] == "NoDiffFound"


def test_an_override_of_another_object_leaves_a_drift_standing(hub: Hub) -> None:
    hub.cluster.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a-other", "namespace": "llm"}})
    _annotate(hub, "fleet.emulator/fail", "drift")
    assert _place("--when-to-apply", "IfNotDrifted", wait=True).exit_code == 10
    [drifted] = _row(hub)["driftedPlacements"]
    assert drifted["name"] == "model-config"
    other = {"group": "", "version": "v1", "kind": "ConfigMap", "name": "a-other"}
    patch = {"op": "add", "path": "/metadata/labels", "value": {"tier": "gpu"}}
    rules = [{"clusterSelector": {"clusterSelectorTerms": []}, "jsonPatchOverrides": [patch]}]
    hub.cluster.create(
        {
            "apiVersion": P1,
            "kind": "ResourceOverride",
            "metadata": {"name": "other-override", "namespace": "llm"},
            "spec": {"placement": {"name": "llm"}, "resourceSelectors": [other], "policy": {"overrideRules": rules}},
        }
    )
    hub.settle()
    assert any(b["spec"].get("resourceOverrideSnapshots") for b in hub.cluster.list(
        "placement.kubernetes-fleet.io/v1beta1", "ClusterResourceBinding"))  # fmt: skip
    assert _applied(_row(hub)) == ("False", "NotAllWorkHaveBeenApplied")
