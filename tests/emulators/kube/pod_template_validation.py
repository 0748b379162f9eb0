"""A pod template's containers and volumes as ValidatePodTemplateSpec checks them, beyond the names,
images and resources (job_validation.container_causes, resource_requirements): each container's
ports, probes and env, and each volume's one source. The texts are upstream's field errors.

upstream: kubernetes/kubernetes pkg/apis/core/validation/validation.go
- validateContainerPorts: containerPort required and within 1-65535 (apimachinery
  pkg/util/validation IsValidPortNum, "must be between 1 and 65535, inclusive"), hostPort in range
  where set, protocol one of SCTP, TCP, UDP (defaulted to TCP, pkg/apis/core/v1/defaults.go);
- validateProbe and validateHandler: exactly one of exec, httpGet, tcpSocket, grpc ("must specify a
  handler type" on the probe, "may not specify more than 1 handler type" on each after the first),
  the probe's counts not negative, a liveness or startup probe's successThreshold 1;
- ValidateEnv and validateEnvVarValueFrom: a name is required; valueFrom has exactly one of
  fieldRef, resourceFieldRef, configMapKeyRef, secretKeyRef and no value beside it;
- validateVolumeSource: exactly one source ("must specify a volume type" on the volume, "may not
  specify more than 1 volume type" on each after the first, in upstream's order and with its child
  names, `downwarAPI` included).
Not checked here: env names' characters (the rule changed with RelaxedEnvironmentVariableValidation),
port names, each source's own fields, volume mounts.
"""

from __future__ import annotations

import json
from typing import Any

Cause = tuple[str, str, str]

# validateVolumeSource's order: (the source's JSON key, the child its Forbidden error names)
VOLUME_SOURCES = [
    ("emptyDir", "emptyDir"),
    ("hostPath", "hostPath"),
    ("gitRepo", "gitRepo"),
    ("gcePersistentDisk", "gcePersistentDisk"),
    ("awsElasticBlockStore", "awsElasticBlockStore"),
    ("secret", "secret"),
    ("nfs", "nfs"),
    ("iscsi", "iscsi"),
    ("glusterfs", "glusterfs"),
    ("flocker", "flocker"),
    ("persistentVolumeClaim", "persistentVolumeClaim"),
    ("rbd", "rbd"),
    ("cinder", "cinder"),
    ("cephfs", "cephFS"),
    ("quobyte", "quobyte"),
    ("downwardAPI", "downwarAPI"),
    ("fc", "fc"),
    ("flexVolume", "flexVolume"),
    ("configMap", "configMap"),
    ("azureFile", "azureFile"),
    ("vsphereVolume", "vsphereVolume"),
    ("photonPersistentDisk", "photonPersistentDisk"),
    ("portworxVolume", "portworxVolume"),
    ("azureDisk", "azureDisk"),
    ("storageos", "storageos"),
    ("projected", "projected"),
    ("scaleIO", "scaleIO"),
    ("csi", "csi"),
    ("ephemeral", "ephemeral"),
    ("image", "image"),
]
HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")
PROBES = ("livenessProbe", "readinessProbe", "startupProbe")
PROTOCOLS = ["SCTP", "TCP", "UDP"]
ENV_SOURCES = ("fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef")
PORT_RANGE = "must be between 1 and 65535, inclusive"


def causes(at: str, pod_spec: dict[str, Any]) -> list[Cause]:
    """The causes for the template's volumes, then each container's, then each init container's
    (validatePodSpec's order: ValidateVolumes, validateContainers, validateInitContainers)."""
    out: list[Cause] = []
    for i, volume in enumerate(pod_spec.get("volumes") or []):
        if isinstance(volume, dict):
            out += _volume_source(f"{at}.volumes[{i}]", volume)
    for key in ("containers", "initContainers"):
        for i, container in enumerate(pod_spec.get(key) or []):
            if isinstance(container, dict):
                path = f"{at}.{key}[{i}]"
                if key == "containers":
                    out += _probes(path, container)
                out += _ports(f"{path}.ports", container.get("ports") or [])
                out += _env(f"{path}.env", container.get("env") or [])
    return out


def _set(value: Any) -> bool:
    """A pointer field the JSON set (null is unset)."""
    return value is not None


def _volume_source(path: str, volume: dict[str, Any]) -> list[Cause]:
    out: list[Cause] = []
    found = 0
    for key, child in VOLUME_SOURCES:
        if not _set(volume.get(key)):
            continue
        if found:
            out.append(("FieldValueForbidden", f"{path}.{child}", "Forbidden: may not specify more than 1 volume type"))
        else:
            found += 1
    if not found:
        out.append(("FieldValueRequired", path, "Required value: must specify a volume type"))
    return out


def _probes(path: str, container: dict[str, Any]) -> list[Cause]:
    out: list[Cause] = []
    for name in PROBES:
        probe = container.get(name)
        if not isinstance(probe, dict):
            continue
        at = f"{path}.{name}"
        handlers = [h for h in HANDLERS if _set(probe.get(h))]
        if not handlers:
            out.append(("FieldValueRequired", at, "Required value: must specify a handler type"))
        for extra in handlers[1:]:
            out.append(("FieldValueForbidden", f"{at}.{extra}", "Forbidden: may not specify more than 1 handler type"))
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
    for i, port in enumerate(ports):
        if not isinstance(port, dict):
            continue
        at = f"{path}[{i}]"
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
        if not var.get("name"):
            out.append(("FieldValueRequired", f"{at}.name", "Required value"))
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
