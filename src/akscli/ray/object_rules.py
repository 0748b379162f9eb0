"""The rules KubeRay holds a whole RayService or RayJob to, and the check that refuses what
``akscli apply -f`` would send and KubeRay would refuse.

KubeRay checks these only when it reconciles: a refusal is a Warning event (InvalidRayServiceSpec,
InvalidRayJobSpec, InvalidRayClusterSpec) and nothing else, so a wait runs to its timeout. The
rules are ray-project/kuberay feeaf72f ray-operator/controllers/ray/utils/validation.go
ValidateRayServiceSpec, ValidateClusterUpgradeOptions and ValidateRayJobSpec, in upstream's order
and words, with the operator's default feature gates (pkg/features/features.go:
RayServiceIncrementalUpgrade and RayJobDeletionPolicy on, SidecarSubmitterRestart off). The
RayCluster rules they include are kuberay_rules.py's (one copy).

Left out of ValidateRayJobSpec: the deletionStrategy rules (validateDeletionConfiguration past
its first TTL rule) and runtimeEnvYAML's YAML check; KubeRay still refuses those. A value of the
wrong type is left to the API server, which refuses it against the CRD schema.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from akscli.errors import UsageError
from akscli.ray.kuberay_rules import cluster_spec_problem, upgrade_problem
from akscli.ray.service import INCREMENTAL_UPGRADE
from akscli.ray.spec import RAY_API

_SERVICE_INVALID = "The RayService spec is invalid: "
_JOB_INVALID = "The RayJob spec is invalid: "
# utils/constant.go: the Warning event each controller records for a refused spec.
_EVENT = {"RayCluster": "InvalidRayClusterSpec", "RayService": "InvalidRayServiceSpec", "RayJob": "InvalidRayJobSpec"}


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _wrong_type(*values: Any) -> bool:
    """A value set but not an integer: the API server refuses it (CRD schema) before KubeRay sees it."""
    return any(v is not None and _int(v) is None for v in values)


def _k8s_auth(cluster_spec: Mapping[str, Any]) -> bool:
    """utils/util.go IsK8sAuthEnabled."""
    return _mapping(cluster_spec.get("authOptions")).get("enableK8sTokenAuth") is True


def upgrade_options_problem(cluster_spec: Mapping[str, Any], strategy: Mapping[str, Any]) -> str | None:
    """utils/validation.go ValidateClusterUpgradeOptions, for a RayService whose upgradeStrategy is
    ``strategy`` and whose rayClusterConfig is ``cluster_spec`` (utils/util.go IsAutoscalingEnabled;
    maxSurgePercent defaults to 100 in the CRD, ray.io_rayservices.yaml)."""
    if cluster_spec.get("enableInTreeAutoscaling") is not True:
        return "Ray Autoscaler is required for NewClusterWithIncrementalUpgrade"
    options = strategy.get("clusterUpgradeOptions")
    if not isinstance(options, Mapping):
        return "ClusterUpgradeOptions are required for NewClusterWithIncrementalUpgrade"
    surge, step = options.get("maxSurgePercent"), options.get("stepSizePercent")
    interval = options.get("intervalSeconds")
    if _wrong_type(surge, step, interval):
        return None
    surge = 100 if surge is None else surge
    if not 0 <= surge <= 100:
        return "maxSurgePercent must be between 0 and 100"
    if step is None or not 0 <= step <= 100:
        return "stepSizePercent must be between 0 and 100"
    if step > surge:
        return "stepSizePercent must be less than or equal to maxSurgePercent"
    if interval is None or interval <= 0:
        return "intervalSeconds must be greater than 0"
    if not options.get("gatewayClassName"):
        return "gatewayClassName is required for NewClusterWithIncrementalUpgrade"
    return None


def service_spec_problem(service: Mapping[str, Any]) -> str | None:
    """utils/validation.go ValidateRayServiceSpec: the first rule the RayService breaks, in KubeRay's words."""
    spec = _mapping(service.get("spec"))
    cluster = _mapping(spec.get("rayClusterConfig"))
    if _k8s_auth(cluster):
        return _SERVICE_INVALID + "K8s token auth mode is currently not supported for RayService"
    problem = cluster_spec_problem(cluster, _mapping(_mapping(service.get("metadata")).get("annotations")))
    if problem:
        return _SERVICE_INVALID + problem
    head_service = _mapping(_mapping(cluster.get("headGroupSpec")).get("headService"))
    if _mapping(head_service.get("metadata")).get("name"):
        return _SERVICE_INVALID + "spec.rayClusterConfig.headGroupSpec.headService.metadata.name should not be set"
    strategy = _mapping(spec.get("upgradeStrategy"))
    kind = strategy.get("type")
    if kind is not None and kind not in (INCREMENTAL_UPGRADE, "NewCluster", "None"):
        return _SERVICE_INVALID + (
            f"Spec.UpgradeStrategy.Type value {kind} is invalid, valid options are "
            f"{INCREMENTAL_UPGRADE}, NewCluster, or None"
        )
    delay = _int(spec.get("rayClusterDeletionDelaySeconds"))
    if delay is not None and delay < 0:
        return _SERVICE_INVALID + f"Spec.RayClusterDeletionDelaySeconds should be a non-negative integer, got {delay}"
    if kind == INCREMENTAL_UPGRADE:  # IsIncrementalUpgradeEnabled: its gate is on by default
        problem = upgrade_options_problem(cluster, strategy)
        if problem:
            return _SERVICE_INVALID + problem
    return None


def job_spec_problem(job: Mapping[str, Any]) -> str | None:
    """utils/validation.go ValidateRayJobSpec (less what the module's docstring leaves out): the
    first rule the RayJob breaks, in KubeRay's words."""
    spec = _mapping(job.get("spec"))
    shutdown = spec.get("shutdownAfterJobFinishes") is True
    selector = _mapping(spec.get("clusterSelector"))
    mode = spec.get("submissionMode") or "K8sJobMode"
    ttl, backoff = _int(spec.get("ttlSecondsAfterFinished")) or 0, _int(spec.get("backoffLimit"))
    if spec.get("suspend") is True and not shutdown:
        return _JOB_INVALID + "a RayJob with shutdownAfterJobFinishes set to false is not allowed to be suspended"
    if ttl < 0:
        return _JOB_INVALID + "TTLSecondsAfterFinished must be a non-negative integer"
    if not shutdown and ttl > 0:  # validateDeletionConfiguration's first rule
        return _JOB_INVALID + "a RayJob with shutdownAfterJobFinishes set to false cannot have TTLSecondsAfterFinished"
    if spec.get("suspend") is True and selector:
        return _JOB_INVALID + "the ClusterSelector mode doesn't support the suspend operation"
    cluster = spec.get("rayClusterSpec")
    if cluster is None and not selector:
        return _JOB_INVALID + "one of RayClusterSpec or ClusterSelector must be set"
    if selector:
        if not selector.get("ray.io/cluster"):  # utils/constant.go RayJobClusterSelectorKey
            return "cluster name in ClusterSelector should not be empty"
        if mode == "SidecarMode":
            return "ClusterSelector is not supported in SidecarMode"
        if backoff is not None and backoff > 0:
            return _JOB_INVALID + "BackoffLimit is incompatible with ClusterSelector mode"
    if mode == "InteractiveMode" and backoff is not None and backoff > 0:
        return _JOB_INVALID + "BackoffLimit is incompatible with InteractiveMode"
    cluster = _mapping(cluster)
    if mode == "SidecarMode":
        if spec.get("submitterPodTemplate") is not None:
            return "Currently, SidecarMode doesn't support SubmitterPodTemplate"
        if spec.get("submitterConfig") is not None:
            return "Currently, SidecarMode doesn't support SubmitterConfig"
        head_pod = _mapping(_mapping(_mapping(cluster.get("headGroupSpec")).get("template")).get("spec"))
        if head_pod.get("restartPolicy") not in (None, "", "Never"):
            return "restartPolicy for head Pod should be Never or unset when using SidecarMode"
    if spec.get("rayClusterSpec") is not None:
        if _k8s_auth(cluster):
            return _JOB_INVALID + "K8s token auth mode is currently not supported for RayJob"
        problem = cluster_spec_problem(cluster, _mapping(_mapping(job.get("metadata")).get("annotations")))
        if problem:
            return _JOB_INVALID + problem
    for field in ("activeDeadlineSeconds", "preRunningDeadlineSeconds"):
        value = _int(spec.get(field))
        if value is not None and value <= 0:
            return _JOB_INVALID + f"{field} must be a positive integer"
    if backoff is not None and backoff < 0:
        return _JOB_INVALID + "backoffLimit must be a positive integer"
    return None


def object_problem(obj: Mapping[str, Any]) -> str | None:
    """Why KubeRay would refuse a ray.io/v1 RayCluster, RayService or RayJob, or None.

    Only an object that carries its whole spec is checked (a RayCluster with headGroupSpec, a
    RayService with rayClusterConfig, a RayJob with rayClusterSpec or clusterSelector): server-side
    apply merges a partial file into the stored object, which KubeRay then checks whole."""
    if obj.get("apiVersion") != RAY_API:
        return None
    spec = _mapping(obj.get("spec"))
    kind = obj.get("kind")
    if kind == "RayCluster" and "headGroupSpec" in spec:
        annotations = _mapping(_mapping(obj.get("metadata")).get("annotations"))
        return cluster_spec_problem(spec, annotations) or upgrade_problem(obj)
    if kind == "RayService" and "rayClusterConfig" in spec:
        return service_spec_problem(obj)
    if kind == "RayJob" and ("rayClusterSpec" in spec or "clusterSelector" in spec):
        return job_spec_problem(obj)
    return None


def check_objects(objects: Iterable[Mapping[str, Any]]) -> None:
    """Raise UsageError, one line, for the first object KubeRay would refuse (``object_problem``).
    An object with a field of the wrong type is left to the policy check's akscli.shapes, which names it."""
    from akscli import shapes

    for obj in objects:
        problem = object_problem(obj)
        if problem is None or shapes.problem(obj):
            continue
        kind = str(obj["kind"])
        name = _mapping(obj.get("metadata")).get("name")
        problem = problem.removeprefix(f"The {kind} spec is invalid: ")
        raise UsageError(
            f"{kind.lower()}/{name}: KubeRay refuses this {kind} spec: {problem}",
            hint=f"fix the file: KubeRay would only record a Warning event ({_EVENT[kind]}) and act on none of it",
        )
