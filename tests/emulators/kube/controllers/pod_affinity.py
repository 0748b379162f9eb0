"""The kube-scheduler's InterPodAffinity filter for the emulator's scheduler
(controllers/scheduling.py): the new pod's required pod affinity and anti-affinity against the
pods already placed, and the placed pods' required anti-affinity against the new pod.

upstream: kubernetes/kubernetes pkg/scheduler/framework/plugins/interpodaffinity/filtering.go
(read at sanposhiho/kubernetes 059ce4e8, a fork of a recent master):
- PreFilter: existingAntiAffinityCounts, from every placed pod with a required anti-affinity term
  matching the new pod (its namespace's labels for the term's namespaceSelector), a count per
  (topologyKey, the placed pod's node's value of it); affinityCounts, per term's topology pair, the
  placed pods matching ALL the new pod's required affinity terms (podMatchesAllAffinityTerms);
  antiAffinityCounts, the placed pods matching each of its required anti-affinity terms. A node
  without the topology key adds nothing.
- Filter, in this order: satisfyPodAffinity (every term's topology key must be on the node, and
  its pair counted; else, the "first pod of a group" rule: no placed pod matches at all and the
  new pod matches all its own terms), UnschedulableAndUnresolvable "node(s) didn't match pod
  affinity rules"; satisfyPodAntiAffinity, Unschedulable "node(s) didn't match pod anti-affinity
  rules"; satisfyExistingPodsAntiAffinity (any of the node's labels is a counted pair),
  Unschedulable "node(s) didn't satisfy existing pods anti-affinity rules".
- pkg/scheduler/framework/types.go newAffinityTerm and getNamespacesFromPodAffinityTerm: the term's
  namespaces, else (no namespaces and no namespaceSelector) the pod's own; AffinityTerm.Matches: the
  pod's namespace in them or its namespace's labels matching namespaceSelector, then the label
  selector (metav1.LabelSelectorAsSelector: nil matches nothing, {} everything). The new pod's
  namespaceSelector is merged into namespaces (mergeAffinityTermNamespacesIfNotEmpty).
- pkg/registry/core/pod/strategy.go applyMatchLabelKeysAndMismatchLabelKeys: the API server adds
  `key In (pod's value)` per matchLabelKeys and `key NotIn (value)` per mismatchLabelKeys to the
  term's labelSelector at creation, where the pod has the label; the emulator's API server does
  not, so the terms are merged here, with the owning pod's labels.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tests.emulators.kube.controllers.fleet_scheduler import matches_selector

AFFINITY_REASON = "node(s) didn't match pod affinity rules"
ANTI_AFFINITY_REASON = "node(s) didn't match pod anti-affinity rules"
EXISTING_REASON = "node(s) didn't satisfy existing pods anti-affinity rules"


def selector_matches(selector: Mapping[str, Any] | None, labels: Mapping[str, str]) -> bool:
    """metav1.LabelSelectorAsSelector(selector).Matches(labels): nil matches nothing, {} everything
    (the emulator's one matcher of a LabelSelector, fleet_scheduler.matches_selector, otherwise)."""
    return selector is not None and matches_selector(selector, labels)


@dataclass
class Term:
    """A required PodAffinityTerm of one pod, as the scheduler holds it."""

    namespaces: set[str]
    namespace_selector: Mapping[str, Any] | None
    selector: Mapping[str, Any] | None
    topology_key: str

    def matches(self, pod: Mapping[str, Any], ns_labels: Mapping[str, str] | None) -> bool:
        md = pod.get("metadata") or {}
        in_ns = md.get("namespace", "") in self.namespaces or (
            ns_labels is not None and selector_matches(self.namespace_selector, ns_labels)
        )
        return in_ns and selector_matches(self.selector, md.get("labels") or {})


def required_terms(pod: Mapping[str, Any], kind: str) -> list[Term]:
    """The pod's required terms of ``kind`` (podAffinity or podAntiAffinity)."""
    md = pod.get("metadata") or {}
    labels = md.get("labels") or {}
    affinity = ((pod.get("spec") or {}).get("affinity") or {}).get(kind) or {}
    terms = []
    for raw in affinity.get("requiredDuringSchedulingIgnoredDuringExecution") or []:
        selector = raw.get("labelSelector")
        if selector is not None and (raw.get("matchLabelKeys") or raw.get("mismatchLabelKeys")):
            extra = [
                {"key": k, "operator": op, "values": [labels[k]]}
                for keys, op in ((raw.get("matchLabelKeys"), "In"), (raw.get("mismatchLabelKeys"), "NotIn"))
                for k in keys or []
                if k in labels
            ]
            selector = {**selector, "matchExpressions": [*(selector.get("matchExpressions") or []), *extra]}
        ns_selector = raw.get("namespaceSelector")
        names = set(raw.get("namespaces") or [])
        if not names and ns_selector is None:
            names = {md.get("namespace", "")}
        terms.append(Term(names, ns_selector, selector, str(raw.get("topologyKey") or "")))
    return terms


@dataclass
class InterPodAffinity:
    """PreFilter's counts for one new pod, then Filter for each node. ``placed`` gives each pod
    already on a node with that node's labels; ``namespaces`` the cluster's namespaces' labels."""

    pod: Mapping[str, Any]
    placed: Callable[[], Iterable[tuple[Mapping[str, Any], Mapping[str, str]]]]
    namespaces: Mapping[str, Mapping[str, str]]
    existing: set[tuple[str, str]] = field(default_factory=set)
    affinity_counts: set[tuple[str, str]] = field(default_factory=set)
    anti_counts: set[tuple[str, str]] = field(default_factory=set)
    affinity: list[Term] = field(default_factory=list)
    anti: list[Term] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.affinity = [self._merged(t) for t in required_terms(self.pod, "podAffinity")]
        self.anti = [self._merged(t) for t in required_terms(self.pod, "podAntiAffinity")]
        ns_labels = self.namespaces.get((self.pod.get("metadata") or {}).get("namespace", ""), {})
        for other, node_labels in self.placed():
            for term in required_terms(other, "podAntiAffinity"):
                if term.topology_key in node_labels and term.matches(self.pod, ns_labels):
                    self.existing.add((term.topology_key, node_labels[term.topology_key]))
            if self.affinity and all(t.matches(other, None) for t in self.affinity):
                self.affinity_counts.update(
                    (t.topology_key, node_labels[t.topology_key])
                    for t in self.affinity
                    if t.topology_key in node_labels
                )
            for term in self.anti:
                if term.topology_key in node_labels and term.matches(other, None):
                    self.anti_counts.add((term.topology_key, node_labels[term.topology_key]))

    def _merged(self, term: Term) -> Term:
        """mergeAffinityTermNamespacesIfNotEmpty: the namespaces its namespaceSelector matches."""
        if term.namespace_selector is None:
            return term
        names = term.namespaces | {
            n for n, lb in self.namespaces.items() if selector_matches(term.namespace_selector, lb)
        }
        return Term(names, None, term.selector, term.topology_key)

    def reason(self, node_labels: Mapping[str, str]) -> tuple[str, bool] | None:
        """Why the node fails the filter, and whether preemption could help; None: it passes."""
        if not self._satisfies_affinity(node_labels):
            return AFFINITY_REASON, False
        if any((t.topology_key, node_labels.get(t.topology_key)) in self.anti_counts for t in self.anti):
            return ANTI_AFFINITY_REASON, True
        if any(pair in self.existing for pair in node_labels.items()):
            return EXISTING_REASON, True
        return None

    def _satisfies_affinity(self, node_labels: Mapping[str, str]) -> bool:
        pods_exist = True
        for term in self.affinity:
            if term.topology_key not in node_labels:
                return False  # "All topology labels must exist on the node."
            if (term.topology_key, node_labels[term.topology_key]) not in self.affinity_counts:
                pods_exist = False
        if pods_exist:
            return True
        # The first pod of a group with affinity to itself.
        return not self.affinity_counts and all(t.matches(self.pod, None) for t in self.affinity)
