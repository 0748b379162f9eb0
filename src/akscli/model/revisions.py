"""The revision record of each deploy (what `model history` and `model rollback` read), recreate
detection for fields that cannot change in place, and pruning what a deploy no longer renders."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from akscli.errors import AkscliError, NotFoundError, UsageError
from akscli.kube.client import Kube
from akscli.kube.deletion import Progress, deleted_ref, wait_deleted, wait_refused
from akscli.model.kinds import (
    ACCEPTED_BUT_NOT_APPLIED,
    APPEND_ONLY_FIELDS,
    IMMUTABLE_FIELDS,
    IMMUTABLE_OPTIONAL_FIELDS,
    KAITO_SCALER_PREFIX,
    MAX_REVISIONS,
    MODEL_ID_ANNOTATION,
    ONE_WAY_FIELDS,
    REVISION_LABEL,
    REVISION_OF_LABEL,
)
from akscli.output import dig, object_ref


def revision_object(
    name: str,
    namespace: str,
    revision: int,
    objects: Sequence[Mapping[str, Any]],
    params: Mapping[str, Any],
    note: str = "deploy",
) -> dict[str, Any]:
    from akscli import yamlio
    from akscli.render import render

    clean = [strip_server_fields(o) for o in objects]
    return render(
        "model/revision.yaml.j2",
        {
            "name": name,
            "namespace": namespace,
            "revision": revision,
            "labels": {REVISION_OF_LABEL: name, REVISION_LABEL: str(revision)},
            "annotations": {"akscli.io/change": note, MODEL_ID_ANNOTATION: str(params.get("model"))},
            "manifests": yamlio.dump_all(clean),
            "params": json.dumps(dict(params), sort_keys=True),
        },
    )[0]


def strip_server_fields(obj: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in obj.items() if k != "status"}
    meta = {
        k: v
        for k, v in (obj.get("metadata") or {}).items()
        if k not in ("resourceVersion", "uid", "creationTimestamp", "generation", "managedFields", "selfLink")
    }
    out["metadata"] = meta
    return out


@dataclass(frozen=True)
class Revision:
    revision: int
    created: str
    change: str
    params: dict[str, Any]
    manifests: list[dict[str, Any]]
    object_name: str

    def summary(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("manifests")
        return d


def parse_revision(cm: Mapping[str, Any]) -> Revision:
    from akscli import yamlio

    meta = cm.get("metadata") or {}
    data = cm.get("data") or {}
    try:
        number = int((meta.get("labels") or {}).get(REVISION_LABEL, "0"))
        params = json.loads(data.get("params.json") or "{}")
    except (ValueError, json.JSONDecodeError) as exc:
        raise UsageError(
            f"revision record {meta.get('name')} is damaged: {exc}",
            hint=f"delete it with kubectl delete configmap {meta.get('name')}",
        ) from exc
    manifests = yamlio.load_all(data.get("manifests.yaml") or "", f"revision {number}")
    return Revision(
        revision=number,
        created=str(meta.get("creationTimestamp") or ""),
        change=str((meta.get("annotations") or {}).get("akscli.io/change", "")),
        params=params,
        manifests=manifests,
        object_name=str(meta.get("name")),
    )


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def unchanged(latest: Revision, objects: Sequence[Mapping[str, Any]], params: Mapping[str, Any]) -> bool:
    """The same manifests and parameters as the latest revision (a no-op redeploy)."""
    same_objects = _canonical([strip_server_fields(o) for o in objects]) == _canonical(
        [strip_server_fields(o) for o in latest.manifests]
    )
    return same_objects and _canonical(dict(params)) == _canonical(latest.params)


def next_revision(existing: Iterable[Revision]) -> int:
    return max((r.revision for r in existing), default=0) + 1


def expired_revisions(existing: Sequence[Revision], keep: int = MAX_REVISIONS) -> list[Revision]:
    """Older records beyond ``keep``: history stays bounded however often a model is deployed."""
    return sorted(existing, key=lambda r: r.revision)[:-keep] if len(existing) > keep else []


# ---- recreate detection -----------------------------------------------------------------------


def immutable_changes(desired: Mapping[str, Any], live: Mapping[str, Any] | None) -> list[str]:
    """``kind.group/name field: old -> new`` for each change the server refuses in place: an
    immutable field changed, a one-way field left its value, an entry of an append-only list
    removed. The object is named as the recreate's question and plan name it (``ref``)."""
    if live is None:
        return []
    where = ref(desired)
    why = _accepted_but_not_applied(desired)
    out = []
    for path in _rules(IMMUTABLE_FIELDS, desired):
        old, new = dig(live, path), dig(desired, path)
        if new is not None and old is not None and old != new:
            out.append(f"{where} {path}: {_short(old)} -> {_short(new)}{why}")
    for path in _rules(IMMUTABLE_OPTIONAL_FIELDS, desired):
        old, new = dig(live, path) or None, dig(desired, path) or None
        if old != new:
            out.append(f"{where} {path}: {_short(old or '(none)')} -> {_short(new or '(none)')}{why}")
    for path, value, default in _rules(ONE_WAY_FIELDS, desired):
        old, new = dig(live, path), dig(desired, path) or default
        if old == value and new != value:
            out.append(f"{where} {path}: {value} -> {_short(new)} (it cannot change back from {value})")
    for path in _rules(APPEND_ONLY_FIELDS, desired):
        new_list = dig(desired, path) or []
        gone = [entry for entry in dig(live, path) or [] if entry not in new_list]
        if gone:
            out.append(f"{where} {path}: removes {_short(gone)} (entries can only be added)")
    return out


def _accepted_but_not_applied(obj: Mapping[str, Any]) -> str:
    """`` (why)`` where the server takes the change but its operator never applies it in place
    (kinds.ACCEPTED_BUT_NOT_APPLIED), so the line does not say the server refuses it."""
    api = str(obj.get("apiVersion", ""))
    why = ACCEPTED_BUT_NOT_APPLIED.get((api.split("/")[0] if "/" in api else "", str(obj.get("kind"))))
    return f" ({why})" if why else ""


def _rules(table: Mapping[tuple[str, str], tuple[Any, ...]], obj: Mapping[str, Any]) -> tuple[Any, ...]:
    api = str(obj.get("apiVersion", ""))
    group = api.split("/")[0] if "/" in api else ""
    return table.get((group, str(obj.get("kind"))), ())


def _immutable_fields(obj: Mapping[str, Any]) -> tuple[Any, ...]:
    return (
        _rules(IMMUTABLE_FIELDS, obj)
        + _rules(IMMUTABLE_OPTIONAL_FIELDS, obj)
        + _rules(ONE_WAY_FIELDS, obj)
        + _rules(APPEND_ONLY_FIELDS, obj)
    )


def _short(v: Any) -> str:
    return v if isinstance(v, str) else json.dumps(v, sort_keys=True)


def ref(obj: Mapping[str, Any]) -> str:
    """``kind.group/name``, as kubectl delete --interactive lists what it deletes (output.object_ref)."""
    return object_ref(obj)


def _identity(obj: Mapping[str, Any]) -> tuple[str, str, str | None, str]:
    meta = obj["metadata"]
    return (str(obj["apiVersion"]), str(obj["kind"]), meta.get("namespace"), str(meta["name"]))


@dataclass(frozen=True)
class ImmutableChange:
    obj: dict[str, Any]
    fields: list[str]


def immutable_conflicts(kube: Kube, objects: Iterable[dict[str, Any]]) -> list[ImmutableChange]:
    """The objects whose live copy differs in a field that cannot change in place."""
    found = []
    for obj in objects:
        if not _immutable_fields(obj):
            continue  # nothing to compare: no GET
        meta = obj["metadata"]
        live = kube.get(obj["apiVersion"], obj["kind"], meta["name"], namespace=meta.get("namespace"))
        fields = immutable_changes(obj, live)
        if fields:
            found.append(ImmutableChange(obj, fields))
    return found


def recreate(
    kube: Kube,
    changes: Iterable[ImmutableChange],
    deleted: list[Mapping[str, Any]],
    progress: Progress | None = None,
) -> None:
    """Delete each object (foreground, so its dependents go first) and wait until it is gone;
    the apply that follows creates it again. Each object is added to ``deleted`` as soon as its
    delete is accepted, so a wait that fails later still leaves the deletion to be audited.
    ``progress``: told what is waited for (wait_deleted)."""
    for change in changes:
        obj, meta = change.obj, change.obj["metadata"]
        answer = kube.delete(
            obj["apiVersion"], obj["kind"], meta["name"], namespace=meta.get("namespace"), propagation="Foreground"
        )
        deleted.append(obj)
        gone = deleted_ref(obj["apiVersion"], obj["kind"], meta["name"], meta.get("namespace"), answer)
        _wait_gone(kube, gone, progress)


def _wait_gone(kube: Kube, deleted: dict[str, Any], progress: Progress | None) -> None:
    """Wait until an object deleted to be created again is gone. Unlike a plain delete, a wait
    the server refuses fails: the apply that follows would patch the old object while it is being
    deleted (docs/changes/audit14-delete-wait.md). A refused list or watch is polled by GET, and a refused
    GET fails before the create, as kubectl replace --force does (upstream: kubernetes/kubectl
    pkg/cmd/replace/replace.go forceReplace, wait.PollUntilContextTimeout(1s, immediate) on info.Get)."""
    try:
        wait_deleted(kube, [deleted], progress=progress)
    except AkscliError as exc:
        if not wait_refused(exc):
            raise
        refused = type(exc)(
            f"deleted {ref(deleted)} to create it again, but could not wait until it is gone: {exc.message}",
            hint="nothing was created again: allow get on it (kubectl auth can-i get) and run the command again",
        )
        refused.reason = exc.reason
        raise refused from exc


def revisions(kube: Kube, name: str, namespace: str) -> list[Revision]:
    """The recorded revisions of a deployed model, oldest first."""
    found = kube.list("v1", "ConfigMap", namespace=namespace, label_selector=f"{REVISION_OF_LABEL}={name}")
    return sorted((parse_revision(cm) for cm in found), key=lambda r: r.revision)


def stale_objects(history: Sequence[Revision], objects: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """What the latest recorded deploy applied and this one no longer renders (an autoscaler
    or route dropped, a runtime switched): known from the revision record, so no scan of
    every API type is needed."""
    if not history:
        return []
    wanted = {_identity(o) for o in objects}
    return [o for o in history[-1].manifests if _identity(o) not in wanted]


# Stale objects removed before the apply: the Service NAME is KAITO's (owned by the Workspace),
# akscli's (vLLM, InferenceSet) in turn, so a switch between them must delete the old server
# and its Service first, or the garbage collector takes the new Service with the old owner.
_REPLACED_FIRST = frozenset({"Workspace", "InferenceSet", "Deployment", "Service"})


def leave_replicas_to_autoscaler(kube: Kube, objects: Sequence[dict[str, Any]], initial: int) -> list[dict[str, Any]]:
    """The objects to apply, where an autoscaler owns ``spec.replicas`` (a ScaledObject of this
    deploy targets the object, or keda-kaito-scaler's annotation is on). Such an object is
    rendered without replicas (runtime_values.replicas); here it gets ``initial`` when it does not exist
    yet, and the live count when it does. The live count keeps the field where it is: an apply
    that leaves out a field akscli alone manages (a revision from before, or a count the
    autoscaler never changed) removes it, and the schema's default (1) scales the model down
    (kubernetes/website content/en/docs/reference/using-api/server-side-apply.md, "Transferring
    ownership"); the live value is shared ownership with the autoscaler's HPA, never a conflict."""
    scaled = {
        (str(o["spec"]["scaleTargetRef"].get("kind")), str(o["spec"]["scaleTargetRef"].get("name")))
        for o in objects
        if o["kind"] == "ScaledObject"
    }
    out = []
    for obj in objects:
        meta = obj["metadata"]
        auto = (meta.get("annotations") or {}).get(f"{KAITO_SCALER_PREFIX}auto-provision") == "true"
        if auto or (obj["kind"], meta["name"]) in scaled:
            live = kube.get(obj["apiVersion"], obj["kind"], meta["name"], namespace=meta.get("namespace"))
            count = initial if live is None else (live.get("spec") or {}).get("replicas")
            if count is not None:
                obj = {**obj, "spec": {**obj["spec"], "replicas": count}}
        out.append(obj)
    return out


def split_stale(stale: Iterable[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(what is deleted before the apply, what after it)."""
    items = list(stale)
    return [o for o in items if o["kind"] in _REPLACED_FIRST], [o for o in items if o["kind"] not in _REPLACED_FIRST]


def replacing(history: Sequence[Revision], objects: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """What a deploy creates in place of the server it replaces: what the latest revision did
    not apply (the new server, an AI Runway ModelDeployment or KAITO's InferenceSet, and a
    Service KAITO made before), which the server is asked to take before the old ones go. Known
    from the revision record, as stale_objects is: no GET."""
    applied = {_identity(o) for o in history[-1].manifests} if history else set()
    return [o for o in objects if _identity(o) not in applied]


def replacement_refs(history: Sequence[Revision], objects: Iterable[dict[str, Any]]) -> list[str]:
    """``kind.group/name`` of the new server a deploy makes in place of the one it deletes first (its
    Service aside), for the question that names what goes."""
    return [ref(o) for o in replacing(history, objects) if o["kind"] in _REPLACED_FIRST and o["kind"] != "Service"]


def regained_services(history: Sequence[Revision], objects: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The Services a deploy creates in place of those the server it replaces made (KAITO's per
    Workspace, kaito-project/kaito pkg/workspace/manifests/manifests.go), which the real run
    deletes with their owner before the apply (replace_first)."""
    return [o for o in replacing(history, objects) if o["kind"] == "Service"]


def replace_first(
    kube: Kube,
    stale: Iterable[Mapping[str, Any]],
    progress: Progress | None = None,
    uids: list[str] | None = None,
) -> list[Mapping[str, Any]]:
    """Delete the old server and its Service (foreground: dependents first) and wait until
    they are gone, as recreate does; returns each object deleted (output.deleted prints
    kubectl's line for it), and adds the UID of each to ``uids`` (wait_collected).
    ``progress``: told what is waited for (wait_deleted)."""
    deleted = []
    for obj in stale:
        api_version, kind, namespace, name = _identity(obj)
        answer = kube.delete(api_version, kind, name, namespace=namespace, propagation="Foreground")
        if answer is not None:
            gone = deleted_ref(api_version, kind, name, namespace, answer)
            _wait_gone(kube, gone, progress)
            deleted.append(obj)
            if uids is not None and gone["metadata"].get("uid"):
                uids.append(gone["metadata"]["uid"])
    return deleted


def wait_collected(
    kube: Kube, objects: Iterable[Mapping[str, Any]], owners: Sequence[str], progress: Progress | None = None
) -> None:
    """Wait until the garbage collector has deleted each of ``objects`` (by name) that is still
    there and owned only by the deleted ``owners`` (their UIDs): a Service an operator's reconcile
    created while its Workspace was being deleted (KAITO's ensureService racing the delete) is not
    a dependent the foreground deletion waited for, and the collector deletes it only after the
    owner is gone (upstream: kubernetes/kubernetes pkg/controller/garbagecollector/graph_builder.go
    processGraphChanges, a "virtual" owner node; garbagecollector.go attemptToDeleteItem). An apply
    before then meets the operator's fields (a conflict, exit 4) and then loses the object."""
    if not owners:
        return
    for obj in objects:
        api_version, kind, namespace, name = _identity(obj)
        live = kube.get(api_version, kind, name, namespace=namespace)
        refs = ((live or {}).get("metadata") or {}).get("ownerReferences") or []
        if refs and all(r.get("uid") in owners for r in refs):
            _wait_gone(kube, deleted_ref(api_version, kind, name, namespace, live), progress)


def delete_stale(kube: Kube, stale: Iterable[Mapping[str, Any]]) -> tuple[list[Mapping[str, Any]], list[str]]:
    """Delete what a deploy no longer renders: (each object deleted, the staged update runs left
    since they are still rolling out: deleting one stops its rollout part way, kube/prune_left.py)."""
    from akscli.kube.prune_left import rolling_out

    deleted, left = [], []
    for obj in stale:
        api_version, kind, namespace, name = _identity(obj)
        if kind in ("ClusterStagedUpdateRun", "StagedUpdateRun"):
            live = kube.get(api_version, kind, name, namespace)
            if live is not None and rolling_out(live):
                left.append(object_ref(live))
                continue
        if kube.delete(api_version, kind, name, namespace=namespace) is not None:
            deleted.append(obj)
    return deleted, left


def record_revision(
    kube: Kube,
    name: str,
    namespace: str,
    objects: Sequence[Mapping[str, Any]],
    params: Mapping[str, Any],
    note: str,
    existing: Sequence[Revision],
) -> int:
    """Store the applied manifests as the next revision and drop records beyond the limit. A
    deploy that changes nothing records nothing: the latest revision stays current."""
    if existing and unchanged(existing[-1], objects, params):
        return existing[-1].revision
    number = next_revision(existing)
    kube.apply(revision_object(name, namespace, number, objects, params, note))
    placeholder = Revision(number, "", "", {}, [], "")
    for old in expired_revisions([*existing, placeholder]):
        kube.delete("v1", "ConfigMap", old.object_name, namespace=namespace)
    return number


def rollback_outcome(name: str, to: int, current: int, *, same: bool, changed: bool) -> str:
    """The line `model rollback` ends with. A rollback to manifests the latest revision already
    holds records nothing (record_revision); where it changed no object either, it says so as
    kubectl rollout undo does (upstream: kubernetes/kubectl pkg/polymorphichelpers/rollback.go,
    DeploymentRollbacker.Rollback: "skipped rollback (current template already matches revision
    N)"), naming the revision that stays current. ``same``: nothing new was recorded."""
    if not same:
        return f"rolled {name} back to revision {to} (recorded as revision {current})"
    stays = f"revision {current} stays current" + ("" if to == current else " (the same manifests)")
    if not changed:
        return f"skipped rollback of {name} (current manifests already match revision {to}): nothing changed; {stays}"
    return f"rolled {name} back to revision {to}; {stays}: nothing new recorded"


def pick_revision(history: Sequence[Revision], name: str, namespace: str, number: int | None) -> Revision:
    """The revision ``model rollback`` returns to: ``number``, else the one before the latest."""
    if not history:
        raise NotFoundError(
            f"no revisions recorded for {name} in namespace {namespace}",
            hint="revisions are recorded by akscli model deploy",
        )
    if number is None:
        if len(history) < 2:
            raise UsageError(
                f"{name} has only revision {history[0].revision}; nothing to roll back to",
                hint=f"see akscli model history {name} -n {namespace}",
            )
        return history[-2]
    for rev in history:
        if rev.revision == number:
            return rev
    recorded = ", ".join(str(r.revision) for r in history)
    raise NotFoundError(
        f"{name} has no revision {number}", hint=f"recorded: {recorded} (akscli model history {name} -n {namespace})"
    )
