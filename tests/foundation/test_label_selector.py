"""akscli's one matcher of structured selectors (akscli.kube.label_selector): a metav1.LabelSelector
read as kubernetes/apimachinery kubernetes-1.32.0 pkg/apis/meta/v1/helpers.go
LabelSelectorAsSelector reads it (its TestLabelSelectorAsSelector table, then the errors of
pkg/labels/selector.go NewRequirement), and a node selector term as kubernetes/component-helpers
scheduling/corev1/nodeaffinity/nodeaffinity.go reads it."""

from __future__ import annotations

from typing import Any

import pytest

from akscli.kube import label_selector
from akscli.kube.selectors import SelectorError
from tests.foundation.test_selector_grammar import KEY_RULE, VALUE_RULE

MATCH_LABELS = {"foo": "bar"}
MATCH_EXPRESSIONS = [{"key": "baz", "operator": "In", "values": ["qux", "norf"]}]


# TestLabelSelectorAsSelector: the selector's String() (labels.Nothing()'s and Everything()'s are "")
@pytest.mark.parametrize(
    ("selector", "string"),
    [
        ({}, ""),
        ({"matchLabels": MATCH_LABELS}, "foo=bar"),
        ({"matchExpressions": MATCH_EXPRESSIONS}, "baz in (norf,qux)"),
        ({"matchLabels": MATCH_LABELS, "matchExpressions": MATCH_EXPRESSIONS}, "baz in (norf,qux),foo=bar"),
    ],
)
def test_a_selector_reads_as_upstreams_table_says(selector: dict[str, Any], string: str) -> None:
    assert label_selector.selector_string(selector) == string


def test_a_nil_selector_matches_nothing() -> None:
    assert label_selector.requirements(None) is None
    assert not label_selector.matches(None, {})
    assert not label_selector.matches(None, {"foo": "bar"})


def test_an_empty_selector_matches_everything() -> None:
    assert label_selector.matches({}, {})
    assert label_selector.matches({"matchLabels": {}, "matchExpressions": []}, {"any": "thing"})


def test_match_labels_and_expressions_must_all_hold() -> None:
    selector = {"matchLabels": MATCH_LABELS, "matchExpressions": MATCH_EXPRESSIONS}
    assert label_selector.matches(selector, {"foo": "bar", "baz": "qux"})
    assert not label_selector.matches(selector, {"foo": "bar", "baz": "other"})
    assert not label_selector.matches(selector, {"foo": "other", "baz": "qux"})


@pytest.mark.parametrize(
    ("expression", "labels", "matched"),
    [
        ({"key": "a", "operator": "In", "values": ["x", "y"]}, {"a": "y"}, True),
        ({"key": "a", "operator": "In", "values": ["x"]}, {}, False),
        ({"key": "a", "operator": "NotIn", "values": ["x"]}, {"a": "x"}, False),
        # Requirement.Matches: NotIn holds where the key is missing
        ({"key": "a", "operator": "NotIn", "values": ["x"]}, {}, True),
        ({"key": "a", "operator": "Exists"}, {"a": ""}, True),
        ({"key": "a", "operator": "Exists"}, {"b": "x"}, False),
        ({"key": "a", "operator": "DoesNotExist"}, {}, True),
        ({"key": "a", "operator": "DoesNotExist"}, {"a": "x"}, False),
    ],
)
def test_each_operator_matches_as_requirement_matches(
    expression: dict[str, Any], labels: dict[str, str], matched: bool
) -> None:
    assert label_selector.matches({"matchExpressions": [expression]}, labels) is matched


@pytest.mark.parametrize(
    ("selector", "message"),
    [
        # TestLabelSelectorAsSelector's error case: Exists with values
        (
            {"matchExpressions": [{"key": "baz", "operator": "Exists", "values": ["qux", "norf"]}]},
            'values: Invalid value: []string{"qux", "norf"}: values set must be empty for exists and does not exist',
        ),
        (
            {"matchExpressions": [{"key": "a", "operator": "Gt", "values": ["1"]}]},
            '"Gt" is not a valid label selector operator',
        ),
        ({"matchExpressions": [{"key": "a"}]}, '"" is not a valid label selector operator'),
        # append([]string(nil), expr.Values...): no values is a nil slice
        (
            {"matchExpressions": [{"key": "a", "operator": "In", "values": []}]},
            "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty",
        ),
        ({"matchLabels": {"a b": "x"}}, f'key: Invalid value: "a b": {KEY_RULE}'),
        ({"matchLabels": {"app": "a b"}}, f'values[0][app]: Invalid value: "a b": {VALUE_RULE}'),
    ],
)
def test_a_selector_upstream_cannot_read_carries_its_message(selector: dict[str, Any], message: str) -> None:
    with pytest.raises(SelectorError) as caught:
        label_selector.matches(selector, {})
    assert caught.value.message == message


def test_several_errors_of_one_requirement_are_aggregated() -> None:
    with pytest.raises(SelectorError) as caught:
        label_selector.requirements({"matchExpressions": [{"key": "a b", "operator": "NotIn"}]})
    assert caught.value.message == (
        f'[key: Invalid value: "a b": {KEY_RULE}, values: Invalid value: []string(nil): '
        "for 'in', 'notin' operators, values set can't be empty]"
    )


# ---- node selector terms (component-helpers nodeaffinity.go) ------------------------------------


def node_term(*expressions: dict[str, Any], fields: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"matchExpressions": list(expressions), **({"matchFields": fields} if fields is not None else {})}


def test_a_node_term_with_neither_expressions_nor_fields_matches_nothing() -> None:
    assert not label_selector.node_term_matches({}, {"a": "b"}, {"metadata.name": "n"})


@pytest.mark.parametrize(
    ("expression", "value", "matched"),
    [
        ({"key": "gpus", "operator": "Gt", "values": ["1"]}, "2", True),
        ({"key": "gpus", "operator": "Gt", "values": ["1"]}, "1", False),
        ({"key": "gpus", "operator": "Lt", "values": ["8"]}, "-3", True),
        # the node's value is no integer: strconv.ParseInt fails, no match
        ({"key": "gpus", "operator": "Gt", "values": ["1"]}, "two", False),
    ],
)
def test_gt_and_lt_compare_integers(expression: dict[str, Any], value: str, matched: bool) -> None:
    assert label_selector.node_term_matches(node_term(expression), {"gpus": value}, {}) is matched


@pytest.mark.parametrize(
    "expression",
    [
        {"key": "gpus", "operator": "Gt", "values": ["one"]},
        {"key": "gpus", "operator": "Gt", "values": ["1", "2"]},
        {"key": "gpus", "operator": "Equals", "values": ["1"]},
        {"key": "a b", "operator": "Exists"},
    ],
)
def test_a_node_term_upstream_cannot_read_matches_nothing(expression: dict[str, Any]) -> None:
    # the term's other requirement holds: the unreadable one alone keeps the term from matching
    term = node_term({"key": "zone", "operator": "Exists"}, expression)
    assert not label_selector.node_term_matches(term, {"zone": "1", "gpus": "5"}, {})


def test_node_requirements_carry_the_path_of_the_bad_requirement() -> None:
    with pytest.raises(SelectorError) as caught:
        label_selector.node_requirements([{"key": "gpus", "operator": "Gt", "values": ["one"]}], "m")
    assert (
        caught.value.message
        == "m[0].values[0]: Invalid value: \"one\": for 'Gt', 'Lt' operators, the value must be an integer"
    )


def test_match_fields_compare_the_node_name() -> None:
    fields = [{"key": "metadata.name", "operator": "In", "values": ["aks-0"]}]
    assert label_selector.node_term_matches({"matchFields": fields}, {}, {"metadata.name": "aks-0"})
    assert not label_selector.node_term_matches({"matchFields": fields}, {}, {"metadata.name": "aks-1"})
    not_in = [{"key": "metadata.name", "operator": "NotIn", "values": ["aks-0"]}]
    assert label_selector.node_term_matches({"matchFields": not_in}, {}, {"metadata.name": "aks-1"})


def test_match_fields_are_skipped_for_a_node_with_no_name() -> None:
    # nodeSelectorTerm.match reads matchFields only when len(nodeFields) > 0 (a PV's node affinity
    # is checked against a node made of labels alone)
    fields = [{"key": "metadata.name", "operator": "In", "values": ["aks-0"]}]
    assert label_selector.node_term_matches({"matchFields": fields}, {}, {})


def test_match_fields_need_exactly_one_value() -> None:
    fields = [{"key": "metadata.name", "operator": "In", "values": ["aks-0", "aks-1"]}]
    assert not label_selector.node_term_matches({"matchFields": fields}, {}, {"metadata.name": "aks-0"})
    with pytest.raises(SelectorError) as caught:
        label_selector.field_requirements(fields, "t.matchFields")
    assert (
        caught.value.message
        == 't.matchFields[0].values: Invalid value: []string{"aks-0", "aks-1"}: must have one element'
    )
