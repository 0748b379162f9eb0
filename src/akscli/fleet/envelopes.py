"""What a placement's envelopes carry to the members, read from the hub before a placement is sent.

An envelope is a hub object whose ``data`` holds other objects: the hub places them, never the
envelope itself. upstream: kubefleet-dev/kubefleet e160c1cd
- apis/placement/v1beta1/envelope_types.go: ClusterResourceEnvelope (cluster-scoped) and
  ResourceEnvelope (namespaced), ``data`` a map of raw objects; their CRDs
  (config/crd/bases/placement.kubernetes-fleet.io_clusterresourceenvelopes.yaml and
  _resourceenvelopes.yaml) serve v1beta1 only.
- pkg/controllers/workgenerator/controller.go processOneSelectedResource: a selected envelope (by group
  and kind, utils.ClusterResourceEnvelopeGK / ResourceEnvelopeGK) becomes a Work of its own holding the
  wrapped objects, overridden as any other (envelope.go createOrUpdateEnvelopeCRWorkObj). A ConfigMap
  annotated kubernetes-fleet.io/envelope-configmap is no envelope any more: it is placed as the
  ConfigMap it is ("process ConfigMap envelope that we no longer support", envelope_test.go).
- envelope.go extractManifestsFromEnvelopeCR refuses the whole envelope (a user error: the binding
  does not sync) when a ClusterResourceEnvelope wraps a namespaced object, a ResourceEnvelope a
  cluster-scoped one, or an object of another namespace than the envelope's.
- An envelope is selected by naming its kind in a resource selector (a CRP's ResourceEnvelope selector
  within its NamespaceWithResourceSelectors namespace), or, for a ResourceEnvelope, by selecting its
  namespace with its contents, by name or by label selector (pkg/utils/controller/
  resource_selector_resolver.go gatherSelectedResource, fetchNamespaceResources).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from akscli.errors import AuthError, NotInstalledError
from akscli.fleet import PLACEMENT_GROUP as GROUP
from akscli.kube import label_selector
from akscli.kube.client import Kube
from akscli.kube.selectors import SelectorError

ENVELOPE_V1BETA1 = f"{GROUP}/v1beta1"
CLUSTER_ENVELOPE = "ClusterResourceEnvelope"
ENVELOPE = "ResourceEnvelope"


@dataclass(frozen=True)
class Wrapped:
    """One object an envelope carries, and the envelope (``ResourceEnvelope team-a/bundle``)."""

    obj: Mapping[str, Any]
    envelope: str


def _ref(envelope: Mapping[str, Any]) -> str:
    meta = envelope.get("metadata") or {}
    name = f"{meta['namespace']}/{meta.get('name')}" if meta.get("namespace") else str(meta.get("name"))
    return f"{envelope.get('kind')} {name}"


def refusal(envelope: Mapping[str, Any]) -> str | None:
    """Why the work generator refuses this envelope whole (extractManifestsFromEnvelopeCR), or None."""
    namespace = (envelope.get("metadata") or {}).get("namespace") or ""
    for key, obj in sorted((envelope.get("data") or {}).items()):
        inner = (obj.get("metadata") or {}).get("namespace") or "" if isinstance(obj, Mapping) else ""
        if not isinstance(obj, Mapping) or not obj.get("kind"):
            return f"its entry {key} is not an object"
        if envelope.get("kind") == CLUSTER_ENVELOPE and inner:
            return f"it wraps a namespaced object ({key}, namespace {inner}); it takes cluster-scoped ones"
        if envelope.get("kind") == ENVELOPE and not inner:
            return f"it wraps a cluster-scoped object ({key}); it takes objects of its own namespace"
        if inner != namespace:
            return f"it wraps an object of namespace {inner} ({key}); it takes objects of {namespace}"
    return None


def _listed(kube: Kube, kind: str, namespace: str | None) -> list[dict[str, Any]]:
    """The envelopes of ``kind`` (in ``namespace``); none where the hub has no such CRD or this user
    may not list them (the hub then reports what it does with them)."""
    try:
        return list(kube.list(ENVELOPE_V1BETA1, kind, namespace=namespace))
    except (AuthError, NotInstalledError):
        return []


def _selected(selector: Mapping[str, Any], envelope: Mapping[str, Any]) -> bool:
    """A resource selector's name or label selector (both absent: every object of the kind)."""
    if selector.get("name"):
        return bool((envelope.get("metadata") or {}).get("name") == selector["name"])
    try:
        labels = (envelope.get("metadata") or {}).get("labels") or {}
        return label_selector.matches(selector.get("labelSelector") or {}, labels)
    except SelectorError:
        return False  # the placement's own webhook refuses such a selector


def _placed_namespaces(kube: Kube, selector: Mapping[str, Any]) -> list[str]:
    """The namespaces a CRP's Namespace selector places with their contents (fetchNamespaceResources,
    pkg/utils/controller/resource_selector_resolver.go): the one it names, else each the hub has whose
    labels its label selector matches (none given: every one), less those ShouldPropagateNamespace
    skips. NamespaceOnly and NamespaceWithResourceSelectors place the Namespace object alone."""
    from akscli.fleet.selectors import placeable_namespace

    if selector.get("selectionScope") in ("NamespaceOnly", "NamespaceWithResourceSelectors"):
        return []
    if selector.get("name"):
        return [str(selector["name"])]
    matcher = selector.get("labelSelector")
    try:
        listed = kube.list("v1", "Namespace")
        names = [
            str(ns["metadata"]["name"])
            for ns in listed
            if matcher is None or label_selector.matches(matcher, (ns.get("metadata") or {}).get("labels") or {})
        ]
    except (AuthError, NotInstalledError, SelectorError):
        return []  # the hub says what it placed; the placement's own webhook refuses such a selector
    return [n for n in sorted(names) if placeable_namespace(n)]


def _scoped_namespace(selectors: Iterable[Mapping[str, Any]]) -> str | None:
    """The namespace a CRP's NamespaceWithResourceSelectors selector names: its other selectors pick
    namespaced objects there (the CRD's selectionScope; one such selector, by name)."""
    for sel in selectors:
        if sel.get("kind") == "Namespace" and sel.get("selectionScope") == "NamespaceWithResourceSelectors":
            return str(sel.get("name") or "") or None
    return None


def selected(kube: Kube, placement: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The envelopes on the hub that ``placement``'s resource selectors pick."""
    namespace = (placement.get("metadata") or {}).get("namespace")
    selectors = [s for s in (placement.get("spec") or {}).get("resourceSelectors") or [] if isinstance(s, Mapping)]
    within = namespace or _scoped_namespace(selectors)
    found: dict[str, dict[str, Any]] = {}
    for sel in selectors:
        kind = sel.get("kind")
        if sel.get("group") == GROUP and kind == CLUSTER_ENVELOPE and not namespace:
            candidates = [e for e in _listed(kube, CLUSTER_ENVELOPE, None) if _selected(sel, e)]
        elif sel.get("group") == GROUP and kind == ENVELOPE and within:
            candidates = [e for e in _listed(kube, ENVELOPE, within) if _selected(sel, e)]
        elif not sel.get("group") and kind == "Namespace" and not namespace:
            candidates = [e for name in _placed_namespaces(kube, sel) for e in _listed(kube, ENVELOPE, name)]
        else:
            continue
        for envelope in candidates:
            found.setdefault(_ref(envelope), envelope)
    return list(found.values())


def wrapped(envelopes: Iterable[Mapping[str, Any]]) -> tuple[list[Wrapped], dict[str, str]]:
    """The objects the envelopes carry to the members, and the envelopes the hub refuses with why."""
    objects: list[Wrapped] = []
    refused: dict[str, str] = {}
    for envelope in envelopes:
        why = refusal(envelope)
        if why is not None:
            refused[_ref(envelope)] = why
            continue
        objects += [Wrapped(obj, _ref(envelope)) for _, obj in sorted((envelope.get("data") or {}).items())]
    return objects, refused
