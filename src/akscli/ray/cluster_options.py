"""KubeRay v1.7's three Alpha RayCluster options, judged as the operator judges them.

``spec.historyServerOptions``, ``spec.networkPolicy`` and ``spec.tlsOptions`` are refused in one
line unless the operator runs with its gate (RayClusterHistoryServer, RayClusterNetworkPolicy,
RayClusterMTLS: Alpha, off by default, pkg/features/features.go). With the gate known on, their
content rules run, in upstream's order and words.

upstream: ray-project/kuberay v1.7.0 (59d663ae) ray-operator/controllers/ray/utils/validation.go
ValidateRayClusterSpec (lines 260-326), validateCollectorOptions (1029-1110), validateNetworkPolicy
(380-444), validateTLSOptions (448-508), validateNoConflictingTLSVolumeMount (512-523); utils/util.go
IsTLSEnabled (the gate and ``tlsOptions.enabled: true``; an omitted ``enabled`` is false, so the
options are then ignored) and EnvVarExists; utils/constant.go for the names; apis/ray/v1/
raycluster_types.go NetworkPolicyConfig (``mode`` defaults to DenyAll). A worker group name's errors
are kubernetes/apimachinery v0.36.0 (KubeRay v1.7.0's go.mod) pkg/util/validation/validation.go
IsDNS1123Label, printed with Go's %v (``[a b]``).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any

HISTORY_GATE = "RayClusterHistoryServer"
NETWORK_GATE = "RayClusterNetworkPolicy"
MTLS_GATE = "RayClusterMTLS"
GATES = (HISTORY_GATE, NETWORK_GATE, MTLS_GATE)
FIELDS = ("historyServerOptions", "networkPolicy", "tlsOptions")

_COLLECTOR = "ray-history-collector"  # constant.go CollectorContainerName
_COLLECTOR_MANAGED = (  # validateCollectorOptions forbiddenEnvVars
    "POD_IP",
    "FQ_RAY_IP",
    "RAY_CLUSTER_NAME",
    "RAY_CLUSTER_NAMESPACE",
    "RAY_ROLE",
    "OWNER_KIND",
    "OWNER_NAME",
    "EVENTS_PORT",
)
# STORAGE_BACKEND (upper-cased) -> the env each needs set (constant.go GCS_BUCKET, S3_REGION, OSS_*).
_BACKEND_NEEDS = {
    "GCS": ("GCS_BUCKET",),
    "S3": ("S3_REGION",),
    "ALIYUNOSS": ("OSS_BUCKET", "OSS_ENDPOINT", "OSS_REGION"),
}
_TLS_ENV = ("RAY_USE_TLS", "RAY_TLS_SERVER_CERT", "RAY_TLS_SERVER_KEY", "RAY_TLS_CA_CERT")
_TLS_VOLUME, _TLS_PATH = "ray-tls", "/etc/ray/tls"  # constant.go RayTLSVolumeName, RayTLSCertMountPath
_TLS_MANAGED = "when tlsOptions is set - the operator manages TLS configuration automatically"
_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
    "and end with an alphanumeric character"
)
_GO_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Mapping[str, Any]]:
    return [_mapping(v) for v in value] if isinstance(value, list) else []


def _containers(template: Any) -> list[Mapping[str, Any]]:
    return _list(_mapping(_mapping(template).get("spec")).get("containers"))


def _names(items: Any) -> set[str]:
    return {str(e.get("name")) for e in _list(items)}


def go_quote(text: str) -> str:
    """Go's %q of a string (strconv.Quote): double quotes; backslash escapes for quote, backslash and
    \\a \\b \\f \\n \\r \\t \\v; \\xHH for other control bytes, \\uHHHH or \\UHHHHHHHH for other
    unprintable runes (unicode.IsPrint: letters, marks, numbers, punctuation, symbols, ASCII space)."""
    out = []
    for char in text:
        code = ord(char)
        if char in ('"', "\\"):
            out.append("\\" + char)
        elif char in _GO_ESCAPES:
            out.append(_GO_ESCAPES[char])
        elif char.isprintable():
            out.append(char)
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        else:
            out.append(f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
    return '"' + "".join(out) + '"'


def dns1123_label_errors(value: str) -> list[str]:
    """validation.IsDNS1123Label's errors (its MaxLenError says characters; Go's len() counts bytes)."""
    errs = ["must be no more than 63 characters"] if len(value.encode()) > 63 else []
    if not re.fullmatch(_LABEL_FMT, value):
        if re.fullmatch(rf"{_LABEL_FMT}(\.{_LABEL_FMT})*", value):
            errs.append("must not contain dots")
        else:  # validation.RegexError with the examples 'my-name' and '123-abc'
            errs.append(f"{_LABEL_MSG} (e.g. 'my-name',  or '123-abc', regex used for validation is '{_LABEL_FMT}')")
    return errs


def history_problem(spec: Mapping[str, Any], enabled: Collection[str]) -> str | None:
    """ValidateRayClusterSpec's historyServerOptions block and validateCollectorOptions."""
    if spec.get("historyServerOptions") is None:
        return None
    if HISTORY_GATE not in enabled:
        return "RayClusterHistoryServer feature gate is not enabled"
    collector = _mapping(spec.get("historyServerOptions")).get("collectorOptions")
    if collector is None:
        return "historyServerOptions.collectorOptions must be set"
    problem = _collector_problem(_mapping(collector))
    if problem:
        return problem
    if _COLLECTOR in {str(c.get("name")) for c in _containers(_mapping(spec.get("headGroupSpec")).get("template"))}:
        return (
            f"head pod template must not define a container with name '{_COLLECTOR}' when history server "
            "collector options are enabled"
        )
    for group in _list(spec.get("workerGroupSpecs")):
        if _COLLECTOR in {str(c.get("name")) for c in _containers(group.get("template"))}:
            return (
                f"worker group {group.get('groupName')} pod template must not define a container with name "
                f"'{_COLLECTOR}' when history server collector options are enabled"
            )
    return None


def _collector_problem(options: Mapping[str, Any]) -> str | None:
    if not options.get("image"):
        return "historyServerOptions.collectorOptions.image must be set"
    env = {str(e.get("name")): e for e in _list(options.get("env"))}  # a later entry wins, as in upstream's map

    def has_value(name: str) -> bool:
        return name in env and (bool(env[name].get("value")) or env[name].get("valueFrom") is not None)

    for name in _COLLECTOR_MANAGED:
        if name in env:
            return (
                f"historyServerOptions.collectorOptions.env must not contain {name}: it is managed by KubeRay and "
                "injected automatically into the collector container"
            )
    backend = str(_mapping(env.get("STORAGE_BACKEND")).get("value") or "")
    if not backend:
        return (
            "STORAGE_BACKEND environment variable must be set with a literal string value in "
            "historyServerOptions.collectorOptions.env"
        )
    kind = backend.upper()
    for name in _BACKEND_NEEDS.get(kind, ()):
        if not has_value(name):
            return f"{name} environment variable must be set when STORAGE_BACKEND is {kind}"
    if kind != "AZUREBLOB":
        return None
    mode = str(_mapping(env.get("AZURE_STORAGE_AUTH_MODE")).get("value") or "").strip().lower()
    if mode == "connection_string":
        if not has_value("AZURE_STORAGE_CONNECTION_STRING"):
            return (
                "AZURE_STORAGE_CONNECTION_STRING environment variable must be set when STORAGE_BACKEND is AZUREBLOB "
                "and AZURE_STORAGE_AUTH_MODE is connection_string"
            )
    elif mode in ("workload_identity", "default"):
        if not has_value("AZURE_STORAGE_ACCOUNT_URL"):
            return (
                "AZURE_STORAGE_ACCOUNT_URL environment variable must be set when STORAGE_BACKEND is AZUREBLOB and "
                f"AZURE_STORAGE_AUTH_MODE is {mode}"
            )
    elif not has_value("AZURE_STORAGE_CONNECTION_STRING") and not has_value("AZURE_STORAGE_ACCOUNT_URL"):
        return (
            "either AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_ACCOUNT_URL environment variable must be set "
            "when STORAGE_BACKEND is AZUREBLOB"
        )
    return None


def network_policy_problem(spec: Mapping[str, Any], enabled: Collection[str]) -> str | None:
    """The RayClusterNetworkPolicy gate check and validateNetworkPolicy."""
    policy = spec.get("networkPolicy")
    if policy is None:
        return None
    if NETWORK_GATE not in enabled:
        return "spec.networkPolicy requires the RayClusterNetworkPolicy feature gate to be enabled"
    policy = _mapping(policy)
    mode = str(policy.get("mode") or "DenyAll")  # +kubebuilder:default=DenyAll
    for part in ("head", "worker"):
        problem = _rules_problem(f"networkPolicy.{part}", _mapping(policy.get(part)), mode)
        if problem:
            return problem
    groups = set()
    for group in _list(spec.get("workerGroupSpecs")):
        name = str(group.get("groupName") or "")
        errs = dns1123_label_errors(name)
        if errs:
            return (
                f"worker group name {go_quote(name)} must be a valid DNS1123 label when networkPolicy is enabled "
                f"(it is embedded in the NetworkPolicy name): [{' '.join(errs)}]"
            )
        groups.add(name)
    for entry in _list(policy.get("workerGroups")):
        name = str(entry.get("groupName") or "")
        problem = _rules_problem(f"networkPolicy.workerGroups[{go_quote(name)}]", entry, mode)
        if problem:
            return problem
        if name not in groups:
            return f"networkPolicy.workerGroups[{go_quote(name)}] does not match any group name in workerGroupSpecs"
    return None


def _rules_problem(where: str, rules: Mapping[str, Any], mode: str) -> str | None:
    if mode == "DenyAllEgress" and rules.get("ingressRules"):
        return f"{where}.ingressRules cannot be set when mode is {go_quote(mode)} (ingress is not restricted)"
    if mode == "DenyAllIngress" and rules.get("egressRules"):
        return f"{where}.egressRules cannot be set when mode is {go_quote(mode)} (egress is not restricted)"
    return None


def tls_problem(spec: Mapping[str, Any], enabled: Collection[str]) -> str | None:
    """The RayClusterMTLS gate check and validateTLSOptions (only with ``enabled: true``)."""
    options = spec.get("tlsOptions")
    if options is None:
        return None
    if MTLS_GATE not in enabled:
        return "spec.tlsOptions requires the RayClusterMTLS feature gate to be enabled"
    if _mapping(options).get("enabled") is not True:
        return None
    places = [("head Pod", _containers(_mapping(spec.get("headGroupSpec")).get("template")))]
    for group in _list(spec.get("workerGroupSpecs")):
        where = f"worker group {go_quote(str(group.get('groupName') or ''))}"
        places.append((where, _containers(group.get("template"))))
    for where, containers in places:
        if not containers:
            continue
        container = containers[0]  # utils.RayContainerIndex
        names = _names(container.get("env"))
        for name in _TLS_ENV:
            if name in names:
                return f"cannot set {name} environment variable in {where} {_TLS_MANAGED}"
        problem = _tls_mount_problem(container.get("volumeMounts"), where)
        if problem:
            return problem
    autoscaler = spec.get("autoscalerOptions")
    if autoscaler is None:
        return None
    names = _names(_mapping(autoscaler).get("env"))
    for name in _TLS_ENV:
        if name in names:
            return (
                f"cannot set {name} environment variable in autoscalerOptions.env when tlsOptions is set "
                "- the operator manages TLS configuration for the autoscaler automatically"
            )
    return _tls_mount_problem(_mapping(autoscaler).get("volumeMounts"), "autoscalerOptions.volumeMounts")


def _tls_mount_problem(mounts: Any, where: str) -> str | None:
    """validateNoConflictingTLSVolumeMount: by name, then by path, mount by mount."""
    for mount in _list(mounts):
        if mount.get("name") == _TLS_VOLUME:
            return f"cannot use volume mount named {go_quote(_TLS_VOLUME)} in {where} {_TLS_MANAGED}"
        if mount.get("mountPath") == _TLS_PATH:
            return f"cannot use volume mount at path {go_quote(_TLS_PATH)} in {where} {_TLS_MANAGED}"
    return None
