"""Adding and removing an operator's finalizer as controller-runtime's clients do, shared by the
simulators (KAITO, KubeRay, KubeFleet).

upstream: kubernetes-sigs/controller-runtime pkg/controller/controllerutil/controllerutil.go
AddFinalizer / RemoveFinalizer: the operators change the list in their copy and write it back
with Update or a merge patch (client.MergeFrom), which fail on a conflict and are requeued.
"""

from __future__ import annotations

from typing import Any

from tests.emulators.kube.status import ApiError


def add_finalizer(cluster: Any, obj: dict[str, Any], finalizer: str, manager: str | None = None) -> bool:
    """False where ``obj`` changed since it was read (the write's 409: the caller requeues).
    ``manager``: the binary that writes it, where the simulator calling makes another's write (the
    field manager a binary's user agent gives, cluster.py: kubernetes/kubernetes
    staging/src/k8s.io/client-go/rest/config.go DefaultKubernetesUserAgent)."""
    md = obj["metadata"]
    finalizers = list(md.get("finalizers") or [])
    if finalizer in finalizers:
        return True
    # The whole list, as a merge patch sends it; the resourceVersion makes it fail, not overwrite,
    # where the object changed since the read (a delete that came between: its own reconcile follows).
    patch = {
        "metadata": {
            "finalizers": [*finalizers, finalizer],
            **({"resourceVersion": md["resourceVersion"]} if md.get("resourceVersion") else {}),
        }
    }
    try:
        cluster.patch(obj["apiVersion"], obj["kind"], md.get("namespace"), md["name"], patch, manager=manager)
    except ApiError as exc:
        if exc.code != 409:
            raise
        return False
    return True


def remove_finalizer(cluster: Any, obj: dict[str, Any], finalizer: str, manager: str | None = None) -> None:
    """RemoveFinalizer by index under a JSON patch ``test``, re-read on a miss: the API server's
    garbage collector (foregroundDeletion) and other controllers edit the same list, and the
    operators retry on a conflict rather than overwrite it."""
    api_version, kind, md = obj["apiVersion"], obj["kind"], obj["metadata"]
    for _ in range(5):
        current = cluster.get(api_version, kind, md.get("namespace"), md["name"])
        finalizers = list(((current or {}).get("metadata") or {}).get("finalizers") or [])
        if current is None or finalizer not in finalizers:
            return
        at = f"/metadata/finalizers/{finalizers.index(finalizer)}"
        try:
            cluster.json_patch(
                api_version,
                kind,
                md.get("namespace"),
                md["name"],
                [{"op": "test", "path": at, "value": finalizer}, {"op": "remove", "path": at}],
                manager=manager,
            )
            return
        except ApiError as exc:
            if exc.code == 404:
                return
            if exc.code not in (409, 422):
                raise


def remove_finalizer_by_update(cluster: Any, obj: dict[str, Any], finalizer: str, tries: int) -> None:
    """controllerutil.RemoveFinalizer (every copy of it) and an Update (PUT) of ``obj`` as read, with
    its resourceVersion; a 409 is read afresh and written again, ``tries`` writes in all, the last
    conflict raised (the caller's error: requeued). An object gone, or no longer holding the
    finalizer, is done. As the KubeFleet scheduler removes its binding finalizer (upstream:
    kubefleet-dev/kubefleet e160c1cd pkg/scheduler/framework/framework.go removeFinalizerAndUpdate
    under updateBindings' retry.OnError(DefaultBackoff, IsConflict) with a fresh Get)."""
    md = obj["metadata"]
    current: dict[str, Any] | None = obj
    for attempt in range(tries):
        if current is None:
            return
        finalizers = list((current.get("metadata") or {}).get("finalizers") or [])
        if finalizer not in finalizers:
            return
        kept = [f for f in finalizers if f != finalizer]
        try:
            cluster.update_of({**current, "metadata": {**current["metadata"], "finalizers": kept}})
            return
        except ApiError as exc:
            if exc.code == 404:
                return
            if exc.reason != "Conflict" or attempt == tries - 1:
                raise
        current = cluster.get(obj["apiVersion"], obj["kind"], md.get("namespace"), md["name"])


def has_finalizer(obj: dict[str, Any], finalizer: str) -> bool:
    return finalizer in ((obj.get("metadata") or {}).get("finalizers") or [])
