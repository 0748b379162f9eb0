"""What the kube-scheduler's InterPodAffinity filter says about one node for a new pod, from the
required anti-affinity of pods already placed: a placed pod whose required anti-affinity term
selects the new pod (namespace and labels) keeps it out of the placed pod's topology domain (the
placed pod's node's value of the term's topologyKey). Plain logic: no I/O, no kubernetes import;
the reads are the caller's (akscli.model.cluster_affinity).

upstream: kubernetes/kubernetes pkg/scheduler/framework/plugins/interpodaffinity/filtering.go
(read at sanposhiho/kubernetes 059ce4e8, a fork of a recent master):
- getExistingAntiAffinityCounts: for every placed pod with required anti-affinity, each term that
  matches the new pod (AffinityTerm.Matches with the new pod's namespace's labels) counts the pair
  (topologyKey, its node's value) where its node has the key;
- satisfyExistingPodsAntiAffinity: a node any of whose labels is a counted pair fails, Unschedulable,
  ErrReasonExistingAntiAffinityRulesNotMatch.
- pkg/scheduler/framework/types.go getNamespacesFromPodAffinityTerm: the term's namespaces, else
  (no namespaces and no namespaceSelector) the placed pod's own; AffinityTerm.Matches: the new
  pod's namespace in them, or its labels matching namespaceSelector, then labelSelector
  (metav1.LabelSelectorAsSelector: a nil selector matches nothing, an empty one everything).
- A placed pod's matchLabelKeys and mismatchLabelKeys are already in its labelSelector: the API
  server merged them at creation (pkg/registry/core/pod/strategy.go
  applyMatchLabelKeysAndMismatchLabelKeys, feature MatchLabelKeysInPodAffinity, on by default
  from 1.31), so they are not merged again here.

The new pod's own required pod affinity and anti-affinity (satisfyPodAffinity,
satisfyPodAntiAffinity) are not weighed: no pod akscli pins carries any (see
akscli.model.cluster_fit)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# filtering.go ErrReasonExistingAntiAffinityRulesNotMatch.
EXISTING_REASON = "node(s) didn't satisfy existing pods anti-affinity rules"

Pair = tuple[str, str]


def selector_matches(selector: Mapping[str, Any] | None, labels: Mapping[str, str]) -> bool:
    """metav1.LabelSelectorAsSelector(selector).Matches(labels): nil matches nothing, {} all;
    matchLabels, then matchExpressions In, NotIn, Exists, DoesNotExist, ANDed."""
    if selector is None:
        return False
    if any(labels.get(k) != v for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = str(expr.get("key") or ""), expr.get("operator"), expr.get("values") or []
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and key in labels and labels[key] in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def anti_affinity_terms(pod: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The pod's required anti-affinity terms."""
    affinity = ((pod.get("spec") or {}).get("affinity") or {}).get("podAntiAffinity") or {}
    return [dict(t) for t in affinity.get("requiredDuringSchedulingIgnoredDuringExecution") or []]


def needs_namespace_labels(pods: Iterable[Mapping[str, Any]]) -> bool:
    """Whether any of these pods' anti-affinity terms has a namespaceSelector (then the new pod's
    namespace's labels are needed)."""
    return any(t.get("namespaceSelector") is not None for p in pods for t in anti_affinity_terms(p))


def term_selects(
    term: Mapping[str, Any], owner: Mapping[str, Any], new: Mapping[str, Any], ns_labels: Mapping[str, str]
) -> bool:
    """Whether ``owner``'s term selects the new pod (``new``: its metadata, namespace and labels)."""
    owner_ns = str((owner.get("metadata") or {}).get("namespace") or "")
    ns_selector = term.get("namespaceSelector")
    namespaces = set(term.get("namespaces") or [])
    if not namespaces and ns_selector is None:
        namespaces = {owner_ns}
    namespace = str(new.get("namespace") or "")
    if namespace not in namespaces and not (ns_selector is not None and selector_matches(ns_selector, ns_labels)):
        return False
    return selector_matches(term.get("labelSelector"), new.get("labels") or {})


def repelled_pairs(
    new: Mapping[str, Any],
    ns_labels: Mapping[str, str],
    placed: Iterable[tuple[Mapping[str, Any], Mapping[str, str]]],
) -> set[Pair]:
    """The topology pairs the placed pods (each with its node's labels) keep the new pod out of."""
    pairs: set[Pair] = set()
    for pod, node_labels in placed:
        for term in anti_affinity_terms(pod):
            key = str(term.get("topologyKey") or "")
            if key in node_labels and term_selects(term, pod, new, ns_labels):
                pairs.add((key, str(node_labels[key])))
    return pairs


def repels(node: Mapping[str, Any], pairs: set[Pair]) -> bool:
    """satisfyExistingPodsAntiAffinity failing: one of the node's labels is a repelled pair."""
    labels = (node.get("metadata") or {}).get("labels") or {}
    return any((str(k), str(v)) in pairs for k, v in labels.items())
