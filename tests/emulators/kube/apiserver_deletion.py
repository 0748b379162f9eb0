"""The API server's deletion: finalizers, garbage collection, namespace teardown and graceful pod
deletion (part of ApiServer)."""

from __future__ import annotations

import contextlib
import datetime
import functools
import json
import threading
import time
from collections.abc import Callable
from typing import Any

from tests.emulators.kube.apiserver_common import (
    Ctx,
    clone,
    now_iso,
    obj_key,
)
from tests.emulators.kube.kubelet_termination import terminal_status
from tests.emulators.kube.resources import VIRTUAL_KINDS, ResourceType
from tests.emulators.kube.status import (
    ApiError,
    conflict,
    invalid,
)

# upstream: kubernetes/kubernetes pkg/registry/batch/job/storage/storage.go deleteOptionWarnings
JOB_ORPHAN_WARNING = (
    "child pods are preserved by default when jobs are deleted; "
    "set propagationPolicy=Background to remove them or set propagationPolicy=Orphan to suppress this warning"
)


class DeletionMixin:
    """ApiServer's delete, finalizers, garbage collection and graceful pod deletion."""

    # ---- deletion --------------------------------------------------------------------

    def delete(
        self,
        rt: ResourceType,
        version: str,
        namespace: str | None,
        name: str,
        ctx: Ctx,
        propagation: str | None = None,
        preconditions: dict[str, Any] | None = None,
        grace_period: int | None = None,
    ) -> tuple[int, dict[str, Any]]:
        """Returns (http status, body): the object while finalizers or a grace period hold it,
        else Status."""
        if propagation is not None and propagation not in ("Background", "Foreground", "Orphan"):
            raise invalid(
                "DeleteOptions.meta.k8s.io",
                "",
                "meta.k8s.io",
                "DeleteOptions",
                [
                    (
                        "FieldValueNotSupported",
                        "propagationPolicy",
                        f'Unsupported value: "{propagation}": supported values: "Foreground", "Background", "Orphan"',
                    )
                ],
            )
        with self.store.lock:
            entry = self.get_entry(rt, namespace, name)
            obj = entry.obj()
            md = obj["metadata"]
            pre = preconditions or {}
            if pre.get("uid") and pre["uid"] != md.get("uid"):
                raise conflict(
                    rt.group_resource,
                    name,
                    rt.group,
                    rt.plural,
                    f"Precondition failed: UID in precondition: {pre['uid']}, UID in object meta: {md.get('uid')}",
                )
            if pre.get("resourceVersion") and str(pre["resourceVersion"]) != str(entry.rv):
                raise conflict(
                    rt.group_resource,
                    name,
                    rt.group,
                    rt.plural,
                    f"Precondition failed: ResourceVersion in precondition: {pre['resourceVersion']}, "
                    f"ResourceVersion in object meta: {entry.rv}",
                )
            key = obj_key(namespace if rt.namespaced else None, name)
            grace = self._pod_grace(rt, obj, grace_period)
            if grace:
                return 200, self._delete_gracefully(rt, version, key, obj, grace, ctx)
            in_grace = bool(md.get("deletionGracePeriodSeconds"))
            if md.get("deletionTimestamp") and not in_grace:
                # already being deleted: a second DELETE changes nothing, its policy included
                # (upstream: kubernetes/kubernetes staging/src/k8s.io/apiserver/pkg/registry/rest/
                # delete.go BeforeDelete, pendingGraceful; registry/generic/registry/store.go Delete:
                # "finalizers cannot be updated via DeleteOptions if a deletion is already pending")
                return 200, self.serve_obj(rt, version, obj)
            if propagation is None:
                propagation = self._default_propagation(rt, version, md, ctx)
            # the request's policy replaces the collector's finalizers the object carries
            # (upstream: kubernetes/kubernetes staging/src/k8s.io/apiserver/pkg/registry/generic/
            # registry/store.go deletionFinalizersForGarbageCollection: "first remove both
            # finalizers, add them back if needed"), whether or not the object has dependents: the
            # collector removes foregroundDeletion once none blocks (garbagecollector.go
            # processDeletingDependentsItem)
            finalizers = [f for f in md.get("finalizers") or [] if f not in ("orphan", "foregroundDeletion")]
            if propagation == "Foreground":
                finalizers.append("foregroundDeletion")
            if propagation == "Orphan" and "orphan" not in finalizers:
                finalizers.append("orphan")
            if rt.kind == "Namespace":
                finalizers = [*finalizers, "kubernetes"] if "kubernetes" not in finalizers else finalizers
            if finalizers:
                if in_grace:
                    # the grace period is over (the kubelet's final delete): finalizers alone hold it now
                    md["deletionTimestamp"] = now_iso()
                md.setdefault("deletionTimestamp", now_iso())
                md["deletionGracePeriodSeconds"] = 0
                md["finalizers"] = finalizers
                if rt.kind == "Namespace":
                    obj.setdefault("status", {})["phase"] = "Terminating"
                if ctx.dry_run:
                    return 200, self.serve_obj(rt, version, obj)
                self.store.put(rt.key, key, obj)
                self._notify("MODIFIED", rt, version, obj, ctx)
                answer = self.serve_obj(rt, version, clone(obj))
                finalize = functools.partial(self._finalize_builtin, rt, version, namespace, name)
                if rt.kind == "Namespace":
                    # the namespace controller starts a moment later, as in a real cluster:
                    # deleting objects inside a terminating namespace still works meanwhile
                    self._retry_later(finalize, self.namespace_deletion_delay)
                    return 200, answer
            elif not ctx.dry_run:
                self.store.remove(rt.key, key, obj)
        if finalizers:
            # The server's own finalizers (foregroundDeletion, orphan) are the garbage
            # collector's work, done after the DELETE has answered (at once with synchronous_gc);
            # the answer is the object as the DELETE left it, as a real server returns it.
            if self.synchronous_gc:
                finalize()
            else:
                self._retry_later(finalize, 0.0)
            return 200, answer
        if ctx.dry_run:
            return 200, self._deleted_body(rt, version, obj)
        self._after_removal(rt, version, obj, ctx)
        return 200, self._deleted_body(rt, version, obj)

    def _default_propagation(self, rt: ResourceType, version: str, md: dict[str, Any], ctx: Ctx) -> str:
        """A DELETE that names no policy: the collector's finalizer the object already carries,
        else the resource's default, Orphan for batch/v1 Jobs (with the server's warning) and
        Background for the rest (upstream: kubernetes/kubernetes staging/src/k8s.io/apiserver/
        pkg/registry/generic/registry/store.go shouldOrphanDependents, shouldDeleteDependents;
        pkg/registry/batch/job/strategy.go DefaultGarbageCollectionPolicy: OrphanDependents for
        batch/v1 "for back compatibility"; pkg/registry/batch/job/storage/storage.go Delete,
        deleteOptionWarnings)."""
        for f in md.get("finalizers") or []:
            if f == "orphan":
                return "Orphan"
            if f == "foregroundDeletion":
                return "Foreground"
        if rt.group == "batch" and rt.kind == "Job" and version == "v1":
            ctx.warnings.append(JOB_ORPHAN_WARNING)
            return "Orphan"
        return "Background"

    def _deleted_body(self, rt: ResourceType, version: str, obj: dict[str, Any]) -> dict[str, Any]:
        if rt.crd or rt.kind in ("Pod", "Service", "Namespace", "CustomResourceDefinition"):
            return self.serve_obj(rt, version, obj)
        md = obj["metadata"]
        return {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Success",
            "details": {"name": md["name"], "group": rt.group, "kind": rt.plural, "uid": md.get("uid")},
        }

    def _after_removal(self, rt: ResourceType, version: str, obj: dict[str, Any], ctx: Ctx) -> None:
        uid = obj["metadata"].get("uid", "")
        if rt.kind == "CustomResourceDefinition":
            spec = obj.get("spec") or {}
            gone = self.registry.remove(spec.get("group", ""), (spec.get("names") or {}).get("plural", ""))
            if gone is not None:
                with self.store.lock:
                    b = self.store.buckets.get(gone.key)
                    keys = list(b.keys) if b else []
                for k in keys:
                    e = self.store.get(gone.key, k)
                    if e is not None:
                        self.store.remove(gone.key, k, e.obj())
        deps = self.store.dependents_of(uid)
        self._notify("DELETED", rt, version, obj, ctx)
        if deps:
            # the deleted node's dependents go to attemptToDelete (upstream: kubernetes/kubernetes
            # pkg/controller/garbagecollector/graph_builder.go processGraphChanges, deleteEvent)
            if self.synchronous_gc:
                self._collect(deps)
            else:
                self._retry_later(lambda: self._collect(self.store.dependents_of(uid)), self.gc_delay)

    def _collect_if_dangling(self, typ: str, rt: ResourceType, obj: dict[str, Any]) -> None:
        """An object written with an owner reference whose owner is gone (a controller's create
        racing its owner's delete, an update adding such a reference) is judged a moment later,
        as the collector's graph builder does for every add or update: an owner uid it has not
        observed becomes a "virtual" node that attemptToDelete looks up, and when the lookup
        answers 404 (or another uid) its dependents are judged (upstream: kubernetes/kubernetes
        pkg/controller/garbagecollector/graph_builder.go processGraphChanges, "virtual" owner
        nodes; garbagecollector.go attemptToDeleteItem, enqueueVirtualDeleteEvent)."""
        md = obj.get("metadata") or {}
        refs = md.get("ownerReferences")
        if typ == "DELETED" or not refs or md.get("deletionTimestamp"):
            return
        ns = md.get("namespace")
        if all(self._owner_state(r, ns, deep=False) != "dangling" for r in refs):
            return
        key = obj_key(ns if rt.namespaced else None, str(md.get("name", "")))
        uid = str(md.get("uid", ""))
        self._retry_later(lambda: self._attempt_to_delete(rt.key, key, uid), self.gc_delay)

    def _collect(self, deps: list[tuple[str, str]]) -> None:
        """Background garbage collection: judge each dependent of an owner that went."""
        for bucket, key in deps:
            self._attempt_to_delete(bucket, key)

    def _attempt_to_delete(self, bucket: str, key: str, uid: str = "") -> None:
        """The collector's judgement of one object (upstream: kubernetes/kubernetes
        pkg/controller/garbagecollector/garbagecollector.go attemptToDeleteItem): one being
        deleted is left to its deletion; with a solid owner only its references to dangling
        owners and to owners waiting for their dependents (foreground) are removed; with an owner
        waiting and dependents of its own it is deleted in the foreground; else (owners gone or
        waiting) it is deleted, the uid as precondition (deleteObject), Orphan or Foreground where
        its finalizers already ask for it, else Background. A reference whose kind the server does
        not serve is none of these (isDangling returns the lookup's error and the item is
        retried), so it keeps the object. An owner being deleted in the foreground is
        _finalize_builtin's loop (processDeletingDependentsItem)."""
        rt = self._rt_for_bucket(bucket)
        e = self.store.get(bucket, key)
        if rt is None or e is None or (uid and e.uid != uid):
            return
        obj = e.obj()
        md = obj["metadata"]
        refs = md.get("ownerReferences") or []
        if md.get("deletionTimestamp") or not refs:
            return
        ns = md.get("namespace")
        states = [self._owner_state(r, ns) for r in refs]
        if "solid" in states:
            gone = [r for r, s in zip(refs, states, strict=True) if s in ("dangling", "waiting")]
            if gone:
                self._drop_owner_refs(rt, obj, e.uid, gone)
            return
        if "unknown" in states:
            return
        fins = md.get("finalizers") or []
        policy = "Orphan" if "orphan" in fins else "Foreground" if "foregroundDeletion" in fins else "Background"
        if "waiting" in states and self.store.dependents_of(e.uid):
            policy = "Foreground"
        with contextlib.suppress(ApiError):
            self.delete(
                rt, rt.storage_version, ns, md["name"], Ctx(field_manager="garbage-collector"), policy, {"uid": e.uid}
            )

    def _drop_owner_refs(self, rt: ResourceType, obj: dict[str, Any], uid: str, gone: list[dict[str, Any]]) -> None:
        """Remove the dangling references of an object that keeps a solid owner (upstream:
        kubernetes/kubernetes pkg/controller/garbagecollector/garbagecollector.go
        attemptToDeleteItem, deleteOwnerRefJSONMergePatch; the patch carries the uid)."""
        md = obj["metadata"]
        keep = [r for r in md.get("ownerReferences") or [] if r not in gone]
        body = json.dumps({"metadata": {"uid": uid, "ownerReferences": keep}}).encode()
        with contextlib.suppress(ApiError):
            self.patch(
                rt,
                rt.storage_version,
                md.get("namespace"),
                md["name"],
                "application/merge-patch+json",
                body,
                Ctx(field_manager="garbage-collector"),
            )

    def _owner_state(self, ref: dict[str, Any], namespace: str | None, deep: bool = True) -> str:
        """ "solid", "waiting" (being deleted in the foreground), "dangling" (no object of that
        name, or one with another uid) or "unknown" (a kind the server does not serve, or a
        namespaced owner of a cluster-scoped object) (upstream: kubernetes/kubernetes
        pkg/controller/garbagecollector/garbagecollector.go isDangling, classifyReferences).
        Looked up by kind and name, then checked by uid, so no scan of the store; ``deep``
        False: "solid" for any owner that exists (no decoding of the owner)."""
        rt = self.registry.by_api_version_kind(str(ref.get("apiVersion", "")), str(ref.get("kind", "")))
        if rt is None or (rt.namespaced and not namespace):
            return "unknown"
        e = self.store.get(rt.key, obj_key(namespace if rt.namespaced else None, str(ref.get("name", ""))))
        if e is None or e.uid != ref.get("uid"):
            return "dangling"
        omd = e.obj()["metadata"] if deep else {}
        if omd.get("deletionTimestamp") and "foregroundDeletion" in (omd.get("finalizers") or []):
            return "waiting"
        return "solid"

    def _blocking_dependents(self, uid: str) -> bool:
        """Whether a dependent's reference to ``uid`` has blockOwnerDeletion: true (upstream:
        kubernetes/kubernetes pkg/controller/garbagecollector/graph.go blockingDependents)."""
        for bucket, dkey in self.store.dependents_of(uid):
            de = self.store.get(bucket, dkey)
            refs = (de.obj()["metadata"].get("ownerReferences") or []) if de is not None else []
            if any(r.get("uid") == uid and r.get("blockOwnerDeletion") is True for r in refs):
                return True
        return False

    def _rt_for_bucket(self, bucket: str) -> ResourceType | None:
        group, _, plural = bucket.partition("/")
        for rt in self.registry.all():
            if rt.group == group and rt.plural == plural:
                return rt
        return None

    def _finalize_builtin(self, rt: ResourceType, version: str, namespace: str | None, name: str) -> None:
        """The server-side finalizers: foregroundDeletion, orphan, and namespace contents."""
        key = obj_key(namespace if rt.namespaced else None, name)
        e = self.store.get(rt.key, key)
        if e is None:
            return
        obj = e.obj()
        md = obj["metadata"]
        fins = list(md.get("finalizers") or [])
        uid = md.get("uid", "")
        ctx = Ctx(field_manager="kube-controller-manager")
        if "orphan" in fins:
            for bucket, dkey in self.store.dependents_of(uid):
                drt = self._rt_for_bucket(bucket)
                de = self.store.get(bucket, dkey)
                if drt is None or de is None:
                    continue
                dobj = de.obj()
                dobj["metadata"]["ownerReferences"] = [
                    r for r in dobj["metadata"].get("ownerReferences") or [] if r.get("uid") != uid
                ]
                if not dobj["metadata"]["ownerReferences"]:
                    del dobj["metadata"]["ownerReferences"]
                with self.store.lock:
                    self.store.put(bucket, dkey, dobj)
            fins.remove("orphan")
        if "foregroundDeletion" in fins:
            # every dependent is judged (graph_builder.go processTransitions queues them all when
            # the owner starts waiting), but only those whose reference to it says
            # blockOwnerDeletion: true hold the owner (garbagecollector.go
            # processDeletingDependentsItem; graph.go blockingDependents)
            for bucket, dkey in self.store.dependents_of(uid):
                self._attempt_to_delete(bucket, dkey)
            if self._blocking_dependents(uid):
                # a blocking dependent is held by its own finalizers: look again shortly
                self._retry_later(lambda: self._finalize_builtin(rt, version, namespace, name), track=False)
                return
            fins.remove("foregroundDeletion")
        if rt.kind == "Namespace" and "kubernetes" in fins:
            remaining = 0
            for nrt in self.registry.all():
                if not nrt.namespaced or nrt.kind in VIRTUAL_KINDS:
                    continue
                entries, _, _ = self.store.page(nrt.key, f"{name}/", None, 0, None)
                for ent in entries:
                    emd = ent.obj()["metadata"]
                    remaining += 1
                    if emd.get("deletionTimestamp"):
                        continue
                    try:
                        self.delete(nrt, nrt.storage_version, name, emd["name"], ctx, "Background")
                    except ApiError:
                        continue
            if remaining:
                self._retry_later(lambda: self._finalize_builtin(rt, version, namespace, name), track=False)
                return
            fins.remove("kubernetes")
        with self.store.lock:
            e = self.store.get(rt.key, key)
            if e is None:
                return
            obj = e.obj()
            keep = [
                f
                for f in obj["metadata"].get("finalizers") or []
                if f in fins or f not in ("orphan", "foregroundDeletion", "kubernetes")
            ]
            if keep == (obj["metadata"].get("finalizers") or []):
                return
            obj["metadata"]["finalizers"] = keep
            if keep:
                self.store.put(rt.key, key, obj)
                self._notify("MODIFIED", rt, version, obj, ctx)
                return
            del obj["metadata"]["finalizers"]
            self.store.remove(rt.key, key, obj)
        self._after_removal(rt, version, obj, ctx)

    def _retry_later(self, fn: Callable[[], None], after: float = 0.05, track: bool = True) -> None:
        """Run ``fn`` on the collector thread after ``after`` seconds. Tracked work is what
        ``gc_idle`` waits for; polls for an object other finalizers hold are not (they may
        go on for as long as a test keeps the finalizer)."""
        if not track:
            t = threading.Timer(after, lambda: self._gc_queue.put(fn))
            t.daemon = True
            t.start()
            return
        with self._pending_cond:
            self._pending += 1

        def run() -> None:
            try:
                fn()
            finally:
                with self._pending_cond:
                    self._pending -= 1
                    self._pending_cond.notify_all()

        t = threading.Timer(after, lambda: self._gc_queue.put(run))
        t.daemon = True
        t.start()

    def _gc_loop(self) -> None:
        while True:
            fn = self._gc_queue.get()
            if fn is None:
                return
            try:
                fn()
            except Exception:
                continue

    def gc_idle(self, timeout: float = 2.0) -> None:
        """Wait until garbage collection, namespace cleanup and the simulated kubelet's pod
        removals scheduled so far have run, and the namespace controllers' queue (for tests; upstream:
        kubernetes/kubernetes pkg/controller/serviceaccount/serviceaccounts_controller.go)."""
        end = time.monotonic() + timeout
        self.namespace_defaults.wait_idle(timeout)
        with self._pending_cond:
            while self._pending and time.monotonic() < end:
                self._pending_cond.wait(max(0.0, end - time.monotonic()))
        done = threading.Event()
        self._gc_queue.put(done.set)
        done.wait(max(0.0, end - time.monotonic()))

    # ---- graceful deletion -------------------------------------------------------------

    def _pod_grace(self, rt: ResourceType, obj: dict[str, Any], requested: int | None) -> int:
        """The grace period of a pod's deletion, as the pod strategy decides it
        (kubernetes/kubernetes pkg/registry/core/pod/strategy.go CheckGracefulDelete): the
        request's gracePeriodSeconds, else spec.terminationGracePeriodSeconds (default 30);
        0 for a pod never scheduled or already finished. Other kinds have none."""
        if rt.kind != "Pod":
            return 0
        spec = obj.get("spec") or {}
        phase = (obj.get("status") or {}).get("phase")
        if not spec.get("nodeName") or phase in ("Succeeded", "Failed"):
            return 0
        grace = requested if requested is not None else spec.get("terminationGracePeriodSeconds", 30)
        return max(int(grace), 0)

    def _delete_gracefully(
        self, rt: ResourceType, version: str, key: str, obj: dict[str, Any], grace: int, ctx: Ctx
    ) -> dict[str, Any]:
        """Mark the pod (deletionTimestamp = now + grace) and let the simulated kubelet remove
        it when its containers have stopped; a later DELETE may only shorten the grace period
        (staging/src/k8s.io/apiserver/pkg/registry/rest/delete.go BeforeDelete). Caller holds
        the store lock."""
        md = obj["metadata"]
        current = md.get("deletionGracePeriodSeconds")
        if md.get("deletionTimestamp") and current is not None and current <= grace:
            return self.serve_obj(rt, version, obj)
        when = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=grace)
        md["deletionTimestamp"] = when.strftime("%Y-%m-%dT%H:%M:%SZ")
        md["deletionGracePeriodSeconds"] = grace
        if ctx.dry_run:
            return self.serve_obj(rt, version, obj)
        self.store.put(rt.key, key, obj)
        self._notify("MODIFIED", rt, version, obj, ctx)
        uid = md.get("uid")
        namespace, name = md.get("namespace"), md["name"]
        stop = grace if self.pod_shutdown_seconds is None else min(float(grace), self.pod_shutdown_seconds)

        def kubelet_confirms() -> None:
            e = self.store.get(rt.key, key)
            if e is None or e.uid != uid:
                return
            kubelet = Ctx(user="system:node", field_manager="kubelet")
            final = terminal_status(e.obj())
            if final is not None:
                # the kubelet writes the terminal phase before it confirms the deletion
                # (kubelet_termination.py; upstream: kubernetes/kubernetes pkg/kubelet/status/status_manager.go)
                with contextlib.suppress(ApiError):
                    body = json.dumps({"status": final}).encode()
                    self.patch(
                        rt, version, namespace, name, "application/merge-patch+json", body, kubelet, None, "status"
                    )
            with contextlib.suppress(ApiError):
                self.delete(
                    rt, version, namespace, name, Ctx(user="system:node", field_manager="kubelet"), None, None, 0
                )

        self._retry_later(kubelet_confirms, stop)
        return self.serve_obj(rt, version, clone(obj))

    def shutdown(self) -> None:
        self._gc_queue.put(None)
        self.namespace_defaults.stop()
        self.store.close_all_watchers()
        with self.logs_cond:
            self.logs_cond.notify_all()

    def delete_collection(
        self,
        rt: ResourceType,
        version: str,
        namespace: str | None,
        label_selector: str | None,
        field_selector: str | None,
        ctx: Ctx,
        propagation: str | None,
    ) -> dict[str, Any]:
        match = self.matcher(rt, label_selector, field_selector)
        prefix = f"{namespace}/" if rt.namespaced and namespace else ""
        entries, _, _ = self.store.page(rt.key, prefix, None, 0, match)
        items = []
        for e in entries:
            md = json.loads(e.raw)["metadata"]
            try:
                _, body = self.delete(rt, version, md.get("namespace"), md["name"], ctx, propagation)
            except ApiError as exc:
                if exc.code == 404:
                    continue
                raise
            items.append(body)
        return {
            "kind": f"{rt.kind}List",
            "apiVersion": rt.api_version(version),
            "metadata": {"resourceVersion": str(self.store.rv)},
            "items": items,
        }
