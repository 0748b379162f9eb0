"""`fleet placement status` shows drifted objects in its table, Available members' too.

upstream: kubefleet-dev/kubefleet e160c1cd pkg/controllers/workgenerator/controller.go copies a
Work's drifts to its binding whatever the Applied and Available conditions say ("drifts might occur
even if the apply op itself completes": FullComparison's post-apply drift detection,
pkg/controllers/workapplier/process.go performPostApplyDriftDetectionIfApplicable), and
pkg/controllers/placement/placement_status.go setResourcePlacementStatusBasedOnBinding copies them
to the member's row whether the manifests applied or not."""

from __future__ import annotations

from typing import Any

from akscli.fleet.placement_status import describe, placement_summary
from tests.cli import invoke
from tests.fleet.conftest import Hub


def test_a_member_that_stopped_on_a_drift_shows_it_in_the_table(hub: Hub) -> None:
    # The simulator's drift: /spec/replicas changed on the member; IfNotDrifted stops the apply
    # (tests/emulators/kube/controllers/fleet_apply_strategy.py).
    hub.cluster.patch("cluster.kubernetes-fleet.io/v1", "MemberCluster", None, "canary",
                      {"metadata": {"annotations": {"fleet.emulator/fail": "drift"}}})  # fmt: skip
    hub.settle()
    placed = invoke(
        "fleet", "place", "llm", "--select", "namespace/llm", "--pick-fixed", "canary", "--when-to-apply",
        "IfNotDrifted", "-y",
    )  # fmt: skip
    assert placed.exit_code == 0, placed
    hub.settle()
    result = invoke("fleet", "placement", "status", "llm")
    assert result.exit_code == 0, result
    lines = result.stdout.splitlines()
    # Before: the drift's path and values were in -o wide only.
    assert "  objects drifted on 1 member(s): canary (1); the DRIFTED column says where" in lines
    header = next(line for line in lines if line.startswith("CLUSTER"))
    assert "DRIFTED" in header.split()
    assert "ConfigMap/llm/model-config: /spec/replicas (hub 2, member 5)" in result.stdout


def _available_row(name: str, drifted: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A member's row as the placement controller writes it once every condition is True (the CRD's
    PerClusterPlacementStatus: kubefleet-dev/kubefleet e160c1cd
    apis/placement/v1beta1/clusterresourceplacement_types.go)."""
    types = ("Scheduled", "RolloutStarted", "Overridden", "WorkSynchronized", "Applied", "Available")
    row: dict[str, Any] = {
        "clusterName": name,
        "observedResourceIndex": "0",
        "conditions": [{"type": t, "status": "True", "reason": t, "observedGeneration": 1} for t in types],
    }
    if drifted:
        row["driftedPlacements"] = drifted
    return row


def _place_on_a_label_drifted_canary(hub: Hub, comparison: str) -> str:
    # The simulator's label-drift fault: a label added on the member, a field the manifest does not set
    # (tests/emulators/kube/controllers/fleet_apply_strategy.py LABEL_DRIFT).
    hub.cluster.patch("cluster.kubernetes-fleet.io/v1", "MemberCluster", None, "canary",
                      {"metadata": {"annotations": {"fleet.emulator/fail": "label-drift"}}})  # fmt: skip
    hub.settle()
    placed = invoke(
        "fleet", "place", "llm", "--select", "namespace/llm", "--pick-fixed", "canary", "--comparison-option",
        comparison, "--wait", "--timeout", "20s", "-y",
    )  # fmt: skip
    assert placed.exit_code == 0, placed
    hub.settle()
    result = invoke("fleet", "placement", "status", "llm")
    assert result.exit_code == 0, result
    return str(result.stdout)


def test_an_available_member_with_drifts_under_full_comparison_is_named(hub: Hub) -> None:
    # FullComparison with whenToApply Always: the apply succeeds, and the post-apply drift detection
    # reports the label the manifest does not set.
    shown = _place_on_a_label_drifted_canary(hub, "FullComparison")
    [row] = hub.get("ClusterResourcePlacement", "llm")["status"]["placementStatuses"]
    assert {c["type"]: c["status"] for c in row["conditions"]}["Available"] == "True"
    assert [d["observedDrifts"] for d in row["driftedPlacements"]] == [
        [{"path": "/metadata/labels/team", "valueInMember": "ml"}]
    ]
    lines = shown.splitlines()
    assert lines[0].endswith("1/1 member(s) available")
    # Before: "Available" and nothing else in the table.
    assert "  objects drifted on 1 member(s): canary (1); the DRIFTED column says where" in lines
    assert "/metadata/labels/team (hub unset, member ml)" in shown


def test_a_summary_counts_drifts_from_the_rows_alone() -> None:
    drift = {
        "version": "v1",
        "kind": "ConfigMap",
        "namespace": "llm",
        "name": "model-config",
        "observedDrifts": [{"path": "/metadata/labels/team", "valueInMember": "ml"}],
    }
    placement = {
        "kind": "ClusterResourcePlacement",
        "metadata": {"name": "llm", "generation": 1},
        "status": {"placementStatuses": [_available_row("canary", [drift]), _available_row("gpu-east")]},
    }
    summary = placement_summary(placement)
    assert (summary["available"], summary["drifted"]) == (2, {"canary": 1})


def test_a_full_list_says_the_hub_may_have_left_some_out() -> None:
    # The work generator keeps the first 100 failed, drifted and diffed objects (maxItems: 100).
    failed = [
        {
            "version": "v1",
            "kind": "ConfigMap",
            "namespace": "llm",
            "name": f"shard-{i}",
            "condition": {"type": "Available", "status": "False", "reason": "ManifestNotAvailableYet"},
        }
        for i in range(100)
    ]
    row = _available_row("canary")
    row["conditions"][-1]["status"] = "False"
    row["failedPlacements"] = failed
    placement = {
        "kind": "ClusterResourcePlacement",
        "metadata": {"name": "llm", "generation": 1},
        "status": {"placementStatuses": [row, _available_row("gpu-east")]},
    }
    summary = placement_summary(placement)
    assert summary["cutShort"] == {"canary": ["failed"]}
    assert "  member canary: the hub lists the first 100 failed objects only; there may be more" in describe(summary)
    row["failedPlacements"] = failed[:99]
    assert placement_summary(placement)["cutShort"] == {}
