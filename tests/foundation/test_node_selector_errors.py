"""A node selector upstream cannot read reports every error, as one aggregate: NewNodeSelector and
LazyErrorNodeSelector.Match return errors.NewAggregate of the terms' parse errors, each
nodeSelectorRequirementsAsSelector / AsFieldSelector error kept (kubernetes/component-helpers
1961876 scheduling/corev1/nodeaffinity/nodeaffinity.go), and the aggregate's text is
aggregate.Error()'s (kubernetes/apimachinery eed236ce pkg/util/errors/errors.go)."""

from __future__ import annotations

import pytest

from akscli.kube import label_selector
from akscli.kube.selectors import SelectorError

KEY_DETAIL = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)
OPERATORS = '"In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"'


def _error(*messages: str) -> SelectorError:
    return (
        SelectorError(messages[0], "p", "h")
        if len(messages) == 1
        else label_selector.aggregate([SelectorError(m, "p", "h") for m in messages])
    )


@pytest.mark.parametrize(
    ("errors", "text"),
    [
        # errors_test.go TestPluralAggregate, TestDedupeAggregate, TestDedupePluralAggregate,
        # TestFlattenAndDedupeAggregate, TestFlattenAggregate
        ([_error("abc"), _error("123")], "[abc, 123]"),
        ([_error("abc"), _error("abc")], "abc"),
        ([_error("abc"), _error("abc"), _error("123")], "[abc, 123]"),
        ([_error("abc"), _error("abc"), _error("abc")], "abc"),
        ([_error("abc"), _error("abc"), _error("abc", "def", "ghi")], "[abc, def, ghi]"),
        ([_error("abc")], "abc"),
    ],
)
def test_the_aggregate_reads_as_upstreams(errors: list[SelectorError], text: str) -> None:
    assert label_selector.aggregate(errors).message == text


def test_every_bad_expression_of_a_term_is_reported() -> None:
    expressions = [
        {"key": "invalid key", "operator": "In", "values": ["label_value"]},
        {"key": "gpus", "operator": "Equals", "values": ["1"]},
    ]
    with pytest.raises(SelectorError) as caught:
        label_selector.node_requirements(expressions, "nodeSelectorTerms[2].matchExpressions")
    assert caught.value.message == (
        f'[nodeSelectorTerms[2].matchExpressions[0].key: Invalid value: "invalid key": {KEY_DETAIL}, '
        f'nodeSelectorTerms[2].matchExpressions[1].operator: Unsupported value: "Equals": supported values: '
        f"{OPERATORS}]"
    )


def test_one_requirement_s_own_errors_are_flattened_into_the_terms() -> None:
    # labels.NewRequirement returns an aggregate; the term's aggregate visits into it
    expressions = [
        {"key": "gpus", "operator": "Gt", "values": ["one", "two"]},
        {"key": "zone", "operator": "Exists", "values": ["1"]},
    ]
    with pytest.raises(SelectorError) as caught:
        label_selector.node_requirements(expressions, "m")
    assert caught.value.message == (
        "[m[0].values: Invalid value: []string{\"one\", \"two\"}: for 'Gt', 'Lt' operators, exactly one value "
        "is required, m[0].values[0]: Invalid value: \"one\": for 'Gt', 'Lt' operators, the value must be an "
        "integer, m[0].values[1]: Invalid value: \"two\": for 'Gt', 'Lt' operators, the value must be an "
        'integer, m[1].values: Invalid value: []string{"1"}: values set must be empty for exists and does '
        "not exist]"
    )


def test_every_bad_match_field_is_reported() -> None:
    fields = [
        {"key": "metadata.name", "operator": "In", "values": ["host_1", "host_2"]},
        {"key": "metadata.name", "operator": "Exists"},
    ]
    with pytest.raises(SelectorError) as caught:
        label_selector.field_requirements(fields, "nodeSelectorTerms[0].matchFields")
    assert caught.value.message == (
        '[nodeSelectorTerms[0].matchFields[0].values: Invalid value: []string{"host_1", "host_2"}: must have '
        'one element, nodeSelectorTerms[0].matchFields[1].operator: Unsupported value: "Exists": supported '
        'values: "In", "NotIn"]'
    )


def test_a_term_with_one_bad_expression_keeps_its_one_message() -> None:
    with pytest.raises(SelectorError) as caught:
        label_selector.node_requirements([{"key": "gpus", "operator": "Equals"}], "m")
    assert caught.value.message == f'm[0].operator: Unsupported value: "Equals": supported values: {OPERATORS}'
