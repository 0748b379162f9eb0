"""``fleet place --apply-strategy ReportDiff --wait`` on a member that cannot report a diff (a kind it
does not serve): the wait ends at once with the member's reason, as its work applier writes it on the
Work (upstream: kubefleet-dev/kubefleet e160c1cd pkg/controllers/workapplier/status.go
setManifestDiffReportedCondition, setWorkDiffReportedCondition; pkg/controllers/workgenerator/
controller.go setAllWorkDiffReportedCondition)."""

from __future__ import annotations

from typing import Any

from akscli.kube.readiness import fleet as fleet_readiness
from tests.cli import invoke
from tests.fleet.conftest import Hub
from tests.fleet.test_report_diff import canary_without_apps_and_a_deployment

P1 = "placement.kubernetes-fleet.io/v1"
NO_KIND = (
    "failed to decode manifest: failed to find GVR from member cluster client REST mapping: no matches for kind "
    '"Deployment" in version "apps/v1"'
)


def _place_report_diff(*flags: str) -> Any:
    return invoke("fleet", "place", "llm", "--select", "namespace/llm", "--pick-fixed", "canary",
                  "--apply-strategy", "ReportDiff", *flags, "-y")  # fmt: skip


def test_the_wait_ends_at_once_with_the_members_reason_when_it_cannot_report_a_diff(hub: Hub) -> None:
    canary_without_apps_and_a_deployment(hub)
    result = _place_report_diff("--wait", "--timeout", "10s")
    assert result.exit_code == 10, result
    assert (
        "member canary: Work object llm-work has failed to report diff (Deployment llm/vllm: An error blocks the "
        f"diff reporting process (DecodingErred, error: {NO_KIND}))"
    ) in result.stderr
    assert (
        "hint: canary does not serve Deployment (apps/v1): install the CRDs of that API on those members, or place "
        "on members that serve it"
    ) in result.stderr


def test_the_members_work_holds_each_manifests_diff_report(hub: Hub) -> None:
    canary_without_apps_and_a_deployment(hub)
    _place_report_diff()
    hub.settle()
    work = hub.get("Work", "llm-work", "fleet-member-canary")
    [work_cond] = work["status"]["conditions"]
    assert (work_cond["status"], work_cond["reason"]) == ("False", "SomeManifestsHaveNotReportedDiff")
    assert work_cond["message"] == "Failed to report diff on all manifests (2 of 3 manifests have reported diff)"
    reports = {m["identifier"]["kind"]: m["conditions"][0] for m in work["status"]["manifestConditions"]}
    assert (reports["Deployment"]["reason"], reports["ConfigMap"]["reason"]) == ("FailedToReportDiff", "FoundDiff")


def _row(message: str) -> dict[str, Any]:
    cond = {"type": "DiffReported", "status": "False", "reason": "NotAllWorkHaveDiffReported", "message": message}
    return {
        "metadata": {"generation": 1},
        "status": {"placementStatuses": [{"clusterName": "canary", "conditions": [{**cond, "observedGeneration": 1}]}]},
    }


def test_a_work_that_has_not_reported_yet_is_not_a_failure() -> None:
    # The same reason while the work applier is still at it: only the message tells.
    assert fleet_readiness.diff_report_failures(_row("Work object llm-work has not yet completed diff reporting")) == {}
    failed = _row("Work object llm-work has failed to report diff")
    assert fleet_readiness.diff_report_failures(failed) == {"canary": "Work object llm-work has failed to report diff"}
