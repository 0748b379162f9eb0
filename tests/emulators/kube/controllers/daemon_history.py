"""A DaemonSet's ControllerRevisions: one per pod template it has run, numbered, which
`kubectl rollout history/undo daemonset` read and restore.

upstream: kubernetes/kubernetes pkg/controller/daemon/update.go constructHistory, snapshot,
getPatch, Match, dedupCurHistories, cleanupHistory, maxRevision; pkg/controller/history/
controller_history.go (a revision's name is the owner's name, "-", the hash);
pkg/controller/controller_utils.go ComputeHash (the template and status.collisionCount).
kubectl's side: kubernetes/kubectl pkg/polymorphichelpers/history.go DaemonSetHistoryViewer,
rollback.go DaemonSetRollbacker (findHistory: 0 is the second-highest revision; it applies the
revision's data as a strategic merge patch).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

from tests.emulators.kube.cluster import ClusterState
from tests.emulators.kube.controllers.controller_history import controller_revision
from tests.emulators.kube.controllers.deployment_revisions import typed
from tests.emulators.kube.controllers.pods import compute_hash, live_dependents

# apps/v1 DefaultDaemonSetUniqueLabelKey (= ControllerRevisionHashLabelKey).
HASH_LABEL = "controller-revision-hash"


def get_patch(ds: dict[str, Any]) -> dict[str, Any]:
    """update.go getPatch: {"spec": {"template": <the template>, "$patch": "replace"}}, the
    template as json.Marshal writes the typed DaemonSet (ObjectMeta's creationTimestamp comes out
    null), keys sorted as Go marshals a map."""
    template = typed(copy.deepcopy((ds.get("spec") or {}).get("template") or {}))
    template.setdefault("metadata", {})["creationTimestamp"] = None
    template["$patch"] = "replace"
    return dict(json.loads(json.dumps({"spec": {"template": template}}, sort_keys=True)))


def matches(ds: dict[str, Any], revision: dict[str, Any]) -> bool:
    """update.go Match: the revision's data is the DaemonSet's getPatch, byte for byte."""
    return revision.get("data") == get_patch(ds)


def _number(revision: dict[str, Any]) -> int:
    return int(revision.get("revision") or 0)


def controlled(cluster: ClusterState, ds: dict[str, Any]) -> list[dict[str, Any]]:
    """update.go controlledHistories: the revisions whose controller reference is the DaemonSet
    (the emulator adopts no orphan; ClaimControllerRevisions would adopt one its selector matches)."""
    out = live_dependents(cluster, ds["metadata"]["uid"], "apps/controllerrevisions", "apps/v1", "ControllerRevision")
    return sorted(out, key=lambda r: (_number(r), r["metadata"]["name"]))


def construct_history(
    cluster: ClusterState, ds: dict[str, Any], pods: Callable[[], list[dict[str, Any]]]
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """update.go constructHistory: the revision of the DaemonSet's template (cur) and the others
    (old). A revision without the hash label gets its name as one. None matching: snapshot makes
    one numbered maxRevision(old) + 1. Several: dedupCurHistories keeps the highest, relabels the
    pods to its hash and deletes the rest. A kept one numbered below maxRevision(old) + 1 (a
    template rolled back to) is renumbered. cur is None when snapshot met a hash collision: the
    DaemonSet's status.collisionCount was raised and the next sync tries the new name."""
    md = ds["metadata"]
    current: list[dict[str, Any]] = []
    old: list[dict[str, Any]] = []
    for rev in controlled(cluster, ds):
        if HASH_LABEL not in (rev["metadata"].get("labels") or {}):
            patch = {"metadata": {"labels": {HASH_LABEL: rev["metadata"]["name"]}}}
            rev = cluster.patch("apps/v1", "ControllerRevision", md["namespace"], rev["metadata"]["name"], patch)
        (current if matches(ds, rev) else old).append(rev)
    number = max((_number(r) for r in old), default=0) + 1
    if not current:
        return snapshot(cluster, ds, number), old
    keep = max(current, key=_number)  # the last of the highest, as dedupCurHistories' >= keeps
    for dup in current:
        if dup is keep:
            continue
        for pod in pods():
            if (pod["metadata"].get("labels") or {}).get(HASH_LABEL) != keep["metadata"]["labels"][HASH_LABEL]:
                relabel = {"metadata": {"labels": {HASH_LABEL: keep["metadata"]["labels"][HASH_LABEL]}}}
                cluster.patch("v1", "Pod", md["namespace"], pod["metadata"]["name"], relabel)
        cluster.delete("apps/v1", "ControllerRevision", md["namespace"], dup["metadata"]["name"])
    if _number(keep) < number:
        keep = cluster.patch(
            "apps/v1", "ControllerRevision", md["namespace"], keep["metadata"]["name"], {"revision": number}
        )
    return keep, old


def snapshot(cluster: ClusterState, ds: dict[str, Any], number: int) -> dict[str, Any] | None:
    """kubernetes/kubernetes pkg/controller/daemon/update.go snapshot: a ControllerRevision named
    owner-name "-" ComputeHash of the template (the StatefulSet's revisions are named from their
    data instead: statefulset.py create_revision), labelled with the template's labels and the
    hash, carrying the DaemonSet's annotations, controlled by it, its data getPatch. A revision of
    that name already there that does not match is a hash collision: status.collisionCount goes up
    by one and this sync ends (None)."""
    md = ds["metadata"]
    template = (ds.get("spec") or {}).get("template") or {}
    # The count as the API server has it: upstream re-reads the DaemonSet and retries on a stale one.
    fresh = cluster.get("apps/v1", ds["kind"], md["namespace"], md["name"]) or ds
    collisions = (fresh.get("status") or {}).get("collisionCount")
    h = compute_hash(template, collisions)
    name = f"{md['name']}-{h}"
    there = cluster.get("apps/v1", "ControllerRevision", md["namespace"], name)
    if there is not None:
        if matches(ds, there):
            return there
        # UpdateStatus of that fresh read with the count raised: a 409 is the sync's error, requeued
        # (kubernetes/kubernetes pkg/controller/daemon/update.go snapshot: currDS from a Get,
        # updateErr returned).
        cluster.update_status_of(fresh, {"collisionCount": int(collisions or 0) + 1})
        return None
    labels = {**((template.get("metadata") or {}).get("labels") or {}), HASH_LABEL: h}
    return cluster.create(controller_revision(ds, name, labels, get_patch(ds), number))


def cleanup_history(
    cluster: ClusterState, ds: dict[str, Any], old: list[dict[str, Any]], pods: list[dict[str, Any]]
) -> None:
    """update.go cleanupHistory: past revisionHistoryLimit (default 10, pkg/apis/apps/v1/defaults.go
    SetDefaults_DaemonSet) the old revisions no pod is labelled with are deleted, lowest first."""
    limit = int((ds.get("spec") or {}).get("revisionHistoryLimit", 10))
    to_kill = len(old) - limit
    if to_kill <= 0:
        return
    live = {(p["metadata"].get("labels") or {}).get(HASH_LABEL) for p in pods}
    for rev in sorted(old, key=_number):
        if to_kill <= 0:
            break
        if (rev["metadata"].get("labels") or {}).get(HASH_LABEL) in live:
            continue
        cluster.delete("apps/v1", "ControllerRevision", ds["metadata"]["namespace"], rev["metadata"]["name"])
        to_kill -= 1
