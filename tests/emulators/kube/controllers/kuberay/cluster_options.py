"""The content rules of KubeRay v1.7.0's three Alpha RayCluster gates, for ValidateRayClusterSpec.

upstream: ray-project/kuberay v1.7.0 (59d663ae) ray-operator/controllers/ray/utils/validation.go
ValidateRayClusterSpec lines 260-326 (the gate checks, then these), validateCollectorOptions
(1029-1110), validateNetworkPolicy (380-444), validateTLSOptions (448-508) and
validateNoConflictingTLSVolumeMount (512-523); utils/util.go IsTLSEnabled (gate on and
``tlsOptions.enabled: true``) and EnvVarExists (by name); utils/constant.go for the env var, volume
and container names; apis/ray/v1/raycluster_types.go NetworkPolicyConfig (mode's kubebuilder default
DenyAll) and TLSOptions. A group name's errors are kubernetes/apimachinery v0.36.0 (KubeRay v1.7.0's
go.mod) pkg/util/validation/validation.go IsDNS1123Label, printed with Go's %v ([a b]).

Before v1.7.0 the three fields do not exist: an older operator ignores them. From v1.7.0 a field set
with its gate off is refused in one line; with the gate on, these rules run, and an object the
operator accepts is reconciled as before (the collector sidecar, the NetworkPolicy objects and the
cert-manager PKI the operator then makes are not simulated).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from tests.emulators.kube.controllers.kuberay.gates import Gates

HISTORY, NETWORK, MTLS = "RayClusterHistoryServer", "RayClusterNetworkPolicy", "RayClusterMTLS"
COLLECTOR = "ray-history-collector"  # utils/constant.go CollectorContainerName
# validateCollectorOptions forbiddenEnvVars (constant.go POD_IP, FQ_RAY_IP, RAY_CLUSTER_NAME, ...).
_COLLECTOR_MANAGED = (
    "POD_IP",
    "FQ_RAY_IP",
    "RAY_CLUSTER_NAME",
    "RAY_CLUSTER_NAMESPACE",
    "RAY_ROLE",
    "OWNER_KIND",
    "OWNER_NAME",
    "EVENTS_PORT",
)
# validateTLSOptions forbiddenEnvVars; constant.go RayTLSVolumeName, RayTLSCertMountPath.
_TLS_ENV = ("RAY_USE_TLS", "RAY_TLS_SERVER_CERT", "RAY_TLS_SERVER_KEY", "RAY_TLS_CA_CERT")
_TLS_VOLUME, _TLS_PATH = "ray-tls", "/etc/ray/tls"
_TLS_MANAGED = "when tlsOptions is set - the operator manages TLS configuration automatically"
_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
    "and end with an alphanumeric character"
)


_GO_ESCAPES = {"\a": "a", "\b": "b", "\f": "f", "\n": "n", "\r": "r", "\t": "t", "\v": "v"}


def go_quote(text: str) -> str:
    """Go's %q (strconv.Quote) of a string."""
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif char in _GO_ESCAPES:
            out.append("\\" + _GO_ESCAPES[char])
        elif char.isprintable():  # unicode.IsPrint: L, M, N, P, S and the ASCII space
            out.append(char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\x{ord(char):02x}")
        else:
            out.append(f"\\u{ord(char):04x}" if ord(char) < 0x10000 else f"\\U{ord(char):08x}")
    return '"' + "".join(out) + '"'


def _names(items: Any) -> set[str]:
    return {str(e.get("name")) for e in items or [] if isinstance(e, Mapping)}


def _present(spec: Mapping[str, Any], field: str, gates: Gates) -> bool:
    """Whether the operator sees ``field``: v1.7.0 added it (apis/ray/v1/raycluster_types.go; absent
    at v1.6.2), so an older operator ignores it (its CRD would prune it)."""
    return spec.get(field) is not None and gates.release() >= (1, 7)


def dns1123_label_errors(value: str) -> list[str]:
    """validation.IsDNS1123Label (apimachinery v0.36.0 pkg/util/validation: MaxLenError counts
    characters in its words, Go's len() bytes)."""
    errs = ["must be no more than 63 characters"] if len(value.encode()) > 63 else []
    if not re.fullmatch(_LABEL_FMT, value):
        if re.fullmatch(f"{_LABEL_FMT}(\\.{_LABEL_FMT})*", value):
            errs.append("must not contain dots")
        else:
            errs.append(f"{_LABEL_MSG} (e.g. 'my-name',  or '123-abc', regex used for validation is '{_LABEL_FMT}')")
    return errs


def history_problem(spec: Mapping[str, Any], gates: Gates) -> str | None:
    """ValidateRayClusterSpec's HistoryServerOptions block (validation.go 260-281)."""
    if not _present(spec, "historyServerOptions", gates):
        return None
    if not gates.on(HISTORY):
        return "RayClusterHistoryServer feature gate is not enabled"
    collector = (spec.get("historyServerOptions") or {}).get("collectorOptions")
    if collector is None:
        return "historyServerOptions.collectorOptions must be set"
    problem = _collector_problem(collector)
    if problem:
        return problem
    head = ((spec.get("headGroupSpec") or {}).get("template") or {}).get("spec") or {}
    if COLLECTOR in _names(head.get("containers")):
        return (
            f"head pod template must not define a container with name '{COLLECTOR}' when history server "
            "collector options are enabled"
        )
    for group in spec.get("workerGroupSpecs") or []:
        if COLLECTOR in _names(((group.get("template") or {}).get("spec") or {}).get("containers")):
            return (
                f"worker group {group.get('groupName')} pod template must not define a container with name "
                f"'{COLLECTOR}' when history server collector options are enabled"
            )
    return None


def _collector_problem(options: Mapping[str, Any]) -> str | None:
    """validateCollectorOptions: the image, the env KubeRay injects, the storage backend's env."""
    if not options.get("image"):
        return "historyServerOptions.collectorOptions.image must be set"
    env = {str(e.get("name")): e for e in options.get("env") or []}  # a later entry wins, as in the Go map

    def has_value(name: str) -> bool:
        return name in env and (bool(env[name].get("value")) or env[name].get("valueFrom") is not None)

    for name in _COLLECTOR_MANAGED:
        if name in env:
            return (
                f"historyServerOptions.collectorOptions.env must not contain {name}: it is managed by KubeRay and "
                "injected automatically into the collector container"
            )
    backend = str((env.get("STORAGE_BACKEND") or {}).get("value") or "")
    if not backend:
        return (
            "STORAGE_BACKEND environment variable must be set with a literal string value in "
            "historyServerOptions.collectorOptions.env"
        )
    kind = backend.upper()
    required = {"GCS": ("GCS_BUCKET",), "S3": ("S3_REGION",), "ALIYUNOSS": ("OSS_BUCKET", "OSS_ENDPOINT", "OSS_REGION")}
    for name in required.get(kind, ()):
        if not has_value(name):
            return f"{name} environment variable must be set when STORAGE_BACKEND is {kind}"
    if kind == "AZUREBLOB":
        mode = str((env.get("AZURE_STORAGE_AUTH_MODE") or {}).get("value") or "").strip().lower()
        if mode == "connection_string" and not has_value("AZURE_STORAGE_CONNECTION_STRING"):
            return (
                "AZURE_STORAGE_CONNECTION_STRING environment variable must be set when STORAGE_BACKEND is AZUREBLOB "
                "and AZURE_STORAGE_AUTH_MODE is connection_string"
            )
        if mode in ("workload_identity", "default") and not has_value("AZURE_STORAGE_ACCOUNT_URL"):
            return (
                "AZURE_STORAGE_ACCOUNT_URL environment variable must be set when STORAGE_BACKEND is AZUREBLOB and "
                f"AZURE_STORAGE_AUTH_MODE is {mode}"
            )
        if (
            mode not in ("connection_string", "workload_identity", "default")
            and not has_value("AZURE_STORAGE_CONNECTION_STRING")
            and not has_value("AZURE_STORAGE_ACCOUNT_URL")
        ):
            return (
                "either AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_ACCOUNT_URL environment variable must be "
                "set when STORAGE_BACKEND is AZUREBLOB"
            )
    return None


def network_policy_problem(spec: Mapping[str, Any], gates: Gates) -> str | None:
    """The gate check and validateNetworkPolicy (validation.go 316-321, 380-444)."""
    policy = spec.get("networkPolicy")
    if not _present(spec, "networkPolicy", gates):
        return None
    if not gates.on(NETWORK):
        return "spec.networkPolicy requires the RayClusterNetworkPolicy feature gate to be enabled"
    mode = policy.get("mode") or "DenyAll"  # +kubebuilder:default=DenyAll
    for part, rules in (("head", policy.get("head")), ("worker", policy.get("worker"))):
        problem = _rules_problem(f"networkPolicy.{part}", rules, mode)
        if problem:
            return problem
    groups = set()
    for group in spec.get("workerGroupSpecs") or []:
        name = str(group.get("groupName") or "")
        errs = dns1123_label_errors(name)
        if errs:
            return (
                f"worker group name {go_quote(name)} must be a valid DNS1123 label when networkPolicy is enabled "
                f"(it is embedded in the NetworkPolicy name): [{' '.join(errs)}]"
            )
        groups.add(name)
    for entry in policy.get("workerGroups") or []:
        name = str(entry.get("groupName") or "")
        problem = _rules_problem(f"networkPolicy.workerGroups[{go_quote(name)}]", entry, mode)
        if problem:
            return problem
        if name not in groups:
            return f"networkPolicy.workerGroups[{go_quote(name)}] does not match any group name in workerGroupSpecs"
    return None


def _rules_problem(where: str, rules: Mapping[str, Any] | None, mode: str) -> str | None:
    if not rules:
        return None
    if mode == "DenyAllEgress" and rules.get("ingressRules"):
        return f"{where}.ingressRules cannot be set when mode is {go_quote(mode)} (ingress is not restricted)"
    if mode == "DenyAllIngress" and rules.get("egressRules"):
        return f"{where}.egressRules cannot be set when mode is {go_quote(mode)} (egress is not restricted)"
    return None


def tls_problem(spec: Mapping[str, Any], gates: Gates) -> str | None:
    """The gate check and validateTLSOptions (validation.go 323-326, 448-523): only with
    ``tlsOptions.enabled: true`` (IsTLSEnabled; an omitted ``enabled`` is false)."""
    options = spec.get("tlsOptions")
    if not _present(spec, "tlsOptions", gates):
        return None
    if not gates.on(MTLS):
        return "spec.tlsOptions requires the RayClusterMTLS feature gate to be enabled"
    if options.get("enabled") is not True:
        return None
    head = (((spec.get("headGroupSpec") or {}).get("template") or {}).get("spec") or {}).get("containers") or []
    places = [("head Pod", head)]
    for group in spec.get("workerGroupSpecs") or []:
        containers = ((group.get("template") or {}).get("spec") or {}).get("containers") or []
        where = f"worker group {go_quote(str(group.get('groupName') or ''))}"
        places.append((where, containers))
    for where, containers in places:
        if not containers:
            continue
        container = containers[0]  # utils.RayContainerIndex
        for name in _TLS_ENV:
            if name in _names(container.get("env")):
                return f"cannot set {name} environment variable in {where} {_TLS_MANAGED}"
        problem = _tls_mount_problem(container.get("volumeMounts"), where)
        if problem:
            return problem
    autoscaler = spec.get("autoscalerOptions")
    if autoscaler is not None:
        for name in _TLS_ENV:
            if name in _names(autoscaler.get("env")):
                return (
                    f"cannot set {name} environment variable in autoscalerOptions.env when tlsOptions is set "
                    "- the operator manages TLS configuration for the autoscaler automatically"
                )
        return _tls_mount_problem(autoscaler.get("volumeMounts"), "autoscalerOptions.volumeMounts")
    return None


def _tls_mount_problem(mounts: Any, where: str) -> str | None:
    for mount in mounts or []:
        if mount.get("name") == _TLS_VOLUME:
            return f"cannot use volume mount named {go_quote(_TLS_VOLUME)} in {where} {_TLS_MANAGED}"
        if mount.get("mountPath") == _TLS_PATH:
            return f"cannot use volume mount at path {go_quote(_TLS_PATH)} in {where} {_TLS_MANAGED}"
    return None
