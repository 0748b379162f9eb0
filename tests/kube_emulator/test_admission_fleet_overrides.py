"""KubeFleet's override and placement webhook checks the kube emulator runs (admission_fleet.py),
as plain calls; upstream: kubefleet-dev/kubefleet e160c1cd pkg/utils/validator/
clusterresourceoverride.go, resourceoverride.go, placement.go and the handlers in
pkg/webhook/clusterresourceoverride, pkg/webhook/resourceoverride. Two go over HTTP: the limit of
one override per resource reads the overrides stored, the scope check the kinds served."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.admission_fleet import override_review, review
from tests.kube_emulator.helpers import raw

P1 = "/apis/placement.kubernetes-fleet.io/v1"
LLM = {"group": "", "version": "v1", "kind": "Namespace", "name": "llm", "selectionScope": "NamespaceWithResources"}
PROD = {"labelSelector": {"matchLabels": {"env": "prod"}}}
GOLD = [{"op": "add", "path": "/metadata/labels/tier", "value": "gold"}]


def cro(name: str = "llm-override", selectors: list[dict[str, Any]] | None = None, **rule: Any) -> dict[str, Any]:
    rule = {"clusterSelector": {"clusterSelectorTerms": [PROD]}, "jsonPatchOverrides": GOLD, **rule}
    return {
        "apiVersion": "placement.kubernetes-fleet.io/v1",
        "kind": "ClusterResourceOverride",
        "metadata": {"name": name},
        "spec": {"clusterResourceSelectors": selectors or [LLM], "policy": {"overrideRules": [rule]}},
    }


def test_a_cluster_override_selecting_by_label_is_denied_before_any_other_check() -> None:
    by_label = {"group": "", "version": "v1", "kind": "Namespace", "labelSelector": {"matchLabels": {"a": "b"}}}
    message = override_review(cro(selectors=[by_label], jsonPatchOverrides=[]))
    assert message == (
        "label selector is not supported for resource selection {Group: Version:v1 Kind:Namespace Name: "
        "LabelSelector:&LabelSelector{MatchLabels:map[string]string{a: b,},MatchExpressions:"
        "[]LabelSelectorRequirement{},} SelectionScope:}"
    )


def test_a_duplicate_resource_selector_is_denied() -> None:
    assert override_review(cro(selectors=[LLM, LLM])) == (
        "resource selector {Group: Version:v1 Kind:Namespace Name:llm LabelSelector:nil "
        "SelectionScope:NamespaceWithResources} already exists, and must be unique"
    )


def test_the_101st_override_is_denied_on_create_only() -> None:
    stored = [cro(f"o{i}", [{**LLM, "name": f"ns{i}"}]) for i in range(100)]
    message = override_review(cro(), create=True, overrides=lambda kind, ns: stored)
    assert message == "clusterResourceOverride limit has been reached: at most 100 cluster resources can be created."
    assert override_review(cro(), create=False, overrides=lambda kind, ns: stored) is None


def test_a_cluster_selector_term_with_an_unparsable_label_selector_is_denied() -> None:
    term = {"labelSelector": {"matchExpressions": [{"key": "env", "operator": "In"}]}}
    message = override_review(cro(clusterSelector={"clusterSelectorTerms": [term]}))
    assert message == (
        "the labelSelector in cluster selector &LabelSelector{MatchLabels:map[string]string{},MatchExpressions:"
        "[]LabelSelectorRequirement{LabelSelectorRequirement{Key:env,Operator:In,Values:[],},},} is invalid: "
        "values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty"
    )


def test_json_patch_paths_outside_labels_and_annotations_and_a_remove_with_a_value_are_denied() -> None:
    patches = [{"op": "add", "path": "/metadata/name", "value": "x"}, {"op": "remove", "path": "/spec/a", "value": 1}]
    assert override_review(cro(jsonPatchOverrides=patches)) == (
        '[invalid JSONPatchOverride {add /metadata/name {"x"}}: cannot override metadata fields except annotations '
        "and labels, invalid JSONPatchOverride {remove /spec/a {1}}: remove operation cannot have value]"
    )


def test_an_unmapped_placement_selector_ends_the_placement_checks() -> None:
    crp = {
        "metadata": {"name": "llm"},
        "spec": {
            "resourceSelectors": [{"group": "", "version": "v1", "kind": "namespace", "name": "llm"}],
            "policy": {"placementType": "PickN"},  # no numberOfClusters: not reported after the mapping fails
        },
    }
    message = review(crp, None, lambda group, version, kind: None)
    assert message == (
        "deny create/update v1beta1 CRP has invalid fields "
        'failed to get GVR of the selector: no matches for kind "namespace" in version "v1"'
    )


def test_a_second_override_of_the_same_resource_is_denied(kube_emulator: KubeEmulator) -> None:
    assert raw(kube_emulator, "POST", P1 + "/clusterresourceoverrides", cro("first")).status == 201
    r = raw(kube_emulator, "POST", P1 + "/clusterresourceoverrides", cro("second"))
    assert r.status == 403
    assert r.json()["message"] == (
        'admission webhook "fleet.clusterresourceoverride.validating" denied the request: invalid resource selector '
        "{Group: Version:v1 Kind:Namespace Name:llm LabelSelector:nil SelectionScope:NamespaceWithResources}: "
        "the resource has been selected by both second and first, which is not supported"
    )


def test_a_cluster_placement_selecting_a_namespaced_kind_is_denied(kube_emulator: KubeEmulator) -> None:
    crp = {
        "apiVersion": "placement.kubernetes-fleet.io/v1",
        "kind": "ClusterResourcePlacement",
        "metadata": {"name": "llm"},
        "spec": {"resourceSelectors": [{"group": "apps", "version": "v1", "kind": "Deployment", "name": "web"}]},
    }
    r = raw(kube_emulator, "POST", P1 + "/clusterresourceplacements", crp)
    assert r.status == 403
    assert r.json()["message"] == (
        'admission webhook "fleet.clusterresourceplacementv1beta1.validating" denied the request: '
        "deny create/update v1beta1 CRP has invalid fields the resource is not found in schema (please retry) "
        "or it is not a cluster scoped resource: apps/v1, Kind=Deployment"
    )


def test_a_namespace_in_namespace_with_resource_selectors_mode_lets_a_cluster_placement_select_namespaced_kinds() -> (
    None
):
    selectors = [
        {**LLM, "selectionScope": "NamespaceWithResourceSelectors"},
        {"group": "apps", "version": "v1", "kind": "Deployment", "name": "web"},
    ]
    served = {"Namespace": "Cluster", "Deployment": "Namespaced"}
    crp = {"metadata": {"name": "llm"}, "spec": {"resourceSelectors": selectors}}
    assert review(crp, None, lambda group, version, kind: served[kind]) is None
