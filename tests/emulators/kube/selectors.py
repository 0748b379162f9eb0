"""Label and field selectors, parsed the way the API server parses them."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from tests.emulators.kube.status import ApiError

LabelMatcher = Callable[[Mapping[str, str]], bool]

_KEY = r"(?:[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?"
_KEY_RE = re.compile(rf"^{_KEY}$")
_VALUE_RE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")


def _split_top(s: str) -> list[str]:
    """Split on commas that are not inside parentheses."""
    parts: list[str] = []
    depth = 0
    cur: list[str] = []
    for ch in s:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return [p.strip() for p in parts]


def _bad(selector: str, why: str) -> ApiError:
    return ApiError(400, f"unable to parse requirement: {why}", "BadRequest") if selector else ApiError(400, why)


def _check_key(key: str, selector: str) -> None:
    if not _KEY_RE.match(key) or len(key.rsplit("/", 1)[-1]) > 63:
        raise _bad(
            selector, f"invalid label key \"{key}\": name part must consist of alphanumeric characters, '-', '_' or '.'"
        )


def _check_value(value: str, selector: str) -> None:
    if len(value) > 63 or not _VALUE_RE.match(value):
        raise _bad(
            selector,
            f'invalid label value: "{value}": a valid label must be an empty '
            "string or consist of alphanumeric characters, '-', '_' or '.'",
        )


def _in(k: str, vs: set[str]) -> LabelMatcher:
    return lambda lb: k in lb and lb[k] in vs


def _notin(k: str, vs: set[str]) -> LabelMatcher:
    return lambda lb: k not in lb or lb[k] not in vs


def _equal(k: str, v: str) -> LabelMatcher:
    return lambda lb: lb.get(k) == v


def _not_equal(k: str, v: str) -> LabelMatcher:
    return lambda lb: lb.get(k) != v


def _exists(k: str) -> LabelMatcher:
    return lambda lb: k in lb


def _absent(k: str) -> LabelMatcher:
    return lambda lb: k not in lb


def parse_label_selector(selector: str | None) -> LabelMatcher | None:
    if selector is None or not selector.strip():
        return None
    reqs: list[LabelMatcher] = []
    for part in _split_top(selector):
        if not part:
            raise _bad(selector, "found '', expected: identifier")
        m = re.match(r"^(\S+?)\s+(in|notin)\s*\((.*)\)$", part)
        if m:
            key, op, vals = m.group(1), m.group(2), m.group(3)
            _check_key(key, selector)
            values = {v.strip() for v in vals.split(",")}
            for v in values:
                _check_value(v, selector)
            reqs.append(_in(key, values) if op == "in" else _notin(key, values))
            continue
        m = re.match(r"^(\S+?)\s*(==|!=|=)\s*(\S*)$", part)
        if m:
            key, op, val = m.group(1), m.group(2), m.group(3)
            _check_key(key, selector)
            _check_value(val, selector)
            reqs.append(_not_equal(key, val) if op == "!=" else _equal(key, val))
            continue
        if part.startswith("!"):
            key = part[1:].strip()
            _check_key(key, selector)
            reqs.append(_absent(key))
            continue
        if re.search(r"[\s<>]", part):
            raise _bad(selector, f"found '{part}', expected: in, notin, =, ==, !=, gt, lt")
        _check_key(part, selector)
        reqs.append(_exists(part))
    return lambda labels: all(r(labels) for r in reqs)


FIELD_LABELS = {
    "Pod": {
        "metadata.name",
        "metadata.namespace",
        "spec.nodeName",
        "status.phase",
        "spec.restartPolicy",
        "spec.schedulerName",
        "spec.serviceAccountName",
        "status.podIP",
        "status.nominatedNodeName",
        "spec.hostNetwork",
    },
    "Node": {"metadata.name", "spec.unschedulable"},
    "Event": {
        "metadata.name",
        "metadata.namespace",
        "involvedObject.kind",
        "involvedObject.namespace",
        "involvedObject.name",
        "involvedObject.uid",
        "involvedObject.apiVersion",
        "involvedObject.resourceVersion",
        "involvedObject.fieldPath",
        "reason",
        "reportingComponent",
        "source",
        "type",
    },
    "Secret": {"metadata.name", "metadata.namespace", "type"},
    "Namespace": {"metadata.name", "status.phase"},
    "Job": {"metadata.name", "metadata.namespace", "status.successful"},
    "ReplicaSet": {"metadata.name", "metadata.namespace", "status.replicas"},
    # upstream: kubernetes/api resource/v1 types.go ResourceSliceSpec (Driver, NodeName: "A field
    # selector can be used to list only ResourceSlice objects with a certain driver name / ...
    # belonging to a certain node").
    "ResourceSlice": {"metadata.name", "metadata.namespace", "spec.driver", "spec.nodeName"},
}
DEFAULT_FIELD_LABELS = {"metadata.name", "metadata.namespace"}

FieldMatcher = Callable[[Mapping[str, Any]], bool]


# Selectable fields backed by a Go bool: the server writes the typed value, so an object without
# the field reads "false", never "" (upstream: kubernetes/kubernetes
# pkg/registry/core/node/strategy.go NodeToSelectableFields, fmt.Sprint(node.Spec.Unschedulable);
# pkg/registry/core/pod/strategy.go ToSelectableFields, strconv.FormatBool of
# spec.securityContext.hostNetwork).
BOOL_FIELDS = {"spec.unschedulable", "spec.hostNetwork"}


def field_value(obj: Mapping[str, Any], path: str) -> str:
    cur: Any = obj
    for part in path.split("."):
        if not isinstance(cur, Mapping):
            cur = None
            break
        cur = cur.get(part)
    if cur is None:
        return "false" if path in BOOL_FIELDS else ""
    if isinstance(cur, bool):
        return "true" if cur else "false"
    return str(cur)


def parse_field_selector(selector: str | None, kind: str, crd: bool) -> tuple[FieldMatcher, set[str]] | None:
    """Returns a matcher over the object dict and the set of field paths it reads."""
    if selector is None or not selector.strip():
        return None
    allowed = DEFAULT_FIELD_LABELS if crd else FIELD_LABELS.get(kind, DEFAULT_FIELD_LABELS)
    reqs: list[tuple[str, str, str]] = []
    for part in selector.split(","):
        part = part.strip()
        m = re.match(r"^([^=!]+?)\s*(==|!=|=)\s*(.*)$", part)
        if not m:
            raise ApiError(400, f"invalid selector: '{selector}'; can't understand '{part}'", "BadRequest")
        path, op, value = m.group(1).strip(), m.group(2), m.group(3).strip()
        if path not in allowed:
            raise ApiError(400, f"field label not supported: {path}", "BadRequest")
        reqs.append((path, op, value))
    paths = {p for p, _, _ in reqs}

    def match(obj: Mapping[str, Any]) -> bool:
        for path, op, value in reqs:
            actual = field_value(obj, path)
            if (actual == value) != (op != "!="):
                return False
        return True

    return match, paths
