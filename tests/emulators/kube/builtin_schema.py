"""Field checking of built-in kinds against the official Kubernetes OpenAPI definitions.

The definitions come from the kubernetes-validate package
(github.com/willthames/kubernetes-validate, kubernetes_validate/kubernetes-json-schema/
v1.32.0-local/_definitions.json): the JSON-schema form of kubernetes/kubernetes
api/openapi-spec for the version the emulator reports (discovery.VERSION_INFO, v1.32).

A real API server decodes a built-in kind into its Go type, so what it reports differs from a
custom resource's structural schema:

- unknown fields are found by the strict JSON decoder (sigs.k8s.io/json): with
  fieldValidation=Strict the request fails with 400 ``strict decoding error: unknown field
  "spec.foo"``, with Warn (the default) each one becomes a ``Warning`` header and the field is
  dropped, with Ignore it is dropped silently (kubernetes/kubernetes
  staging/src/k8s.io/apiserver/pkg/endpoints/handlers/create.go, update.go, patch.go, and
  test/integration/apiserver/field_validation_test.go);
- a value of the wrong JSON type fails decoding with 400 ``json: cannot unmarshal string into
  Go struct field DeploymentSpec.spec.replicas of type int32`` (encoding/json's
  UnmarshalTypeError wording, wrapped by apimachinery's ``... cannot be handled as a ...``);
- an apply patch is converted to a typed value by structured-merge-diff before field
  validation is consulted, so an unknown field or a wrong type there is always an error
  (``failed to create typed patch object (ns/name; apps/v1, Kind=Deployment): .spec.foo: field
  not declared in schema``; staging/src/k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager
  /internal/structuredmerge.go, sigs.k8s.io/structured-merge-diff typed/validate.go);
- required fields are then checked by the kind's validation (422 Invalid, one cause
  per field: ``spec.template.spec.containers[0].name: Required value``).

The definitions kubernetes-validate ships carry no enums, so enum values of built-in kinds
are not checked (only the few the emulator's kind validation knows).

Converted definitions are built once per process and shared by every emulator.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from tests.emulators.kube import quantities

KUBERNETES_VERSION = "1.32.0"
_PREFIX = "#/$defs/"


class Node:
    """One converted schema node (shared; cyclic where the definitions recurse)."""

    __slots__ = (
        "any",
        "go",
        "int_or_string",
        "items",
        "keys",
        "map_values",
        "props",
        "quantity",
        "required",
        "struct",
        "type",
    )

    def __init__(self) -> None:
        self.type: str | None = None
        self.go = "interface {}"
        self.struct = ""
        self.props: dict[str, Node] | None = None
        self.map_values: Node | None = None
        self.items: Node | None = None
        self.required: tuple[str, ...] = ()
        self.keys: tuple[str, ...] = ()
        self.int_or_string = False
        self.quantity = False
        self.any = True


_lock = threading.Lock()


# resource.k8s.io/v1 (Dynamic Resource Allocation) is GA from 1.34, which the v1.32 definitions
# lack: its kinds are checked against kubernetes-validate's v1.34.0 definitions (the JSON-schema
# form of kubernetes/kubernetes api/openapi-spec at v1.34.0), added beside v1.32's. Every other
# definition they refer to (ObjectMeta, NodeSelector, Quantity, Condition) is in v1.32's already.
# Their "required" lists are left out: a Go field such as ResourcePool.generation decodes to 0
# when absent and the server's validation, not the decoder, says what is missing
# (resource_validation, with upstream's wording).
DRA_VERSION = "1.34.0"
_DRA_PREFIX = "io.k8s.api.resource.v1."


def _load(version: str) -> dict[str, Any]:
    from importlib import resources

    ref = resources.files("kubernetes_validate").joinpath(f"kubernetes-json-schema/v{version}-local/_definitions.json")
    data: dict[str, Any] = json.loads(ref.read_text(encoding="utf-8"))["$defs"]
    return data


@cache
def _definitions() -> dict[str, Any]:
    data = _load(KUBERNETES_VERSION)
    for name, definition in _load(DRA_VERSION).items():
        if name.startswith(_DRA_PREFIX) and name not in data:
            data[name] = {k: v for k, v in definition.items() if k != "required"}
    return data


@cache
def _gvk_index() -> dict[tuple[str, str, str], str]:
    out: dict[tuple[str, str, str], str] = {}
    for name, d in _definitions().items():
        for gvk in d.get("x-kubernetes-group-version-kind") or []:
            out[(gvk.get("group", ""), gvk.get("version", ""), gvk.get("kind", ""))] = name
    return out


def definition(group: str, version: str, kind: str) -> dict[str, Any] | None:
    """The raw OpenAPI definition of a built-in kind (for typeinfo), or None: kubernetes/kubernetes
    api/openapi-spec as the module docstring's kubernetes-validate copy ships it."""
    defname = _gvk_index().get((group, version, kind))
    return _definitions()[defname] if defname else None


def referenced(ref: str) -> tuple[str, dict[str, Any]]:
    """The definition a ``$ref`` names, with its name: ``{}`` for one the definitions lack."""
    name = ref[len(_PREFIX) :] if ref.startswith(_PREFIX) else ref
    return name, _definitions().get(name, {})


_nodes: dict[str, Node] = {}

# Definitions whose "required" list is left to the kind's validation, which reports a missing field
# in upstream's words: a Go string or int32 decodes to "" or 0 when absent (pod_affinity_validation:
# "topologyKey: Required value: can not be empty" and the name checks; a weight "must be in the range
# 1-100"; upstream: kubernetes/kubernetes pkg/apis/core/validation/validation.go validatePodAffinityTerm,
# validateWeightedPodAffinityTerms).
_REQUIRED_BY_VALIDATION = frozenset(
    {"io.k8s.api.core.v1.PodAffinityTerm", "io.k8s.api.core.v1.WeightedPodAffinityTerm"}
)


def _go_name(defname: str) -> str:
    parts = defname.split(".")
    return f"{parts[-2]}.{parts[-1]}"


def _convert_def(defname: str) -> Node:
    got = _nodes.get(defname)
    if got is not None:
        return got
    node = Node()
    _nodes[defname] = node
    _fill(node, _definitions()[defname], defname)
    return node


def _fill(node: Node, s: dict[str, Any], defname: str | None) -> None:
    if defname is not None:
        node.go = _go_name(defname)
        node.struct = defname.rsplit(".", 1)[-1]
        if defname.endswith("util.intstr.IntOrString"):
            node.int_or_string, node.any = True, False
            return
        if defname.endswith("api.resource.Quantity"):
            node.quantity, node.any = True, False
            return
    t = s.get("type")
    if isinstance(t, list):
        t = next((x for x in t if x != "null"), None)
    node.type = t
    if t is None and "properties" not in s:
        return
    node.any = False
    if t == "integer":
        node.go = {"int32": "int32", "int64": "int64"}.get(s.get("format", ""), "int")
    elif t == "number":
        node.go = "float64"
    elif t == "string":
        node.go = "string" if defname is None or node.go == "interface {}" else node.go
    elif t == "boolean":
        node.go = "bool"
    elif t == "array":
        node.items = _convert(s.get("items") or {})
        node.go = "[]" + node.items.go
        node.keys = tuple(s.get("x-kubernetes-list-map-keys") or ())
    elif t == "object" or "properties" in s:
        node.type = "object"
        if "properties" in s:
            node.props = {k: _convert(v) for k, v in s["properties"].items()}
            node.required = () if defname in _REQUIRED_BY_VALIDATION else tuple(s.get("required") or ())
        addl = s.get("additionalProperties")
        if isinstance(addl, dict):
            node.map_values = _convert(addl)
            if defname is None:
                node.go = "map[string]" + node.map_values.go
        elif node.props is None:
            node.any = True


def _convert(s: dict[str, Any]) -> Node:
    ref = s.get("$ref")
    if isinstance(ref, str) and ref.startswith(_PREFIX):
        return _convert_def(ref[len(_PREFIX) :])
    node = Node()
    _fill(node, s, None)
    return node


def root(group: str, version: str, kind: str) -> Node | None:
    """The converted schema of a built-in kind, or None when the definitions lack it."""
    with _lock:
        defname = _gvk_index().get((group, version, kind))
        return _convert_def(defname) if defname else None


Cause = tuple[str, str, str]


@dataclass
class Findings:
    unknown: list[str] = field(default_factory=list)  # "spec.foo", as the strict decoder names them
    typed_unknown: list[str] = field(default_factory=list)  # ".spec.foo", as structured-merge-diff does
    decode_error: str | None = None  # the first encoding/json type error
    typed_error: str | None = None  # the first structured-merge-diff type error
    causes: list[Cause] = field(default_factory=list)


def _json_kind(v: Any) -> str:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    return "object"


def _type_ok(v: Any, node: Node) -> bool:
    if node.int_or_string:
        return isinstance(v, str) or (isinstance(v, int) and not isinstance(v, bool))
    if node.quantity:
        return isinstance(v, (str, int, float)) and not isinstance(v, bool)
    t = node.type
    if t == "object":
        return isinstance(v, dict)
    if t == "array":
        return isinstance(v, list)
    if t == "string":
        return isinstance(v, str)
    if t == "integer":
        return isinstance(v, int) and not isinstance(v, bool)
    if t == "number":
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    if t == "boolean":
        return isinstance(v, bool)
    return True


_SMD_EXPECT = {
    "object": "map",
    "array": "list",
    "string": "string",
    "integer": "numeric (int or float)",
    "number": "numeric (int or float)",
    "boolean": "boolean",
}


class _Walker:
    def __init__(self, findings: Findings, check_required: bool) -> None:
        self.f = findings
        self.check_required = check_required

    def walk(
        self, v: Any, node: Node, path: str, typed: str, gostack: tuple[str, ...], struct: str, in_status: bool
    ) -> Any:
        """Returns ``v`` without unknown fields; records what a real server would report."""
        if v is None or node.any:
            return v
        if not _type_ok(v, node):
            self._type_error(v, node, path, typed, gostack, struct)
            return v
        if node.quantity:
            # decoded into a resource.Quantity and encoded again: its canonical form (upstream:
            # kubernetes/apimachinery pkg/api/resource/quantity.go UnmarshalJSON, String)
            wrong = quantities.decode_error(v)
            if wrong is not None:
                self.f.decode_error = self.f.decode_error or wrong
                return v
            return quantities.canonical(v)
        if isinstance(v, dict) and node.type == "object":
            return self._object(v, node, path, typed, gostack, struct, in_status)
        if isinstance(v, list) and node.items is not None:
            out = []
            for i, x in enumerate(v):
                out.append(
                    self.walk(
                        x, node.items, f"{path}[{i}]", typed + _typed_index(x, i, node.keys), gostack, struct, in_status
                    )
                )
            return out
        return v

    def _object(
        self,
        v: dict[str, Any],
        node: Node,
        path: str,
        typed: str,
        gostack: tuple[str, ...],
        struct: str,
        in_status: bool,
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        props = node.props
        inner = node.struct or struct
        for k, x in v.items():
            child = f"{path}.{k}" if path else k
            sub = props.get(k) if props is not None else None
            if sub is not None:
                out[k] = self.walk(x, sub, child, f"{typed}.{k}", (*gostack, k), inner, in_status or child == "status")
            elif node.map_values is not None and node.map_values.quantity and _type_ok(x, node.map_values):
                # a ResourceList: SetDefaults_ResourceList rounds each value up to milli
                wrong = quantities.decode_error(x)
                if wrong is not None:
                    self.f.decode_error = self.f.decode_error or wrong
                out[k] = x if wrong is not None else quantities.round_up_milli(x)
            elif node.map_values is not None:
                out[k] = self.walk(x, node.map_values, child, f"{typed}.{k}", gostack, inner, in_status)
            elif props is None:
                out[k] = x
            else:
                self.f.unknown.append(child)
                self.f.typed_unknown.append(f"{typed}.{k}")
        if self.check_required and not in_status and props is not None:
            for req in node.required:
                if req not in v or v[req] is None:
                    self.f.causes.append(("FieldValueRequired", f"{path}.{req}" if path else req, "Required value"))
        return out

    def _type_error(self, v: Any, node: Node, path: str, typed: str, gostack: tuple[str, ...], struct: str) -> None:
        if self.f.decode_error is None:
            kind = _json_kind(v)
            if kind == "number" and node.type == "integer":
                kind = f"number {v}"
            where = f"Go struct field {struct}.{'.'.join(gostack)}" if gostack else "Go value"
            self.f.decode_error = f"json: cannot unmarshal {kind} into {where} of type {node.go}"
        if self.f.typed_error is None:
            expect = "string or int" if node.int_or_string else _SMD_EXPECT.get(node.type or "", node.type or "value")
            self.f.typed_error = f"{typed or '.'}: expected {expect}, got {_json_kind(v)}"


def _typed_index(x: Any, i: int, keys: tuple[str, ...]) -> str:
    """structured-merge-diff's path element: [name="x"] for associative lists, [i] otherwise."""
    if keys and isinstance(x, dict) and all(k in x for k in keys):
        return "[" + ",".join(f"{k}={json.dumps(x[k])}" for k in keys) + "]"
    return f"[{i}]"


def check(obj: dict[str, Any], node: Node, check_required: bool = True) -> tuple[dict[str, Any], Findings]:
    """Walk ``obj`` (with or without apiVersion/kind) against a kind's schema: returns the
    object without unknown fields and what was found."""
    findings = Findings()
    out = _Walker(findings, check_required).walk(obj, node, "", "", (), node.struct, False)
    return out, findings
