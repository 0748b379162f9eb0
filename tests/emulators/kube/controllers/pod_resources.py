"""A pod's resource requests as the scheduler counts them: resource.Quantity strings as numbers and
component-helpers' PodRequests. Moved out of scheduling.py (which re-exports them) as it neared
600 lines."""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from typing import Any

_QUANTITY = re.compile(r"^([+-]?[0-9.]+)([eE][+-]?[0-9]+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$")
_SUFFIX = {
    "Ki": Decimal(2**10),
    "Mi": Decimal(2**20),
    "Gi": Decimal(2**30),
    "Ti": Decimal(2**40),
    "Pi": Decimal(2**50),
    "Ei": Decimal(2**60),
    "n": Decimal("1e-9"),
    "u": Decimal("1e-6"),
    "m": Decimal("1e-3"),
    "k": Decimal("1e3"),
    "M": Decimal("1e6"),
    "G": Decimal("1e9"),
    "T": Decimal("1e12"),
    "P": Decimal("1e15"),
    "E": Decimal("1e18"),
}


def quantity(value: Any) -> Decimal:
    """A resource.Quantity string as a number (k8s.io/apimachinery pkg/api/resource/quantity.go)."""
    m = _QUANTITY.match(str(value).strip())
    if not m:
        return Decimal(0)
    number, suffix = Decimal(m.group(1)), m.group(2)
    if not suffix:
        return number
    if suffix[0] in "eE":
        return number * Decimal(10) ** int(suffix[1:])
    return number * _SUFFIX[suffix]


def _container_requests(container: dict[str, Any]) -> Counter[str]:
    resources = container.get("resources") or {}
    merged = {**(resources.get("limits") or {}), **(resources.get("requests") or {})}
    return Counter({k: quantity(v) for k, v in merged.items()})  # type: ignore[misc]


def _max_into(into: Counter[str], other: Counter[str]) -> None:
    for k, v in other.items():
        if v > into.get(k, 0):
            into[k] = v


def pod_requests(spec: dict[str, Any]) -> Counter[str]:
    """component-helpers resource/helpers.go PodRequests (see the module docstring)."""
    total: Counter[str] = Counter()
    for c in spec.get("containers") or []:
        total.update(_container_requests(c))
    sidecars: Counter[str] = Counter()
    init_floor: Counter[str] = Counter()
    for c in spec.get("initContainers") or []:
        need = _container_requests(c)
        if c.get("restartPolicy") == "Always":
            total.update(need)
            sidecars.update(need)
            need = Counter(sidecars)
        else:
            need.update(sidecars)
        _max_into(init_floor, need)
    _max_into(total, init_floor)
    # Pod-level requests replace the containers' cpu, memory and hugepages-* (upstream:
    # kubernetes/kubernetes v1.34 staging/src/k8s.io/component-helpers/resource/helpers.go
    # PodRequests, applyPodLevelResources, IsSupportedPodLevelResource; feature PodLevelResources,
    # beta and on by default from 1.34, pkg/features/kube_features.go).
    for k, v in ((spec.get("resources") or {}).get("requests") or {}).items():
        if k in ("cpu", "memory") or k.startswith("hugepages-"):
            total[k] = quantity(v)
    total.update({k: quantity(v) for k, v in (spec.get("overhead") or {}).items()})
    return total
