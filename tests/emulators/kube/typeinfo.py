"""Just enough type information to merge lists the way the API server does: which lists are
maps keyed by some fields (containers by name, container ports by containerPort and protocol),
which are sets, which are atomic, and which structs are atomic.

Both kinds of resource answer from a schema. A custom resource's is its CRD's structural schema
(x-kubernetes-list-type / -list-map-keys / -map-type); a built-in kind's is the official OpenAPI
definition of its Go type (builtin_schema: kubernetes/kubernetes api/openapi-spec, as the
kubernetes-validate package ships it), the same extensions the API server's field manager reads
(kubernetes/kube-openapi pkg/schemaconv/smd.go, which builds structured-merge-diff's schema from
the models kubernetes/kubernetes pkg/generated/openapi generates from the types' markers).

Server-side apply and strategic merge patch key a list differently: apply by the list-map keys
(x-kubernetes-list-map-keys, from ``+listMapKey``), the strategic merge patch by the Go struct
tags (x-kubernetes-patch-merge-key / -patch-strategy, from ``patchMergeKey`` / ``patchStrategy``).
A container's ports are one map to apply (containerPort and protocol) and keyed by containerPort
alone to a strategic merge patch (kubernetes/api core/v1/types.go Container.Ports; the field's
description warns that such a patch "may corrupt the data", kubernetes/kubernetes#108255)."""

from __future__ import annotations

from functools import cache
from typing import Any

from tests.emulators.kube import builtin_schema

# The defaults of list-map keys, which structured-merge-diff puts in an item's key when the item
# leaves the key out (kubernetes-sigs/structured-merge-diff typed/helpers.go
# keyedAssociativeListItemToPathElement, getAssociativeKeyDefault: the key field's schema default),
# so a port applied without a protocol is the TCP one. kubernetes-validate drops the OpenAPI
# "default"s, so the built-in ones are named here: kubernetes/kubernetes
# api/openapi-spec/v3/api__v1_openapi.json io.k8s.api.core.v1.ContainerPort and ServicePort,
# property protocol, "default": "TCP" (from ``+default="TCP"`` in kubernetes/api core/v1/types.go,
# v0.32.13; no other ``+default`` marker of kubernetes/api v0.32 is on a list-map key). A CRD's
# key defaults come from its schema's own "default".
BUILTIN_KEY_DEFAULTS: dict[str, dict[str, Any]] = {
    "io.k8s.api.core.v1.ContainerPort": {"protocol": "TCP"},
    "io.k8s.api.core.v1.ServicePort": {"protocol": "TCP"},
}

ABSENT = object()
# where a node keeps its items' and its map values' nodes (no property is named so)
_ITEMS, _VALUES = "\0items", "\0values"


class TypeNode:
    """A position in an object's type: a schema node (CRD structural schema or OpenAPI definition
    property; ``{}`` where the type is unknown and lists are atomic)."""

    __slots__ = ("_kids", "_res", "defname", "schema")

    def __init__(self, schema: dict[str, Any], defname: str = "") -> None:
        self.schema = schema
        self.defname = defname
        self._res: TypeNode | None = None
        self._kids: dict[str, TypeNode] = {}

    def _resolved(self) -> TypeNode:
        if self._res is None:
            s, name = self.schema, self.defname
            while isinstance(s.get("$ref"), str):
                name, s = builtin_schema.referenced(s["$ref"])
            self._res = TypeNode(s, name) if s is not self.schema else self
        return self._res

    def child(self, name: str) -> TypeNode:
        got = self._kids.get(name)
        if got is not None:
            return got
        s = self._resolved().schema
        props = s.get("properties")
        if name == "metadata" and isinstance(props, dict) and "apiVersion" in props:
            # an object's metadata is ObjectMeta, whatever a CRD's schema says of it
            # (kubernetes/kubernetes staging/src/k8s.io/apiextensions-apiserver/pkg/controller/
            # openapi/builder/builder.go adds the ObjectMeta reference to every version's schema)
            got = OBJECT_META
        elif isinstance(props, dict) and name in props:
            got = TypeNode(props[name])
        else:
            # any other key: the map's values (labels, data), else unknown; one node for all keys
            got = self._kids.get(_VALUES)
            if got is None:
                ap = s.get("additionalProperties")
                got = self._kids[_VALUES] = TypeNode(ap) if isinstance(ap, dict) else UNKNOWN
            return got
        self._kids[name] = got
        return got

    def items(self) -> TypeNode:
        got = self._kids.get(_ITEMS)
        if got is None:
            it = self._resolved().schema.get("items")
            got = self._kids[_ITEMS] = TypeNode(it) if isinstance(it, dict) else UNKNOWN
        return got

    def list_kind(self) -> tuple[str, list[str]]:
        """How server-side apply sees this list: ('map', keys) | ('set', []) | ('atomic', [])
        (kubernetes/kube-openapi pkg/schemaconv/smd.go getListElementRelationship: the list type,
        else a patch strategy of merge (a merge key makes a map, none a set), else atomic)."""
        s = self._resolved().schema
        lt = s.get("x-kubernetes-list-type")
        if lt == "map":
            return ("map", list(s.get("x-kubernetes-list-map-keys") or []))
        if lt == "set":
            return ("set", [])
        if lt is None and s.get("x-kubernetes-patch-strategy") in ("merge", "merge,retainKeys"):
            key = s.get("x-kubernetes-patch-merge-key")
            return ("map", [key]) if isinstance(key, str) else ("set", [])
        return ("atomic", [])

    def patch_kind(self) -> tuple[str, list[str]]:
        """How a strategic merge patch sees this list: by the Go struct tags, ('map', [merge key])
        for patchStrategy merge with a patchMergeKey, ('set', []) for merge without one (a list of
        primitives), else ('atomic', []): replaced whole (kubernetes/kubernetes
        staging/src/k8s.io/apimachinery/pkg/util/strategicpatch/patch.go mergeSlice, meta.go
        PatchMetaFromStruct; the OpenAPI extensions carry the same tags)."""
        s = self._resolved().schema
        if s.get("x-kubernetes-patch-strategy") in ("merge", "merge,retainKeys"):
            key = s.get("x-kubernetes-patch-merge-key")
            return ("map", [key]) if isinstance(key, str) else ("set", [])
        return ("atomic", [])

    def key_default(self, field: str) -> Any:
        """The default of one key field of this list's items, or ABSENT."""
        item = self.items()._resolved()
        fixed = BUILTIN_KEY_DEFAULTS.get(item.defname, {})
        if field in fixed:
            return fixed[field]
        prop = (item.schema.get("properties") or {}).get(field)
        if isinstance(prop, dict) and "default" in prop:
            return prop["default"]
        return ABSENT

    def item_key(self, item: dict[str, Any], keys: list[str]) -> dict[str, Any]:
        """An item's key in this list: each key field's value, else its default; a field with
        neither is left out (kubernetes-sigs/structured-merge-diff typed/helpers.go
        keyedAssociativeListItemToPathElement, from cd2b883 "support optional map keys"; the
        v4.4.2 of Kubernetes 1.32 refused such an item instead)."""
        out: dict[str, Any] = {}
        for k in keys:
            if k in item:
                out[k] = item[k]
            else:
                d = self.key_default(k)
                if d is not ABSENT:
                    out[k] = d
        return out

    def is_atomic_map(self) -> bool:
        return self._resolved().schema.get("x-kubernetes-map-type") == "atomic"


# Unknown position (preserve-unknown-fields, or a field no schema declares): lists are atomic.
UNKNOWN = TypeNode({})
OBJECT_META = TypeNode({"$ref": "#/$defs/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"})


def root_node(schema: dict[str, Any] | None) -> TypeNode:
    """A custom resource's type from its CRD schema (none: unknown, lists atomic)."""
    return TypeNode(schema) if schema is not None else UNKNOWN


@cache
def builtin_root(group: str, version: str, kind: str) -> TypeNode:
    """A built-in kind's type from its OpenAPI definition."""
    d = builtin_schema.definition(group, version, kind)
    return TypeNode(d) if d is not None else UNKNOWN
