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
labelSelector and nothing else, its label selector parses (validateLabelSelector,
pkg/utils/validator/placement.go), a Delete rule has no JSON patches, a JSONPatch rule has some,
each with a path validateJSONPatchOverridePath takes and no value on a remove; before it the
resource selectors (clusterresourceoverride.go validateClusterResourceSelectors: by name only, no
label selector, unique; resourceoverride.go validateResourceSelectors: unique; a fault here ends
the checks) and the one-override-per-resource limit (validate*ResourceOverrideResourceLimit,
against the overrides stored: the webhooks' uncached List), and in the handlers the limit of 100
overrides (cluster-wide, or per namespace) on a create.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from tests.emulators.kube.fleet_properties import property_selector_errors, property_sorter_errors
from tests.emulators.kube.pod_spec_policy_validation import _label_value, label_name

WEBHOOK = "fleet.clusterresourceplacementv1beta1.validating"
OVERRIDE_WEBHOOKS = {
    "ClusterResourceOverride": "fleet.clusterresourceoverride.validating",
    "ResourceOverride": "fleet.resourceoverride.validating",
}
# (group, version, kind) -> the kind's scope as the hub serves it ("Cluster" or "Namespaced"), None
# where it does not serve it as written: the hub agent's REST mapper and ResourceInformer.
Served = Callable[[str, str, str], str | None]
# (kind, namespace or None) -> the overrides of that kind stored (in that namespace), by name: the
# override webhooks' List through the API reader.
Overrides = Callable[[str, str | None], list[dict[str, Any]]]
OVERRIDE_LIMIT = 100
DELETE_WITH_PATCHES = "invalid JSONPatchOverrides: JSONPatchOverrides cannot be set when the override type is Delete"
DNS_1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def _aggregate(errs: list[str]) -> str:
    """k8s.io/apimachinery pkg/util/errors aggregate.Error: one message as is, several deduplicated
    in brackets."""
    seen = list(dict.fromkeys(errs))
    return seen[0] if len(seen) == 1 else "[" + ", ".join(seen) + "]"


def _go_toleration(t: dict[str, Any]) -> str:
    """A Toleration as fmt's %+v prints it: its fields in declaration order, Key, Operator, Value,
    Effect (upstream: kubefleet-dev/kubefleet e160c1cd apis/placement/v1beta1/
    clusterresourceplacement_types.go Toleration)."""
    return "{" + " ".join(f"{f.capitalize()}:{t.get(f) or ''}" for f in ("key", "operator", "value", "effect")) + "}"


def _tolerations_errors(tolerations: list[dict[str, Any]]) -> list[str]:
    """validateTolerations (placement.go): IsQualifiedName's and IsValidLabelValue's faults, each its
    own error (kubernetes/apimachinery eed236ce pkg/util/validation/validation.go), and a toleration
    given twice. The operator as stored: the CRD defaults it to Equal."""
    errs: list[str] = []
    seen: list[dict[str, Any]] = []
    for t in tolerations:
        key, op, value = str(t.get("key") or ""), t.get("operator") or "", str(t.get("value") or "")
        shown = _go_toleration(t)
        if key:
            errs += [f"invalid toleration key {shown}: {c[2].split(': ', 2)[2]}" for c in label_name("key", key)]
        if op == "Exists" and value:
            errs.append(f"invalid toleration {shown}: toleration value needs to be empty, when operator is Exists")
        if op == "Equal":
            if not key:
                errs.append(f"invalid toleration {shown}: toleration key cannot be empty, when operator is Equal")
            errs += [f"invalid toleration value {shown}: {fault}" for fault in _label_value(value)]
        if t in seen:
            errs.append(f"toleration {shown} already exists, tolerations must be unique")
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
    # serverSideApplyConfig under any other apply strategy type; an unset type is the CRD's default,
    # ClientSideApply (upstream: kubefleet-dev/kubefleet e160c1cd config/crd/bases/
    # placement.kubernetes-fleet.io_clusterresourceplacements.yaml, spec.strategy.applyStrategy.type).
    apply = strategy.get("applyStrategy") or {}
    if apply.get("serverSideApplyConfig") is not None and (apply.get("type") or "ClientSideApply") != "ServerSideApply":
        errs.append("serverSideApplyConfig is only valid for ServerSideApply strategy type")
    return errs


def _fleet_placement_errors(obj: dict[str, Any], served: Served | None = None) -> str | None:
    """validatePlacement (placement.go) for a ClusterResourcePlacement; ``served`` (group, version,
    kind): whether the hub serves that kind, as written."""
    spec = obj.get("spec") or {}
    errs: list[str] = []
    if len(str((obj.get("metadata") or {}).get("name", ""))) > 63:
        errs.append("the name field cannot have length exceeding 63")
    selectors = spec.get("resourceSelectors") or []
    # hasNamespaceWithResourceSelectorsMode (placement.go)
    ns_with_selectors = any(
        (s.get("group") or "", s.get("version"), s.get("kind"), s.get("selectionScope"))
        == ("", "v1", "Namespace", "NamespaceWithResourceSelectors")
        for s in selectors
    )
    for sel in selectors:
        if sel.get("labelSelector") is not None:
            if sel.get("name"):
                errs.append(f"the labelSelector and name fields are mutually exclusive in selector {sel}")
            if (bad := _label_selector_error(sel["labelSelector"], "resource selector")) is not None:
                errs.append(bad)
        group, version, kind = str(sel.get("group") or ""), str(sel.get("version") or ""), str(sel.get("kind") or "")
        scope = served(group, version, kind) if served is not None else "Cluster"
        if scope is None:
            # RestMapper.RESTMapping(gk, selector.Version): controller-runtime's mapper answers
            # meta.NoKindMatchError (kubernetes/apimachinery eed236ce pkg/api/meta/errors.go); upstream
            # returns at once ("skip next check if we cannot get GVR").
            gv = f"{group}/{version}" if group else version
            errs.append(f'failed to get GVR of the selector: no matches for kind "{kind}" in version "{gv}"')
            return _aggregate(errs)
        if scope != "Cluster" and not ns_with_selectors:
            # ResourceInformer.IsClusterScopedResources; the GroupVersionKind printed by its String()
            # (kubernetes/apimachinery eed236ce pkg/runtime/schema/group_version.go)
            errs.append(
                "the resource is not found in schema (please retry) or it is not a cluster scoped resource: "
                f"{group}/{version}, Kind={kind}"
            )
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


def _requirement_errors(key: str, op: str, values: list[str] | None) -> list[str]:
    """labels.NewRequirement (kubernetes/apimachinery eed236ce pkg/labels/selector.go): the key
    (IsQualifiedName's faults joined by "; "), the value count for the operator, each value; as
    field.Error prints them (pkg/util/validation/field/errors.go ErrorBody: a string quoted, a
    slice as JSON)."""
    errs: list[str] = []
    key_faults = [c[2].split(": ", 2)[2] for c in label_name("key", key)]
    if key_faults:
        errs.append(f"key: Invalid value: {json.dumps(key)}: {'; '.join(key_faults)}")
    shown = json.dumps(values, separators=(",", ":"))
    if op in ("in", "notin") and not values:
        errs.append(f"values: Invalid value: {shown}: for 'in', 'notin' operators, values set can't be empty")
    if op in ("exists", "!") and values:
        errs.append(f"values: Invalid value: {shown}: values set must be empty for exists and does not exist")
    for i, value in enumerate(values or []):
        if faults := _label_value(value):
            errs.append(f"values[{i}][{key}]: Invalid value: {json.dumps(value)}: {'; '.join(faults)}")
    return errs


def _label_selector_error(selector: dict[str, Any], parent: str) -> str | None:
    """validateLabelSelector (pkg/utils/validator/placement.go): metav1.LabelSelectorAsSelector
    (kubernetes/apimachinery eed236ce pkg/apis/meta/v1/helpers.go), which stops at the first bad
    requirement (matchLabels first: a Go map, here in key order), wrapped with the selector."""
    found: list[str] = []
    labels = selector.get("matchLabels") or {}
    for key in sorted(labels):
        if found := _requirement_errors(key, "=", [str(labels[key])]):
            break
    for expr in [] if found else selector.get("matchExpressions") or []:
        ops = {"In": "in", "NotIn": "notin", "Exists": "exists", "DoesNotExist": "!"}
        operator = str(expr.get("operator") or "")
        if operator not in ops:
            found = [f"{json.dumps(operator)} is not a valid label selector operator"]
            break
        values = expr.get("values")
        if found := _requirement_errors(str(expr.get("key") or ""), ops[operator], values):
            break
    if not found:
        return None
    return f"the labelSelector in {parent} {_go_label_selector(selector)} is invalid: {_aggregate(found)}"


def _json_patch_path_error(path: str) -> str | None:
    """validateJSONPatchOverridePath (pkg/utils/validator/resourceoverride.go)."""
    if path == "":
        return "path cannot be empty"
    if not path.startswith("/"):
        return "path must start with /"
    parts = path.split("/")[1:]
    if parts[0] in ("kind", "apiVersion"):
        return "cannot override typeMeta fields"
    if parts[0] == "metadata":
        if len(parts) == 1:
            return "cannot override field metadata"
        if parts[1] not in ("annotations", "labels"):
            return "cannot override metadata fields except annotations and labels"
    if parts[0] == "status":
        return "cannot override status fields"
    if any(not p.strip() for p in parts):
        return "path cannot contain empty string"
    return None


def _go_patch(patch: dict[str, Any]) -> str:
    """A JSONPatchOverride as %s prints it: {op path {raw value}} (apis/placement/v1beta1
    override_types.go; the value is an apiextensionsv1.JSON, its Raw bytes as the API server sent
    them, compact)."""
    raw_value = "" if "value" not in patch else json.dumps(patch["value"], separators=(",", ":"), sort_keys=True)
    return f"{{{patch.get('op', '')} {patch.get('path', '')} {{{raw_value}}}}}"


def _json_patch_errors(patches: list[dict[str, Any]]) -> list[str]:
    """validateJSONPatchOverride (resourceoverride.go): its aggregate's messages."""
    if not patches:
        return ["invalid JSONPatchOverrides: JSONPatchOverrides cannot be empty"]
    errs: list[str] = []
    for patch in patches:
        if (bad := _json_patch_path_error(str(patch.get("path") or ""))) is not None:
            errs.append(f"invalid JSONPatchOverride {_go_patch(patch)}: {bad}")
        if patch.get("op") == "remove" and "value" in patch:
            errs.append(f"invalid JSONPatchOverride {_go_patch(patch)}: remove operation cannot have value")
    return errs


def _go_selector(sel: dict[str, Any], cluster: bool) -> str:
    """A ResourceSelectorTerm (a ClusterResourceOverride's, clusterresourceplacement_types.go) or a
    ResourceSelector (a ResourceOverride's, override_types.go) as %+v prints it."""
    head = f"{{Group:{sel.get('group') or ''} Version:{sel.get('version') or ''} Kind:{sel.get('kind') or ''} "
    if not cluster:
        return head + f"Name:{sel.get('name') or ''}}}"
    labels = sel.get("labelSelector")
    shown = "nil" if labels is None else _go_label_selector(labels)
    scope = sel.get("selectionScope") or ""
    return head + f"Name:{sel.get('name') or ''} LabelSelector:{shown} SelectionScope:{scope}}}"


def _selector_key(sel: dict[str, Any]) -> tuple[str, ...]:
    """The selector as a Go map key (struct equality; a label selector is refused before this)."""
    fields = ("group", "version", "kind", "name", "selectionScope")
    return tuple(str(sel.get(f) or "") for f in fields)


def _resource_selector_errors(kind: str, obj: dict[str, Any]) -> list[str]:
    """validateClusterResourceSelectors (clusterresourceoverride.go), validateResourceSelectors
    (resourceoverride.go)."""
    cluster = kind == "ClusterResourceOverride"
    spec = obj.get("spec") or {}
    errs: list[str] = []
    seen: set[tuple[str, ...]] = set()
    for sel in spec.get("clusterResourceSelectors" if cluster else "resourceSelectors") or []:
        if cluster and sel.get("labelSelector") is not None:
            errs.append(f"label selector is not supported for resource selection {_go_selector(sel, cluster)}")
            continue
        if cluster and not sel.get("name"):
            errs.append(f"resource name is required for resource selection {_go_selector(sel, cluster)}")
            continue
        if _selector_key(sel) in seen:
            errs.append(f"resource selector {_go_selector(sel, cluster)} already exists, and must be unique")
        seen.add(_selector_key(sel))
    return errs


def _resource_limit_errors(kind: str, obj: dict[str, Any], stored: list[dict[str, Any]]) -> list[str]:
    """validate(Cluster)ResourceOverrideResourceLimit: one override per resource (the stored ones
    by name, a later one taking a selector over, as Go's map does)."""
    cluster = kind == "ClusterResourceOverride"
    field = "clusterResourceSelectors" if cluster else "resourceSelectors"
    owner: dict[tuple[str, ...], str] = {}
    for other in stored:
        for sel in (other.get("spec") or {}).get(field) or []:
            owner[_selector_key(sel)] = str(other["metadata"]["name"])
    name = str((obj.get("metadata") or {}).get("name") or "")
    errs: list[str] = []
    for sel in (obj.get("spec") or {}).get(field) or []:
        other_name = owner.get(_selector_key(sel), "")
        if other_name and other_name != name:
            errs.append(
                f"invalid resource selector {_go_selector(sel, cluster)}: the resource has been selected by both "
                f"{name} and {other_name}, which is not supported"
            )
    return errs


def override_review(
    obj: dict[str, Any], kind: str = "ClusterResourceOverride", create: bool = True, overrides: Overrides | None = None
) -> str | None:
    """The override webhooks' Handle (clusterresourceoverride_validating_webhook.go,
    resourceoverride_validating_webhook.go) and ValidateClusterResourceOverride /
    ValidateResourceOverride: the denial's message (admission.Denied, 403), or None. ``overrides``
    lists the stored overrides of the kind (the ResourceOverrides of the object's namespace)."""
    namespace = (obj.get("metadata") or {}).get("namespace") if kind == "ResourceOverride" else None
    stored = overrides(kind, namespace) if overrides is not None else []
    if create and len(stored) >= OVERRIDE_LIMIT:
        what = "clusterResourceOverride" if kind == "ClusterResourceOverride" else "resourceOverride"
        noun = "cluster resources" if kind == "ClusterResourceOverride" else "resources"
        return f"{what} limit has been reached: at most {OVERRIDE_LIMIT} {noun} can be created."
    if selector_errs := _resource_selector_errors(kind, obj):
        return _aggregate(selector_errs)  # upstream skips the other checks
    # Nested aggregates print flattened (k8s.io/apimachinery pkg/util/errors aggregate.Error visits
    # them): one list of messages stands for them.
    errs = _resource_limit_errors(kind, obj, stored)
    policy = (obj.get("spec") or {}).get("policy")
    if policy is None:
        return _aggregate(errs) if errs else None
    policy_errs: list[str] = []
    for rule in policy.get("overrideRules") or []:
        for term in (rule.get("clusterSelector") or {}).get("clusterSelectorTerms") or []:
            if term.get("propertySelector") is not None or term.get("propertySorter") is not None:
                policy_errs.append(f"invalid clusterSelector {_go_term(term)}: only labelSelector is supported")
            elif term.get("labelSelector") is None:
                policy_errs.append(f"invalid clusterSelector {_go_term(term)}: labelSelector is required")
            elif (bad := _label_selector_error(term["labelSelector"], "cluster selector")) is not None:
                policy_errs.append(bad)
        patches = rule.get("jsonPatchOverrides") or []
        otype = rule.get("overrideType") or "JSONPatch"  # the CRD's default
        if otype == "Delete" and patches:
            # upstream returns at once here, dropping the policy's errors found so far
            policy_errs = [DELETE_WITH_PATCHES]
            break
        if otype == "JSONPatch":
            policy_errs += _json_patch_errors(patches)
    errs += policy_errs
    return _aggregate(errs) if errs else None
