"""The scale generator's DaemonSets at steady state: each made with the pods its controller keeps,
one on every node it should run on, as a cluster of that size has them long before anyone runs a
command against it.

A DaemonSet created through ``create_at_steady_state`` gets, in one job on the controllers' thread
(so the DaemonSet simulator's first sync comes after it and finds nothing to create):

- its ControllerRevision, as the simulator's constructHistory makes it (daemon_history.py);
- its first pod made by the simulator itself (``DaemonSetController._make_daemon_pod``: the pod
  template with the controller's tolerations, the pod-template-generation and
  controller-revision-hash labels, the controller reference, required node affinity on the node's
  ``metadata.name``, bound by the scheduler, Running and Ready as its kubelet reports it);
- a copy of that pod for every other node the DaemonSet should run on (``eligible_nodes``, the
  simulator's NodeShouldRunDaemonPod), each placed by the simulator's scheduler first, with its own
  name, uid, nodeName and node affinity term, bulk-loaded (no watch events) as generate.py loads
  its pods;
- its status, from the simulator's own sync (``DaemonSetController.reconcile``).

upstream: kubernetes/kubernetes pkg/controller/daemon/daemon_controller.go syncNodes (the pods'
template from util.CreatePodTemplate, affinity from util.ReplaceDaemonSetPodNodeNameNodeAffinity,
created with metav1.NewControllerRef), updateDaemonSetStatus; pkg/controller/daemon/util/
daemonset_util.go. A first pod that is not Running and Ready on its node (a failure mode, a
volume to bind, a node with no room) stops the copies: the simulator then makes the rest, each as
it would, 250 a sync.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from tests.emulators.kube.cluster import ClusterState, OriginScope
from tests.emulators.kube.controllers.builtin import DaemonSetController
from tests.emulators.kube.controllers.daemon_history import HASH_LABEL, construct_history
from tests.emulators.kube.controllers.daemon_pods import (
    TEMPLATE_GENERATION_LABEL,
    daemon_pod_affinity,
    eligible_nodes,
    template_generation,
)
from tests.emulators.kube.controllers.pods import template_hash
from tests.emulators.kube.controllers.scheduling import Scheduler, daemon_pod_spec

if TYPE_CHECKING:
    from tests.emulators.kube.emulator import KubeEmulator


def _pod_name(store: Any, bucket: str, ns: str, ds_name: str, node: str, h: str, taken: set[str]) -> str:
    """The name the simulator gives the node's pod (DaemonSetController._make_daemon_pod), unique
    among the stored pods and those of this seeding."""
    name, n = f"{ds_name}-{template_hash({'node': node, 'h': h})[:5]}", 0
    while name in taken or store.get(bucket, f"{ns}/{name}") is not None:
        n += 1
        name = f"{ds_name}-{template_hash({'node': node, 'h': h, 'n': n})[:5]}"
    taken.add(name)
    return name


def seed_daemon_pods(cluster: ClusterState, controller: DaemonSetController, ds: dict[str, Any]) -> int:
    """The pods the DaemonSet controller keeps for ``ds`` at steady state, then its sync's status.
    Run on the controllers' thread as ``controller``'s pass (its writes are kube-controller-manager's).
    Returns how many pods the DaemonSet has."""
    md = ds["metadata"]
    ns = md["namespace"]
    template = (ds.get("spec") or {}).get("template") or {}
    pod_spec = daemon_pod_spec(template.get("spec") or {})
    names = eligible_nodes(cluster, pod_spec)
    if not names or controller._pods(cluster, ds):
        return len(controller._pods(cluster, ds))
    cur, _ = construct_history(cluster, ds, list)
    if cur is None:  # a hash collision: the simulator's next sync takes it from here
        return 0
    revision = cur["metadata"]["labels"][HASH_LABEL]
    h = template_hash(template)
    labels = dict((template.get("metadata") or {}).get("labels") or {})
    scheduler = Scheduler(cluster)
    controller._make_daemon_pod(cluster, ds, names[0], pod_spec, labels, revision, h, scheduler)
    made = controller._pods(cluster, ds)
    first = made[0] if len(made) == 1 else None
    if first is None or not controller._ready(first) or first["spec"].get("nodeName") != names[0]:
        controller.reconcile(cluster, cluster.get("apps/v1", "DaemonSet", ns, md["name"]) or ds)
        return len(controller._pods(cluster, ds))
    rt = cluster.api.rt("v1", "Pod")
    store = cluster.api.store
    stored = store.get(rt.key, f"{ns}/{first['metadata']['name']}")
    proto = json.dumps(stored.obj() if stored is not None else first)
    generation = template_generation(ds)
    meta = {"namespace": ns, "labels": {**labels, **({TEMPLATE_GENERATION_LABEL: generation} if generation else {})}}
    meta["labels"][HASH_LABEL] = revision
    taken = {first["metadata"]["name"]}

    def copies() -> Iterator[tuple[str, dict[str, Any]]]:
        for node in names[1:]:
            affinity = daemon_pod_affinity(pod_spec.get("affinity"), node)
            # the simulator's scheduler, as for the pod it would make (NodeResourcesFit and the rest)
            placed = scheduler.place({**pod_spec, "affinity": affinity}, md["uid"], meta)
            if placed.node != node or placed.message or placed.claims:
                return  # the simulator's syncs make this node's pod, and the rest, as they would
            pod = json.loads(proto)
            name = _pod_name(store, rt.key, ns, md["name"], node, h, taken)
            pod["metadata"].update(name=name, uid=str(uuid.uuid4()))
            pod["spec"]["nodeName"] = node
            pod["spec"]["affinity"] = daemon_pod_affinity(pod["spec"].get("affinity"), node)
            yield f"{ns}/{name}", pod

    store.bulk_load(rt.key, copies())
    # updateDaemonSetStatus: the simulator's own sync, which finds a pod on every node
    controller.reconcile(cluster, cluster.get("apps/v1", "DaemonSet", ns, md["name"]) or ds)
    return len(controller._pods(cluster, ds))


def create_at_steady_state(emu: KubeEmulator, ds: dict[str, Any], timeout: float = 600.0) -> dict[str, Any]:
    """Create ``ds`` (as the caller would: a chart's install) with its pods and status already as the
    DaemonSet controller keeps them. The create and the seeding are one job on the controllers'
    thread: the simulator's sync the create queues runs after it. Without a DaemonSet simulator the
    DaemonSet is created alone, as before. For a cluster being built, before it serves: the copies
    are bulk-loaded, with no watch events."""
    controller = next((c for c in emu.controllers.controllers if isinstance(c, DaemonSetController)), None)
    if controller is None:
        return emu.cluster.create(ds)
    done = threading.Event()
    out: dict[str, Any] = {}

    def job(cluster: ClusterState) -> None:
        try:
            with OriginScope(None):  # the chart's create, not the controller's
                out["ds"] = cluster.create(ds)
            out["pods"] = seed_daemon_pods(cluster, controller, out["ds"])
        except BaseException as exc:  # raised again on the caller's thread
            out["error"] = exc
        finally:
            done.set()

    emu.controllers.call_later(controller, job, 0.0)
    if not done.wait(timeout):
        raise RuntimeError(f"seeding DaemonSet {ds['metadata']['name']} did not end in {timeout:.0f} s")
    if "error" in out:
        raise out["error"]
    return dict(out["ds"])
