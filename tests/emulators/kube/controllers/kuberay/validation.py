"""ValidateRayClusterSpec, for RayClusters, RayJob cluster specs and RayService cluster configs.

upstream: ray-project/kuberay v1.7.0 (59d663ae) ray-operator/controllers/ray/utils/validation.go
ValidateRayClusterSpec, validateRayGroupResources, validateRayGroupLabels,
validateWorkerGroupIdleTimeout, validateWorkerGroupPriority; utils/util.go IsAutoscalingV2Enabled,
IsGCSFaultToleranceEnabled, IsAuthEnabled; utils/constant.go for the names; pkg/features/features.go
for the gates (RayJobDeletionPolicy, RayServiceIncrementalUpgrade and GCSFaultToleranceEmbeddedStorage
as the running operator's release and flags set them, gates.py; so do RayClusterHistoryServer,
RayClusterNetworkPolicy and RayClusterMTLS, whose content rules are cluster_options.py's). The rules
run in upstream's order with its messages.

Also here: validateGcsFaultToleranceBackend (gcs_ft.py gcs_ft_backend_problem: the embedded RocksDB
backend's rules under its gate; no ``storage`` with Redis), the K8s token auth rules, ValidateRayServiceSpec whole
(rayClusterDeletionDelaySeconds, ValidateClusterUpgradeOptions under RayServiceIncrementalUpgrade) and
validateDeletionConfiguration for RayJobs (under RayJobDeletionPolicy; gates.py).

Messages carry what KubeRay wraps into them: a bad group label gives each of apimachinery's reasons
(``label_key_errors``, ``label_value_errors``: kubernetes/apimachinery v0.36.0, the version KubeRay
v1.7.0's go.mod pins, pkg/api/validate/content/kube.go), and an unreadable rayVersion gives
ParseGeneric's error (``parse_generic``: pkg/util/version/version.go ``parse``, Go %q quoting). This
is the simulator's own copy, not akscli.kube.label_validation's or akscli.ray.kuberay_rules'
(upstream: none for this line, an akscli module's new name; the rules' upstream is named above).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from tests.emulators.kube.controllers.kuberay.cluster_options import go_quote as _quote
from tests.emulators.kube.controllers.kuberay.cluster_options import (
    history_problem,
    network_policy_problem,
    tls_problem,
)
from tests.emulators.kube.controllers.kuberay.gates import DEFAULT, Gates
from tests.emulators.kube.controllers.kuberay.gcs_ft import gcs_ft_backend_problem

AUTOSCALER_V2_ENV = "RAY_enable_autoscaler_v2"

# upstream: kubernetes/apimachinery v0.36.0 (the version KubeRay v1.7.0's go.mod pins)
# pkg/api/validate/content/kube.go IsLabelKey (validation.IsQualifiedName) and IsLabelValue
# (validation.IsValidLabelValue), dns.go IsDNS1123Subdomain, errors.go MaxLenError, EmptyError and
# RegexError: each message as the Go code builds it. Go's len() counts bytes.
_KEY_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_VALUE_FMT = f"({_KEY_FMT})?"
_DNS_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_SUBDOMAIN_FMT = _DNS_LABEL_FMT + "(\\." + _DNS_LABEL_FMT + ")*"
_KEY_MSG = (
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
)
_VALUE_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
    "start and end with an alphanumeric character"
)
_SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
    "start and end with an alphanumeric character"
)


def _regex_error(msg: str, fmt: str, *examples: str) -> str:
    """errors.go RegexError."""
    if not examples:
        return f"{msg} (regex used for validation is '{fmt}')"
    return msg + " (e.g. " + " or ".join(f"'{e}', " for e in examples) + f"regex used for validation is '{fmt}')"


def _max_len_error(length: int) -> str:
    return f"must be no more than {length} bytes"


def _subdomain_errors(value: str) -> list[str]:
    errs = [_max_len_error(253)] if len(value.encode()) > 253 else []
    if not re.fullmatch(_SUBDOMAIN_FMT, value):
        errs.append(_regex_error(_SUBDOMAIN_MSG, _SUBDOMAIN_FMT, "example.com"))
    return errs


def label_key_errors(value: str) -> list[str]:
    """IsLabelKey: an optional DNS-1123 subdomain prefix and '/', then a name of at most 63 bytes."""
    parts = value.split("/")
    errs: list[str] = []
    if len(parts) > 2:
        return [
            "a valid label key "
            + _regex_error(_KEY_MSG, _KEY_FMT, "MyName", "my.name", "123-abc")
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        ]
    if len(parts) == 2:
        if not parts[0]:
            errs.append("prefix part must be non-empty")
        else:
            errs += ["prefix part " + e for e in _subdomain_errors(parts[0])]
    name = parts[-1]
    if not name:
        errs.append("name part must be non-empty")
    elif len(name.encode()) > 63:
        errs.append("name part " + _max_len_error(63))
    if not re.fullmatch(_KEY_FMT, name):
        errs.append("name part " + _regex_error(_KEY_MSG, _KEY_FMT, "MyName", "my.name", "123-abc"))
    return errs


def label_value_errors(value: str) -> list[str]:
    """IsLabelValue: empty, or at most 63 bytes of the label-key grammar."""
    errs = [_max_len_error(63)] if len(value.encode()) > 63 else []
    if not re.fullmatch(_VALUE_FMT, value):
        errs.append(_regex_error(_VALUE_MSG, _VALUE_FMT, "MyValue", "my_value", "12345"))
    return errs


def _pod_spec(template: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return (template or {}).get("spec") or {}


def _env(container: Mapping[str, Any], name: str) -> Mapping[str, Any] | None:
    return next((e for e in container.get("env") or [] if e.get("name") == name), None)


def _group_resources(group: str, params: Mapping[str, Any], resources: Mapping[str, Any]) -> str | None:
    if any(params.get(k) for k in ("num-cpus", "num-gpus", "memory", "resources")) and resources:
        return (
            f"resource fields should not be set in both rayStartParams and Resources for {group} group; "
            "please use only one"
        )
    return None


def _group_labels(group: str, params: Mapping[str, Any], labels: Mapping[str, Any]) -> str | None:
    if "labels" in params:
        return (
            f"rayStartParams['labels'] is not supported for {group} group; "
            "please use the top-level Labels field instead"
        )
    # validateRayGroupLabels: one message per error of IsQualifiedName and IsValidLabelValue, each with
    # ", error: <message>", joined with "; " (the key's, then the value's, label by label).
    errors: list[str] = []
    for k, v in labels.items():
        errors += [f"invalid label key for {group} group: '{k}', error: {e}" for e in label_key_errors(str(k))]
        errors += [
            f"invalid label value for key '{k}' in {group} group: '{v}', error: {e}" for e in label_value_errors(str(v))
        ]
    return "; ".join(errors) or None


def _autoscaler_v2(spec: Mapping[str, Any], head: Mapping[str, Any]) -> bool:
    if ((spec.get("autoscalerOptions") or {}).get("version")) == "v2":
        return True
    env = _env(head, AUTOSCALER_V2_ENV)
    return env is not None and env.get("value") in ("1", "true")


# upstream: kubernetes/apimachinery v0.36.0 pkg/util/version/version.go versionMatchRE and parse (Go's
# \s is [\t\n\f\r ]; its "." matches no newline, and neither does Python's).
_VERSION_MATCH = re.compile(r"[\t\n\f\r ]*v?([0-9]+(?:\.[0-9]+)*)(.*)")


def parse_generic(version: str) -> list[int] | str:
    """version.ParseGeneric: the components, or its error text."""
    match = _VERSION_MATCH.fullmatch(version)
    if match is None:
        return f"could not parse {_quote(version)} as version"
    components = match.group(1).split(".")
    if len(components) < 2:
        return f"illegal version string {_quote(version)}"
    for i, comp in enumerate(components):
        if i == 0 and comp.startswith("0") and comp != "0":
            return f"illegal zero-prefixed version component {_quote(comp)} in {_quote(version)}"
        if int(comp) >= 1 << 64:  # strconv.ParseUint(comp, 10, 0), 64-bit
            return (
                f"illegal non-numeric version component {_quote(comp)} in {_quote(version)}: "
                f"strconv.ParseUint: parsing {_quote(comp)}: value out of range"
            )
    return [int(c) for c in components]


def _less_than(numbers: list[int], minimum: tuple[int, ...]) -> bool:
    """Version.LessThan (compareInternal: a missing component is 0)."""
    width = max(len(numbers), len(minimum))
    return numbers + [0] * (width - len(numbers)) < [*minimum] + [0] * (width - len(minimum))


def _worker_group(group: Mapping[str, Any], spec: Mapping[str, Any], head: Mapping[str, Any]) -> str | None:
    name = group.get("groupName")
    autoscaling = bool(spec.get("enableInTreeAutoscaling"))
    if not _pod_spec(group.get("template")).get("containers"):
        return "workerGroupSpec should have at least one container"
    lo, hi = group.get("minReplicas"), group.get("maxReplicas")
    if not autoscaling and (lo is None or hi is None):
        return f"worker group {name} must set both minReplicas and maxReplicas when autoscaling is disabled"
    if lo is not None and int(lo) < 0:
        return f"worker group {name} has negative minReplicas {lo}"
    if hi is not None and int(hi) < 0:
        return f"worker group {name} has negative maxReplicas {hi}"
    if lo is not None and hi is not None and int(lo) > int(hi):
        return f"worker group {name} has minReplicas {lo} greater than maxReplicas {hi}"
    problem = _group_resources(str(name), group.get("rayStartParams") or {}, group.get("resources") or {})
    problem = problem or _group_labels(str(name), group.get("rayStartParams") or {}, group.get("labels") or {})
    if problem:
        return problem
    idle = group.get("idleTimeoutSeconds")
    if idle is not None:
        if int(idle) < 0:
            return f"worker group {name}: idleTimeoutSeconds must be non-negative, got {idle}"
        if not _autoscaler_v2(spec, head):
            return (
                f"worker group {name}: idleTimeoutSeconds is set, but autoscaler v2 is not enabled. Please set "
                ".spec.autoscalerOptions.version to 'v2' (or set RAY_enable_autoscaler_v2 environment variable "
                "to 'true' in the head pod if using KubeRay < 1.4.0)"
            )
    priority = group.get("priority")
    if priority:
        version = str(spec.get("rayVersion") or "")
        if not version:
            return (
                f"worker group {name}: priority is set, but RayVersion was not specified. "
                "Ray version 2.56.0 or later is required"
            )
        parsed = parse_generic(version)
        if isinstance(parsed, str):
            return f"worker group {name}: priority is set, but RayVersion format is invalid: {version}, {parsed}"
        if _less_than(parsed, (2, 56, 0)):
            return f"worker group {name}: priority is set, but minimum Ray version is 2.56.0, got {version}"
        if not _autoscaler_v2(spec, head):
            return (
                f"worker group {name}: priority is set to {priority}, but autoscaler v2 is not enabled. "
                "Priority is only supported with autoscaler v2 enabled"
            )
    return None


def cluster_spec_problem(spec: Mapping[str, Any], annotations: Mapping[str, Any], gates: Gates = DEFAULT) -> str | None:
    """utils/validation.go ValidateRayClusterSpec: the first rule broken, in upstream's words.
    ``gates``: the running operator's feature gates (gates.py)."""
    head_group = spec.get("headGroupSpec") or {}
    head_pod = _pod_spec(head_group.get("template"))
    if not head_pod.get("containers"):
        return "headGroupSpec should have at least one container"
    head = head_pod["containers"][0]
    params = head_group.get("rayStartParams") or {}
    problem = _group_resources("Head", params, head_group.get("resources") or {})
    problem = problem or _group_labels("Head", params, head_group.get("labels") or {})
    if problem:
        return problem
    for group in spec.get("workerGroupSpecs") or []:
        problem = _worker_group(group, spec, head)
        if problem:
            return problem
    ft_options = spec.get("gcsFaultToleranceOptions")
    if annotations.get("ray.io/ft-enabled") and ft_options is not None:
        return (
            "ray.io/ft-enabled annotation and GcsFaultToleranceOptions are both set. "
            "Please use only GcsFaultToleranceOptions to configure GCS fault tolerance"
        )
    ft_enabled = str(annotations.get("ray.io/ft-enabled", "")).lower() == "true" or ft_options is not None
    if not ft_enabled and _env(head, "RAY_REDIS_ADDRESS") is not None:
        return (
            "RAY_REDIS_ADDRESS is set which implicitly enables GCS fault tolerance, but GcsFaultToleranceOptions "
            "is not set. Please set GcsFaultToleranceOptions to enable GCS fault tolerance"
        )
    if ft_options is not None and params.get("redis-password"):
        return (
            "cannot set `redis-password` in rayStartParams when GcsFaultToleranceOptions is enabled - "
            "use GcsFaultToleranceOptions.RedisPassword instead"
        )
    if ft_options is not None:
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
        problem = gcs_ft_backend_problem(ft_options, head, head_pod, gates)
        if problem:
            return problem
    if params.get("redis-username") or _env(head, "REDIS_USERNAME") is not None:
        return (
            "cannot set redis username in rayStartParams or environment variables - "
            "use GcsFaultToleranceOptions.RedisUsername instead"
        )
    # upstream: ray-project/kuberay v1.3.2-v1.7.0 ray-operator/controllers/ray/utils/validation.go
    # ValidateRayClusterSpec: a suspended worker group needs RayJobDeletionPolicy (off before v1.6.0);
    # v1.3.x words it otherwise, and before v1.3.0 a worker group has no suspend field
    # (apis/ray/v1/raycluster_types.go at v1.2.2).
    suspended = [g for g in spec.get("workerGroupSpecs") or [] if g.get("suspend")]
    if suspended and gates.release() >= (1, 3) and not gates.on("RayJobDeletionPolicy"):
        if gates.release() == (1, 3):
            return (
                "suspending worker groups is currently available when the RayJobDeletionPolicy feature gate is enabled"
            )
        return (
            f"worker group {suspended[0].get('groupName')} can be suspended only when the RayJobDeletionPolicy "
            "feature gate is enabled"
        )
    autoscaling = bool(spec.get("enableInTreeAutoscaling"))
    v2_env = _env(head, AUTOSCALER_V2_ENV)
    if not autoscaling and v2_env is not None and v2_env.get("value") in ("1", "true"):
        return (
            f"environment variable {AUTOSCALER_V2_ENV} cannot be set to '{v2_env.get('value')}' when "
            "enableInTreeAutoscaling is false. Please set enableInTreeAutoscaling: true to use autoscaler v2"
        )
    options = spec.get("autoscalerOptions") or {}
    if autoscaling:
        for group in spec.get("workerGroupSpecs") or []:
            if group.get("suspend"):
                return f"worker group {group.get('groupName')} cannot be suspended with Autoscaler enabled"
        if options.get("version") and v2_env is not None:
            return (
                f"both .spec.autoscalerOptions.version and head Pod env var {AUTOSCALER_V2_ENV} are set, "
                "please only use the former"
            )
        if options.get("version") == "v2":
            if head_pod.get("restartPolicy") not in (None, "", "Never"):
                return "restartPolicy for head Pod should be Never or unset when using autoscaler V2"
            for group in spec.get("workerGroupSpecs") or []:
                if _pod_spec(group.get("template")).get("restartPolicy") not in (None, "", "Never"):
                    return (
                        f"restartPolicy for worker group {group.get('groupName')} should be Never or unset "
                        "when using autoscaler V2"
                    )
    idle = options.get("idleTimeoutSeconds")
    if idle is not None and int(idle) < 0:
        return f"autoscalerOptions.idleTimeoutSeconds must be non-negative, got {idle}"
    if any(e.get("name") == "KUBERAY_GEN_AUTOSCALER_START_CMD" for e in options.get("env") or []):
        return (
            "autoscalerOptions.env must not contain KUBERAY_GEN_AUTOSCALER_START_CMD: it is managed by KubeRay "
            "and injected automatically into the autoscaler container"
        )
    # the three v1.7 Alpha gates' rules (cluster_options.py; upstream: ray-project/kuberay v1.7.0
    # ray-operator/controllers/ray/utils/validation.go ValidateRayClusterSpec)
    problem = history_problem(spec, gates)
    if problem:
        return problem
    auth = spec.get("authOptions") or {}
    if auth.get("mode") == "token":
        version = str(spec.get("rayVersion") or "")
        if not version:
            return (
                "authOptions.mode is 'token' but RayVersion was not specified. Ray version 2.52.0 or later is required"
            )
        parsed = parse_generic(version)
        if isinstance(parsed, str):
            return f"authOptions.mode is 'token' but RayVersion format is invalid: {version}, {parsed}"
        if _less_than(parsed, (2, 52, 0)):
            return f"authOptions.mode is 'token' but minimum Ray version is 2.52.0, got {version}"
        if auth.get("enableK8sTokenAuth"):
            if _less_than(parsed, (2, 55, 0)):
                return f"authOptions.enableK8sTokenAuth is enabled but minimum Ray version is 2.55.0, got {version}"
            if auth.get("secretName"):
                return "authOptions.enableK8sTokenAuth is enabled and authOptions.secretName is also set"
    elif auth.get("enableK8sTokenAuth"):
        return "authOptions.enableK8sTokenAuth is enabled but authOptions.mode not set to 'token'"
    return network_policy_problem(spec, gates) or tls_problem(spec, gates)


def cluster_upgrade_problem(rc: Mapping[str, Any]) -> str | None:
    """utils/validation.go ValidateRayClusterUpgradeOptions."""
    kind = ((rc.get("spec") or {}).get("upgradeStrategy") or {}).get("type")
    if kind is None:
        return None
    if kind not in ("Recreate", "None"):
        return (
            f"The RayCluster spec is invalid: Spec.UpgradeStrategy.Type value {kind} is invalid, "
            "valid options are Recreate or None"
        )
    creator = ((rc.get("metadata") or {}).get("labels") or {}).get("ray.io/originated-from-crd")
    if creator in ("RayJob", "RayService"):
        return f"upgradeStrategy cannot be set when RayCluster is created by {creator}"
    return None


def service_spec_problem(service: Mapping[str, Any], gates: Gates = DEFAULT) -> str | None:
    """utils/validation.go ValidateRayServiceSpec (its first rules), under the operator's ``gates``."""
    invalid = "The RayService spec is invalid: "
    spec = service.get("spec") or {}
    cluster = spec.get("rayClusterConfig") or {}
    if (cluster.get("authOptions") or {}).get("enableK8sTokenAuth"):
        return invalid + "K8s token auth mode is currently not supported for RayService"
    problem = cluster_spec_problem(cluster, (service.get("metadata") or {}).get("annotations") or {}, gates)
    if problem:
        return invalid + problem
    if (((cluster.get("headGroupSpec") or {}).get("headService") or {}).get("metadata") or {}).get("name"):
        return invalid + "spec.rayClusterConfig.headGroupSpec.headService.metadata.name should not be set"
    kind = (spec.get("upgradeStrategy") or {}).get("type")
    if kind is not None and kind not in ("NewClusterWithIncrementalUpgrade", "NewCluster", "None"):
        return invalid + (
            f"Spec.UpgradeStrategy.Type value {kind} is invalid, valid options are "
            "NewClusterWithIncrementalUpgrade, NewCluster, or None"
        )
    delay = spec.get("rayClusterDeletionDelaySeconds")
    if delay is not None and int(delay) < 0:
        return invalid + f"Spec.RayClusterDeletionDelaySeconds should be a non-negative integer, got {delay}"
    # utils/util.go IsIncrementalUpgradeEnabled: RayServiceIncrementalUpgrade off (v1.5.x, v1.6.x
    # by default) skips ValidateClusterUpgradeOptions (ray-project/kuberay v1.6.2 validation.go).
    if kind == "NewClusterWithIncrementalUpgrade" and gates.on("RayServiceIncrementalUpgrade"):
        problem = _cluster_upgrade_options(spec, cluster)
        if problem:
            return invalid + problem
    return None


def _cluster_upgrade_options(spec: Mapping[str, Any], cluster: Mapping[str, Any]) -> str | None:
    """utils/validation.go ValidateClusterUpgradeOptions (maxSurgePercent defaults to 100 in the CRD)."""
    if not cluster.get("enableInTreeAutoscaling"):
        return "Ray Autoscaler is required for NewClusterWithIncrementalUpgrade"
    options = (spec.get("upgradeStrategy") or {}).get("clusterUpgradeOptions")
    if options is None:
        return "ClusterUpgradeOptions are required for NewClusterWithIncrementalUpgrade"
    surge = int(options.get("maxSurgePercent", 100))
    if not 0 <= surge <= 100:
        return "maxSurgePercent must be between 0 and 100"
    step = options.get("stepSizePercent")
    if step is None or not 0 <= int(step) <= 100:
        return "stepSizePercent must be between 0 and 100"
    if int(step) > surge:
        return "stepSizePercent must be less than or equal to maxSurgePercent"
    interval = options.get("intervalSeconds")
    if interval is None or int(interval) <= 0:
        return "intervalSeconds must be greater than 0"
    if not options.get("gatewayClassName"):
        return "gatewayClassName is required for NewClusterWithIncrementalUpgrade"
    return None


_DELETION_ORDER = ("DeleteWorkers", "DeleteCluster", "DeleteSelf")


def deletion_problem(spec: Mapping[str, Any], gates: Gates = DEFAULT) -> str | None:
    """utils/validation.go validateDeletionConfiguration (RayJobDeletionPolicy from ``gates``),
    validateLegacyDeletionPolicies, validateDeletionRules, validateDeletionCondition and
    validateTTLConsistency, with their messages; the rules' errors joined as errors.Join does (one a line)."""
    invalid = "The RayJob spec is invalid: "
    shutdown = bool(spec.get("shutdownAfterJobFinishes"))
    if not shutdown and int(spec.get("ttlSecondsAfterFinished") or 0) > 0:
        return invalid + "a RayJob with shutdownAfterJobFinishes set to false cannot have TTLSecondsAfterFinished"
    strategy = spec.get("deletionStrategy")
    if strategy is None:
        return None
    # upstream: ray-project/kuberay v1.5.0-v1.7.0 ray-operator/controllers/ray/utils/validation.go
    # validateDeletionConfiguration: any strategy needs the gate (Alpha, off, in v1.5.x). Before
    # v1.5.0 RayJobSpec has no deletionStrategy (apis/ray/v1/rayjob_types.go at v1.4.2): ignored.
    if gates.release() < (1, 5):
        return None
    if not gates.on("RayJobDeletionPolicy"):
        return "RayJobDeletionPolicy feature gate must be enabled to use DeletionStrategy"
    legacy = strategy.get("onSuccess") is not None or strategy.get("onFailure") is not None
    rules = strategy.get("deletionRules") or []
    if rules and shutdown:
        return invalid + "spec.shutdownAfterJobFinishes and spec.deletionStrategy.deletionRules are mutually exclusive"
    if rules and legacy:
        return invalid + "Cannot use both legacy onSuccess/onFailure fields and deletionRules simultaneously"
    if legacy:
        return _legacy_deletion(spec, strategy)
    if rules:
        return _deletion_rules(spec, rules)
    return invalid + (
        "DeletionStrategy requires either BOTH onSuccess and onFailure, OR the deletionRules field (cannot be empty)"
    )


def _legacy_deletion(spec: Mapping[str, Any], strategy: Mapping[str, Any]) -> str | None:
    on_success, on_failure = strategy.get("onSuccess"), strategy.get("onFailure")
    if on_success is None or on_failure is None:
        return (
            "both DeletionStrategy.OnSuccess and DeletionStrategy.OnFailure must be set when using the legacy "
            "deletion policy fields of DeletionStrategy"
        )
    success, failure = on_success.get("policy"), on_failure.get("policy")
    for policy, which in ((success, "OnSuccess"), (failure, "OnFailure")):
        if policy is None:
            return (
                f"the DeletionPolicyType field of DeletionStrategy.{which} cannot be unset when DeletionStrategy "
                "is enabled"
            )
    if spec.get("clusterSelector"):
        for policy, when in ((success, "success"), (failure, "failure")):
            if policy in ("DeleteCluster", "DeleteWorkers"):
                return f"the ClusterSelector mode doesn't support DeletionStrategy={policy} on {when}"
    autoscaling = bool((spec.get("rayClusterSpec") or {}).get("enableInTreeAutoscaling"))
    if "DeleteWorkers" in (success, failure) and autoscaling:
        return "DeletionStrategy=DeleteWorkers currently does not support RayCluster with autoscaling enabled"
    if spec.get("shutdownAfterJobFinishes") and "DeleteNone" in (success, failure):
        return (
            "The RayJob spec is invalid: shutdownAfterJobFinshes is set to 'true' while deletion policy is 'DeleteNone'"
        )
    return None


def _deletion_rules(spec: Mapping[str, Any], rules: list[Mapping[str, Any]]) -> str | None:
    selector = bool(spec.get("clusterSelector"))
    autoscaling = bool((spec.get("rayClusterSpec") or {}).get("enableInTreeAutoscaling"))
    errors: list[str] = []
    grouped: dict[tuple[str, str], dict[str, int]] = {}
    for i, rule in enumerate(rules):
        condition = rule.get("condition") or {}
        policy = str(rule.get("policy"))
        job_status, deployment = condition.get("jobStatus"), condition.get("jobDeploymentStatus")
        if job_status is not None and deployment is not None:
            errors.append(f"deletionRules[{i}]: cannot set both JobStatus and JobDeploymentStatus at the same time")
            continue
        if job_status is None and deployment is None:
            errors.append(f"deletionRules[{i}]: exactly one of JobStatus and JobDeploymentStatus must be set")
            continue
        ttl = int(condition.get("ttlSeconds") or 0)
        if ttl < 0:
            errors.append(f"deletionRules[{i}]: TTLSeconds must be non-negative")
            continue
        if selector and policy in ("DeleteCluster", "DeleteWorkers"):
            errors.append(
                f"deletionRules[{i}]: DeletionPolicyType '{policy}' not supported when ClusterSelector is set"
            )
            continue
        if autoscaling and policy == "DeleteWorkers":
            errors.append(
                f"deletionRules[{i}]: DeletionPolicyType 'DeleteWorkers' not supported with autoscaling enabled"
            )
            continue
        key = ("JobStatus", str(job_status)) if job_status is not None else ("JobDeploymentStatus", str(deployment))
        ttls = grouped.setdefault(key, {})
        if policy in ttls:
            errors.append(
                f"deletionRules[{i}]: duplicate rule for DeletionPolicyType '{policy}' and {key[0]} '{key[1]}'"
            )
            continue
        ttls[policy] = ttl
    # validateTTLConsistency: TTLs must not decrease along DeleteWorkers, DeleteCluster, DeleteSelf.
    # Upstream walks Go maps (no order); here the groups come in rule order.
    for (kind, value), ttls in grouped.items():
        previous: tuple[str, int] | None = None
        for policy in _DELETION_ORDER:
            if policy not in ttls:
                continue
            if previous is not None and ttls[policy] < previous[1]:
                errors.append(
                    f"for {kind} '{value}': {policy} TTL ({ttls[policy]}) must be >= {previous[0]} TTL ({previous[1]})"
                )
            previous = (policy, ttls[policy])
    return "\n".join(errors) or None
