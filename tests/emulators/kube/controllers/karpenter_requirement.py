"""The simulator's own port of Karpenter's scheduling requirement, written from upstream for the
emulator and not shared with akscli, upstream kubernetes-sigs/karpenter (akscli.nap.requirement is akscli's reading;
tests/foundation/test_emulator_cross_check.py runs both on upstream's test cases).

- kubernetes-sigs/karpenter pkg/scheduling/requirement.go: Requirement {complement, values, gte,
  lte} (inclusive bounds); NewRequirementWithFlexibility (the key through v1.NormalizedLabels, the
  values through v1.NormalizedLabelValues; In a set; NotIn, Exists the complement; Gt N is Gte N+1,
  and Gt math.MaxInt matches nothing, DoesNotExist; Lt N is Lte N-1; Gte, Lte as given),
  Intersection, HasIntersection, Has, Operator, String, withinBounds.
- pkg/scheduling/requirements.go: Add (a key given twice intersected), NewLabelRequirements,
  Intersects (no common value is an error unless both operators are NotIn or DoesNotExist),
  Compatible (a key the left side lacks passes only NotIn and DoesNotExist).
- kubernetes-sigs/karpenter pkg/apis/v1/labels.go NormalizedLabels (the beta zone, region, arch, os
  and instance-type labels), extended by Azure/karpenter-provider-azure pkg/utils/zones/
  normalization.go RegisterCSIZoneNormalization (topology.disk.csi.azure.com/zone, and on the zone
  label the value "" is zones.Regional, "0": pkg/utils/zones/zones.go).
- pkg/controllers/nodeclaim/disruption/drift.go areRequirementsDrifted:
  NewLabelRequirements(claim labels).Compatible(the pool's requirements) != nil.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

_MAX_INT = (1 << 63) - 1  # Go's math.MaxInt on a 64-bit build
_ZONE = "topology.kubernetes.io/zone"
NORMALIZED_LABELS = {
    "failure-domain.beta.kubernetes.io/zone": _ZONE,
    "beta.kubernetes.io/arch": "kubernetes.io/arch",
    "beta.kubernetes.io/os": "kubernetes.io/os",
    "beta.kubernetes.io/instance-type": "node.kubernetes.io/instance-type",
    "failure-domain.beta.kubernetes.io/region": "topology.kubernetes.io/region",
    "topology.disk.csi.azure.com/zone": _ZONE,
}
NORMALIZED_VALUES = {_ZONE: {"": "0"}}


@dataclass(frozen=True)
class Requirement:
    complement: bool
    values: frozenset[str] = frozenset()
    gte: int | None = None
    lte: int | None = None

    @property
    def op(self) -> str:
        """Operator: bounds read as Exists (a complement with no values)."""
        if self.complement:
            return "NotIn" if self.values else "Exists"
        return "In" if self.values else "DoesNotExist"

    def has(self, value: str) -> bool:
        return (value in self.values) != self.complement and _within(value, self.gte, self.lte)

    def intersection(self, other: Requirement) -> Requirement:
        gte, lte = _max(self.gte, other.gte), _min(self.lte, other.lte)
        if gte is not None and lte is not None and gte > lte:
            return DOES_NOT_EXIST
        if self.complement and other.complement:
            values = self.values | other.values
        elif self.complement:
            values = other.values - self.values
        elif other.complement:
            values = self.values - other.values
        else:
            values = self.values & other.values
        values = frozenset(v for v in values if _within(v, gte, lte))
        both = self.complement and other.complement
        return Requirement(both, values, gte if both else None, lte if both else None)

    def has_intersection(self, other: Requirement) -> bool:
        gte, lte = _max(self.gte, other.gte), _min(self.lte, other.lte)
        if gte is not None and lte is not None and gte > lte:
            return False
        if self.complement and other.complement:
            return True
        if self.complement or other.complement:
            concrete, excluded = (other, self) if self.complement else (self, other)
            return any(v not in excluded.values and _within(v, gte, lte) for v in concrete.values)
        return any(v in other.values and _within(v, gte, lte) for v in self.values)


Requirements = dict[str, Requirement]
EXISTS = Requirement(True)
DOES_NOT_EXIST = Requirement(False)


def _within(value: str, gte: int | None, lte: int | None) -> bool:
    """withinBounds: with a bound set, only a value strconv.Atoi reads, inside it."""
    if gte is None and lte is None:
        return True
    text = value[1:] if value[:1] in "+-" else value
    if not text.isascii() or not text.isdigit():
        return False
    number = int(value)
    return (gte is None or number >= gte) and (lte is None or number <= lte)


def _max(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else max(a, b)


def _min(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else min(a, b)


def values_in(*values: str) -> Requirement:
    return Requirement(False, frozenset(values))


def new(key: str, operator: str, values: Iterable[str] = ()) -> tuple[str, Requirement] | None:
    """NewRequirementWithFlexibility; None for an operator the NodePool CRD does not admit or a
    bound that is not one integer (the CRD's validation refuses both before Karpenter sees them)."""
    key = NORMALIZED_LABELS.get(key, key)
    mapping = NORMALIZED_VALUES.get(key, {})
    given = [mapping.get(str(v), str(v)) for v in values]
    if operator in ("In", "NotIn"):
        return key, Requirement(operator == "NotIn", frozenset(given))
    if operator in ("Exists", "DoesNotExist"):
        return key, Requirement(operator == "Exists")
    if operator not in ("Gt", "Lt", "Gte", "Lte") or not given:
        return None
    try:
        bound = int(given[0])
    except ValueError:
        return None
    if operator == "Gt":
        return key, DOES_NOT_EXIST if bound == _MAX_INT else Requirement(True, gte=bound + 1)
    if operator == "Lt":
        return key, Requirement(True, lte=bound - 1)
    return key, Requirement(True, gte=bound) if operator == "Gte" else Requirement(True, lte=bound)


def parse(expr: Mapping[str, Any]) -> tuple[str, Requirement] | None:
    """A NodeSelectorRequirement (with minValues) as its Requirement."""
    return new(str(expr.get("key")), str(expr.get("operator")), expr.get("values") or [])


def label(key: str, value: str) -> tuple[str, Requirement]:
    """NewRequirement(key, In, value), as NewLabelRequirements and a pod's nodeSelector make it."""
    found = new(key, "In", [value])
    assert found is not None
    return found


def add(into: Requirements, key: str, req: Requirement) -> None:
    """Requirements.Add: the incoming requirement intersected with the one held."""
    into[key] = req.intersection(into[key]) if key in into else req


def intersects(existing: Requirement, incoming: Requirement) -> bool:
    """One key of Requirements.Intersects."""
    if existing.has_intersection(incoming):
        return True
    return incoming.op in ("NotIn", "DoesNotExist") and existing.op in ("NotIn", "DoesNotExist")


def text(key: str, req: Requirement) -> str:
    """Requirement.String (no minValues here: the caller adds it): fmt's %s of the sorted values,
    the first 5 then "and N others"."""
    if req.op in ("Exists", "DoesNotExist"):
        out = f"{key} {req.op}"
    else:
        ordered = sorted(req.values)
        shown = [*ordered[:5], f"and {len(ordered) - 5} others"] if len(ordered) > 5 else ordered
        out = f"{key} {req.op} [{' '.join(shown)}]"
    return out + (f" >={req.gte}" if req.gte is not None else "") + (f" <={req.lte}" if req.lte is not None else "")


def compatible(have: Requirements, wanted: Requirements) -> bool:
    """Requirements.Compatible with no AllowUndefined, as a yes or no."""
    for key, req in wanted.items():
        if key not in have and req.op not in ("NotIn", "DoesNotExist"):
            return False
    return all(intersects(have[key], wanted[key]) for key in wanted if key in have)


def requirements_drifted(labels: Mapping[str, Any], requirements: Sequence[Mapping[str, Any]]) -> bool:
    """kubernetes-sigs/karpenter pkg/controllers/nodeclaim/disruption/drift.go areRequirementsDrifted for a claim's
    labels and its pool's requirements."""
    have: Requirements = {}
    for key, value in labels.items():
        add(have, *label(str(key), str(value)))
    wanted: Requirements = {}
    for expr in requirements:
        found = parse(expr)
        if found is not None:
            add(wanted, *found)
    return not compatible(have, wanted)
