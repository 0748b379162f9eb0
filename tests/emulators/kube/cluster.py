"""The test-side view of the emulator's state (``emu.cluster``): what tests and controllers
use to seed, read and move objects without going through HTTP. Thread-safe."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from tests.emulators.kube import binding
from tests.emulators.kube.apiserver import ApiServer, Ctx, now_iso
from tests.emulators.kube.event_correlator import EventCorrelator
from tests.emulators.kube.patches import create_merge_patch, merge_patch, two_way_merge_patch
from tests.emulators.kube.status import ApiError
from tests.emulators.kube.typeinfo import builtin_root

T = TypeVar("T")
# client-go's DefaultRetry: five tries (upstream: kubernetes/client-go util/retry/util.go
# DefaultRetry Steps 5, RetryOnConflict). Its 10ms waits are left out: the emulator's writes are
# atomic under the store's lock, so the writer that won has finished before the retry reads again.
RETRY_STEPS = 5
# The field manager of a write a test makes (emulator-only). No simulator writes as it: a
# controller's write without a manager of its own is refused (ClusterState._ctx).
TEST_MANAGER = "emulator-test"
# The kubelet's client sends its binary's user agent, "kubelet/<version> ...", so its writes are
# the manager "kubelet"; kube-controller-manager's controllers add their own name after its
# binary's ("kube-controller-manager/<version> .../<controller>": kubernetes/kubernetes
# staging/src/k8s.io/client-go/rest/config.go DefaultKubernetesUserAgent, AddUserAgent), so theirs
# are "kube-controller-manager".
KUBELET = "kubelet"
KUBE_CONTROLLER_MANAGER = "kube-controller-manager"
# kube-scheduler's client: kubernetes/kubernetes cmd/kube-scheduler/app/options/options.go
# createClients, clientset.NewForConfig(restclient.AddUserAgent(kubeConfig, "scheduler")), i.e.
# "kube-scheduler/<version> .../scheduler" (client-go rest/config.go AddUserAgent keeps the binary's
# name first), so its status writes (PodScheduled, nominatedNodeName) and binds are "kube-scheduler".
KUBE_SCHEDULER = "kube-scheduler"

_origin = threading.local()


def current_origin() -> object | None:
    return getattr(_origin, "controller", None)


def retry_on_conflict(write: Callable[[], T]) -> T:
    """Run ``write`` (which reads, changes and writes with the resourceVersion it read) again while
    the API server answers 409 Conflict, at most RETRY_STEPS times; the last conflict, or any other
    error, is raised (upstream: kubernetes/client-go util/retry/util.go RetryOnConflict, OnError;
    kubernetes/apimachinery pkg/api/errors/errors.go IsConflict is the reason Conflict)."""
    for attempt in range(RETRY_STEPS):
        try:
            return write()
        except ApiError as exc:
            if exc.reason != "Conflict" or attempt == RETRY_STEPS - 1:
                raise
    raise AssertionError("unreachable")


def omit_empty(value: Any) -> Any:
    """``value`` without its None members, at any depth: a Go client's typed object, whose
    omitempty fields are absent from the body it sends (what a merge patch's null removes)."""
    if isinstance(value, dict):
        return {k: omit_empty(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [omit_empty(v) for v in value]
    return value


class OriginScope:
    """Marks writes made on this thread as coming from ``controller``."""

    def __init__(self, controller: object) -> None:
        self.controller = controller
        self.previous: object | None = None

    def __enter__(self) -> None:
        self.previous = current_origin()
        _origin.controller = self.controller

    def __exit__(self, *exc: object) -> None:
        _origin.controller = self.previous


class ClusterState:
    def __init__(self, api: ApiServer) -> None:
        self.api = api
        self.events = EventCorrelator()

    def _ctx(self, manager: str | None = None) -> Ctx:
        """A write as ``manager``, else as the controller that makes it (its ``field_manager``: the
        name its real binary's writes get, the user agent's text before the first "/"; upstream:
        kubernetes/kubernetes staging/src/k8s.io/apiserver/pkg/endpoints/handlers/create.go
        managerOrUserAgent, prefixFromUserAgent, mirrored as kubernetes/apiserver 24a394e5), else
        as a test (``emulator-test``, only where no controller makes the write: a simulator that names
        no manager is an emulator defect, refused here)."""
        origin = current_origin()
        if origin is None:
            manager = manager or TEST_MANAGER
        else:
            manager = manager or getattr(origin, "field_manager", None)
            if not manager:
                raise AssertionError(f"{type(origin).__name__} writes with no field_manager (its binary's)")
        return Ctx(user="system:admin", field_manager=manager, origin=origin, keep_status=True)

    def _rt_version(self, api_version: str, kind: str) -> tuple[Any, str]:
        rt = self.api.rt(api_version, kind)
        return rt, api_version.rpartition("/")[2]

    def get(self, api_version: str, kind: str, namespace: str | None, name: str) -> dict[str, Any] | None:
        rt, version = self._rt_version(api_version, kind)
        e = self.api.store.get(rt.key, f"{namespace}/{name}" if rt.namespaced else name)
        return self.api.serve_obj(rt, version, e.obj()) if e else None

    def list(
        self, api_version: str, kind: str, namespace: str | None = None, label_selector: str | None = None
    ) -> list[dict[str, Any]]:
        rt, version = self._rt_version(api_version, kind)
        entries, _, _, _ = self.api.list_entries(rt, namespace, label_selector, None, 0, None)
        return [self.api.serve_obj(rt, version, e.obj()) for e in entries]

    def create(self, obj: dict[str, Any], manager: str | None = None) -> dict[str, Any]:
        """Create as a test or controller would (as ``manager``, see _ctx); .status is kept (seed
        nodes, pods)."""
        rt, version = self._rt_version(obj["apiVersion"], obj["kind"])
        ns = (obj.get("metadata") or {}).get("namespace") if rt.namespaced else None
        if rt.namespaced and not ns:
            ns = "default"
        return self.api.create(rt, version, ns, obj, self._ctx(manager))

    def apply(self, obj: dict[str, Any], manager: str | None = None, force: bool = True) -> dict[str, Any]:
        rt, version = self._rt_version(obj["apiVersion"], obj["kind"])
        md = obj.get("metadata") or {}
        ns = (md.get("namespace") or "default") if rt.namespaced else None
        return self.api.apply(rt, version, ns, md["name"], obj, self._ctx(manager), force)

    def update(self, obj: dict[str, Any]) -> dict[str, Any]:
        rt, version = self._rt_version(obj["apiVersion"], obj["kind"])
        md = obj["metadata"]
        ns = md.get("namespace") if rt.namespaced else None
        out = dict(obj)
        out["metadata"] = {k: v for k, v in md.items() if k != "resourceVersion"}
        ctx = self._ctx()
        # Unconditional, as a controller's read-then-write stands in for: the API server refuses an
        # unconditional update of a custom resource (upstream: kubernetes/kubernetes
        # staging/src/k8s.io/apiextensions-apiserver/pkg/registry/customresource/strategy.go
        # AllowUnconditionalUpdate), which the emulator's HTTP side keeps (apiserver_writes.update).
        updated = self.api.update(rt, version, ns, md["name"], out, ctx, unconditional=True)
        if "status" in obj and rt.status:
            updated = self.api.update(
                rt,
                version,
                ns,
                md["name"],
                {
                    **updated,
                    "status": obj["status"],
                    "metadata": {k: v for k, v in updated["metadata"].items() if k != "resourceVersion"},
                },
                ctx,
                subresource="status",
                unconditional=True,
            )
        return updated

    def update_of(self, obj: dict[str, Any], manager: str | None = None) -> dict[str, Any]:
        """A controller's Update (PUT) of ``obj`` as its reconcile read it, with its resourceVersion
        (as ``manager``, where the client names its own: upstream kubernetes-sigs/controller-runtime
        pkg/client/options.go FieldOwner):
        409 Conflict where another writer came between the read and this write (upstream:
        kubernetes/kubernetes staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go
        Update's precondition; kubernetes-sigs/controller-runtime pkg/client/typed_client.go Update).
        The status is left as stored where the kind has a status subresource."""
        rt, version = self._rt_version(obj["apiVersion"], obj["kind"])
        md = obj["metadata"]
        if not md.get("resourceVersion"):
            raise ValueError("update_of needs the resourceVersion the object was read at")
        ns = md.get("namespace") if rt.namespaced else None
        return self.api.update(rt, version, ns, md["name"], obj, self._ctx(manager))

    def get_scale(self, api_version: str, kind: str, namespace: str | None, name: str) -> dict[str, Any]:
        """The object's Scale, as a controller's scale client Gets ``.../NAME/scale`` (client-go
        staging/src/k8s.io/client-go/scale/client.go in kubernetes/kubernetes; ApiError 404 where the object is
        gone)."""
        rt, version = self._rt_version(api_version, kind)
        if rt.scale is None:
            raise ApiError(404, "the server could not find the requested resource", "NotFound")
        return self.api.get_scale(rt, version, namespace if rt.namespaced else None, name)

    def update_scale(self, api_version: str, kind: str, scale: dict[str, Any]) -> dict[str, Any]:
        """The scale client's Update (PUT ``.../NAME/scale``) of ``scale`` as read, with its
        resourceVersion: 409 Conflict where the object changed since (apiserver_scale.py)."""
        rt, version = self._rt_version(api_version, kind)
        md = scale["metadata"]
        if rt.scale is None:
            raise ApiError(404, "the server could not find the requested resource", "NotFound")
        ns = md.get("namespace") if rt.namespaced else None
        return self.api.update_scale(rt, version, ns, md["name"], lambda _old: scale, self._ctx(), md.get("uid"))

    def update_status(self, obj: dict[str, Any], manager: str | None = None) -> dict[str, Any]:
        """UpdateStatus (a controller-runtime client's Status().Update) of ``obj`` as read, with its
        resourceVersion: 409 Conflict where another writer came between the read and this write, so
        nothing it wrote is lost (upstream: kubernetes/kubernetes staging/src/k8s.io/apiserver/pkg/
        registry/generic/registry/store.go Update, the resourceVersion precondition; wrap the read
        and this call in retry_on_conflict, or requeue, as the controller does)."""
        rt, version = self._rt_version(obj["apiVersion"], obj["kind"])
        md = obj["metadata"]
        if not md.get("resourceVersion"):
            raise ValueError("update_status needs the resourceVersion the object was read at")
        ns = md.get("namespace") if rt.namespaced else None
        return self.api.update(rt, version, ns, md["name"], obj, self._ctx(manager), subresource="status")

    def update_status_of(
        self, obj: dict[str, Any], fields: dict[str, Any], manager: str | None = None
    ) -> dict[str, Any]:
        """A controller's Status().Update of ``obj`` as its reconcile read it, with ``fields`` set in
        its status (None removes one, as Go's omitempty leaves it out): 409 Conflict where another
        writer came between, which ends the reconcile and requeues it (the runner), and the next
        reconcile computes the status again from a fresh read. ``obj`` takes the answer in place,
        as a controller-runtime client fills the object it was given, so a second write in one
        reconcile carries the new resourceVersion (upstream: kubernetes-sigs/controller-runtime
        pkg/client/typed_client.go UpdateSubResource, Into(obj); kubernetes/kubernetes
        staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go Update's precondition)."""
        status = merge_patch(obj.get("status") or {}, fields)
        updated = dict(self.update_status({**obj, "status": status}, manager))
        obj.clear()
        obj.update(updated)
        return updated

    def update_status_again(self, obj: dict[str, Any], fields: dict[str, Any], tries: int) -> dict[str, Any]:
        """update_status_of ``obj`` as read; on a 409 Get it afresh and send the same ``fields`` over
        that read, ``tries`` writes in all, the last conflict raised (the sync's error, which requeues):
        the status a sync computed is written again rather than computed again (upstream:
        kubernetes/kubernetes pkg/controller/replicaset/replica_set_utils.go updateReplicaSetStatus,
        statusUpdateRetries 1, so two writes; pkg/controller/statefulset/stateful_set_status_updater.go
        UpdateStatefulSetStatus, retry.RetryOnConflict with DefaultRetry). Upstream sets the whole
        status; ``fields`` is merged over the one read, which is the same for every field a sync sets."""
        md = obj["metadata"]
        current = obj
        for attempt in range(tries):
            try:
                return self.update_status_of(current, fields)
            except ApiError as exc:
                if exc.reason != "Conflict" or attempt == tries - 1:
                    raise
            fresh = self.get(obj["apiVersion"], obj["kind"], md.get("namespace"), md["name"])
            if fresh is None:
                raise ApiError(404, f'{obj["kind"]} "{md["name"]}" not found')
            current = fresh
        raise AssertionError("unreachable")

    def patch_status_locked(self, obj: dict[str, Any], status: dict[str, Any]) -> dict[str, Any]:
        """Status().Patch with client.MergeFromWithOptimisticLock of ``obj`` as read: a JSON merge
        patch of ``status`` carrying the read resourceVersion, so it is 409 Conflict where another
        writer came between (a merge patch replaces a list whole; the lock keeps a condition list
        written from a stale read from overwriting another writer's). Upstream:
        kubernetes-sigs/controller-runtime pkg/client/patch.go mergeFromPatch (optimisticLock sets
        metadata.resourceVersion), kubernetes-sigs/karpenter pkg/controllers/nodeclaim/disruption/
        controller.go Reconcile."""
        md = obj["metadata"]
        if not md.get("resourceVersion"):
            raise ValueError("patch_status_locked needs the resourceVersion the object was read at")
        body = {"metadata": {"resourceVersion": md["resourceVersion"]}, "status": status}
        return self._merge_patch(obj["apiVersion"], obj["kind"], md.get("namespace"), md["name"], body, to_status=True)

    def patch_status_from(self, obj: dict[str, Any], status: dict[str, Any], lock: bool) -> dict[str, Any] | None:
        """Status().Patch with client.MergeFrom(stored) of ``obj`` as read: the JSON merge patch from
        its status to ``status`` (only what changed; a condition list whole), None where nothing did;
        ``lock`` (MergeFromWithOptimisticLock) adds the read resourceVersion, so a writer that came
        between makes it 409 Conflict. Upstream: kubernetes-sigs/controller-runtime pkg/client/patch.go
        mergeFromPatch.Data (CreateMergePatch of the two objects, then the resourceVersion)."""
        diff = create_merge_patch(obj.get("status") or {}, status)
        if not diff:
            return None
        if lock:
            return self.patch_status_locked(obj, diff)
        md = obj["metadata"]
        return self.patch_status(obj["apiVersion"], obj["kind"], md.get("namespace"), md["name"], diff)

    def patch_pod_status(
        self, pod: dict[str, Any], status: dict[str, Any], manager: str | None = None
    ) -> dict[str, Any]:
        """The kubelet's status write: ``status`` (the fields it sets) over the status of ``pod`` as
        read, sent as the strategic merge patch between the two with the pod's uid as precondition,
        so a condition or container status another writer changed since the read is kept; nothing
        is sent where nothing changed (upstream: kubernetes/kubernetes pkg/util/pod/pod.go
        PatchPodStatus, preparePatchBytesForPodStatus; pkg/kubelet/status/status_manager.go
        syncPod). ``manager``: another writer than the kubelet that patches the same way."""
        return self._status_diff("Pod", pod, status, {"uid": pod["metadata"].get("uid")}, manager or KUBELET)

    def patch_node_status(self, node: dict[str, Any], status: dict[str, Any]) -> dict[str, Any]:
        """The kubelet's node status write: as patch_pod_status, with no uid (upstream:
        kubernetes/kubernetes pkg/util/node/node.go PatchNodeStatus, preparePatchBytesforNodeStatus;
        a capacity or allocatable key, a condition type, the kubelet did not change is not sent)."""
        return self._status_diff("Node", node, status, {}, KUBELET)

    def _status_diff(
        self, kind: str, obj: dict[str, Any], status: dict[str, Any], meta: dict[str, Any], manager: str
    ) -> dict[str, Any]:
        """The strategic merge patch from ``obj``'s status as read to it with ``status``'s fields
        set (kubernetes/apimachinery pkg/util/strategicpatch/patch.go CreateTwoWayMergePatch)."""
        md = obj["metadata"]
        old = obj.get("status") or {}
        new = {**old, **status}
        if "conditions" in status:
            # conditions the writer does not name stay as read: the kubelet keeps those it does not
            # own (kubernetes/kubernetes pkg/kubelet/status/status_manager.go mergePodStatus), other
            # writers set one condition (pkg/api/v1/pod/util.go UpdatePodCondition)
            given = {c.get("type"): c for c in status["conditions"]}
            kept = [given.pop(c.get("type"), c) for c in old.get("conditions") or []]
            new["conditions"] = kept + [c for c in status["conditions"] if c.get("type") in given]
        diff = two_way_merge_patch(old, new, builtin_root("", "v1", kind).child("status"))
        if not diff:
            return obj
        body = {**({"metadata": meta} if meta else {}), "status": diff}
        return self._patch(
            "v1", kind, md.get("namespace"), md["name"], "application/strategic-merge-patch+json", body, True, manager
        )

    def patch_status(
        self,
        api_version: str,
        kind: str,
        namespace: str | None,
        name: str,
        status: dict[str, Any],
        manager: str | None = None,
    ) -> dict[str, Any]:
        """Merge ``status`` into .status (JSON merge patch semantics: lists replace), as ``manager``."""
        return self._merge_patch(
            api_version, kind, namespace, name, {"status": status}, to_status=True, manager=manager
        )

    def patch(
        self,
        api_version: str,
        kind: str,
        namespace: str | None,
        name: str,
        patch: dict[str, Any],
        manager: str | None = None,
    ) -> dict[str, Any]:
        """A JSON merge patch as ``manager`` (its managedFields entry, as a client whose user agent
        starts ``<manager>/`` gets; upstream: kubernetes/apiserver pkg/endpoints/handlers/create.go
        managerOrUserAgent)."""
        return self._merge_patch(api_version, kind, namespace, name, patch, to_status=False, manager=manager)

    def bind(self, namespace: str, name: str, node: str) -> dict[str, Any]:
        """kube-scheduler's bind: POST pods/NAME/binding with the pod's uid as its precondition
        (kubernetes/kubernetes pkg/scheduler/framework/plugins/defaultbinder/default_binder.go Bind),
        served as binding.py does the request: spec.nodeName and PodScheduled True written at once,
        with no managedFields entry. The bound pod."""
        pod = self.api.get_entry(self.api.rt("v1", "Pod"), namespace, name).obj()
        uid = str(pod["metadata"].get("uid") or "")
        return binding.assign(self.api, namespace, name, node, {}, uid, "", self._ctx(KUBE_SCHEDULER))

    def json_patch(
        self,
        api_version: str,
        kind: str,
        namespace: str | None,
        name: str,
        ops: list[dict[str, Any]],
        manager: str | None = None,
    ) -> dict[str, Any]:
        """An RFC 6902 JSON patch of the object, applied whole or not at all (a failed ``test``
        is the API server's 422; upstream: kubernetes/apiserver pkg/endpoints/handlers/patch.go
        jsonPatcher)."""
        return self._patch(
            api_version, kind, namespace, name, "application/json-patch+json", ops, to_status=False, manager=manager
        )

    def _merge_patch(
        self,
        api_version: str,
        kind: str,
        namespace: str | None,
        name: str,
        patch: dict[str, Any],
        to_status: bool,
        manager: str | None = None,
    ) -> dict[str, Any]:
        """A JSON merge patch of the object, or of its status subresource where the kind has one
        (RFC 7386, as kube-apiserver applies application/merge-patch+json; upstream:
        kubernetes/kubernetes staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go)."""
        return self._patch(
            api_version, kind, namespace, name, "application/merge-patch+json", patch, to_status, manager
        )

    def _patch(
        self,
        api_version: str,
        kind: str,
        namespace: str | None,
        name: str,
        content_type: str,
        body: Any,
        to_status: bool,
        manager: str | None = None,
    ) -> dict[str, Any]:
        rt, version = self._rt_version(api_version, kind)
        return self.api.patch(
            rt,
            version,
            namespace if rt.namespaced else None,
            name,
            content_type,
            json.dumps(body).encode(),
            self._ctx(manager),
            subresource="status" if to_status and rt.status else None,
        )

    def delete(
        self, api_version: str, kind: str, namespace: str | None, name: str, propagation: str = "Background"
    ) -> None:
        rt, version = self._rt_version(api_version, kind)
        try:
            self.api.delete(rt, version, namespace if rt.namespaced else None, name, self._ctx(), propagation)
        except ApiError as exc:
            if exc.code != 404:
                raise

    def remove_finalizers(self, api_version: str, kind: str, namespace: str | None, name: str) -> None:
        self.patch(api_version, kind, namespace, name, {"metadata": {"finalizers": None}})

    def set_pod_logs(self, namespace: str, pod: str, text: str, container: str | None = None) -> None:
        self.api.set_logs(namespace, pod, container or self._default_container(namespace, pod), text)

    def append_pod_logs(self, namespace: str, pod: str, text: str, container: str | None = None) -> None:
        self.api.set_logs(namespace, pod, container or self._default_container(namespace, pod), text, append=True)

    def write_pod_log(
        self, pod: dict[str, Any] | None, text: str, container: str | None = None, append: bool = False
    ) -> bool:
        """What a running container of ``pod``, as a controller read it, writes to its log (its
        first container unless ``container``). A pod read as gone (None), deleted since the read, or
        replaced by a new pod of its name (a StatefulSet's) has no log to write to: the kubelet
        removes a container's log with the container (upstream: kubernetes/kubernetes
        pkg/kubelet/kuberuntime/kuberuntime_container.go removeContainer, removeContainerLog), and a
        new pod's containers start logs of their own. Such a write, a race between the controller
        and the pod's deletion, is dropped (False). A pod never there is the caller's error: use
        set_pod_logs, which raises."""
        if pod is None:
            return False
        md = pod["metadata"]
        live = self.get("v1", "Pod", md["namespace"], md["name"])
        if live is None or live["metadata"].get("uid") != md.get("uid"):
            return False
        name = container or str(pod["spec"]["containers"][0]["name"])
        self.api.set_logs(md["namespace"], md["name"], name, text, append=append)
        return True

    def _default_container(self, namespace: str, pod: str) -> str:
        p = self.get("v1", "Pod", namespace, pod)
        containers = ((p or {}).get("spec") or {}).get("containers") or []
        if not containers:
            raise KeyError(f"pod {namespace}/{pod} not found or has no containers; pass container=")
        return str(containers[0]["name"])

    def add_event(
        self,
        involved_obj: dict[str, Any],
        reason: str,
        message: str,
        type: str = "Normal",
        component: str = "akscli-emulator",
    ) -> dict[str, Any]:
        # ``component`` is the recorder's EventSource, written as source.component and
        # reportingComponent (upstream: kubernetes/client-go tools/record/event.go makeEvent;
        # Karpenter's recorder reports "karpenter", kubernetes-sigs/karpenter pkg/events).
        md = involved_obj.get("metadata") or {}
        ns = md.get("namespace") or "default"
        t = now_iso()
        ev = {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"generateName": f"{md.get('name', 'event')}.", "namespace": ns},
            "involvedObject": {
                "apiVersion": involved_obj.get("apiVersion"),
                "kind": involved_obj.get("kind"),
                "name": md.get("name"),
                "namespace": md.get("namespace"),
                "uid": md.get("uid"),
                "resourceVersion": md.get("resourceVersion"),
            },
            "reason": reason,
            "message": message,
            "type": type,
            "count": 1,
            "firstTimestamp": t,
            "lastTimestamp": t,
            "source": {"component": component},
            "reportingComponent": component,
        }
        # client-go's EventCorrelator: a repeat is the same Event, counted (event_correlator.py; upstream:
        # kubernetes/client-go tools/record/events_cache.go, event.go recordEvent).
        ev, key = self.events.aggregate(ev)
        last = self.events.last(key)
        stored = None
        if last is not None:
            name, namespace, first, count = last
            change = {"count": int(count or 0) + 1, "lastTimestamp": t, "message": ev["message"]}
            if not self.events.allow(ev):
                # the spam filter skips it, counted (event_correlator.py; upstream: kubernetes/client-go
                # tools/record/events_cache.go EventCorrelate); nothing is written
                self.events.observe(key, name, namespace, first, change["count"])
                return dict(ev, count=change["count"], firstTimestamp=first)
            try:
                stored = self.patch("v1", "Event", namespace, name, change, manager=component) if name else None
            except ApiError as exc:
                if exc.code != 404:
                    raise
            if stored is None:
                ev = dict(ev, count=change["count"], firstTimestamp=first)  # recordEvent: create it again
        elif not self.events.allow(ev):
            self.events.observe(key, None, ns, t, 1)
            return ev
        if stored is None:
            stored = self.create(ev)
        self.events.observed(key, stored)
        return stored
