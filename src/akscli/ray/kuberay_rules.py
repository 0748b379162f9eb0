"""The rules KubeRay holds a RayCluster spec to, checked before akscli sends a user's file.

KubeRay checks a RayCluster's spec only when it reconciles it, and a refusal leaves a Warning
event and no status at all (ray-project/kuberay v1.7.0 ray-operator/controllers/ray/
raycluster_controller.go rayClusterReconcile): ``ray cluster create -f FILE --wait`` then waited
for its timeout. These are utils/validation.go ValidateRayClusterSpec and
ValidateRayClusterUpgradeOptions at v1.7.0, in upstream's order and words, with the operator's
default feature gates (pkg/features/features.go: RayClusterHistoryServer, RayClusterNetworkPolicy,
RayClusterMTLS and GCSFaultToleranceEmbeddedStorage off) unless the caller knows the operator runs
with one on (then that option's content rules run: cluster_options.py for the first three), and
RayJobDeletionPolicy as the caller knows the operator's (operator_gates.py; on where not known).

Left out: "worker group X must set both minReplicas and maxReplicas": the v1.7.0 CRD defaults
both (0 and 2147483647), so the rule never fires on an object the API server stored. A value of
the wrong type is left to the API server, which refuses it against the CRD schema.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any

from akscli.kube.label_validation import label_key_errors, label_value_errors
from akscli.ray.cluster_options import FIELDS as ALPHA_FIELDS
from akscli.ray.cluster_options import go_quote, history_problem, network_policy_problem, tls_problem

# k8s.io/apimachinery v0.36.0 pkg/util/version/version.go versionMatchRE (Go's \s is [\t\n\f\r ];
# Go's "." matches no newline, and neither does Python's).
_VERSION = re.compile(r"[\t\n\f\r ]*v?([0-9]+(?:\.[0-9]+)*)(.*)")
# KubeRay v1.7.0's ray-operator/go.mod pins k8s.io/apimachinery v0.36.0: a group label's errors
# are that version's words (pkg/api/validate/content kube.go IsLabelKey, IsLabelValue).
KUBERAY_APIMACHINERY = "1.36"
_UINT64_MAX = 2**64 - 1  # strconv.ParseUint(comp, 10, 0) on a 64-bit build
AUTOSCALER_V2_ENV = "RAY_enable_autoscaler_v2"
FT_ANNOTATION = "ray.io/ft-enabled"


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _pod(template: Any) -> Mapping[str, Any]:
    return _mapping(_mapping(template).get("spec"))


def _containers(template: Any) -> list[Mapping[str, Any]]:
    containers = _pod(template).get("containers")
    return [_mapping(c) for c in containers] if isinstance(containers, list) else []


def _env(container: Mapping[str, Any], name: str) -> Mapping[str, Any] | None:
    env = container.get("env")
    return next((_mapping(e) for e in env if _mapping(e).get("name") == name), None) if isinstance(env, list) else None


def _v2_env_on(head: Mapping[str, Any]) -> bool:
    env = _env(head, AUTOSCALER_V2_ENV)
    return env is not None and env.get("value") in ("1", "true")


def parse_generic(version: str) -> list[int] | str:
    """k8s.io/apimachinery v0.36.0 (KubeRay v1.7.0 go.mod) pkg/util/version/version.go ParseGeneric
    (``parse`` with semver false): the components, or the error it returns, in its words. Leading
    white space and any text after the numbers are allowed; at least two components; a first
    component such as "02" is illegal; each component must fit a uint64."""
    match = _VERSION.fullmatch(version)
    if match is None:
        return f"could not parse {go_quote(version)} as version"
    parts = match.group(1).split(".")
    if len(parts) < 2:
        return f"illegal version string {go_quote(version)}"
    for i, comp in enumerate(parts):
        if i == 0 and comp.startswith("0") and comp != "0":
            return f"illegal zero-prefixed version component {go_quote(comp)} in {go_quote(version)}"
        if int(comp) > _UINT64_MAX:
            return (
                f"illegal non-numeric version component {go_quote(comp)} in {go_quote(version)}: "
                f"strconv.ParseUint: parsing {go_quote(comp)}: value out of range"
            )
    return [int(p) for p in parts]


def at_least(numbers: list[int], minimum: tuple[int, int, int]) -> bool:
    """Version.LessThan, negated: the comparison runs over every component, a missing one counting as 0."""
    width = max(len(numbers), len(minimum))
    return numbers + [0] * (width - len(numbers)) >= [*minimum] + [0] * (width - len(minimum))


def _group_resources(group: str, params: Mapping[str, Any], resources: Any) -> str | None:
    """validateRayGroupResources."""
    if any(params.get(k) for k in ("num-cpus", "num-gpus", "memory", "resources")) and resources:
        return (
            f"resource fields should not be set in both rayStartParams and Resources for {group} group; "
            "please use only one"
        )
    return None


def _group_labels(group: str, params: Mapping[str, Any], labels: Mapping[str, Any]) -> str | None:
    """validateRayGroupLabels."""
    if "labels" in params:
        return (
            f"rayStartParams['labels'] is not supported for {group} group; "
            "please use the top-level Labels field instead"
        )
    errors = []
    for key, value in labels.items():  # each of apimachinery's messages, as upstream joins them
        errors += [
            f"invalid label key for {group} group: '{key}', error: {e}"
            for e in label_key_errors(str(key), KUBERAY_APIMACHINERY)
        ]
        errors += [
            f"invalid label value for key '{key}' in {group} group: '{value}', error: {e}"
            for e in label_value_errors(str(value), KUBERAY_APIMACHINERY)
        ]
    return "; ".join(errors) or None


def _worker_group(group: Mapping[str, Any], spec: Mapping[str, Any], head: Mapping[str, Any]) -> str | None:
    name = group.get("groupName")
    if not _containers(group.get("template")):
        return "workerGroupSpec should have at least one container"
    lo, hi = _int(group.get("minReplicas")), _int(group.get("maxReplicas"))
    if lo is not None and lo < 0:
        return f"worker group {name} has negative minReplicas {lo}"
    if hi is not None and hi < 0:
        return f"worker group {name} has negative maxReplicas {hi}"
    if lo is not None and hi is not None and lo > hi:
        return f"worker group {name} has minReplicas {lo} greater than maxReplicas {hi}"
    params = _mapping(group.get("rayStartParams"))
    problem = _group_resources(str(name), params, group.get("resources"))
    problem = problem or _group_labels(str(name), params, _mapping(group.get("labels")))
    if problem:
        return problem
    v2 = _mapping(spec.get("autoscalerOptions")).get("version") == "v2" or _v2_env_on(head)
    idle = _int(group.get("idleTimeoutSeconds"))
    if idle is not None:  # validateWorkerGroupIdleTimeout
        if idle < 0:
            return f"worker group {name}: idleTimeoutSeconds must be non-negative, got {idle}"
        if not v2:
            return (
                f"worker group {name}: idleTimeoutSeconds is set, but autoscaler v2 is not enabled. Please set "
                ".spec.autoscalerOptions.version to 'v2' (or set RAY_enable_autoscaler_v2 environment variable to "
                "'true' in the head pod if using KubeRay < 1.4.0)"
            )
    priority = _int(group.get("priority"))
    if priority:  # validateWorkerGroupPriority
        version = str(spec.get("rayVersion") or "")
        if not version:
            return (
                f"worker group {name}: priority is set, but RayVersion was not specified. "
                "Ray version 2.56.0 or later is required"
            )
        parsed = parse_generic(version)
        if isinstance(parsed, str):
            return f"worker group {name}: priority is set, but RayVersion format is invalid: {version}, {parsed}"
        if not at_least(parsed, (2, 56, 0)):
            return f"worker group {name}: priority is set, but minimum Ray version is 2.56.0, got {version}"
        if not v2:
            return (
                f"worker group {name}: priority is set to {priority}, but autoscaler v2 is not enabled. "
                "Priority is only supported with autoscaler v2 enabled"
            )
    return None


def _gcs_ft(
    spec: Mapping[str, Any], annotations: Mapping[str, Any], head: Mapping[str, Any], embedded: bool = False
) -> str | None:
    """The GCS fault tolerance rules (utils/util.go IsGCSFaultToleranceEnabled,
    validateGcsFaultToleranceBackend; ``embedded``: its GCSFaultToleranceEmbeddedStorage gate, off
    unless the operator is known to run with it on)."""
    options = spec.get("gcsFaultToleranceOptions")
    params = _mapping(_mapping(spec.get("headGroupSpec")).get("rayStartParams"))
    if annotations.get(FT_ANNOTATION) and options is not None:
        return (
            f"{FT_ANNOTATION} annotation and GcsFaultToleranceOptions are both set. "
            "Please use only GcsFaultToleranceOptions to configure GCS fault tolerance"
        )
    enabled = str(annotations.get(FT_ANNOTATION, "")).lower() == "true" or options is not None
    if not enabled and _env(head, "RAY_REDIS_ADDRESS") is not None:
        return (
            "RAY_REDIS_ADDRESS is set which implicitly enables GCS fault tolerance, but GcsFaultToleranceOptions "
            "is not set. Please set GcsFaultToleranceOptions to enable GCS fault tolerance"
        )
    if options is not None:
        if params.get("redis-password"):
            return (
                "cannot set `redis-password` in rayStartParams when GcsFaultToleranceOptions is enabled - "
                "use GcsFaultToleranceOptions.RedisPassword instead"
            )
        for env, field in (("REDIS_PASSWORD", "RedisPassword"), ("RAY_REDIS_ADDRESS", "RedisAddress")):
            if _env(head, env) is not None:
                return (
                    f"cannot set `{env}` env var in head Pod when GcsFaultToleranceOptions is enabled - "
                    f"use GcsFaultToleranceOptions.{field} instead"
                )
        if annotations.get("ray.io/external-storage-namespace"):
            return (
                "cannot set `ray.io/external-storage-namespace` annotation when GcsFaultToleranceOptions is "
                "enabled - use GcsFaultToleranceOptions.ExternalStorageNamespace instead"
            )
        options = _mapping(options)
        if (options.get("backend") or "redis") == "rocksdb":
            if not embedded:
                return (
                    "the embedded RocksDB GCS fault tolerance backend (GcsFaultToleranceOptions.Backend: 'rocksdb') "
                    "requires the GCSFaultToleranceEmbeddedStorage feature gate to be enabled"
                )
            problem = _embedded_backend(options, head, _pod(_mapping(spec.get("headGroupSpec")).get("template")))
            if problem:
                return problem
        elif options.get("storage") is not None:
            return (
                "cannot set GcsFaultToleranceOptions.Storage when backend is 'redis' - "
                "it only applies to the 'rocksdb' backend"
            )
    if params.get("redis-username") or _env(head, "REDIS_USERNAME") is not None:
        return (
            "cannot set redis username in rayStartParams or environment variables - "
            "use GcsFaultToleranceOptions.RedisUsername instead"
        )
    return None


def _embedded_backend(options: Mapping[str, Any], head: Mapping[str, Any], head_pod: Mapping[str, Any]) -> str | None:
    """validateGcsFaultToleranceBackend's rocksdb case with the gate on (upstream: ray-project/kuberay
    v1.7.0 ray-operator/controllers/ray/utils/validation.go; names from utils/constant.go
    RAY_GCS_STORAGE, RAY_GCS_STORAGE_PATH, GCSStorageVolumeName, GCSStorageMountPath)."""
    for field, name in (
        ("redisAddress", "RedisAddress"),
        ("redisUsername", "RedisUsername"),
        ("redisPassword", "RedisPassword"),
        ("externalStorageNamespace", "ExternalStorageNamespace"),
    ):
        if options.get(field) not in (None, ""):  # a string set, or a *RedisCredential given
            return f"cannot set GcsFaultToleranceOptions.{name} when backend is 'rocksdb'"
    storage = _mapping(options.get("storage"))
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
    mounts = head.get("volumeMounts")
    mounts = mounts if isinstance(mounts, list) else []
    if any(_mapping(m).get("mountPath") == "/data/gcs" or _mapping(m).get("name") == "gcs-storage" for m in mounts):
        return (
            'cannot set a volume mount named "gcs-storage" or mounted at /data/gcs in the head container '
            "when the embedded GCS FT backend is used - it is managed by KubeRay"
        )
    volumes = head_pod.get("volumes")
    volumes = volumes if isinstance(volumes, list) else []
    if any(_mapping(v).get("name") == "gcs-storage" for v in volumes):
        return (
            'cannot set a volume named "gcs-storage" in the head Pod when the embedded GCS FT backend is used '
            "- it is managed by KubeRay"
        )
    return None


def _autoscaler(spec: Mapping[str, Any], head_pod: Mapping[str, Any], head: Mapping[str, Any]) -> str | None:
    autoscaling = spec.get("enableInTreeAutoscaling") is True
    options = _mapping(spec.get("autoscalerOptions"))
    groups = [_mapping(g) for g in spec.get("workerGroupSpecs") or [] if isinstance(g, Mapping)]
    v2_env = _env(head, AUTOSCALER_V2_ENV)
    if not autoscaling and v2_env is not None and v2_env.get("value") in ("1", "true"):
        return (
            f"environment variable {AUTOSCALER_V2_ENV} cannot be set to '{v2_env.get('value')}' when "
            "enableInTreeAutoscaling is false. Please set enableInTreeAutoscaling: true to use autoscaler v2"
        )
    if autoscaling:
        suspended = next((g for g in groups if g.get("suspend") is True), None)
        if suspended is not None:
            return f"worker group {suspended.get('groupName')} cannot be suspended with Autoscaler enabled"
        if options.get("version") and v2_env is not None:
            return (
                f"both .spec.autoscalerOptions.version and head Pod env var {AUTOSCALER_V2_ENV} are set, "
                "please only use the former"
            )
        if options.get("version") == "v2":
            if head_pod.get("restartPolicy") not in (None, "", "Never"):
                return "restartPolicy for head Pod should be Never or unset when using autoscaler V2"
            for group in groups:
                if _pod(group.get("template")).get("restartPolicy") not in (None, "", "Never"):
                    return (
                        f"restartPolicy for worker group {group.get('groupName')} should be Never or unset when "
                        "using autoscaler V2"
                    )
    idle = _int(options.get("idleTimeoutSeconds"))
    if idle is not None and idle < 0:
        return f"autoscalerOptions.idleTimeoutSeconds must be non-negative, got {idle}"
    if any(_mapping(e).get("name") == "KUBERAY_GEN_AUTOSCALER_START_CMD" for e in options.get("env") or []):
        return (
            "autoscalerOptions.env must not contain KUBERAY_GEN_AUTOSCALER_START_CMD: it is managed by KubeRay "
            "and injected automatically into the autoscaler container"
        )
    return None


def _auth_and_gates(spec: Mapping[str, Any], alpha: Collection[str], release: tuple[int, int] | None) -> str | None:
    if release is not None and release < (1, 7):  # no such fields before v1.7.0 (raycluster_types.go v1.6.2)
        spec = {k: v for k, v in spec.items() if k not in ALPHA_FIELDS}
    problem = history_problem(spec, alpha)
    if problem:
        return problem
    auth = _mapping(spec.get("authOptions"))
    k8s_auth = auth.get("enableK8sTokenAuth") is True
    if auth.get("mode") == "token":
        version = str(spec.get("rayVersion") or "")
        if not version:
            return (
                "authOptions.mode is 'token' but RayVersion was not specified. Ray version 2.52.0 or later is required"
            )
        parsed = parse_generic(version)
        if isinstance(parsed, str):
            return f"authOptions.mode is 'token' but RayVersion format is invalid: {version}, {parsed}"
        if not at_least(parsed, (2, 52, 0)):
            return f"authOptions.mode is 'token' but minimum Ray version is 2.52.0, got {version}"
        if k8s_auth and not at_least(parsed, (2, 55, 0)):
            return f"authOptions.enableK8sTokenAuth is enabled but minimum Ray version is 2.55.0, got {version}"
        if k8s_auth and auth.get("secretName"):
            return "authOptions.enableK8sTokenAuth is enabled and authOptions.secretName is also set"
    elif k8s_auth:
        return "authOptions.enableK8sTokenAuth is enabled but authOptions.mode not set to 'token'"
    return network_policy_problem(spec, alpha) or tls_problem(spec, alpha)


def _suspend_gate(spec: Mapping[str, Any], deletion: bool | None, release: tuple[int, int] | None) -> str | None:
    """ValidateRayClusterSpec's suspended-worker-group rule, with the operator's RayJobDeletionPolicy
    gate off (upstream: ray-project/kuberay v1.4.2-v1.7.0 ray-operator/controllers/ray/utils/
    validation.go; v1.3.2 words it its own way; before v1.3.0 a worker group has no suspend,
    apis/ray/v1/raycluster_types.go at v1.2.2). Only where the gate is known off."""
    groups = [_mapping(g) for g in spec.get("workerGroupSpecs") or [] if isinstance(g, Mapping)]
    suspended = next((g for g in groups if g.get("suspend") is True), None)
    if suspended is None or deletion is not False or (release is not None and release < (1, 3)):
        return None
    if release == (1, 3):
        return "suspending worker groups is currently available when the RayJobDeletionPolicy feature gate is enabled"
    return (
        f"worker group {suspended.get('groupName')} can be suspended only when the RayJobDeletionPolicy "
        "feature gate is enabled"
    )


def cluster_spec_problem(
    spec: Mapping[str, Any],
    annotations: Mapping[str, Any],
    deletion: bool | None = None,
    release: tuple[int, int] | None = None,
    embedded: bool | None = None,
    alpha: Collection[str] = (),
) -> str | None:
    """utils/validation.go ValidateRayClusterSpec: the first rule ``spec`` breaks, in KubeRay's words.
    ``deletion``, ``release``: the operator's RayJobDeletionPolicy gate and (major, minor) release,
    None where not known (then the gate is taken as on). ``alpha``: which of RayClusterHistoryServer,
    RayClusterNetworkPolicy and RayClusterMTLS the operator is known to run with (cluster_options.py;
    the others are taken as off, their default)."""
    head_group = _mapping(spec.get("headGroupSpec"))
    containers = _containers(head_group.get("template"))
    if not containers:
        return "headGroupSpec should have at least one container"
    head, head_pod = containers[0], _pod(head_group.get("template"))
    params = _mapping(head_group.get("rayStartParams"))
    problem = _group_resources("Head", params, head_group.get("resources"))
    problem = problem or _group_labels("Head", params, _mapping(head_group.get("labels")))
    if problem:
        return problem
    for group in spec.get("workerGroupSpecs") or []:
        problem = _worker_group(_mapping(group), spec, head)
        if problem:
            return problem
    return (
        _gcs_ft(spec, annotations, head, embedded is True)
        or _suspend_gate(spec, deletion, release)
        or _autoscaler(spec, head_pod, head)
        or _auth_and_gates(spec, alpha, release)
    )


def upgrade_problem(cluster: Mapping[str, Any]) -> str | None:
    """utils/validation.go ValidateRayClusterUpgradeOptions."""
    kind = _mapping(_mapping(cluster.get("spec")).get("upgradeStrategy")).get("type")
    if kind is None:
        return None
    if kind not in ("Recreate", "None"):
        return (
            f"The RayCluster spec is invalid: Spec.UpgradeStrategy.Type value {kind} is invalid, "
            "valid options are Recreate or None"
        )
    creator = _mapping(_mapping(cluster.get("metadata")).get("labels")).get("ray.io/originated-from-crd")
    if creator in ("RayJob", "RayService"):
        return f"upgradeStrategy cannot be set when RayCluster is created by {creator}"
    return None
