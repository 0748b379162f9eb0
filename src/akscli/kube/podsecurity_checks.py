"""The Pod Security Standards checks that akscli's pod templates can meet, as upstream words them.

upstream: kubernetes/pod-security-admission 8f84a87c (the library kube-apiserver's PodSecurity
admission plugin runs):
- policy/check_*.go: privileged, hostNamespaces, hostPathVolumes, hostPorts, capabilities_baseline
  (baseline); allowPrivilegeEscalation, capabilities_restricted, restrictedVolumes, runAsNonRoot,
  seccompProfile_restricted (restricted), with policy/helpers.go joinQuote and pluralize and
  policy/visitor.go's order (init containers, containers, ephemeral containers).
- policy/registry.go: baseline check IDs sorted, then restricted IDs sorted; once
  capabilities_restricted applies (v1.22) it replaces capabilities_baseline, restrictedVolumes
  replaces hostPathVolumes. Each check's MinimumVersion: allowPrivilegeEscalation v1.8,
  seccompProfile_restricted v1.19, capabilities_restricted v1.22, the rest v1.0 (their v1.25 and
  v1.35 entries relax Windows and user-namespace pods, which akscli makes none of).
- policy/checks.go ForbiddenDetail: ``reason (detail), reason (detail)``.
Not checked (no akscli template sets what they look at): appArmorProfile, hostProbesAndhostLifecycle,
procMount, seLinuxOptions, seccompProfile_baseline, sysctls, windowsHostProcess, runAsUser.
The kube emulator (tests/emulators/kube/admission_podsecurity.py) runs the same checks on its side.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

LEVELS = ("privileged", "baseline", "restricted")
# policy/check_capabilities_baseline.go capabilities_allowed_1_0
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
# policy/check_restrictedVolumes.go: the volume sources restricted allows
ALLOWED_VOLUMES = (
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
)

Result = tuple[str, str] | None
Check = Callable[[dict[str, Any]], Result]


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
    bad = [str(c.get("name")) for c in _containers(spec) if _sc(c).get("privileged") is True]
    return ("privileged", f"{_names(bad)} must not set securityContext.privileged=true") if bad else None


def _host_namespaces(spec: dict[str, Any]) -> Result:
    used = [f"{k}=true" for k in ("hostNetwork", "hostPID", "hostIPC") if spec.get(k)]
    return ("host namespaces", ", ".join(used)) if used else None


def _host_path_volumes(spec: dict[str, Any]) -> Result:
    bad = [
        str(v.get("name")) for v in spec.get("volumes") or [] if isinstance(v, dict) and v.get("hostPath") is not None
    ]
    return ("hostPath volumes", f"{_plural('volume', 'volumes', len(bad))} {_join_quote(bad)}") if bad else None


def _host_ports(spec: dict[str, Any]) -> Result:
    bad: list[str] = []
    ports: set[str] = set()
    for c in _containers(spec):
        used = [str(p["hostPort"]) for p in c.get("ports") or [] if isinstance(p, dict) and p.get("hostPort")]
        if used:
            bad.append(str(c.get("name")))
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
            bad.append(str(c.get("name")))
            extra.update(added)
    if not bad:
        return None
    detail = f"{_names(bad)} must not include {_join_quote(sorted(extra))} in securityContext.capabilities.add"
    return "non-default capabilities", detail


def _allow_privilege_escalation(spec: dict[str, Any]) -> Result:
    bad = [str(c.get("name")) for c in _containers(spec) if _sc(c).get("allowPrivilegeEscalation") is not False]
    if not bad:
        return None
    return "allowPrivilegeEscalation != false", f"{_names(bad)} must set securityContext.allowPrivilegeEscalation=false"


def _capabilities_restricted(spec: dict[str, Any]) -> Result:
    missing: list[str] = []
    adding: list[str] = []
    extra: set[str] = set()
    for c in _containers(spec):
        caps = _sc(c).get("capabilities")
        caps = caps if isinstance(caps, dict) else {}
        if "ALL" not in (caps.get("drop") or []):
            missing.append(str(c.get("name")))
        added = [str(a) for a in caps.get("add") or [] if a != "NET_BIND_SERVICE"]
        if added:
            adding.append(str(c.get("name")))
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
        if not isinstance(v, dict) or any(v.get(k) is not None for k in ALLOWED_VOLUMES):
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


def _pod_and_containers(spec: dict[str, Any], field: str, good: Callable[[Any], bool]) -> tuple[list[str], list[str]]:
    """(who sets ``field`` badly: "pod" and/or the containers, containers left unset with no good
    pod-level value)."""
    setters: list[str] = []
    pod_value = (spec.get("securityContext") or {}).get(field)
    pod_ok = pod_value is not None and good(pod_value)
    if pod_value is not None and not pod_ok:
        setters.append("pod")
    explicit: list[str] = []
    implicit: list[str] = []
    for c in _containers(spec):
        value = _sc(c).get(field)
        if value is not None:
            if not good(value):
                explicit.append(str(c.get("name")))
        elif not pod_ok:
            implicit.append(str(c.get("name")))
    if explicit:
        setters.append(_names(explicit))
    return setters, implicit


def _run_as_non_root(spec: dict[str, Any]) -> Result:
    setters, implicit = _pod_and_containers(spec, "runAsNonRoot", lambda v: v is True)
    if setters:
        return "runAsNonRoot != true", f"{' and '.join(setters)} must not set securityContext.runAsNonRoot=false"
    if implicit:
        return "runAsNonRoot != true", f"pod or {_names(implicit)} must set securityContext.runAsNonRoot=true"
    return None


def _good_profile(profile: Any) -> bool:
    return isinstance(profile, dict) and profile.get("type") in ("RuntimeDefault", "Localhost")


def _seccomp_restricted(spec: dict[str, Any]) -> Result:
    setters, implicit = _pod_and_containers(spec, "seccompProfile", _good_profile)
    if setters:
        profiles = [(spec.get("securityContext") or {}).get("seccompProfile")]
        profiles += [_sc(c).get("seccompProfile") for c in _containers(spec)]
        values = {str(p.get("type")) for p in profiles if isinstance(p, dict) and not _good_profile(p)}
        who, types = " and ".join(setters), _join_quote(sorted(values))
        return "seccompProfile", f"{who} must not set securityContext.seccompProfile.type to {types}"
    if implicit:
        return (
            "seccompProfile",
            f'pod or {_names(implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or '
            '"Localhost"',
        )
    return None


# (check ID, minimum minor version of Kubernetes 1.x, check), in the registry's order
BASELINE: list[tuple[str, int, Check]] = [
    ("capabilities_baseline", 0, _capabilities_baseline),
    ("hostNamespaces", 0, _host_namespaces),
    ("hostPathVolumes", 0, _host_path_volumes),
    ("hostPorts", 0, _host_ports),
    ("privileged", 0, _privileged),
]
RESTRICTED: list[tuple[str, int, Check]] = [
    ("allowPrivilegeEscalation", 8, _allow_privilege_escalation),
    ("capabilities_restricted", 22, _capabilities_restricted),
    ("restrictedVolumes", 0, _restricted_volumes),
    ("runAsNonRoot", 0, _run_as_non_root),
    ("seccompProfile_restricted", 19, _seccomp_restricted),
]
# policy/registry.go: a restricted check that overrides a baseline one (OverrideCheckIDs)
OVERRIDES = {"capabilities_restricted": "capabilities_baseline", "restrictedVolumes": "hostPathVolumes"}


def evaluate(level: str, minor: int | None, spec: dict[str, Any]) -> str | None:
    """ForbiddenDetail of the checks at ``level`` for Kubernetes 1.``minor`` (None: latest) on a
    pod spec; None where the spec passes."""
    if level not in LEVELS[1:]:
        return None
    restricted = [c for c in RESTRICTED if minor is None or minor >= c[1]] if level == "restricted" else []
    replaced = {OVERRIDES[c[0]] for c in restricted if c[0] in OVERRIDES}
    checks = [c for c in BASELINE if c[0] not in replaced] + restricted
    parts = []
    for _, _, check in checks:
        result = check(spec)
        if result is not None:
            reason, detail = result
            parts.append(f"{reason} ({detail})" if detail else reason)
    return ", ".join(parts) or None
