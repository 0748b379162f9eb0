"""The PodSecurity checks themselves, at a level and version (part of the PodSecurity admission
plugin, admission_podsecurity.py, which says where each level comes from and what is evaluated).

upstream: kubernetes/pod-security-admission 8f84a87c: policy/check_*.go (the checks and their
wording), policy/registry.go (the versions of each check, the order, the restricted checks that
override baseline ones), policy/checks.go ForbiddenDetail, api/helpers.go versionRegexp."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

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


def _unless_windows(check: Callable[[dict[str, Any]], Result]) -> Callable[[dict[str, Any]], Result]:
    """The v1.25 version of a restricted check: a Windows pod (spec.os.name) passes."""
    return lambda spec: None if (spec.get("os") or {}).get("name") == "windows" else check(spec)


def _unless_user_namespace(check: Callable[[dict[str, Any]], Result]) -> Callable[[dict[str, Any]], Result]:
    """runAsNonRoot v1.35: a pod in a user namespace (hostUsers: false) passes."""
    return lambda spec: None if spec.get("hostUsers") is False else check(spec)


Versions = list[tuple[int, Callable[[dict[str, Any]], Result]]]
# (check ID, [(minimum minor version, check)]) in the registry's order: baseline IDs sorted, then
# restricted IDs sorted
BASELINE: list[tuple[str, Versions]] = [
    ("capabilities_baseline", [(0, _capabilities_baseline)]),
    ("hostNamespaces", [(0, _host_namespaces)]),
    ("hostPathVolumes", [(0, _host_path_volumes)]),
    ("hostPorts", [(0, _host_ports)]),
    ("privileged", [(0, _privileged)]),
]
RESTRICTED: list[tuple[str, Versions]] = [
    (
        "allowPrivilegeEscalation",
        [(8, _allow_privilege_escalation), (25, _unless_windows(_allow_privilege_escalation))],
    ),
    ("capabilities_restricted", [(22, _capabilities_restricted), (25, _unless_windows(_capabilities_restricted))]),
    ("restrictedVolumes", [(0, _restricted_volumes)]),
    ("runAsNonRoot", [(0, _run_as_non_root), (35, _unless_user_namespace(_run_as_non_root))]),
    ("seccompProfile_restricted", [(19, _seccomp_restricted), (25, _unless_windows(_seccomp_restricted))]),
]
OVERRIDES = {"capabilities_restricted": "capabilities_baseline", "restrictedVolumes": "hostPathVolumes"}
VERSION_PATTERN = re.compile(r"^v1\.([0-9]|[1-9][0-9]*)$")


def _at(versions: Versions, minor: int | None) -> Callable[[dict[str, Any]], Result] | None:
    """The check's newest version no newer than 1.``minor`` (None: latest); None before its first."""
    found = [check for since, check in versions if minor is None or since <= minor]
    return found[-1] if found else None


def results(level: str, version: str, spec: dict[str, Any]) -> list[tuple[str, str]]:
    """The failed checks' (reason, detail) at ``level`` and ``version``, in the registry's order."""
    if level == "privileged":
        return []
    match = VERSION_PATTERN.match(version)
    minor = int(match.group(1)) if match else None
    restricted = [(i, _at(v, minor)) for i, v in RESTRICTED] if level == "restricted" else []
    active = [(i, c) for i, c in restricted if c is not None]
    overridden = {OVERRIDES[i] for i, _ in active if i in OVERRIDES}
    checks = [(i, _at(v, minor)) for i, v in BASELINE if i not in overridden] + active
    return [r for _, check in checks if check is not None and (r := check(spec)) is not None]


def evaluate(level: str, spec: dict[str, Any], version: str = "latest") -> str | None:
    """AggregateCheckResults(...).ForbiddenDetail() at ``level``; None where the spec passes."""
    parts = [f"{reason} ({detail})" if detail else reason for reason, detail in results(level, version, spec)]
    return ", ".join(parts) or None
