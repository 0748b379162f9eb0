"""Decoding of the protobuf request bodies kubectl's typed commands send, for the few kinds
whose schema is small enough to carry here: Namespace, ConfigMap, Secret, ServiceAccount,
SelfSubjectAccessReview, SelfSubjectReview. Anything else answers 415.

The envelope is "k8s\\x00" + runtime.Unknown{typeMeta{apiVersion, kind}, raw, ...}; ``raw``
is the object's own message (field numbers from k8s.io/api generated.proto)."""

from __future__ import annotations

import base64
from typing import Any

# field number -> (json name, type, sub-schema)
Schema = dict[int, tuple[str, str, Any]]

OWNER_REF: Schema = {
    1: ("kind", "string", None),
    3: ("name", "string", None),
    4: ("uid", "string", None),
    5: ("apiVersion", "string", None),
    6: ("controller", "bool", None),
    7: ("blockOwnerDeletion", "bool", None),
}
OBJECT_META: Schema = {
    1: ("name", "string", None),
    2: ("generateName", "string", None),
    3: ("namespace", "string", None),
    5: ("uid", "string", None),
    6: ("resourceVersion", "string", None),
    11: ("labels", "map_ss", None),
    12: ("annotations", "map_ss", None),
    13: ("ownerReferences", "repeated_message", OWNER_REF),
    14: ("finalizers", "repeated_string", None),
}
RESOURCE_ATTRIBUTES: Schema = {
    1: ("namespace", "string", None),
    2: ("verb", "string", None),
    3: ("group", "string", None),
    4: ("version", "string", None),
    5: ("resource", "string", None),
    6: ("subresource", "string", None),
    7: ("name", "string", None),
}
NON_RESOURCE_ATTRIBUTES: Schema = {1: ("path", "string", None), 2: ("verb", "string", None)}
LOCAL_OBJECT_REFERENCE: Schema = {1: ("name", "string", None)}
OBJECT_REFERENCE: Schema = {2: ("namespace", "string", None), 3: ("name", "string", None)}

KINDS: dict[str, Schema] = {
    "Namespace": {
        1: ("metadata", "message", OBJECT_META),
        2: ("spec", "message", {1: ("finalizers", "repeated_string", None)}),
    },
    "ConfigMap": {
        1: ("metadata", "message", OBJECT_META),
        2: ("data", "map_ss", None),
        3: ("binaryData", "map_sb", None),
        4: ("immutable", "bool", None),
    },
    "Secret": {
        1: ("metadata", "message", OBJECT_META),
        2: ("data", "map_sb", None),
        3: ("type", "string", None),
        4: ("stringData", "map_ss", None),
        5: ("immutable", "bool", None),
    },
    "ServiceAccount": {
        1: ("metadata", "message", OBJECT_META),
        2: ("secrets", "repeated_message", OBJECT_REFERENCE),
        3: ("imagePullSecrets", "repeated_message", LOCAL_OBJECT_REFERENCE),
        4: ("automountServiceAccountToken", "bool", None),
    },
    "SelfSubjectAccessReview": {
        1: ("metadata", "message", OBJECT_META),
        2: (
            "spec",
            "message",
            {
                1: ("resourceAttributes", "message", RESOURCE_ATTRIBUTES),
                2: ("nonResourceAttributes", "message", NON_RESOURCE_ATTRIBUTES),
            },
        ),
    },
    "SelfSubjectReview": {1: ("metadata", "message", OBJECT_META)},
}


class ProtobufError(ValueError):
    pass


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    shift = 0
    out = 0
    while True:
        if i >= len(buf):
            raise ProtobufError("truncated varint")
        b = buf[i]
        i += 1
        out |= (b & 0x7F) << shift
        if b < 0x80:
            return out, i
        shift += 7
        if shift > 63:
            raise ProtobufError("varint too long")


def _fields(buf: bytes) -> list[tuple[int, int, Any]]:
    """(field number, wire type, value) in order: ints for varints, bytes otherwise."""
    out: list[tuple[int, int, Any]] = []
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            v, i = _varint(buf, i)
            out.append((num, wt, v))
        elif wt == 2:
            n, i = _varint(buf, i)
            if i + n > len(buf):
                raise ProtobufError("truncated field")
            out.append((num, wt, buf[i : i + n]))
            i += n
        elif wt == 1:
            out.append((num, wt, buf[i : i + 8]))
            i += 8
        elif wt == 5:
            out.append((num, wt, buf[i : i + 4]))
            i += 4
        else:
            raise ProtobufError(f"unsupported wire type {wt}")
    return out


def _message(buf: bytes, schema: Schema) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for num, _wt, value in _fields(buf):
        spec = schema.get(num)
        if spec is None:
            continue
        name, typ, sub = spec
        if typ == "string":
            # Go's generated code writes empty strings; JSON omits them (omitempty)
            if value:
                out[name] = value.decode("utf-8")
        elif typ == "bool":
            out[name] = bool(value)
        elif typ == "message":
            out[name] = _message(value, sub)
        elif typ == "repeated_string":
            out.setdefault(name, []).append(value.decode("utf-8"))
        elif typ == "repeated_message":
            out.setdefault(name, []).append(_message(value, sub))
        elif typ in ("map_ss", "map_sb"):
            entry = {n: v for n, _, v in _fields(value)}
            k = entry.get(1, b"").decode("utf-8")
            raw = entry.get(2, b"")
            out.setdefault(name, {})[k] = raw.decode("utf-8") if typ == "map_ss" else base64.b64encode(raw).decode()
    return out


def decode(body: bytes) -> dict[str, Any]:
    """The JSON form of a protobuf-encoded object; ProtobufError for kinds not carried here."""
    if not body.startswith(b"k8s\x00"):
        raise ProtobufError("missing the k8s protobuf magic prefix")
    envelope = {n: v for n, _, v in _fields(body[4:])}
    type_meta = {n: v.decode() for n, _, v in _fields(envelope.get(1, b""))}
    api_version, kind = type_meta.get(1, ""), type_meta.get(2, "")
    schema = KINDS.get(kind)
    if schema is None:
        raise ProtobufError(f"protobuf bodies of kind {kind or '?'} are not emulated; send JSON")
    obj = _message(envelope.get(2, b""), schema)
    return {"apiVersion": api_version, "kind": kind, **obj}
