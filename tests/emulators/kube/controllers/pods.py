"""Pods as the built-in controllers make them: each pod's status as a kubelet would report it
(failure modes: see builtin.py), its owner reference, and the base class of the controllers that
own pods directly (ReplicaSet, StatefulSet, DaemonSet, Job). Moved out of builtin.py."""

from __future__ import annotations

import copy
import datetime
import hashlib
import json
from typing import TYPE_CHECKING, Any, ClassVar

from tests.emulators.kube.apiserver import now_iso
from tests.emulators.kube.cluster import KUBE_CONTROLLER_MANAGER, KUBELET, ClusterState
from tests.emulators.kube.controllers import kubelet_backoff, kubelet_env, kubelet_volumes, preemption, volume_prebind
from tests.emulators.kube.controllers.base import Controller, PassHeld
from tests.emulators.kube.controllers.kubelet_crashloop import CrashLoops, termination_message
from tests.emulators.kube.controllers.rescheduling import attempt_failed, mark_injected
from tests.emulators.kube.controllers.scheduling import NO_NODES, Placement

if TYPE_CHECKING:
    from tests.emulators.kube.apiserver_common import Ctx
    from tests.emulators.kube.controllers.runner import ControllerManager
    from tests.emulators.kube.resources import ResourceType

POD_FAILURES = ("unschedulable", "crashloop", "imagepull")


def controller_of(metadata: dict[str, Any]) -> dict[str, Any] | None:
    """The owner reference with ``controller: true`` (upstream: apimachinery metav1.GetControllerOf)."""
    return next((ref for ref in metadata.get("ownerReferences") or [] if ref.get("controller")), None)


def owner_ref(obj: dict[str, Any], controller: bool = True) -> dict[str, Any]:
    md = obj["metadata"]
    return {
        "apiVersion": obj["apiVersion"],
        "kind": obj["kind"],
        "name": md["name"],
        "uid": md["uid"],
        "controller": controller,
        "blockOwnerDeletion": True,
    }


def template_hash(template: dict[str, Any]) -> str:
    h = hashlib.sha256(json.dumps(template, sort_keys=True).encode()).hexdigest()
    # upstream: kubernetes/apimachinery pkg/util/rand SafeEncodeString's alphabet
    alphabet = "bcdfghjklmnpqrstvwxz2456789"
    n = int(h[:16], 16)
    out = []
    for _ in range(10):
        out.append(alphabet[n % len(alphabet)])
        n //= len(alphabet)
    return "".join(out)


def compute_hash(template: dict[str, Any], collision_count: int | None) -> str:
    """upstream: kubernetes/kubernetes pkg/controller/controller_utils.go ComputeHash: a hash of the
    pod template, and of the owner's status.collisionCount when it is set (a nil count and 0
    differ), in SafeEncodeString's alphabet; the Deployment's pod-template-hash and the DaemonSet's
    controller-revision-hash. The emulator's hash is its own (upstream hashes Go's printing of the
    typed template), so names differ from a cluster's."""
    if collision_count is None:
        return template_hash(template)
    return template_hash({"template": template, "collisionCount": collision_count})


def live_dependents(
    cluster: Any, uid: str, bucket: str, api_version: str, kind: str, terminating: bool = False
) -> list[dict[str, Any]]:
    """The objects of ``kind`` (stored in ``bucket``) whose owner reference names ``uid`` and that
    are not being deleted (``terminating``: those too): what a controller's lister, filtered by
    controller reference, gives it (upstream: kubernetes/kubernetes pkg/controller/controller_ref_manager.go)."""
    out = []
    for found_bucket, key in cluster.api.store.dependents_of(uid):
        if found_bucket != bucket:
            continue
        ns, _, name = key.partition("/")
        obj = cluster.get(api_version, kind, ns, name)
        if obj is not None and (terminating or not obj["metadata"].get("deletionTimestamp")):
            out.append(obj)
    return out


INJECTED_UNSCHEDULABLE = (
    "0/3 nodes are available: 3 Insufficient nvidia.com/gpu. preemption: 0/3 "
    "nodes are available: 3 No preemption victims found for incoming pod."
)


def _termination_message(spec: dict[str, Any], index: int, exit_code: int, log: str | None) -> dict[str, str]:
    # upstream kubernetes/kubernetes pkg/kubelet/kuberuntime/kuberuntime_container.go: the kubelet
    # fills a terminated container's message (FallbackToLogsOnError: kubelet_crashloop.py).
    container = (spec.get("containers") or [])[index]
    message = termination_message(container, exit_code, log) if index == 0 else None
    return {"message": message} if message is not None else {}


def pod_status(
    spec: dict[str, Any],
    failure: str | None,
    phase: str = "Running",
    node: str | None = None,
    unschedulable: str = INJECTED_UNSCHEDULABLE,
    config_errors: dict[str, str] | None = None,
    exit_code: int = 1,
    exit_log: str | None = None,
    at: str | None = None,
) -> dict[str, Any]:
    """``config_errors``: container name -> the kubelet's message for an env source it cannot
    resolve (controllers/kubelet_env.py): that container waits in CreateContainerConfigError.
    ``exit_code``: the first container's last exit in ``crashloop`` (the others': 1); ``exit_log``:
    what it logged, its termination message under FallbackToLogsOnError
    (kubelet_crashloop.termination_message). ``at``: when the kubelet reports it (default now)."""
    t = at or now_iso()
    config_errors = config_errors or {}
    containers = [c.get("name", "") for c in spec.get("containers") or []]
    if failure == "unschedulable":
        return {
            "phase": "Pending",
            "conditions": [
                {
                    "type": "PodScheduled",
                    "status": "False",
                    "reason": "Unschedulable",
                    "message": unschedulable,
                    "lastTransitionTime": t,
                }
            ],
        }
    statuses = []
    for i, name in enumerate(containers):
        image = (spec.get("containers") or [])[i].get("image", "")
        if name in config_errors and failure is None:
            waiting = {"reason": kubelet_env.REASON, "message": config_errors[name]}
            statuses.append(
                {"name": name, "image": image, "ready": False, "restartCount": 0, "started": False}
                | {"state": {"waiting": waiting}}
            )
        elif failure == "crashloop":
            state: dict[str, Any] = {
                "waiting": {"reason": "CrashLoopBackOff", "message": f"back-off 40s restarting failed container={name}"}
            }
            statuses.append(
                {
                    "name": name,
                    "image": image,
                    "ready": False,
                    "restartCount": 3,
                    "started": False,
                    "state": state,
                    "lastState": {
                        "terminated": {
                            "exitCode": exit_code if i == 0 else 1,
                            # the runtime's reason (upstream: containerd/containerd
                            # internal/cri/server/helpers.go completeExitReason)
                            "reason": "Completed" if i == 0 and exit_code == 0 else "Error",
                            "startedAt": t,
                            "finishedAt": t,
                            **_termination_message(spec, i, exit_code, exit_log),
                        }
                    },
                }
            )
        elif failure == "imagepull":
            statuses.append(
                {
                    "name": name,
                    "image": image,
                    "ready": False,
                    "restartCount": 0,
                    "started": False,
                    "state": {
                        "waiting": {"reason": "ImagePullBackOff", "message": f'Back-off pulling image "{image}"'}
                    },
                }
            )
        elif phase in ("Succeeded", "Failed"):
            code = 0 if phase == "Succeeded" else 1
            statuses.append(
                {
                    "name": name,
                    "image": image,
                    "ready": False,
                    "restartCount": 0,
                    "started": False,
                    "state": {
                        "terminated": {
                            "exitCode": code,
                            "reason": "Completed" if code == 0 else "Error",
                            "startedAt": t,
                            "finishedAt": t,
                        }
                    },
                }
            )
        else:
            statuses.append(
                {
                    "name": name,
                    "image": image,
                    "ready": True,
                    "restartCount": 0,
                    "started": True,
                    "state": {"running": {"startedAt": t}},
                }
            )
    ready = all(s["ready"] for s in statuses) and bool(statuses)
    if failure is None and any(name in config_errors for name in containers):
        phase = "Pending"  # a container the kubelet never created: the pod has not started
    st: dict[str, Any] = {
        "phase": phase
        if failure not in ("crashloop", "imagepull")
        else ("Running" if failure == "crashloop" else "Pending"),
        "conditions": [
            {"type": "PodScheduled", "status": "True", "lastTransitionTime": t},
            {"type": "Initialized", "status": "True", "lastTransitionTime": t},
            {"type": "ContainersReady", "status": "True" if ready else "False", "lastTransitionTime": t},
            {"type": "Ready", "status": "True" if ready else "False", "lastTransitionTime": t},
        ],
        "containerStatuses": statuses,
        "startTime": t,
        # the kubelet writes the lists with their first entry as the singular field (kubernetes/kubernetes
        # pkg/kubelet/kubelet_pods.go generateAPIPodStatus: HostIPs, then convertStatusToAPIStatus:
        # PodIPs, PodIP = PodIPs[0]); kubectl describe prints IPs from status.podIPs
        "hostIP": "10.224.0.4",
        "hostIPs": [{"ip": "10.224.0.4"}],
        "podIP": "10.244.0.10",
        "podIPs": [{"ip": "10.244.0.10"}],
        "qosClass": "BestEffort",
    }
    return st


def _exits_at_start(spec: dict[str, Any], cluster: ClusterState, namespace: str) -> tuple[str, int] | None:
    """The line a pod's process logs as it exits at once each time the kubelet starts it, and its
    exit code, or None: a KubeRay operator whose flags Go's flag package refuses (exit 2), or whose
    --feature-gates or start-up checks fail (ray-project/kuberay v1.7.0 ray-operator/main.go
    exitOnError, exit 1: controllers/kuberay/gates.py exits_at_start, which reads a --config file
    from its ConfigMap in ``namespace``). Other images are told apart first, so no other pod
    imports the KubeRay simulator."""
    containers = spec.get("containers") or [{}]
    if "kuberay/operator" not in str(containers[0].get("image") or ""):
        return None
    from tests.emulators.kube.controllers.kuberay.gates import exits_at_start

    return exits_at_start(spec, cluster, namespace)


class PodOwner(Controller):
    """Shared pod bookkeeping for controllers that own pods directly. The kubelets of the pods it
    makes crash-looping (``failure="crashloop"``) restart them on its clock as their back-off ends
    (kubelet_crashloop.py): ``advance(seconds)`` moves that clock on (no sleeps). All of them are
    kube-controller-manager's (ReplicaSet, Deployment, StatefulSet, DaemonSet, Job)."""

    # kube-controller-manager's controllers send "kube-controller-manager/<version> .../<controller>"
    # (kubernetes/kubernetes staging/src/k8s.io/client-go/rest/config.go AddUserAgent), so the API
    # server names them all
    # kube-controller-manager (cluster.py KUBE_CONTROLLER_MANAGER)
    field_manager: ClassVar[str | None] = KUBE_CONTROLLER_MANAGER

    def __init__(self, delay: float = 0.05, failure: str | None = None) -> None:
        super().__init__(delay, failure)
        self.crash_loops = CrashLoops()
        self._kubelet_clock = PassHeld()  # what a test moved the kubelets' clock on (advance)

    @property
    def kubelet_offset(self) -> float:
        return self._kubelet_clock.read()

    def clocks(self) -> tuple[PassHeld, ...]:
        return (*super().clocks(), self._kubelet_clock)

    def kubelet_now(self) -> float:
        return self._kubelet_clock.monotonic()

    def kubelet_wall(self) -> datetime.datetime:
        """The kubelets' clock as a UTC time: the timestamps they write (a pod's Ready
        lastTransitionTime, which minReadySeconds counts from: kubernetes/kubernetes
        pkg/api/v1/pod/util.go IsPodAvailable) move on with ``advance``."""
        return datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=self.kubelet_offset)

    def advance(self, seconds: float) -> None:
        """Move the kubelets' clock on: crash-looping containers whose back-off ends restart."""
        self._kubelet_clock.move(seconds)
        if self._manager is not None:
            self._manager.call_later(self, lambda cluster: self.crash_loops.step(cluster, self.kubelet_now()), 0.0)

    def attach(self, manager: ControllerManager) -> None:
        """Follow the owned pods' deletions, as the workload controllers' pod informers do: a pod
        deleted, or given a deletionTimestamp, re-syncs the object its controllerRef names, which
        then makes a replacement (upstream: kubernetes/kubernetes v1.32.0
        pkg/controller/replicaset/replica_set.go updatePod/deletePod -> enqueueRS;
        statefulset/stateful_set.go, daemon/daemon_controller.go, job/job_controller.go deletePod).
        A Deployment's ReplicaSet is simulated inside the Deployment's reconcile, so a pod of a
        ReplicaSet re-syncs the ReplicaSet's own controller, the Deployment."""

        def on_event(typ: str, rt: ResourceType, obj: dict[str, Any], ctx: Ctx) -> None:
            if rt.group != "" or rt.kind != "Pod" or ctx.origin is self:
                return
            md = obj.get("metadata") or {}
            ref = controller_of(md)
            if ref is None or (typ != "DELETED" and not md.get("deletionTimestamp")):
                return
            namespace = str(md.get("namespace") or "")
            manager.call_later(self, lambda cluster: self._resync_owner(cluster, namespace, ref), self.delay)

        manager.api.listeners.append(on_event)

    def _resync_owner(self, cluster: ClusterState, namespace: str, ref: dict[str, Any]) -> None:
        kinds = {kind: api_version for api_version, kind in self.watches}
        if ref.get("kind") == "ReplicaSet" and "ReplicaSet" not in kinds:
            rs = cluster.get("apps/v1", "ReplicaSet", namespace, str(ref.get("name")))
            if rs is None or rs["metadata"].get("uid") != ref.get("uid"):
                return
            ref = controller_of(rs["metadata"]) or {}
        api_version = kinds.get(str(ref.get("kind")))
        if api_version is None:
            return
        owner = cluster.get(api_version, str(ref["kind"]), namespace, str(ref.get("name")))
        if owner is not None and owner["metadata"].get("uid") == ref.get("uid"):
            # the owner's key on its work queue, synced like any other: a status write of that sync
            # that meets a 409 is requeued, not a fault (the enqueue functions above)
            self.requeue(owner, 0.0)

    def _pods(self, cluster: ClusterState, owner: dict[str, Any]) -> list[dict[str, Any]]:
        md = owner["metadata"]
        return live_dependents(cluster, md["uid"], "/pods", "v1", "Pod")

    def _make_pod(
        self,
        cluster: ClusterState,
        owner: dict[str, Any],
        name: str,
        template: dict[str, Any],
        labels: dict[str, str],
        node: str | Placement | None,
        phase: str = "Running",
    ) -> dict[str, Any]:
        """``node``: where to bind the pod; a Placement from the Scheduler may say nowhere fits,
        and the pod then stays Pending as the real scheduler leaves it. A Placement with neither a
        node nor a message (the cluster has no Node at all) leaves it Pending too, with NO_NODES:
        only the kubelet of the node a pod is bound to reports it Running and Ready (upstream:
        kubernetes/kubernetes pkg/kubelet/status/generate.go GeneratePodReadyCondition, written by
        pkg/kubelet/status/status_manager.go), so the StatefulSet's readyReplicas and the Job's
        ready stay 0 (kubernetes/kubernetes pkg/controller/job/job_controller.go countReadyPods:
        podutil.IsPodReady), and a Job's Pending pod never runs to completion; the Rescheduler
        binds it once a Node comes."""
        spec = copy.deepcopy(template.get("spec") or {})
        failure = self.failure if self.failure in POD_FAILURES else None
        exits = _exits_at_start(spec, cluster, owner["metadata"]["namespace"]) if failure is None else None
        exit_log, exit_code = exits if exits is not None else (None, 1)
        if exit_log is not None:
            failure = "crashloop"  # its process exits at every start: the kubelet backs off
        unschedulable = INJECTED_UNSCHEDULABLE
        injected = failure == "unschedulable"
        # VolumeBinding's PreBind (kubernetes/kubernetes pkg/scheduler/framework/plugins/volumebinding/
        # volume_binding.go PreBind; volume_prebind.py): a pod placed with claims to bind first, or
        # with generic ephemeral volumes whose claims are not made yet, waits unbound.
        waits = isinstance(node, Placement) and bool(
            node.claims or any(v.get("ephemeral") for v in spec.get("volumes") or [])
        )
        claims = node.claims if isinstance(node, Placement) else ()
        cycle = node.cycle if isinstance(node, Placement) else -1
        if isinstance(node, Placement):
            if node.node is None and not node.message:
                # No Node at all (upstream: kubernetes/kubernetes pkg/scheduler/schedule_one.go
                # ErrNoNodesAvailable): Pending, never Ready, until the Rescheduler binds it.
                node = Placement(None, NO_NODES)
            if node.node is None and node.message and failure is None:
                failure, unschedulable = "unschedulable", node.message
            node = node.node
        waits = waits and bool(node) and failure != "unschedulable"
        if node and failure != "unschedulable" and not waits:
            spec["nodeName"] = node
        namespace = owner["metadata"]["namespace"]
        config_errors: dict[str, str] = {}
        if failure is None:
            # The node's kubelet resolves each container's env sources before creating it, and
            # records a Warning event "Failed" with "Error: MESSAGE" when it cannot (upstream:
            # kubernetes/kubernetes v1.32.0 pkg/kubelet/kuberuntime/kuberuntime_container.go
            # startContainer, generateContainerConfig -> CreateContainerConfigError).
            for container in spec.get("containers") or []:
                message = kubelet_env.config_error(cluster, namespace, container)
                if message:
                    config_errors[str(container.get("name"))] = message
        pod = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": name,
                "namespace": owner["metadata"]["namespace"],
                "labels": labels,
                "annotations": dict((template.get("metadata") or {}).get("annotations") or {}),
                "ownerReferences": [owner_ref(owner)],
            },
            "spec": spec,
            "status": pod_status(
                spec,
                failure,
                phase,
                node,
                unschedulable,
                config_errors,
                exit_code,
                exit_log,
                self.kubelet_wall().strftime("%Y-%m-%dT%H:%M:%SZ"),
            ),
        }

        def start(cluster: ClusterState, bound: dict[str, Any]) -> dict[str, Any]:
            at = self.kubelet_wall().strftime("%Y-%m-%dT%H:%M:%SZ")
            status = pod_status(spec, failure, phase, node, unschedulable, config_errors, exit_code, exit_log, at)
            if exit_log is not None and failure == "crashloop":
                self.crash_loops.write_exit_log(cluster, bound, exit_log)  # logged before its exit is reported
            # the kubelet of the node it is bound to (kubernetes/kubernetes pkg/kubelet/status/status_manager.go)
            started = cluster.patch_status("v1", "Pod", namespace, name, status, manager=KUBELET)
            return self._first_report(cluster, started, failure, False, config_errors, exit_log, exit_code)

        def mount_then_start(cluster: ClusterState, bound: dict[str, Any]) -> dict[str, Any]:
            # The kubelet mounts the pod's volumes before it creates a container
            # (controllers/kubelet_volumes.py cites kubernetes/kubernetes pkg/kubelet/kubelet.go SyncPod).
            failed = kubelet_volumes.mount_errors(cluster, namespace, spec) if failure is None else []
            if not failed:
                return start(cluster, bound)
            at = self.kubelet_wall().strftime("%Y-%m-%dT%H:%M:%SZ")
            waiting = cluster.patch_status("v1", "Pod", namespace, name, kubelet_volumes.waiting_status(spec, at))
            kubelet_volumes.wait_for_mount(cluster, waiting, failed, start)
            return waiting

        if waits:
            # Created unbound; the kubelet starts it once PreBind binds it (volume_prebind.py). The
            # emulator creates the pod here and places it at once; kube-scheduler binds an existing pod.
            pod["status"] = {"phase": "Pending"}
            held = cluster.create(pod)
            if volume_prebind.hold(cluster, held, str(node), claims, new=True, start=mount_then_start):
                return held
            # kube-scheduler's bind (kubernetes/kubernetes pkg/scheduler/framework/plugins/defaultbinder/
            # default_binder.go Bind: POST pods/NAME/binding; cluster.bind)
            cluster.bind(namespace, name, str(node))
            return mount_then_start(cluster, held)
        mount = kubelet_volumes.mount_errors(cluster, namespace, spec) if failure is None and node else []
        if mount:
            pod["status"] = kubelet_volumes.waiting_status(spec, self.kubelet_wall().strftime("%Y-%m-%dT%H:%M:%SZ"))
            created = cluster.create(pod)
            kubelet_volumes.wait_for_mount(cluster, created, mount, start)
            return created
        if exit_log is not None and failure == "crashloop":
            created = self._exit_logged_first(cluster, pod, exit_log)
        else:
            created = cluster.create(pod)
        if failure == "unschedulable" and not injected and cycle >= 0:
            # the scheduler's failed attempt: an event that came during it sends the pod back to be tried
            # (upstream: kubernetes/kubernetes pkg/scheduler/backend/queue/scheduling_queue.go
            # AddUnschedulableIfNotPresent; rescheduling.py UnschedulablePods.attempt_failed)
            attempt_failed(cluster, created, cycle)
        return self._first_report(cluster, created, failure, injected, config_errors, exit_log, exit_code)

    def _exit_logged_first(self, cluster: ClusterState, pod: dict[str, Any], exit_log: str) -> dict[str, Any]:
        """Create a pod whose process exits at start: made Pending (the kubelet has reported nothing
        yet), the line its process writes as it exits logged, and only then the kubelet's report of
        the exit. The process writes before it exits and the kubelet learns of the exit afterwards
        (kubernetes/kubernetes pkg/kubelet/pleg/generic.go relist; pkg/kubelet/status/status_manager.go
        syncPod), so a reader of the reported exit finds the line (the report made with the pod hid it
        on a busy machine)."""
        report = pod["status"]
        created = cluster.create({**pod, "status": {"phase": "Pending"}})
        self.crash_loops.write_exit_log(cluster, created, exit_log)
        md = created["metadata"]
        return cluster.patch_status("v1", "Pod", md["namespace"], md["name"], report, manager=KUBELET)

    def _first_report(
        self,
        cluster: ClusterState,
        created: dict[str, Any],
        failure: str | None,
        injected: bool,
        config_errors: dict[str, str],
        exit_log: str | None,
        exit_code: int,
    ) -> dict[str, Any]:
        """The events of a pod as its kubelet (or the scheduler) first reports it: the kubelet's
        "Failed" "Error: ..." (kubernetes/kubernetes pkg/kubelet/kuberuntime/kuberuntime_container.go
        startContainer) and BackOff (kuberuntime_manager.go doBackOff), the scheduler's FailedScheduling
        (pkg/scheduler/schedule_one.go). A method of its own so that a pod PreBind holds reports them
        once bound (emulator structure, no upstream behaviour)."""
        for message in config_errors.values():
            cluster.add_event(created, "Failed", f"Error: {message}", "Warning")
        if injected:
            mark_injected(cluster, created)
        if failure == "unschedulable":
            message = created["status"]["conditions"][0]["message"]
            # upstream: kubernetes/kubernetes pkg/scheduler/framework/plugins/defaultpreemption/
            # default_preemption.go PostFilter, run after each failed scheduling attempt
            if not injected and message != NO_NODES:  # PostFilter: DefaultPreemption (preemption.py)
                created, message = preemption.apply(cluster, created, message)
            cluster.add_event(created, "FailedScheduling", message, "Warning")
        elif failure == "crashloop":
            # doBackOff's message and BackOff event (upstream: kubernetes/kubernetes
            # pkg/kubelet/kuberuntime/kuberuntime_manager.go doBackOff)
            ns, pod_name = created["metadata"]["namespace"], created["metadata"]["name"]
            created = cluster.patch_status("v1", "Pod", ns, pod_name, kubelet_backoff.named(created))
            self.crash_loops.track(created, self.kubelet_now(), exit_log, exit_code)
            cluster.add_event(created, "BackOff", kubelet_backoff.back_off_event(created), "Warning")
        elif failure == "imagepull":
            cluster.add_event(created, "Failed", "Error: ImagePullBackOff", "Warning")
        return created

    def _ready(self, pod: dict[str, Any]) -> bool:
        return any(
            c.get("type") == "Ready" and c.get("status") == "True"
            for c in (pod.get("status") or {}).get("conditions") or []
        )
