"""The rules KubeRay holds a whole RayService or RayJob to, and the check that refuses what
``akscli apply -f`` would send and KubeRay would refuse.

KubeRay checks these only when it reconciles: a refusal is a Warning event (InvalidRayServiceSpec,
InvalidRayJobSpec, InvalidRayClusterSpec) and nothing else, so a wait runs to its timeout. The
rules are ray-project/kuberay feeaf72f ray-operator/controllers/ray/utils/validation.go
ValidateRayServiceSpec, ValidateClusterUpgradeOptions and ValidateRayJobSpec, in upstream's order
and words, with feeaf72f's default feature gates (pkg/features/features.go: SidecarSubmitterRestart
off) except the two read from the operator below. The
RayCluster rules they include are kuberay_rules.py's (one copy).

Also ValidateRayJobMetadata and ValidateRayServiceMetadata (name length, DNS-1035 label, the
ray.io/initializing-timeout annotation), the deletionStrategy rules (validateDeletionConfiguration)
and runtimeEnvYAML's YAML check. The incremental-upgrade rules depend on the operator's
RayServiceIncrementalUpgrade gate (off in v1.5.x-v1.6.x, on from v1.7.0): they are checked only
when the gate is known (``incremental_gate``, from the operator pod); a file alone does not tell it.
RayJobDeletionPolicy (off in v1.3.x-v1.5.x, on from v1.6.0) likewise: a deletionStrategy, or a
suspended worker group, is refused only when the operator is known to run with it off. With the
operator's release known, a deletionStrategy is ignored before v1.5.0 and v1.3.x/v1.4.x's
spec.deletionPolicy rules apply (operator_gates.py reads both from the operator's pod).
A value of the wrong type is left to the API server, which refuses it against the CRD schema.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Collection, Iterable, Mapping
from typing import Any

import yaml

from akscli.errors import UsageError
from akscli.ray.cluster_options import FIELDS as ALPHA_FIELDS
from akscli.ray.job import interactive_hint
from akscli.ray.kuberay_rules import cluster_spec_problem, upgrade_problem
from akscli.ray.operator_gates import container_gates, operator_gates
from akscli.ray.service import INCREMENTAL_UPGRADE, serve_port_problem
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


def service_spec_problem(
    service: Mapping[str, Any],
    incremental: bool | None = True,
    deletion: bool | None = None,
    release: tuple[int, int] | None = None,
    embedded: bool | None = None,
    alpha: Collection[str] = (),
) -> str | None:
    """utils/validation.go ValidateRayServiceSpec: the first rule the RayService breaks, in KubeRay's words.
    ``incremental``: the operator's RayServiceIncrementalUpgrade gate; None (unknown) skips its rules.
    ``deletion``, ``release``: its RayJobDeletionPolicy gate and release (kuberay_rules.cluster_spec_problem)."""
    spec = _mapping(service.get("spec"))
    cluster = _mapping(spec.get("rayClusterConfig"))
    if _k8s_auth(cluster):
        return _SERVICE_INVALID + "K8s token auth mode is currently not supported for RayService"
    problem = cluster_spec_problem(
        cluster, _mapping(_mapping(service.get("metadata")).get("annotations")), deletion, release, embedded, alpha
    )
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
    if kind == INCREMENTAL_UPGRADE and incremental:  # utils/util.go IsIncrementalUpgradeEnabled
        problem = upgrade_options_problem(cluster, strategy)
        if problem:
            return _SERVICE_INVALID + problem
    return None


def job_spec_problem(
    job: Mapping[str, Any],
    deletion: bool | None = None,
    release: tuple[int, int] | None = None,
    embedded: bool | None = None,
    alpha: Collection[str] = (),
) -> str | None:
    """utils/validation.go ValidateRayJobSpec (less what the module's docstring leaves out): the
    first rule the RayJob breaks, in KubeRay's words. ``deletion``: the operator's
    RayJobDeletionPolicy gate (None: not known, taken as on); ``release``: its (major, minor)
    release (None: not known, taken as the latest)."""
    spec = _mapping(job.get("spec"))
    if release is not None and release < (1, 5):  # no deletionStrategy before v1.5.0 (rayjob_types.go v1.4.2)
        spec = {k: v for k, v in spec.items() if k != "deletionStrategy"}
    shutdown = spec.get("shutdownAfterJobFinishes") is True
    selector = _mapping(spec.get("clusterSelector"))
    mode = spec.get("submissionMode") or "K8sJobMode"
    ttl, backoff = _int(spec.get("ttlSecondsAfterFinished")) or 0, _int(spec.get("backoffLimit"))
    if spec.get("suspend") is True and not shutdown:
        return _JOB_INVALID + "a RayJob with shutdownAfterJobFinishes set to false is not allowed to be suspended"
    if ttl < 0:
        return _JOB_INVALID + "TTLSecondsAfterFinished must be a non-negative integer"
    problem = deletion_problem(spec, shutdown, ttl, deletion is not False)
    if problem:
        return problem
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
        problem = cluster_spec_problem(
            cluster, _mapping(_mapping(job.get("metadata")).get("annotations")), deletion, release, embedded, alpha
        )
        if problem:
            return _JOB_INVALID + problem
    runtime_env = spec.get("runtimeEnvYAML")
    if isinstance(runtime_env, str):  # dashboardclient/dashboard_httpclient.go UnmarshalRuntimeEnvYAML
        try:
            parsed = yaml.safe_load(runtime_env)
        except yaml.YAMLError as exc:
            return f"failed to unmarshal RuntimeEnvYAML: {_yaml_problem(exc)}"
        if parsed is not None and not isinstance(parsed, Mapping):  # into a map (RuntimeEnvType)
            return f"failed to unmarshal RuntimeEnvYAML: a map is needed, got {type(parsed).__name__}"
    for field in ("activeDeadlineSeconds", "preRunningDeadlineSeconds"):
        value = _int(spec.get(field))
        if value is not None and value <= 0:
            return _JOB_INVALID + f"{field} must be a positive integer"
    if backoff is not None and backoff < 0:
        return _JOB_INVALID + "backoffLimit must be a positive integer"
    if release in ((1, 3), (1, 4)) and spec.get("deletionPolicy") is not None:
        return _deletion_policy_problem(spec, cluster, deletion is not False)
    return None


# utils/constant.go MaxRayClusterNameLength 53, less 6 for a RayService's or RayJob's cluster suffix.
_MAX_CLUSTER_NAME = 53
_MAX_NAME = _MAX_CLUSTER_NAME - 6
_DNS1035 = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?\Z")  # k8s.io/apimachinery validation.IsDNS1035Label
_TIMEOUT = "ray.io/initializing-timeout"  # utils/constant.go RayServiceInitializingTimeoutAnnotation
# Go's time.ParseDuration: signed, one or more decimal numbers each with a unit, or a bare 0.
_GO_DURATION = re.compile(r"[-+]?(0|((\d+\.?\d*|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h))+)\Z")


def metadata_problem(kind: str, metadata: Mapping[str, Any]) -> str | None:
    """utils/validation.go ValidateRayJobMetadata / ValidateRayServiceMetadata /
    ValidateRayClusterMetadata, in KubeRay's words (a RayCluster's carry no "metadata is invalid"
    prefix upstream; the event does: raycluster_controller.go "The RayCluster metadata is invalid")."""
    invalid, name = f"The {kind} metadata is invalid: ", str(metadata.get("name") or "")
    longest = _MAX_CLUSTER_NAME if kind == "RayCluster" else _MAX_NAME
    if len(name) > longest:
        return invalid + f"{kind} name should be no more than {longest} characters"
    if len(name) > 63 or not _DNS1035.match(name):
        return (
            invalid
            + f"{kind} name should be a valid DNS1035 label: lowercase letters, digits and '-', starting with a letter"
        )
    timeout = _mapping(metadata.get("annotations")).get(_TIMEOUT) if kind == "RayService" else None
    if not isinstance(timeout, str) or not timeout:
        return None
    bad = invalid + "RayService annotations is invalid: annotation " + _TIMEOUT
    if _GO_DURATION.match(timeout):  # validateInitializingTimeout: a Go duration first
        positive = timeout[0] != "-" and any(c in "123456789" for c in timeout)
        return None if positive else f"{bad} must be a positive duration, got: {timeout}"
    if re.fullmatch(r"[-+]?\d+", timeout):  # then strconv.Atoi seconds
        return None if int(timeout) > 0 else f"{bad} must be a positive integer (seconds), got: {timeout}"
    return (
        f"{bad} has invalid format: {timeout}. "
        "Expected Go duration format (e.g., '5m', '1h') or positive integer seconds"
    )


def _legacy_deletion_problem(spec: Mapping[str, Any], strategy: Mapping[str, Any], shutdown: bool) -> str | None:
    """utils/validation.go validateLegacyDeletionPolicies (onSuccess/onFailure)."""
    on_success, on_failure = strategy.get("onSuccess"), strategy.get("onFailure")
    if on_success is None or on_failure is None:
        return (
            "both DeletionStrategy.OnSuccess and DeletionStrategy.OnFailure must be set when using the legacy "
            "deletion policy fields of DeletionStrategy"
        )
    policies = {}
    for field, words in (("onSuccess", "OnSuccess"), ("onFailure", "OnFailure")):
        policies[field] = _mapping(strategy.get(field)).get("policy")
        if policies[field] is None:
            return (
                f"the DeletionPolicyType field of DeletionStrategy.{words} "
                "cannot be unset when DeletionStrategy is enabled"
            )
    if _mapping(spec.get("clusterSelector")):
        for field, words in (("onSuccess", "success"), ("onFailure", "failure")):
            if policies[field] in ("DeleteCluster", "DeleteWorkers"):
                return f"the ClusterSelector mode doesn't support DeletionStrategy={policies[field]} on {words}"
    autoscaled = _mapping(spec.get("rayClusterSpec")).get("enableInTreeAutoscaling") is True
    if "DeleteWorkers" in policies.values() and autoscaled:
        return "DeletionStrategy=DeleteWorkers currently does not support RayCluster with autoscaling enabled"
    if shutdown and "DeleteNone" in policies.values():  # upstream's spelling, "Finshes"
        return _JOB_INVALID + "shutdownAfterJobFinshes is set to 'true' while deletion policy is 'DeleteNone'"
    return None


def _deletion_rules_problem(spec: Mapping[str, Any], rules: list[Any]) -> str | None:
    """utils/validation.go validateDeletionRules, validateDeletionCondition, validateTTLConsistency:
    the first of the errors upstream joins (errors.Join, one per line)."""
    selector = bool(_mapping(spec.get("clusterSelector")))
    autoscaled = _mapping(spec.get("rayClusterSpec")).get("enableInTreeAutoscaling") is True
    grouped: dict[tuple[str, str], dict[str, int]] = {}
    problems: list[str] = []
    for i, rule in enumerate(_mapping(r) for r in rules):
        condition, policy = _mapping(rule.get("condition")), rule.get("policy")
        status, deployment = condition.get("jobStatus"), condition.get("jobDeploymentStatus")
        if status is not None and deployment is not None:
            problems.append(f"deletionRules[{i}]: cannot set both JobStatus and JobDeploymentStatus at the same time")
        elif status is None and deployment is None:
            problems.append(f"deletionRules[{i}]: exactly one of JobStatus and JobDeploymentStatus must be set")
        elif (_int(condition.get("ttlSeconds")) or 0) < 0:
            problems.append(f"deletionRules[{i}]: TTLSeconds must be non-negative")
        elif selector and policy in ("DeleteCluster", "DeleteWorkers"):
            problems.append(
                f"deletionRules[{i}]: DeletionPolicyType '{policy}' not supported when ClusterSelector is set"
            )
        elif autoscaled and policy == "DeleteWorkers":
            problems.append(
                f"deletionRules[{i}]: DeletionPolicyType 'DeleteWorkers' not supported with autoscaling enabled"
            )
        else:
            key = ("JobStatus", str(status)) if status is not None else ("JobDeploymentStatus", str(deployment))
            ttls = grouped.setdefault(key, {})
            if policy in ttls:
                problems.append(
                    f"deletionRules[{i}]: duplicate rule for DeletionPolicyType '{policy}' and {key[0]} '{key[1]}'"
                )
            else:
                ttls[str(policy)] = _int(condition.get("ttlSeconds")) or 0
    for (field, value), ttls in grouped.items():
        order = [(p, ttls[p]) for p in ("DeleteWorkers", "DeleteCluster", "DeleteSelf") if p in ttls]
        for (before, low), (policy, ttl) in itertools.pairwise(order):
            if ttl < low:
                problems.append(f"for {field} '{value}': {policy} TTL ({ttl}) must be >= {before} TTL ({low})")
    return problems[0] if problems else None


def _deletion_policy_problem(spec: Mapping[str, Any], cluster: Mapping[str, Any], gate: bool) -> str | None:
    """ray-project/kuberay v1.3.2 and v1.4.2 ray-operator/controllers/ray/utils/validation.go
    ValidateRayJobSpec's last rules, on spec.deletionPolicy (a field of those releases only,
    apis/ray/v1/rayjob_types.go; v1.5.0 replaced it with deletionStrategy). Unwrapped: those
    releases' controllers put "The RayJob spec is invalid" in the event, not the error."""
    policy = spec.get("deletionPolicy")
    if not gate:
        return "RayJobDeletionPolicy feature gate must be enabled to use the DeletionPolicy feature"
    if _mapping(spec.get("clusterSelector")) and policy in ("DeleteCluster", "DeleteWorkers"):
        return f"the ClusterSelector mode doesn't support DeletionPolicy={policy}"
    # utils/util.go IsAutoscalingEnabled
    if policy == "DeleteWorkers" and cluster.get("enableInTreeAutoscaling") is True:
        return "DeletionPolicy=DeleteWorkers currently does not support RayCluster with autoscaling enabled"
    if spec.get("shutdownAfterJobFinishes") is True and policy == "DeleteNone":
        return "shutdownAfterJobFinshes is set to 'true' while deletion policy is 'DeleteNone'"
    return None


def deletion_problem(spec: Mapping[str, Any], shutdown: bool, ttl: int, gate: bool = True) -> str | None:
    """utils/validation.go validateDeletionConfiguration; ``gate``: RayJobDeletionPolicy (its default
    is on from v1.6.0, off in v1.3.x-v1.5.x: pkg/features/features.go)."""
    if not shutdown and ttl > 0:
        return _JOB_INVALID + "a RayJob with shutdownAfterJobFinishes set to false cannot have TTLSecondsAfterFinished"
    strategy = spec.get("deletionStrategy")
    if not isinstance(strategy, Mapping):
        return None
    if not gate:  # ray-project/kuberay v1.5.0-v1.7.0 utils/validation.go validateDeletionConfiguration
        return "RayJobDeletionPolicy feature gate must be enabled to use DeletionStrategy"
    legacy = strategy.get("onSuccess") is not None or strategy.get("onFailure") is not None
    rules = strategy.get("deletionRules") if isinstance(strategy.get("deletionRules"), list) else []
    if rules and shutdown:
        return (
            _JOB_INVALID
            + "spec.shutdownAfterJobFinishes and spec.deletionStrategy.deletionRules are mutually exclusive"
        )
    if rules and legacy:
        return _JOB_INVALID + "Cannot use both legacy onSuccess/onFailure fields and deletionRules simultaneously"
    if legacy:
        return _legacy_deletion_problem(spec, strategy, shutdown)
    if rules:
        return _deletion_rules_problem(spec, rules)
    return _JOB_INVALID + (
        "DeletionStrategy requires either BOTH onSuccess and onFailure, OR the deletionRules field (cannot be empty)"
    )


def object_problem(
    obj: Mapping[str, Any],
    incremental: bool | None = None,
    deletion: bool | None = None,
    release: tuple[int, int] | None = None,
    embedded: bool | None = None,
    alpha: Collection[str] = (),
) -> str | None:
    """Why KubeRay would refuse a ray.io/v1 RayCluster, RayService or RayJob, or None.
    ``incremental``, ``deletion``: the operator's RayServiceIncrementalUpgrade and
    RayJobDeletionPolicy gates (None: not known); ``release``: its release (None: not known);
    ``embedded``, ``alpha``: its GCSFaultToleranceEmbeddedStorage gate and which of v1.7's Alpha
    RayCluster gates it runs with on (kuberay_rules.cluster_spec_problem).

    Only an object that carries its whole spec is checked (a RayCluster with headGroupSpec, a
    RayService with rayClusterConfig, a RayJob with rayClusterSpec or clusterSelector): server-side
    apply merges a partial file into the stored object, which KubeRay then checks whole."""
    if obj.get("apiVersion") != RAY_API:
        return None
    spec = _mapping(obj.get("spec"))
    kind = obj.get("kind")
    if kind in ("RayCluster", "RayService", "RayJob"):  # each controller: metadata before spec
        problem = metadata_problem(str(kind), _mapping(obj.get("metadata")))
        if problem:
            return problem
    if kind == "RayCluster" and "headGroupSpec" in spec:
        annotations = _mapping(_mapping(obj.get("metadata")).get("annotations"))
        return cluster_spec_problem(spec, annotations, deletion, release, embedded, alpha) or upgrade_problem(obj)
    if kind == "RayService" and "rayClusterConfig" in spec:
        return service_spec_problem(obj, incremental, deletion, release, embedded, alpha)
    if kind == "RayJob" and ("rayClusterSpec" in spec or "clusterSelector" in spec):
        return job_spec_problem(obj, deletion, release, embedded, alpha)
    return None


_GATE = "RayServiceIncrementalUpgrade"
DELETION_GATE = "RayJobDeletionPolicy"


def operator_gate(container: Mapping[str, Any], gate: str) -> bool | None:
    """A gate of the KubeRay operator ``container`` runs (operator_gates.container_gates): its
    --feature-gates, else its release's default; None when akscli cannot know (no release tag,
    or a flag the operator refuses, so it does not run)."""
    return container_gates(container).gate(gate)


def incremental_gate(container: Mapping[str, Any]) -> bool | None:
    """``operator_gate`` for RayServiceIncrementalUpgrade."""
    return operator_gate(container, _GATE)


def operator_incremental_gate(kube: Any) -> bool | None:
    """The RayServiceIncrementalUpgrade gate of the operator on the cluster (operator_gates)."""
    return operator_gates(kube).gate(_GATE)


def uses_gates(obj: Mapping[str, Any]) -> bool:
    """Whether KubeRay's rules for ``obj`` depend on the operator's gates or release: a RayService
    asking for NewClusterWithIncrementalUpgrade, a RayJob with a deletionStrategy or a
    deletionPolicy, or a suspended worker group, the embedded RocksDB GCS backend, historyServerOptions,
    networkPolicy or tlsOptions in any Ray object's cluster spec."""
    if obj.get("apiVersion") != RAY_API:
        return False
    spec = _mapping(obj.get("spec"))
    kind = obj.get("kind")
    if kind == "RayService" and _mapping(spec.get("upgradeStrategy")).get("type") == INCREMENTAL_UPGRADE:
        return True
    if kind == "RayJob" and (spec.get("deletionStrategy") is not None or spec.get("deletionPolicy") is not None):
        return True
    cluster = {"RayCluster": spec, "RayJob": spec.get("rayClusterSpec"), "RayService": spec.get("rayClusterConfig")}
    cluster_spec = _mapping(cluster.get(str(kind)))
    if _mapping(cluster_spec.get("gcsFaultToleranceOptions")).get("backend") == "rocksdb":
        return True
    if any(cluster_spec.get(f) is not None for f in ALPHA_FIELDS):  # cluster_options.py
        return True
    groups = cluster_spec.get("workerGroupSpecs")
    return isinstance(groups, list) and any(_mapping(g).get("suspend") is True for g in groups)


def check_objects(
    objects: Iterable[Mapping[str, Any]],
    incremental: bool | None = None,
    deletion: bool | None = None,
    release: tuple[int, int] | None = None,
    embedded: bool | None = None,
    alpha: Collection[str] = (),
) -> None:
    """Raise UsageError, one line, for the first object KubeRay would refuse (``object_problem``).
    An object with a field of the wrong type is left to the policy check's akscli.shapes, which names it."""
    from akscli import shapes

    for obj in objects:
        problem = object_problem(obj, incremental, deletion, release, embedded, alpha)
        if problem is None:
            problem = serve_port_problem(obj, incremental) if _whole_service(obj) else None
            if problem is None or shapes.problem(obj):
                continue
            raise UsageError(
                f"rayservice/{_mapping(obj.get('metadata')).get('name')}: KubeRay cannot make this RayService's "
                f"serve Service: {problem}",
                hint=(
                    "name the head container's Ray Serve port serve (containerPort 8000 unless Serve listens "
                    "elsewhere), or list no ports and KubeRay adds its defaults; KubeRay records no event for "
                    "this, and the RayService would never become ready"
                ),
            )
        if shapes.problem(obj):
            continue
        kind = str(obj["kind"])
        name = _mapping(obj.get("metadata")).get("name")
        part = "metadata" if problem.startswith(f"The {kind} metadata") else "spec"
        problem = problem.removeprefix(f"The {kind} spec is invalid: ").removeprefix(
            f"The {kind} metadata is invalid: "
        )
        event = f"Invalid{kind}Metadata" if part == "metadata" else _EVENT[kind]  # utils/constant.go
        raise UsageError(
            f"{kind.lower()}/{name}: KubeRay refuses this {kind} {part}: {problem}",
            hint=f"fix the file: KubeRay would only record a Warning event ({event}) and act on none of it",
        )


def _whole_service(obj: Mapping[str, Any]) -> bool:
    """A ray.io/v1 RayService that carries its rayClusterConfig (as object_problem checks)."""
    return (
        obj.get("apiVersion") == RAY_API
        and obj.get("kind") == "RayService"
        and "rayClusterConfig" in _mapping(obj.get("spec"))
    )


# upstream: ray-project/kuberay v1.7.0 ray-operator/controllers/ray/utils/validation.go
# ValidateRayJobStatus, the third rule of rayjob_controller.go validateRayJob (every pass).
WAITING_RULE = "JobDeploymentStatus cannot be `Waiting` when SubmissionMode is not InteractiveMode"


def check_job_status(current: Mapping[str, Any], applied: Mapping[str, Any]) -> None:
    """Raise UsageError, one line, for a change KubeRay would refuse against the stored RayJob's
    status: a job Waiting for its job ID (InteractiveMode) given another ``submissionMode``
    (``applied``: the server's answer, the CRD's default K8sJobMode filled in). KubeRay checks the
    status after the metadata and the spec and then ends the job ValidationFailed, which no later
    change undoes (rayjob_controller.go Reconcile has no case for it: the job stays so)."""
    if applied.get("apiVersion") != RAY_API or applied.get("kind") != "RayJob":
        return
    deployment = _mapping(current.get("status")).get("jobDeploymentStatus")
    mode = _mapping(applied.get("spec")).get("submissionMode") or "K8sJobMode"
    if deployment != "Waiting" or mode == "InteractiveMode":
        return
    meta = _mapping(applied.get("metadata"))
    name, ns = meta.get("name"), meta.get("namespace")
    raise UsageError(
        f"rayjob/{name}: KubeRay refuses this RayJob status: {WAITING_RULE} (the job is Waiting for the ID "
        f"of the job submitted to its cluster, and this sets submissionMode {mode})",
        hint=(
            f"keep submissionMode: InteractiveMode ({interactive_hint(str(name), str(ns))}), or delete the RayJob "
            "and apply it anew: KubeRay would end it ValidationFailed for good (Warning event InvalidRayJobStatus)"
        ),
    )


def _yaml_problem(exc: Exception) -> str:
    """Where runtimeEnvYAML broke and what broke, in the words of the YAML reader upstream uses
    (k8s.io/apimachinery pkg/util/yaml Unmarshal, through sigs.k8s.io/yaml: "error converting YAML
    to JSON: yaml: line N: ..."). Upstream's message also quotes the whole text (UnmarshalRuntimeEnvYAML's
    ``%v``), and PyYAML's own quotes the line it broke on (Mark.get_snippet): the text holds the
    job's ``env_vars``, tokens among them (akscli.printable.masked_env), so neither is shown."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or getattr(exc, "context", None) or "cannot be read"
    line = f"line {mark.line + 1}: " if mark is not None else ""
    return f"error converting YAML to JSON: yaml: {line}{problem}"
