"""The emulated kubelet's volume manager for a pod's Secret and ConfigMap volumes: a volume whose
object does not exist (and is not marked optional) cannot be mounted, so the kubelet creates no
container: the pod stays Pending, each container waiting with reason ContainerCreating, and the
kubelet records Warning FailedMount. Once the object is made, the next mount try succeeds and the
containers start.

upstream (kubernetes/kubernetes):
- pkg/kubelet/kubelet.go SyncPod: WaitForAttachAndMount before the containers are created;
  pkg/kubelet/kubelet_pods.go generateAPIPodStatus / pkg/kubelet/kuberuntime convertToAPIContainerStatuses:
  a container not created yet is waiting with reason "ContainerCreating".
- pkg/volume/secret/secret.go and pkg/volume/configmap/configmap.go SetUpAt: the manager's error
  is returned unless it is NotFound and the source is optional; the kubelet's secret and configmap
  managers answer a missing object with `secret "NAME" not found` / `configmap "NAME" not found`
  (apierrors.NewNotFound, as controllers/kubelet_env.py cites).
- pkg/volume/util/operationexecutor/operation_generator.go GenerateMountVolumeFunc:
  GenerateError("MountVolume.SetUp failed", err), the event FailedMount (kevents.FailedMountVolume);
  operation_executor.go GenerateMsg/errSuffix: `MountVolume.SetUp failed for volume "V" : <err>`.
- The kubelet's volume manager retries the mount (reconciler loop), so a Secret or ConfigMap made
  later lets the pod start: ``KubeletVolumes`` re-checks the waiting pods of its namespace when one
  is added (test harness structure: the real kubelet polls).
Not modelled: projected sources (projected.go collectData aggregates the errors), a missing key
of ``items`` ("references non-existent secret key"), the FailedMount "Unable to attach or mount
volumes: unmounted volumes=[...] ... timed out waiting for the condition" after the kubelet's
2-minute WaitForAttachAndMount timeout, the event's count as the retries repeat it.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Any, ClassVar

from tests.emulators.kube.cluster import KUBELET, ClusterState
from tests.emulators.kube.controllers.base import Controller
from tests.emulators.kube.controllers.rescheduling import requeue_owners

REASON = "ContainerCreating"
FAILED_MOUNT = "FailedMount"

Start = Callable[[ClusterState, dict[str, Any]], dict[str, Any]]
_WAITING: weakref.WeakKeyDictionary[Any, dict[str, tuple[str, Start]]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def mount_error(cluster: ClusterState, namespace: str, spec: dict[str, Any]) -> str | None:
    """The kubelet's FailedMount message for the first Secret or ConfigMap volume of the pod
    ``spec`` whose object is missing (not optional), or None where every one mounts."""
    for vol in spec.get("volumes") or []:
        for field, kind, key in (("secret", "Secret", "secretName"), ("configMap", "ConfigMap", "name")):
            source = vol.get(field)
            if not isinstance(source, dict) or source.get("optional"):
                continue
            name = str(source.get(key) or "")
            if cluster.get("v1", kind, namespace, name) is None:
                return f'MountVolume.SetUp failed for volume "{vol.get("name")}" : {kind.lower()} "{name}" not found'
    return None


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


def wait_for_mount(cluster: ClusterState, pod: dict[str, Any], message: str, start: Start) -> None:
    """Record the kubelet's FailedMount for ``pod`` and keep it until its volumes mount; ``start``
    then reports it as its kubelet would once its containers are created."""
    md = pod["metadata"]
    cluster.add_event(pod, FAILED_MOUNT, message, "Warning", "kubelet")
    with _LOCK:
        _WAITING.setdefault(cluster.api, {})[f"{md['namespace']}/{md['name']}"] = (str(md.get("uid")), start)


class KubeletVolumes(Controller):
    """The kubelets' mount retries for pods waiting on a Secret or ConfigMap (see the module docstring)."""

    # the kubelet's (cluster.KUBELET)
    field_manager: ClassVar[str | None] = KUBELET

    watches: ClassVar[list[tuple[str, str]]] = [("v1", "Secret"), ("v1", "ConfigMap")]

    def reconcile(self, cluster: ClusterState, obj: dict[str, Any]) -> None:
        namespace = obj["metadata"].get("namespace")
        with _LOCK:
            waiting = dict(_WAITING.get(cluster.api) or {})
        for key, (uid, start) in waiting.items():
            ns, _, name = key.partition("/")
            if ns != namespace:
                continue
            pod = cluster.get("v1", "Pod", ns, name)
            gone = pod is None or pod["metadata"].get("uid") != uid or bool(pod["metadata"].get("deletionTimestamp"))
            if not gone and pod is not None and mount_error(cluster, ns, pod.get("spec") or {}) is not None:
                continue
            with _LOCK:
                _WAITING.get(cluster.api, {}).pop(key, None)
            if not gone and pod is not None:
                requeue_owners(self._manager, cluster, start(cluster, pod))
