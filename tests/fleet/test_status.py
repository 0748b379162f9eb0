"""Reading a placement's status: per member, where it is stuck and why."""

from __future__ import annotations

from typing import Any

from akscli.fleet.placement_status import cluster_statuses, placement_summary

TYPES = ("Scheduled", "RolloutStarted", "Overridden", "WorkSynchronized", "Applied", "Available")


def _entry(cluster: str, failing: str | None = None, **extra: Any) -> dict[str, Any]:
    conditions = []
    for ctype in TYPES:
        if ctype == failing:
            conditions.append(
                {"type": ctype, "status": "False", "reason": f"{ctype}Failed", "message": f"{ctype} went wrong"}
            )
            break
        conditions.append({"type": ctype, "status": "True", "reason": "ok"})
    return {"clusterName": cluster, "conditions": conditions, **extra}


def _crp(*entries: dict[str, Any], conditions: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "apiVersion": "placement.kubernetes-fleet.io/v1",
        "kind": "ClusterResourcePlacement",
        "metadata": {"name": "web"},
        "spec": {"policy": {"placementType": "PickN"}},
        "status": {"placementStatuses": list(entries), "conditions": conditions or []},
    }


def test_a_member_with_every_condition_true_is_available() -> None:
    [row] = cluster_statuses(_crp(_entry("m1")))
    assert (row.cluster, row.state, row.message) == ("m1", "Available", "")
    assert set(row.conditions.values()) == {"True"}


def test_the_first_failing_condition_names_the_state_and_gives_its_message() -> None:
    [row] = cluster_statuses(_crp(_entry("m1", failing="Applied")))
    assert row.state == "Applied=False"
    assert row.message == "Applied went wrong"
    assert row.conditions["Available"] == "-"


def test_failed_objects_are_listed_with_their_message() -> None:
    failed = [
        {
            "group": "apps",
            "version": "v1",
            "kind": "Deployment",
            "namespace": "a",
            "name": "web",
            "condition": {"type": "Applied", "status": "False", "message": "owned by someone else"},
        }
    ]
    [row] = cluster_statuses(_crp(_entry("m1", failing="Applied", failedPlacements=failed)))
    assert row.failed == ["Deployment.apps/a/web: owned by someone else"]


def test_drifted_objects_are_listed_with_the_drifted_paths() -> None:
    drifted = [
        {
            "group": "",
            "version": "v1",
            "kind": "ConfigMap",
            "namespace": "a",
            "name": "cfg",
            "observedDrifts": [{"path": "/data/x"}, {"path": "/data/y"}],
        }
    ]
    [row] = cluster_statuses(_crp(_entry("m1", failing="Applied", driftedPlacements=drifted)))
    assert row.drifted == ["ConfigMap/a/cfg: /data/x, /data/y"]


def test_a_member_that_has_not_reported_a_condition_yet_is_waiting_for_it() -> None:
    entry = {"clusterName": "m1", "conditions": [{"type": "Scheduled", "status": "True"}]}
    [row] = cluster_statuses(_crp(entry))
    assert row.state == "Waiting (RolloutStarted)"


def test_each_member_the_scheduler_could_not_pick_is_a_row_with_its_own_reason() -> None:
    entry = {
        "clusterName": "cpu-west",
        "conditions": [
            {
                "type": "Scheduled",
                "status": "False",
                "reason": "ScheduleFailed",
                "message": 'Cluster "cpu-west" does not score high enough (affinity score: 0, '
                "topology spread score: 0)",
            }
        ],
    }
    rows = cluster_statuses(_crp(_entry("m1"), entry))
    assert (rows[1].cluster, rows[1].state, rows[1].reason) == ("cpu-west", "Unscheduled", "ScheduleFailed")
    assert rows[1].message.startswith('Cluster "cpu-west" does not score high enough')


def test_summary_counts_available_members_and_surfaces_the_first_failing_rollup() -> None:
    crp = _crp(
        _entry("m1"),
        _entry("m2", failing="Available"),
        conditions=[
            {"type": "ClusterResourcePlacementScheduled", "status": "True"},
            {"type": "ClusterResourcePlacementAvailable", "status": "False", "message": "1 not available"},
        ],
    )
    summary = placement_summary(crp)
    assert (summary["clusters"], summary["available"]) == (2, 1)
    assert summary["conditions"]["Scheduled"] == "True"
    assert summary["message"] == "1 not available"


def test_summary_of_a_resource_placement_reads_its_own_condition_prefix() -> None:
    rp = _crp(_entry("m1"), conditions=[{"type": "ResourcePlacementScheduled", "status": "True"}])
    rp["kind"] = "ResourcePlacement"
    assert placement_summary(rp)["conditions"]["Scheduled"] == "True"


def test_a_report_diff_member_is_done_at_diff_reported_and_lists_its_differences() -> None:
    types = ("Scheduled", "RolloutStarted", "Overridden", "WorkSynchronized", "DiffReported")
    diffed = [{"kind": "Deployment", "namespace": "llm", "name": "vllm", "observedDiffs": [{"path": "/spec/replicas"}]}]
    entry = {
        "clusterName": "m1",
        "conditions": [{"type": t, "status": "True"} for t in types],
        "diffedPlacements": diffed,
    }
    crp = _crp(entry, conditions=[{"type": "ClusterResourcePlacement" + t, "status": "True"} for t in types])
    crp["spec"]["strategy"] = {"applyStrategy": {"type": "ReportDiff"}}
    [row] = cluster_statuses(crp)
    assert row.state == "DiffReported"
    assert row.diffed == ["Deployment/llm/vllm: /spec/replicas"]
    summary = placement_summary(crp)
    assert (summary["available"], summary["clusters"], summary["done"]) == (1, 1, "DiffReported")
    assert summary["conditions"]["DiffReported"] == "True"


def test_summary_says_when_the_hub_has_not_caught_up_with_the_spec() -> None:
    crp = _crp(
        _entry("m1"),
        conditions=[{"type": "ClusterResourcePlacementScheduled", "status": "True", "observedGeneration": 1}],
    )
    crp["metadata"]["generation"] = 2
    assert "generation 2" in placement_summary(crp)["stale"]
