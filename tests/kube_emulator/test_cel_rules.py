"""x-kubernetes-validations rules of the shared CRDs are evaluated with cel-python, with the API
server's messages, transition rules (oldSelf) and ratcheting (kubernetes/kubernetes
staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel/validation.go)."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.cel import survey
from tests.emulators.kube.crds import default_crd_dir, load_crd_dir
from tests.kube_emulator.helpers import raw

CRPS = "/apis/placement.kubernetes-fleet.io/v1beta1/clusterresourceplacements"


def placement(policy: dict[str, Any], name: str = "crp") -> dict[str, Any]:
    return {
        "apiVersion": "placement.kubernetes-fleet.io/v1beta1",
        "kind": "ClusterResourcePlacement",
        "metadata": {"name": name},
        "spec": {
            "resourceSelectors": [{"group": "", "version": "v1", "kind": "Namespace", "name": "ml"}],
            "policy": policy,
        },
    }


def test_a_violated_rule_is_invalid_with_the_rule_message(kube_emulator: KubeEmulator) -> None:
    r = raw(kube_emulator, "POST", CRPS, placement({"placementType": "PickFixed", "numberOfClusters": 2}))
    assert r.status == 422
    body = r.json()
    assert body["message"] == (
        'ClusterResourcePlacement.placement.kubernetes-fleet.io "crp" is invalid: spec.policy: Invalid value: '
        '"object": affinity, numberOfClusters, topologySpreadConstraints, and tolerations cannot be set when '
        "placementType is PickFixed"
    )
    assert body["details"]["causes"][0]["field"] == "spec.policy"


def test_a_valid_object_passes_its_rules(kube_emulator: KubeEmulator) -> None:
    r = raw(kube_emulator, "POST", CRPS, placement({"placementType": "PickN", "numberOfClusters": 2}))
    assert r.status == 201, r.body


def test_a_transition_rule_compares_with_the_old_value(kube_emulator: KubeEmulator) -> None:
    assert raw(kube_emulator, "POST", CRPS, placement({"placementType": "PickAll"})).status == 201
    r = raw(
        kube_emulator,
        "PATCH",
        CRPS + "/crp",
        {"spec": {"policy": {"placementType": "PickN", "numberOfClusters": 1}}},
        content_type="application/merge-patch+json",
    )
    assert r.status == 422
    assert 'spec.policy: Invalid value: "object": placement type is immutable' in r.json()["message"]


def test_rules_inside_lists_name_the_list(kube_emulator: KubeEmulator) -> None:
    crp = placement({"placementType": "PickAll"})
    crp["spec"]["resourceSelectors"][0]["labelSelector"] = {"matchLabels": {"a": "b"}}
    r = raw(kube_emulator, "POST", CRPS, crp)
    assert r.status == 422
    assert (
        'spec.resourceSelectors: Invalid value: "array": name and labelSelector are mutually exclusive'
        in r.json()["message"]
    )


def gadget_crd(rule: str) -> dict[str, Any]:
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "gadgets.example.com"},
        "spec": {
            "group": "example.com",
            "scope": "Namespaced",
            "names": {"plural": "gadgets", "singular": "gadget", "kind": "Gadget"},
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "properties": {
                                "spec": {
                                    "type": "object",
                                    "x-kubernetes-validations": [{"rule": rule}],
                                    "properties": {"size": {"type": "integer"}, "note": {"type": "string"}},
                                }
                            },
                        }
                    },
                }
            ],
        },
    }


def test_an_unchanged_invalid_value_is_ratcheted_on_update(kube_emulator: KubeEmulator) -> None:
    crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
    gadgets = "/apis/example.com/v1/namespaces/default/gadgets"
    assert raw(kube_emulator, "POST", crds, gadget_crd("self.size >= 0")).status == 201
    gadget = {"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": "g"}, "spec": {"size": 3}}
    assert raw(kube_emulator, "POST", gadgets, gadget).status == 201
    crd = raw(kube_emulator, "GET", crds + "/gadgets.example.com").json()
    crd["spec"]["versions"][0]["schema"] = gadget_crd("self.size > 5")["spec"]["versions"][0]["schema"]
    assert raw(kube_emulator, "PUT", crds + "/gadgets.example.com", crd).status == 200
    merge = "application/merge-patch+json"
    labelled = raw(kube_emulator, "PATCH", gadgets + "/g", {"metadata": {"labels": {"a": "b"}}}, content_type=merge)
    assert labelled.status == 200, labelled.body
    changed = raw(kube_emulator, "PATCH", gadgets + "/g", {"spec": {"size": 4}}, content_type=merge)
    assert changed.status == 422
    assert 'spec: Invalid value: "object": failed rule: self.size > 5' in changed.json()["message"]


def test_every_rule_of_the_shared_crds_is_parsed_and_its_functions_provided() -> None:
    report = survey(load_crd_dir(default_crd_dir()))
    assert report["rules"] > 400
    assert report["unparsed"] == []
    assert report["unknown_functions"] == []
