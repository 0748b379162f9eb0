"""Structural-schema processing of custom resources, in the order the API server runs it:
defaulting, pruning of unknown fields (or their rejection under fieldValidation=Strict), then
OpenAPI v3 validation (types, required, enum, pattern, format, bounds).

CEL rules (x-kubernetes-validations) are not evaluated."""

from __future__ import annotations

import base64
import copy
import datetime
import ipaddress
import json
import re
import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

Cause = tuple[str, str, str]  # (reason, field, message)


@dataclass
class Result:
    errors: list[Cause] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


def _go_value(v: Any) -> str:
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return '"null"'
    if isinstance(v, dict):
        return '"object"'
    if isinstance(v, list):
        return '"array"'
    return json.dumps(v)


def _type_name(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, float):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    return "object"


@lru_cache(maxsize=512)
def _regex(pattern: str) -> re.Pattern[str]:
    # ECMA-262 patterns as written in CRDs are compatible with Python's engine for the
    # constructs they use (classes, anchors, quantifiers, groups).
    return re.compile(pattern)


def default_and_prune(obj: Any, schema: dict[str, Any], res: Result, path: str = "", root: bool = True) -> Any:
    """Apply defaults and drop unknown fields; returns the new value."""
    if isinstance(obj, dict) and schema.get("type", "object") == "object" and not _is_int_or_string(schema):
        props: dict[str, Any] = schema.get("properties") or {}
        preserve = bool(schema.get("x-kubernetes-preserve-unknown-fields"))
        addl = schema.get("additionalProperties")
        out: dict[str, Any] = {}
        for k, v in obj.items():
            sub = props.get(k)
            child_path = f"{path}.{k}" if path else k
            if root and k in ("apiVersion", "kind", "metadata"):
                out[k] = v
                continue
            if sub is not None:
                out[k] = default_and_prune(v, sub, res, child_path, False)
            elif isinstance(addl, dict):
                out[k] = default_and_prune(v, addl, res, f"{path}[{k}]" if path else k, False)
            elif preserve or addl is True:
                out[k] = v
            else:
                res.unknown.append(f".{child_path}" if not child_path.startswith(".") else child_path)
        for k, sub in props.items():
            if k not in out and "default" in sub and not (root and k in ("apiVersion", "kind", "metadata")):
                child_path = f"{path}.{k}" if path else k
                out[k] = default_and_prune(copy.deepcopy(sub["default"]), sub, res, child_path, False)
        return out
    if isinstance(obj, list) and isinstance(schema.get("items"), dict):
        return [default_and_prune(x, schema["items"], res, f"{path}[{i}]", False) for i, x in enumerate(obj)]
    return obj


def default_list_map_keys(obj: Any, schema: dict[str, Any]) -> Any:
    """An apply patch as structured-merge-diff reads it: not defaulted, except that an item of a
    ``x-kubernetes-list-type: map`` list that leaves out a key field with a default is keyed by
    that default (a port without ``protocol`` is the TCP one), so it meets the stored item instead
    of becoming a second one (upstream: kubernetes-sigs/structured-merge-diff typed/helpers.go
    keyedAssociativeListItemToPathElement takes the key field's default since issue #130, fixed
    for Kubernetes 1.20: "omits key field ... (and doesn't have default value)"). Returns the new
    value."""
    if isinstance(obj, dict) and schema.get("type", "object") == "object":
        props: dict[str, Any] = schema.get("properties") or {}
        addl = schema.get("additionalProperties")
        out: dict[str, Any] = {}
        for k, v in obj.items():
            sub = props.get(k) if k in props else addl if isinstance(addl, dict) else None
            out[k] = default_list_map_keys(v, sub) if isinstance(sub, dict) else v
        return out
    items = schema.get("items")
    if isinstance(obj, list) and isinstance(items, dict):
        keys = schema.get("x-kubernetes-list-map-keys") if schema.get("x-kubernetes-list-type") == "map" else None
        item_props: dict[str, Any] = items.get("properties") or {}
        out_list = []
        for x in obj:
            x = default_list_map_keys(x, items)
            if keys and isinstance(x, dict):
                for key in keys:
                    if key not in x and "default" in (item_props.get(key) or {}):
                        x = {**x, key: copy.deepcopy(item_props[key]["default"])}
            out_list.append(x)
        return out_list
    return obj


def _is_int_or_string(schema: dict[str, Any]) -> bool:
    return bool(schema.get("x-kubernetes-int-or-string"))


def validate(obj: Any, schema: dict[str, Any], res: Result, path: str = "", root: bool = True) -> None:
    p = path or "<root>"
    if obj is None:
        if schema.get("nullable"):
            return
        if not schema.get("type") and not _is_int_or_string(schema):
            return
    if _is_int_or_string(schema) and not (isinstance(obj, str) or (isinstance(obj, int) and not isinstance(obj, bool))):
        res.errors.append(
            (
                "FieldValueTypeInvalid",
                p,
                f"Invalid value: {_go_value(obj)}: {p} in body must be of type integer,string: "
                f"{_go_value(_type_name(obj))}",
            )
        )
        return
    t = schema.get("type")
    if t and not _type_ok(obj, t):
        res.errors.append(
            (
                "FieldValueTypeInvalid",
                p,
                f"Invalid value: {_go_value(_type_name(obj))}: {p} in body must be of type {t}: "
                f"{_go_value(_type_name(obj))}",
            )
        )
        return
    if "enum" in schema and obj not in schema["enum"]:
        allowed = ", ".join(_go_value(x) for x in schema["enum"])
        res.errors.append(
            ("FieldValueNotSupported", p, f"Unsupported value: {_go_value(obj)}: supported values: {allowed}")
        )
    if isinstance(obj, str):
        _validate_string(obj, schema, res, p)
    elif isinstance(obj, (int, float)) and not isinstance(obj, bool):
        _validate_number(obj, schema, res, p)
    elif isinstance(obj, list):
        if "minItems" in schema and len(obj) < schema["minItems"]:
            res.errors.append(
                (
                    "FieldValueInvalid",
                    p,
                    f"Invalid value: {len(obj)}: {p} in body should have at least {schema['minItems']} items",
                )
            )
        if "maxItems" in schema and len(obj) > schema["maxItems"]:
            res.errors.append(
                ("FieldValueTooMany", p, f"Too many: {len(obj)}: must have at most {schema['maxItems']} items")
            )
        items = schema.get("items")
        if isinstance(items, dict):
            for i, x in enumerate(obj):
                validate(x, items, res, f"{path}[{i}]", False)
        if schema.get("x-kubernetes-list-type") in ("set", "map"):
            _validate_unique(obj, schema, res, path)
    elif isinstance(obj, dict):
        props = schema.get("properties") or {}
        for req in schema.get("required") or []:
            if req not in obj:
                rp = f"{path}.{req}" if path else req
                res.errors.append(("FieldValueRequired", rp, "Required value"))
        if "minProperties" in schema and len(obj) < schema["minProperties"]:
            res.errors.append(
                (
                    "FieldValueInvalid",
                    p,
                    f"Invalid value: {len(obj)}: {p} in body should have at least {schema['minProperties']} properties",
                )
            )
        if "maxProperties" in schema and len(obj) > schema["maxProperties"]:
            res.errors.append(
                ("FieldValueTooMany", p, f"Too many: {len(obj)}: must have at most {schema['maxProperties']} items")
            )
        addl = schema.get("additionalProperties")
        for k, v in obj.items():
            if root and k in ("apiVersion", "kind", "metadata"):
                continue
            child = f"{path}.{k}" if path else k
            if k in props:
                validate(v, props[k], res, child, False)
            elif isinstance(addl, dict):
                validate(v, addl, res, f"{path}[{k}]" if path else k, False)
    for combinator in ("allOf", "anyOf", "oneOf"):
        subs = schema.get(combinator)
        if not subs:
            continue
        oks = [not _sub_errors(obj, s, path) for s in subs]
        if combinator == "allOf" and not all(oks):
            for s in subs:
                validate(obj, s, res, path, root)
        elif combinator == "anyOf" and not any(oks):
            res.errors.append(
                (
                    "FieldValueInvalid",
                    p,
                    f"Invalid value: {_go_value(obj)}: {p} in body must be valid against any of the schemas",
                )
            )
        elif combinator == "oneOf" and sum(oks) != 1:
            res.errors.append(
                (
                    "FieldValueInvalid",
                    p,
                    f"Invalid value: {_go_value(obj)}: {p} in body must validate one and only one schema (oneOf)",
                )
            )
    if "not" in schema and not _sub_errors(obj, schema["not"], path):
        res.errors.append(
            (
                "FieldValueInvalid",
                p,
                f"Invalid value: {_go_value(obj)}: {p} in body should not be valid against the schema",
            )
        )


def _sub_errors(obj: Any, schema: dict[str, Any], path: str) -> list[Cause]:
    r = Result()
    validate(obj, schema, r, path, False)
    return r.errors


def _type_ok(v: Any, t: str) -> bool:
    if t == "object":
        return isinstance(v, dict)
    if t == "array":
        return isinstance(v, list)
    if t == "string":
        return isinstance(v, str)
    if t == "integer":
        return (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer())
    if t == "number":
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    if t == "boolean":
        return isinstance(v, bool)
    return True


def _validate_string(v: str, schema: dict[str, Any], res: Result, p: str) -> None:
    if "maxLength" in schema and len(v) > schema["maxLength"]:
        res.errors.append(("FieldValueTooLong", p, f"Too long: may not be more than {schema['maxLength']} bytes"))
    if "minLength" in schema and len(v) < schema["minLength"]:
        res.errors.append(
            (
                "FieldValueInvalid",
                p,
                f"Invalid value: {_go_value(v)}: {p} in body should be at least {schema['minLength']} chars long",
            )
        )
    if "pattern" in schema:
        try:
            ok = _regex(schema["pattern"]).search(v) is not None
        except re.error:
            ok = True
        if not ok:
            res.errors.append(
                (
                    "FieldValueInvalid",
                    p,
                    f"Invalid value: {_go_value(v)}: {p} in body should match '{schema['pattern']}'",
                )
            )
    fmt = schema.get("format")
    if fmt and not _format_ok(v, fmt):
        res.errors.append(
            (
                "FieldValueInvalid",
                p,
                f"Invalid value: {_go_value(v)}: {p} in body must be of type {fmt}: {_go_value(v)}",
            )
        )


def _validate_number(v: float, schema: dict[str, Any], res: Result, p: str) -> None:
    if "minimum" in schema:
        lo = schema["minimum"]
        if schema.get("exclusiveMinimum") is True and v <= lo:
            res.errors.append(
                ("FieldValueInvalid", p, f"Invalid value: {_go_value(v)}: {p} in body should be greater than {lo}")
            )
        elif v < lo:
            res.errors.append(
                (
                    "FieldValueInvalid",
                    p,
                    f"Invalid value: {_go_value(v)}: {p} in body should be greater than or equal to {lo}",
                )
            )
    if "maximum" in schema:
        hi = schema["maximum"]
        if schema.get("exclusiveMaximum") is True and v >= hi:
            res.errors.append(
                ("FieldValueInvalid", p, f"Invalid value: {_go_value(v)}: {p} in body should be less than {hi}")
            )
        elif v > hi:
            res.errors.append(
                (
                    "FieldValueInvalid",
                    p,
                    f"Invalid value: {_go_value(v)}: {p} in body should be less than or equal to {hi}",
                )
            )
    mult = schema.get("multipleOf")
    if mult and (v / mult) != int(v / mult):
        res.errors.append(
            ("FieldValueInvalid", p, f"Invalid value: {_go_value(v)}: {p} in body should be a multiple of {mult}")
        )
    fmt = schema.get("format")
    if fmt == "int32" and not (-(2**31) <= v < 2**31):
        res.errors.append(
            (
                "FieldValueInvalid",
                p,
                f"Invalid value: {_go_value(v)}: {p} in body must be of type int32: {_go_value(v)}",
            )
        )


def _validate_unique(obj: list[Any], schema: dict[str, Any], res: Result, path: str) -> None:
    seen: set[str] = set()
    keys = schema.get("x-kubernetes-list-map-keys") or []
    for i, x in enumerate(obj):
        if schema.get("x-kubernetes-list-type") == "map" and isinstance(x, dict):
            ident = json.dumps({k: x.get(k) for k in keys}, sort_keys=True)
        else:
            ident = json.dumps(x, sort_keys=True)
        if ident in seen:
            res.errors.append(("FieldValueDuplicate", f"{path}[{i}]", f"Duplicate value: {ident}"))
        seen.add(ident)


_DURATION = re.compile(r"^([-+]?(\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))+$|^0$")
_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?)*$"
)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


def _format_ok(v: str, fmt: str) -> bool:
    try:
        if fmt == "date-time":
            datetime.datetime.fromisoformat(v.replace("Z", "+00:00"))
            return "T" in v or "t" in v
        if fmt == "date":
            datetime.date.fromisoformat(v)
            return True
        if fmt == "uuid":
            uuid.UUID(v)
            return True
        if fmt == "ipv4":
            ipaddress.IPv4Address(v)
            return True
        if fmt == "ipv6":
            ipaddress.IPv6Address(v)
            return True
        if fmt == "cidr":
            ipaddress.ip_network(v, strict=False)
            return "/" in v
        if fmt == "byte":
            base64.b64decode(v, validate=True)
            return True
        if fmt == "duration":
            return bool(_DURATION.match(v))
        if fmt == "hostname":
            return bool(_HOSTNAME.match(v))
        if fmt == "email":
            return bool(_EMAIL.match(v))
        if fmt in ("uri", "url"):
            return "://" in v or v.startswith(("urn:", "mailto:"))
    except ValueError:
        return False
    # Formats the API server does not check (int-or-string, password, ...) always pass.
    return True


def process(obj: dict[str, Any], schema: dict[str, Any]) -> tuple[dict[str, Any], Result]:
    res = Result()
    out = default_and_prune(obj, schema, res)
    validate(out, schema, res)
    return out, res
