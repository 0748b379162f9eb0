"""A pod spec's nodeSelector and its pod affinity and anti-affinity terms, as ValidatePodSpec checks
them, with upstream's field paths and texts.

upstream: kubernetes/kubernetes pkg/apis/core/validation/validation.go (mirror a7264f95, read
through the code index):
- ValidatePodSpec: ``unversionedvalidation.ValidateLabels(spec.NodeSelector, "nodeSelector")``
  after dnsPolicy and before securityContext; validateAffinity after imagePullSecrets: node
  affinity, then podAffinity, then podAntiAffinity.
- validatePodAffinity / validatePodAntiAffinity: the required terms (validatePodAffinityTerms,
  ``[i]``) and the preferred ones (validateWeightedPodAffinityTerms: weight 1-100, "must be in the
  range 1-100", then the term at ``[j].podAffinityTerm``).
- validatePodAffinityTerm: ValidatePodAffinityTermSelector (labelSelector, then
  namespaceSelector), each namespace a DNS label (reported at ``namespace``, as upstream spells
  it), matchLabelKeys and mismatchLabelKeys (validateMatchLabelKeysAndMismatchLabelKeys: label
  names, none without a labelSelector, none in both lists), the topologyKey "can not be empty",
  then the topologyKey a label name.
staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation.go:
- ValidateLabels: each key a qualified name and each value a label value, both reported at the
  map itself (``nodeSelector``), the key's faults then the value's.
- ValidateLabelSelector: matchLabels (ValidateLabels), then each matchExpressions[i]
  (ValidateLabelSelectorRequirement: the operator's rule, the key a label name, each value a
  label value at ``values[k]``: a create has AllowInvalidLabelValueInSelector false).
"""

from __future__ import annotations

from typing import Any

from tests.emulators.kube.job_validation import LABEL, LABEL_MSG
from tests.emulators.kube.pod_spec_policy_validation import Cause, _invalid, _label_value, label_name


def labels(path: str, value: Any) -> list[Cause]:
    """unversionedvalidation.ValidateLabels."""
    if not isinstance(value, dict):
        return []
    out: list[Cause] = []
    for key, v in value.items():
        out += label_name(path, str(key))
        out += [_invalid(path, v, msg) for msg in _label_value(str(v))]
    return out


def _requirement(path: str, req: dict[str, Any]) -> list[Cause]:
    """ValidateLabelSelectorRequirement."""
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
    else:
        out.append(_invalid(f"{path}.operator", op, "not a valid selector operator"))
    out += label_name(f"{path}.key", str(req.get("key") or ""))
    for k, v in enumerate(values):
        out += [_invalid(f"{path}.values[{k}]", v, msg) for msg in _label_value(str(v))]
    return out


def label_selector(path: str, selector: Any) -> list[Cause]:
    """metav1validation.ValidateLabelSelector (a null selector has nothing to check)."""
    if not isinstance(selector, dict):
        return []
    out = labels(f"{path}.matchLabels", selector.get("matchLabels"))
    for i, req in enumerate(selector.get("matchExpressions") or []):
        if isinstance(req, dict):
            out += _requirement(f"{path}.matchExpressions[{i}]", req)
    return out


def _label_keys(path: str, keys: list[Any], selector: Any) -> list[Cause]:
    """validateLabelKeys."""
    if not keys:
        return []
    if selector is None:
        return [("FieldValueForbidden", path, "Forbidden: must not be specified when labelSelector is not set")]
    out: list[Cause] = []
    for i, key in enumerate(keys):
        out += label_name(f"{path}[{i}]", str(key))
    return out


def _match_keys(path: str, term: dict[str, Any]) -> list[Cause]:
    """validateMatchLabelKeysAndMismatchLabelKeys, less its "exists in both matchLabelKeys and
    labelSelector" check: that one reads the selector the API server merged the matchLabelKeys into
    (MatchLabelKeysInPodAffinity), which the emulator does not do."""
    match = [str(k) for k in term.get("matchLabelKeys") or []]
    mismatch = [str(k) for k in term.get("mismatchLabelKeys") or []]
    selector = term.get("labelSelector")
    out = _label_keys(f"{path}.matchLabelKeys", match, selector)
    out += _label_keys(f"{path}.mismatchLabelKeys", mismatch, selector)
    for i, key in enumerate(match):
        if key in mismatch:
            out.append(
                _invalid(f"{path}.matchLabelKeys[{i}]", key, "exists in both matchLabelKeys and mismatchLabelKeys")
            )
    return out


def _namespace(name: str) -> list[str]:
    """ValidateNamespaceName: apimachinery IsDNS1123Label."""
    errs = ["must be no more than 63 characters"] if len(name) > 63 else []
    return errs + ([] if LABEL.match(name) else [LABEL_MSG])


def term(path: str, value: Any) -> list[Cause]:
    """validatePodAffinityTerm (an absent term is Go's zero value: no topologyKey)."""
    value = {} if value is None else value
    if not isinstance(value, dict):
        return []
    out = label_selector(f"{path}.labelSelector", value.get("labelSelector"))
    out += label_selector(f"{path}.namespaceSelector", value.get("namespaceSelector"))
    for name in value.get("namespaces") or []:
        out += [_invalid(f"{path}.namespace", name, msg) for msg in _namespace(str(name))]
    out += _match_keys(path, value)
    key = str(value.get("topologyKey") or "")
    if not key:
        out.append(("FieldValueRequired", f"{path}.topologyKey", "Required value: can not be empty"))
    return out + label_name(f"{path}.topologyKey", key)


def _affinity_kind(path: str, value: Any) -> list[Cause]:
    """validatePodAffinity / validatePodAntiAffinity."""
    if not isinstance(value, dict):
        return []
    out: list[Cause] = []
    required_at = f"{path}.requiredDuringSchedulingIgnoredDuringExecution"
    for i, t in enumerate(value.get("requiredDuringSchedulingIgnoredDuringExecution") or []):
        out += term(f"{required_at}[{i}]", t)
    preferred_at = f"{path}.preferredDuringSchedulingIgnoredDuringExecution"
    for j, weighted in enumerate(value.get("preferredDuringSchedulingIgnoredDuringExecution") or []):
        if not isinstance(weighted, dict):
            continue
        weight = weighted.get("weight")
        if not isinstance(weight, int) or not 1 <= weight <= 100:
            shown = weight if isinstance(weight, int) else 0
            out.append(_invalid(f"{preferred_at}[{j}].weight", shown, "must be in the range 1-100"))
        out += term(f"{preferred_at}[{j}].podAffinityTerm", weighted.get("podAffinityTerm"))
    return out


def pod_affinity(path: str, value: Any) -> list[Cause]:
    """validateAffinity's podAffinity and podAntiAffinity (after its nodeAffinity)."""
    if not isinstance(value, dict):
        return []
    return _affinity_kind(f"{path}.podAffinity", value.get("podAffinity")) + _affinity_kind(
        f"{path}.podAntiAffinity", value.get("podAntiAffinity")
    )
