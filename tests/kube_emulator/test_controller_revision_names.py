"""A StatefulSet's ControllerRevision is named as kube-controller-manager names it: the set's name,
"-", FNV-1 32 of the revision's raw data and the collision count, its decimal digits mapped through
SafeEncodeString (kubernetes/kubernetes pkg/controller/history/controller_history.go
HashControllerRevision, ControllerRevisionName; kubernetes/apimachinery pkg/util/rand/rand.go
SafeEncodeString). No published revision name for a known object was found; the names below are
pinned to what the line-by-line port computes, and its pieces to their upstream test vectors."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.controllers.controller_history import (
    controller_revision_name,
    fnv32,
    go_marshal,
    hash_controller_revision,
    safe_encode_string,
)
from tests.kube_emulator.helpers import a_node, deployment

# The replace patch stateful_set_utils.go getPatch writes for a one-container template.
RAW = (
    b'{"spec":{"template":{"$patch":"replace","metadata":{"creationTimestamp":null,"labels":{"app":"web"}},'
    b'"spec":{"containers":[{"image":"nginx:1.27","name":"web"}]}}}}'
)


@pytest.mark.parametrize(
    ("text", "want"),
    # golang/go src/hash/fnv/fnv_test.go golden32 (New32, FNV-1; New32a differs: "a" is 0xe40c292c).
    [(b"", 0x811C9DC5), (b"a", 0x050C5D7E), (b"ab", 0x70772D38), (b"abc", 0x439C2F4B)],
)
def test_the_hash_is_go_fnv_new32(text: bytes, want: int) -> None:
    assert fnv32(text) == want


def test_safe_encode_string_maps_each_digit_by_its_code_point() -> None:
    # alphanums[int(r) % 27]: '0' is 48, 48 % 27 = 21, alphanums[21] = '4'.
    assert safe_encode_string("0123456789") == "456789bcdf"


def test_the_collision_count_is_hashed_as_its_decimal_digits_after_the_data() -> None:
    assert fnv32(b"0", fnv32(RAW)) == 3426486626
    assert hash_controller_revision(RAW, 0) == "786b8dbb6b"
    assert hash_controller_revision(RAW, 1) == "786b8dbb6c"
    assert hash_controller_revision(RAW, None) == "5564b6cdcd"


def test_a_long_prefix_is_cut_at_223_characters() -> None:
    assert controller_revision_name("x" * 300, "786b8dbb6b") == "x" * 223 + "-786b8dbb6b"


def test_the_data_is_marshalled_as_go_encoding_json_writes_a_map() -> None:
    # Sorted keys, no spaces, HTML characters escaped, integral float64 without a fraction.
    assert go_marshal({"b": 1.0, "a": "<x&y>"}) == b'{"a":"\\u003cx\\u0026y\\u003e","b":1}'


def statefulset() -> dict[str, Any]:
    sts = deployment("web", replicas=1)
    sts["kind"] = "StatefulSet"
    sts["spec"]["serviceName"] = "web"
    return sts


def update_revision(emu: KubeEmulator) -> str:
    sts = emu.cluster.get("apps/v1", "StatefulSet", "default", "web") or {}
    return str((sts.get("status") or {}).get("updateRevision") or "")


def test_a_statefulsets_revision_is_named_from_its_data_and_labelled_with_the_hash(
    kube_emulator: KubeEmulator,
) -> None:
    a_node(kube_emulator)
    kube_emulator.cluster.create(statefulset())
    assert wait_until(lambda: kube_emulator.cluster.list("apps/v1", "ControllerRevision", "default"))
    (revision,) = kube_emulator.cluster.list("apps/v1", "ControllerRevision", "default")
    want = hash_controller_revision(go_marshal(revision["data"]), 0)
    assert revision["metadata"]["name"] == f"web-{want}"
    assert revision["metadata"]["labels"]["controller.kubernetes.io/hash"] == want
    assert wait_until(lambda: update_revision(kube_emulator) == f"web-{want}")
