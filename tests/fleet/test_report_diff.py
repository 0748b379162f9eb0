"""``fleet place --apply-strategy ReportDiff``: KubeFleet applies nothing and each member reports what
differs from the hub (upstream: kubefleet-dev/kubefleet e160c1cd
pkg/controllers/workapplier/process.go reportDiffOnlyIfApplicable, status.go
setManifestDiffReportedCondition; pkg/controllers/workgenerator/controller.go
setAllWorkDiffReportedCondition, extractDiffedResourcePlacementsFromWork). An object the member does
not have differs as a whole: path "/", valueInHub "(the whole object)"."""

from __future__ import annotations

import json
from typing import Any

from tests.cli import invoke
from tests.emulators.kube.controllers import fleet_report_diff
from tests.emulators.kube.controllers.fleet_member_status import UNSERVED_GROUPS
from tests.fleet.conftest import Hub

P1 = "placement.kubernetes-fleet.io/v1"
WHOLE = [{"path": "/", "valueInHub": "(the whole object)"}]


def _place(*flags: str) -> Any:
    return invoke(
        "fleet", "place", "llm", "--select", "namespace/llm", "--pick-fixed", "canary", *flags,
        "--wait", "--timeout", "20s", "-y",
    )  # fmt: skip


def _row(hub: Hub) -> dict[str, Any]:
    [row] = hub.get("ClusterResourcePlacement", "llm")["status"]["placementStatuses"]
    return dict(row)


def _status() -> dict[str, Any]:
    return dict(json.loads(invoke("fleet", "placement", "status", "llm", "-o", "json").stdout))


def test_report_diff_is_rendered_as_the_placements_apply_strategy(hub: Hub) -> None:
    result = invoke("fleet", "place", "llm", "--select", "namespace/llm", "--apply-strategy", "reportdiff",
                    "--dry-run=client", "-o", "json")  # fmt: skip
    assert result.exit_code == 0, result
    assert '"applyStrategy": {\n' in result.stdout and '"type": "ReportDiff"' in result.stdout


def test_an_unknown_apply_strategy_is_refused_before_anything_is_sent(hub: Hub) -> None:
    result = invoke("fleet", "place", "llm", "--select", "namespace/llm", "--apply-strategy", "Replace", "-y")
    assert result.exit_code == 2, result
    assert "error: invalid --apply-strategy 'Replace'" in result.stderr
    assert "hint: use one of: ClientSideApply, ServerSideApply, ReportDiff" in result.stderr
    assert hub.cluster.get(P1, "ClusterResourcePlacement", None, "llm") is None


def test_a_member_without_the_objects_reports_each_as_a_whole_object_diff(hub: Hub) -> None:
    assert _place("--apply-strategy", "ReportDiff").exit_code == 0
    row = _row(hub)
    assert {c["type"]: c["reason"] for c in row["conditions"]}["DiffReported"] == "AllWorkHaveDiffReported"
    assert sorted((d["kind"], d["name"]) for d in row["diffedPlacements"]) == [
        ("ConfigMap", "model-config"),
        ("Namespace", "llm"),
    ]
    assert all(d["observedDiffs"] == WHOLE for d in row["diffedPlacements"])
    assert not any("targetClusterObservedGeneration" in d for d in row["diffedPlacements"])
    assert "Applied" not in {c["type"] for c in row["conditions"]}
    [member] = _status()["clusters"]
    assert sorted(member["diffed"]) == [
        "ConfigMap/llm/model-config: not on the member",
        "Namespace/llm: not on the member",
    ]


def test_a_member_that_applied_the_objects_first_reports_no_diff(hub: Hub) -> None:
    assert _place().exit_code == 0
    assert _place("--apply-strategy", "ReportDiff").exit_code == 0
    row = _row(hub)
    assert {c["type"]: c["status"] for c in row["conditions"]}["DiffReported"] == "True"
    assert "diffedPlacements" not in row
    assert _status()["clusters"][0]["diffed"] == []


def canary_without_apps_and_a_deployment(hub: Hub) -> None:
    """canary serves no apps/ API, and namespace llm holds a Deployment."""
    hub.cluster.patch("cluster.kubernetes-fleet.io/v1", "MemberCluster", None, "canary",
                      {"metadata": {"annotations": {UNSERVED_GROUPS: "apps"}}})  # fmt: skip
    pod = {
        "metadata": {"labels": {"app": "vllm"}},
        "spec": {"containers": [{"name": "vllm", "image": "vllm/vllm-openai:v0.8.5"}]},
    }
    spec = {"selector": {"matchLabels": {"app": "vllm"}}, "template": pod}
    hub.cluster.create(
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "vllm", "namespace": "llm"}, "spec": spec}
    )


def test_a_member_that_does_not_serve_a_kind_fails_to_report_and_lists_no_diffs(hub: Hub) -> None:
    canary_without_apps_and_a_deployment(hub)
    invoke("fleet", "place", "llm", "--select", "namespace/llm", "--pick-fixed", "canary",
           "--apply-strategy", "ReportDiff", "-y")  # fmt: skip
    hub.settle()
    row = _row(hub)
    diff = next(c for c in row["conditions"] if c["type"] == "DiffReported")
    assert (diff["status"], diff["reason"]) == ("False", "NotAllWorkHaveDiffReported")
    assert diff["message"] == "Work object llm-work has failed to report diff"
    assert not {"diffedPlacements", "failedPlacements", "driftedPlacements"} & set(row)
    conds = {c["type"]: c for c in hub.get("ClusterResourcePlacement", "llm")["status"]["conditions"]}
    assert conds["ClusterResourcePlacementDiffReported"]["status"] == "False"


def test_the_first_time_an_object_was_seen_differing_is_kept() -> None:
    ident = {"group": "", "version": "v1", "kind": "Namespace", "name": "llm"}
    before = {"diffedPlacements": [{**ident, "firstDiffedObservedTime": "2026-12-01T00:00:00Z"}]}
    entry = fleet_report_diff.row(
        [], {}, [ident], work="llm-work", holds=False, drifted=False, unmapped=[], before=before, generation=1
    )
    assert entry["diffedPlacements"][0]["firstDiffedObservedTime"] == "2026-12-01T00:00:00Z"


def test_a_difference_shows_both_sides_and_a_missing_object_says_so() -> None:
    from akscli.fleet.placement_status import _paths

    diffed = [
        {"kind": "Deployment", "group": "apps", "namespace": "llm", "name": "vllm",
         "observedDiffs": [{"path": "/spec/replicas", "valueInHub": "2", "valueInMember": "5"},
                           {"path": "/metadata/labels/tier", "valueInHub": "gpu"}]},
        {"kind": "Namespace", "name": "llm", "observedDiffs": WHOLE},
    ]  # fmt: skip
    assert _paths(diffed, "observedDiffs") == [
        "Deployment.apps/llm/vllm: /spec/replicas (hub 2, member 5), /metadata/labels/tier (hub gpu, member unset)",
        "Namespace/llm: not on the member",
    ]
