"""Hub placements: build ClusterResourcePlacement / ResourcePlacement (+ overrides) from flags,
and read their status per member cluster.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from akscli import validate
from akscli.errors import NotFoundError, UsageError
from akscli.fleet import CRO, CRP, PLACEMENT_V1, RO, RP, hub, selectors
from akscli.kube.client import Kube

# JSON patch paths KubeFleet refuses in overrides (the identity of the object and its status).
_FORBIDDEN_OVERRIDE_PATHS = (
    "/kind",
    "/apiVersion",
    "/metadata/name",
    "/metadata/namespace",
    "/status",
)


# KubeFleet's placement webhook refuses a longer ClusterResourcePlacement name, and a placement's
# name is the value of the kubernetes-fleet.io/parent-CRP label on its snapshots and bindings, a
# ResourcePlacement's too (upstream: kubefleet-dev/kubefleet e160c1cd pkg/utils/validator/placement.go
# validatePlacement; apis/placement/v1beta1/commons.go PlacementTrackingLabel).
MAX_PLACEMENT_NAME = 63
# The CRD's maxItems of policy.clusterNames and policy.tolerations, and of an override's resource
# selectors (upstream: kubefleet-dev/kubefleet e160c1cd apis/placement/v1beta1/
# clusterresourceplacement_types.go PlacementPolicy, override_types.go; the CRDs in ../shared/crds/fleet).
MAX_LIST = 100
MAX_OVERRIDE_SELECTORS = 20
APPLY_TYPES = ("ClientSideApply", "ServerSideApply", "ReportDiff")  # the CRD's enum of ApplyStrategy.type
# The CRD's enums of ApplyStrategy's other fields, each default first (kubefleet-dev/kubefleet e160c1cd
# apis/placement/v1beta1/clusterresourceplacement_types.go ApplyStrategy, +kubebuilder:default and
# +kubebuilder:validation:Enum; config/crd/bases/placement.kubernetes-fleet.io_clusterresourceplacements.yaml
# spec.strategy.applyStrategy, v1 and v1beta1 alike): how a member's object is compared with the
# hub's manifest, whether a member whose object drifted is still applied to, and whether an object
# the member already has (not placed by Fleet) is taken over.
COMPARISON_OPTIONS = ("PartialComparison", "FullComparison")
WHEN_TO_APPLY = ("Always", "IfNotDrifted")
WHEN_TO_TAKE_OVER = ("Always", "IfNoDiff", "Never")


@dataclass
class PlacementRequest:
    """Everything ``fleet place`` accepts; ``build`` validates it and renders the objects."""

    name: str
    namespace: str | None = None
    selects: Sequence[str] = ()
    namespace_only: bool = False
    pick_all: bool = False
    pick_n: int | None = None
    pick_fixed: Sequence[str] = ()
    require_labels: Sequence[str] = ()
    require_properties: Sequence[str] = ()
    gpu_sizes: Sequence[str] = ()
    prefer_labels: Sequence[str] = ()
    sort_by: Sequence[str] = ()
    tolerations: Sequence[str] = ()
    spread: Sequence[str] = ()
    max_unavailable: str | None = None
    max_surge: str | None = None
    unavailable_period: int | None = None
    external: bool = False
    apply_strategy: str | None = None
    comparison_option: str | None = None
    when_to_apply: str | None = None
    when_to_take_over: str | None = None
    allow_co_ownership: bool = False
    server_side_apply_force: bool = False
    overrides: Sequence[str] = ()
    override_target: str | None = None
    extra_labels: Mapping[str, str] = field(default_factory=dict)


def fixed_members(text: str | None) -> list[str]:
    """``--pick-fixed CLUSTER,CLUSTER`` as a list (names are checked by policy_of)."""
    names = [c.strip() for c in (text or "").split(",") if c.strip()]
    if text is not None and not names:
        raise UsageError("--pick-fixed lists no member", hint="for example --pick-fixed member-1,member-2")
    return names


def _int_or_percent(value: str, what: str) -> int | str:
    text = value.strip()
    if text.endswith("%"):
        # written as the CRD's pattern takes it, ^((100|[0-9]{1,2})%|[0-9]+)$: no leading zero
        # (kubefleet-dev/kubefleet e160c1cd config/crd/bases/
        # placement.kubernetes-fleet.io_clusterresourceplacements.yaml
        # RollingUpdateConfig maxUnavailable and maxSurge)
        return f"{validate.percent(text, what)}%"
    return validate.integer(text, what, 0, 100000)


def policy_of(req: PlacementRequest) -> dict[str, Any]:
    """The ``spec.policy`` of the placement, checked as KubeFleet's admission rules check it."""
    picks = [bool(req.pick_all), req.pick_n is not None, bool(req.pick_fixed)]
    if sum(picks) > 1:
        raise UsageError(
            "choose one of --pick-all, --pick-n and --pick-fixed",
            hint="--pick-all places on every matching member (the default)",
        )
    has_affinity = bool(
        req.require_labels or req.require_properties or req.gpu_sizes or req.prefer_labels or req.sort_by
    )
    if req.pick_fixed:
        if has_affinity or req.tolerations or req.spread:
            raise UsageError(
                "--pick-fixed names the clusters itself; it takes no affinity, --tolerate or --spread",
                hint="drop those flags, or use --pick-n/--pick-all with affinity",
            )
        names = [validate.name(c, "member cluster name") for c in req.pick_fixed]
        if len(set(names)) != len(names):
            raise UsageError("--pick-fixed lists a member cluster twice", hint="name each once")
        if len(names) > MAX_LIST:
            raise UsageError(
                f"--pick-fixed lists {len(names)} member clusters; a placement names at most {MAX_LIST}",
                hint="use --pick-all or --pick-n with --require-labels to place on more",
            )
        return {"placementType": "PickFixed", "clusterNames": names}
    policy: dict[str, Any] = {}
    if req.pick_n is not None:
        policy["placementType"] = "PickN"
        policy["numberOfClusters"] = validate.integer(req.pick_n, "--pick-n", 0, 10000)
    else:
        policy["placementType"] = "PickAll"
        if req.spread:
            raise UsageError(
                "--spread needs --pick-n: with --pick-all every match is chosen",
                hint="add --pick-n N",
            )
    affinity = _affinity(req)
    if affinity:
        policy["affinity"] = {"clusterAffinity": affinity}
    if req.tolerations:
        policy["tolerations"] = selectors.tolerations(req.tolerations, MAX_LIST)
    if req.spread:
        policy["topologySpreadConstraints"] = [selectors.spread_constraint(s) for s in req.spread]
    return policy


def _affinity(req: PlacementRequest) -> dict[str, Any]:
    affinity: dict[str, Any] = {}
    term: dict[str, Any] = {}
    label_sel: dict[str, Any] = {}
    for text in req.require_labels:
        parsed = selectors.label_selector(text, "--require-labels")
        label_sel.setdefault("matchLabels", {}).update(parsed.get("matchLabels", {}))
        label_sel.setdefault("matchExpressions", []).extend(parsed.get("matchExpressions", []))
    label_sel = {k: v for k, v in label_sel.items() if v}
    if label_sel:
        term["labelSelector"] = label_sel
    props = [selectors.property_requirement(p) for p in req.require_properties]
    props += [selectors.gpu_size_requirement(g) for g in req.gpu_sizes]
    selectors.check_property_requirements(props)
    if props:
        term["propertySelector"] = {"matchExpressions": props}
    if term:
        # One term: every requirement must hold (terms would be OR'd).
        affinity["requiredDuringSchedulingIgnoredDuringExecution"] = {"clusterSelectorTerms": [term]}
    preferred: list[dict[str, Any]] = []
    for text in req.prefer_labels:
        sel, weight = selectors.weighted_label_preference(text)
        preferred.append({"weight": weight, "preference": {"labelSelector": sel}})
    for text in req.sort_by:
        sorter, weight = selectors.property_sorter(text)
        preferred.append({"weight": weight, "preference": {"propertySorter": sorter}})
    if preferred:
        if req.pick_n is None:
            raise UsageError(
                "--prefer-labels and --sort-by rank clusters, which only --pick-n uses",
                hint="add --pick-n N",
            )
        affinity["preferredDuringSchedulingIgnoredDuringExecution"] = preferred
    return affinity


def strategy_of(req: PlacementRequest) -> dict[str, Any]:
    rolling: dict[str, Any] = {}
    if req.max_unavailable is not None:
        rolling["maxUnavailable"] = _int_or_percent(req.max_unavailable, "--max-unavailable")
    if req.max_surge is not None:
        rolling["maxSurge"] = _int_or_percent(req.max_surge, "--max-surge")
    if req.unavailable_period is not None:
        rolling["unavailablePeriodSeconds"] = validate.integer(req.unavailable_period, "--unavailable-period", 0, 86400)
    if req.external and rolling:
        raise UsageError(
            "--external hands the rollout to a staged update run; "
            "--max-unavailable, --max-surge and --unavailable-period do not apply",
            hint="drop the rolling-update flags",
        )
    strategy: dict[str, Any] = {"type": "External" if req.external else "RollingUpdate"}
    if rolling:
        strategy["rollingUpdate"] = rolling
    apply = apply_strategy_of(req)
    if apply:
        strategy["applyStrategy"] = apply
    return strategy


def apply_strategy_of(req: PlacementRequest) -> dict[str, Any]:
    """``spec.strategy.applyStrategy``: only the fields given, each one of the CRD's enum (the API
    server defaults the rest). A field the apply type ignores is refused: under ReportDiff nothing
    is applied, so whenToApply has no effect (pkg/controllers/workapplier/process.go
    processOneManifest: reportDiffOnlyIfApplicable returns before the drift detection), and
    serverSideApplyConfig "is honored only when type is ServerSideApply" (the field's doc; apply.go
    apply passes ServerSideApplyConfig.ForceConflicts to serverSideApply under that type only).
    ``--allow-co-ownership`` sets allowCoOwnership: the work applier then takes over and applies an
    object that another owner holds on the member (drift_detection_takeover.go takeOverPreExistingObject,
    apply.go validateOwnerReferences); without it such an object fails to be taken over."""
    fields = (
        ("type", req.apply_strategy, APPLY_TYPES, "--apply-strategy"),
        ("comparisonOption", req.comparison_option, COMPARISON_OPTIONS, "--comparison-option"),
        ("whenToApply", req.when_to_apply, WHEN_TO_APPLY, "--when-to-apply"),
        ("whenToTakeOver", req.when_to_take_over, WHEN_TO_TAKE_OVER, "--when-to-take-over"),
    )
    apply: dict[str, Any] = {
        key: validate.choice(value, choices, flag) for key, value, choices, flag in fields if value is not None
    }
    if apply.get("type") == "ReportDiff" and "whenToApply" in apply:
        raise UsageError(
            "--when-to-apply does not apply to --apply-strategy ReportDiff: a ReportDiff placement applies nothing",
            hint="drop --when-to-apply (--comparison-option sets how ReportDiff compares)",
        )
    if req.server_side_apply_force and apply.get("type") != "ServerSideApply":
        raise UsageError(
            "--server-side-apply-force applies to --apply-strategy ServerSideApply only"
            + (f", not {apply['type']}" if apply.get("type") else " (KubeFleet's default is ClientSideApply)"),
            hint="add --apply-strategy ServerSideApply, or drop --server-side-apply-force",
        )
    if req.allow_co_ownership:
        apply["allowCoOwnership"] = True
    if req.server_side_apply_force:
        apply["serverSideApplyConfig"] = {"force": True}
    return apply


def resource_selectors_of(req: PlacementRequest) -> list[dict[str, Any]]:
    if not req.selects:
        raise UsageError(
            "fleet place needs at least one --select",
            hint="for example --select namespace/team-a (with -n: --select configmap/app)",
        )
    result = [selectors.resource_selector(s, namespaced=req.namespace is not None) for s in req.selects]
    selectors.refuse_unplaceable(req.selects, result, namespace_only=req.namespace_only)
    if req.namespace_only:
        for sel in result:
            if sel["kind"] == "Namespace":
                sel["selectionScope"] = "NamespaceOnly"
    return result


def parse_override(text: str) -> dict[str, Any]:
    """``CLUSTERSELECTOR@PATCH`` -> an override rule.

    PATCH is ``PATH=JSON`` (add or replace), ``-PATH`` (remove) or ``delete`` (do not place the
    objects on those clusters). An empty selector means every cluster.
    """
    selector_text, at, patch = text.rpartition("@")
    if not at:
        raise UsageError(
            f"invalid --override {text!r}: no '@' between cluster selector and patch",
            hint="use SELECTOR@PATH=JSON, SELECTOR@-PATH or SELECTOR@delete, e.g. 'env=prod@/spec/replicas=3'",
        )
    rule: dict[str, Any] = {}
    if selector_text.strip():
        sel = selectors.label_selector(selector_text, "override cluster selector")
        rule["clusterSelector"] = {"clusterSelectorTerms": [{"labelSelector": sel}]}
    else:
        rule["clusterSelector"] = {"clusterSelectorTerms": []}
    if patch.strip() == "delete":
        rule["overrideType"] = "Delete"
        return rule
    if patch.startswith("-"):
        op, path, value = "remove", patch[1:], None
    else:
        path, eq, raw = patch.partition("=")
        if not eq:
            raise UsageError(
                f"invalid --override {text!r}: the patch has no '='",
                hint='use PATH=JSON, e.g. /spec/replicas=3 or /metadata/labels/tier="gold"',
            )
        op = "add"
        try:
            value = json.loads(raw)
        except ValueError:
            value = validate.text(raw, "override value", 4096)
    if not path.startswith("/") or any(path == p or path.startswith(p + "/") for p in _FORBIDDEN_OVERRIDE_PATHS):
        raise UsageError(
            f"invalid --override path {path!r}",
            hint="use a JSON pointer inside the object, not /kind, /apiVersion, "
            "/metadata/name, /metadata/namespace or /status",
        )
    validate.text(path, "override path", 1024)
    entry: dict[str, Any] = {"op": op, "path": path}
    if value is not None:
        entry["value"] = value
    rule["overrideType"] = "JSONPatch"
    rule["jsonPatchOverrides"] = [entry]
    return rule


def _override_objects(req: PlacementRequest, res_selectors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not req.overrides:
        if req.override_target:
            raise UsageError(
                "--override-target needs at least one --override",
                hint="add --override SELECTOR@PATCH",
            )
        return []
    rules = [parse_override(o) for o in req.overrides]
    if len(rules) > 20:
        raise UsageError("at most 20 --override rules per placement", hint="merge some rules")
    if req.override_target:
        namespace, kind_sel = _override_target(req.override_target)
        if req.namespace and namespace != req.namespace:
            raise UsageError(
                f"--override-target {req.override_target!r} is outside namespace {req.namespace}",
                hint="a ResourceOverride lives beside its placement",
            )
        return [_resource_override(req, namespace, [kind_sel], rules)]
    # An override selects objects by name only: KubeFleet's webhook refuses a ClusterResourceOverride
    # with a label selector or no name (upstream: kubefleet-dev/kubefleet e160c1cd pkg/utils/validator/
    # clusterresourceoverride.go validateClusterResourceSelectors), and a ResourceOverride's selector
    # has a name and no label selector (apis/placement/v1beta1 override_types.go ResourceSelector).
    named = [s for s in res_selectors if s.get("name")]
    if len(named) != len(res_selectors):
        raise UsageError(
            f"a {RO if req.namespace else CRO} selects objects by name; some --select values use a label "
            "selector or name no object",
            hint="name the objects in --select KIND/NAME, or use --override-target",
        )
    if len(named) > MAX_OVERRIDE_SELECTORS:
        raise UsageError(
            f"a {RO if req.namespace else CRO} selects at most {MAX_OVERRIDE_SELECTORS} objects, and --override "
            f"would make one of the {len(named)} --select values",
            hint="place fewer objects with overrides, or give each its own with --override-target",
        )
    if req.namespace:
        return [_resource_override(req, req.namespace, [_ro_selector(s) for s in named], rules)]
    cluster_selectors = [{k: v for k, v in s.items() if k != "selectionScope"} for s in res_selectors]
    return [
        {
            "apiVersion": PLACEMENT_V1,
            "kind": CRO,
            "metadata": {"name": f"{req.name}-override"},
            "spec": {
                "placement": {"name": req.name, "scope": "Cluster"},
                "clusterResourceSelectors": cluster_selectors,
                "policy": {"overrideRules": rules},
            },
        }
    ]


def _resource_override(
    req: PlacementRequest, namespace: str, selectors: list[dict[str, Any]], rules: list[dict[str, Any]]
) -> dict[str, Any]:
    """The ResourceOverride beside the placement, in ``namespace``: its placement reference's scope
    is the placement's (Namespaced for a ResourcePlacement, Cluster for a ClusterResourcePlacement)."""
    return {
        "apiVersion": PLACEMENT_V1,
        "kind": RO,
        "metadata": {"name": f"{req.name}-override", "namespace": namespace},
        "spec": {
            "placement": {"name": req.name, "scope": "Namespaced" if req.namespace else "Cluster"},
            "resourceSelectors": selectors,
            "policy": {"overrideRules": rules},
        },
    }


def _ro_selector(sel: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "group": sel["group"],
        "version": sel["version"],
        "kind": sel["kind"],
        "name": sel["name"],
    }


def _override_target(text: str) -> tuple[str, dict[str, Any]]:
    namespace, slash, rest = text.partition("/")
    if not slash:
        raise UsageError(
            f"invalid --override-target {text!r}",
            hint="use NAMESPACE/KIND/NAME, e.g. team-a/deployment/web",
        )
    validate.name(namespace, "namespace in --override-target")
    sel = selectors.resource_selector(rest, namespaced=True)
    if "name" not in sel:
        raise UsageError(
            f"invalid --override-target {text!r}: it must name one object",
            hint="use NAMESPACE/KIND/NAME, e.g. team-a/deployment/web",
        )
    return namespace, _ro_selector(sel)


def build(req: PlacementRequest) -> list[dict[str, Any]]:
    """Validate the request and render the placement and its overrides (overrides first)."""
    from akscli import render

    validate.subdomain(req.name, "placement name")
    if len(req.name) > MAX_PLACEMENT_NAME:
        raise UsageError(
            f"invalid placement name {req.name!r}: it is {len(req.name)} characters long, "
            f"at most {MAX_PLACEMENT_NAME} allowed",
            hint="shorten it",
        )
    if req.namespace is not None:
        validate.name(req.namespace, "namespace")
    res_selectors = resource_selectors_of(req)
    values = {
        "name": req.name,
        "namespace": req.namespace,
        "kind": RP if req.namespace else CRP,
        "api_version": PLACEMENT_V1,
        "resource_selectors": res_selectors,
        "policy": policy_of(req),
        "strategy": strategy_of(req),
        "labels": dict(req.extra_labels),
    }
    objects = _override_objects(req, res_selectors)
    objects += render.render("fleet/placement.yaml.j2", values)
    return objects


def applied_last(objects: Sequence[Mapping[str, Any]], existing: Mapping[str, Any] | None) -> frozenset[str]:
    """Which of ``fleet place``'s objects (``kind.group/name``) to apply once the others are written.

    KubeFleet's rollout controller rolls a changed override out under the placement's strategy as
    stored when it runs: it reads spec.strategy at each reconcile (maxUnavailable, maxSurge,
    unavailablePeriodSeconds; External rolls nothing out), and an override's change enqueues the
    placement (upstream: kubefleet-dev/kubefleet e160c1cd pkg/controllers/rollout/controller.go
    Reconcile, calculateMaxToRemove/calculateMaxToAdd, resourceOverrideHandlerFuncs). So:
    - on an update that changes the strategy, the overrides last: they roll out under the new
      strategy (or wait for a staged update run when it became External), not the old one;
    - otherwise the placement last: a new placement's first rollout already carries its overrides.
    """
    from akscli.object_names import object_ref

    placement = next((o for o in objects if o.get("kind") in (CRP, RP)), None)
    if placement is None:
        return frozenset()
    overrides = [o for o in objects if o.get("kind") in (CRO, RO)]
    old_strategy = (existing or {}).get("spec", {}).get("strategy") or {}
    new_strategy = placement.get("spec", {}).get("strategy") or {}
    if existing is not None and _rollout_of(old_strategy) != _rollout_of(new_strategy):
        return frozenset(object_ref(o) for o in overrides)
    return frozenset([object_ref(placement)]) if overrides else frozenset()


def _rollout_of(strategy: Mapping[str, Any]) -> tuple[str, str, str, int]:
    """What the rollout controller paces by: the type and rollingUpdate's fields, with the CRD's
    defaults (RollingUpdate, 25%, 25%, 60 s) where they are left out, as the server fills them in."""
    rolling = strategy.get("rollingUpdate") or {}
    return (
        str(strategy.get("type") or "RollingUpdate"),
        str(rolling.get("maxUnavailable", "25%")),
        str(rolling.get("maxSurge", "25%")),
        int(rolling.get("unavailablePeriodSeconds", 60)),
    )


def get_placement(kube: Kube, name: str, namespace: str | None) -> dict[str, Any]:
    hint = "list placements with: akscli fleet placement list" + (f" -n {namespace}" if namespace else "")
    try:
        return hub.read(kube, RP if namespace else CRP, name, namespace, hint)
    except NotFoundError:
        if namespace and kube.get(PLACEMENT_V1, CRP, name, None) is not None:
            # -n names a ResourcePlacement; the name is the hub's ClusterResourcePlacement, which
            # has no namespace (kubefleet-dev/kubefleet config/crd/bases/
            # placement.kubernetes-fleet.io_clusterresourceplacements.yaml, scope: Cluster), as
            # fleet place makes it without -n.
            raise NotFoundError(
                f"{RP} {name!r} not found in namespace {namespace}; {name} is a {CRP}, which has no namespace",
                hint="leave out -n to act on the ClusterResourcePlacement",
            ) from None
        raise


def delete_refs(
    kube: Kube, name: str, namespace: str | None, *, read: bool = True
) -> list[tuple[str, str, str, str | None]]:
    """The placement and the override ``fleet place`` made for it, as delete_objects takes them;
    the placement is read first (NotFoundError if it is not there) unless ``read`` is False: a
    placement -l or --all just listed."""
    if read:
        get_placement(kube, name, namespace)
    override_kind = RO if namespace else CRO
    refs: list[tuple[str, str, str, str | None]] = [(PLACEMENT_V1, RP if namespace else CRP, name, namespace)]
    override = f"{name}-override"
    if kube.get(PLACEMENT_V1, override_kind, override, namespace):
        refs.append((PLACEMENT_V1, override_kind, override, namespace))
    return refs


def list_placements(
    kube: Kube, namespace: str | None, all_namespaces: bool = False, label_selector: str | None = None
) -> Iterator[dict[str, Any]]:
    """Placements, page by page: ClusterResourcePlacements, ResourcePlacements, or with -A both
    (hub.list_scoped)."""
    return hub.list_scoped(kube, CRP, RP, namespace, all_namespaces, label_selector)
