"""The API server's validation of resource.k8s.io/v1 objects (Dynamic Resource Allocation, GA in
1.34): the rules of upstream kubernetes/kubernetes pkg/apis/resource/validation/validation.go
(read through the code index at 009801d9 and older copies; the rules kept here are those every
copy since v1beta2 shares, so they hold for 1.34) with its wording, one cause per field:

- ResourceClaim (and a ResourceClaimTemplate's ``spec.spec``): each request has a DNS-label
  name, unique; exactly one of ``exactly`` or ``firstAvailable``; ``exactly.deviceClassName``
  required, a DNS subdomain; ``allocationMode`` ExactCount (the default) wants ``count`` > 0, All
  wants no count, anything else is not supported (validateDeviceRequest,
  validateExactDeviceRequest, validateDeviceAllocationMode). A claim's and a template's spec are
  immutable (ValidateResourceClaimUpdate, ValidateResourceClaimTemplateUpdate).
- ResourceSlice: ``driver`` required (a CSI driver name: ValidateCSIDriverName), ``pool.name``
  required, ``pool.resourceSliceCount`` > 0, ``pool.generation`` >= 0 (validateResourcePool),
  exactly one of ``nodeName``, ``nodeSelector``, ``allNodes``, ``perDeviceNodeSelection``
  (validateResourceSliceSpec), device names DNS labels and unique, each attribute exactly one
  value (validateDevice, validateDeviceAttribute); ``driver``, ``pool.name`` and ``nodeName``
  immutable.
- DeviceClass: each selector has ``cel`` (validateSelector; the expression is not compiled here).

The field checking (unknown fields, types) is builtin_schema's, against the v1.34 definitions.
Not emulated: CEL compilation and cost, size limits, status validation, admin access. An
immutable spec's value is printed as JSON (upstream prints the internal Go value).
"""

from __future__ import annotations

import json
import re
from typing import Any

Cause = tuple[str, str, str]

_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
# k8s.io/apimachinery/pkg/util/validation/validation.go
_LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
    "and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
_SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
_NODE_SELECTION = "exactly one of `nodeName`, `nodeSelector`, `allNodes`, `perDeviceNodeSelection` is required"


def _required(path: str, detail: str = "") -> Cause:
    return ("FieldValueRequired", path, f"Required value: {detail}" if detail else "Required value")


def _invalid(path: str, value: Any, detail: str) -> Cause:
    return ("FieldValueInvalid", path, f"Invalid value: {json.dumps(value)}: {detail}")


def _name(path: str, value: Any, subdomain: bool = False) -> list[Cause]:
    text = value if isinstance(value, str) else ""
    if not text:
        return [_required(path)]
    pattern, msg, limit = (_SUBDOMAIN, _SUBDOMAIN_MSG, 253) if subdomain else (_LABEL, _LABEL_MSG, 63)
    causes = []
    if len(text) > limit:
        causes.append(_invalid(path, text, f"must be no more than {limit} characters"))
    if not pattern.match(text):
        causes.append(_invalid(path, text, msg))
    return causes


def causes(kind: str, obj: dict[str, Any], old: dict[str, Any] | None) -> list[Cause]:
    """The validation errors a 1.34 API server gives for a resource.k8s.io/v1 object."""
    spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else {}
    old_spec = (old or {}).get("spec") if old is not None else None
    if kind == "ResourceClaim":
        if old is not None:
            return _immutable("spec", spec, old_spec)
        return _device_claim("spec.devices", spec.get("devices") or {})
    if kind == "ResourceClaimTemplate":
        if old is not None:
            return _immutable("spec", spec, old_spec)
        inner = spec.get("spec") if isinstance(spec.get("spec"), dict) else {}
        return _device_claim("spec.spec.devices", inner.get("devices") or {})
    if kind == "ResourceSlice":
        return _slice(spec, old_spec if isinstance(old_spec, dict) else None)
    if kind == "DeviceClass":
        return [
            _required(f"spec.selectors[{i}].cel")
            for i, selector in enumerate(spec.get("selectors") or [])
            if not (isinstance(selector, dict) and selector.get("cel"))
        ]
    return []


def _immutable(path: str, new: Any, old: Any) -> list[Cause]:
    if new == old:
        return []
    # upstream prints the internal Go value (apimachinery field.Error.ErrorBody, %#v); JSON here
    return [("FieldValueInvalid", path, f"Invalid value: {json.dumps(new, sort_keys=True)}: field is immutable")]


def _device_claim(path: str, devices: dict[str, Any]) -> list[Cause]:
    out: list[Cause] = []
    seen: set[str] = set()
    for i, request in enumerate(devices.get("requests") or []):
        at = f"{path}.requests[{i}]"
        request = request if isinstance(request, dict) else {}
        name = request.get("name")
        out += _name(f"{at}.name", name)
        if isinstance(name, str) and name:
            if name in seen:
                out.append(("FieldValueDuplicate", at, f"Duplicate value: {json.dumps(name)}"))
            seen.add(name)
        exactly, first = request.get("exactly"), request.get("firstAvailable")
        if exactly is None and not first:
            out.append(_required(at, "exactly one of `exactly` or `firstAvailable` is required"))
        elif exactly is not None and first:
            out.append(
                _invalid(
                    at, None, "exactly one of `exactly` or `firstAvailable` is required, but multiple fields are set"
                )
            )
        elif isinstance(exactly, dict):
            out += _exact(f"{at}.exactly", exactly)
        else:
            for j, sub in enumerate(first or []):
                sub = sub if isinstance(sub, dict) else {}
                out += _name(f"{at}.firstAvailable[{j}].name", sub.get("name"))
                out += _exact(f"{at}.firstAvailable[{j}]", sub)
    return out


def _exact(at: str, request: dict[str, Any]) -> list[Cause]:
    out = _name(f"{at}.deviceClassName", request.get("deviceClassName"), subdomain=True)
    mode, count = request.get("allocationMode") or "ExactCount", request.get("count")
    if mode == "All":
        if count:
            out.append(_invalid(f"{at}.count", count, "must not be specified when allocationMode is 'All'"))
    elif mode == "ExactCount":
        if count is not None and (not isinstance(count, int) or count <= 0):
            out.append(_invalid(f"{at}.count", count, "must be greater than zero"))
    else:
        out.append(
            (
                "FieldValueNotSupported",
                f"{at}.allocationMode",
                f'Unsupported value: {json.dumps(mode)}: supported values: "All", "ExactCount"',
            )
        )
    for k, selector in enumerate(request.get("selectors") or []):
        if not (isinstance(selector, dict) and selector.get("cel")):
            out.append(_required(f"{at}.selectors[{k}].cel"))
    return out


def _slice(spec: dict[str, Any], old: dict[str, Any] | None) -> list[Cause]:
    out = _name("spec.driver", spec.get("driver"), subdomain=True)
    pool = spec.get("pool") if isinstance(spec.get("pool"), dict) else {}
    out += _name("spec.pool.name", pool.get("name"), subdomain=True)
    if not isinstance(pool.get("resourceSliceCount"), int) or pool["resourceSliceCount"] <= 0:
        out.append(
            _invalid("spec.pool.resourceSliceCount", pool.get("resourceSliceCount") or 0, "must be greater than zero")
        )
    if isinstance(pool.get("generation"), int) and pool["generation"] < 0:
        out.append(_invalid("spec.pool.generation", pool["generation"], "must be greater than or equal to zero"))
    if old is not None:
        for path, new_value, old_value in (
            ("spec.pool.name", pool.get("name"), (old.get("pool") or {}).get("name")),
            ("spec.driver", spec.get("driver"), old.get("driver")),
            ("spec.nodeName", spec.get("nodeName"), old.get("nodeName")),
        ):
            if new_value != old_value:
                out.append(("FieldValueInvalid", path, f"Invalid value: {json.dumps(new_value)}: field is immutable"))
    chosen = [
        f"`{key}`"
        for key in ("nodeName", "nodeSelector", "allNodes", "perDeviceNodeSelection")
        if spec.get(key) not in (None, "", False)
    ]
    if not chosen:
        out.append(_required("spec", _NODE_SELECTION))
    elif len(chosen) > 1:
        out.append(_invalid("spec", "{" + ", ".join(chosen) + "}", f"{_NODE_SELECTION}, but multiple fields are set"))
    names: set[str] = set()
    for i, device in enumerate(spec.get("devices") or []):
        device = device if isinstance(device, dict) else {}
        name = device.get("name")
        out += _name(f"spec.devices[{i}].name", name)
        if isinstance(name, str) and name:
            if name in names:
                out.append(("FieldValueDuplicate", f"spec.devices[{i}]", f"Duplicate value: {json.dumps(name)}"))
            names.add(name)
        for key, value in (device.get("attributes") or {}).items():
            if not isinstance(value, dict) or len([v for v in value.values() if v is not None]) != 1:
                out.append(_invalid(f"spec.devices[{i}].attributes[{key}]", "", "exactly one value must be specified"))
    return out
