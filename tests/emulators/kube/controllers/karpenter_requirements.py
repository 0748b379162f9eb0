"""Karpenter's requirement and resource refusals of a pod, in its own words: the error a NodePool
gives when the pod's nodeSelector or required node affinity does not meet the pool's requirements,
or when none of the pool's instance types meets them, has room and has an offering (upstream:
kubernetes-sigs/karpenter 2266468 pkg/controllers/provisioning/scheduling/nodeclaim.go CanAdd,
InstanceTypeFilterError, filterInstanceTypesByRequirements, compatible, fits).

- "incompatible requirements, ERR" (CanAdd): ERR is Requirements.Compatible's (pkg/scheduling/
  requirements.go): for a key both the pool and the pod name, with no value in common, badKeyError
  "key K, <pod's requirement> not in <pool's requirement>" (several joined by "; ", multierr;
  keys in sorted order here, Go's map order is random).
- Otherwise the InstanceTypeFilterError of the pool's instance types (those the pool's own
  requirements admit with an available offering, scheduler.go NewScheduler, within its limits,
  filterByRemainingResources): whether any met the merged requirements (compatible: the instance
  type's requirements intersect them), had room (fits: the pod's requests within its allocatable,
  for an offering the requirements admit) and had such an offering, in the text of
  InstanceTypeFilterError.Error, with requirements=REQS (Requirements.String: each
  requirement's String (upstream: kubernetes-sigs/karpenter pkg/scheduling/requirement.go),
  as karpenter_requirement.text renders kubernetes-sigs/karpenter pkg/scheduling/requirement.go
  Requirement.String: "key Op [v1 v2]" with 5 values at most and
  "and N others", then " >=N" and " <=N" for Gt/Lt/Gte/Lte bounds; kubernetes.io/hostname left
  out, sorted, joined ", ") and resources=RES (the pod's requests with pods 1, pkg/utils/resources
  RequestsForPods, merged after the daemon overhead, as JSON, pretty.Concise; "min=..., max=..."
  where the pool's sizes run daemon sets whose overheads differ: resourcesString,
  trackDaemonOverhead over the groups with an overhead).
- The merged requirements are the NodeClaim template's (nodeclaimtemplate.go NewNodeClaimTemplate:
  the pool's requirements, its template labels, karpenter.sh/nodepool, the node class label,
  karpenter.sh/registered and karpenter.sh/initialized "true") and the pod's (pkg/scheduling/
  requirements.go NewPodRequirements: nodeSelector, first required node selector term), a key
  given twice intersected (karpenter_requirement.add, as kubernetes-sigs/karpenter
  pkg/scheduling/requirements.go Requirements.Add).
- An instance type's requirements: its labels (karpenter_sizes.instance_type_labels), topology.kubernetes.io/
  region, and the values of its offerings: zones, capacity types, kubernetes.azure.com/
  scalesetpriority and priority, placement scope (Azure/karpenter-provider-azure 352646f
  pkg/providers/instancetype/instancetype.go computeRequirements, instancetypes.go createOfferings).
- minValues unmet: "minValues requirement is not met for label(s) (label(s)=[K1 K2])" with every
  key left short (pkg/cloudprovider/types.go SatisfiesMinValues: lo.Keys of a map, Go's order is
  random; sorted here, one of the orders Karpenter prints).

Not modelled, where None is returned (the simulator posts nothing rather than a guess): preferred
node affinity, a pod key the pool does not define that is not well-known ("label ... does not have
known values", with a typo hint whose pick depends on Go's map order), a pod's or pool's key on an
instance type label this model does not give (storage, networking, hyper-v generation:
Azure/karpenter-provider-azure pkg/apis/v1beta1/labels.go LabelSKUStorage*, LabelSKUAcceleratedNetworking,
LabelSKUHyperVGeneration), volume topology.
The Quantity format of a min or max overhead tied between groups of different formats is the
first group's (Go walks the groups in map order). minValues (min_values, unmet_min_values) is read
as Karpenter's default --min-values-policy Strict does.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from tests.emulators.kube.controllers.karpenter_common import (
    CAPACITY_TYPE,
    INSTANCE_TYPE,
    NODECLASS_LABEL,
    NODEPOOL_LABEL,
    PLACEMENT_SCOPE,
    REGION_LABEL,
    ZONE_LABEL,
    _template,
    instance_labels,
)
from tests.emulators.kube.controllers.karpenter_daemons import daemon_pods
from tests.emulators.kube.controllers.karpenter_requirement import (
    DOES_NOT_EXIST,
    EXISTS,
    Requirements,
    add,
    intersects,
    label,
    parse,
    text,
    values_in,
)
from tests.emulators.kube.controllers.scheduling import _QUANTITY, pod_requests, quantity

if TYPE_CHECKING:
    from tests.emulators.kube.cluster import ClusterState
    from tests.emulators.kube.controllers.karpenter import NodeAutoProvisioner

SCALE_SET_PRIORITY = "kubernetes.azure.com/scalesetpriority"
PRIORITY = "kubernetes.azure.com/priority"
# kubernetes-sigs/karpenter pkg/apis/v1/labels.go WellKnownLabels, with Azure/karpenter-provider-azure
# pkg/apis/v1beta1/labels.go AzureWellKnownLabels (the keys a pod may name that a pool leaves undefined).
WELL_KNOWN = {
    NODEPOOL_LABEL, ZONE_LABEL, REGION_LABEL, INSTANCE_TYPE, "kubernetes.io/arch", "kubernetes.io/os",
    CAPACITY_TYPE, "node.kubernetes.io/windows-build", "karpenter.azure.com/sku-name",
    "karpenter.azure.com/sku-family", "karpenter.azure.com/sku-series", "karpenter.azure.com/sku-version",
    "karpenter.azure.com/sku-cpu", "karpenter.azure.com/sku-memory", "kubernetes.azure.com/sku-cpu",
    "kubernetes.azure.com/sku-memory", "karpenter.azure.com/sku-networking-accelerated",
    "karpenter.azure.com/sku-storage-premium-capable", "karpenter.azure.com/sku-storage-ephemeralos-maxsize",
    "karpenter.azure.com/sku-storage-ultra-ssd", "karpenter.azure.com/sku-gpu-name",
    "karpenter.azure.com/sku-gpu-manufacturer", "karpenter.azure.com/sku-gpu-count", PLACEMENT_SCOPE,
    "kubernetes.azure.com/cluster", "kubernetes.azure.com/mode", SCALE_SET_PRIORITY, PRIORITY,
    "kubernetes.azure.com/os-sku", "kubernetes.azure.com/fips_enabled",
}  # fmt: skip
# The instance type keys this model gives values (the others of WELL_KNOWN: not modelled).
_GPU_KEYS = ("karpenter.azure.com/sku-gpu-name", "karpenter.azure.com/sku-gpu-manufacturer")
_OFFERING_KEYS = (CAPACITY_TYPE, SCALE_SET_PRIORITY, PRIORITY, ZONE_LABEL, PLACEMENT_SCOPE)
PRIORITIES = {"on-demand": "regular", "spot": "spot"}  # instancetypes.go createOfferings
HOSTNAME = "kubernetes.io/hostname"  # pkg/apis/v1/labels.go RestrictedLabels: left out of String()


def template_requirements(pool: dict[str, Any]) -> Requirements | None:
    """The NodeClaim template's requirements (nodeclaimtemplate.go NewNodeClaimTemplate)."""
    meta, spec = _template(pool)
    out: Requirements = {}
    for expr in spec.get("requirements") or []:
        found = parse(expr)
        if found is None:
            return None
        add(out, *found)
    labels = {
        **{str(k): str(v) for k, v in (meta.get("labels") or {}).items()},
        NODEPOOL_LABEL: pool["metadata"]["name"],
        NODECLASS_LABEL: str((spec.get("nodeClassRef") or {}).get("name") or ""),
        "karpenter.sh/registered": "true",
        "karpenter.sh/initialized": "true",
    }
    for key, value in labels.items():
        add(out, *label(key, value))  # NewLabelRequirements: NewRequirement(key, In, value)
    return out


def pod_requirements(spec: dict[str, Any]) -> Requirements | None:
    """The pod's: nodeSelector, then the first required node selector term (NewPodRequirements);
    None with a preferred term (treated as required, then relaxed: not modelled)."""
    affinity = (spec.get("affinity") or {}).get("nodeAffinity") or {}
    if affinity.get("preferredDuringSchedulingIgnoredDuringExecution"):
        return None
    out: Requirements = {}
    for k, v in (spec.get("nodeSelector") or {}).items():
        add(out, *label(str(k), str(v)))  # newPodRequirements: NewRequirement(key, In, value)
    terms = (affinity.get("requiredDuringSchedulingIgnoredDuringExecution") or {}).get("nodeSelectorTerms") or []
    for expr in (terms[0].get("matchExpressions") or []) if terms else []:
        found = parse(expr)
        if found is None:
            return None
        add(out, *found)
    return out


def requirements_text(reqs: Requirements, mins: dict[str, int] | None = None) -> str:
    """Requirements.String: each requirement but the restricted hostname, sorted, joined ", "; a
    requirement with minValues ends " minValues N" (requirement.go String)."""
    mins = mins or {}
    texts = (text(k, r) + (f" minValues {mins[k]}" if k in mins else "") for k, r in reqs.items())
    return ", ".join(sorted(text for text in texts if not text.startswith(f"{HOSTNAME} ")))


def min_values(pool: dict[str, Any]) -> dict[str, int]:
    """The minValues of the pool's requirements by key (requirement.go Intersection: the larger)."""
    out: dict[str, int] = {}
    for expr in _template(pool)[1].get("requirements") or []:
        if isinstance(expr.get("minValues"), int):
            key = str(expr.get("key"))
            out[key] = max(out.get(key, 0), int(expr["minValues"]))
    return out


def unmet_min_values(sim: NodeAutoProvisioner, sizes: list[str], mins: dict[str, int]) -> list[str]:
    """The keys whose values across the instance types ``sizes`` are fewer than their minValues
    (upstream: kubernetes-sigs/karpenter 2266468 pkg/cloudprovider/types.go SatisfiesMinValues: each
    instance type's requirement's values for the key; none for a key it does not define)."""
    seen: dict[str, set[str]] = {key: set() for key in mins}
    for size in sizes:
        have = _instance_requirements(sim, size)
        for key in mins:
            req = have.get(key, EXISTS)
            seen[key].update(req.values if req.op == "In" else ())
    return sorted(key for key, least in mins.items() if len(seen[key]) < least)


def compatible_error(pool_reqs: Requirements, pod_reqs: Requirements) -> str | None:
    """Requirements.Compatible of the pool's with the pod's, or "" where they are compatible; None
    for an undefined custom label (not modelled)."""
    for key, req in pod_reqs.items():
        if key not in WELL_KNOWN and key not in pool_reqs and req.op not in ("NotIn", "DoesNotExist"):
            return None
    bad = [
        f"key {key}, {text(key, pod_reqs[key])} not in {text(key, pool_reqs[key])}"
        for key in sorted(set(pool_reqs) & set(pod_reqs))
        if not intersects(pool_reqs[key], pod_reqs[key])
    ]
    return "; ".join(bad)


def _instance_requirements(sim: NodeAutoProvisioner, size: str) -> Requirements:
    labels = instance_labels(size)
    out: Requirements = {k: values_in(v) for k, v in labels.items()}
    for key in _GPU_KEYS:
        out.setdefault(key, DOES_NOT_EXIST)  # computeRequirements: DoesNotExist for no NVIDIA GPU
    zones = sim.offering_zones(size)
    out[REGION_LABEL] = values_in(sim.region)
    out[ZONE_LABEL] = values_in(*zones)
    out[CAPACITY_TYPE] = values_in("on-demand", "spot")
    out[SCALE_SET_PRIORITY] = values_in("regular", "spot")
    out[PRIORITY] = values_in("regular", "spot")
    out[PLACEMENT_SCOPE] = values_in(*{"regional" if z == "0" else "zonal" for z in zones})
    return out


def _modelled(sim: NodeAutoProvisioner, reqs: Requirements) -> bool:
    """Every well-known key of the requirements is one this model gives an instance type a value
    for (an instance type's other labels, storage and networking ones, are not modelled:
    Azure/karpenter-provider-azure pkg/apis/v1beta1/labels.go)."""
    given = {*instance_labels("Standard_NC40ads_H100_v5"), *_GPU_KEYS, REGION_LABEL, *_OFFERING_KEYS}
    return all(k in given or k not in WELL_KNOWN or k == NODEPOOL_LABEL for k in reqs)


def _compatible(have: Requirements, reqs: Requirements) -> bool:
    return all(intersects(have[k], reqs[k]) for k in set(have) & set(reqs))


def _offering_ok(sim: NodeAutoProvisioner, size: str, reqs: Requirements) -> bool:
    """An available offering of the size whose requirements the merged ones admit (fits:
    requirements.IsCompatible(offering.Requirements); createOfferings' Available)."""
    for zone in sim.offering_zones(size):
        for capacity_type in ("on-demand", "spot"):
            if sim.is_unavailable((size, zone, capacity_type)):
                continue
            offering: Requirements = {
                CAPACITY_TYPE: values_in(capacity_type),
                SCALE_SET_PRIORITY: values_in(PRIORITIES[capacity_type]),
                PRIORITY: values_in(PRIORITIES[capacity_type]),
                ZONE_LABEL: values_in(zone),
                PLACEMENT_SCOPE: values_in("regional" if zone == "0" else "zonal"),
            }
            if _compatible(offering, reqs):
                return True
    return False


def _allocatable(template: dict[str, Any]) -> Counter[str]:
    """A template node's allocatable (karpenter_common.node_resources, the size with the pool's
    AKSNodeClass): nodeclaim.go fits compares the requests with InstanceType.Allocatable, not its
    capacity."""
    allocatable = (template.get("status") or {}).get("allocatable") or {}
    return Counter({k: quantity(v) for k, v in allocatable.items()})  # type: ignore[misc]


def _judge(
    sim: NodeAutoProvisioner, size: str, reqs: Requirements, need: Counter[str], room: Counter[str]
) -> tuple[bool, bool, bool]:
    """(compatible, fits, hasOffering) of one instance type (nodeclaim.go compatible and fits: an
    instance type fits only through an offering the requirements admit; ``need`` is the pod's
    requests with pods 1 and the daemon overhead, resources.Fits, within ``room``)."""
    compat = _compatible(_instance_requirements(sim, size), reqs)
    offering = _offering_ok(sim, size, reqs)
    fits = offering and all(v <= room.get(k, 0) for k, v in need.items() if v)
    return compat, fits, offering


def filter_error(
    sim: NodeAutoProvisioner,
    options: dict[str, tuple[Counter[str], Counter[str]]],
    reqs: Requirements,
    resources: str,
    mins: dict[str, int] | None = None,
) -> str | None:
    """InstanceTypeFilterError.Error for the instance types ``options`` (each with its allocatable
    and what it must hold: the pod's requests with its group's daemon overhead and pods), or None
    where one meets all three (the pool takes the pod)."""
    met = fit = offered = met_fit = met_offered = fit_offered = False
    for size, (room, need) in options.items():
        compat, fits, offering = _judge(sim, size, reqs, need, room)
        if compat and fits and offering:
            return None
        met, fit, offered = met or compat, fit or fits, offered or offering
        met_fit = met_fit or (compat and fits and not offering)
        met_offered = met_offered or (compat and offering and not fits)
        fit_offered = fit_offered or (fits and offering and not compat)
    tail = f"requirements={requirements_text(reqs, mins)}, resources={resources}"
    if not met and not fit and not offered:
        head = "no instance type met the scheduling requirements or had enough resources or had a required offering"
    elif not met and not fit:
        head = "no instance type met the scheduling requirements or had enough resources"
    elif not met and not offered:
        head = "no instance type met the scheduling requirements or had a required offering"
    elif not fit and not offered:
        head = "no instance type had enough resources or had a required offering"
    elif not met:
        head = "no instance type met all requirements"
    elif not fit:
        head = "no instance type has enough resources"
    elif not offered:
        head = "no instance type has the required offering"
    elif met_fit:
        head = (
            "no instance type which met the scheduling requirements and had enough resources, had a required offering"
        )
    elif fit_offered:
        head = "no instance type which had enough resources and the required offering met the scheduling requirements"
    elif met_offered:
        head = (
            "no instance type which met the scheduling requirements and the required offering had the required "
            "resources"
        )
    else:
        head = "no instance type met the requirements/resources/offering tuple"
    return f"{head}, {tail}"


_BINARY = {"Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6}


def quantity_text(value: Decimal, binary: bool) -> str:
    """resource.Quantity's canonical String in binary or decimal SI (tests/emulators/kube/quantities.py)."""
    from tests.emulators.kube.quantities import text

    return text(value, "BinarySI" if binary else "DecimalSI")


def _raw(pods: Sequence[dict[str, Any]]) -> dict[str, str]:
    """The first value each resource is asked with among the pods' containers (its Quantity's
    format is the one a merge keeps: Quantity.Add gives a zero receiver the added value's)."""
    raw: dict[str, str] = {}
    for pod in pods:
        for c in [*(pod.get("containers") or []), *(pod.get("initContainers") or [])]:
            res = c.get("resources") or {}
            for k, v in {**(res.get("limits") or {}), **(res.get("requests") or {})}.items():
                raw.setdefault(str(k), str(v))
    return raw


def _json(total: Counter[str], raw: dict[str, str]) -> str:
    """resources.String: a ResourceList as JSON, keys sorted, each Quantity in its format."""
    out: dict[str, str] = {}
    for key, value in total.items():
        m = _QUANTITY.match(raw.get(key, "").strip())
        binary = bool(m and (m.group(2) or "") in _BINARY)
        out[key] = str(int(value)) if key == "pods" else quantity_text(Decimal(value), binary)
    return json.dumps(dict(sorted(out.items())), separators=(",", ":"))


class Overhead(NamedTuple):
    """A daemon overhead group's RequestsForPods (pods: their number) and each value's text."""

    total: Counter[str]
    raw: dict[str, str]


def overhead_of(daemons: Sequence[dict[str, Any]]) -> Overhead:
    total: Counter[str] = Counter()
    for daemon in daemons:
        total.update(pod_requests(daemon))
    total["pods"] = len(daemons)
    return Overhead(total, _raw(daemons))


def with_pod(need: Counter[str], overhead: Overhead | None) -> Counter[str]:
    """Merge(daemon overhead, the pod's requests with pods 1): Counter.update keeps a key asked at 0."""
    total = Counter(need)
    total["pods"] = 1
    if overhead is not None:
        total.update(overhead.total)
    return total


def _bounds(groups: Sequence[Overhead]) -> tuple[Overhead, Overhead]:
    """InstanceTypeFilterError.trackDaemonOverhead over the groups: resources.MinResources (the
    keys every group has, the least) and MaxResources (every key, the most), each value with the
    text of the group it came from (the first, at a tie; Go walks the groups in map order)."""
    low, high = (
        Overhead(Counter(groups[0].total), dict(groups[0].raw)),
        Overhead(Counter(groups[0].total), dict(groups[0].raw)),
    )
    for group in groups[1:]:
        for key in list(low.total):
            if key not in group.total:
                del low.total[key]
            elif group.total[key] < low.total[key]:
                low.total[key] = group.total[key]
                low.raw[key] = group.raw.get(key, "")
        for key, value in group.total.items():
            if key not in high.total or value > high.total[key]:
                high.total[key] = value
                high.raw[key] = group.raw.get(key, "")
    return low, high


def resources_text(spec: dict[str, Any], need: Counter[str], groups: Sequence[Overhead] = ()) -> str:
    """InstanceTypeFilterError.resourcesString: the pod's RequestsForPods (pods 1) where no daemon
    would run on any of the pool's instance types; else Merge(min daemon overhead, pod requests)
    and the same with the max, over the groups with an overhead (trackDaemonOverhead skips an empty
    one), one text where they read the same, else "min=..., max=...". Each Quantity in the format
    of the first value merged (the daemons' where they ask for it, else the pod's)."""
    pod_raw = _raw([spec])
    tracked = [g for g in groups if g.total.get("pods")]
    if not tracked:
        return _json(with_pod(need, None), pod_raw)
    texts = [
        _json(with_pod(need, bound), {**pod_raw, **{k: v for k, v in bound.raw.items() if bound.total.get(k)}})
        for bound in _bounds(tracked)
    ]
    return texts[0] if texts[0] == texts[1] else f"min={texts[0]}, max={texts[1]}"


def pool_error(
    sim: NodeAutoProvisioner,
    cluster: ClusterState,
    pool: dict[str, Any],
    templates: list[dict[str, Any]],
    spec: dict[str, Any],
    need: Counter[str],
    every: list[dict[str, Any]],
) -> str | None:
    """The pool's CanAdd error past taints and limits: "incompatible requirements, ..." or the
    InstanceTypeFilterError; None where this model cannot say it (see the module docstring).
    ``templates``: the template nodes of the pool's instance types within its limits; ``every``:
    all of them (the daemon overhead groups are the template's)."""
    # buildDaemonOverheadGroups: the daemon pods of each instance type of the template (``every``,
    # the pool's, limits aside), each within-limits one judged with its own group's overhead
    groups = {str(t["metadata"]["labels"][INSTANCE_TYPE]): overhead_of(daemon_pods(cluster, t)) for t in every}
    options = {}
    for t in templates:
        size = str(t["metadata"]["labels"][INSTANCE_TYPE])
        group = groups.get(size) or overhead_of(daemon_pods(cluster, t))
        options[size] = (_allocatable(t), with_pod(need, group))
    pool_reqs, pod_reqs = template_requirements(pool), pod_requirements(spec)
    if pool_reqs is None or pod_reqs is None:
        return None
    bad = compatible_error(pool_reqs, pod_reqs)
    if bad is None:
        return None
    if bad:
        return f"incompatible requirements, {bad}"
    merged = dict(pool_reqs)
    for key, req in pod_reqs.items():
        add(merged, key, req)
    if not _modelled(sim, merged):
        return None
    resources, mins = resources_text(spec, need, list(groups.values())), min_values(pool)
    remaining = [size for size, (room, total) in options.items() if all(_judge(sim, size, merged, total, room))]
    unmet = unmet_min_values(sim, remaining, mins) if remaining else []
    if unmet:
        # nodeclaim.go filterInstanceTypesByRequirements (Strict: no instance type left),
        # InstanceTypeFilterError.Error; pkg/cloudprovider/types.go SatisfiesMinValues wraps
        # label(s)=lo.Keys(the unmet keys) (operatorpkg serrors Error "%s (%s)", %v of a []string:
        # "[k1 k2]"). Go's map order is random: sorted here, one of the orders Karpenter prints.
        return (
            f"minValues requirement is not met for label(s) (label(s)=[{' '.join(unmet)}]), "
            f"requirements={requirements_text(merged, mins)}, resources={resources}"
        )
    return filter_error(sim, options, merged, resources, mins)
