"""KubeFleet's ClusterResourcePlacement validating webhook in the emulator (admission.py runs it,
as it runs every operator's webhook).

KubeFleet (upstream: kubefleet-dev/kubefleet e160c1cd pkg/webhook/clusterresourceplacement/
v1beta1_clusterresourceplacement_validating_webhook.go and the checks in
pkg/utils/validator/placement.go, HandlePlacementValidation and validatePlacement; registered for
ClusterResourcePlacements only, pkg/webhook/webhook.go ``fleet.clusterresourceplacementv1beta1.
validating``): denied with controller-runtime's admission.Denied, 403 Forbidden
(kubernetes-sigs/controller-runtime v0.22.4 pkg/webhook/admission/response.go). The name at most
63 long; the policy rules per placement type (PickFixed names, counts, affinity, tolerations,
spread); the rollout strategy (type, no rollingUpdate with External, no negative values); on
update the placement type and existing tolerations unchanged (only additions); property
selector and sorter names (upstream: kubefleet-dev/kubefleet e160c1cd
pkg/utils/validator/placement.go validateName), operators and value counts, sort orders; each
resource selector's REST mapping, through the hub's mapper (``mgr.GetRESTMapper()``,
cmd/hubagent/workload/setup.go), which keys kinds exactly: ``served`` stands for it. Not
emulated: the selectors' scope checks (ResourceInformer), quantity parsing of values and the
consistency of requirements (validateRequirementsConsistency).

KubeFleet's override webhooks (``override_review``; upstream: pkg/webhook/clusterresourceoverride/
clusterresourceoverride_validating_webhook.go, pkg/webhook/resourceoverride/
resourceoverride_validating_webhook.go, registered as ``fleet.clusterresourceoverride.validating``
and ``fleet.resourceoverride.validating`` in pkg/webhook/webhook.go): validateOverridePolicy
(pkg/utils/validator/resourceoverride.go, for both kinds): a cluster selector term must have a
labelSelector and nothing else, a Delete rule has no JSON patches, a JSONPatch rule has some. Not
emulated: the resource selector and per-resource limit checks, the 100-override limit, the label
selectors' parsing and the JSON patch paths.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tests.emulators.kube.fleet_properties import property_selector_errors, property_sorter_errors

WEBHOOK = "fleet.clusterresourceplacementv1beta1.validating"
OVERRIDE_WEBHOOKS = {
    "ClusterResourceOverride": "fleet.clusterresourceoverride.validating",
    "ResourceOverride": "fleet.resourceoverride.validating",
}
# (group, version, kind) -> whether the hub serves it: the hub agent's REST mapper.
Served = Callable[[str, str, str], bool]
DNS_1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
QUALIFIED_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")


def _aggregate(errs: list[str]) -> str:
    """k8s.io/apimachinery pkg/util/errors aggregate.Error: one message as is, several deduplicated
    in brackets."""
    seen = list(dict.fromkeys(errs))
    return seen[0] if len(seen) == 1 else "[" + ", ".join(seen) + "]"


def _tolerations_errors(tolerations: list[dict[str, Any]]) -> list[str]:
    """validateTolerations (placement.go)."""
    errs: list[str] = []
    seen: list[dict[str, Any]] = []
    for t in tolerations:
        key, op, value = str(t.get("key") or ""), t.get("operator") or "Equal", str(t.get("value") or "")
        if key and (len(key.rpartition("/")[2]) > 63 or not QUALIFIED_NAME.match(key.rpartition("/")[2])):
            errs.append(f"invalid toleration key {t}: name part must consist of alphanumeric characters")
        if op == "Exists" and value:
            errs.append(f"invalid toleration {t}: toleration value needs to be empty, when operator is Exists")
        if op == "Equal" and not key:
            errs.append(f"invalid toleration {t}: toleration key cannot be empty, when operator is Equal")
        if op == "Equal" and (len(value) > 63 or not LABEL_VALUE.match(value)):
            errs.append(f"invalid toleration value {t}: a valid label must be an empty string or alphanumeric")
        if t in seen:
            errs.append(f"toleration {t} already exists, tolerations must be unique")
        seen.append(t)
    return errs


_NO_SPREAD = "topology spread constraints needs to be empty for policy type {ptype}, only valid for PickN policy type"


def _fleet_policy_errors(policy: dict[str, Any]) -> list[str]:
    """validatePlacementPolicy (placement.go): the rules of each placement type."""
    ptype = policy.get("placementType") or "PickAll"
    errs: list[str] = []
    affinity = (policy.get("affinity") or {}).get("clusterAffinity")
    if ptype == "PickFixed":
        names = [str(n) for n in policy.get("clusterNames") or []]
        for name in names:
            if not DNS_1123_SUBDOMAIN.match(name) or len(name) > 253:
                errs.append(f"PickFixed cluster name {name} is not a valid member name")
            if len(name) > 63:
                errs.append(f"PickFixed cluster name {name} cannot have length exceeding 63")
        if len(set(names)) != len(names):
            errs.append("cluster names must be unique for policy type PickFixed")
        if policy.get("numberOfClusters") is not None:
            errs.append(
                "number of clusters must be nil for policy type PickFixed, only valid for PickN placement policy type"
            )
        if policy.get("affinity") is not None:
            errs.append(
                "affinity must be nil for policy type PickFixed, only valid for PickAll/PickN placement policy types"
            )
        if policy.get("topologySpreadConstraints"):
            errs.append(_NO_SPREAD.format(ptype=ptype))
        if policy.get("tolerations") is not None:
            errs.append("tolerations needs to be empty for policy type PickFixed, only valid for PickAll/PickN")
        return errs
    if policy.get("clusterNames"):
        errs.append(f"cluster names needs to be empty for policy type {ptype}, only valid for PickFixed policy type")
    if ptype == "PickAll":
        if policy.get("numberOfClusters") is not None:
            errs.append(
                "number of clusters must be nil for policy type PickAll, only valid for PickN placement policy type"
            )
        if affinity and affinity.get("preferredDuringSchedulingIgnoredDuringExecution"):
            errs.append(
                "PreferredDuringSchedulingIgnoredDuringExecution will be ignored for placement policy type PickAll"
            )
        if policy.get("topologySpreadConstraints"):
            errs.append(_NO_SPREAD.format(ptype=ptype))
    elif ptype == "PickN":
        count = policy.get("numberOfClusters")
        if count is None:
            errs.append("number of cluster cannot be nil for policy type PickN")
        elif int(count) < 0:
            errs.append(f"number of clusters cannot be {count} for policy type PickN")
        for pref in (affinity or {}).get("preferredDuringSchedulingIgnoredDuringExecution") or []:
            if (pref.get("preference") or {}).get("propertySelector") is not None:
                errs.append(
                    "PropertySelector is not allowed for PreferredDuringSchedulingIgnoredDuringExecution affinity"
                )
            if (pref.get("preference") or {}).get("propertySorter") is not None:
                errs += property_sorter_errors(pref["preference"]["propertySorter"])
        for tc in policy.get("topologySpreadConstraints") or []:
            when = tc.get("whenUnsatisfiable")
            if when and when not in ("DoNotSchedule", "ScheduleAnyway"):
                errs.append(f"unknown unsatisfiable type {when}")
    required = (affinity or {}).get("requiredDuringSchedulingIgnoredDuringExecution") or {}
    for term in required.get("clusterSelectorTerms") or []:
        if term.get("propertySorter") is not None:
            errs.append("PropertySorter is not allowed for RequiredDuringSchedulingIgnoredDuringExecution affinity")
        if term.get("propertySelector") is not None:
            errs += property_selector_errors(term["propertySelector"])
    return errs + _tolerations_errors(policy.get("tolerations") or [])


def _fleet_strategy_errors(strategy: dict[str, Any]) -> list[str]:
    """validateRolloutStrategy (placement.go); the upstream messages, typo included."""
    errs: list[str] = []
    stype = strategy.get("type") or ""
    if stype not in ("", "RollingUpdate", "External"):
        errs.append(f"unsupported rollout strategy type `{stype}`")
    rolling = strategy.get("rollingUpdate")
    if rolling is not None:
        if stype == "External":
            errs.append("rollingUpdateConifg is not valid for ExternalRollout strategy type")
        period = rolling.get("unavailablePeriodSeconds")
        if period is not None and int(period) < 0:
            errs.append(f"unavailablePeriodSeconds must be greater than or equal to 0, got {period}")
        for field in ("maxUnavailable", "maxSurge"):
            value = rolling.get(field)
            if value is not None and str(value).startswith("-"):
                errs.append(f"{field} must be greater than or equal to 0, got `{value}`")
    return errs


def _fleet_placement_errors(obj: dict[str, Any], served: Served | None = None) -> str | None:
    """validatePlacement (placement.go) for a ClusterResourcePlacement; ``served`` (group, version,
    kind): whether the hub serves that kind, as written."""
    spec = obj.get("spec") or {}
    errs: list[str] = []
    if len(str((obj.get("metadata") or {}).get("name", ""))) > 63:
        errs.append("the name field cannot have length exceeding 63")
    for sel in spec.get("resourceSelectors") or []:
        if sel.get("labelSelector") is not None and sel.get("name"):
            errs.append(f"the labelSelector and name fields are mutually exclusive in selector {sel}")
        group, version, kind = str(sel.get("group") or ""), str(sel.get("version") or ""), str(sel.get("kind") or "")
        if served is not None and not served(group, version, kind):
            # RestMapper.RESTMapping(gk, selector.Version): controller-runtime's mapper answers
            # meta.NoKindMatchError (kubernetes/apimachinery eed236ce pkg/api/meta/errors.go).
            gv = f"{group}/{version}" if group else version
            errs.append(f'failed to get GVR of the selector: no matches for kind "{kind}" in version "{gv}"')
    policy_errs = _fleet_policy_errors(spec["policy"]) if spec.get("policy") is not None else []
    if policy_errs:
        errs.append(f"the placement policy field is invalid: {_aggregate(policy_errs)}")
    strategy_errs = _fleet_strategy_errors(spec.get("strategy") or {})
    if strategy_errs:
        errs.append(f"the rollout Strategy field  is invalid: {_aggregate(strategy_errs)}")
    return _aggregate(errs) if errs else None


def review(obj: dict[str, Any], old: dict[str, Any] | None, served: Served | None = None) -> str | None:
    """HandlePlacementValidation (placement.go) for create and update: the denial's message
    (admission.py denies with it, 403 Forbidden), None where the placement is allowed."""
    if old is not None:
        old_errs = _fleet_placement_errors(old)
        if old_errs and not (obj.get("metadata") or {}).get("deletionTimestamp"):
            return f"deny update on old invalid v1beta1 CRP with DeletionTimestamp not set {old_errs}"
        old_policy, new_policy = (old.get("spec") or {}).get("policy"), (obj.get("spec") or {}).get("policy")
        # IsPlacementPolicyTypeUpdated: a missing policy is PickAll.
        if ((old_policy or {}).get("placementType") or "PickAll") != (
            (new_policy or {}).get("placementType") or "PickAll"
        ):
            return "placement type is immutable"
        # IsTolerationsUpdatedOrDeleted: every old toleration must still be there.
        new_tolerations = (new_policy or {}).get("tolerations") or []
        if any(t not in new_tolerations for t in (old_policy or {}).get("tolerations") or []):
            return "tolerations have been updated/deleted, only additions to tolerations are allowed"
    errs = _fleet_placement_errors(obj, served)
    return f"deny create/update v1beta1 CRP has invalid fields {errs}" if errs else None


def _go_label_selector(selector: dict[str, Any]) -> str:
    """A *metav1.LabelSelector as Go's fmt prints it inside a struct: its generated String()
    (kubernetes/apimachinery eed236ce pkg/apis/meta/v1/generated.pb.go LabelSelector.String)."""
    labels = selector.get("matchLabels") or {}
    exprs = "".join(
        f"LabelSelectorRequirement{{Key:{e.get('key', '')},Operator:{e.get('operator', '')},"
        f"Values:[{' '.join(str(v) for v in e.get('values') or [])}],}},"
        for e in selector.get("matchExpressions") or []
    )
    pairs = "".join(f"{k}: {labels[k]}," for k in sorted(labels))
    matched = f"MatchLabels:map[string]string{{{pairs}}}"
    return f"&LabelSelector{{{matched},MatchExpressions:[]LabelSelectorRequirement{{{exprs}}},}}"


def _go_term(term: dict[str, Any]) -> str:
    """A ClusterSelectorTerm as %+v prints it (apis/placement/v1beta1/clusterresourceplacement_types.go):
    a nil LabelSelector is its String()'s "nil", other nil pointers "<nil>"; a set PropertySelector
    or PropertySorter is a pointer, which Go prints as its address: here a fixed one."""
    labels = term.get("labelSelector")
    shown = "nil" if labels is None else _go_label_selector(labels)

    def pointer(field: str) -> str:
        return "<nil>" if term.get(field) is None else "0xc000000000"

    props = f"PropertySelector:{pointer('propertySelector')} PropertySorter:{pointer('propertySorter')}"
    return f"{{LabelSelector:{shown} {props}}}"


def override_review(obj: dict[str, Any]) -> str | None:
    """validateOverridePolicy (pkg/utils/validator/resourceoverride.go), as ValidateClusterResourceOverride
    and ValidateResourceOverride run it: the denial's message (admission.Denied, 403), or None."""
    policy = (obj.get("spec") or {}).get("policy")
    if policy is None:
        return None
    errs: list[str] = []
    for rule in policy.get("overrideRules") or []:
        for term in (rule.get("clusterSelector") or {}).get("clusterSelectorTerms") or []:
            if term.get("propertySelector") is not None or term.get("propertySorter") is not None:
                errs.append(f"invalid clusterSelector {_go_term(term)}: only labelSelector is supported")
            elif term.get("labelSelector") is None:
                errs.append(f"invalid clusterSelector {_go_term(term)}: labelSelector is required")
        patches = rule.get("jsonPatchOverrides") or []
        otype = rule.get("overrideType") or "JSONPatch"  # the CRD's default
        if otype == "Delete" and patches:
            # upstream returns at once here, dropping the errors found so far
            return "invalid JSONPatchOverrides: JSONPatchOverrides cannot be set when the override type is Delete"
        if otype == "JSONPatch" and not patches:
            errs.append("invalid JSONPatchOverrides: JSONPatchOverrides cannot be empty")
    return _aggregate(errs) if errs else None
