"""Property names, selectors and sorters of a placement as KubeFleet's placement webhook checks
them (upstream: kubefleet-dev/kubefleet e160c1cd pkg/utils/validator/placement.go validateName,
validatePropertySelectorRequirements, validatePropertySorter), for tests/emulators/kube/admission.py."""

from __future__ import annotations

import re
from typing import Any

_DNS_1123_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS_1123_SUBDOMAIN = re.compile(rf"{_DNS_1123_LABEL}(\.{_DNS_1123_LABEL})*")


def _subdomain_errors(value: str) -> list[str]:
    """apimachinery IsDNS1123Subdomain (upstream: kubernetes/apimachinery
    pkg/util/validation/validation.go), with its messages."""
    errs: list[str] = []
    if len(value) > 253:
        errs.append("must be no more than 253 characters")
    if not _DNS_1123_SUBDOMAIN.fullmatch(value):
        errs.append(
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and "
            "must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
            "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
        )
    return errs


_QNAME = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_QNAME_MSG = (
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
    f"character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '{_QNAME}')"
)
_CAPACITY_TYPES = ("allocatable", "available", "total")  # sorted, as supportedResourceCapacityTypes sorts them
_PROPERTY_OPERATORS = ("Gt", "Ge", "Lt", "Le", "Eq", "Ne")


def _qualified_name_errors(value: str) -> list[str]:
    """k8s.io/apimachinery pkg/util/validation IsQualifiedName (upstream: kubernetes/apimachinery
    pkg/util/validation/validation.go), with its messages."""
    parts = value.split("/")
    errs: list[str] = []
    if len(parts) > 2:
        return [
            f"a qualified name {_QNAME_MSG} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        ]
    name = parts[-1]
    if len(parts) == 2:
        if not parts[0]:
            errs.append("prefix part must be non-empty")
        else:
            errs += ["prefix part " + e for e in _subdomain_errors(parts[0])]
    if not name:
        errs.append("name part must be non-empty")
    elif len(name) > 63:
        errs.append("name part must be no more than 63 characters")
    if not re.fullmatch(_QNAME, name):
        errs.append("name part " + _QNAME_MSG)
    return errs


def _property_name_error(name: str) -> str | None:
    """validateName (upstream: kubefleet-dev/kubefleet e160c1cd pkg/utils/validator/placement.go;
    the prefix and capacity types from pkg/propertyprovider/commons.go)."""
    prefix = "resources.kubernetes-fleet.io/"
    if name.startswith(prefix):
        segments = name.removeprefix(prefix).split("-", 1)
        if len(segments) != 2:
            return f"invalid resource property name {name}, expected format is [PREFIX]/[CAPACITY_TYPE]-[RESOURCE_NAME]"
        if segments[0] not in _CAPACITY_TYPES:
            return (
                f"invalid capacity type in resource property name {name}, "
                f"supported values are [{' '.join(_CAPACITY_TYPES)}]"
            )
        errs = _qualified_name_errors(name)
        return f"property name {name} is not valid: {'; '.join(errs)}" if errs else None
    segs = name.split("/")
    if len(segs) <= 1:
        errs = _qualified_name_errors(name)
        return f"property name {name} is not valid: {'; '.join(errs)}" if errs else None
    first = segs[0]
    subdomain_errs = _subdomain_errors(first)
    qualified_errs = _qualified_name_errors(first)
    if subdomain_errs and qualified_errs:
        return (
            f"property name first segment {first} is not valid: it is neither a valid DNS subdomain "
            f"({'; '.join(subdomain_errs)}) nor a valid qualified name ({'; '.join(qualified_errs)})"
        )
    for seg in segs[1:]:
        errs = _qualified_name_errors(seg)
        if errs:
            return f"property name segment {seg} is not valid: {'; '.join(errs)}"
    return None


def property_selector_errors(selector: dict[str, Any]) -> list[str]:
    """validatePropertySelectorRequirements (placement.go): each requirement's name, operator and
    value count. Not emulated: quantity parsing and validateRequirementsConsistency."""
    errs: list[str] = []
    for req in selector.get("matchExpressions") or []:
        name, op, values = str(req.get("name") or ""), str(req.get("operator") or ""), req.get("values") or []
        why = _property_name_error(name)
        if why:
            errs.append(f"invalid property name {name}: {why}")
        if op not in _PROPERTY_OPERATORS:
            errs.append(f"invalid requirement on property {name}: unsupported operator {op}")
        elif len(values) != 1:
            errs.append(
                f"invalid requirement on property {name}: operator {op} requires exactly one value, got {len(values)}"
            )
    return errs


def property_sorter_errors(sorter: dict[str, Any]) -> list[str]:
    """validatePropertySorter (placement.go)."""
    errs = [why for why in [_property_name_error(str(sorter.get("name") or ""))] if why]
    order = sorter.get("sortOrder")
    if order not in ("Descending", "Ascending"):
        errs.append(f"invalid property sort order {order}")
    return errs
