"""The API server's validation of the resources of a pod's containers (a Pod's, and a pod
template's in a workload): each limit and request a quantity that is not negative, whole for an
integer resource, and a request of a resource that cannot be overcommitted equal to its limit
(part of ApiServer's kind validation, apiserver_validation.py; upstream: kubernetes/kubernetes
pkg/apis/core/validation/validation.go validateResourceRequirements)."""

from __future__ import annotations

import json
from typing import Any


def _overcommit_allowed(name: str) -> bool:
    """upstream: kubernetes/kubernetes pkg/apis/core/helper/helpers.go IsOvercommitAllowed: a native
    resource (no domain, or *kubernetes.io/) that is not hugepages-*; extended resources never are."""
    native = "/" not in name or "kubernetes.io/" in name
    return native and not name.startswith("hugepages-")


def _integer_resource(name: str) -> bool:
    """upstream: kubernetes/kubernetes pkg/apis/core/helper/helpers.go IsIntegerResourceName: the
    object-count quota names and every extended resource (IsExtendedResourceName: not native, not
    ``requests.``-prefixed, a domain-qualified name); pods' containers only ever carry the latter."""
    return "/" in name and "kubernetes.io/" not in name and not name.startswith("requests.")


def _quantity_causes(at: str, name: str, value: Any) -> list[tuple[str, str, str]]:
    """ValidateResourceQuantityValue on one request or limit: not negative, and whole for an integer
    resource (upstream: kubernetes/kubernetes pkg/apis/core/validation/validation.go
    ValidateNonnegativeQuantity, field.Invalid with value.String() and IsNegativeErrorMsg "must be
    greater than or equal to 0" (kubernetes/apimachinery pkg/api/validation/generic.go);
    isNotIntegerErrorMsg "must be an integer", the Quantity printed through its MarshalJSON, the
    canonical string (kubernetes/apimachinery pkg/util/validation/field/errors.go ErrorBody))."""
    from tests.emulators.kube.quantities import canonical, is_integer, parse

    parsed = parse(value)
    if parsed is None:
        return []  # the typed schema refuses what is no quantity
    causes = []
    shown = json.dumps(canonical(value))
    if parsed[0] < 0:
        causes.append(
            ("FieldValueInvalid", f"{at}[{name}]", f"Invalid value: {shown}: must be greater than or equal to 0")
        )
    if _integer_resource(name) and not is_integer(value):
        causes.append(("FieldValueInvalid", f"{at}[{name}]", f"Invalid value: {shown}: must be an integer"))
    return causes


def resource_causes(at: str, container: dict[str, Any], pod: bool = False) -> list[tuple[str, str, str]]:
    """The quantity rules of one container's resources (``at`` is the container's path), limits
    first, then requests; pod_template_validation calls it where validateContainerCommon does
    (upstream: kubernetes/kubernetes 000f2605 pkg/apis/core/validation/validation.go).

    upstream: kubernetes/kubernetes pkg/apis/core/validation/validation.go
    validateResourceRequirements: every limit and request is checked by ValidateResourceQuantityValue
    (_quantity_causes); a request of a resource that cannot be overcommitted needs a limit
    (field.Required on .limits, "Limit must be set for non overcommitable resources") and must
    equal it (field.Invalid on .requests, the request's Quantity.String(), "must be equal to NAME
    limit of LIMIT.String()": tests/emulators/kube/quantities.py prints them). On a Pod, and only
    there, a missing request is first defaulted from the limit (pkg/apis/core/v1/defaults.go
    SetDefaults_Pod, "we only want this defaulting semantic to take place on a v1.Pod and not a
    v1.PodTemplate"), so a limit alone passes and a fractional limit is refused twice.
    """
    from tests.emulators.kube.controllers.scheduling import quantity
    from tests.emulators.kube.quantities import canonical

    causes: list[tuple[str, str, str]] = []
    res = container.get("resources") or {}
    requests, limits = dict(res.get("requests") or {}), dict(res.get("limits") or {})
    if pod:
        requests = {**limits, **requests}
    at = f"{at}.resources"
    for name, value in limits.items():
        causes.extend(_quantity_causes(f"{at}.limits", str(name), value))
    for name, value in requests.items():
        causes.extend(_quantity_causes(f"{at}.requests", str(name), value))
        if _overcommit_allowed(str(name)):
            continue
        if name not in limits:
            causes.append(
                (
                    "FieldValueRequired",
                    f"{at}.limits",
                    "Required value: Limit must be set for non overcommitable resources",
                )
            )
        elif quantity(value) != quantity(limits[name]):
            shown, limit = json.dumps(canonical(value)), canonical(limits[name])
            causes.append(
                (
                    "FieldValueInvalid",
                    f"{at}.requests",
                    f"Invalid value: {shown}: must be equal to {name} limit of {limit}",
                )
            )
    return causes
