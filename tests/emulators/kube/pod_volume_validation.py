"""A pod spec's volumes and a container's volume mounts as ValidatePodSpec checks them: each
volume's name and its one source, the own fields of the sources akscli's objects use, and each
mount's volume and path. The texts are upstream's field errors.

upstream: kubernetes/kubernetes pkg/apis/core/validation/validation.go (000f2605, read through
the code index; the repository is too large to fetch here):
- ValidateVolumes: a volume's source errors, then its name (Required, else ValidateDNS1123Label),
  then a name seen before (Duplicate). Only a volume with no error is one a mount can name;
- validateVolumeSource: exactly one source ("must specify a volume type" on the volume, "may not
  specify more than 1 volume type" on each after the first, in upstream's order and with its child
  names, `downwarAPI` included); only the first source's own fields are checked:
  emptyDir's sizeLimit not negative, validateHostPathVolumeSource (path required, no '..',
  a supported type), validateSecretVolumeSource (secretName), validateConfigMapVolumeSource (name),
  both with defaultMode and validateKeyToPath items, validatePersistentClaimVolumeSource
  (claimName), validateEphemeralVolumeSource (volumeClaimTemplate, its spec as a claim's);
- ValidateVolumeMounts: name required and a valid volume (NotFound), mountPath required and
  unique, subPath relative without '..' (upstream names the list's path, not the item's:
  `volumeMounts.subPath`);
- validateLocalDescendingPath, validatePathNoBacksteps, ValidateLocalNonReservedPath.
Not checked: the other sources' own fields, a projected volume's sources, mountPropagation,
recursiveReadOnly, volumeDevices.
"""

from __future__ import annotations

import json
from typing import Any

from tests.emulators.kube import claim_validation
from tests.emulators.kube.job_validation import LABEL, LABEL_MSG

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
FILE_MODE = "must be a number between 0 and 0777 (octal), both inclusive"  # fileModeErrorMsg
# sets.List(supportedHostPathTypes): sorted, the unset type first
HOST_PATH_TYPES = ["", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"]


def _required(path: str) -> Cause:
    return ("FieldValueRequired", path, "Required value")


def _invalid(path: str, value: Any, detail: str) -> Cause:
    return ("FieldValueInvalid", path, f"Invalid value: {json.dumps(value)}: {detail}")


def dns_label(path: str, value: str) -> list[Cause]:
    """ValidateDNS1123Label: apimachinery IsDNS1123Label's length, then its format."""
    out: list[Cause] = []
    if len(value) > 63:
        out.append(_invalid(path, value, "must be no more than 63 characters"))
    if not LABEL.match(value):
        out.append(_invalid(path, value, LABEL_MSG))
    return out


def volumes(at: str, items: list[Any]) -> tuple[set[str], list[Cause]]:
    """ValidateVolumes: the names a mount may use (the volumes with no error) and the causes."""
    names: set[str] = set()
    out: list[Cause] = []
    for i, volume in enumerate(items):
        if not isinstance(volume, dict):
            continue
        path = f"{at}[{i}]"
        name = str(volume.get("name") or "")
        found = _volume_source(path, volume)
        if not name:
            found.append(_required(f"{path}.name"))
        else:
            found += dns_label(f"{path}.name", name)
        if name in names:
            found.append(("FieldValueDuplicate", f"{path}.name", f"Duplicate value: {json.dumps(name)}"))
        if found:
            out += found
        else:
            names.add(name)
    return names, out


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
            continue
        found += 1
        source = volume[key] if isinstance(volume[key], dict) else {}
        out += _source_fields(f"{path}.{child}", key, source)
    if not found:
        out.append(("FieldValueRequired", path, "Required value: must specify a volume type"))
    return out


def _source_fields(path: str, key: str, source: dict[str, Any]) -> list[Cause]:
    """The first source's own fields, for the sources akscli's objects use."""
    if key == "emptyDir":
        if str(source.get("sizeLimit") or "").startswith("-"):
            return [
                (
                    "FieldValueForbidden",
                    f"{path}.sizeLimit",
                    "Forbidden: SizeLimit field must be a valid resource quantity",
                )
            ]
        return []
    if key == "hostPath":
        return _host_path(path, source)
    if key in ("secret", "configMap"):
        name = "secretName" if key == "secret" else "name"
        out = [] if source.get(name) else [_required(f"{path}.{name}")]
        mode = source.get("defaultMode")
        if isinstance(mode, int) and not 0 <= mode <= 0o777:
            out.append(("FieldValueInvalid", f"{path}.defaultMode", f"Invalid value: {mode}: {FILE_MODE}"))
        for j, item in enumerate(source.get("items") or []):
            if isinstance(item, dict):
                out += _key_to_path(f"{path}.items[{j}]", item)
        return out
    if key == "persistentVolumeClaim":
        return [] if source.get("claimName") else [_required(f"{path}.claimName")]
    if key == "ephemeral":
        template = source.get("volumeClaimTemplate")
        if not isinstance(template, dict):
            return [_required(f"{path}.volumeClaimTemplate")]
        spec = template.get("spec") if isinstance(template.get("spec"), dict) else {}
        return claim_validation.causes(spec, f"{path}.volumeClaimTemplate.spec")
    return []


def _host_path(path: str, source: dict[str, Any]) -> list[Cause]:
    host = str(source.get("path") or "")
    if not host:
        return [_required(f"{path}.path")]
    out = _no_backsteps(f"{path}.path", host)
    kind = source.get("type")
    if kind is not None and kind not in HOST_PATH_TYPES:
        supported = ", ".join(json.dumps(t) for t in HOST_PATH_TYPES)
        out.append(
            (
                "FieldValueNotSupported",
                f"{path}.type",
                f"Unsupported value: {json.dumps(kind)}: supported values: {supported}",
            )
        )
    return out


def _key_to_path(path: str, item: dict[str, Any]) -> list[Cause]:
    """validateKeyToPath: key and path required, a local path, a file mode."""
    out: list[Cause] = []
    if not item.get("key"):
        out.append(_required(f"{path}.key"))
    target = str(item.get("path") or "")
    if not target:
        out.append(_required(f"{path}.path"))
    out += local_non_reserved(f"{path}.path", target)
    mode = item.get("mode")
    if isinstance(mode, int) and not 0 <= mode <= 0o777:
        out.append(("FieldValueInvalid", f"{path}.mode", f"Invalid value: {mode}: {FILE_MODE}"))
    return out


def _no_backsteps(path: str, target: str) -> list[Cause]:
    """validatePathNoBacksteps: one error for any '..' element."""
    if ".." in target.replace("\\", "/").split("/"):
        return [_invalid(path, target, "must not contain '..'")]
    return []


def _local_descending(path: str, target: str) -> list[Cause]:
    """validateLocalDescendingPath: relative, no '..' element."""
    out = [_invalid(path, target, "must be a relative path")] if target.startswith("/") else []
    return out + _no_backsteps(path, target)


def local_non_reserved(path: str, target: str) -> list[Cause]:
    """ValidateLocalNonReservedPath: a local descending path that does not start with '..'."""
    out = _local_descending(path, target)
    if target.startswith("..") and not target.startswith("../"):
        out.append(_invalid(path, target, "must not start with '..'"))
    return out


def mounts(at: str, items: list[Any], volume_names: set[str]) -> list[Cause]:
    """ValidateVolumeMounts for one container's mounts (``at`` is its volumeMounts path)."""
    out: list[Cause] = []
    paths: set[str] = set()
    for i, mount in enumerate(items):
        if not isinstance(mount, dict):
            continue
        path = f"{at}[{i}]"
        name, mount_path = str(mount.get("name") or ""), str(mount.get("mountPath") or "")
        if not name:
            out.append(_required(f"{path}.name"))
        if name not in volume_names:
            out.append(("FieldValueNotFound", f"{path}.name", f"Not found: {json.dumps(name)}"))
        if not mount_path:
            out.append(_required(f"{path}.mountPath"))
        if mount_path in paths:
            out.append(_invalid(f"{path}.mountPath", mount_path, "must be unique"))
        paths.add(mount_path)
        sub_path = str(mount.get("subPath") or "")
        if sub_path:
            out += _local_descending(f"{at}.subPath", sub_path)
    return out
