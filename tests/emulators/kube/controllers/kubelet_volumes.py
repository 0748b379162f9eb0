"""The emulated kubelet's volume manager for a pod's Secret, ConfigMap and projected volumes: a
volume whose object does not exist (and is not marked optional), or whose ``items`` name a key the
object lacks, cannot be mounted, so the kubelet creates no container: the pod stays Pending, each
container waiting with reason ContainerCreating, and the kubelet records Warning FailedMount, again
at each retry. Once the object (or key) is made, the next mount try succeeds and the containers start.

upstream (kubernetes/kubernetes):
- pkg/kubelet/kubelet.go SyncPod: WaitForAttachAndMount before the containers are created;
  pkg/kubelet/kubelet_pods.go generateAPIPodStatus / pkg/kubelet/kuberuntime convertToAPIContainerStatuses:
  a container not created yet is waiting with reason "ContainerCreating".
- pkg/volume/secret/secret.go and pkg/volume/configmap/configmap.go SetUpAt: the manager's error
  is returned unless it is NotFound and the source is optional (then an empty object); the
  kubelet's secret and configmap managers answer a missing object with `secret "NAME" not found` /
  `configmap "NAME" not found` (apierrors.NewNotFound, as controllers/kubelet_env.py cites).
  MakePayload: an ``items`` key the object lacks is `references non-existent secret key: K`
  (secret.Data only) / `configmap references non-existent config key: K` (Data, then BinaryData),
  skipped where the source is optional.
- pkg/volume/projected/projected.go collectData: each secret and configMap source as above, every
  source's error collected (``continue``), returned as utilerrors.NewAggregate(errlist)
  (kubernetes/apimachinery pkg/util/errors/errors.go aggregate.Error: one error is its own text,
  several are `[a, b]`, repeats once); serviceAccountToken (a TokenRequest for the pod's
  ServiceAccount, which the ServiceAccount admission plugin has checked) and downwardAPI
  (validated fieldRefs) mount.
- pkg/volume/util/operationexecutor/operation_generator.go GenerateMountVolumeFunc:
  GenerateError("MountVolume.SetUp failed", err), the event FailedMount (kevents.FailedMountVolume)
  per failed volume; operation_executor.go GenerateMsg/errSuffix: `MountVolume.SetUp failed for
  volume "V" : <err>`.
- The reconciler retries a failed mount after pkg/util/goroutinemap/exponentialbackoff/
  exponential_backoff.go's durationBeforeRetry: 500 ms (initialDurationBeforeRetry), doubled at
  each failure up to 2m2s (maxDurationBeforeRetry); each failure records FailedMount again, which
  client-go's EventCorrelator counts on the one Event (cluster.add_event). ``KubeletVolumes`` is a
  ClockedController: ``advance`` runs the retries the moved clock has passed (no wall-clock
  retries: emulator structure), and a Secret or ConfigMap added or updated re-checks the waiting
  pods of its namespace at once (the real reconciler polls).
- WaitForAttachAndMount (pkg/kubelet/volumemanager/volume_manager.go) gives up after
  podAttachAndMountTimeout (2m3s) with `unmounted volumes=[...], unattached volumes=[...], failed to
  process volumes=[...]: context deadline exceeded`; SyncPod records "Unable to attach or mount
  volumes: ..." only `if !wait.Interrupted(err)`, and a deadline is interrupted, so a timed-out
  wait writes no event (since kubernetes/kubernetes#117412, Kubernetes 1.28; the old
  `...: timed out waiting for the condition` event of wait.PollImmediate is from 1.27 and before).
  The emulator writes none either.
Not modelled: clusterTrustBundle sources (a ClusterTrustBundle kind the emulator does not serve),
the Rescheduler's and KubeRay's pods (they start without the mount check).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterator
from typing import Any, ClassVar, NamedTuple

from tests.emulators.kube.cluster import KUBELET, ClusterState
from tests.emulators.kube.controllers.base import ClockedController
from tests.emulators.kube.controllers.rescheduling import requeue_owners

REASON = "ContainerCreating"
FAILED_MOUNT = "FailedMount"
# kubernetes/kubernetes pkg/util/goroutinemap/exponentialbackoff/exponential_backoff.go:
INITIAL_RETRY = 0.5  # exponential_backoff.go initialDurationBeforeRetry
MAX_RETRY = 122.0  # exponential_backoff.go maxDurationBeforeRetry (2m2s)

Start = Callable[[ClusterState, dict[str, Any]], dict[str, Any]]


class Waiting(NamedTuple):
    """A pod whose volumes did not mount: its uid, how it starts, and its mount retry's backoff."""

    uid: str
    start: Start
    retry_at: float  # on KubeletVolumes' clock
    delay: float  # the durationBeforeRetry last set


_WAITING: weakref.WeakKeyDictionary[Any, dict[str, Waiting]] = weakref.WeakKeyDictionary()
_KUBELETS: weakref.WeakKeyDictionary[Any, KubeletVolumes] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()
# (volume field, kind, the name's field, the NotFound kind, the missing key's text)
_SOURCES = (
    ("secret", "Secret", "secretName", "secret", "references non-existent secret key: {}"),
    ("configMap", "ConfigMap", "name", "configmap", "configmap references non-existent config key: {}"),
)


def _source_error(cluster: ClusterState, namespace: str, kind: str, name: str, source: dict[str, Any]) -> str | None:
    """SetUpAt's (or collectData's) error for one secret or configMap source, or None."""
    _, _, _, noun, missing_key = next(s for s in _SOURCES if s[1] == kind)
    optional = bool(source.get("optional"))
    obj = cluster.get("v1", kind, namespace, name)
    if obj is None and not optional:
        return f'{noun} "{name}" not found'
    keys = {*((obj or {}).get("data") or {})}
    if kind == "ConfigMap":
        keys |= {*((obj or {}).get("binaryData") or {})}
    for item in source.get("items") or []:
        if item.get("key") not in keys and not optional:
            return missing_key.format(item.get("key"))
    return None


def _volume_errors(cluster: ClusterState, namespace: str, vol: dict[str, Any]) -> Iterator[str]:
    for field, kind, key, _, _ in _SOURCES:
        if isinstance(vol.get(field), dict):
            found = _source_error(cluster, namespace, kind, str(vol[field].get(key) or ""), vol[field])
            if found:
                yield found
    for source in (vol.get("projected") or {}).get("sources") or []:
        for field, kind, _, _, _ in _SOURCES:
            if isinstance(source.get(field), dict):
                found = _source_error(cluster, namespace, kind, str(source[field].get("name") or ""), source[field])
                if found:
                    yield found


def _aggregate(errs: list[str]) -> str:
    """apimachinery's aggregate.Error: one error as itself, several once each in brackets."""
    unique = list(dict.fromkeys(errs))
    return unique[0] if len(unique) == 1 else f"[{', '.join(unique)}]"


def mount_errors(cluster: ClusterState, namespace: str, spec: dict[str, Any]) -> list[str]:
    """The kubelet's FailedMount message for each volume of the pod ``spec`` that cannot mount."""
    failed = []
    for vol in spec.get("volumes") or []:
        errs = list(_volume_errors(cluster, namespace, vol))
        if errs:
            failed.append(f'MountVolume.SetUp failed for volume "{vol.get("name")}" : {_aggregate(errs)}')
    return failed


def waiting_status(spec: dict[str, Any], at: str) -> dict[str, Any]:
    """The status of a pod whose volumes are not mounted: Pending, every container waiting in
    ContainerCreating, not Ready (pkg/kubelet/status/generate.go GeneratePodReadyCondition:
    ContainersNotReady with the unready containers)."""
    names = [str(c.get("name", "")) for c in spec.get("containers") or []]
    unready = f"containers with unready status: [{' '.join(names)}]"
    return {
        "phase": "Pending",
        "conditions": [
            {"type": "PodScheduled", "status": "True", "lastTransitionTime": at},
            {"type": "Initialized", "status": "True", "lastTransitionTime": at},
            {"type": "ContainersReady", "status": "False", "reason": "ContainersNotReady", "message": unready}
            | {"lastTransitionTime": at},
            {"type": "Ready", "status": "False", "reason": "ContainersNotReady", "message": unready}
            | {"lastTransitionTime": at},
        ],
        "containerStatuses": [
            {
                "name": name,
                "image": c.get("image", ""),
                "ready": False,
                "restartCount": 0,
                "started": False,
                "state": {"waiting": {"reason": REASON}},
            }
            for name, c in zip(names, spec.get("containers") or [], strict=True)
        ],
        "startTime": at,
        "hostIP": "10.224.0.4",
        "qosClass": "BestEffort",
    }


def wait_for_mount(cluster: ClusterState, pod: dict[str, Any], messages: list[str], start: Start) -> None:
    """Record the kubelet's FailedMount for ``pod`` (one per volume) and keep it until its volumes
    mount; ``start`` then reports it as its kubelet would once its containers are created."""
    md = pod["metadata"]
    for message in messages:
        cluster.add_event(pod, FAILED_MOUNT, message, "Warning", "kubelet")
    kubelet = _KUBELETS.get(cluster.api)
    now = kubelet.now() if kubelet is not None else 0.0
    with _LOCK:
        waiting = _WAITING.setdefault(cluster.api, {})
        waiting[f"{md['namespace']}/{md['name']}"] = Waiting(
            str(md.get("uid")), start, now + INITIAL_RETRY, INITIAL_RETRY
        )


class KubeletVolumes(ClockedController):
    """The kubelets' mount retries for pods waiting on a Secret or ConfigMap (see the module docstring)."""

    # the kubelet's (cluster.KUBELET)
    field_manager: ClassVar[str | None] = KUBELET

    watches: ClassVar[list[tuple[str, str]]] = [("v1", "Secret"), ("v1", "ConfigMap")]

    def attach(self, manager: Any) -> None:
        _KUBELETS[manager.api] = self

    def reconcile(self, cluster: ClusterState, obj: dict[str, Any]) -> None:
        namespace = obj["metadata"].get("namespace")
        for key in self._waiting(cluster):
            if key.partition("/")[0] == namespace:
                self._retry(cluster, key, at_once=True)

    def _expire(self, cluster: ClusterState) -> None:
        for key in self._waiting(cluster):
            self._retry(cluster, key, at_once=False)

    @staticmethod
    def _waiting(cluster: ClusterState) -> list[str]:
        with _LOCK:
            return list(_WAITING.get(cluster.api) or {})

    def _retry(self, cluster: ClusterState, key: str, at_once: bool) -> None:
        """The reconciler's mount tries of one waiting pod: at once (an object it reads was
        written), or each whose backoff the clock has passed; a failure records FailedMount again
        and doubles the backoff (kubernetes/kubernetes pkg/util/goroutinemap/exponentialbackoff/exponential_backoff.go
        Update)."""
        ns, _, name = key.partition("/")
        while True:
            with _LOCK:
                held = (_WAITING.get(cluster.api) or {}).get(key)
            if held is None or (not at_once and self.now() < held.retry_at):
                return
            pod = cluster.get("v1", "Pod", ns, name)
            gone = (
                pod is None or pod["metadata"].get("uid") != held.uid or bool(pod["metadata"].get("deletionTimestamp"))
            )
            failed = [] if gone or pod is None else mount_errors(cluster, ns, pod.get("spec") or {})
            if not failed or pod is None:
                with _LOCK:
                    _WAITING.get(cluster.api, {}).pop(key, None)
                if not gone and pod is not None:
                    requeue_owners(self._manager, cluster, held.start(cluster, pod))
                return
            if at_once:
                return
            for message in failed:
                cluster.add_event(pod, FAILED_MOUNT, message, "Warning", "kubelet")
            delay = min(2 * held.delay, MAX_RETRY)
            with _LOCK:
                _WAITING.get(cluster.api, {})[key] = held._replace(retry_at=held.retry_at + delay, delay=delay)
