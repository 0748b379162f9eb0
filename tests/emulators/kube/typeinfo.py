"""Just enough type information to merge lists the way the API server does: which lists are
maps keyed by some fields (containers by name), which are sets, which are atomic.

CRDs answer from their schema (x-kubernetes-list-type / -list-map-keys); built-in kinds,
whose Go types the emulator does not carry, answer from the well-known patch merge keys."""

from __future__ import annotations

from typing import Any

# Field name -> merge keys of the built-in types (the Go struct tags patchMergeKey /
# listMapKeys). "ports" is resolved by the items' contents.
BUILTIN_MAP_KEYS: dict[str, list[str]] = {
    "containers": ["name"],
    "initContainers": ["name"],
    "ephemeralContainers": ["name"],
    "env": ["name"],
    "volumes": ["name"],
    "volumeMounts": ["mountPath"],
    "volumeDevices": ["devicePath"],
    "imagePullSecrets": ["name"],
    "conditions": ["type"],
    "ownerReferences": ["uid"],
    "hostAliases": ["ip"],
    "resourceClaims": ["name"],
    "containerStatuses": ["name"],
    "initContainerStatuses": ["name"],
    "addresses": ["type"],
    "topologySpreadConstraints": ["topologyKey", "whenUnsatisfiable"],
}
BUILTIN_SETS = {"finalizers"}


class TypeNode:
    """A position in an object's type: a CRD schema node, or the built-in heuristics."""

    __slots__ = ("schema",)

    def __init__(self, schema: dict[str, Any] | None) -> None:
        self.schema = schema

    def child(self, name: str) -> TypeNode:
        s = self.schema
        if s is None:
            return BUILTIN
        if name == "metadata" and "properties" in s and "apiVersion" in s.get("properties", {}):
            return BUILTIN
        props = s.get("properties")
        if props and name in props:
            return TypeNode(props[name])
        ap = s.get("additionalProperties")
        if isinstance(ap, dict):
            return TypeNode(ap)
        return UNKNOWN

    def items(self) -> TypeNode:
        s = self.schema
        if s is None:
            return BUILTIN
        it = s.get("items")
        return TypeNode(it) if isinstance(it, dict) else UNKNOWN

    def list_kind(self, field_name: str, sample: list[Any]) -> tuple[str, list[str]]:
        """('map', keys) | ('set', []) | ('atomic', [])."""
        s = self.schema
        if s is None:
            if field_name in BUILTIN_SETS:
                return ("set", [])
            if field_name == "ports":
                first = next((x for x in sample if isinstance(x, dict)), {})
                return ("map", ["containerPort"] if "containerPort" in first else ["port"])
            keys = BUILTIN_MAP_KEYS.get(field_name)
            if keys and all(isinstance(x, dict) and keys[0] in x for x in sample):
                return ("map", keys)
            return ("atomic", [])
        lt = s.get("x-kubernetes-list-type")
        if lt == "map":
            return ("map", list(s.get("x-kubernetes-list-map-keys") or []))
        if lt == "set":
            return ("set", [])
        return ("atomic", [])

    def is_atomic_map(self) -> bool:
        s = self.schema
        return bool(s and s.get("x-kubernetes-map-type") == "atomic")


BUILTIN = TypeNode(None)
# Unknown position inside a CRD (preserve-unknown-fields): lists are atomic there.
UNKNOWN = TypeNode({})


def root_node(schema: dict[str, Any] | None) -> TypeNode:
    return TypeNode(schema) if schema is not None else BUILTIN
