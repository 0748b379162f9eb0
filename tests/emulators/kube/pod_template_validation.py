"""A pod spec's containers as ValidatePodSpec checks them: each container's name and image
(job_validation.container_causes), ports, env, volume mounts, resources (resource_requirements),
lifecycle hooks and probes, and the init containers' own rules; the volumes are
pod_volume_validation's. A workload's template and a bare Pod get the same checks. The texts are
upstream's field errors.

upstream: kubernetes/kubernetes pkg/apis/core/validation/validation.go (000f2605, read through
the code index; the repository is too large to fetch here):
- ValidatePodSpec's order: ValidateVolumes, validateContainers, validateInitContainers;
- validateContainers: each container's validateContainerCommon (name, image,
  validateContainerPorts, ValidateEnv, ValidateVolumeMounts, ValidateContainerResourceRequirements),
  then a name seen before (Duplicate), validateLifecycle, the liveness, readiness and startup
  probes, and a container restartPolicy ("may not be set for non-init containers");
- validateInitContainers: validateContainerCommon, validateInitContainerRestartPolicy (only
  "Always"), a name any regular or earlier init container has (Duplicate), then for a
  restartPolicy Always sidecar its lifecycle and probes, for any other init container a Forbidden
  "may not be set for init containers without restartPolicy=Always" on each of them;
- validateContainerPorts: a name is an IANA_SVC_NAME (apimachinery v0.32.0 pkg/util/validation
  IsValidPortName) and unique in the container, containerPort required and within 1-65535
  (IsValidPortNum, "must be between 1 and 65535, inclusive"), hostPort in range where set,
  protocol one of SCTP, TCP, UDP (defaulted to TCP, pkg/apis/core/v1/defaults.go);
- validateProbe, validateHandler and validateLifecycle: exactly one of exec, httpGet, tcpSocket,
  grpc (a probe) or exec, httpGet, tcpSocket, sleep (a hook) ("must specify a handler type";
  "may not specify more than 1 handler type" on each after the first), a probe's counts not
  negative, a liveness or startup probe's successThreshold 1;
- ValidateEnv and validateEnvVarValueFrom: a name is required and, with the
  RelaxedEnvironmentVariableValidation gate, IsRelaxedEnvVarName (printable ASCII but '='). The
  gate is beta and on from v1.32 (pkg/features/versioned_kube_features.go), the version the
  emulator reports, so the strict rule (IsEnvVarName, "must not start with a digit") is not
  applied. valueFrom has exactly one of fieldRef, resourceFieldRef, configMapKeyRef, secretKeyRef
  and no value beside it.
envFrom, securityContext, node affinity and tolerations: pod_spec_policy_validation. Not checked:
host port conflicts, the handlers' own fields, terminationGracePeriodSeconds of probes and sleep
hooks, resizePolicy.
"""

from __future__ import annotations

import json
from typing import Any

from tests.emulators.kube import (
    job_validation,
    pod_spec_policy_validation,
    pod_volume_validation,
    resource_requirements,
)

Cause = tuple[str, str, str]

HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")  # a probe's
HOOK_HANDLERS = ("exec", "httpGet", "tcpSocket", "sleep")  # a lifecycle hook's (commonHandler's order)
PROBES = ("livenessProbe", "readinessProbe", "startupProbe")
PROTOCOLS = ["SCTP", "TCP", "UDP"]
ENV_SOURCES = ("fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef")
PORT_RANGE = "must be between 1 and 65535, inclusive"
# apimachinery v0.32.0 pkg/util/validation/validation.go relaxedEnvVarNameFmtErrMsg
RELAXED_ENV_NAME = "a valid environment variable name must consist only of printable ASCII characters other than '='"
INIT_ONLY_ALWAYS = "Forbidden: may not be set for init containers without restartPolicy=Always"


def causes(at: str, pod_spec: dict[str, Any], pod: bool = False) -> list[Cause]:
    """ValidatePodSpec's volume and container causes for the spec at ``at``, in its order (``pod``:
    a Pod's spec, whose requests default from its limits)."""
    names, out = pod_volume_validation.volumes(f"{at}.volumes", pod_spec.get("volumes") or [])
    regular = [c for c in pod_spec.get("containers") or [] if isinstance(c, dict)]
    seen: set[str] = set()
    for i, container in enumerate(regular):
        path = f"{at}.containers[{i}]"
        out += _common(path, container, names, pod)
        name = str(container.get("name") or "")
        if name in seen:
            out.append(_duplicate(f"{path}.name", name))
        seen.add(name)
        out += _lifecycle(f"{path}.lifecycle", container.get("lifecycle"))
        out += _probes(path, container)
        if container.get("restartPolicy") is not None:
            out.append(
                ("FieldValueForbidden", f"{path}.restartPolicy", "Forbidden: may not be set for non-init containers")
            )
    all_names = {str(c.get("name") or "") for c in regular}
    for i, container in enumerate(pod_spec.get("initContainers") or []):
        if isinstance(container, dict):
            out += _init_container(f"{at}.initContainers[{i}]", container, names, all_names, pod)
    return out + pod_spec_policy_validation.pod_level(at, pod_spec)


def _init_container(
    path: str, container: dict[str, Any], volume_names: set[str], all_names: set[str], pod: bool
) -> list[Cause]:
    """validateInitContainers for one init container; ``all_names`` gains its name."""
    out = _common(path, container, volume_names, pod)
    policy = container.get("restartPolicy")
    if policy is not None and policy != "Always":
        out.append(
            (
                "FieldValueNotSupported",
                f"{path}.restartPolicy",
                f'Unsupported value: {json.dumps(policy)}: supported values: "Always"',
            )
        )
    name = str(container.get("name") or "")
    if name in all_names:
        out.append(_duplicate(f"{path}.name", name))
    elif name:
        all_names.add(name)
    if policy == "Always":  # a sidecar: its hooks and probes are checked as a regular container's
        return out + _lifecycle(f"{path}.lifecycle", container.get("lifecycle")) + _probes(path, container)
    for key in ("lifecycle", *PROBES):
        if container.get(key) is not None:
            out.append(("FieldValueForbidden", f"{path}.{key}", INIT_ONLY_ALWAYS))
    return out


def _common(path: str, container: dict[str, Any], volume_names: set[str], pod: bool) -> list[Cause]:
    """validateContainerCommon's name, image, ports, env, envFrom, volume mounts, resources and
    securityContext (pod_spec_policy_validation)."""
    out = job_validation.container_causes(path, container)
    out += _ports(f"{path}.ports", container.get("ports") or [])
    out += _env(f"{path}.env", container.get("env") or [])
    out += pod_spec_policy_validation.env_from(f"{path}.envFrom", container.get("envFrom") or [])
    mounts = container.get("volumeMounts") or []
    out += pod_volume_validation.mounts(f"{path}.volumeMounts", mounts, volume_names)
    out += resource_requirements.resource_causes(path, container, pod)
    return out + pod_spec_policy_validation.container_security_context(
        f"{path}.securityContext", container.get("securityContext")
    )


def _duplicate(path: str, value: str) -> Cause:
    return ("FieldValueDuplicate", path, f"Duplicate value: {json.dumps(value)}")


def _set(value: Any) -> bool:
    """A pointer field the JSON set (null is unset)."""
    return value is not None


def _handlers(at: str, handler: dict[str, Any], kinds: tuple[str, ...]) -> list[Cause]:
    """validateHandler's count: one handler type, no more."""
    found = [h for h in kinds if _set(handler.get(h))]
    out: list[Cause] = []
    if not found:
        out.append(("FieldValueRequired", at, "Required value: must specify a handler type"))
    for extra in found[1:]:
        out.append(("FieldValueForbidden", f"{at}.{extra}", "Forbidden: may not specify more than 1 handler type"))
    return out


def _lifecycle(at: str, lifecycle: Any) -> list[Cause]:
    """validateLifecycle: postStart, then preStop."""
    if not isinstance(lifecycle, dict):
        return []
    out: list[Cause] = []
    for hook in ("postStart", "preStop"):
        if isinstance(lifecycle.get(hook), dict):
            out += _handlers(f"{at}.{hook}", lifecycle[hook], HOOK_HANDLERS)
    return out


def _port_name(name: str) -> list[str]:
    """apimachinery v0.32.0 pkg/util/validation/validation.go IsValidPortName (IANA_SVC_NAME)."""
    errs: list[str] = []
    if len(name) > 15:
        errs.append("must be no more than 15 characters")
    if not all(c in "-abcdefghijklmnopqrstuvwxyz0123456789" for c in name):
        errs.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not any("a" <= c <= "z" for c in name):
        errs.append("must contain at least one letter (a-z)")
    if "--" in name:
        errs.append("must not contain consecutive hyphens")
    if name.startswith("-") or name.endswith("-"):
        errs.append("must not begin or end with a hyphen")
    return errs


def _relaxed_env_name(name: str) -> bool:
    """IsRelaxedEnvVarName: Go's unicode.IsPrint within ASCII is 0x20 to 0x7e; '=' is refused."""
    return all(" " <= c <= "~" and c != "=" for c in name)


def _probes(path: str, container: dict[str, Any]) -> list[Cause]:
    out: list[Cause] = []
    for name in PROBES:
        probe = container.get(name)
        if not isinstance(probe, dict):
            continue
        at = f"{path}.{name}"
        out += _handlers(at, probe, HANDLERS)
        for count in ("initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"):
            value = probe.get(count)
            if isinstance(value, int) and value < 0:
                out.append(
                    (
                        "FieldValueInvalid",
                        f"{at}.{count}",
                        f"Invalid value: {value}: must be greater than or equal to 0",
                    )
                )
        threshold = probe.get("successThreshold")
        if name != "readinessProbe" and isinstance(threshold, int) and threshold not in (0, 1):
            # SetDefaults_Probe makes 0 (unset) 1
            out.append(("FieldValueInvalid", f"{at}.successThreshold", f"Invalid value: {threshold}: must be 1"))
    return out


def _ports(path: str, ports: list[Any]) -> list[Cause]:
    out: list[Cause] = []
    names: set[str] = set()
    for i, port in enumerate(ports):
        if not isinstance(port, dict):
            continue
        at = f"{path}[{i}]"
        name = str(port.get("name") or "")
        if name:
            errs = _port_name(name)
            for err in errs:
                out.append(("FieldValueInvalid", f"{at}.name", f"Invalid value: {json.dumps(name)}: {err}"))
            if not errs and name in names:
                out.append(_duplicate(f"{at}.name", name))
            names.add(name)
        number = port.get("containerPort")
        if not number:
            out.append(("FieldValueRequired", f"{at}.containerPort", "Required value"))
        elif isinstance(number, int) and not 1 <= number <= 65535:
            out.append(("FieldValueInvalid", f"{at}.containerPort", f"Invalid value: {number}: {PORT_RANGE}"))
        host = port.get("hostPort")
        if isinstance(host, int) and host != 0 and not 1 <= host <= 65535:
            out.append(("FieldValueInvalid", f"{at}.hostPort", f"Invalid value: {host}: {PORT_RANGE}"))
        protocol = port.get("protocol") or "TCP"
        if protocol not in PROTOCOLS:
            supported = ", ".join(json.dumps(p) for p in PROTOCOLS)
            out.append(
                (
                    "FieldValueNotSupported",
                    f"{at}.protocol",
                    f"Unsupported value: {json.dumps(protocol)}: supported values: {supported}",
                )
            )
    return out


def _env(path: str, env: list[Any]) -> list[Cause]:
    out: list[Cause] = []
    for i, var in enumerate(env):
        if not isinstance(var, dict):
            continue
        at = f"{path}[{i}]"
        name = str(var.get("name") or "")
        if not name:
            out.append(("FieldValueRequired", f"{at}.name", "Required value"))
        elif not _relaxed_env_name(name):
            out.append(
                (
                    "FieldValueInvalid",
                    f"{at}.name",
                    f"Invalid value: {json.dumps(name, ensure_ascii=False)}: {RELAXED_ENV_NAME}",
                )
            )
        source = var.get("valueFrom")
        if not isinstance(source, dict):
            continue
        found = sum(1 for key in ENV_SOURCES if _set(source.get(key)))
        if found == 0:
            detail = "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"
        elif var.get("value"):
            detail = "may not be specified when `value` is not empty"
        elif found > 1:
            detail = "may not have more than one field specified at a time"
        else:
            continue
        out.append(("FieldValueInvalid", f"{at}.valueFrom", f'Invalid value: "": {detail}'))
    return out
