"""The LimitRanger admission plugin (kube-apiserver's default set, which AKS runs) and the
defaults a stored LimitRange gets.

upstream: kubernetes/kubernetes plugin/pkg/admission/limitranger/admission.go (read through the
code index, the version with PodMutateLimitFunc, PodValidateLimitFunc and podRequests; not
pinned to a commit):
- SupportsAttributes: Pods on create only (a Pod update is skipped); PersistentVolumeClaims on
  create and update, never a subresource (PersistentVolumeClaimValidateLimitFunc, below; upstream:
  kubernetes/kubernetes plugin/pkg/admission/limitranger/admission.go).
- Admit, PodMutateLimitFunc: for each LimitRange of the namespace, its Container item's
  ``default`` (limits) and ``defaultRequest`` (requests) fill what each container, then each init
  container, lacks; the Pod is annotated ``kubernetes.io/limit-ranger: LimitRanger plugin set:
  cpu, memory request for container c; cpu limit for init container i`` (names sorted).
- Validate, PodValidateLimitFunc: each Container item's min, max and maxLimitRequestRatio against
  each container and init container, a Pod item's against the Pod's requests and limits (the sum
  of its containers', or the largest init container's where that is more: resourcehelper
  PodRequests, without overhead or sidecars); the first LimitRange with errors refuses the Pod
  with NewForbidden and the errors' aggregate (``[a, b]`` for more than one). Resources are taken
  in name order (Go ranges over a map).
- Quantities compare at milli precision (requestLimitEnforcedValues) and print as
  Quantity.String().

upstream: kubernetes/kubernetes 023f88a3 pkg/apis/core/v1/defaults.go SetDefaults_LimitRangeItem:
a Container item's default limit is its max, its default request its default limit, else its min.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from tests.emulators.kube import quantities
from tests.emulators.kube.status import ApiError

ANNOTATION = "kubernetes.io/limit-ranger"


def default_limit_range(spec: dict[str, Any]) -> None:
    """SetDefaults_LimitRangeItem on each item of a LimitRange's spec, in place."""
    for item in spec.get("limits") or []:
        if not isinstance(item, dict) or item.get("type") != "Container":
            continue
        default = dict(item.get("default") or {})
        request = dict(item.get("defaultRequest") or {})
        for key, value in (item.get("max") or {}).items():
            default.setdefault(key, value)
        for key, value in default.items():
            request.setdefault(key, value)
        for key, value in (item.get("min") or {}).items():
            request.setdefault(key, value)
        if default:
            item["default"] = default
        if request:
            item["defaultRequest"] = request


def _containers(spec: dict[str, Any]) -> Iterable[tuple[str, dict[str, Any]]]:
    for key, prefix in (("containers", "container"), ("initContainers", "init container")):
        for c in spec.get(key) or []:
            if isinstance(c, dict):
                yield prefix, c


def mutate(pod: dict[str, Any], ranges: list[dict[str, Any]]) -> None:
    """PodMutateLimitFunc of every LimitRange, in place (a created Pod)."""
    spec = pod.get("spec")
    if not isinstance(spec, dict):
        return
    for lr in ranges:
        limits: dict[str, Any] = {}
        requests: dict[str, Any] = {}
        for item in (lr.get("spec") or {}).get("limits") or []:
            if isinstance(item, dict) and item.get("type") == "Container":
                requests.update(item.get("defaultRequest") or {})
                limits.update(item.get("default") or {})
        notes: list[str] = []
        for prefix, c in _containers(spec):
            resources = c.setdefault("resources", {})
            have_limits = resources.setdefault("limits", {})
            have_requests = resources.setdefault("requests", {})
            set_limits = [k for k in limits if k not in have_limits]
            set_requests = [k for k in requests if k not in have_requests]
            for k in set_limits:
                have_limits[k] = limits[k]
            for k in set_requests:
                have_requests[k] = requests[k]
            if set_requests:
                notes.append(f"{', '.join(sorted(set_requests))} request for {prefix} {c.get('name')}")
            if set_limits:
                notes.append(f"{', '.join(sorted(set_limits))} limit for {prefix} {c.get('name')}")
            for key in ("limits", "requests"):
                if not resources[key]:
                    del resources[key]
        if notes:
            md = pod.setdefault("metadata", {})
            md["annotations"] = {
                **(md.get("annotations") or {}),
                ANNOTATION: "LimitRanger plugin set: " + "; ".join(notes),
            }


def _amount(value: Any) -> Decimal:
    parsed = quantities.parse(value)
    return parsed[0] if parsed is not None else Decimal(0)


def _min(kind: str, name: str, enforced: Any, requests: dict[str, Any], limits: dict[str, Any]) -> str | None:
    shown = quantities.canonical(enforced)
    if name not in requests:
        return f"minimum {name} usage per {kind} is {shown}.  No request is specified"
    if _amount(requests[name]) < _amount(enforced):
        return f"minimum {name} usage per {kind} is {shown}, but request is {quantities.canonical(requests[name])}"
    if name in limits and _amount(limits[name]) < _amount(enforced):
        return f"minimum {name} usage per {kind} is {shown}, but limit is {quantities.canonical(limits[name])}"
    return None


def _max(kind: str, name: str, enforced: Any, requests: dict[str, Any], limits: dict[str, Any]) -> str | None:
    shown = quantities.canonical(enforced)
    if name not in limits:
        return f"maximum {name} usage per {kind} is {shown}.  No limit is specified"
    if _amount(limits[name]) > _amount(enforced):
        return f"maximum {name} usage per {kind} is {shown}, but limit is {quantities.canonical(limits[name])}"
    if name in requests and _amount(requests[name]) > _amount(enforced):
        return f"maximum {name} usage per {kind} is {shown}, but request is {quantities.canonical(requests[name])}"
    return None


def _ratio(kind: str, name: str, enforced: Any, requests: dict[str, Any], limits: dict[str, Any]) -> str | None:
    shown = quantities.canonical(enforced)
    request, limit = _amount(requests.get(name, 0)), _amount(limits.get(name, 0))
    if request == 0:
        return f"{name} max limit to request ratio per {kind} is {shown}, but no request is specified or request is 0"
    if limit == 0:
        return f"{name} max limit to request ratio per {kind} is {shown}, but no limit is specified or limit is 0"
    observed = limit / request
    if observed > _amount(enforced):
        return f"{name} max limit to request ratio per {kind} is {shown}, but provided ratio is {float(observed):f}"
    return None


def _check(kind: str, item: dict[str, Any], requests: dict[str, Any], limits: dict[str, Any]) -> list[str]:
    errors: list[str] = []
    for field, check in (("min", _min), ("max", _max), ("maxLimitRequestRatio", _ratio)):
        for name in sorted(item.get(field) or {}):
            error = check(kind, name, item[field][name], requests, limits)
            if error:
                errors.append(error)
    return errors


def _pod_totals(spec: dict[str, Any], key: str) -> dict[str, Any]:
    totals: dict[str, Decimal] = {}
    for c in spec.get("containers") or []:
        for name, value in ((c.get("resources") or {}).get(key) or {}).items():
            totals[name] = totals.get(name, Decimal(0)) + _amount(value)
    for c in spec.get("initContainers") or []:
        for name, value in ((c.get("resources") or {}).get(key) or {}).items():
            totals[name] = max(totals.get(name, Decimal(0)), _amount(value))
    return {name: quantities.text(amount, "DecimalSI") for name, amount in totals.items()}


def validate(pod: dict[str, Any], ranges: list[dict[str, Any]], pod_name: str) -> None:
    """PodValidateLimitFunc of every LimitRange: raises the plugin's 403 for the first that fails."""
    spec = pod.get("spec")
    if not isinstance(spec, dict):
        return
    for lr in ranges:
        errors: list[str] = []
        for item in (lr.get("spec") or {}).get("limits") or []:
            if not isinstance(item, dict):
                continue
            if item.get("type") == "Container":
                for _, c in _containers(spec):
                    resources = c.get("resources") or {}
                    errors += _check("Container", item, resources.get("requests") or {}, resources.get("limits") or {})
            elif item.get("type") == "Pod":
                errors += _check("Pod", item, _pod_totals(spec, "requests"), _pod_totals(spec, "limits"))
        unique = list(dict.fromkeys(errors))
        if unique:
            message = unique[0] if len(unique) == 1 else "[" + ", ".join(unique) + "]"
            raise ApiError(
                403, f'pods "{pod_name}" is forbidden: {message}', "Forbidden", {"name": pod_name, "kind": "pods"}
            )


def _max_request(kind: str, name: str, enforced: Any, requests: dict[str, Any]) -> str | None:
    """maxRequestConstraint: a claim's max is held against its request (it has no limit)."""
    shown = quantities.canonical(enforced)
    if name not in requests:
        return f"maximum {name} usage per {kind} is {shown}.  No request is specified"
    if _amount(requests[name]) > _amount(enforced):
        return f"maximum {name} usage per {kind} is {shown}, but request is {quantities.canonical(requests[name])}"
    return None


def validate_claim(claim: dict[str, Any], ranges: list[dict[str, Any]], claim_name: str) -> None:
    """PersistentVolumeClaimValidateLimitFunc of every LimitRange, on a claim's create and
    update (not its status): each PersistentVolumeClaim item's min and max against
    spec.resources.requests; a claim is never given defaults ("storage is a required part of
    pvc.Spec"). Raises the plugin's 403 for the first LimitRange that fails."""
    requests = ((claim.get("spec") or {}).get("resources") or {}).get("requests") or {}
    kind = "PersistentVolumeClaim"
    for lr in ranges:
        errors: list[str] = []
        for item in (lr.get("spec") or {}).get("limits") or []:
            if not isinstance(item, dict) or item.get("type") != kind:
                continue
            for name in sorted(item.get("min") or {}):
                error = _min(kind, name, item["min"][name], requests, {})
                if error:
                    errors.append(error)
            for name in sorted(item.get("max") or {}):
                error = _max_request(kind, name, item["max"][name], requests)
                if error:
                    errors.append(error)
        if errors:
            message = errors[0] if len(errors) == 1 else "[" + ", ".join(errors) + "]"
            raise ApiError(
                403,
                f'persistentvolumeclaims "{claim_name}" is forbidden: {message}',
                "Forbidden",
                {"name": claim_name, "kind": "persistentvolumeclaims"},
            )
