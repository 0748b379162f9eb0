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

The new pod's own required terms (no pod akscli pins carries any; a pod given to the check can):
- PreFilter (getIncomingAffinityAntiAffinityCounts): an affinity term counts the pair (its
  topologyKey, the node's value) of each placed pod matching ALL the new pod's affinity terms
  (podMatchesAllAffinityTerms); an anti-affinity term that of each placed pod it matches. The
  new pod's namespaceSelector is merged into its namespaces first
  (mergeAffinityTermNamespacesIfNotEmpty: the namespaces it selects; an empty selector keeps
  matching every namespace), so the placed pod's namespace labels are not read.
- satisfyPodAffinity: each affinity term's key must be on the node and its pair counted, else
  ErrReasonAffinityRulesNotMatch (UnschedulableAndUnresolvable), unless nothing is counted
  anywhere and the new pod matches its own terms (the first pod of a group);
- satisfyPodAntiAffinity: a counted pair of an anti-affinity term on the node is
  ErrReasonAntiAffinityRulesNotMatch (Unschedulable).
- Filter order: the new pod's affinity, its anti-affinity, then existing pods' anti-affinity."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from akscli.kube import label_selector
from akscli.kube.selectors import SelectorError

# filtering.go ErrReasonExistingAntiAffinityRulesNotMatch, ErrReasonAffinityRulesNotMatch,
# ErrReasonAntiAffinityRulesNotMatch.
EXISTING_REASON = "node(s) didn't satisfy existing pods anti-affinity rules"
AFFINITY_REASON = "node(s) didn't match pod affinity rules"
ANTI_REASON = "node(s) didn't match pod anti-affinity rules"

Pair = tuple[str, str]


def selector_matches(selector: Mapping[str, Any] | None, labels: Mapping[str, str]) -> bool:
    """The scheduler's metav1.LabelSelectorAsSelector(selector).Matches(labels) (framework/types.go
    newAffinityTerm, for labelSelector and namespaceSelector alike): nil matches nothing, {}
    everything (akscli.kube.label_selector). A selector upstream cannot read never reaches a stored
    pod (the API server's pod validation refuses it); given one, akscli lets it match nothing, as
    the scheduler keeps none of that pod's terms (getAffinityTerms returns the error)."""
    try:
        return label_selector.matches(selector, labels)
    except SelectorError:
        return False


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


def required(spec: Mapping[str, Any], kind: str) -> list[dict[str, Any]]:
    """A pod spec's required terms of ``kind`` (podAffinity or podAntiAffinity)."""
    affinity = ((spec.get("affinity") or {}).get(kind)) or {}
    return [dict(t) for t in affinity.get("requiredDuringSchedulingIgnoredDuringExecution") or []]


@dataclass(frozen=True)
class Term:
    """One of the new pod's required terms, its namespaces resolved (None: every namespace)."""

    topology_key: str
    namespaces: frozenset[str] | None
    selector: Mapping[str, Any] | None

    def matches(self, pod: Mapping[str, Any]) -> bool:
        """AffinityTerm.Matches(pod, nil) after mergeAffinityTermNamespacesIfNotEmpty."""
        meta = pod.get("metadata") or {}
        if self.namespaces is not None and str(meta.get("namespace") or "") not in self.namespaces:
            return False
        return selector_matches(self.selector, meta.get("labels") or {})


def incoming_reason(
    affinity: list[Term],
    anti: list[Term],
    new: Mapping[str, Any],
    node_labels: Mapping[str, str],
    placed: Iterable[tuple[Mapping[str, Any], Mapping[str, str]]],
) -> str | None:
    """satisfyPodAffinity then satisfyPodAntiAffinity for the new pod (``new``: its metadata as a
    pod) on a node with these labels, given placed pods with their nodes' labels."""
    counted: set[Pair] = set()
    repelled: set[Pair] = set()
    for pod, labels in placed:
        if affinity and all(t.matches(pod) for t in affinity):
            counted |= {(t.topology_key, str(labels[t.topology_key])) for t in affinity if t.topology_key in labels}
        repelled |= {
            (t.topology_key, str(labels[t.topology_key])) for t in anti if t.topology_key in labels and t.matches(pod)
        }
    exist = True
    for term in affinity:
        if term.topology_key not in node_labels:
            return AFFINITY_REASON
        if (term.topology_key, str(node_labels[term.topology_key])) not in counted:
            exist = False
    if not exist and not (not counted and all(t.matches(new) for t in affinity)):
        return AFFINITY_REASON
    if any(
        (t.topology_key, str(node_labels.get(t.topology_key))) in repelled
        for t in anti
        if t.topology_key in node_labels
    ):
        return ANTI_REASON
    return None
