"""Label and field selectors read as the API server reads them (akscli/kube/selectors.py).

The tables are upstream's own: kubernetes/apimachinery at kubernetes-1.32.0 (59e9003f),
pkg/labels/selector_test.go (TestSelectorParse, TestSetSelectorParser, TestSelectorMatches,
TestToString, TestParseOperator, TestRequirementConstructor) and pkg/fields/selector_test.go
(TestSplitTerms, TestSplitTerm, TestEscapeValue, TestSelectorParse, TestSelectorMatches). The
error texts are what that version's API server answers; tests/kube_emulator/
test_kubectl_selectors.py shows the real kubectl printing them.
"""

from __future__ import annotations

import pytest

from akscli.kube import selectors

# ---- labels: TestSelectorParse -----------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["x=a,y=b,z=c", "", "x!=a,y=b", "x=", "x= ", "x=,z= ", "x= ,z= ", "!x", "x>1", "x>1,z<5"]
)
def test_upstream_good_selectors_parse_and_restring_without_their_spaces(text: str) -> None:
    assert selectors.labels_string(selectors.parse_labels(text)) == text.replace(" ", "")


@pytest.mark.parametrize("text", ["x=a||y=b", "x==a==b", "!x=a", "x<a"])
def test_upstream_bad_selectors_are_refused(text: str) -> None:
    with pytest.raises(selectors.SelectorError):
        selectors.parse_labels(text)


def test_requirements_come_back_sorted_by_key_whatever_the_order_typed() -> None:
    # TestDeterministicParse
    assert selectors.labels_string(selectors.parse_labels("x=a,a=x")) == "a=x,x=a"


# ---- labels: TestSetSelectorParser (In, Valid, and upstream's expected requirements) ----------

SET_SELECTOR_PARSER = [
    ("", ""),
    ("\rx", "x"),
    ("this-is-a-dns.domain.com/key-with-dash", "this-is-a-dns.domain.com/key-with-dash"),
    (
        "this-is-another-dns.domain.com/key-with-dash in (so,what)",
        "this-is-another-dns.domain.com/key-with-dash in (so,what)",
    ),
    ("0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)", "0.1.2.domain/99 notin (10.10.100.1,tick.tack.clock)"),
    ("foo  in\t (abc)", "foo in (abc)"),
    ("x notin\n (abc)", "x notin (abc)"),
    ("x  notin\t\t\t(abc,def)", "x notin (abc,def)"),
    ("x in (abc,def)", "x in (abc,def)"),
    ("x in (abc,)", "x in (,abc)"),
    ("x in ()", "x in ()"),
    ("x notin (abc,,def),bar,z in (),w", "bar,w,x notin (,abc,def),z in ()"),
    ("x,y in (a)", "x,y in (a)"),
    ("x=a", "x=a"),
    ("x>1", "x>1"),
    ("x<7", "x<7"),
    ("x=a,y!=b", "x=a,y!=b"),
    ("x=a,y!=b,z in (h,i,j)", "x=a,y!=b,z in (h,i,j)"),
    ("x notin ( )", "x notin ()"),
    ("x notin (, a)", "x notin (,a)"),
    ("a ", "a"),
    ("a in (x,y,notin, z,in)", "a in (in,notin,x,y,z)"),
]


@pytest.mark.parametrize(("text", "canonical"), SET_SELECTOR_PARSER)
def test_upstream_set_selector_parser_table_valid_rows(text: str, canonical: str) -> None:
    assert selectors.labels_string(selectors.parse_labels(text)) == canonical


@pytest.mark.parametrize(
    "text",
    [
        "x=a||y=b",
        "x,,y",
        ",x,y",
        "x nott in (y)",
        "a in (xyz),",
        "a in (xyz)b notin ()",
        "a in (xyz abc)",
        "a notin(",
        "a (",
        "(",
    ],
)
def test_upstream_set_selector_parser_table_invalid_rows(text: str) -> None:
    with pytest.raises(selectors.SelectorError):
        selectors.parse_labels(text)


def test_two_commas_in_a_set_end_it_as_api_servers_before_1_35_read_them() -> None:
    # kubernetes-1.32.0 parseIdentifiersList consumes the second comma of ",,"; apimachinery
    # 65de33d3 (kubernetes-1.35.0) dropped that, making "x in (a,,)" valid there only
    assert selectors.labels_string(selectors.parse_labels("x in (a,,b)")) == "x in (,a,b)"
    with pytest.raises(selectors.SelectorError, match=r"found '\)', expected: ',', or identifier"):
        selectors.parse_labels("x in (a,,)")


# ---- labels: TestSelectorMatches and TestRequirementSelectorMatching --------------------------

MATCHES = [
    ("", {"x": "y"}, True),
    ("x=y", {"x": "y"}, True),
    ("x=y,z=w", {"x": "y", "z": "w"}, True),
    ("x!=y,z!=w", {"x": "z", "z": "a"}, True),
    ("notin=in", {"notin": "in"}, True),
    ("x", {"x": "z"}, True),
    ("!x", {"y": "z"}, True),
    ("x>1", {"x": "2"}, True),
    ("x<1", {"x": "0"}, True),
    ("x=z", {}, False),
    ("x=y", {"x": "z"}, False),
    ("x=y,z=w", {"x": "w", "z": "w"}, False),
    ("x!=y,z!=w", {"x": "z", "z": "w"}, False),
    ("x", {"y": "z"}, False),
    ("!x", {"x": "z"}, False),
    ("x>1", {"x": "0"}, False),
    ("x<1", {"x": "2"}, False),
    ("foo=bar,baz=blah", {"foo": "bar", "baz": "blah"}, True),
    ("foo=bar,foobar=bar,baz=blah", {"foo": "bar", "baz": "blah"}, False),
    ("x in (foo),y notin (alpha)", {"x": "foo", "y": "baz"}, True),
    ("x in (foo),y in (alpha)", {"x": "foo", "y": "baz"}, False),
    ("x notin (),y", {"y": ""}, True),
    ("!x,y", {"y": ""}, True),
    ("x notin (),!y", {"y": ""}, False),
    ("x in ()", {"y": "baz"}, False),
    ("z>1", {"z": "2"}, True),
    ("z>1", {"z": "v2"}, False),
]


@pytest.mark.parametrize(("text", "labels", "expected"), MATCHES)
def test_upstream_match_table(text: str, labels: dict[str, str], expected: bool) -> None:
    assert selectors.labels_match(selectors.parse_labels(text), labels) is expected


# ---- labels: the errors, as the API server words them -------------------------------------

KEY_RULE = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)
VALUE_RULE = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for "
    "validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)
# What a kubernetes-1.32 API server answers (status 400, reason BadRequest) for each selector.
SERVER_MESSAGES = {
    "app:web": f'unable to parse requirement: <nil>: Invalid value: "app:web": {KEY_RULE}',
    "a b": "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt",
    "env in prod": "unable to parse requirement: found 'prod' expected: '('",
    "x=a||y=b": f'unable to parse requirement: values[0][x]: Invalid value: "a||y": {VALUE_RULE}',
    "x,,y": "found ',', expected: identifier after ','",
    "x<a": "unable to parse requirement: values[0]: Invalid value: \"a\": for 'Gt', 'Lt' operators, the value "
    "must be an integer",
    "k=" + "v" * 64: f'unable to parse requirement: values[0][k]: Invalid value: "{"v" * 64}": must be no more '
    "than 63 characters",
    "!x=a": "found '=', expected: ',' or 'end of string'",
    "(": "found '(', expected: !, identifier, or 'end of string'",
    "example.com/": 'unable to parse requirement: <nil>: Invalid value: "example.com/": name part must be '
    f"non-empty; {KEY_RULE}",
}


@pytest.mark.parametrize(("text", "message"), SERVER_MESSAGES.items())
def test_a_bad_selector_carries_the_api_servers_message(text: str, message: str) -> None:
    with pytest.raises(selectors.SelectorError) as caught:
        selectors.parse_labels(text)
    assert caught.value.message == message


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "app:web",
            "key 'app:web': name part must consist of alphanumeric characters, '-', '_' or '.', and must "
            "start and end with an alphanumeric character",
        ),
        ("a b", "after key 'a': found 'b', expected: in, notin, =, ==, !=, gt, lt"),
        ("env in prod", "after 'env in': found 'prod' expected: '('"),
        ("x==a==b", "after 'x==a': found '==', expected: ',' or 'end of string'"),
        ("x=a,", "after 'x=a,': found '', expected: identifier after ','"),
        ("a in (xyz abc)", "after the value 'xyz': found 'abc', expected: ',' or ')'"),
    ],
)
def test_the_problem_names_the_part_of_the_selector_that_is_wrong(text: str, problem: str) -> None:
    with pytest.raises(selectors.SelectorError) as caught:
        selectors.parse_labels(text)
    assert caught.value.problem == problem


def test_parse_operator_lists_upstreams_binary_operators() -> None:
    # TestParseOperator: "found '(', expected: in, notin, =, ==, !=, gt, lt"
    with pytest.raises(selectors.SelectorError, match=r"found '\(', expected: in, notin, =, ==, !=, gt, lt$"):
        selectors.parse_labels("a (")


def test_a_key_prefix_must_be_a_dns_subdomain() -> None:
    with pytest.raises(selectors.SelectorError) as caught:
        selectors.parse_labels("Example.com/app=web")
    assert "prefix part a lowercase RFC 1123 subdomain must consist of lower case" in caught.value.message


def test_a_key_name_longer_than_63_is_refused_as_too_long() -> None:
    # TestRequirementConstructor's key of 254 a's, here as a name part
    with pytest.raises(selectors.SelectorError, match="name part must be no more than 63 characters"):
        selectors.parse_labels("a" * 64)


# ---- fields: pkg/fields/selector_test.go -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "terms"),  # terms sorted as upstream sorts them (parseSelector: sort.StringSlice)
    [
        ("x=a,y=b,z=c", [("x", "=", "a"), ("y", "=", "b"), ("z", "=", "c")]),
        ("", []),
        ("x!=a,y=b", [("x", "!=", "a"), ("y", "=", "b")]),
        ("x=a||y\\=b", [("x", "=", "a||y=b")]),
        ("x=a\\=\\=b", [("x", "=", "a==b")]),
        ("b==value", [("b", "=", "value")]),
        ("k=\\,,k2=v2", [("k2", "=", "v2"), ("k", "=", ",")]),
        ("k=\\\\,k2=v2", [("k2", "=", "v2"), ("k", "=", "\\")]),
        ("a=a,", [("a", "=", "a")]),
        ("함=수,목=록", [("목", "=", "록"), ("함", "=", "수")]),
        ("spec.nodeName = x", [("spec.nodeName ", "=", " x")]),
    ],
)
def test_upstream_good_field_selectors_parse_to_their_terms(text: str, terms: list[tuple[str, str, str]]) -> None:
    assert [(t.field, t.operator, t.value) for t in selectors.parse_fields(text)] == terms


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x=a||y=b", "invalid field selector: unescaped character in value: 61"),
        ("x==a==b", "invalid field selector: unescaped character in value: 61"),
        ("x=a,b", "invalid selector: 'x=a,b'; can't understand 'b'"),
        ("x in (a)", "invalid selector: 'x in (a)'; can't understand 'x in (a)'"),
        ("x in (a,b,c)", "invalid selector: 'x in (a,b,c)'; can't understand 'b'"),
        ("x", "invalid selector: 'x'; can't understand 'x'"),
        ("k=\\", "invalid field selector: invalid escape sequence: \\"),
        ("k=\\a", "invalid field selector: invalid escape sequence: \\a"),
    ],
)
def test_upstream_bad_field_selectors_carry_the_api_servers_message(text: str, message: str) -> None:
    with pytest.raises(selectors.SelectorError) as caught:
        selectors.parse_fields(text)
    assert caught.value.message == message


@pytest.mark.parametrize(
    ("value", "escaped"),
    [("", ""), ("a", "a"), ("=", "\\="), (",", "\\,"), ("\\", "\\\\"), ("\\=\\,\\", "\\\\\\=\\\\\\,\\\\")],
)
def test_field_values_escape_and_unescape_as_upstream(value: str, escaped: str) -> None:
    assert selectors.escape_field_value(value) == escaped
    assert selectors.parse_fields(f"k={escaped}")[0].value == value


def test_field_terms_match_equal_and_not_equal_values() -> None:
    terms = selectors.parse_fields("foo=bar,complex=\\=value\\\\\\,\\\\,baz!=bar")
    fields = {"foo": "bar", "baz": "blah", "complex": "=value\\,\\"}
    assert all(t.matches(fields[t.field]) for t in terms)
    assert not selectors.parse_fields("foo=blah")[0].matches(fields["foo"])
