"""Server-side apply: field sets (managedFields FieldsV1), ownership per field manager,
conflicts, and the merge of an applied configuration into the live object.

A field path is a tuple of FieldsV1 elements: ``"f:name"`` (map field), ``'k:{"name":"a"}'``
(associative list item), ``'v:"x"'`` (set member). A path ending in a ``k:`` element stands
for the list item itself (the ``"."`` entry of FieldsV1)."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from typing import Any

from tests.emulators.kube.typeinfo import UNKNOWN, TypeNode

Path = tuple[str, ...]
MISSING = object()

# metadata fields that managedFields tracks; the rest are the server's own.
TRACKED_METADATA = ("labels", "annotations", "finalizers", "ownerReferences")


def _key_element(key: dict[str, Any]) -> str:
    return "k:" + json.dumps(key, separators=(",", ":"), sort_keys=True)


def _set_element(value: Any) -> str:
    return "v:" + json.dumps(value, separators=(",", ":"), sort_keys=True)


def field_set(obj: dict[str, Any], root: TypeNode, *, status: bool | None) -> set[Path]:
    """Leaf paths of ``obj``. ``status``: None -> all top-level fields, True -> only
    .status, False -> everything but .status."""
    out: set[Path] = set()
    for k, v in obj.items():
        if k in ("apiVersion", "kind"):
            continue
        if status is True and k != "status":
            continue
        if status is False and k == "status":
            continue
        if k == "metadata":
            if isinstance(v, dict):
                md_node = root.child("metadata")
                for mk in TRACKED_METADATA:
                    if mk in v and v[mk] is not None:
                        _walk(v[mk], md_node.child(mk), ("f:metadata", f"f:{mk}"), out)
            continue
        _walk(v, root.child(k), (f"f:{k}",), out)
    return out


def _walk(value: Any, node: TypeNode, path: Path, out: set[Path]) -> None:
    if isinstance(value, dict) and value and not node.is_atomic_map():
        for k, v in value.items():
            _walk(v, node.child(k), (*path, f"f:{k}"), out)
        return
    if isinstance(value, list) and value:
        kind, keys = _list_kind(node, value)
        if kind == "map":
            item_node = node.items()
            for item in value:
                ip = (*path, _key_element(node.item_key(item, keys)))
                out.add(ip)
                for k, v in item.items():
                    _walk(v, item_node.child(k), (*ip, f"f:{k}"), out)
            return
        if kind == "set":
            for item in value:
                out.add((*path, _set_element(item)))
            return
    out.add(path)


def _list_kind(node: TypeNode, value: list[Any]) -> tuple[str, list[str]]:
    """The list's kind, atomic where its items cannot be keyed (items that are not objects, or
    one with no key field and no default: structured-merge-diff refuses those, the emulator
    treats the list as one value)."""
    kind, keys = node.list_kind()
    if kind == "map" and not (keys and all(isinstance(x, dict) and node.item_key(x, keys) for x in value)):
        return ("atomic", [])
    if kind == "set" and not all(isinstance(x, (str, int, float, bool)) for x in value):
        return ("atomic", [])
    return kind, keys


def to_fields_v1(paths: Iterable[Path]) -> dict[str, Any]:
    root: dict[str, Any] = {}
    marks: set[int] = set()
    for p in paths:
        cur = root
        for el in p:
            cur = cur.setdefault(el, {})
        if p and p[-1].startswith("k:"):
            marks.add(id(cur))

    def emit(d: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if id(d) in marks:
            out["."] = {}
        # kubernetes/kubernetes structured-merge-diff sorts a set's children; a leaf has none.
        if d:  # a leaf (most nodes) has nothing to sort
            for k in sorted(d):
                out[k] = emit(d[k])
        return out

    return emit(root)


def from_fields_v1(fields: dict[str, Any], prefix: Path = ()) -> set[Path]:
    out: set[Path] = set()
    for k, v in fields.items():
        if k == ".":
            out.add(prefix)
            continue
        p = (*prefix, k)
        if isinstance(v, dict) and v:
            out |= from_fields_v1(v, p)
        else:
            out.add(p)
    return out


def _keyed(x: Any, key: dict[str, Any], node: TypeNode) -> bool:
    """Whether list item ``x`` of list ``node`` is the one ``key`` names: its own key over all the
    list's key fields, defaults filled in, is it (a key that leaves a field out names another item)."""
    return isinstance(x, dict) and node.item_key(x, node.list_kind()[1] or list(key)) == key


def get_at(obj: Any, path: Path, node: TypeNode = UNKNOWN) -> Any:
    """The value at ``path``; ``node`` is ``obj``'s type, for the defaults of list keys."""
    cur = obj
    for el in path:
        kind, _, rest = el.partition(":")
        if kind == "f":
            if not isinstance(cur, dict) or rest not in cur:
                return MISSING
            cur = cur[rest]
            node = node.child(rest)
        elif kind == "k":
            key = json.loads(rest)
            if not isinstance(cur, list):
                return MISSING
            cur = next((x for x in cur if _keyed(x, key, node)), MISSING)
            if cur is MISSING:
                return MISSING
            node = node.items()
        elif kind == "v":
            val = json.loads(rest)
            if not isinstance(cur, list) or val not in cur:
                return MISSING
            cur = val
        else:
            return MISSING
    return cur


def _node_at(node: TypeNode, path: Path) -> TypeNode:
    for el in path:
        kind, _, rest = el.partition(":")
        node = node.child(rest) if kind == "f" else node.items() if kind == "k" else node
    return node


def remove_at(obj: Any, path: Path, node: TypeNode = UNKNOWN) -> None:
    if not path:
        return
    parent = get_at(obj, path[:-1], node)
    if parent is MISSING:
        return
    kind, _, rest = path[-1].partition(":")
    if kind == "f" and isinstance(parent, dict):
        parent.pop(rest, None)
    elif kind == "k" and isinstance(parent, list):
        key = json.loads(rest)
        holder = _node_at(node, path[:-1])
        parent[:] = [x for x in parent if not _keyed(x, key, holder)]
    elif kind == "v" and isinstance(parent, list):
        val = json.loads(rest)
        parent[:] = [x for x in parent if x != val]


def path_string(path: Path) -> str:
    """The way structured-merge-diff prints a path: .spec.containers[name="a"].image"""
    out = []
    for el in path:
        kind, _, rest = el.partition(":")
        if kind == "f":
            out.append("." + rest)
        elif kind == "k":
            key = json.loads(rest)
            out.append("[" + ",".join(f"{a}={json.dumps(b)}" for a, b in key.items()) + "]")
        elif kind == "v":
            out.append(f"[={rest}]")
    return "".join(out)


def merge_applied(live: Any, applied: Any, node: TypeNode) -> Any:
    """Deep-merge an applied configuration into the live value: maps field by field,
    associative lists item by item (by key, defaults filled in), sets by union, everything else
    replaced (kubernetes-sigs/structured-merge-diff typed/merge.go)."""
    if isinstance(applied, dict) and isinstance(live, dict) and not node.is_atomic_map():
        out = dict(live)
        for k, v in applied.items():
            out[k] = merge_applied(live.get(k, MISSING), v, node.child(k))
        return out
    if isinstance(applied, list) and isinstance(live, list):
        kind, keys = _list_kind(node, applied + live)
        if kind == "map":
            out_list = [copy.deepcopy(x) for x in live]
            item_node = node.items()
            for item in applied:
                ident = node.item_key(item, keys)
                idx = next((i for i, x in enumerate(out_list) if _keyed(x, ident, node)), None)
                if idx is None:
                    out_list.append(copy.deepcopy(item))
                else:
                    out_list[idx] = merge_applied(out_list[idx], item, item_node)
            return out_list
        if kind == "set":
            out_set = list(live)
            for x in applied:
                if x not in out_set:
                    out_set.append(x)
            return out_set
    return copy.deepcopy(applied)


class ManagedFields:
    """The managedFields of one object as (manager, operation, subresource) -> paths."""

    def __init__(self, entries: list[dict[str, Any]] | None) -> None:
        self.entries: list[dict[str, Any]] = []
        self.sets: list[set[Path]] = []
        for e in entries or []:
            if not isinstance(e, dict):
                continue
            self.entries.append({k: v for k, v in e.items() if k != "fieldsV1"})
            fv1 = e.get("fieldsV1")
            self.sets.append(from_fields_v1(fv1) if isinstance(fv1, dict) else set())

    def index(self, manager: str, operation: str, subresource: str, api_version: str | None = None) -> int | None:
        """The entry of one manager identifier: name, operation, subresource and, for an Update,
        its apiVersion, so one manager's Updates through two versions are two entries (upstream:
        kubernetes/apimachinery eed236ce pkg/util/managedfields/internal/managedfields.go
        BuildManagerIdentifier drops the apiVersion of Apply entries only)."""
        for i, e in enumerate(self.entries):
            if (
                e.get("manager") == manager
                and e.get("operation") == operation
                and e.get("subresource", "") == subresource
                and (operation != "Update" or api_version is None or e.get("apiVersion") == api_version)
            ):
                return i
        return None

    def set_of(self, manager: str, operation: str, subresource: str, api_version: str | None = None) -> set[Path]:
        i = self.index(manager, operation, subresource, api_version)
        return set(self.sets[i]) if i is not None else set()

    def put(self, manager: str, operation: str, subresource: str, api_version: str, now: str, paths: set[Path]) -> None:
        i = self.index(manager, operation, subresource, api_version)
        entry: dict[str, Any] = {
            "manager": manager,
            "operation": operation,
            "apiVersion": api_version,
            "time": now,
            "fieldsType": "FieldsV1",
        }
        if subresource:
            entry["subresource"] = subresource
        if i is None:
            self.entries.append(entry)
            self.sets.append(set(paths))
        else:
            self.entries[i] = entry
            self.sets[i] = set(paths)

    def disown(self, paths: set[Path], except_index: int | None) -> None:
        for i in range(len(self.sets)):
            if i != except_index:
                self.sets[i] -= paths

    def conflicts(
        self, applied: Any, live: Any, paths: set[Path], me: int | None, node: TypeNode = UNKNOWN
    ) -> list[tuple[dict[str, Any], Path]]:
        """The fields another manager owns that the applied config changes. A manager is its name,
        operation and subresource (and, for Update, its apiVersion), so an applier's own earlier
        Update under the same name is another manager: only the applier's own Apply entry (``me``)
        is exempt. upstream: kubernetes-sigs/structured-merge-diff merge/update.go Updater.update
        (``manager == workflow``); kubernetes/kubernetes staging/src/k8s.io/apimachinery/pkg/util/
        managedfields/internal/managedfields.go BuildManagerIdentifier, buildmanagerinfo.go buildManagerInfo.

        In the order the API server reports them: by manager identifier, then each manager's paths
        as its field set iterates them (kubernetes-sigs/structured-merge-diff merge/conflict.go
        ConflictsFromManagers walks a Go map of
        managers, which has no order; the message sorts the managers, and so does this list)."""
        found: list[tuple[dict[str, Any], Path]] = []
        for i, owned in enumerate(self.sets):
            if i == me:
                continue
            for p in sorted(paths & owned, key=iteration_key):
                if p[-1].startswith("k:"):
                    continue
                if get_at(live, p, node) != get_at(applied, p, node):
                    found.append((self.entries[i], p))
        found.sort(key=lambda c: manager_identifier(c[0]))
        return found

    def render(self) -> list[dict[str, Any]]:
        """The entries that own fields, sorted as the API server encodes them: by operation
        (Apply before Update), time, manager, apiVersion, subresource (upstream: kubernetes/
        apimachinery eed236ce pkg/util/managedfields/internal/managedfields.go
        sortEncodedManagedFields; the emulator's times are RFC 3339 to the second, so they sort
        as text)."""
        out = []
        for e, s in zip(self.entries, self.sets, strict=True):
            if not s:
                continue
            out.append({**e, "fieldsV1": to_fields_v1(s)})
        out.sort(
            key=lambda e: (
                e.get("operation", ""),
                e.get("time") or "",
                e.get("manager", ""),
                e.get("apiVersion", ""),
                e.get("subresource", ""),
            )
        )
        return out


def manager_identifier(entry: dict[str, Any]) -> str:
    """The key the field manager keeps a manager's set under: the entry as JSON without its
    fieldsType, fieldsV1 and time, and without the apiVersion of an Apply (upstream: kubernetes/kubernetes
    staging/src/k8s.io/apimachinery/pkg/util/managedfields/internal/managedfields.go
    BuildManagerIdentifier, mirrored as kubernetes/apimachinery eed236ce;
    encoding/json writes metav1.ManagedFieldsEntry's fields in their declared order, omitting the
    empty ones, and escapes <, > and & for HTML)."""
    fields: dict[str, Any] = {"manager": entry.get("manager", ""), "operation": entry.get("operation", "")}
    if entry.get("operation") != "Apply" and entry.get("apiVersion"):
        fields["apiVersion"] = entry["apiVersion"]
    if entry.get("subresource"):
        fields["subresource"] = entry["subresource"]
    text = json.dumps({k: v for k, v in fields.items() if v}, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _value_key(value: Any) -> tuple[Any, ...]:
    """kubernetes-sigs/structured-merge-diff value/value.go CompareUsing: numbers (ints and floats numerically),
    then strings, booleans, lists, maps, null."""
    if isinstance(value, bool):
        return (2, value)
    if isinstance(value, (int, float)):
        return (0, float(value))
    if isinstance(value, str):
        return (1, value)
    if isinstance(value, list):
        return (3, [_value_key(v) for v in value])
    if isinstance(value, dict):
        return (4, sorted((k, _value_key(v)) for k, v in value.items()))
    return (5,)


def _element_key(element: str) -> tuple[Any, ...]:
    """kubernetes-sigs/structured-merge-diff fieldpath/element.go PathElement.Compare: field names, then
    keys (value/fields.go
    FieldList.Compare: name by name, value by value), then set values."""
    kind, _, rest = element.partition(":")
    if kind == "f":
        return (0, rest)
    if kind == "k":
        return (1, [(k, _value_key(v)) for k, v in sorted(json.loads(rest).items())])
    if kind == "v":
        return (2, _value_key(json.loads(rest)))
    return (3, rest)


def iteration_key(path: Path) -> tuple[tuple[Any, ...], ...]:
    """Where ``path`` comes when a field set iterates: at each level the paths that end there
    (its members) before those that go deeper (its children), each group by element (upstream:
    kubernetes-sigs/structured-merge-diff fieldpath/set.go Set.iteratePrefix, Members.Iterate
    then Children.iteratePrefix)."""
    last = len(path) - 1
    return tuple((0 if i == last else 1, *_element_key(el)) for i, el in enumerate(path))


def describe_manager(entry: dict[str, Any]) -> str:
    """How a conflict names its manager (upstream: kubernetes/kubernetes staging/src/k8s.io/apimachinery/
    pkg/util/managedfields/internal/conflict.go printManager, mirrored as kubernetes/apimachinery eed236ce;
    the identifier holds no time, so no "at")."""
    text = json.dumps(entry.get("manager", ""), ensure_ascii=False)
    if entry.get("subresource"):
        text += f" with subresource {json.dumps(entry['subresource'], ensure_ascii=False)}"
    if entry.get("operation") == "Update":
        text += f" using {entry.get('apiVersion', '')}"
    return text


def conflict_message(conflicts: list[tuple[dict[str, Any], Path]]) -> str:
    """The 409's message (upstream: kubernetes/kubernetes staging/src/k8s.io/apimachinery/pkg/util/
    managedfields/internal/conflict.go getConflictMessage, mirrored as kubernetes/apimachinery eed236ce):
    one conflict on one line; several grouped under each manager,
    managers sorted by their identifier, paths in the order found, lines joined by newlines."""
    if len(conflicts) == 1:
        e, p = conflicts[0]
        return f"Apply failed with 1 conflict: conflict with {describe_manager(e)}: {path_string(p)}"
    by_manager: dict[str, tuple[str, list[str]]] = {}
    for e, p in conflicts:
        by_manager.setdefault(manager_identifier(e), (describe_manager(e), []))[1].append(path_string(p))
    lines = []
    for ident in sorted(by_manager):
        shown, found = by_manager[ident]
        lines.append(f"conflicts with {shown}:")
        lines.extend(f"- {p}" for p in found)
    return f"Apply failed with {len(conflicts)} conflicts: " + "\n".join(lines)
