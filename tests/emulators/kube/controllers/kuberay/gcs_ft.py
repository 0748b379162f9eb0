"""The Redis clean-up finalizer of a RayCluster with GCS fault tolerance, as ray-project/kuberay
v1.7.0 ray-operator/controllers/ray/raycluster_controller.go rayClusterReconcile handles it after
validation (upstream: that file, utils/constant.go GCSFaultToleranceRedisCleanupFinalizer,
utils/util.go IsGCSFaultToleranceEnabled, common/association.go
RayClusterRedisCleanupJobAssociationOptions):

* enabled by the ``ray.io/ft-enabled: "true"`` annotation or ``spec.gcsFaultToleranceOptions``
  (not the embedded backend), with ``ENABLE_GCS_FT_REDIS_CLEANUP`` unset (the operator's default);
* a live cluster without the finalizer gets it and the reconcile ends there ("Only start the
  RayCluster reconciliation after the finalizer is added");
* a deleted one: its head and worker pods are deleted; while a head pod is left it waits (10 s
  upstream); then a ``<name>-redis-cleanup`` Job is created (buildRedisCleanupJob) and, once it
  has finished, Complete or Failed, the finalizer is removed.

The simulator requeues after one delay instead of upstream's 2 s and 10 s, and does not apply
the deletion timeout that force-removes a stuck finalizer (forceRemoveGCSFTFinalizer). The Job's
container is the head's Ray container without the Python clean-up command upstream writes: the
lab runs no Redis, and the emulator's Job controller only completes or fails it.

Also here: validateGcsFaultToleranceBackend (``gcs_ft_backend_problem``), the backend rules of
ValidateRayClusterSpec. The embedded RocksDB backend's PVC and head mount are not simulated.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from tests.emulators.kube.controllers.finalizers import add_finalizer, has_finalizer, remove_finalizer
from tests.emulators.kube.controllers.kuberay.common import controller_ref
from tests.emulators.kube.controllers.kuberay.gates import Gates
from tests.emulators.kube.controllers.kuberay.services import head_labels

REDIS_CLEANUP_FINALIZER = "ray.io/gcs-ft-redis-cleanup-finalizer"
FT_ANNOTATION = "ray.io/ft-enabled"
CLEANUP_NODE = "redis-cleanup"  # rayv1.RedisCleanupNode


def _enabled(rc: dict[str, Any]) -> bool:
    spec = rc.get("spec") or {}
    options = spec.get("gcsFaultToleranceOptions")
    annotation = str(((rc["metadata"].get("annotations") or {}).get(FT_ANNOTATION)) or "").lower() == "true"
    # IsGCSFaultToleranceEmbedded (backend GcsFTBackendRocksDB): no Redis to clean up.
    embedded = isinstance(options, dict) and options.get("backend") == "rocksdb"
    return (annotation or options is not None) and not embedded


def redis_cleanup(ctrl: Any, cluster: Any, rc: dict[str, Any]) -> bool:
    """True where the reconcile ends here (the finalizer just added, or the cluster deleted)."""
    md = rc["metadata"]
    ns, name = md["namespace"], md["name"]
    if not _enabled(rc):
        return bool(md.get("deletionTimestamp"))  # "RayCluster is being deleted, just ignore"
    if not md.get("deletionTimestamp"):
        if has_finalizer(rc, REDIS_CLEANUP_FINALIZER):
            return False
        add_finalizer(cluster, rc, REDIS_CLEANUP_FINALIZER)
        ctrl.requeue(rc, ctrl.delay)
        return True
    if not has_finalizer(rc, REDIS_CLEANUP_FINALIZER):
        return True
    pods = cluster.list("v1", "Pod", ns, label_selector=f"ray.io/cluster={name}")
    for pod in pods:  # deleteAllPods: the head's, then the workers'
        kind = pod["metadata"]["labels"].get("ray.io/node-type")
        if kind in ("head", "worker") and not pod["metadata"].get("deletionTimestamp"):
            cluster.delete("v1", "Pod", ns, pod["metadata"]["name"])
    if any(p["metadata"]["labels"].get("ray.io/node-type") == "head" for p in pods):
        # "Wait for the head Pod to be terminated before initiating the Redis cleanup process."
        ctrl.requeue(rc, ctrl.delay)
        return True
    jobs = cluster.list("batch/v1", "Job", ns, label_selector=f"ray.io/cluster={name},ray.io/node-type={CLEANUP_NODE}")
    if not jobs:
        cluster.create(_cleanup_job(rc))
        cluster.add_event(rc, "CreatedRedisCleanupJob", f"Created Redis cleanup Job {ns}/{name}-redis-cleanup")
    elif any(
        c.get("type") in ("Complete", "Failed") and c.get("status") == "True"
        for c in (jobs[0].get("status") or {}).get("conditions") or []
    ):  # utils.IsJobFinished
        remove_finalizer(cluster, rc, REDIS_CLEANUP_FINALIZER)
        return True
    ctrl.requeue(rc, ctrl.delay)
    return True


def _cleanup_job(rc: dict[str, Any]) -> dict[str, Any]:
    """buildRedisCleanupJob: the head pod's labels with node type redis-cleanup, its Ray container
    alone with 200m CPU / 256Mi, restartPolicy Never, backoffLimit 0, activeDeadlineSeconds 300,
    owned by the cluster (SetControllerReference)."""
    md = rc["metadata"]
    template = copy.deepcopy(((rc.get("spec") or {}).get("headGroupSpec") or {}).get("template") or {})
    pod_spec = template.setdefault("spec", {})
    container = copy.deepcopy((pod_spec.get("containers") or [{}])[0])
    container.pop("livenessProbe", None)
    container.pop("readinessProbe", None)
    container["env"] = [
        *(container.get("env") or []),
        {"name": "RAY_redis_db_connect_retries", "value": "120"},
        {"name": "RAY_redis_db_connect_wait_milliseconds", "value": "500"},
    ]
    quantity = {"cpu": "200m", "memory": "256Mi"}
    container["resources"] = {"limits": dict(quantity), "requests": dict(quantity)}
    pod_spec["containers"] = [container]
    pod_spec["restartPolicy"] = "Never"
    labels = {**head_labels(md["name"]), "ray.io/node-type": CLEANUP_NODE}
    template.setdefault("metadata", {})["labels"] = {**(template.get("metadata") or {}).get("labels", {}), **labels}
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": f"{md['name']}-redis-cleanup"[-63:],  # utils.TrimJobName (CheckLabel) keeps the tail
            "namespace": md["namespace"],
            "labels": labels,
            # ctrl.SetControllerReference (ray-project/kuberay ray-operator/controllers/ray/raycluster_controller.go;
            # kubernetes-sigs/controller-runtime pkg/controller/controllerutil/controllerutil.go):
            # controller and blockOwnerDeletion.
            "ownerReferences": [controller_ref("RayCluster", rc)],
        },
        "spec": {"backoffLimit": 0, "activeDeadlineSeconds": 300, "template": template},
    }


def _env(container: Mapping[str, Any], name: str) -> Mapping[str, Any] | None:
    return next((e for e in container.get("env") or [] if e.get("name") == name), None)


def gcs_ft_backend_problem(
    options: Mapping[str, Any], head: Mapping[str, Any], head_pod: Mapping[str, Any], gates: Gates
) -> str | None:
    """utils/validation.go validateGcsFaultToleranceBackend (upstream: ray-project/kuberay v1.7.0
    ray-operator/controllers/ray/utils/validation.go; the constants utils/constant.go): the embedded
    RocksDB backend needs GCSFaultToleranceEmbeddedStorage (off by default, pkg/features/features.go)
    and then refuses Redis fields and the env, mount and volume KubeRay manages; utils/util.go
    GetGcsFaultToleranceBackend: no backend is redis."""
    if (options.get("backend") or "redis") == "rocksdb":
        if not gates.on("GCSFaultToleranceEmbeddedStorage"):
            return (
                "the embedded RocksDB GCS fault tolerance backend (GcsFaultToleranceOptions.Backend: 'rocksdb') "
                "requires the GCSFaultToleranceEmbeddedStorage feature gate to be enabled"
            )
        for field, name, unset in (
            ("redisAddress", "RedisAddress", ""),
            ("redisUsername", "RedisUsername", None),
            ("redisPassword", "RedisPassword", None),
            ("externalStorageNamespace", "ExternalStorageNamespace", ""),
        ):
            if options.get(field, unset) not in (unset, None):
                return f"cannot set GcsFaultToleranceOptions.{name} when backend is 'rocksdb'"
        storage = options.get("storage") or {}
        if storage.get("claimName") and (
            storage.get("size") is not None or storage.get("storageClassName") is not None or storage.get("accessModes")
        ):
            return (
                "GcsFaultToleranceOptions.Storage.ClaimName is mutually exclusive with size, storageClassName, "
                "and accessModes"
            )
        if _env(head, "RAY_gcs_storage") is not None or _env(head, "RAY_gcs_storage_path") is not None:
            return (
                "cannot set `RAY_gcs_storage` or `RAY_gcs_storage_path` env var in head Pod when the embedded GCS FT "
                "backend is used - these are managed by KubeRay"
            )
        for mount in head.get("volumeMounts") or []:
            if mount.get("mountPath") == "/data/gcs" or mount.get("name") == "gcs-storage":
                return (
                    'cannot set a volume mount named "gcs-storage" or mounted at /data/gcs in the head container '
                    "when the embedded GCS FT backend is used - it is managed by KubeRay"
                )
        if any(v.get("name") == "gcs-storage" for v in head_pod.get("volumes") or []):
            return (
                'cannot set a volume named "gcs-storage" in the head Pod when the embedded GCS FT backend is used '
                "- it is managed by KubeRay"
            )
        return None
    if options.get("storage") is not None:
        return (
            "cannot set GcsFaultToleranceOptions.Storage when backend is 'redis' - "
            "it only applies to the 'rocksdb' backend"
        )
    return None
