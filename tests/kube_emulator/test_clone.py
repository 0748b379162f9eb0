"""The emulator's copy of JSON data (apiserver_common.clone), which its writes use instead of
copy.deepcopy (#16: the emulator's CPU counts in the benchmark's shared-core rows)."""

from __future__ import annotations

import copy

from tests.emulators.kube.apiserver_common import clone

OBJECT = {
    "apiVersion": "v1",
    "kind": "ConfigMap",
    "metadata": {"name": "a", "labels": {"x": "y"}, "managedFields": [{"fieldsV1": {"f:data": {}}}]},
    "data": {"n": 1, "f": 1.5, "t": True, "none": None, "list": [[1, {"deep": "er"}], "s"]},
}


def test_a_clone_equals_the_data_and_shares_nothing_that_can_change() -> None:
    copied = clone(OBJECT)
    assert copied == OBJECT
    copied["metadata"]["labels"]["x"] = "z"
    copied["metadata"]["managedFields"][0]["fieldsV1"].clear()
    copied["data"]["list"][0][1]["deep"] = "changed"
    assert OBJECT["metadata"]["labels"] == {"x": "y"}
    assert OBJECT["metadata"]["managedFields"] == [{"fieldsV1": {"f:data": {}}}]
    assert OBJECT["data"]["list"][0][1] == {"deep": "er"}


def test_what_is_not_json_data_is_copied_as_deepcopy_copies_it() -> None:
    value = {"tuple": ([1], 2), "set": {3}}
    copied = clone(value)
    assert copied == copy.deepcopy(value)
    assert copied["tuple"][0] is not value["tuple"][0]
    assert copied["set"] is not value["set"]
