"""kubectl's JSONPath dialect, against the cases of client-go's own tests
(kubernetes/kubernetes staging/src/k8s.io/client-go/util/jsonpath/jsonpath_test.go).

kubectl always applies a template to JSON-decoded data (maps, never Go structs), whose keys
encoding/json sorts; the few upstream cases written against Go structs are given here as the
maps kubectl would hold, so their expected JSON has sorted keys.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from akscli.errors import UsageError
from akscli.jsonpath import JSONPathError, execute, render_columns, render_template

TYPES: dict[str, Any] = {
    "bools": [True, False, True, False],
    "integers": [1, 2, 3, 4],
    "floats": [1.0, 2.2, 3.3, 4.0],
    "strings": ["one", "two", "three", "four"],
    "interfaces": [True, "one", 1, 1.1],
    "maps": [
        {"name": "one", "value": 1},
        {"name": "two", "value": 2.02},
        {"name": "three", "value": 3.03},
        {"name": "four", "value": 4.04},
    ],
}


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{ .bools }", "[true,false,true,false]"),
        ("{ .bools[0] }", "true"),
        ("{ .bools[-1] }", "false"),
        ("{ .bools[0:2] }", "true false"),
        ("{ .bools[:2] }", "true false"),
        ("{ .bools[:4:2] }", "true true"),
        ("{ .integers }", "[1,2,3,4]"),
        ("{ .integers[-2] }", "3"),
        ("{ .integers[:4:2] }", "1 3"),
        ("{ .floats }", "[1,2.2,3.3,4]"),
        ("{ .floats[0] }", "1"),
        ("{ .floats[-2] }", "3.3"),
        ("{ .floats[:4:2] }", "1 3.3"),
        ("{ .strings }", '["one","two","three","four"]'),
        ("{ .strings[0:2] }", "one two"),
        ("{ .interfaces }", '[true,"one",1,1.1]'),
        ("{ .interfaces[0:2] }", "true one"),
        ("{ .interfaces[:4:2] }", "true 1"),
        ("{ .maps[0] }", '{"name":"one","value":1}'),
        ("{ .maps[-2] }", '{"name":"three","value":3.03}'),
        ("{ .maps[0:2] }", '{"name":"one","value":1} {"name":"two","value":2.02}'),
        ("{ .maps[::2] }", '{"name":"one","value":1} {"name":"three","value":3.03}'),
        ("{ .maps[1::2] }", '{"name":"two","value":2.02} {"name":"four","value":4.04}'),
    ],
)
def test_types_input(template: str, expected: str) -> None:
    assert execute(template, TYPES, allow_missing_keys=False) == expected


STORE: dict[str, Any] = {
    "Name": "jsonpath",
    "Book": [
        {"Category": "reference", "Author": "Nigel Rees", "Title": "Sayings of the Centurey", "Price": 8.95},
        {"Category": "fiction", "Author": "Evelyn Waugh", "Title": "Sword of Honour", "Price": 12.99},
        {"Category": "fiction", "Author": "Herman Melville", "Title": "Moby Dick", "Price": 8.99},
    ],
    "Bicycle": [{"Color": "red", "Price": 19.95, "IsNew": True}, {"Color": "green", "Price": 20.01, "IsNew": False}],
    "Labels": {"engieer": 10, "web/html": 15, "k8s-app": 20},
    "Employees": {"jason": "manager", "dan": "clerk"},
}
MOBY = '{"Author":"Herman Melville","Category":"fiction","Price":8.99,"Title":"Moby Dick"}'


@pytest.mark.parametrize(
    ("template", "data", "expected"),
    [
        ("hello jsonpath", None, "hello jsonpath"),
        ("{..}", [1, 2, 3], "[1,2,3]"),
        ("{[?(@<5)]}", [2, 6, 3, 7], "2 3"),
        ('{"{"}', None, "{"),
        ("{[1,3,4]}", [0, 1, 2, 3, 4], "1 3 4"),
        ("{[0:2]}", ["Monday", "Tudesday"], "Monday Tudesday"),
        ("hello {.Name}", STORE, "hello jsonpath"),
        ("{$.Labels.web/html}", STORE, "15"),
        ("{$.Employees.jason}", STORE, "manager"),
        ("{.Labels.k8s-app}", STORE, "20"),
        ("{.Bicycle[*].Color}", STORE, "red green"),
        ("{.Book[*].Author}", STORE, "Nigel Rees Evelyn Waugh Herman Melville"),
        ("{..Price}", STORE, "8.95 12.99 8.99 19.95 20.01"),
        ("{...Price}", STORE, "8.95 12.99 8.99 19.95 20.01"),
        ("{.Book[-1:]}", STORE, MOBY),
        ("{..Book[2]}", STORE, MOBY),
        ("{.Bicycle[?(@.IsNew==true)]}", STORE, '{"Color":"red","IsNew":true,"Price":19.95}'),
        (
            '{range .Bicycle[*]}{ "{" }{ @.* }{ "} " }{end}',
            STORE,
            "{red 19.95 true} {green 20.01 false} ",
        ),
    ],
)
def test_store_input(template: str, data: Any, expected: str) -> None:
    assert execute(template, data, allow_missing_keys=False) == expected


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{hello}", "unrecognized identifier hello"),
        ("{.hello}", "hello is not found"),
        ("{.Labels[0]}", "is not array or slice"),
        ("{.Book[?(@.Price<>10)]}", "unrecognized filter operator <>"),
        ("{range .Labels.*}{@}{end}{end}", "not in range, nothing to end"),
    ],
)
def test_store_failures(template: str, message: str) -> None:
    with pytest.raises(JSONPathError, match=message.replace("[", r"\[")):
        execute(template, STORE, allow_missing_keys=False)


def test_multiple_recursive_descent_is_refused() -> None:
    with pytest.raises(JSONPathError, match="invalid multiple recursive descent"):
        execute("{............................................................Price}", STORE)


def test_missing_keys_print_nothing_when_allowed() -> None:
    assert execute("{.hello}", STORE) == ""
    assert execute("before-{.hello}after", STORE) == "before-after"


POINTS = json.loads(
    '[{"id": "i1", "x":4, "y":-5}, {"id": "i2", "x":-2, "y":-5, "z":1}, {"id": "i3", "x":  8, "y":  3 },'
    ' {"id": "i4", "x": -6, "y": -1 }, {"id": "i5", "x":  0, "y":  2, "z": 1 }, {"id": "i6", "x":  1, "y":  4 }]'
)


def test_json_input_exists_filter_and_bracket_key() -> None:
    assert execute("{[?(@.z)].id}", POINTS, allow_missing_keys=False) == "i2 i5"
    assert execute("{[0]['id']}", POINTS, allow_missing_keys=False) == "i1"


NODES = json.loads(
    """{"kind": "List", "items": [
      {"kind": "None", "metadata": {"name": "127.0.0.1", "labels": {"kubernetes.io/hostname": "127.0.0.1"}},
       "status": {"capacity": {"cpu": "4"}, "ready": true,
                  "addresses": [{"type": "LegacyHostIP", "address": "127.0.0.1"}]}},
      {"kind": "None", "metadata": {"name": "127.0.0.2", "labels": {"kubernetes.io/hostname": "127.0.0.2"}},
       "status": {"capacity": {"cpu": "8"}, "ready": false,
                  "addresses": [{"type": "LegacyHostIP", "address": "127.0.0.2"},
                                {"type": "another", "address": "127.0.0.3"}]}}],
     "users": [{"name": "myself", "user": {}}, {"name": "e2e", "user": {"username": "admin", "password": "secret"}}]}"""
)


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{range .items[*]}{.metadata.name}, {end}{.kind}", "127.0.0.1, 127.0.0.2, List"),
        ('{range .items[*]}{.metadata.name}{"\\t"}{end}', "127.0.0.1\t127.0.0.2\t"),
        ("{.items[*].status.addresses[*].address}", "127.0.0.1 127.0.0.2 127.0.0.3"),
        (
            "{range .items[*]}{range .status.addresses[*]}{.address}, {end}{end}",
            "127.0.0.1, 127.0.0.2, 127.0.0.3, ",
        ),
        ("{.items[*].metadata.name}", "127.0.0.1 127.0.0.2"),
        ("{.items[*]['metadata.name', 'status.capacity']}", '127.0.0.1 127.0.0.2 {"cpu":"4"} {"cpu":"8"}'),
        (
            "{range .items[*]}[{.metadata.name}, {.status.capacity}] {end}",
            '[127.0.0.1, {"cpu":"4"}] [127.0.0.2, {"cpu":"8"}] ',
        ),
        ('{.users[?(@.name=="e2e")].user.password}', "secret"),
        ("{.items[0].metadata.labels.kubernetes\\.io/hostname}", "127.0.0.1"),
        ('{.items[?(@.metadata.labels.kubernetes\\.io/hostname=="127.0.0.1")].kind}', "None"),
        ("{.items[?(@..ready==true)].metadata.name}", "127.0.0.1"),
    ],
)
def test_kubernetes_cases(template: str, expected: str) -> None:
    assert execute(template, NODES, allow_missing_keys=False) == expected


def test_recursive_names_in_any_order() -> None:
    assert sorted(execute("{..name}", NODES).split()) == sorted(["127.0.0.1", "127.0.0.2", "myself", "e2e"])


def test_empty_ranges_print_nothing() -> None:
    empty = {"items": []}
    assert execute("{range .items[*]}{.metadata.name}{end}", empty) == ""
    template = '{range .items[*]}{.metadata.name}{":"}{range @.spec.containers[*]}{.name}{","}{end}{"+"}{end}'
    assert execute(template, empty) == ""


PODS = {
    "items": [
        {"metadata": {"name": "pod1"}, "spec": {"containers": [
            {"name": "foo", "another": [{"name": "value1"}, {"name": "value2"}]},
            {"name": "bar", "another": [{"name": "value1"}, {"name": "value2"}]}]}},
        {"metadata": {"name": "pod2"}, "spec": {"containers": [
            {"name": "baz", "another": [{"name": "value1"}, {"name": "value2"}]}]}},
    ]
}  # fmt: skip


def test_nested_ranges() -> None:
    template = '{range .items[*]}{.metadata.name}{":"}{range @.spec.containers[*]}{.name}{","}{end}{"+"}{end}'
    assert execute(template, PODS, allow_missing_keys=False) == "pod1:foo,bar,+pod2:baz,+"
    deeper = (
        '{range .items[*]}{.metadata.name}{"~"}{range @.spec.containers[*]}{.name}{":"}'
        '{range @.another[*]}{.name}{","}{end}{"+"}{end}{"#"}{end}'
    )
    assert (
        execute(deeper, PODS, allow_missing_keys=False)
        == "pod1~foo:value1,value2,+bar:value1,value2,+#pod2~baz:value1,value2,+#"
    )
    twice = (
        '{range .items[*]}{.metadata.name}{"\\t"}{range @.spec.containers[*]}{.name}{" "}{end}{"\\t"}'
        '{range @.spec.containers[*]}{.name}{" "}{end}{"\\n"}{end}'
    )
    assert execute(twice, PODS, allow_missing_keys=False) == "pod1\tfoo bar \tfoo bar \npod2\tbaz \tbaz \n"


def test_filter_with_some_items_missing_the_key() -> None:
    data = {
        "kind": "List",
        "items": [
            {"kind": "Pod", "metadata": {"name": "pod1", "annotations": {"color": "blue"}}},
            {"kind": "Pod", "metadata": {"name": "pod2"}},
            {"kind": "Pod", "metadata": {"name": "pod3", "annotations": {"color": "green"}}},
            {"kind": "Pod", "metadata": {"name": "pod4", "annotations": {"color": "blue"}}},
        ],
    }
    template = '{.items[?(@.metadata.annotations.color=="blue")].metadata.name}'
    assert execute(template, data) == "pod1 pod4"
    with pytest.raises(JSONPathError):
        execute(template, data, allow_missing_keys=False)


CONTAINERS = {"kind": "Pod", "spec": {"containers": [{"name": f"fake{i}"} for i in range(6)]}}


@pytest.mark.parametrize(
    ("index", "expected"),
    [
        ("0", "fake0"),
        ("0:0", ""),
        ("-1", "fake5"),
        ("-1:", "fake5"),
        ("-2:", "fake4 fake5"),
        ("-6", "fake0"),
        ("5:5", ""),
        ("0:", "fake0 fake1 fake2 fake3 fake4 fake5"),
        ("0:6:", "fake0 fake1 fake2 fake3 fake4 fake5"),
        ("1:4:2", "fake1 fake3"),
        ("1:4:3", "fake1"),
        ("0:6:5", "fake0 fake5"),
        ("0:6:6", "fake0"),
    ],
)
def test_indexes_slices_and_steps(index: str, expected: str) -> None:
    assert execute(f"{{.spec.containers[{index}].name}}", CONTAINERS, allow_missing_keys=False) == expected


@pytest.mark.parametrize("index", ["-7", "3:1", "-1:-2", "0:6:0", "0:6:-1", "-1:0"])
def test_bad_indexes_are_errors(index: str) -> None:
    with pytest.raises(JSONPathError):
        execute(f"{{.spec.containers[{index}].name}}", CONTAINERS, allow_missing_keys=False)


def test_range_over_a_filter_without_the_last_item() -> None:
    data = {
        "kind": "List",
        "items": [
            {"kind": "Pod", "metadata": {"name": "pod1"}, "status": {"phase": "Running"}},
            {"kind": "Pod", "metadata": {"name": "pod2"}, "status": {"phase": "Running"}},
            {"kind": "Pod", "metadata": {"name": "pod3"}, "status": {"phase": "Running"}},
            {"resourceVersion": "", "selfLink": ""},
        ],
    }
    template = '{range .items[?(.status.phase=="Running")]}{.metadata.name}{" is Running\\n"}{end}'
    assert execute(template, data) == "pod1 is Running\npod2 is Running\npod3 is Running\n"


# ---- the -o formats ------------------------------------------------------------------------


def test_a_template_that_does_not_parse_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unclosed action"):
        render_template("{.items[*].metadata.name", NODES)


def test_custom_columns_align_like_kubectl_and_print_none_for_missing() -> None:
    rows = [{"metadata": {"name": "a"}, "status": {"phase": "Running"}}, {"metadata": {"name": "longer-name"}}]
    text = render_columns("NAME:.metadata.name,PHASE:{.status.phase}", rows)
    # kubectl's tabwriter (minwidth 6, padding 3): the widest cell plus 3.
    assert text == "NAME          PHASE\na             Running\nlonger-name   <none>\n"


def test_a_narrow_custom_column_is_six_wide_as_kubectl_prints_it() -> None:
    # kubectl v1.32.4, kubectl get nodes -o custom-columns=A:.apiVersion,B:.kind, against the emulator.
    text = render_columns("A:.apiVersion,B:.kind", [{"apiVersion": "v1", "kind": "Node"}])
    assert text == "A     B\nv1    Node\n"


def test_a_custom_column_is_its_widest_cell_plus_three_past_six() -> None:
    # kubectl v1.32.4: NAME ... KIND   X over Node   <none> (KIND is four wide, then three spaces).
    text = render_columns("KIND:.kind,X:.spec.nothing", [{"kind": "Node"}])
    assert text == "KIND   X\nNode   <none>\n"


def test_custom_columns_join_several_values_with_commas() -> None:
    text = render_columns("ADDRESSES:status.addresses[*].address", NODES["items"])
    assert text.splitlines()[1:] == ["127.0.0.1", "127.0.0.2,127.0.0.3"]


def test_a_column_without_a_path_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="expected <header>:<json-path-expr>"):
        render_columns("NAME", [])


# ---- on real commands --------------------------------------------------------------------------


def test_jsonpath_on_a_list_command_sees_a_v1_list() -> None:
    from tests.cli import invoke

    result = invoke("model", "catalog", "phi-4", "-o", "jsonpath={.kind} {.items[0].id}")
    assert result.exit_code == 0, result
    assert result.stdout == "List microsoft/phi-4"


def test_jsonpath_on_a_one_object_command() -> None:
    from tests.cli import invoke

    result = invoke("model", "plan", "phi-4", "--max-model-len", "4096", "-o", "jsonpath={.recommended}")
    assert result.exit_code == 0, result
    assert result.stdout.startswith("Standard_")


def test_custom_columns_on_a_list_command() -> None:
    from tests.cli import invoke

    result = invoke("model", "catalog", "phi-4", "-o", "custom-columns=ID:.id,PRESET:.preset")
    assert result.exit_code == 0, result
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["ID", "PRESET"]
    assert lines[1].split() == ["microsoft/phi-4", "phi-4"]


def test_a_bad_template_fails_before_anything_runs() -> None:
    from tests.cli import invoke

    result = invoke("model", "list", "--kubeconfig", "/nonexistent", "-o", "jsonpath={.items[*")
    assert result.exit_code == 2
    assert "invalid jsonpath template" in result.stderr
