"""The API server's validation of a PersistentVolumeClaim's spec: access modes and the storage
request it must have. It runs before the validating admission plugins, so a claim without a
storage request is refused here (422), not by LimitRanger (admission_limits.validate_claim).

upstream: kubernetes/kubernetes pkg/apis/core/validation/validation.go
ValidatePersistentVolumeClaimSpec (accessModes required and supported, ReadWriteOncePod alone,
resources[storage] required and greater than zero) and ValidatePositiveQuantityValue
(isNotPositiveErrorMsg), read through the code index."""

from __future__ import annotations

import json
from typing import Any

from tests.emulators.kube.quantities import canonical, parse

Cause = tuple[str, str, str]

ACCESS_MODES = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"]  # sets.List: sorted


def causes(spec: dict[str, Any], at: str = "spec") -> list[Cause]:
    out: list[Cause] = []
    modes = spec.get("accessModes") if isinstance(spec.get("accessModes"), list) else []
    if not modes:
        out.append(("FieldValueRequired", f"{at}.accessModes", "Required value: at least 1 access mode is required"))
    once_pod = other = False
    for mode in modes:
        if mode not in ACCESS_MODES:
            supported = ", ".join(json.dumps(m) for m in ACCESS_MODES)
            out.append(
                (
                    "FieldValueNotSupported",
                    f"{at}.accessModes",
                    f"Unsupported value: {json.dumps(mode)}: supported values: {supported}",
                )
            )
        elif mode == "ReadWriteOncePod":
            once_pod = True
        else:
            other = True
    if once_pod and other:
        out.append(
            ("FieldForbidden", f"{at}.accessModes", "Forbidden: may not use ReadWriteOncePod with other access modes")
        )
    resources = spec.get("resources") if isinstance(spec.get("resources"), dict) else {}
    requests = resources.get("requests") if isinstance(resources.get("requests"), dict) else {}
    path = f"{at}.resources[storage]"
    if "storage" not in requests:
        out.append(("FieldValueRequired", path, "Required value"))
    else:
        parsed = parse(requests["storage"])
        if parsed is not None and parsed[0] <= 0:
            shown = json.dumps(canonical(requests["storage"]))
            out.append(("FieldValueInvalid", path, f"Invalid value: {shown}: must be greater than zero"))
    return out
