"""ARM-side logic: member kinds and health, upgrade-run bodies, Arc refusal, gates."""

from __future__ import annotations

from typing import Any

import pytest

from akscli.errors import UsageError, WaitTimeoutError
from akscli.fleet import arm, arm_run_status
from akscli.fleet.stages import parse_stages

AKS = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks1"
ARC = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Kubernetes/connectedClusters/edge1"


def _member(
    name: str, rid: str, group: str | None = None, state: str = "Succeeded", labels: dict[str, str] | None = None
) -> dict[str, Any]:
    props: dict[str, Any] = {"clusterResourceId": rid, "provisioningState": state}
    if group:
        props["group"] = group
    if labels:
        props["labels"] = labels
    return {"name": name, "properties": props}


def test_resource_id_of_an_arc_cluster_is_recognised_as_arc() -> None:
    ref = arm.cluster_ref(ARC)
    assert (ref.arc, ref.kind, ref.name, ref.resource_group) == (True, "Arc", "edge1", "rg")


def test_cluster_name_in_a_group_becomes_an_aks_resource_id() -> None:
    ref = arm.cluster_ref("aks1", subscription="s1", group="rg")
    assert ref.resource_id == AKS
    assert not ref.arc


def test_other_resource_types_cannot_join_and_the_hint_names_both_that_can() -> None:
    with pytest.raises(UsageError) as info:
        arm.cluster_ref("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm")
    assert "connectedClusters" in (info.value.hint or "")


def test_reserved_fleet_label_prefix_is_refused() -> None:
    with pytest.raises(UsageError, match="kept for labels set by Fleet Manager"):
        arm.member_labels(["fleet.azure.com/location=x"])


def test_member_body_carries_group_and_labels() -> None:
    body = arm.member_body(arm.cluster_ref(ARC), "edge", {"env": "prod"})
    assert body == {"properties": {"clusterResourceId": ARC, "group": "edge", "labels": {"env": "prod"}}}


def test_member_rows_read_version_and_health_from_each_cluster() -> None:
    clusters = {
        AKS: {
            "properties": {
                "currentKubernetesVersion": "1.33.2",
                "provisioningState": "Succeeded",
                "powerState": {"code": "Running"},
            }
        },
        ARC: {"properties": {"kubernetesVersion": "1.32.5", "connectivityStatus": "Offline"}},
    }
    rows = arm.member_rows(
        [_member("a", AKS, "prod", labels={"env": "prod", "fleet.azure.com/location": "x"}), _member("b", ARC)],
        clusters.get,
    )
    assert [(r["name"], r["type"], r["group"], r["kubernetesVersion"], r["joined"], r["healthy"]) for r in rows] == [
        ("a", "AKS", "prod", "1.33.2", True, True),
        ("b", "Arc", "", "1.32.5", True, False),
    ]
    assert rows[0]["labels"] == {"env": "prod"}
    assert "Offline" in rows[1]["message"]


def test_a_member_still_joining_is_neither_joined_nor_healthy() -> None:
    [row] = arm.member_rows([_member("a", AKS, state="Joining")], lambda rid: None)
    assert (row["joined"], row["healthy"]) == (False, False)


def test_full_upgrade_needs_a_kubernetes_version() -> None:
    with pytest.raises(UsageError, match="--kubernetes-version"):
        arm.update_run_body(
            upgrade_type="Full", kubernetes_version=None, node_image="Latest", strategy=None, stages=None
        )


def test_node_image_upgrade_takes_no_kubernetes_version() -> None:
    with pytest.raises(UsageError, match="NodeImageOnly"):
        arm.update_run_body(
            upgrade_type="NodeImageOnly",
            kubernetes_version="1.33.1",
            node_image="Latest",
            strategy=None,
            stages=None,
        )


def test_update_run_body_with_inline_stages() -> None:
    body = arm.update_run_body(
        upgrade_type="full",
        kubernetes_version="1.33.2",
        node_image="consistent",
        strategy=None,
        stages=parse_stages(["s1;groups=a"]),
    )
    assert body == {
        "properties": {
            "managedClusterUpdate": {
                "upgrade": {"type": "Full", "kubernetesVersion": "1.33.2"},
                "nodeImageSelection": {"type": "Consistent"},
            },
            "strategy": {"stages": [{"name": "s1", "groups": [{"name": "a"}]}]},
        }
    }


def test_an_upgrade_run_over_all_members_is_refused_when_an_arc_member_exists() -> None:
    body = arm.update_run_body(
        upgrade_type="NodeImageOnly", kubernetes_version=None, node_image="Latest", strategy=None, stages=None
    )
    with pytest.raises(UsageError) as info:
        arm.check_no_arc_in_run([_member("a", AKS), _member("edge", ARC)], body, None)
    assert "Arc-enabled members cannot be upgraded" in info.value.message
    assert "edge" in info.value.message


def test_an_upgrade_run_whose_stages_leave_out_the_arc_group_is_allowed() -> None:
    body = arm.update_run_body(
        upgrade_type="NodeImageOnly",
        kubernetes_version=None,
        node_image="Latest",
        strategy=None,
        stages=parse_stages(["s;groups=cloud"]),
    )
    arm.check_no_arc_in_run([_member("a", AKS, "cloud"), _member("edge", ARC, "edge")], body, None)


def test_skip_targets_are_type_and_name() -> None:
    assert arm.skip_body(["member:m1", "Stage:canary"]) == {
        "targets": [{"type": "Member", "name": "m1"}, {"type": "Stage", "name": "canary"}]
    }


def test_run_rows_draw_stages_groups_members_and_gates() -> None:
    run = {
        "properties": {
            "status": {
                "status": {"state": "Running"},
                "stages": [
                    {
                        "name": "s1",
                        "status": {"state": "Running"},
                        "groups": [
                            {
                                "name": "g1",
                                "members": [
                                    {"name": "m1", "status": {"state": "Completed"}},
                                    {"name": "m2", "status": {"state": "Running"}},
                                ],
                                "afterGates": [
                                    {"displayName": "check", "gateId": "/x/gates/abc", "status": {"state": "Pending"}}
                                ],
                            }
                        ],
                        "afterStageWaitStatus": {"status": {"state": "NotStarted"}, "waitDurationInSeconds": 60},
                    }
                ],
            }
        }
    }
    rows = arm_run_status.run_rows(run)
    assert [(r["stage"], r["group"], r["member"], r["state"]) for r in rows] == [
        ("s1", "", "", "Running"),
        ("s1", "g1", "m1", "Completed"),
        ("s1", "g1", "m2", "Running"),
        ("s1", "g1", "(gate) check", "Pending"),
        ("s1", "", "(wait)", "NotStarted"),
    ]
    assert arm_run_status.run_state(run) == "Running"


def _gate(name: str, run: str, stage: str, state: str = "Pending") -> dict[str, Any]:
    return {
        "name": name,
        "properties": {
            "state": state,
            "target": {"updateRunProperties": {"name": run, "stage": stage, "timing": "After"}},
        },
    }


def test_pending_gates_are_those_of_the_run_and_stage_still_pending() -> None:
    gates = [_gate("g1", "run1", "s1"), _gate("g2", "run1", "s2", "Completed"), _gate("g3", "run2", "s1")]
    assert [g["name"] for g in arm_run_status.pending_gates(gates, "run1")] == ["g1"]
    assert arm_run_status.pending_gates(gates, "run1", "s2") == []


def test_waiting_for_the_next_gate_returns_the_new_one() -> None:
    lists = iter([[_gate("g1", "r", "s1")], [_gate("g1", "r", "s1"), _gate("g2", "r", "s2")]])
    outcome, gates = arm_run_status.wait_for_gate(
        lambda: next(lists), lambda: {}, "r", {"g1"}, 10, sleep=lambda s: None
    )
    assert outcome == "gate"
    assert [g["name"] for g in gates] == ["g2"]


def test_waiting_for_the_next_gate_ends_when_the_run_completes() -> None:
    run = {"properties": {"status": {"status": {"state": "Completed"}}}}
    assert arm_run_status.wait_for_gate(lambda: [], lambda: run, "r", set(), 10, sleep=lambda s: None) == ("done", [])


def test_waiting_for_the_next_gate_times_out() -> None:
    with pytest.raises(WaitTimeoutError):
        arm_run_status.wait_for_gate(lambda: [], lambda: {}, "r", set(), 0.0, sleep=lambda s: None)


def test_a_gate_poll_waits_with_an_arm_polls_jitter_never_past_its_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    # review20: as azure/clusters.py and baremetal/clusters.py poll (armretry.POLL_JITTER); was 1, 2, 4 s.
    from akscli.azure import armretry

    now, slept = [0.0], []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    monkeypatch.setattr(armretry, "uniform", lambda low, high: high)  # the longest jitter
    monkeypatch.setattr(armretry, "clock", lambda: now[0])
    with pytest.raises(WaitTimeoutError):
        arm_run_status.wait_for_gate(lambda: [], lambda: {}, "r", set(), 10.0, sleep=sleep)
    assert slept == pytest.approx([1.3, 2.6, 5.2])
