"""A Pod's update as kube-apiserver's pod strategy validates it: the spec is immutable but for the
containers' and init containers' images, activeDeadlineSeconds (set, or lowered), tolerations
(additions, or another tolerationSeconds) and schedulingGates (removals), so a PATCH or PUT of a
stored Pod's spec.nodeName, resources, env or volumes is a 422.

upstream: kubernetes/kubernetes pkg/registry/core/pod/strategy.go (podStrategy.ValidateUpdate calls
corevalidation.ValidatePodUpdate) and pkg/apis/core/validation/validation.go ValidatePodUpdate at the
v1.32 line (read in the fork sanposhiho/kubernetes 059ce4e8; the kubernetes/kubernetes copy in the
code index is older), in its order:
- ValidateContainerUpdates for containers, then initContainers: another count is Forbidden "pod updates
  may not add or remove containers" and ends the checks; an empty image is Required, one with
  leading or trailing whitespace Invalid;
- activeDeadlineSeconds: outside 0..MaxInt32 Invalid (InclusiveRangeError) and the end, above the
  old value "must be less than or equal to previous value" and the end, removed "must not update
  from a positive integer to nil value";
- validateOnlyAddedTolerations: an old toleration (tolerationSeconds aside) the new list lacks is
  Forbidden "existing toleration can not be modified except its tolerationSeconds";
- validateOnlyDeletedSchedulingGates: a gate the old pod lacks is Forbidden at
  schedulingGates[i].name, "only deletion is allowed, but found new scheduling gate 'G'";
- the spec with those fields taken from the old one (terminationGracePeriodSeconds too where it was
  negative and is now 1) must equal the old spec (apiequality.Semantic: nil and empty lists alike),
  else Forbidden on spec: "pod updates may not change fields other than " + updatablePodSpecFieldsNoResources
  (InPlacePodVerticalScaling is alpha, off, in v1.32) + a newline and cmp.Diff(old spec, munged).

Not modelled: the diff is a list of the JSON fields that differ (cmp.Diff prints Go's internal
core.PodSpec, which this emulator does not have); a gated pod's nodeSelector and node affinity
additions (opts.AllowMutableNodeSelectorAndNodeAffinity) are taken as the old ones unchecked.
"""

from __future__ import annotations

import json
from typing import Any

MAX_INT32 = 2**31 - 1

# validation.go updatablePodSpecFieldsNoResources
UPDATABLE = (
    "`spec.containers[*].image`",
    "`spec.initContainers[*].image`",
    "`spec.activeDeadlineSeconds`",
    "`spec.tolerations` (only additions to existing tolerations)",
    "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
)

Cause = tuple[str, str, str]


def _semantic(value: Any) -> Any:
    """apiequality.Semantic's view of a JSON value: a null and an empty list are an unset field."""
    if isinstance(value, dict):
        return {k: _semantic(v) for k, v in value.items() if v is not None and v != []}
    if isinstance(value, list):
        return [_semantic(v) for v in value]
    return value


def _container_causes(new: list[Any], old: list[Any], path: str) -> tuple[list[Cause], bool]:
    """ValidateContainerUpdates: (causes, stop)."""
    if len(new) != len(old):
        return [("FieldValueForbidden", path, "Forbidden: pod updates may not add or remove containers")], True
    causes: list[Cause] = []
    for i, c in enumerate(new):
        image = (c or {}).get("image") or ""
        if not image:
            causes.append(("FieldValueRequired", f"{path}[{i}].image", "Required value"))
        if image.strip() != image:
            causes.append(
                (
                    "FieldValueInvalid",
                    f"{path}[{i}].image",
                    f"Invalid value: {json.dumps(image)}: must not have leading or trailing whitespace",
                )
            )
    return causes, False


def _deadline_causes(new: Any, old: Any) -> tuple[list[Cause], bool]:
    def invalid(value: str, why: str) -> list[Cause]:
        return [("FieldValueInvalid", "spec.activeDeadlineSeconds", f"Invalid value: {value}: {why}")]

    if new is not None:
        if not isinstance(new, int) or new < 0 or new > MAX_INT32:
            return invalid(str(new), f"must be between 0 and {MAX_INT32}, inclusive"), True
        if old is not None and old < new:
            return invalid(str(new), "must be less than or equal to previous value"), True
    elif old is not None:
        # field.Invalid with a nil *int64 prints "null" (apimachinery pkg/util/validation/field/errors.go ErrorBody)
        return invalid('"null"', "must not update from a positive integer to nil value"), False
    return [], False


def _toleration_causes(new: list[Any], old: list[Any]) -> list[Cause]:
    def bare(t: Any) -> Any:
        return _semantic({k: v for k, v in (t or {}).items() if k != "tolerationSeconds"})

    news = [bare(t) for t in new]
    for t in old:
        if bare(t) not in news:
            return [
                (
                    "FieldValueForbidden",
                    "spec.tolerations",
                    "Forbidden: existing toleration can not be modified except its tolerationSeconds",
                )
            ]
    return []


def _gate_causes(new: list[Any], old: list[Any]) -> list[Cause]:
    if not new:
        return []
    added = {(g or {}).get("name"): i for i, g in enumerate(new)}
    for g in old:
        added.pop((g or {}).get("name"), None)
    # a Go map's order upstream; the gates' order here
    return [
        (
            "FieldValueForbidden",
            f"spec.schedulingGates[{i}].name",
            f"Forbidden: only deletion is allowed, but found new scheduling gate '{name}'",
        )
        for name, i in sorted(added.items(), key=lambda kv: kv[1])
    ]


def _munged(new: dict[str, Any], old: dict[str, Any]) -> dict[str, Any]:
    """The new spec with the updatable fields taken from the old one."""
    out = dict(new)
    for key in ("containers", "initContainers"):
        olds = old.get(key) or []
        if out.get(key):
            out[key] = [{**(c or {}), "image": (olds[i] or {}).get("image")} for i, c in enumerate(out[key])]
    for key in ("activeDeadlineSeconds", "schedulingGates", "tolerations"):
        if key in old:
            out[key] = old[key]
        else:
            out.pop(key, None)
    grace, old_grace = out.get("terminationGracePeriodSeconds"), old.get("terminationGracePeriodSeconds")
    if isinstance(old_grace, int) and old_grace < 0 and grace == 1:
        out["terminationGracePeriodSeconds"] = old_grace
    if old.get("schedulingGates"):
        for key in ("nodeSelector", "affinity"):
            if key in old:
                out[key] = old[key]
            else:
                out.pop(key, None)
    return out


def _diff(old: dict[str, Any], new: dict[str, Any]) -> str:
    lines = []
    for key in sorted(set(old) | set(new)):
        if old.get(key) != new.get(key):
            if key in old:
                lines.append(f"- {key}: {json.dumps(old[key], sort_keys=True)}")
            if key in new:
                lines.append(f"+ {key}: {json.dumps(new[key], sort_keys=True)}")
    return "\n".join(lines)


def causes(new_spec: dict[str, Any], old_spec: dict[str, Any]) -> list[Cause]:
    """ValidatePodUpdate's spec checks of ``new_spec`` over the stored ``old_spec``."""
    new, old = _semantic(new_spec), _semantic(old_spec)
    out: list[Cause] = []
    for key in ("containers", "initContainers"):
        found, stop = _container_causes(new.get(key) or [], old.get(key) or [], f"spec.{key}")
        out += found
        if stop:
            return out
    found, stop = _deadline_causes(new.get("activeDeadlineSeconds"), old.get("activeDeadlineSeconds"))
    out += found
    if stop:
        return out
    out += _toleration_causes(new.get("tolerations") or [], old.get("tolerations") or [])
    out += _gate_causes(new.get("schedulingGates") or [], old.get("schedulingGates") or [])
    if new == old:
        return out
    munged = _munged(new, old)
    if munged != old:
        message = f"Forbidden: pod updates may not change fields other than {','.join(UPDATABLE)}\n{_diff(old, munged)}"
        out.append(("FieldValueForbidden", "spec", message))
    return out
