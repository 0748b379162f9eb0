"""A pod spec's securityContext (the pod's and each container's), node affinity and tolerations,
and a container's envFrom, as ValidatePodSpec checks them, with upstream's field paths and texts.

upstream: kubernetes/kubernetes pkg/apis/core/validation/validation.go (read through the code
index; the repository is too large to fetch here):
- ValidateEnvFrom: a prefix is IsRelaxedEnvVarName (the RelaxedEnvironmentVariableValidation gate is
  on at v1.32, as for env names); configMapRef and secretRef names are required and a DNS
  subdomain (ValidateConfigMapName / ValidateSecretName with prefix true: a trailing '-' is
  allowed); exactly one of them, the count's error on the envFrom list itself with value "".
- ValidateSecurityContext (a container's) and validatePodSpecSecurityContext (the pod's):
  runAsUser, runAsGroup, fsGroup and supplementalGroups within 0-2147483647 (apimachinery
  IsValidUserID, IsValidGroupID, InclusiveRangeError); validateSeccompProfileField: a type of
  Localhost, RuntimeDefault or Unconfined ("type is required when seccompProfile is set"),
  localhostProfile required with Localhost. Not checked: the rules whose error value is the
  whole SecurityContext (privileged with allowPrivilegeEscalation false, CAP_SYS_ADMIN): v1.32
  prints that value as Go's %#v of a struct of pointers (addresses), which no emulator can
  reproduce; procMount, sysctls, appArmorProfile, windowsOptions.
- validateAffinity's validateNodeAffinity: ValidateNodeSelector ("must have at least one node
  selector term"), ValidateNodeSelectorTerm, ValidateNodeSelectorRequirement (operator rules,
  the key a label name), ValidateNodeFieldSelectorRequirement (metadata.name, one value),
  ValidatePreferredSchedulingTerms (weight 1-100).
- ValidateTolerations: a key is a label name; an empty key needs operator Exists; tolerationSeconds
  only with effect NoExecute; Equal's value a label value (reported at `operator`, as upstream
  does), Exists with no value (the value printed is the toleration, Go's %#v); the effect one of
  NoSchedule, PreferNoSchedule, NoExecute.
- ValidatePodSpec's order: containers, init containers, ..., securityContext, affinity, ...,
  tolerations.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tests.emulators.kube.job_validation import SUBDOMAIN, SUBDOMAIN_MSG

Cause = tuple[str, str, str]

MAX_ID = 2147483647
ID_RANGE = f"must be between 0 and {MAX_ID}, inclusive"
RELAXED_ENV_NAME = "a valid environment variable name must consist only of printable ASCII characters other than '='"
SECCOMP_TYPES = ["Localhost", "RuntimeDefault", "Unconfined"]
EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"]
# apimachinery pkg/util/validation/validation.go qualifiedNameFmt, labelValueFmt and their messages
NAME_PART = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
NAME_PART_MSG = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)
LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
LABEL_VALUE_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used "
    "for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)


def _invalid(path: str, value: Any, detail: str) -> Cause:
    shown = value if isinstance(value, int) and not isinstance(value, bool) else json.dumps(value)
    return ("FieldValueInvalid", path, f"Invalid value: {shown}: {detail}")


def _not_supported(path: str, value: str, supported: list[str]) -> Cause:
    values = ", ".join(json.dumps(v) for v in supported)
    return ("FieldValueNotSupported", path, f"Unsupported value: {json.dumps(value)}: supported values: {values}")


def env_from(path: str, sources: list[Any]) -> list[Cause]:
    """ValidateEnvFrom for one container's envFrom at ``path``."""
    out: list[Cause] = []
    for i, source in enumerate(sources):
        if not isinstance(source, dict):
            continue
        at = f"{path}[{i}]"
        prefix = str(source.get("prefix") or "")
        if prefix and not all(" " <= c <= "~" and c != "=" for c in prefix):
            out.append(_invalid(f"{at}.prefix", prefix, RELAXED_ENV_NAME))
        found = 0
        for key in ("configMapRef", "secretRef"):
            ref = source.get(key)
            if ref is None:
                continue
            found += 1
            name = str((ref if isinstance(ref, dict) else {}).get("name") or "")
            if not name:
                out.append(("FieldValueRequired", f"{at}.{key}.name", "Required value"))
            elif not _subdomain(name[:-1] + "a" if len(name) > 1 and name.endswith("-") else name):
                out.append(_invalid(f"{at}.{key}.name", name, SUBDOMAIN_MSG))
        if found == 0:
            out.append(_invalid(path, "", "must specify one of: `configMapRef` or `secretRef`"))
        elif found > 1:
            out.append(_invalid(path, "", "may not have more than one field specified at a time"))
    return out


def _subdomain(name: str) -> bool:
    return len(name) <= 253 and bool(SUBDOMAIN.match(name))


def _ids(path: str, context: dict[str, Any], keys: tuple[str, ...]) -> list[Cause]:
    out: list[Cause] = []
    for key in keys:
        value = context.get(key)
        if isinstance(value, int) and not 0 <= value <= MAX_ID:
            out.append(_invalid(f"{path}.{key}", value, ID_RANGE))
    return out


def _seccomp(path: str, profile: Any) -> list[Cause]:
    if not isinstance(profile, dict):
        return []
    out: list[Cause] = []
    kind = str(profile.get("type") or "")
    if not kind:
        out.append(
            ("FieldValueRequired", f"{path}.type", "Required value: type is required when seccompProfile is set")
        )
    elif kind not in SECCOMP_TYPES:
        out.append(_not_supported(f"{path}.type", kind, SECCOMP_TYPES))
    if kind == "Localhost" and profile.get("localhostProfile") is None:
        out.append(
            (
                "FieldValueRequired",
                f"{path}.localhostProfile",
                "Required value: must be set when seccomp type is Localhost",
            )
        )
    return out


def container_security_context(path: str, context: Any) -> list[Cause]:
    """ValidateSecurityContext's id and seccomp checks for a container's securityContext at ``path``."""
    if not isinstance(context, dict):
        return []
    return _ids(path, context, ("runAsUser", "runAsGroup")) + _seccomp(
        f"{path}.seccompProfile", context.get("seccompProfile")
    )


def pod_security_context(path: str, context: Any) -> list[Cause]:
    """validatePodSpecSecurityContext's id and seccomp checks for the pod's securityContext."""
    if not isinstance(context, dict):
        return []
    out = _ids(path, context, ("fsGroup", "runAsUser", "runAsGroup"))
    for g, gid in enumerate(context.get("supplementalGroups") or []):
        if isinstance(gid, int) and not 0 <= gid <= MAX_ID:
            out.append(_invalid(f"{path}.supplementalGroups[{g}]", gid, ID_RANGE))
    return out + _seccomp(f"{path}.seccompProfile", context.get("seccompProfile"))


def label_name(path: str, key: str) -> list[Cause]:
    """unversionedvalidation.ValidateLabelName: apimachinery IsQualifiedName, each fault its own cause."""
    parts = key.split("/")
    if len(parts) > 2:
        regex_error = NAME_PART_MSG.removeprefix("name part ")
        detail = (
            f"a qualified name {regex_error} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        )
        return [_invalid(path, key, detail)]
    prefix, name = (parts[0], parts[1]) if len(parts) == 2 else ("", parts[0])
    out: list[Cause] = []
    if len(parts) == 2 and not prefix:
        out.append(_invalid(path, key, "prefix part must be non-empty"))
    elif prefix and len(prefix) > 253:
        out.append(_invalid(path, key, "prefix part must be no more than 253 characters"))
    if prefix and not SUBDOMAIN.match(prefix):
        out.append(_invalid(path, key, f"prefix part {SUBDOMAIN_MSG}"))
    if not name:
        out.append(_invalid(path, key, "name part must be non-empty"))
    elif len(name) > 63:
        out.append(_invalid(path, key, "name part must be no more than 63 characters"))
    if not NAME_PART.match(name):
        out.append(_invalid(path, key, NAME_PART_MSG))
    return out


def _label_value(value: str) -> list[str]:
    errs = []
    if len(value) > 63:
        errs.append("must be no more than 63 characters")
    if not LABEL_VALUE.match(value):
        errs.append(LABEL_VALUE_MSG)
    return errs


def _requirement(path: str, req: dict[str, Any]) -> list[Cause]:
    """ValidateNodeSelectorRequirement."""
    op, values = req.get("operator") or "", req.get("values") or []
    out: list[Cause] = []
    if op in ("In", "NotIn"):
        if not values:
            out.append(
                (
                    "FieldValueRequired",
                    f"{path}.values",
                    "Required value: must be specified when `operator` is 'In' or 'NotIn'",
                )
            )
    elif op in ("Exists", "DoesNotExist"):
        if values:
            out.append(
                (
                    "FieldValueForbidden",
                    f"{path}.values",
                    "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                )
            )
    elif op in ("Gt", "Lt"):
        if len(values) != 1:
            out.append(
                (
                    "FieldValueRequired",
                    f"{path}.values",
                    "Required value: must be specified single value when `operator` is 'Lt' or 'Gt'",
                )
            )
    else:
        out.append(_invalid(f"{path}.operator", op, "not a valid selector operator"))
    return out + label_name(f"{path}.key", str(req.get("key") or ""))


def _field_requirement(path: str, req: dict[str, Any]) -> list[Cause]:
    """ValidateNodeFieldSelectorRequirement: metadata.name only, In or NotIn with one value."""
    op, values = req.get("operator") or "", req.get("values") or []
    out: list[Cause] = []
    if op in ("In", "NotIn"):
        if len(values) != 1:
            out.append(
                (
                    "FieldValueRequired",
                    f"{path}.values",
                    "Required value: must be only one value when `operator` is 'In' or 'NotIn' for node field selector",
                )
            )
    else:
        out.append(_invalid(f"{path}.operator", op, "not a valid selector operator"))
    if req.get("key") != "metadata.name":
        out.append(_invalid(f"{path}.key", str(req.get("key") or ""), "not a valid field selector key"))
    return out


def _term(path: str, term: Any) -> list[Cause]:
    if not isinstance(term, dict):
        return []
    out: list[Cause] = []
    for j, req in enumerate(term.get("matchExpressions") or []):
        if isinstance(req, dict):
            out += _requirement(f"{path}.matchExpressions[{j}]", req)
    for j, req in enumerate(term.get("matchFields") or []):
        if isinstance(req, dict):
            out += _field_requirement(f"{path}.matchFields[{j}]", req)
    return out


def affinity(path: str, value: Any) -> list[Cause]:
    """validateAffinity's node affinity (pod affinity is not checked here)."""
    node = (value or {}).get("nodeAffinity") if isinstance(value, dict) else None
    if not isinstance(node, dict):
        return []
    at = f"{path}.nodeAffinity"
    out: list[Cause] = []
    required = node.get("requiredDuringSchedulingIgnoredDuringExecution")
    if isinstance(required, dict):
        terms = required.get("nodeSelectorTerms") or []
        terms_at = f"{at}.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms"
        if not terms:
            out.append(("FieldValueRequired", terms_at, "Required value: must have at least one node selector term"))
        for i, term in enumerate(terms):
            out += _term(f"{terms_at}[{i}]", term)
    for i, preferred in enumerate(node.get("preferredDuringSchedulingIgnoredDuringExecution") or []):
        if not isinstance(preferred, dict):
            continue
        pref_at = f"{at}.preferredDuringSchedulingIgnoredDuringExecution[{i}]"
        weight = preferred.get("weight")
        if not isinstance(weight, int) or not 1 <= weight <= 100:
            out.append(
                _invalid(f"{pref_at}.weight", weight if isinstance(weight, int) else 0, "must be in the range 1-100")
            )
        out += _term(f"{pref_at}.preference", preferred.get("preference"))
    return out


def _go_toleration(t: dict[str, Any]) -> str:
    """Go's %#v of a core.Toleration, as v1.32's ErrorBody prints a struct value. A set
    tolerationSeconds is a pointer whose address Go prints; it is shown as 0x... here."""
    seconds = "(*int64)(nil)" if t.get("tolerationSeconds") is None else "(*int64)(0x...)"
    fields = ", ".join(f"{k}:{json.dumps(str(t.get(k.lower()) or ''))}" for k in ("Key", "Operator", "Value", "Effect"))
    return f"core.Toleration{{{fields}, TolerationSeconds:{seconds}}}"


def tolerations(path: str, items: list[Any]) -> list[Cause]:
    """ValidateTolerations."""
    out: list[Cause] = []
    for i, t in enumerate(items):
        if not isinstance(t, dict):
            continue
        at = f"{path}[{i}]"
        key, op, value, effect = (str(t.get(k) or "") for k in ("key", "operator", "value", "effect"))
        if key:
            out += label_name(f"{at}.key", key)
        if not key and op != "Exists":
            detail = 'operator must be Exists when `key` is empty, which means "match all values and all keys"'
            out.append(_invalid(f"{at}.operator", op, detail))
        if t.get("tolerationSeconds") is not None and effect != "NoExecute":
            out.append(_invalid(f"{at}.effect", effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"))
        if op in ("Equal", ""):
            if errs := _label_value(value):
                out.append(_invalid(f"{at}.operator", value, ";".join(errs)))
        elif op == "Exists":
            if value:
                out.append(
                    (
                        "FieldValueInvalid",
                        f"{at}.operator",
                        f"Invalid value: {_go_toleration(t)}: value must be empty when `operator` is 'Exists'",
                    )
                )
        else:
            out.append(_not_supported(f"{at}.operator", op, ["Equal", "Exists"]))
        if effect and effect not in EFFECTS:
            out.append(_not_supported(f"{at}.effect", effect, EFFECTS))
    return out


def pod_level(at: str, spec: dict[str, Any]) -> list[Cause]:
    """The pod-level checks of this module in ValidatePodSpec's order, after the containers': the
    nodeSelector, securityContext, affinity (node, then pod affinity: pod_affinity_validation.py), as
    upstream kubernetes/kubernetes pkg/apis/core/validation/validation.go ValidatePodSpec orders them."""
    from tests.emulators.kube import pod_affinity_validation as pods

    out = pods.labels(f"{at}.nodeSelector", spec.get("nodeSelector"))
    out += pod_security_context(f"{at}.securityContext", spec.get("securityContext"))
    out += affinity(f"{at}.affinity", spec.get("affinity"))
    out += pods.pod_affinity(f"{at}.affinity", spec.get("affinity"))
    items = spec.get("tolerations")
    return out + (tolerations(f"{at}.tolerations", items) if isinstance(items, list) else [])
