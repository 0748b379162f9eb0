"""The plan's field-level diff (akscli.kube.apply.diff_objects), as the plan prints it before an
apply: one line per changed field, and a multi-line value's changed lines under its field."""

from __future__ import annotations

from typing import Any

from akscli.kube.apply import diff_objects


def config_map(**data: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": data}


def test_a_changed_single_line_value_is_one_line() -> None:
    assert diff_objects(config_map(mode="fast"), config_map(mode="slow")) == ["~ data.mode: fast -> slow"]


def test_a_changed_file_shows_only_its_changed_lines_under_the_field() -> None:
    before = config_map(config="vllm:\n  max-model-len: 4096\n  dtype: auto\n")
    after = config_map(config="vllm:\n  max-model-len: 8192\n  dtype: auto\n")
    assert diff_objects(before, after) == [
        "~ data.config:",
        "    -   max-model-len: 4096",
        "    +   max-model-len: 8192",
    ]


def test_an_added_file_is_its_first_line_and_its_length() -> None:
    lines = diff_objects(config_map(mode="fast"), config_map(mode="fast", script="#!/bin/sh\necho one\necho two\n"))
    assert lines == ["+ data.script: #!/bin/sh ... (3 lines)"]


def test_a_secrets_multi_line_value_stays_masked() -> None:
    def secret(key: str) -> dict[str, Any]:
        return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "stringData": {"key": key}}

    lines = diff_objects(secret("-----BEGIN\nAAA\n-----END\n"), secret("-----BEGIN\nBBB\n-----END\n"))
    assert lines == ["~ stringData.key: *** (before) -> *** (after)"]


class _FieldsUnread(dict[str, Any]):
    """An object whose fields cannot be listed: only its apiVersion, kind and name are read."""

    def items(self) -> Any:
        raise AssertionError("a create's diff listed the object's fields")


def test_a_create_is_one_line_without_flattening_its_fields() -> None:
    # #16: a 500-object apply builds 500 create diffs; each is only ``+ REF``.
    assert diff_objects({}, _FieldsUnread(config_map(mode="fast"))) == ["+ configmap/a"]


def test_a_mapping_that_is_not_a_dict_is_still_diffed_field_by_field() -> None:
    from types import MappingProxyType

    before = config_map(mode="fast")
    after = {**config_map(), "data": MappingProxyType({"mode": "slow"})}
    assert diff_objects(before, after) == ["~ data.mode: fast -> slow"]


def test_a_changed_boolean_reads_as_the_manifest_writes_it() -> None:
    before = {"apiVersion": "v1", "kind": "Thing", "metadata": {"name": "a"}, "spec": {"on": False}}
    after = {"apiVersion": "v1", "kind": "Thing", "metadata": {"name": "a"}, "spec": {"on": True}}
    assert diff_objects(before, after) == ["~ spec.on: false -> true"]


def test_an_added_list_and_null_read_as_json_not_as_python() -> None:
    before = {"apiVersion": "v1", "kind": "Thing", "metadata": {"name": "a"}, "spec": {"gone": None}}
    after = {"apiVersion": "v1", "kind": "Thing", "metadata": {"name": "a"}, "spec": {"gone": 1, "args": ["--x", "é"]}}
    assert diff_objects(before, after) == ['+ spec.args: ["--x", "é"]', "~ spec.gone: null -> 1"]


def deployment(args: list[str]) -> dict[str, Any]:
    container = {"name": "vllm", "image": "vllm/vllm-openai", "args": args}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "m"},
        "spec": {"template": {"spec": {"containers": [container]}}},
    }


def test_a_long_lists_changed_item_is_shown_under_the_item_before_it() -> None:
    """`model deploy --max-model-len 4096` of a vLLM model changes one of its container's args:
    the plan printed both lists cut at 80 characters, which read the same."""
    args = ["--model", "microsoft/phi-4", "--served-model-name", "microsoft/phi-4", "--tensor-parallel-size", "1"]
    lines = diff_objects(deployment([*args, "--max-model-len", "8192"]), deployment([*args, "--max-model-len", "4096"]))
    assert lines == [
        "~ spec.template.spec.containers[0].args:",
        "      --max-model-len",
        "    - 8192",
        "    + 4096",
    ]


def test_an_item_added_to_a_long_list_is_one_plus_line() -> None:
    args = ["--model", "microsoft/phi-4", "--served-model-name", "microsoft/phi-4", "--tensor-parallel-size", "1"]
    lines = diff_objects(deployment(args), deployment([*args, "--enforce-eager"]))
    assert lines == ["~ spec.template.spec.containers[0].args:", "      1", "    + --enforce-eager"]


def test_a_short_lists_change_stays_one_line() -> None:
    assert diff_objects(deployment(["--a", "1"]), deployment(["--a", "2"])) == [
        '~ spec.template.spec.containers[0].args: ["--a", "1"] -> ["--a", "2"]'
    ]


def test_a_long_value_that_changes_past_the_cut_is_shown_from_where_it_changes() -> None:
    """A value over 80 characters was cut at 77 on both sides, so a change further on read as
    `~ path: same... -> same...`."""
    prefix = "ClusterResourcePlacement.v1.placement.kubernetes-fleet.io,ConfigMap.v1,InferenceSet.v1beta1.kaito.sh,"
    lines = diff_objects(
        config_map(kinds=prefix + "Service.v1"), config_map(kinds=prefix + "Workspace.v1beta1.kaito.sh")
    )
    assert lines == [
        "~ data.kinds: ...et.v1beta1.kaito.sh,Service.v1 -> ...et.v1beta1.kaito.sh,Workspace.v1beta1.kaito.sh"
    ]


def test_a_token_in_a_long_value_stays_masked_when_it_is_shown_from_where_it_changes() -> None:
    """The window starts 20 characters before the change, which can fall inside a token: the token
    is masked first, on the whole value, so no cut leaves a part of it that no longer looks like one."""
    token = "hf_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4"
    before = f"https://example.invalid/models/pull?repository=my-organisation/my-model&access={token}&r=a"
    after = before[:-1] + "b"

    def widget(url: str) -> dict[str, Any]:
        return {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"url": url}}

    (line,) = diff_objects(widget(before), widget(after))
    assert token[3:] not in line and token[8:] not in line
    assert line == "~ spec.url: ...-model&access=***&r=a -> ...-model&access=***&r=b"
