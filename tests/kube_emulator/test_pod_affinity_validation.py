"""The API server refuses a pod spec whose nodeSelector or pod (anti-)affinity terms cannot work,
with ValidatePodSpec's field paths and texts (tests/emulators/kube/pod_affinity_validation.py
names the upstream functions)."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.job_validation import LABEL_MSG
from tests.emulators.kube.pod_affinity_validation import label_selector, labels, pod_affinity
from tests.emulators.kube.pod_spec_policy_validation import LABEL_VALUE_MSG, NAME_PART_MSG
from tests.kube_emulator.test_pod_spec_containers import AT, main, refusal, web

ANTI = f"{AT}.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]"


def anti(**term: Any) -> dict[str, Any]:
    return {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [term]}}


def test_a_required_term_without_a_topology_key_is_refused(kube_emulator: KubeEmulator) -> None:
    body = web(containers=[main()], affinity=anti(labelSelector={"matchLabels": {"app": "web"}}))
    assert refusal(kube_emulator, body) == [
        (f"{ANTI}.topologyKey", "Required value: can not be empty"),
        (f"{ANTI}.topologyKey", 'Invalid value: "": name part must be non-empty'),
        (f"{ANTI}.topologyKey", f'Invalid value: "": {NAME_PART_MSG}'),
    ]


def test_a_term_selector_with_a_bad_operator_and_value_is_refused_through_the_api(kube_emulator: KubeEmulator) -> None:
    expr = {"key": "app", "operator": "Equals", "values": ["web/1"]}
    body = web(containers=[main()], affinity=anti(labelSelector={"matchExpressions": [expr]}, topologyKey="zone"))
    at = f"{ANTI}.labelSelector.matchExpressions[0]"
    assert refusal(kube_emulator, body) == [
        (f"{at}.operator", 'Invalid value: "Equals": not a valid selector operator'),
        (f"{at}.values[0]", f'Invalid value: "web/1": {LABEL_VALUE_MSG}'),
    ]


def test_a_node_selector_key_and_value_are_checked_on_the_map(kube_emulator: KubeEmulator) -> None:
    body = web(containers=[main()], nodeSelector={"-pool": "gpu", "sku": "a" * 64})
    assert refusal(kube_emulator, body) == [
        (f"{AT}.nodeSelector", f'Invalid value: "-pool": {NAME_PART_MSG}'),
        (f"{AT}.nodeSelector", f'Invalid value: "{"a" * 64}": must be no more than 63 characters'),
    ]


def test_selector_rules_on_values_and_exists() -> None:
    assert label_selector("s", {"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["x"]}]}) == [
        (
            "FieldValueForbidden",
            "s.matchExpressions[0].values",
            "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
        )
    ]
    assert labels("n", {"ok": "bad value"}) == [
        ("FieldValueInvalid", "n", f'Invalid value: "bad value": {LABEL_VALUE_MSG}')
    ]


def test_preferred_terms_weights_namespaces_and_label_keys() -> None:
    weighted = {
        "weight": 0,
        "podAffinityTerm": {"topologyKey": "zone", "namespaces": ["Serving"], "matchLabelKeys": ["x"]},
    }
    at = "a.podAffinity.preferredDuringSchedulingIgnoredDuringExecution[0]"
    assert pod_affinity("a", {"podAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [weighted]}}) == [
        ("FieldValueInvalid", f"{at}.weight", "Invalid value: 0: must be in the range 1-100"),
        ("FieldValueInvalid", f"{at}.podAffinityTerm.namespace", f'Invalid value: "Serving": {LABEL_MSG}'),
        (
            "FieldValueForbidden",
            f"{at}.podAffinityTerm.matchLabelKeys",
            "Forbidden: must not be specified when labelSelector is not set",
        ),
    ]


def test_well_formed_terms_and_selector_are_accepted() -> None:
    term = {
        "labelSelector": {"matchLabels": {"app": "web"}},
        "topologyKey": "kubernetes.io/hostname",
        "mismatchLabelKeys": ["tier"],
    }
    assert pod_affinity("a", {"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [term]}}) == []
    assert labels("n", {"kubernetes.azure.com/agentpool": "gpu", "sku": ""}) == []
