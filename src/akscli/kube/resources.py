"""What a pod requests and whether a node has room for it, counted as the kube-scheduler's
NodeResourcesFit filter counts them. One implementation for every caller: ``gpu usage`` (GPU
units held per pod, through akscli.gpu.devices.pod_units) and the pinned deploy's room check
(akscli.model.cluster_fit). Plain logic: no I/O, no kubernetes import.

upstream (kubernetes/kubernetes master, read 2026-12):
- staging/src/k8s.io/component-helpers/resource/helpers.go PodRequests and
  aggregateContainerResourcesByFn: the app containers summed, every restartable init container
  (a sidecar, ``restartPolicy: Always``) added, the largest init step (that init container plus
  the sidecars started before it) as a floor, pod-level ``spec.resources.requests`` (cpu, memory,
  hugepages-*) in place of the containers' sum where set, then ``spec.overhead`` added.
- pkg/apis/core/v1/defaults.go SetDefaults_Pod: a container limit without a request becomes the
  request; the API server writes it, and a rendered pod not yet sent reads the same here.
- pkg/scheduler/framework/types.go Resource.Add: cpu counted in millicores (Quantity.MilliValue),
  memory, ephemeral-storage and scalar resources (extended ``vendor/name``, hugepages-*,
  attachable-volumes-*) as Quantity.Value, both rounded up; pods is the node's pod limit.
- pkg/scheduler/framework/plugins/noderesources/fit.go fitsRequest: "Too many pods" when the
  pods on the node plus this one pass allocatable pods; then, for each resource the pod requests
  above 0, "Insufficient <name>" when it is more than allocatable less what the node's pods
  request.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

CPU, MEMORY, EPHEMERAL_STORAGE, PODS = "cpu", "memory", "ephemeral-storage", "pods"
# Resources pod-level requests may set (component-helpers resource/helpers.go
# IsSupportedPodLevelResource).
_POD_LEVEL = (CPU, MEMORY)
_HUGEPAGES, _ATTACHABLE = "hugepages-", "attachable-volumes-"


def counted(name: str) -> bool:
    """Whether the scheduler counts this resource: cpu, memory, ephemeral-storage, and scalar
    resources (upstream: kubernetes/kubernetes pkg/scheduler/util/utils.go IsScalarResourceName:
    extended, hugepages, prefixed native, attachable volumes). Others (a bare "storage") are
    dropped by Resource.Add."""
    return name in (CPU, MEMORY, EPHEMERAL_STORAGE) or "/" in name or name.startswith((_HUGEPAGES, _ATTACHABLE))


def amount(name: str, value: Any) -> int:
    """A quantity in the scheduler's unit for the resource: millicores for cpu, whole units
    (bytes, devices) otherwise, rounded up as Quantity.MilliValue and Value round; 0 where the
    value is not a quantity."""
    text = str(value)
    if text.isdigit():  # the common case, and the only form device plugins' counts take
        return int(text) * 1000 if name == CPU else int(text)
    from akscli import errors, validate

    try:
        number = validate.quantity_value(text)
    except errors.AkscliError:
        return 0
    return max(math.ceil(number * 1000 if name == CPU else number), 0)


def _container(container: Mapping[str, Any], keep: Callable[[str], bool]) -> dict[str, int]:
    resources = container.get("resources") or {}
    requests, limits = resources.get("requests") or {}, resources.get("limits") or {}
    names = {n for n in (*requests, *limits) if keep(n)}
    return {n: amount(n, requests[n] if n in requests else limits[n]) for n in names}


def _add(into: dict[str, int], more: Mapping[str, int]) -> None:
    for name, n in more.items():
        into[name] = into.get(name, 0) + n


def pod_requests(pod: Mapping[str, Any], keep: Callable[[str], bool] = counted) -> dict[str, int]:
    """What a pod requests, per resource ``keep`` admits, as the scheduler counts it (see the
    module docstring); resources requested at 0 are left out. ``pod`` is a Pod or a pod spec."""
    spec = pod.get("spec") if "spec" in pod else pod
    spec = spec or {}
    total: dict[str, int] = {}
    for c in spec.get("containers") or []:
        _add(total, _container(c, keep))
    sidecars: dict[str, int] = {}
    init_peak: dict[str, int] = {}
    for c in spec.get("initContainers") or []:
        own = _container(c, keep)
        if c.get("restartPolicy") == "Always":
            _add(total, own)
            _add(sidecars, own)
            step = dict(sidecars)
        else:
            step = dict(own)
            _add(step, sidecars)
        for name, n in step.items():
            init_peak[name] = max(init_peak.get(name, 0), n)
    for name, n in init_peak.items():
        total[name] = max(total.get(name, 0), n)
    pod_level = (spec.get("resources") or {}).get("requests") or {}
    for name, value in pod_level.items():
        if (name in _POD_LEVEL or name.startswith(_HUGEPAGES)) and keep(name):
            total[name] = amount(name, value)
    _add(total, {n: amount(n, v) for n, v in (spec.get("overhead") or {}).items() if keep(n)})
    return {k: v for k, v in total.items() if v}


def allocatable(node: Mapping[str, Any]) -> dict[str, int]:
    """The node's status.allocatable in the scheduler's units, its pod limit under "pods"; a
    resource the node does not advertise is 0 (NodeInfo.Allocatable)."""
    listed = (node.get("status") or {}).get("allocatable") or {}
    return {name: amount(name, value) for name, value in listed.items() if counted(name) or name == PODS}


def requested(pods: Iterable[Mapping[str, Any]]) -> tuple[dict[str, int], int]:
    """What these pods, bound to one node and not finished, request together, and how many they
    are (NodeInfo.Requested and len(NodeInfo.Pods))."""
    total: dict[str, int] = {}
    count = 0
    for pod in pods:
        _add(total, pod_requests(pod))
        count += 1
    return total, count


def insufficient(
    need: Mapping[str, int], node_allocatable: Mapping[str, int], used: Mapping[str, int], pods_on_node: int
) -> list[str]:
    """The NodeResourcesFit filter's reasons the pod does not fit ([] where it does), in its
    words and order: "Too many pods", then "Insufficient cpu", memory, ephemeral-storage, and the
    scalar resources (sorted here; the scheduler walks a map)."""
    reasons = []
    if pods_on_node + 1 > node_allocatable.get(PODS, 0):
        reasons.append("Too many pods")
    first = [n for n in (CPU, MEMORY, EPHEMERAL_STORAGE) if n in need]
    for name in first + sorted(n for n in need if n not in first):
        if need[name] > 0 and need[name] > node_allocatable.get(name, 0) - used.get(name, 0):
            reasons.append(f"Insufficient {name}")
    return reasons
