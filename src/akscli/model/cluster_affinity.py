"""The reads behind InterPodAffinity in the pinned-deploy fit check (akscli.model.cluster_fit):
which placed pods' required anti-affinity keeps the deployed pod off a node. The filter's rules
are akscli.kube.pod_affinity. Plain logic: no Typer, no rich.

The scheduler holds every pod of the cluster in its cache and reads the anti-affinity of each
(interpodaffinity/filtering.go getExistingAntiAffinityCounts over
HavePodsWithRequiredAntiAffinityList, a list kept per node of the cluster-wide snapshot). A client
cannot ask the API server for "pods with anti-affinity": a Pod's selectable fields are
metadata.name, metadata.namespace, spec.nodeName, spec.restartPolicy, spec.schedulerName,
spec.serviceAccountName, spec.hostNetwork, status.phase, status.podIP, status.podIPs and
status.nominatedNodeName (upstream: kubernetes/kubernetes pkg/registry/core/pod/strategy.go
ToSelectableFields), and no label says what a pod's terms select. Reading every pod is out of
the question at 75,000 nodes. So the check reads, for one fit check, only once a node passes
every other filter:

- the pods bound to (and nominated for) each node it counts: already listed for NodeResourcesFit,
  so their anti-affinity, whatever its topologyKey, costs no request. A placed pod's term over any
  key its own node carries covers that node, so this is exact for every pod on the node;
- the placed pods of the deployed pod's namespace (one namespace-scoped list, bound and active
  pods only, 4 pages of 500 at most). A term with neither namespaces nor a namespaceSelector
  selects pods of its own pod's namespace only (framework/types.go
  getNamespacesFromPodAffinityTerm), so these are every pod whose default-namespaced term can
  select the deployed pod, whatever labels they carry: a neighbour whose "keep away from app X"
  reaches the node from another node of its zone is among them;
- the placed pods anywhere that carry the deployed pod's own labels (one label-selected list, all
  namespaces, 2 pages of 500 at most): the model's replicas in other namespaces, whose
  cross-namespace term may name the deployed pod's namespace;
- the node of each pod on another node whose term selects the deployed pod over a key the
  counted node carries, read by name once the counted node needs it: terms over keys other than
  kubernetes.io/hostname first (a zone), at most 10 GETs in all;
- the deployed pod's Namespace (one GET), only where a term has a namespaceSelector.

Not read, and why: a pod of another namespace, not carrying the model's labels, whose term names
the deployed pod's namespace (namespaces or namespaceSelector) and reaches the node from another
node. Finding it takes every pod of the cluster, the read the scheduler makes from its informer
and a client cannot afford; cross-namespace terms are opt-in, and a cluster can forbid them per
namespace with the CrossNamespacePodAffinity ResourceQuota scope (upstream: kubernetes/kubernetes
pkg/apis/core/types.go ResourceQuotaScopeCrossNamespacePodAffinity). Pods past the page budgets
and nodes past the GET budget are not read either. Such a pod keeps the deployed pod Pending where
the check said it could go; the scheduler's event says so."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from akscli.errors import AuthError
from akscli.kube import pod_affinity
from akscli.kube.client import Kube

_PAGE = 500
_LABEL_PAGES = 2
_NAMESPACE_PAGES = 4
_NODE_GETS = 10
# Bound pods that are not done: pkg/scheduler/scheduler.go newPodInformer leaves out Succeeded and
# Failed pods, and only a pod bound to a node counts for the node's topology domain.
_PLACED = "spec.nodeName!=,status.phase!=Succeeded,status.phase!=Failed"
# k8s.io/api core/v1 well_known_labels.go LabelHostname: a domain of one node, in practice.
_HOSTNAME = "kubernetes.io/hostname"


@dataclass
class AffinityReads:
    """What one fit check has read for InterPodAffinity. ``new``: the deployed pod's namespace
    and labels."""

    kube: Kube
    new: Mapping[str, Any]
    # Pods on some node whose anti-affinity selects the deployed pod (read once).
    elsewhere: list[dict[str, Any]] | None = None
    node_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    ns_labels: dict[str, str] | None = None

    def repels(self, node: Mapping[str, Any], bound: list[dict[str, Any]]) -> bool:
        """Whether a placed pod's required anti-affinity keeps the deployed pod off the node;
        ``bound``: the pods bound to it and nominated for it, already read."""
        labels = dict((node.get("metadata") or {}).get("labels") or {})
        placed = [(pod, labels) for pod in bound if pod_affinity.anti_affinity_terms(pod)]
        placed += self._reaching(str((node.get("metadata") or {}).get("name") or ""), labels)
        if not placed:
            return False
        pairs = pod_affinity.repelled_pairs(self.new, self._namespace_labels(p for p, _ in placed), placed)
        return pod_affinity.repels(node, pairs)

    def _reaching(self, name: str, labels: Mapping[str, str]) -> list[tuple[dict[str, Any], dict[str, str]]]:
        """The pods on other nodes whose selecting term's topologyKey the node carries, each with
        its node's labels; the nodes of terms over a key other than the hostname are read first."""
        found = []
        for pod in self._elsewhere():
            on = str(pod["spec"]["nodeName"])
            keys = {str(t.get("topologyKey") or "") for t in self._selecting(pod)} & labels.keys()
            if on != name and keys:
                found.append((keys == {_HOSTNAME}, on, pod))
        placed = []
        for _, on, pod in sorted(found, key=lambda f: f[0]):
            node_labels = self._labels_of(on)
            if node_labels is not None:
                placed.append((pod, node_labels))
        return placed

    def _elsewhere(self) -> list[dict[str, Any]]:
        """The placed pods of the deployed pod's namespace, and those carrying its labels, whose
        anti-affinity selects it: read once."""
        if self.elsewhere is None:
            selector = ",".join(f"{k}={v}" for k, v in sorted((self.new.get("labels") or {}).items()))
            pods = self._placed(_LABEL_PAGES, all_namespaces=True, label_selector=selector) if selector else []
            namespace = str(self.new.get("namespace") or "")
            pods += self._placed(_NAMESPACE_PAGES, namespace=namespace) if namespace else []
            unique = {(p["metadata"].get("namespace"), p["metadata"].get("name")): p for p in pods}
            placed = [p for p in unique.values() if (p.get("spec") or {}).get("nodeName")]
            self.elsewhere = [p for p in placed if self._selecting(p)]
        return self.elsewhere

    def _placed(self, pages: int, **scope: Any) -> list[dict[str, Any]]:
        """The bound, active pods of one list, ``pages`` pages of _PAGE at most (none where the
        user may not list them)."""
        try:
            listed = self.kube.list_pages("v1", "Pod", field_selector=_PLACED, page_size=_PAGE, **scope)
            return [p for page in islice(listed, pages) for p in page.get("items") or []]
        except AuthError:
            return []

    def _selecting(self, pod: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The pod's required anti-affinity terms that select the deployed pod (topology aside)."""
        terms = pod_affinity.anti_affinity_terms(pod)
        if not terms:
            return []
        ns_labels = self._namespace_labels([pod])
        return [t for t in terms if pod_affinity.term_selects(t, pod, self.new, ns_labels)]

    def _labels_of(self, name: str) -> dict[str, str] | None:
        """A node's labels, one GET each, _NODE_GETS at most (None: not read)."""
        if name not in self.node_labels:
            if len(self.node_labels) == _NODE_GETS:
                return None
            try:
                node = self.kube.get("v1", "Node", name) or {}
            except AuthError:
                node = {}
            self.node_labels[name] = dict((node.get("metadata") or {}).get("labels") or {})
        return self.node_labels[name]

    def _namespace_labels(self, pods: Iterable[Mapping[str, Any]]) -> dict[str, str]:
        """The deployed pod's namespace's labels, read once, only where a term needs them."""
        if self.ns_labels is None:
            if not pod_affinity.needs_namespace_labels(pods):
                return {}
            try:
                ns = self.kube.get("v1", "Namespace", str(self.new.get("namespace") or "")) or {}
            except AuthError:
                ns = {}
            self.ns_labels = dict((ns.get("metadata") or {}).get("labels") or {})
        return self.ns_labels
