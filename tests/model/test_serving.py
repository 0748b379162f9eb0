"""serving's plain logic: recreate detection, revisions, the rows list and status show."""

from __future__ import annotations

from typing import Any

import pytest

from akscli.errors import NotFoundError, UsageError
from akscli.model import deploy_flags, kinds, live, revisions


def _workspace(size: str = "Standard_NC24ads_A100_v4", **status: Any) -> dict[str, Any]:
    return {
        "apiVersion": "kaito.sh/v1beta1",
        "kind": "Workspace",
        "metadata": {
            "name": "phi-4",
            "namespace": "ml",
            "annotations": {kinds.MODEL_ID_ANNOTATION: "microsoft/phi-4", kinds.GPUS_ANNOTATION: "1"},
        },
        "resource": {"instanceType": size, "labelSelector": {"matchLabels": {"apps": "x"}}},
        "inference": {"preset": {"name": "phi-4"}},
        "status": status,
    }


def _cond(ctype: str, ok: bool, reason: str = "") -> dict[str, str]:
    return {"type": ctype, "status": "True" if ok else "False", "reason": reason}


def test_a_new_instance_type_is_an_immutable_change() -> None:
    changes = revisions.immutable_changes(_workspace("Standard_NC40ads_H100_v5"), _workspace())
    assert changes == [
        "workspace.kaito.sh/phi-4 resource.instanceType: Standard_NC24ads_A100_v4 -> Standard_NC40ads_H100_v5"
    ]


def test_an_inferenceset_template_change_says_kaito_takes_it_but_applies_it_to_no_running_workspace() -> None:
    # kaito-project/kaito v0.12.0 api/v1beta1/inferenceset_validation.go refuses only a new
    # partition; pkg/inferenceset/inferenceset_controller.go never updates a Workspace it made.
    def iset(size: str) -> dict[str, Any]:
        template = {"resource": {"instanceType": size}, "inference": {"preset": {"name": "phi-4"}}}
        meta = {"name": "phi-4", "namespace": "ml"}
        spec = {"template": template}
        return {"apiVersion": "kaito.sh/v1beta1", "kind": "InferenceSet", "metadata": meta, "spec": spec}

    changes = revisions.immutable_changes(iset("Standard_NC40ads_H100_v5"), iset("Standard_NC24ads_A100_v4"))
    assert changes == [
        "inferenceset.kaito.sh/phi-4 spec.template.resource.instanceType: Standard_NC24ads_A100_v4 -> "
        "Standard_NC40ads_H100_v5 (KAITO takes it, but no Workspace the set already runs gets it)"
    ]


def test_an_object_that_does_not_exist_yet_has_no_immutable_change() -> None:
    assert revisions.immutable_changes(_workspace(), None) == []


def test_mutable_fields_are_not_reported() -> None:
    live = _workspace()
    desired = _workspace()
    desired["metadata"]["labels"] = {"team": "ml"}
    assert revisions.immutable_changes(desired, live) == []


def test_a_workspace_is_ready_only_when_all_three_kaito_conditions_are_true() -> None:
    ready = _workspace(
        conditions=[_cond("ResourceReady", True), _cond("InferenceReady", True), _cond("WorkspaceSucceeded", True)]
    )
    waiting = _workspace(conditions=[_cond("ResourceReady", False, "NodeClaimNotReady")])
    assert live.state_of(ready) == "Ready"
    assert live.state_of(waiting) == "NodeClaimNotReady"
    assert live.state_of(_workspace()) == "Pending"


def test_summary_row_has_everything_model_list_shows() -> None:
    row = live.summary(_workspace())
    assert row["model"] == "microsoft/phi-4" and row["gpus"] == 1
    assert row["vm_size"] == "Standard_NC24ads_A100_v4"
    assert row["endpoint"] == "http://phi-4.ml.svc.cluster.local:80"


def test_revisions_round_trip_through_their_configmap() -> None:
    cm = revisions.revision_object("phi-4", "ml", 3, [_workspace()], {"model": "microsoft/phi-4"})
    rev = revisions.parse_revision(cm)
    assert rev.revision == 3 and rev.params == {"model": "microsoft/phi-4"}
    assert rev.manifests[0]["kind"] == "Workspace" and "status" not in rev.manifests[0]


def test_the_next_revision_follows_the_highest() -> None:
    revs = [revisions.Revision(n, "", "", {}, [], f"r{n}") for n in (1, 4, 2)]
    assert revisions.next_revision(revs) == 5


def test_history_keeps_the_newest_ten_revisions() -> None:
    revs = [revisions.Revision(n, "", "", {}, [], f"r{n}") for n in range(1, 14)]
    assert [r.revision for r in revisions.expired_revisions(revs)] == [1, 2, 3]


def test_fleet_members_report_the_first_condition_that_is_not_true() -> None:
    crp = {
        "metadata": {"name": "phi-4"},
        "status": {
            "placementStatuses": [
                {
                    "clusterName": "east",
                    "conditions": [_cond("Scheduled", True), _cond("Applied", True), _cond("Available", True)],
                },
                {
                    "clusterName": "west",
                    "conditions": [_cond("Scheduled", True), {**_cond("Applied", False), "message": "quota"}],
                },
            ]
        },
    }
    assert [(m["cluster"], m["state"], m["message"]) for m in live.fleet_members(crp)] == [
        ("east", "Available", ""),
        ("west", "Applied=False", "quota"),
    ]


@pytest.mark.parametrize("value", ["3", "a:b", "3:1", "0:0", "1:2000"])
def test_a_bad_autoscale_range_is_refused(value: str) -> None:
    with pytest.raises(UsageError):
        deploy_flags.parse_autoscale(value)


def test_a_gateway_may_name_its_namespace() -> None:
    assert deploy_flags.parse_gateway("infra/inference-gateway") == ("inference-gateway", "infra")
    assert deploy_flags.parse_gateway("gw") == ("gw", None)


def _revisions(*numbers: int) -> list[revisions.Revision]:
    return [revisions.Revision(n, "", "", {}, [], f"r{n}") for n in numbers]


def test_rollback_returns_to_the_revision_before_the_latest_by_default() -> None:
    assert revisions.pick_revision(_revisions(1, 2, 3), "phi-4", "ml", None).revision == 2


def test_rollback_to_a_named_revision_picks_it() -> None:
    assert revisions.pick_revision(_revisions(1, 2, 3), "phi-4", "ml", 1).revision == 1


def test_rollback_to_a_revision_not_recorded_lists_the_recorded_ones() -> None:
    with pytest.raises(NotFoundError) as err:
        revisions.pick_revision(_revisions(1, 2), "phi-4", "ml", 7)
    assert err.value.hint == "recorded: 1, 2 (akscli model history phi-4 -n ml)"


def test_rollback_with_one_revision_has_nothing_to_return_to() -> None:
    with pytest.raises(UsageError, match="nothing to roll back to"):
        revisions.pick_revision(_revisions(1), "phi-4", "ml", None)


def test_rollback_with_one_revision_hints_the_history_in_the_models_namespace() -> None:
    with pytest.raises(UsageError) as err:
        revisions.pick_revision(_revisions(1), "phi-4", "ml", None)
    assert err.value.hint == "see akscli model history phi-4 -n ml"


def test_stale_objects_are_what_the_last_revision_applied_and_this_one_does_not() -> None:
    keda = {"apiVersion": kinds.KEDA_API, "kind": "ScaledObject", "metadata": {"name": "phi-4", "namespace": "ml"}}
    last = revisions.Revision(1, "", "", {}, [_workspace(), keda], "r1")
    assert revisions.stale_objects([last], [_workspace()]) == [keda]
    assert revisions.stale_objects([], [_workspace()]) == []


@pytest.mark.parametrize(
    ("kind", "selector"),
    [
        ("Workspace", "kaito.sh/workspace=phi-4"),
        ("InferenceSet", "inferenceset.kaito.sh/created-by=phi-4"),
        ("Deployment", "akscli.io/model=phi-4"),
    ],
)
def test_server_pods_are_selected_by_the_label_their_runtime_puts_on_them(kind: str, selector: str) -> None:
    assert live.pod_selector({"kind": kind, "metadata": {"name": "phi-4"}}) == selector


def test_a_fleet_deploy_waits_for_the_placement_and_a_plain_one_for_the_server() -> None:
    placement = {"kind": "ClusterResourcePlacement", "metadata": {"name": "phi-4"}}
    objects = [placement, _workspace()]
    assert live.objects_to_wait_for(objects, fleet=True) == [placement]
    assert live.objects_to_wait_for(objects, fleet=False) == [_workspace()]


def test_fleet_placement_flags_need_fleet_and_exclude_each_other() -> None:
    with pytest.raises(UsageError, match="go with --fleet"):
        deploy_flags.check_fleet_flags(False, ["east"], None, None)
    with pytest.raises(UsageError, match="not both"):
        deploy_flags.check_fleet_flags(True, ["east"], 2, None)
