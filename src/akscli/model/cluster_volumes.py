"""The reads behind NodeVolumeLimits in the pinned-deploy fit check (akscli.model.cluster_fit):
the classes, claims and PersistentVolumes the kube-scheduler reads from its informers, read here
once per fit check in pages of 500, never one object per request, and within a page budget
whatever the cluster's size. The filter's rules are akscli.kube.volume_limits. Plain logic: no
Typer, no rich.

- StorageClasses: one GET per class named (a cluster has a handful), read for NodeVolumeLimits
  and VolumeBinding alike.
- A node's CSINode: one GET, for each node whose pods are read, only where the pod mounts a
  volume of a class with a provisioner. The node's own allocatable attachable-volumes-* come
  with the node, already read.
- Claims: the claims of each namespace a bound pod mounts one in, every page of that namespace
  (a namespace is read once and its claims kept for every node), at most 10 pages in all. A
  claim past them is not counted, as the scheduler does not count a claim it cannot read.
- PersistentVolumes: one list of the cluster's, followed page by page only until every bound
  claim's volume met so far is found, at most 10 pages. A volume past them is counted through
  its claim's class, as the scheduler does for a PersistentVolume it cannot read
  (csi.go getCSIDriverInfo). VolumeBinding follows the same list to its end (within the same
  10 pages) only where a new claim cannot be provisioned for a node, to look for an Available
  volume it could bind; a volume past them is not seen.
- VolumeBinding's and VolumeZone's claims mounted by name: a GET of each claim the deployed pod
  mounts by name and of the PersistentVolume it names (unless already in the pages read), once;
  the vLLM pod mounts none. A claim of delayed binding not yet bound is matched against the PV
  pages (a volume pre-bound to it by claimRef first), as a new claim is.
- VolumeBinding's storage capacity: one GET of the class's provisioner's CSIDriver (once); only
  where it sets storageCapacity, the driver's CSIStorageCapacity objects, by the label the CSI
  external-provisioner puts on those it makes (kubernetes-csi/external-provisioner 0688604f
  pkg/capacity/capacity.go DriverNameLabel), then those without that label (made by another
  tool: the scheduler matches on storageClassName alone, binder.go hasEnoughCapacity), all
  namespaces, pages of 500, read only until one reaches the node and holds the claim, at most 4
  pages in all. Not read: objects labelled with another driver's name that name the class; the
  external-provisioner publishes only for classes whose provisioner is its driver (capacity.go
  onSCAddOrUpdate) and removes them with the class (onSCDelete). A node no object read reaches is
  reported short of storage once all are read; past the budget it is given the benefit of the
  doubt (counted as having room)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

from akscli.errors import AuthError
from akscli.kube import volume_binding, volume_limits, volume_zone
from akscli.kube.client import Kube

_PAGE = 500
_CLAIM_PAGES = 10
_PV_PAGES = 10
_CAPACITY_PAGES = 4
_DRIVER_LABEL = "csi.storage.k8s.io/drivername"


@dataclass
class VolumeReads:
    """What one fit check has read for NodeVolumeLimits, and the pages it may still read."""

    kube: Kube
    classes: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    # Classes a GET was refused for (no RBAC): None in ``classes`` then says nothing of existence.
    unreadable_classes: set[str] = field(default_factory=set)
    claims: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    claim_pages: dict[str, Iterator[dict[str, Any]]] = field(default_factory=dict)
    claim_pages_left: int = _CLAIM_PAGES
    pvs: dict[str, dict[str, Any]] = field(default_factory=dict)
    pv_pages: Iterator[dict[str, Any]] | None = None
    pv_pages_left: int = _PV_PAGES
    drivers: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    capacity_pages: dict[str, Iterator[dict[str, Any]]] = field(default_factory=dict)
    capacity_seen: dict[str, list[Mapping[str, Any]]] = field(default_factory=dict)
    capacity_pages_left: dict[str, int] = field(default_factory=dict)
    capacity_done: set[str] = field(default_factory=set)
    # The deployed pod's own claims mounted by name, and the volumes read by name for them.
    named: dict[str, tuple[bool, Mapping[str, Any] | None]] = field(default_factory=dict)
    volume_gets: dict[str, tuple[bool, Mapping[str, Any] | None]] = field(default_factory=dict)

    def rejects(self, node: Mapping[str, Any], pod: Mapping[str, Any], bound: list[dict[str, Any]]) -> str | None:
        """Why the NodeVolumeLimits filter keeps the pod off the node (None: it does not), given
        the pods bound to it (and nominated for it, which the scheduler adds to the node first):
        its REASON, or the error of a bound pod's ephemeral claim that pod does not control."""
        # A CSINode of no drivers stands in until the node's is read: it is read only where the
        # pod has a volume of some driver.
        if not volume_limits.new_volumes(pod, self.provisioner, {}):
            return None
        name = str((node.get("metadata") or {}).get("name") or "")
        try:
            csinode = self.kube.get("storage.k8s.io/v1", "CSINode", name)
        except AuthError:
            csinode = None
        new = volume_limits.new_volumes(pod, self.provisioner, csinode)
        limits = volume_limits.limits(node, csinode)
        if not new or not limits:
            return None
        try:
            attached = volume_limits.attached_volumes(bound, self.claim, self.pv, self.provisioner, csinode)
        except volume_limits.ClaimNotForPod as error:
            return str(error)
        return volume_limits.REASON if volume_limits.exceeds(new, attached, limits) else None

    def provisioner(self, storage_class: str) -> str:
        """A class's provisioner ("" where it is missing or cannot be read)."""
        return str((self.storage_class(storage_class) or {}).get("provisioner") or "")

    def storage_class(self, name: str) -> dict[str, Any] | None:
        """A class (None where it is missing or cannot be read): one GET, once."""
        if name not in self.classes:
            try:
                sc = self.kube.get("storage.k8s.io/v1", "StorageClass", name)
            except AuthError:
                sc = None
                self.unreadable_classes.add(name)
            self.classes[name] = None if sc is None else _class_fields(sc)
        return self.classes[name]

    def class_missing(self, name: str) -> bool:
        """Whether the class's GET said it is not found (not a refused read)."""
        return self.storage_class(name) is None and name not in self.unreadable_classes

    def binding_reasons(self, node: Mapping[str, Any], pod: Mapping[str, Any], namespace: str = "") -> list[str]:
        """Why the VolumeBinding filter keeps the pod (in ``namespace``) off the node, each of its
        reasons (empty: it does not)."""
        return volume_binding.binding_reasons(pod, node, self, namespace)

    def zone_rejects(self, node: Mapping[str, Any], pod: Mapping[str, Any], namespace: str = "") -> bool:
        """Whether the VolumeZone filter keeps the pod off the node."""
        found = volume_zone.topologies(pod, namespace, self)
        return bool(found) and volume_zone.rejects(found, (node.get("metadata") or {}).get("labels") or {})

    def held(self, pod: Mapping[str, Any], namespace: str) -> volume_binding.Held | None:
        """Why a PreFilter (VolumeBinding's, then VolumeZone's) holds the pod on every node."""
        return volume_binding.held(pod, namespace, self) or volume_zone.held(pod, namespace, self)

    def named_claim(self, key: str) -> tuple[bool, Mapping[str, Any] | None]:
        """A claim the deployed pod mounts by name (namespace/name): one GET, once; (False, None)
        where it cannot be read."""
        if key not in self.named:
            ns, _, name = key.partition("/")
            try:
                pvc = self.kube.get("v1", "PersistentVolumeClaim", name, namespace=ns)
                self.named[key] = (True, None if pvc is None else _named_fields(pvc))
            except AuthError:
                self.named[key] = (False, None)
        return self.named[key]

    def persistent_volume(self, name: str) -> tuple[bool, Mapping[str, Any] | None]:
        """A PersistentVolume by name: from the pages already read, else one GET, once; (False,
        None) where it cannot be read."""
        if name in self.pvs:
            return True, self.pvs[name]
        if name not in self.volume_gets:
            try:
                got = self.kube.get("v1", "PersistentVolume", name)
                self.volume_gets[name] = (True, None if got is None else _pv_fields(got))
            except AuthError:
                self.volume_gets[name] = (False, None)
        return self.volume_gets[name]

    def volumes_of_class(self, name: str) -> list[Mapping[str, Any]]:
        """The PersistentVolumes of a class, from every page of the cluster's within the budget."""
        while self._read_pv_page():
            pass
        return [pv for pv in self.pvs.values() if volume_binding.pv_class(pv) == name]

    def csi_driver(self, name: str) -> dict[str, Any] | None:
        """A CSIDriver (None where missing or not readable): one GET, once."""
        if name not in self.drivers:
            try:
                self.drivers[name] = self.kube.get("storage.k8s.io/v1", "CSIDriver", name)
            except AuthError:
                self.drivers[name] = None
        return self.drivers[name]

    def capacities(self, driver: str, fits: Callable[[Mapping[str, Any]], bool]) -> list[Mapping[str, Any]] | None:
        """The CSIStorageCapacity objects of the driver read so far, reading on until one ``fits``;
        None where the budget ran out first (the node is given the benefit of the doubt). Those
        the external-provisioner labels with the driver's name first, then those with no such
        label (published by another tool); the scheduler lists every object and matches on the
        class alone (binder.go hasEnoughCapacity)."""
        seen = self.capacity_seen.setdefault(driver, [])
        if any(fits(c) for c in seen):
            return seen
        if driver not in self.capacity_pages:
            self.capacity_pages[driver] = chain.from_iterable(
                self.kube.list_pages(
                    "storage.k8s.io/v1",
                    "CSIStorageCapacity",
                    all_namespaces=True,
                    label_selector=selector,
                    page_size=_PAGE,
                )
                for selector in (f"{_DRIVER_LABEL}={driver}", f"!{_DRIVER_LABEL}")
            )
            self.capacity_pages_left[driver] = _CAPACITY_PAGES
        while driver not in self.capacity_done:
            if not self.capacity_pages_left[driver]:
                return None
            page = self._next(self.capacity_pages[driver])
            if page is None:
                self.capacity_done.add(driver)
                break
            self.capacity_pages_left[driver] -= 1
            found = [dict(c) for c in page.get("items") or []]
            seen.extend(found)
            if any(fits(c) for c in found):
                return seen
        return seen

    def claim(self, key: str) -> dict[str, Any] | None:
        """A claim (namespace/name), from its namespace's pages; None where it is not there or
        past the pages read."""
        ns, _, name = key.partition("/")
        known = self.claims.setdefault(ns, {})
        if ns not in self.claim_pages:
            self.claim_pages[ns] = self.kube.list_pages("v1", "PersistentVolumeClaim", namespace=ns, page_size=_PAGE)
        while name not in known and self.claim_pages_left:
            page = self._next(self.claim_pages[ns])
            if page is None:
                break
            self.claim_pages_left -= 1
            for pvc in page.get("items") or []:
                known[str(pvc["metadata"]["name"])] = _claim_fields(pvc)
        return known.get(name)

    def pv(self, name: str) -> dict[str, Any] | None:
        """A PersistentVolume, from the cluster's pages read so far; None where it is not there or
        past the pages read."""
        while name not in self.pvs and self._read_pv_page():
            pass
        return self.pvs.get(name)

    def _read_pv_page(self) -> bool:
        """Read the cluster's next page of PersistentVolumes within the budget (False: none left)."""
        if self.pv_pages is None:
            self.pv_pages = self.kube.list_pages("v1", "PersistentVolume", page_size=_PAGE)
        if not self.pv_pages_left:
            return False
        page = self._next(self.pv_pages)
        if page is None:
            return False
        self.pv_pages_left -= 1
        for pv in page.get("items") or []:
            self.pvs[str(pv["metadata"]["name"])] = _pv_fields(pv)
        return True

    @staticmethod
    def _next(pages: Iterator[dict[str, Any]]) -> dict[str, Any] | None:
        """The next page, or None at the end or where the user may not list the kind."""
        try:
            return next(pages, None)
        except AuthError:
            return None


def _claim_fields(pvc: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of a claim the filter reads (its class, its volume, its controller), kept for
    the check."""
    meta = pvc.get("metadata") or {}
    annotations = meta.get("annotations") or {}
    spec = pvc.get("spec") or {}
    kept: dict[str, Any] = {"spec": {k: spec[k] for k in ("storageClassName", "volumeName") if k in spec}}
    kept_meta: dict[str, Any] = {}
    if volume_limits.BETA_CLASS in annotations:
        kept_meta["annotations"] = {volume_limits.BETA_CLASS: annotations[volume_limits.BETA_CLASS]}
    owners = meta.get("ownerReferences") or []
    controllers = [{"uid": ref.get("uid"), "controller": True} for ref in owners if ref.get("controller")]
    if controllers:
        kept_meta["ownerReferences"] = controllers
    if kept_meta:
        kept["metadata"] = kept_meta
    return kept


def _named_fields(pvc: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of a claim the deployed pod mounts by name that VolumeBinding and VolumeZone read:
    its identity (a pre-bound volume's claimRef names it), annotations, deletion, spec and phase."""
    meta = pvc.get("metadata") or {}
    keys = ("name", "namespace", "uid", "annotations", "deletionTimestamp")
    return {
        "metadata": {k: meta[k] for k in keys if meta.get(k)},
        "spec": dict(pvc.get("spec") or {}),
        "status": {"phase": (pvc.get("status") or {}).get("phase")},
    }


def _class_fields(sc: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of a class the filters read (NodeVolumeLimits its provisioner; VolumeBinding
    also its binding mode and allowed topologies)."""
    return {k: sc[k] for k in ("provisioner", "volumeBindingMode", "allowedTopologies") if k in sc}


_PV_SPEC = (
    "csi",
    "azureDisk",
    "storageClassName",
    "capacity",
    "accessModes",
    "volumeMode",
    "nodeAffinity",
    "claimRef",
)


def _pv_fields(pv: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of a PersistentVolume the filters read: NodeVolumeLimits its CSI or in-tree Azure
    disk source; VolumeBinding what FindMatchingVolume matches a claim on."""
    spec, meta = pv.get("spec") or {}, pv.get("metadata") or {}
    annotations = meta.get("annotations") or {}
    kept_meta = {k: meta[k] for k in ("labels", "deletionTimestamp") if meta.get(k)}
    if volume_limits.BETA_CLASS in annotations:
        kept_meta["annotations"] = {volume_limits.BETA_CLASS: annotations[volume_limits.BETA_CLASS]}
    return {
        "metadata": kept_meta,
        "spec": {k: spec[k] for k in _PV_SPEC if k in spec},
        "status": {"phase": (pv.get("status") or {}).get("phase")},
    }
