"""JSON merge patch (RFC 7386), JSON patch (RFC 6902) and strategic merge patch."""

from __future__ import annotations

import copy
from typing import Any

from tests.emulators.kube.status import ApiError
from tests.emulators.kube.typeinfo import TypeNode


def _rejected(detail: str) -> ApiError:
    """The API server's 422 for a patch it cannot apply: its fixed prefix, then what went wrong
    (upstream: kubernetes/kubernetes staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go
    answers with apimachinery's NewGenericServerResponse, pkg/api/errors/errors.go)."""
    return ApiError(422, "the server rejected our request due to an error in our request: " + detail, "Invalid")


def merge_patch(target: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge_patch(out.get(k), v)
    return out


def create_merge_patch(original: Any, modified: Any) -> dict[str, Any]:
    """The JSON merge patch that takes ``original`` to ``modified`` (both objects): a key whose value
    changed is sent (an object compared key by key, anything else whole, a list included), a key
    gone is sent as null, an unchanged key is left out (upstream: evanphx/json-patch merge.go
    CreateMergePatch, what kubernetes-sigs/controller-runtime pkg/client/patch.go mergeFromPatch
    sends for client.MergeFrom)."""
    out: dict[str, Any] = {}
    for key in original.keys() - modified.keys():
        out[key] = None
    for key, value in modified.items():
        old = original.get(key, _ABSENT)
        if isinstance(old, dict) and isinstance(value, dict):
            inner = create_merge_patch(old, value)
            if inner:
                out[key] = inner
        elif old != value:
            out[key] = copy.deepcopy(value)
    return out


_ABSENT = object()


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise _rejected(f'invalid JSON pointer "{path}"')
    return [_unescape(t) for t in path[1:].split("/")]


def _index(container: list[Any], token: str, allow_end: bool) -> int:
    if token == "-" and allow_end:
        return len(container)
    if not token.isdigit():
        raise _rejected(f'invalid array index "{token}"')
    i = int(token)
    if i > len(container) or (i == len(container) and not allow_end):
        raise _rejected("index out of range")
    return i


def _parent(doc: Any, tokens: list[str], op: str) -> Any:
    cur = doc
    for t in tokens[:-1]:
        if isinstance(cur, dict):
            if t not in cur:
                raise _rejected(f"{op} operation does not apply: doc is missing path")
            cur = cur[t]
        elif isinstance(cur, list):
            cur = cur[_index(cur, t, False)]
        else:
            raise _rejected(f"{op} operation does not apply: doc is missing path")
    return cur


def _get(doc: Any, tokens: list[str]) -> Any:
    cur = doc
    for t in tokens:
        if isinstance(cur, dict) and t in cur:
            cur = cur[t]
        elif isinstance(cur, list):
            cur = cur[_index(cur, t, False)]
        else:
            raise _rejected("doc is missing path")
    return cur


def json_patch(doc: Any, ops: Any) -> Any:
    if not isinstance(ops, list):
        raise ApiError(400, "json: cannot unmarshal object into Go value of type jsonpatch.Patch", "BadRequest")
    doc = copy.deepcopy(doc)
    for op in ops:
        if not isinstance(op, dict) or "op" not in op:
            raise _rejected("missing op")
        kind = op["op"]
        tokens = _pointer(op.get("path", ""))
        if kind in ("add", "replace", "test") and "value" not in op:
            raise _rejected(f"{kind} operation missing value")
        if kind == "test":
            if _get(doc, tokens) != op["value"]:
                raise _rejected("testing value failed")
            continue
        if kind in ("move", "copy"):
            value = copy.deepcopy(_get(doc, _pointer(op.get("from", ""))))
            if kind == "move":
                doc = _remove(doc, _pointer(op["from"]))
            doc = _add(doc, tokens, value, "add")
            continue
        if kind == "remove":
            doc = _remove(doc, tokens)
        elif kind == "add":
            doc = _add(doc, tokens, copy.deepcopy(op["value"]), "add")
        elif kind == "replace":
            _get(doc, tokens)
            doc = _add(doc, tokens, copy.deepcopy(op["value"]), "replace")
        else:
            raise _rejected(f"Unexpected kind: {kind}")
    return doc


def _add(doc: Any, tokens: list[str], value: Any, op: str) -> Any:
    if not tokens:
        return value
    parent = _parent(doc, tokens, op)
    last = tokens[-1]
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        if op == "replace":
            parent[_index(parent, last, False)] = value
        else:
            parent.insert(_index(parent, last, True), value)
    else:
        raise _rejected(f"{op} operation does not apply: doc is missing path")
    return doc


def _remove(doc: Any, tokens: list[str]) -> Any:
    if not tokens:
        return None
    parent = _parent(doc, tokens, "remove")
    last = tokens[-1]
    if isinstance(parent, dict) and last in parent:
        del parent[last]
    elif isinstance(parent, list):
        del parent[_index(parent, last, False)]
    else:
        raise _rejected(f'remove operation does not apply: doc is missing path: "/{"/".join(tokens)}": missing value')
    return doc


def strategic_merge_patch(target: Any, patch: Any, node: TypeNode) -> Any:
    """Merge patch plus the lists' patch merge keys (typeinfo.patch_kind) and the $patch / $retainKeys directives
    (upstream kubernetes/kubernetes staging/src/k8s.io/apimachinery/pkg/util/strategicpatch/patch.go)
    that matter in practice ($patch: replace|delete on maps and list items,
    $setElementOrder is accepted and ignored)."""
    if isinstance(patch, dict):
        if patch.get("$patch") == "replace":
            return {k: copy.deepcopy(v) for k, v in patch.items() if k != "$patch"}
        if patch.get("$patch") == "delete":
            return None
        out = dict(target) if isinstance(target, dict) else {}
        for k, v in patch.items():
            if k.startswith("$setElementOrder/") or k == "$retainKeys":
                continue
            if k.startswith("$deleteFromPrimitiveList/"):
                name = k.split("/", 1)[1]
                if isinstance(out.get(name), list):
                    out[name] = [x for x in out[name] if x not in v]
                continue
            if v is None:
                out.pop(k, None)
                continue
            child = node.child(k)
            if isinstance(v, list):
                out[k] = _smp_list(out.get(k), v, child)
            else:
                merged = strategic_merge_patch(out.get(k), v, child)
                if merged is None and isinstance(v, dict) and v.get("$patch") == "delete":
                    out.pop(k, None)
                else:
                    out[k] = merged
        return out
    return copy.deepcopy(patch)


def _smp_list(current: Any, patch: list[Any], holder: TypeNode) -> list[Any]:
    kind, keys = holder.patch_kind()
    if kind == "set":
        out = list(current) if isinstance(current, list) else []
        for x in patch:
            if x not in out:
                out.append(x)
        return out
    if kind != "map" or not keys:
        return [x for x in copy.deepcopy(patch) if not (isinstance(x, dict) and x.get("$patch"))]
    out = [copy.deepcopy(x) for x in current] if isinstance(current, list) else []
    item_node = holder.items()
    for item in patch:
        if not isinstance(item, dict):
            continue
        if item.get("$patch") == "replace":
            return [x for x in copy.deepcopy(patch) if not (isinstance(x, dict) and "$patch" in x)]
        ident = tuple(item.get(k) for k in keys)
        if item.get("$patch") == "delete":
            # every item with the merge key's value goes, so both protocols of a container port
            # number (kubernetes/apimachinery pkg/util/strategicpatch/patch.go deleteMatchingEntries)
            out = [x for x in out if not (isinstance(x, dict) and tuple(x.get(k) for k in keys) == ident)]
            continue
        # the first item with the merge key's value takes the patch (patch.go
        # mergeSliceWithoutSpecialElements, findMapInSliceBasedOnKeyValue)
        idx = next(
            (i for i, x in enumerate(out) if isinstance(x, dict) and tuple(x.get(k) for k in keys) == ident), None
        )
        if idx is None:
            out.append(strategic_merge_patch({}, item, item_node))
        else:
            out[idx] = strategic_merge_patch(out[idx], item, item_node)
    return out


def two_way_merge_patch(old: Any, new: Any, node: TypeNode) -> Any:
    """The strategic merge patch that turns ``old`` into ``new``: changed and added keys, None for
    a removed one, and for a list keyed by merge keys only the items that changed (with their keys),
    a ``$patch: delete`` for each one gone and the ``$setElementOrder`` directive; an atomic list
    whole (upstream: kubernetes/kubernetes staging/src/k8s.io/apimachinery/pkg/util/strategicpatch/patch.go,
    mirrored as kubernetes/apimachinery pkg/util/strategicpatch/patch.go: CreateTwoWayMergePatch, diffMaps,
    diffLists / diffListsOfMaps). {} where nothing changed."""
    out: dict[str, Any] = {}
    for k, v in new.items():
        before = old.get(k)
        if k not in old or not isinstance(before, type(v)):
            out[k] = copy.deepcopy(v)
        elif isinstance(v, dict):
            diff = two_way_merge_patch(before, v, node.child(k))
            if diff:
                out[k] = diff
        elif isinstance(v, list):
            if v != before:
                out.update(_diff_list(before, v, node.child(k), k))
        elif v != before:
            out[k] = v
    for k in old:
        if k not in new:
            out[k] = None
    return out


def _diff_list(old: list[Any], new: list[Any], holder: TypeNode, name: str) -> dict[str, Any]:
    kind, keys = holder.patch_kind()
    if kind != "map" or not keys or not all(isinstance(x, dict) for x in new + old):
        return {name: copy.deepcopy(new)}

    def ident(item: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(item.get(k) for k in keys)

    before = {ident(x): x for x in old}
    after = {ident(x) for x in new}
    items: list[dict[str, Any]] = []
    for item in new:
        was = before.get(ident(item))
        if was is None:
            items.append(copy.deepcopy(item))
        elif item != was:
            items.append({**two_way_merge_patch(was, item, holder.items()), **{k: item.get(k) for k in keys}})
    items += [{**{k: x.get(k) for k in keys}, "$patch": "delete"} for x in old if ident(x) not in after]
    order = [{k: x.get(k) for k in keys} for x in new]
    return {f"$setElementOrder/{name}": order, name: items}
