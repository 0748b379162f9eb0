"""What an update changes on the members a placement stays on (akscli.fleet.pacing_change), read from
the hub before it starts: a member is updated in place only when its binding leaves the latest
master resource snapshot or its overrides (kubefleet-dev/kubefleet e160c1cd
pkg/controllers/rollout/controller.go pickBindingsToRoll), and a member waits unavailablePeriodSeconds
only for objects KubeFleet cannot track (pkg/controllers/workapplier/availability_tracker.go)."""

from __future__ import annotations

import time
from typing import Any

from akscli.fleet import pacing
from akscli.fleet.pacing import Change
from akscli.fleet.pacing_change import CANDIDATE_DETECTED as DETECTED
from akscli.fleet.pacing_change import behind, pending, selection_after, selects, untracked, what_changes

CRP = {"apiVersion": "placement.kubernetes-fleet.io/v1", "kind": "ClusterResourcePlacement"}
SELECT_LLM = [{"group": "", "version": "v1", "kind": "Namespace", "name": "llm"}]


class FakeHub:
    """Answers the reads what_changes makes: the placement's latest snapshots, its bindings, its override."""

    def __init__(self, snapshot: dict[str, Any] | None, bindings: list[dict[str, Any]], override: Any = None) -> None:
        self.snapshot, self.bindings, self.override = snapshot, bindings, override

    def list(self, api_version: str, kind: str, **kw: Any) -> list[dict[str, Any]]:
        assert kw["label_selector"].startswith("kubernetes-fleet.io/parent-CRP=llm")
        if kind == "ClusterResourceSnapshot":
            assert "kubernetes-fleet.io/is-latest-snapshot=true" in kw["label_selector"]
            return [self.snapshot] if self.snapshot else []
        assert kind == "ClusterResourceBinding"
        return self.bindings

    def get(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> Any:
        assert (kind, name) == ("ClusterResourceOverride", "llm-override")
        return self.override


def _snapshot(index: int, **annotations: str) -> dict[str, Any]:
    meta = {"name": f"llm-{index}-snapshot", "annotations": {"kubernetes-fleet.io/resource-hash": "abc", **annotations}}
    return {"metadata": meta}


def _binding(member: str, snapshot: str) -> dict[str, Any]:
    return {"spec": {"state": "Bound", "targetCluster": member, "resourceSnapshotName": snapshot}}


def _placement(selectors: list[dict[str, Any]], selected: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    obj: dict[str, Any] = {**CRP, "metadata": {"name": "llm"}, "spec": {"resourceSelectors": selectors}}
    if selected is not None:
        obj["status"] = {"selectedResources": selected}
    return obj


CONFIG = {"group": "", "version": "v1", "kind": "ConfigMap", "name": "model-config", "namespace": "llm"}
WORKSPACE = {"group": "kaito.sh", "version": "v1beta1", "kind": "Workspace", "name": "phi-4", "namespace": "llm"}
KEPT = Change(kept=3, kept_names=("a", "b", "c"))


def test_only_the_members_behind_the_latest_snapshot_are_updated_in_place() -> None:
    hub = FakeHub(
        _snapshot(2),
        [_binding("a", "llm-2-snapshot"), _binding("b", "llm-1-snapshot"), _binding("c", "llm-2-snapshot")],
    )
    existing = _placement(SELECT_LLM, [CONFIG])
    change = what_changes(hub, KEPT, existing, [_placement(SELECT_LLM)])  # type: ignore[arg-type]
    assert (change.updated, change.untracked) == (1, False)


def _stamp(seconds_ago: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - seconds_ago))


def _seen(detected_ago: float, created_ago: float) -> dict[str, Any]:
    """The latest snapshot, made ``created_ago`` seconds ago, stamped with a change seen ``detected_ago`` ago."""
    snapshot = _snapshot(2, **{DETECTED: _stamp(detected_ago)})
    snapshot["metadata"]["creationTimestamp"] = _stamp(created_ago)
    return snapshot


def test_a_change_the_hub_saw_but_has_not_snapshot_updates_every_member_kept() -> None:
    # resource_snapshot_resolver.go: the latest snapshot is stamped until the new one is made.
    hub = FakeHub(_seen(5, 20), [_binding(m, "llm-2-snapshot") for m in "abc"])
    assert behind(hub, _placement(SELECT_LLM)) is None  # type: ignore[arg-type]
    change = what_changes(hub, KEPT, _placement(SELECT_LLM, [CONFIG]), [_placement(SELECT_LLM)])  # type: ignore[arg-type]
    assert change.updated == 3


def test_a_stamp_left_after_the_hub_would_have_snapshot_the_change_moves_no_member() -> None:
    # The change was undone: the hub kept the snapshot (same hash) and never takes the stamp off.
    hub = FakeHub(_seen(600, 900), [_binding(m, "llm-2-snapshot") for m in "abc"])
    assert behind(hub, _placement(SELECT_LLM)) == set()  # type: ignore[arg-type]
    change = what_changes(hub, KEPT, _placement(SELECT_LLM, [CONFIG]), [_placement(SELECT_LLM)])  # type: ignore[arg-type]
    assert change.updated == 0


def test_a_change_is_pending_until_the_longest_interval_the_hub_takes_and_a_margin() -> None:
    # placementmgmt.go bounds: collection at most 1m after the stamp, at most 5m after the snapshot.
    created = 1_800_000_000.0
    snapshot = {"metadata": {"creationTimestamp": _at(created), "annotations": {DETECTED: _at(created + 100)}}}
    assert pending(snapshot, created + 359)  # 5m after its creation, and the 60 s margin
    assert not pending(snapshot, created + 361)
    snapshot["metadata"]["annotations"][DETECTED] = _at(created + 400)  # stamped long after the snapshot
    assert pending(snapshot, created + 400 + 119)
    assert not pending(snapshot, created + 400 + 121)
    assert not pending({"metadata": {"creationTimestamp": _at(created)}}, created)  # no stamp: nothing pending
    assert pending({"metadata": {"annotations": {DETECTED: "yesterday"}}}, created)  # unreadable: pending


def _at(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def test_the_hubs_default_selection_scope_is_no_change_of_selectors() -> None:
    on_hub = [{**SELECT_LLM[0], "selectionScope": "NamespaceWithResources"}]  # the CRD's default
    hub = FakeHub(_snapshot(1), [_binding(m, "llm-1-snapshot") for m in "abc"])
    change = what_changes(hub, KEPT, _placement(on_hub, [CONFIG]), [_placement(SELECT_LLM)])  # type: ignore[arg-type]
    assert change.updated == 0


def test_new_selectors_update_every_member_kept_and_a_namespace_with_its_contents_is_not_known() -> None:
    hub = FakeHub(_snapshot(1), [_binding(m, "llm-1-snapshot") for m in "abc"])
    other = [{"group": "", "version": "v1", "kind": "Namespace", "name": "chat"}]
    change = what_changes(hub, KEPT, _placement(SELECT_LLM, [CONFIG]), [_placement(other)])  # type: ignore[arg-type]
    assert (change.updated, change.untracked) == (3, True)


def test_a_namespace_alone_is_data_and_available_at_once() -> None:
    only = [{**SELECT_LLM[0], "selectionScope": "NamespaceOnly"}]
    assert selection_after(_placement(SELECT_LLM, [CONFIG]), _placement(only)) == [
        {"group": "", "kind": "Namespace", "name": "llm"}
    ]
    assert untracked([{"group": "", "kind": "Namespace", "name": "llm"}]) == []


def test_a_workspace_is_not_tracked_and_a_config_map_is() -> None:
    assert untracked([CONFIG, WORKSPACE]) == ["Workspace/phi-4"]


def _cro(rules: list[dict[str, Any]], selected: str = "llm") -> dict[str, Any]:
    """akscli's ClusterResourceOverride of placement llm (fleet/placement.py), selecting namespace ``selected``."""
    namespace = {"group": "", "version": "v1", "kind": "Namespace", "name": selected}
    return {
        "kind": "ClusterResourceOverride",
        "metadata": {"name": "llm-override"},
        "spec": {
            "placement": {"name": "llm", "scope": "Cluster"},
            "clusterResourceSelectors": [namespace],
            "policy": {"overrideRules": rules},
        },
    }


def _rule(value: int, env: str | None = None) -> dict[str, Any]:
    terms = [{"labelSelector": {"matchLabels": {"env": env}}}] if env else []
    return {
        "clusterSelector": {"clusterSelectorTerms": terms},
        "jsonPatchOverrides": [{"op": "add", "path": "/x", "value": value}],
    }


def test_an_override_written_with_the_hubs_defaults_is_no_change() -> None:
    mine = _cro([_rule(1)])
    stored = _cro([{**_rule(1), "overrideType": "JSONPatch"}])
    hub = FakeHub(_snapshot(1), [_binding(m, "llm-1-snapshot") for m in "abc"], override=stored)
    existing = _placement(SELECT_LLM, [CONFIG])
    assert what_changes(hub, KEPT, existing, [_placement(SELECT_LLM), mine]).updated == 0  # type: ignore[arg-type]
    changed = _cro([_rule(2)])
    assert what_changes(hub, KEPT, existing, [_placement(SELECT_LLM), changed]).updated == 3  # type: ignore[arg-type]


def _member(name: str, env: str) -> dict[str, Any]:
    return {"metadata": {"name": name, "labels": {"env": env}}}


MEMBERS = [_member("a", "prod"), _member("b", "staging"), _member("c", "dev")]


def test_a_changed_override_moves_only_the_members_its_rules_select_before_or_after() -> None:
    # overrider.go isClusterMatched: a rule's clusterSelectorTerms, by label.
    hub = FakeHub(_snapshot(1), [_binding(m, "llm-1-snapshot") for m in "abc"], override=_cro([_rule(1, "staging")]))
    objects = [_placement(SELECT_LLM), _cro([_rule(2, "prod")])]
    change = what_changes(hub, KEPT, _placement(SELECT_LLM, [CONFIG]), objects, MEMBERS)  # type: ignore[arg-type]
    assert change.updated == 2  # a (matched now) and b (matched before); c never


def test_an_override_that_selects_nothing_the_placement_holds_moves_no_member() -> None:
    # FetchAllMatchingOverridesForResourceSnapshot: no selector names a candidate of the snapshot
    # (namespace chat is not what placement llm holds), so no binding's override snapshots change.
    hub = FakeHub(_snapshot(1), [_binding(m, "llm-1-snapshot") for m in "abc"], override=None)
    objects = [_placement(SELECT_LLM), _cro([_rule(2)], selected="chat")]
    assert what_changes(hub, KEPT, _placement(SELECT_LLM, [CONFIG]), objects, MEMBERS).updated == 0  # type: ignore[arg-type]


def _ro(namespace: str, kind: str, name: str, placement: dict[str, str]) -> dict[str, Any]:
    selector = {"group": "", "version": "v1", "kind": kind, "name": name}
    return {
        "kind": "ResourceOverride",
        "metadata": {"name": "llm-override", "namespace": namespace},
        "spec": {"placement": placement, "resourceSelectors": [selector], "policy": {"overrideRules": [_rule(1)]}},
    }


def test_a_resource_override_selects_a_namespaced_object_of_its_own_namespace() -> None:
    placement = _placement(SELECT_LLM, [CONFIG])
    cluster = {"name": "llm", "scope": "Cluster"}
    assert selects(_ro("llm", "ConfigMap", "model-config", cluster), placement, [CONFIG])
    assert not selects(_ro("chat", "ConfigMap", "model-config", cluster), placement, [CONFIG])
    assert not selects(_ro("llm", "ConfigMap", "other", cluster), placement, [CONFIG])


def test_an_override_of_another_placement_is_not_counted() -> None:
    placement = _placement(SELECT_LLM, [CONFIG])
    assert not selects(_ro("llm", "ConfigMap", "model-config", {"name": "chat"}), placement, [CONFIG])
    # A Namespaced reference names a ResourcePlacement of the override's namespace: llm/llm.
    rp = {"kind": "ResourcePlacement", "metadata": {"name": "llm", "namespace": "llm"}}
    namespaced = {"name": "llm", "scope": "Namespaced"}
    assert selects(_ro("llm", "ConfigMap", "model-config", namespaced), rp, [CONFIG])
    assert not selects(_ro("llm", "ConfigMap", "model-config", namespaced), placement, [CONFIG])
    assert not selects(_cro([_rule(1)]), rp, [CONFIG])  # a CRO's reference is a name; llm/llm is none


def test_an_override_is_counted_when_the_selection_is_not_known_or_holds_an_envelope() -> None:
    placement = _placement(SELECT_LLM, [CONFIG])
    envelope = {"group": "placement.kubernetes-fleet.io", "version": "v1beta1", "kind": "ResourceEnvelope", "name": "e"}
    assert selects(_cro([_rule(1)], selected="chat"), placement, None)
    assert selects(_cro([_rule(1)], selected="chat"), placement, [{**envelope, "namespace": "llm"}])


def test_kept_members_that_keep_what_they_have_are_not_paced() -> None:
    played = pacing.rollout_seconds(Change(kept=3, updated=0), unavailable=1, surge=1, period=60)
    assert (played.steps, played.stuck) == (0, 0)


def test_max_unavailable_zero_is_not_warned_when_no_member_kept_is_updated() -> None:
    assert pacing.timeout_warning(Change(kept=3, updated=0), "0", "1", None, 600) is None


def test_tracked_objects_are_not_warned_for_the_period() -> None:
    assert pacing.timeout_warning(Change(kept=12, untracked=False), "1", None, None, 600) is None


def test_the_line_says_how_many_of_the_members_kept_are_updated() -> None:
    line = pacing.timeout_warning(Change(kept=12, updated=11, slow=("Workspace/phi-4",)), "1", None, None, 600)
    assert line is not None
    assert "the placement is on 12 members, 11 of them to update in place and --max-unavailable 1" in line
    assert "for objects KubeFleet cannot track (here Workspace/phi-4)" in line
