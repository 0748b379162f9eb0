"""KubeFleet's webhooks in the kube emulator, for what kubectl (or any client past akscli) sends: the
override webhooks' check of each rule's cluster selector terms (upstream: kubefleet-dev/kubefleet
e160c1cd pkg/utils/validator/resourceoverride.go validateOverridePolicy, run by
pkg/webhook/clusterresourceoverride and pkg/webhook/resourceoverride), and the placement webhook's
REST mapping of each resource selector (pkg/utils/validator/placement.go validatePlacement)."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube import KubeEmulator
from tests.kube_emulator.helpers import raw

P1 = "/apis/placement.kubernetes-fleet.io/v1"
CROS = P1 + "/clusterresourceoverrides"
CRPS = P1 + "/clusterresourceplacements"
CRO_WEBHOOK = 'admission webhook "fleet.clusterresourceoverride.validating" denied the request: '
RO_WEBHOOK = 'admission webhook "fleet.resourceoverride.validating" denied the request: '
CRP_WEBHOOK = 'admission webhook "fleet.clusterresourceplacementv1beta1.validating" denied the request: '
GOLD = [{"op": "add", "path": "/metadata/labels/tier", "value": "gold"}]


def _rule(term: dict[str, Any], **rule: Any) -> dict[str, Any]:
    return {"clusterSelector": {"clusterSelectorTerms": [term]}, "jsonPatchOverrides": GOLD, **rule}


def cro(*rules: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "placement.kubernetes-fleet.io/v1",
        "kind": "ClusterResourceOverride",
        "metadata": {"name": "llm-override"},
        "spec": {
            "clusterResourceSelectors": [{"group": "", "version": "v1", "kind": "Namespace", "name": "llm"}],
            "policy": {"overrideRules": list(rules)},
        },
    }


def test_an_override_term_without_a_label_selector_is_denied(kube_emulator: KubeEmulator) -> None:
    r = raw(kube_emulator, "POST", CROS, cro(_rule({})))
    assert r.status == 403
    assert r.json()["message"] == CRO_WEBHOOK + (
        "invalid clusterSelector {LabelSelector:nil PropertySelector:<nil> PropertySorter:<nil>}: "
        "labelSelector is required"
    )
    assert raw(kube_emulator, "GET", CROS + "/llm-override").status == 404  # nothing stored


def test_an_override_term_with_a_property_selector_is_denied(kube_emulator: KubeEmulator) -> None:
    term = {"labelSelector": {"matchLabels": {"env": "prod"}}, "propertySelector": {"matchExpressions": []}}
    r = raw(kube_emulator, "POST", CROS, cro(_rule(term)))
    assert r.status == 403
    assert r.json()["message"] == CRO_WEBHOOK + (
        "invalid clusterSelector {LabelSelector:&LabelSelector{MatchLabels:map[string]string{env: prod,},"
        "MatchExpressions:[]LabelSelectorRequirement{},} PropertySelector:0xc000000000 PropertySorter:<nil>}: "
        "only labelSelector is supported"
    )


def test_a_delete_rule_with_json_patches_is_denied(kube_emulator: KubeEmulator) -> None:
    rule = _rule({"labelSelector": {"matchLabels": {"env": "prod"}}}, overrideType="Delete")
    r = raw(kube_emulator, "POST", CROS, cro(rule))
    assert r.status == 403
    assert r.json()["message"] == CRO_WEBHOOK + (
        "invalid JSONPatchOverrides: JSONPatchOverrides cannot be set when the override type is Delete"
    )


def test_a_namespaced_override_is_checked_by_its_own_webhook(kube_emulator: KubeEmulator) -> None:
    raw(
        kube_emulator,
        "POST",
        "/api/v1/namespaces",
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "llm"}},
    )
    ro = {
        "apiVersion": "placement.kubernetes-fleet.io/v1",
        "kind": "ResourceOverride",
        "metadata": {"name": "web-override", "namespace": "llm"},
        "spec": {
            "resourceSelectors": [{"group": "apps", "version": "v1", "kind": "Deployment", "name": "web"}],
            "policy": {"overrideRules": [_rule({})]},
        },
    }
    r = raw(kube_emulator, "POST", P1 + "/namespaces/llm/resourceoverrides", ro)
    assert r.status == 403
    assert r.json()["message"].startswith(RO_WEBHOOK + "invalid clusterSelector {LabelSelector:nil")


def test_an_override_term_with_a_label_selector_is_admitted(kube_emulator: KubeEmulator) -> None:
    r = raw(kube_emulator, "POST", CROS, cro(_rule({"labelSelector": {"matchLabels": {"env": "prod"}}})))
    assert r.status == 201, r.json()


def crp(kind: str) -> dict[str, Any]:
    return {
        "apiVersion": "placement.kubernetes-fleet.io/v1",
        "kind": "ClusterResourcePlacement",
        "metadata": {"name": "llm"},
        "spec": {"resourceSelectors": [{"group": "", "version": "v1", "kind": kind, "name": "llm"}]},
    }


def test_a_placement_selector_of_a_kind_in_lower_case_is_denied(kube_emulator: KubeEmulator) -> None:
    # The hub agent's REST mapper keys kinds exactly (controller-runtime's, meta.NoKindMatchError).
    r = raw(kube_emulator, "POST", CRPS, crp("namespace"))
    assert r.status == 403
    assert r.json()["message"] == CRP_WEBHOOK + (
        "deny create/update v1beta1 CRP has invalid fields "
        'failed to get GVR of the selector: no matches for kind "namespace" in version "v1"'
    )


def test_a_placement_selector_of_a_served_kind_is_admitted(kube_emulator: KubeEmulator) -> None:
    assert raw(kube_emulator, "POST", CRPS, crp("Namespace")).status == 201


def _crp_tolerating(*tolerations: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "placement.kubernetes-fleet.io/v1",
        "kind": "ClusterResourcePlacement",
        "metadata": {"name": "llm"},
        "spec": {
            "resourceSelectors": [{"group": "", "version": "v1", "kind": "Namespace", "name": "llm"}],
            "policy": {"placementType": "PickAll", "tolerations": list(tolerations)},
        },
    }


def test_a_toleration_given_twice_is_denied_with_it_as_go_prints_it(kube_emulator: KubeEmulator) -> None:
    # validateTolerations (pkg/utils/validator/placement.go): uniqueTolerationErrFmt with %+v of a
    # Toleration (apis/placement/v1beta1/clusterresourceplacement_types.go: Key, Operator, Value, Effect).
    twice = {"key": "gpu", "operator": "Equal", "value": "a100", "effect": "NoSchedule"}
    r = raw(kube_emulator, "POST", CRPS, _crp_tolerating(twice, twice))
    assert r.status == 403
    assert r.json()["message"] == CRP_WEBHOOK + (
        "deny create/update v1beta1 CRP has invalid fields the placement policy field is invalid: "
        "toleration {Key:gpu Operator:Equal Value:a100 Effect:NoSchedule} already exists, tolerations must be unique"
    )


def test_a_bad_toleration_value_is_denied_with_the_whole_label_value_message(kube_emulator: KubeEmulator) -> None:
    r = raw(kube_emulator, "POST", CRPS, _crp_tolerating({"key": "gpu", "value": "-a100"}))
    assert r.status == 403
    # The operator as the CRD defaults it (Equal), and IsValidLabelValue's message in full.
    assert r.json()["message"].endswith(
        "invalid toleration value {Key:gpu Operator:Equal Value:-a100 Effect:}: a valid label must be an empty "
        "string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
        "alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is "
        "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
    )
