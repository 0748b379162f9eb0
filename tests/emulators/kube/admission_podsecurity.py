"""The PodSecurity admission plugin (kube-apiserver's default set; AKS runs it with no exempt
namespaces configured), for the namespace labels and the checks akscli's objects can meet.

upstream: kubernetes/pod-security-admission 8f84a87c (mirror HEAD):
- api/helpers.go PolicyToEvaluate: ``pod-security.kubernetes.io/enforce`` (and ``-version``),
  ``warn``, ``audit``; an unset warn level takes the enforce level (and version) when that is
  stricter. LevelVersion.String is ``level:version`` (``restricted:latest``).
- admission/admission.go ValidatePod: a Pod create is evaluated against the enforce level and
  refused with forbiddenResponse: NewForbidden(pods, the request's name, "violates PodSecurity
  %q: %s"); ValidatePodController: a workload's pod template is evaluated against the warn level
  only, as a ``would violate PodSecurity %q: %s`` warning (kubernetes/kubernetes plugin/pkg/
  admission/security/podsecurity/admission.go Validate adds the warnings and keeps the message).
- policy/checks.go ForbiddenDetail: ``reason (detail), reason (detail)``; policy/registry.go:
  baseline check IDs sorted, then restricted IDs sorted; under restricted, capabilities_restricted
  overrides capabilities_baseline, restrictedVolumes overrides hostPathVolumes.
- policy/check_*.go: privileged, hostNamespaces, hostPathVolumes, hostPorts, capabilities_baseline
  (baseline); allowPrivilegeEscalation, capabilities_restricted, restrictedVolumes, runAsNonRoot,
  seccompProfile_restricted (restricted), with helpers.go joinQuote and pluralize and
  visitContainers' order (init containers, then containers).
Not modelled: the checks no akscli object meets (appArmorProfile, hostProbesAndhostLifecycle,
procMount, seLinuxOptions, seccompProfile_baseline, sysctls, windowsHostProcess, runAsUser),
version-specific rules (every version is evaluated as latest), user-namespace relaxations,
exemptions, audit annotations, Pod updates and the namespace label warnings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from tests.emulators.kube.status import ApiError

PREFIX = "pod-security.kubernetes.io/"
LEVELS = ("privileged", "baseline", "restricted")
BASELINE_CAPABILITIES = frozenset(
    {
        "AUDIT_WRITE",
        "CHOWN",
        "DAC_OVERRIDE",
        "FOWNER",
        "FSETID",
        "KILL",
        "MKNOD",
        "NET_BIND_SERVICE",
        "SETFCAP",
        "SETGID",
        "SETPCAP",
        "SETUID",
        "SYS_CHROOT",
    }
)
ALLOWED_VOLUMES = ("configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image", "persistentVolumeClaim")
ALLOWED_VOLUMES_ALSO = ("projected", "secret")
# pod templates of the kinds PodSpecExtractor knows (group, kind) -> path to the template
TEMPLATES: dict[tuple[str, str], tuple[str, ...]] = {
    ("", "ReplicationController"): ("spec", "template"),
    ("", "PodTemplate"): ("template",),
    ("apps", "ReplicaSet"): ("spec", "template"),
    ("apps", "Deployment"): ("spec", "template"),
    ("apps", "StatefulSet"): ("spec", "template"),
    ("apps", "DaemonSet"): ("spec", "template"),
    ("batch", "Job"): ("spec", "template"),
    ("batch", "CronJob"): ("spec", "jobTemplate", "spec", "template"),
}

Result = tuple[str, str] | None


def _join_quote(items: list[str]) -> str:
    return '"' + '", "'.join(items) + '"' if items else ""


def _plural(singular: str, plural: str, count: int) -> str:
    return singular if count == 1 else plural


def _containers(spec: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for key in ("initContainers", "containers", "ephemeralContainers"):
        for c in spec.get(key) or []:
            if isinstance(c, dict):
                yield c


def _sc(c: dict[str, Any]) -> dict[str, Any]:
    sc = c.get("securityContext")
    return sc if isinstance(sc, dict) else {}


def _names(cs: list[str]) -> str:
    return f"{_plural('container', 'containers', len(cs))} {_join_quote(cs)}"


def _privileged(spec: dict[str, Any]) -> Result:
    bad = [c["name"] for c in _containers(spec) if _sc(c).get("privileged") is True]
    return ("privileged", f"{_names(bad)} must not set securityContext.privileged=true") if bad else None


def _host_namespaces(spec: dict[str, Any]) -> Result:
    used = [f"{k}=true" for k in ("hostNetwork", "hostPID", "hostIPC") if spec.get(k)]
    return ("host namespaces", ", ".join(used)) if used else None


def _host_path_volumes(spec: dict[str, Any]) -> Result:
    bad = [v["name"] for v in spec.get("volumes") or [] if isinstance(v, dict) and v.get("hostPath") is not None]
    return ("hostPath volumes", f"{_plural('volume', 'volumes', len(bad))} {_join_quote(bad)}") if bad else None


def _host_ports(spec: dict[str, Any]) -> Result:
    bad: list[str] = []
    ports: set[str] = set()
    for c in _containers(spec):
        used = [str(p["hostPort"]) for p in c.get("ports") or [] if isinstance(p, dict) and p.get("hostPort")]
        if used:
            bad.append(c["name"])
            ports.update(used)
    if not bad:
        return None
    listed = ", ".join(sorted(ports))
    detail = f"{_names(bad)} {_plural('uses', 'use', len(bad))} {_plural('hostPort', 'hostPorts', len(ports))} {listed}"
    return "hostPort", detail


def _capabilities_baseline(spec: dict[str, Any]) -> Result:
    bad: list[str] = []
    extra: set[str] = set()
    for c in _containers(spec):
        added = [str(a) for a in (_sc(c).get("capabilities") or {}).get("add") or [] if a not in BASELINE_CAPABILITIES]
        if added:
            bad.append(c["name"])
            extra.update(added)
    if not bad:
        return None
    detail = f"{_names(bad)} must not include {_join_quote(sorted(extra))} in securityContext.capabilities.add"
    return "non-default capabilities", detail


def _allow_privilege_escalation(spec: dict[str, Any]) -> Result:
    bad = [c["name"] for c in _containers(spec) if _sc(c).get("allowPrivilegeEscalation") is not False]
    if not bad:
        return None
    return "allowPrivilegeEscalation != false", f"{_names(bad)} must set securityContext.allowPrivilegeEscalation=false"


def _capabilities_restricted(spec: dict[str, Any]) -> Result:
    missing: list[str] = []
    adding: list[str] = []
    extra: set[str] = set()
    for c in _containers(spec):
        caps = _sc(c).get("capabilities")
        if not isinstance(caps, dict):
            missing.append(c["name"])
            continue
        if "ALL" not in (caps.get("drop") or []):
            missing.append(c["name"])
        added = [str(a) for a in caps.get("add") or [] if a != "NET_BIND_SERVICE"]
        if added:
            adding.append(c["name"])
            extra.update(added)
    details = []
    if missing:
        details.append(f'{_names(missing)} must set securityContext.capabilities.drop=["ALL"]')
    if adding:
        details.append(
            f"{_names(adding)} must not include {_join_quote(sorted(extra))} in securityContext.capabilities.add"
        )
    return ("unrestricted capabilities", "; ".join(details)) if details else None


def _restricted_volumes(spec: dict[str, Any]) -> Result:
    bad: list[str] = []
    kinds: set[str] = set()
    for v in spec.get("volumes") or []:
        if not isinstance(v, dict) or any(v.get(k) is not None for k in ALLOWED_VOLUMES + ALLOWED_VOLUMES_ALSO):
            continue
        bad.append(str(v.get("name")))
        kinds.add(next((k for k in v if k != "name"), "unknown"))
    if not bad:
        return None
    detail = (
        f"{_plural('volume', 'volumes', len(bad))} {_join_quote(bad)} {_plural('uses', 'use', len(bad))} "
        f"{_plural('restricted volume type', 'restricted volume types', len(kinds))} {_join_quote(sorted(kinds))}"
    )
    return "restricted volume types", detail


def _pod_and_containers(
    spec: dict[str, Any], field: str, good: Callable[[Any], bool]
) -> tuple[list[str], list[str], list[str], bool]:
    """(bad setters, explicitly bad containers, implicitly bad containers, pod set it well)."""
    setters: list[str] = []
    pod_value = (spec.get("securityContext") or {}).get(field)
    pod_ok = False
    if pod_value is not None:
        if good(pod_value):
            pod_ok = True
        else:
            setters.append("pod")
    explicit: list[str] = []
    implicit: list[str] = []
    for c in _containers(spec):
        value = _sc(c).get(field)
        if value is not None:
            if not good(value):
                explicit.append(c["name"])
        elif not pod_ok:
            implicit.append(c["name"])
    if explicit:
        setters.append(_names(explicit))
    return setters, explicit, implicit, pod_ok


def _run_as_non_root(spec: dict[str, Any]) -> Result:
    setters, _, implicit, _ = _pod_and_containers(spec, "runAsNonRoot", lambda v: v is True)
    if setters:
        return "runAsNonRoot != true", f"{' and '.join(setters)} must not set securityContext.runAsNonRoot=false"
    if implicit:
        return "runAsNonRoot != true", f"pod or {_names(implicit)} must set securityContext.runAsNonRoot=true"
    return None


def _seccomp_restricted(spec: dict[str, Any]) -> Result:
    def good(profile: Any) -> bool:
        return isinstance(profile, dict) and profile.get("type") in ("RuntimeDefault", "Localhost")

    setters, _, implicit, _ = _pod_and_containers(spec, "seccompProfile", good)
    if setters:
        values = {str((p or {}).get("type")) for p in _profiles(spec) if not good(p)}
        who, types = " and ".join(setters), _join_quote(sorted(values))
        return "seccompProfile", f"{who} must not set securityContext.seccompProfile.type to {types}"
    if implicit:
        return (
            "seccompProfile",
            f'pod or {_names(implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or '
            '"Localhost"',
        )
    return None


def _profiles(spec: dict[str, Any]) -> Iterator[Any]:
    pod = (spec.get("securityContext") or {}).get("seccompProfile")
    if pod is not None:
        yield pod
    for c in _containers(spec):
        if _sc(c).get("seccompProfile") is not None:
            yield _sc(c)["seccompProfile"]


# in the registry's order: baseline IDs sorted, then restricted IDs sorted
BASELINE: list[tuple[str, Callable[[dict[str, Any]], Result]]] = [
    ("capabilities_baseline", _capabilities_baseline),
    ("hostNamespaces", _host_namespaces),
    ("hostPathVolumes", _host_path_volumes),
    ("hostPorts", _host_ports),
    ("privileged", _privileged),
]
RESTRICTED: list[tuple[str, Callable[[dict[str, Any]], Result]]] = [
    ("allowPrivilegeEscalation", _allow_privilege_escalation),
    ("capabilities_restricted", _capabilities_restricted),
    ("restrictedVolumes", _restricted_volumes),
    ("runAsNonRoot", _run_as_non_root),
    ("seccompProfile_restricted", _seccomp_restricted),
]
OVERRIDDEN_BY_RESTRICTED = frozenset({"capabilities_baseline", "hostPathVolumes"})


def evaluate(level: str, spec: dict[str, Any]) -> str | None:
    """AggregateCheckResults(...).ForbiddenDetail() at ``level``; None where the spec passes."""
    if level == "privileged":
        return None
    checks = [c for c in BASELINE if level == "baseline" or c[0] not in OVERRIDDEN_BY_RESTRICTED]
    if level == "restricted":
        checks += RESTRICTED
    parts = []
    for _, check in checks:
        result = check(spec)
        if result is not None:
            reason, detail = result
            parts.append(f"{reason} ({detail})" if detail else reason)
    return ", ".join(parts) or None


def _level(labels: dict[str, str], mode: str) -> tuple[str, str] | None:
    level = labels.get(PREFIX + mode)
    if level not in LEVELS:
        return None
    version = labels.get(PREFIX + mode + "-version", "latest")
    return level, version if version == "latest" or version.startswith("v1.") else "latest"


def policy(labels: dict[str, str]) -> tuple[tuple[str, str], tuple[str, str]]:
    """(enforce, warn) as PolicyToEvaluate makes them (the defaults are privileged:latest)."""
    enforce = _level(labels, "enforce") or ("privileged", "latest")
    warn = _level(labels, "warn")
    if warn is None and PREFIX + "warn" not in labels and LEVELS.index(enforce[0]) > 0:
        version = labels.get(PREFIX + "warn-version")
        warn = (enforce[0], version if version else enforce[1])
    return enforce, warn or ("privileged", "latest")


def validate_pod(pod: dict[str, Any], labels: dict[str, str], name: str) -> None:
    """ValidatePod on a create: raises the plugin's 403 where the enforce level refuses the Pod."""
    (level, version), _ = policy(labels)
    detail = evaluate(level, pod.get("spec") or {})
    if detail is None:
        return
    subject = f'pods "{name}"' if name else "pods"
    raise ApiError(
        403,
        f'{subject} is forbidden: violates PodSecurity "{level}:{version}": {detail}',
        "Forbidden",
        {"name": name, "kind": "pods"} if name else {"kind": "pods"},
    )


def controller_warning(group: str, kind: str, obj: dict[str, Any], labels: dict[str, str]) -> str | None:
    """ValidatePodController: the warning a workload's pod template gets at the warn level."""
    path = TEMPLATES.get((group, kind))
    if path is None:
        return None
    _, (level, version) = policy(labels)
    template: Any = obj
    for key in path:
        template = template.get(key) if isinstance(template, dict) else None
    if not isinstance(template, dict):
        return None
    detail = evaluate(level, template.get("spec") or {})
    return f'would violate PodSecurity "{level}:{version}": {detail}' if detail else None


def validate(group: str, kind: str, obj: dict[str, Any], create: bool, labels: dict[str, str], name: str) -> list[str]:
    """The plugin's Validate for a Pod create (raises its 403) or a workload write (its warnings)."""
    if (group, kind) == ("", "Pod"):
        if create:
            validate_pod(obj, labels, name)
        return []
    warning = controller_warning(group, kind, obj, labels)
    return [warning] if warning else []
