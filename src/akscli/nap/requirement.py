"""One scheduling requirement as Karpenter holds it: a set of values or its complement, with the
inclusive integer bounds Gt, Lt, Gte and Lte give (upstream: kubernetes-sigs/karpenter 2266468
pkg/scheduling/requirement.go: NewRequirementWithFlexibility turns Gt N into Gte N+1 and Lt N into
Lte N-1; Intersection, HasIntersection, Operator, String, withinBounds; pkg/scheduling/requirements.go
Add and Intersects; the key and value normalization of pkg/apis/v1/labels.go). Plain logic: no
Typer, no rich. akscli's re-run note reads RequirementsDrifted with it (akscli.nap.drift). The kube
emulator's Karpenter has its own port (tests/emulators/kube/controllers/karpenter_requirement.py);
tests/foundation/test_emulator_cross_check.py holds the two together on upstream's test cases."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple


class Requirement(NamedTuple):
    complement: bool  # NotIn and Exists (and the bounds): every value but ``values``
    values: tuple[str, ...]  # sorted
    gte: int | None = None
    lte: int | None = None

    @property
    def op(self) -> str:
        """requirement.go Operator: a complement is NotIn with values, else Exists (bounds
        included); a set is In with values, else DoesNotExist."""
        if self.complement:
            return "NotIn" if self.values else "Exists"
        return "In" if self.values else "DoesNotExist"


Requirements = dict[str, Requirement]
EXISTS = Requirement(True, ())
DOES_NOT_EXIST = Requirement(False, ())
_BOUND_OPS = ("Gt", "Lt", "Gte", "Lte")


# kubernetes-sigs/karpenter pkg/apis/v1/labels.go NormalizedLabels, which NewRequirementWithFlexibility
# applies to every key, with the key Azure/karpenter-provider-azure pkg/utils/zones/normalization.go
# RegisterCSIZoneNormalization adds, and its value map (NormalizedLabelValues: on the zone label ""
# is zones.Regional, "0", pkg/utils/zones/zones.go).
_ZONE = "topology.kubernetes.io/zone"
_NORMAL_KEYS = {
    "failure-domain.beta.kubernetes.io/zone": _ZONE,
    "failure-domain.beta.kubernetes.io/region": "topology.kubernetes.io/region",
    "beta.kubernetes.io/arch": "kubernetes.io/arch",
    "beta.kubernetes.io/os": "kubernetes.io/os",
    "beta.kubernetes.io/instance-type": "node.kubernetes.io/instance-type",
    "topology.disk.csi.azure.com/zone": _ZONE,
}
_NORMAL_VALUES = {_ZONE: {"": "0"}}


def values_in(*values: str) -> Requirement:
    return Requirement(False, tuple(sorted(set(values))))


def parse(expr: Mapping[str, Any]) -> tuple[str, Requirement] | None:
    """A NodeSelectorRequirement (NewRequirementWithFlexibility); None for an operator or bound
    the NodePool CRD would not admit."""
    op, key = str(expr.get("operator")), str(expr.get("key"))
    key = _NORMAL_KEYS.get(key, key)
    values = tuple(sorted({_NORMAL_VALUES.get(key, {}).get(str(v), str(v)) for v in expr.get("values") or []}))
    if op in ("In", "DoesNotExist"):
        return key, Requirement(False, values if op == "In" else ())
    if op in ("NotIn", "Exists"):
        return key, Requirement(True, values if op == "NotIn" else ())
    if op not in _BOUND_OPS:
        return None
    try:
        bound = int(values[0])
    except (IndexError, ValueError):
        return None
    if op == "Gt" and bound == (1 << 63) - 1:
        return key, DOES_NOT_EXIST  # Gt math.MaxInt matches nothing
    if op in ("Gt", "Gte"):
        return key, Requirement(True, (), gte=bound + (op == "Gt"))
    return key, Requirement(True, (), lte=bound - (op == "Lt"))


def within_bounds(value: str, gte: int | None, lte: int | None) -> bool:
    """requirement.go withinBounds: with a bound, only an integer (as strconv.Atoi reads one: an
    optional sign and ASCII digits, no spaces or underscores) within it."""
    if gte is None and lte is None:
        return True
    if not re.fullmatch(r"[+-]?[0-9]+", value):
        return False
    have = int(value)
    return (gte is None or have >= gte) and (lte is None or have <= lte)


def _pick(a: int | None, b: int | None, fn: Callable[[int, int], int]) -> int | None:
    return b if a is None else a if b is None else fn(a, b)


def intersection(a: Requirement, b: Requirement) -> Requirement:
    """requirement.go Intersection."""
    gte, lte = _pick(a.gte, b.gte, max), _pick(a.lte, b.lte, min)
    if gte is not None and lte is not None and gte > lte:
        return DOES_NOT_EXIST
    va, vb = set(a.values), set(b.values)
    if a.complement and b.complement:
        values = va | vb
    elif a.complement:
        values = vb - va
    elif b.complement:
        values = va - vb
    else:
        values = va & vb
    values = {v for v in values if within_bounds(v, gte, lte)}
    complement = a.complement and b.complement
    if not complement:
        gte, lte = None, None  # a concrete set keeps no bounds
    return Requirement(complement, tuple(sorted(values)), gte, lte)


def has_intersection(a: Requirement, b: Requirement) -> bool:
    """requirement.go HasIntersection."""
    gte, lte = _pick(a.gte, b.gte, max), _pick(a.lte, b.lte, min)
    if gte is not None and lte is not None and gte > lte:
        return False
    if a.complement and b.complement:
        return True
    if a.complement:
        return any(v not in a.values and within_bounds(v, gte, lte) for v in b.values)
    if b.complement:
        return any(v not in b.values and within_bounds(v, gte, lte) for v in a.values)
    return any(v in b.values and within_bounds(v, gte, lte) for v in a.values)


def intersects(existing: Requirement, incoming: Requirement) -> bool:
    """One key of requirements.go Intersects: no common value is an error unless both are
    negative (NotIn, DoesNotExist)."""
    negative = ("NotIn", "DoesNotExist")
    return has_intersection(existing, incoming) or (existing.op in negative and incoming.op in negative)


def add(into: Requirements, key: str, req: Requirement) -> None:
    """requirements.go Add: a key given twice is intersected."""
    into[key] = intersection(req, into[key]) if key in into else req


def text(key: str, req: Requirement) -> str:
    """requirement.go String: "key Op [v1 v2]" (fmt's %s of a []string), at most 5 values then
    "and N others"; "key Exists" / "key DoesNotExist"; then " >=N" and " <=N" for the bounds."""
    if req.op in ("Exists", "DoesNotExist"):
        out = f"{key} {req.op}"
    else:
        shown = list(req.values[:5]) + ([f"and {len(req.values) - 5} others"] if len(req.values) > 5 else [])
        out = f"{key} {req.op} [{' '.join(shown)}]"
    if req.gte is not None:
        out += f" >={req.gte}"
    if req.lte is not None:
        out += f" <={req.lte}"
    return out


def requirements_drifted(labels: Mapping[str, Any], requirements: Sequence[Mapping[str, Any]]) -> bool:
    """Whether a launched NodeClaim with these labels no longer meets its NodePool's requirements
    (upstream: kubernetes-sigs/karpenter 2266468 pkg/controllers/nodeclaim/disruption/drift.go
    areRequirementsDrifted: NewLabelRequirements(claim labels).Compatible(the pool's
    NewNodeSelectorRequirementsWithMinValues, a key given twice intersected: requirements.go Add), no
    AllowUndefined: a key the claim lacks passes only NotIn and DoesNotExist, one it has must
    intersect (Intersects))."""
    claim: Requirements = {}  # NewLabelRequirements: NewRequirement(key, In, value), normalized
    for key, value in labels.items():
        found = parse({"key": key, "operator": "In", "values": [value]})
        if found is not None:
            add(claim, *found)
    wanted: Requirements = {}
    for expr in requirements:
        found = parse(expr)
        if found is not None:
            add(wanted, *found)
    for key, req in wanted.items():
        if key not in claim and req.op not in ("NotIn", "DoesNotExist"):
            return True
    return not all(intersects(claim[key], req) for key, req in wanted.items() if key in claim)
