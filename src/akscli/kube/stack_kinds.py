"""The kinds a stack's objects may have on the server, recorded on the objects themselves, so that
``--prune`` lists those kinds only instead of every kind akscli ever creates.

kubectl's ApplySet keeps the same record on its parent object: the annotation
``applyset.kubernetes.io/contains-group-kinds``, "a list of group-kinds used to optimize listing of
ApplySet member objects", comma separated and fully qualified (upstream: kubernetes/kubectl
dee3483 pkg/cmd/apply/applyset.go ApplySetGKsAnnotation). akscli's stacks have no parent object,
so every object of the stack carries the record, and since the apply engine lists by apiVersion,
each entry names the version too, as kubectl's fully qualified resource arguments do:
``Deployment.v1.apps``, ``ConfigMap.v1``.

What the record says, kept a superset of the kinds on the server as kubectl keeps its parent's
(pkg/cmd/apply/applyset.go BeforeApply: "the superset of the current and previous resources",
then Prune's update to the latest set): a ``--prune`` apply records the kinds it renders and the
kinds of the objects it is about to prune (so a prune that fails half way leaves them recorded;
a kind of the old record with nothing left on the server drops out); an apply without ``--prune``
of a stack that has a record records that record and the kinds it renders (older objects stay). A
stack without a record (never applied with ``--prune``, or by an akscli before this) gets none
from an apply without ``--prune``, and a ``--prune`` apply of it lists every kind akscli creates,
as before. Plain module: no typer, no rich.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

ANNOTATION = "akscli.io/stack-kinds"

KindRef = tuple[str, str]  # (apiVersion, kind)


def text(kind_ref: KindRef) -> str:
    """``Deployment.v1.apps`` for (apps/v1, Deployment); ``ConfigMap.v1`` for (v1, ConfigMap)."""
    api_version, kind = kind_ref
    group, _, version = api_version.rpartition("/")
    return f"{kind}.{version}.{group}" if group else f"{kind}.{version}"


def parse(value: str) -> list[KindRef]:
    """The kinds of one record; an entry that is not Kind.version[.group] is skipped."""
    out: list[KindRef] = []
    for entry in (e.strip() for e in value.split(",")):
        kind, _, rest = entry.partition(".")
        version, _, group = rest.partition(".")
        if kind and version:
            out.append((f"{group}/{version}" if group else version, kind))
    return out


def recorded(objects: Iterable[Mapping[str, Any]]) -> list[KindRef] | None:
    """The kinds the stack's objects on the server record (the union of their records), or None
    where none of them carries a record: the stack's kinds are then unknown."""
    found: list[KindRef] | None = None
    for obj in objects:
        value = ((obj.get("metadata") or {}).get("annotations") or {}).get(ANNOTATION)
        if isinstance(value, str):
            found = list(dict.fromkeys([*(found or []), *parse(value)]))
    return found


def rendered(objects: Iterable[Mapping[str, Any]]) -> list[KindRef]:
    return list(dict.fromkeys((str(o["apiVersion"]), str(o["kind"])) for o in objects))


def record(objects: Sequence[dict[str, Any]], kinds: Sequence[KindRef] | None) -> None:
    """Write ``kinds`` (with the objects' own) as the record on each object about to be applied;
    None writes nothing."""
    if kinds is None:
        return
    value = ",".join(sorted({text(k) for k in [*kinds, *rendered(objects)]}))
    for obj in objects:
        meta = obj.setdefault("metadata", {})
        annotations = meta.get("annotations") or {}
        meta["annotations"] = annotations
        annotations[ANNOTATION] = value
