"""A ControllerRevision's name as kube-controller-manager computes it for a StatefulSet: the FNV-1
32-bit hash of the revision's raw data (the bytes Go's encoding/json writes), then of the
collision count in decimal, printed in decimal and each digit mapped through SafeEncodeString.

upstream: kubernetes/kubernetes pkg/controller/history/controller_history.go
- HashControllerRevision: ``hf := fnv.New32()`` (FNV-1, not FNV-1a), ``hf.Write(revision.Data.Raw)``,
  ``hf.Write([]byte(strconv.FormatInt(int64(*probe), 10)))`` when probe is set,
  ``rand.SafeEncodeString(fmt.Sprint(hf.Sum32()))``;
- ControllerRevisionName: ``prefix[:223] + "-" + hash``;
- NewControllerRevision labels the revision ``controller.kubernetes.io/hash`` (ControllerRevisionHashLabel)
  with the hash of the count it was given; CreateControllerRevision renames it with the hash of the
  count it reaches, raising the count while the name is taken by a revision of other raw data.
kubernetes/apimachinery pkg/util/rand/rand.go SafeEncodeString: ``alphanums[int(r) % len(alphanums)]``.
The raw data is kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils.go getPatch: the set encoded,
unmarshalled into a map and
json.Marshal'ed again (sorted keys, no spaces, ``<``, ``>``, ``&``, U+2028 and U+2029 escaped:
golang/go src/encoding/json/encode.go appendString with escapeHTML).
"""

from __future__ import annotations

import json
from typing import Any

from tests.emulators.kube.controllers.pods import owner_ref

# apps/v1 ControllerRevisionHashLabel (kubernetes/kubernetes pkg/controller/history/controller_history.go).
REVISION_HASH_LABEL = "controller.kubernetes.io/hash"
# kubernetes/apimachinery pkg/util/rand/rand.go alphanums.
ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789"
_FNV_OFFSET = 2166136261  # golang/go src/hash/fnv/fnv.go offset32
_FNV_PRIME = 16777619  # prime32


def _go_values(value: Any) -> Any:
    """json.Unmarshal into interface{} makes every number a float64; Marshal prints an integral
    one without a fraction (golang/go src/encoding/json/encode.go floatEncoder, 'f' format below
    1e21)."""
    if isinstance(value, dict):
        return {k: _go_values(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_go_values(v) for v in value]
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return int(value)
    return value


def go_marshal(value: Any) -> bytes:
    """encoding/json Marshal of a value decoded into maps: keys sorted, compact, HTML-escaped."""
    text = json.dumps(_go_values(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028")):
        text = text.replace(char, escaped)
    return text.replace("\u2029", "\\u2029").encode()


def fnv32(data: bytes, h: int = _FNV_OFFSET) -> int:
    """hash/fnv New32 (FNV-1): multiply by the prime, then xor the byte."""
    for byte in data:
        h = ((h * _FNV_PRIME) & 0xFFFFFFFF) ^ byte
    return h


def safe_encode_string(s: str) -> str:
    return "".join(ALPHANUMS[ord(c) % len(ALPHANUMS)] for c in s)


def hash_controller_revision(raw: bytes, probe: int | None) -> str:
    h = fnv32(raw)
    if probe is not None:
        h = fnv32(str(probe).encode(), h)
    return safe_encode_string(str(h))


def controller_revision_name(prefix: str, hash_: str) -> str:
    return f"{prefix[:223]}-{hash_}"


def controller_revision(
    owner: dict[str, Any], name: str, labels: dict[str, str], data: dict[str, Any], number: int
) -> dict[str, Any]:
    """NewControllerRevision's object: the labels, a controller reference to the owner, the data and
    the revision number; with the owner's annotations, which both callers copy on (kubernetes/kubernetes
    pkg/controller/daemon/update.go snapshot, pkg/controller/statefulset/stateful_set_utils.go newRevision)."""
    md = owner["metadata"]
    meta: dict[str, Any] = {
        "name": name,
        "namespace": md["namespace"],
        "labels": labels,
        "ownerReferences": [owner_ref(owner)],
    }
    if md.get("annotations"):
        meta["annotations"] = dict(md["annotations"])
    return {"apiVersion": "apps/v1", "kind": "ControllerRevision", "metadata": meta, "data": data, "revision": number}
