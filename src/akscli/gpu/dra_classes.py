"""DeviceClasses: which class an extended resource name stands for, and which devices a class
selects, as the scheduler decides both.

Extended resources backed by DRA (KEP-5004, the DRAExtendedResource gate, alpha in 1.34): a pod
asking for an extended resource gets devices of the class it maps to, on a node that advertises
none of it. A class maps two names (upstream: kubernetes/dynamic-resource-allocation 3d036712
deviceclass/extendedresourcecache/extendedresourcecache.go updateResourceName2class; the
scheduler's extended.DeviceClassMapping says the same):

- ``spec.extendedResourceName`` where set (``nvidia.com/gpu`` on NVIDIA's ``gpu.nvidia.com``:
  NVIDIA/k8s-dra-driver-gpu 22407113 deployments/helm/dra-driver-nvidia-gpu/templates/
  deviceclass-gpu.yaml); of two classes naming the same resource, the one created later, then
  the lower name (kubernetes/api v0.34.9 resource/v1 types.go DeviceClassSpec.ExtendedResourceName);
- ``deviceclass.resource.kubernetes.io/<class name>`` (types.go ResourceDeviceClassPrefix).
  Kubernetes 1.35's scheduler maps it for every class ("It always includes the implicit extended
  resource name for each device class"); 1.34's mapped it only for a class without
  ``extendedResourceName`` (pkg/scheduler/framework/plugins/dynamicresources/extended
  DeviceClassMapping in both, read through the code index, commits not pinned). Which rule
  holds is read from the API server's ``/version`` (the scheduler runs at the control plane's
  minor version on AKS), once, and only when a pod asks for the implicit name of a class that
  has an explicit one: the one case where the two rules differ. A server older than 1.35 gets
  1.34's rule; one whose version cannot be read or parsed gets 1.35's.

A class selects a device where each of its CEL selectors is true (akscli.gpu.dra_cel, the subset
NVIDIA's classes use). DeviceClasses are few and cluster-scoped: one page is read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from akscli import errors
from akscli.gpu import dra_cel

if TYPE_CHECKING:
    from akscli.kube.client import Kube

API_VERSION = "resource.k8s.io/v1"
# upstream: kubernetes/api resource/v1 types.go ResourceDeviceClassPrefix
IMPLICIT_PREFIX = "deviceclass.resource.kubernetes.io/"
_PAGE = 100


class SelectorError(Exception):
    """A class's selector failed on a device: the allocator's error, which ends the scheduler's
    attempt (upstream: kubernetes/dynamic-resource-allocation v0.34.9
    structured/internal/stable/allocator_stable.go selectorsMatch)."""


class NotEvaluated(Exception):
    """A class's selector is outside the CEL akscli evaluates: its devices are not judged."""


@dataclass(frozen=True, slots=True)
class Classes:
    """The cluster's DeviceClasses by name, and which class each extended resource name maps to."""

    by_name: Mapping[str, Mapping[str, Any]]
    by_resource: Mapping[str, str]  # as 1.35's scheduler maps them
    # The implicit names of classes that have an explicit one (1.34's scheduler maps none of them)
    newer_only: frozenset[str] = frozenset()
    # Whether the cluster's scheduler maps those too (asked once, when one is looked up)
    every_implicit_name: Callable[[], bool] = field(default=lambda: True)
    # Every allocated claim of the cluster: (its owners' uids, its devices as (driver, pool,
    # device)), read once when first asked (akscli.gpu.held.allocated_claims); None where not read
    claims: Callable[[], tuple[tuple[frozenset[str], tuple[tuple[str, str, str], ...]], ...] | None] = field(
        default=lambda: None
    )
    # Whether those claims were past the read limit, so not read (asked after claims())
    claims_skipped: Callable[[], bool] = field(default=lambda: False)

    def for_resource(self, resource: str) -> Mapping[str, Any] | None:
        name = self.by_resource.get(resource)
        if name and resource in self.newer_only and not self.every_implicit_name():
            return None
        return self.by_name.get(name) if name else None

    def selects(self, device_class: Mapping[str, Any], device: Mapping[str, Any], driver: str) -> bool:
        """Whether every selector of the class is true for the device (SelectorError where one
        fails, NotEvaluated where one is outside the subset)."""
        name = str((device_class.get("metadata") or {}).get("name") or "")
        for index, selector in enumerate((device_class.get("spec") or {}).get("selectors") or []):
            expression = str(((selector or {}).get("cel") or {}).get("expression") or "")
            try:
                compiled = dra_cel.compile_selector(expression)
            except dra_cel.Unsupported as exc:
                raise NotEvaluated(
                    f"DeviceClass {name}: selector #{index} is outside the CEL akscli evaluates ({exc})"
                ) from None
            try:
                if not compiled.matches(device, driver):
                    return False
            except dra_cel.CelError as exc:
                raise SelectorError(f"class {name}: selector #{index}: CEL runtime error: {exc}") from None
        return True

    def drivers(self, device_class: Mapping[str, Any]) -> frozenset[str] | None:
        """The drivers whose devices the class can select, where its selectors pin them
        (akscli.gpu.dra_cel: ``device.driver == 'X'`` as a conjunct): any other driver's device is
        false, never an error, so only those drivers' ResourceSlices need reading. None where
        any driver's device may be selected, or a selector is outside the subset."""
        pinned: frozenset[str] | None = None
        for selector in (device_class.get("spec") or {}).get("selectors") or []:
            expression = str(((selector or {}).get("cel") or {}).get("expression") or "")
            try:
                drivers = dra_cel.compile_selector(expression).drivers
            except dra_cel.Unsupported:
                return None
            if drivers is not None:
                pinned = drivers if pinned is None else pinned & drivers
        return pinned


def mapping(classes: list[Mapping[str, Any]], every_implicit_name: Callable[[], bool] = lambda: True) -> Classes:
    """The classes and the extended resource names they map (see the module docstring);
    ``every_implicit_name``: whether the scheduler maps the implicit name of a class that has an
    explicit one (1.35 and later)."""
    by_name = {str((c.get("metadata") or {}).get("name") or ""): c for c in classes}
    by_resource = {IMPLICIT_PREFIX + name: name for name in by_name}
    explicit: dict[str, list[Mapping[str, Any]]] = {}
    for c in classes:
        resource = (c.get("spec") or {}).get("extendedResourceName")
        if resource:
            explicit.setdefault(str(resource), []).append(c)
    for resource, named in explicit.items():
        # newest first, then the lower name (creationTimestamp is RFC 3339 in UTC: it sorts as text)
        newest = max(str((c.get("metadata") or {}).get("creationTimestamp") or "") for c in named)
        chosen = min(
            str((c.get("metadata") or {}).get("name") or "")
            for c in named
            if str((c.get("metadata") or {}).get("creationTimestamp") or "") == newest
        )
        by_resource[resource] = chosen
    newer_only = frozenset(
        IMPLICIT_PREFIX + name for name, c in by_name.items() if (c.get("spec") or {}).get("extendedResourceName")
    )
    return Classes(by_name, by_resource, newer_only, every_implicit_name)


def read(kube: Kube) -> Classes | None:
    """The cluster's DeviceClasses (one page); None where resource.k8s.io/v1 is not served or
    the user may not list them."""
    if not kube.has_api(API_VERSION, "DeviceClass"):
        return None
    try:
        pages = kube.list_pages(API_VERSION, "DeviceClass", page_size=_PAGE)
        items: list[Mapping[str, Any]] = next(pages, {"items": []})["items"]
    except (errors.AuthError, errors.NotInstalledError):
        return None
    return mapping(items, cache(lambda: maps_every_implicit_name(kube)))


def maps_every_implicit_name(kube: Kube) -> bool:
    """Whether the cluster's scheduler maps the implicit name of every class (1.35 and later),
    from the API server's ``/version`` (``major`` and ``minor``; a provider may add ``+`` to the
    minor); True where it cannot be read or parsed (the current rule)."""
    try:
        info = kube.request("GET", "/version", what="the API server's version")
    except errors.AkscliError:
        return True
    major = re.match(r"\d+", str((info or {}).get("major") or ""))
    minor = re.match(r"\d+", str((info or {}).get("minor") or ""))
    if major is None or minor is None:
        return True
    return (int(major.group()), int(minor.group())) >= (1, 35)
