"""The scale generator's DaemonSets at steady state: each made with the pods its controller keeps,
one on every node it should run on, as a cluster of that size has them long before anyone runs a
command against it.

A DaemonSet created through ``create_at_steady_state`` gets, in one job on the controllers' thread
that is the DaemonSet simulator's pass (so its create queues no sync, and the DaemonSet counts as
synced: ``DaemonSetController.observed``):

- its ControllerRevision, as the simulator's constructHistory makes it (daemon_history.py);
- its first pod made by the simulator itself (``DaemonSetController._make_daemon_pod``: the pod
  template with the controller's tolerations, the pod-template-generation and
  controller-revision-hash labels, the controller reference, required node affinity on the node's
  ``metadata.name``, bound by the scheduler, Running and Ready as its kubelet reports it);
- a copy of that pod for every other node the DaemonSet should run on (``eligible_nodes``, the
  simulator's NodeShouldRunDaemonPod), each placed by the simulator's scheduler first, with its own
  name, uid, nodeName and node affinity term, bulk-loaded (no watch events) as generate.py loads
  its pods;
- the status the simulator's sync then writes (every count the number of nodes, observedGeneration
  the DaemonSet's generation). A later sync of the simulator (a node event, a test) finds nothing
  to create, delete or write (tests/kube_emulator/test_daemonset_steady_seed.py). No sync runs at
  start: at 60,000 pods one costs the simulator tens of seconds of CPU (each pod read and decoded).

upstream: kubernetes/kubernetes pkg/controller/daemon/daemon_controller.go syncNodes (the pods'
template from util.CreatePodTemplate, affinity from util.ReplaceDaemonSetPodNodeNameNodeAffinity,
created with metav1.NewControllerRef), updateDaemonSetStatus; pkg/controller/daemon/util/
daemonset_util.go. A first pod that is not Running and Ready on its node (a failure mode, a
volume to bind, a node with no room), or a node whose copy the scheduler would not place, stops
the seeding there: the simulator's own sync then runs at once and makes the rest, 250 a sync.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from tests.emulators.kube.cluster import TEST_MANAGER, ClusterState
from tests.emulators.kube.controllers.builtin import DaemonSetController
from tests.emulators.kube.controllers.daemon_history import HASH_LABEL, construct_history
from tests.emulators.kube.controllers.daemon_pods import (
    TEMPLATE_GENERATION_LABEL,
    daemon_pod_affinity,
    eligible_nodes,
    template_generation,
)
from tests.emulators.kube.controllers.deployment_revisions import available_in
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
    """The pods the DaemonSet controller keeps for ``ds`` at steady state, and the status its sync
    then writes. Run on the controllers' thread as ``controller``'s pass (its writes are
    kube-controller-manager's). Where the seeding stops short (see the module docstring), the
    simulator's own sync takes over at once. Returns how many pods were seeded."""
    md = ds["metadata"]
    ns = md["namespace"]
    spec = ds.get("spec") or {}
    template = spec.get("template") or {}
    pod_spec = daemon_pod_spec(template.get("spec") or {})
    names = eligible_nodes(cluster, pod_spec)

    def simulator() -> int:
        controller.reconcile(cluster, cluster.get("apps/v1", "DaemonSet", ns, md["name"]) or ds)
        return 0

    if not names or controller._pods(cluster, ds):
        return simulator()
    cur, _ = construct_history(cluster, ds, list)
    if cur is None:  # a hash collision raised status.collisionCount: the simulator's sync goes on
        return simulator()
    revision = cur["metadata"]["labels"][HASH_LABEL]
    h = template_hash(template)
    labels = dict((template.get("metadata") or {}).get("labels") or {})
    scheduler = Scheduler(cluster)
    controller._make_daemon_pod(cluster, ds, names[0], pod_spec, labels, revision, h, scheduler)
    made = controller._pods(cluster, ds)
    first = made[0] if len(made) == 1 else None
    min_ready = int(spec.get("minReadySeconds") or 0)
    if (
        first is None
        or first["spec"].get("nodeName") != names[0]
        or not controller._ready(first)
        or available_in(first, min_ready, controller.kubelet_wall()) != 0.0
    ):
        return simulator()
    rt = cluster.api.rt("v1", "Pod")
    store = cluster.api.store
    stored = store.get(rt.key, f"{ns}/{first['metadata']['name']}")
    proto = stored.obj() if stored is not None else first
    generation = template_generation(ds)
    meta = {
        "namespace": ns,
        "labels": {**labels, **({TEMPLATE_GENERATION_LABEL: generation} if generation else {}), HASH_LABEL: revision},
    }
    taken = {first["metadata"]["name"]}
    seeded = [1]  # the first pod; a copy adds one
    stopped = [False]

    def copies() -> Iterator[tuple[str, dict[str, Any]]]:
        for node in names[1:]:
            affinity = daemon_pod_affinity(pod_spec.get("affinity"), node)
            # the simulator's scheduler, as for the pod it would make (NodeResourcesFit and the rest)
            placed = scheduler.place({**pod_spec, "affinity": affinity}, md["uid"], meta)
            if placed.node != node or placed.message or placed.claims:
                stopped[0] = True  # the simulator's sync makes this node's pod, and the rest
                return
            name = _pod_name(store, rt.key, ns, md["name"], node, h, taken)
            # A copy shares the first pod's unchanged parts: bulk_load encodes each object at once.
            pod_md = {**proto["metadata"], "name": name, "uid": str(uuid.uuid4())}
            pod_spec_copy = {
                **proto["spec"],
                "nodeName": node,
                "affinity": daemon_pod_affinity(proto["spec"].get("affinity"), node),
            }
            seeded[0] += 1
            yield f"{ns}/{name}", {**proto, "metadata": pod_md, "spec": pod_spec_copy}

    store.bulk_load(rt.key, copies())
    if stopped[0]:
        simulator()
        return seeded[0]
    # updateDaemonSetStatus as the simulator's sync writes it (DaemonSetController.reconcile): a
    # pod on every node, each Running, Ready, available and of the current revision
    # (kubernetes/kubernetes pkg/controller/daemon/daemon_controller.go updateDaemonSetStatus).
    desired = len(names)
    cluster.patch_status(
        "apps/v1",
        "DaemonSet",
        ns,
        md["name"],
        {
            "observedGeneration": md.get("generation", 1),
            "desiredNumberScheduled": desired,
            "currentNumberScheduled": desired,
            "updatedNumberScheduled": seeded[0],
            "numberReady": seeded[0],
            "numberAvailable": seeded[0],
            "numberMisscheduled": 0,
        },
    )
    return seeded[0]


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
            # The chart's create (its manager as before), seen by the DaemonSet controller as
            # synced (the job is its pass, so its create queues no sync of it): the seeding is that sync.
            out["ds"] = cluster.create(ds, manager=TEST_MANAGER)
            controller.observed(out["ds"])
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
