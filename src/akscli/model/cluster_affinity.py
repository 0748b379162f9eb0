"""The reads behind InterPodAffinity in the pinned-deploy fit check (akscli.model.cluster_fit):
which placed pods' required anti-affinity, or the deployed pod's own terms, keep it off a node. The filter's rules
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
- the deployed pod's Namespace (one GET), only where a term has a namespaceSelector;
- the placed pods of every namespace (one list, bound and active pods only, 2 pages of 500 at
  most): a pod of another namespace, not carrying the model's labels, whose term names the
  deployed pod's namespace (namespaces or namespaceSelector) and reaches the node from another
  node. Finding every such pod takes every pod of the cluster, the read the scheduler makes from
  its informer and a client cannot afford at 75,000 nodes; on a cluster of up to 1,000 placed
  pods this list is all of them. Cross-namespace terms are opt-in, and a cluster can forbid them
  per namespace with the CrossNamespacePodAffinity ResourceQuota scope (upstream:
  kubernetes/kubernetes pkg/apis/core/types.go ResourceQuotaScopeCrossNamespacePodAffinity);
- where the deployed pod has required pod affinity or anti-affinity of its own (none akscli
  renders), the placed pods each term's labelSelector selects in its namespaces (refuses,
  _incoming): a client can select those by label.

Pods past the page budgets and nodes past the GET budget are not read. Where a list had more
pages, or a node was past the GETs, ``stopped`` names what was left, and the fit check says so
with the node it found (akscli.model.cluster_fit.Unread): such a pod keeps the deployed pod
Pending where the check said it could go; the scheduler's event says so."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from akscli.errors import AuthError
from akscli.kube import pod_affinity
from akscli.kube.client import Kube
from akscli.kube.pod_problems import selector_string

_PAGE = 500
_LABEL_PAGES = 2
_NAMESPACE_PAGES = 4
_CLUSTER_PAGES = 2
_NODE_GETS = 10
# Pages of placed pods read per list for each of the deployed pod's own terms.
_TERM_PAGES = 2
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
    # The placed pods each list read for the deployed pod's own terms (scope and selector), once.
    selected: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    # The namespaces a namespaceSelector of the deployed pod's terms selects, once each.
    selected_namespaces: dict[str, frozenset[str]] = field(default_factory=dict)
    # What a budget left unread (pods past a list's pages, nodes past the GETs): "" where nothing.
    stopped: str = ""

    def refuses(
        self, node: Mapping[str, Any], bound: list[dict[str, Any]], spec: Mapping[str, Any] | None = None
    ) -> str | None:
        """InterPodAffinity's Filter for the deployed pod (``spec``) on the node: its own required
        affinity, its own required anti-affinity, then placed pods' anti-affinity (filtering.go
        Filter); the scheduler's reason, or None. ``bound``: the pods bound to the node and
        nominated for it, already read."""
        if spec is not None and (reason := self._incoming(node, bound, spec)):
            return reason
        return pod_affinity.EXISTING_REASON if self.repels(node, bound) else None

    def _incoming(self, node: Mapping[str, Any], bound: list[dict[str, Any]], spec: Mapping[str, Any]) -> str | None:
        """satisfyPodAffinity and satisfyPodAntiAffinity. The pods each term selects are read by
        its labelSelector in its namespaces; a pod on another node needs that node's labels (a
        GET, within the budget) unless every term is over kubernetes.io/hostname, which the
        kubelet sets to the node's name (pkg/kubelet/kubelet_node_status.go initialNode,
        LabelHostname: the hostname, which is the node's name unless overridden). A node past the
        budget is not weighed, and a pod whose affinity could not be checked for that is given
        the benefit of the doubt (``stopped`` says so)."""
        affinity = [self._term(t) for t in pod_affinity.required(spec, "podAffinity")]
        anti = [self._term(t) for t in pod_affinity.required(spec, "podAntiAffinity")]
        if not affinity and not anti:
            return None
        meta = node.get("metadata") or {}
        name, labels = str(meta.get("name") or ""), dict(meta.get("labels") or {})
        placed: list[tuple[Mapping[str, Any], Mapping[str, str]]] = [(p, labels) for p in bound]
        keys = {t.topology_key for t in [*affinity, *anti]}
        unknown = False
        for pod in self._selected([*affinity, *anti]):
            on = str((pod.get("spec") or {}).get("nodeName") or "")
            if on == name:
                continue
            if keys <= {_HOSTNAME}:
                placed.append((pod, {_HOSTNAME: on}))
            elif (node_labels := self._labels_of(on)) is not None:
                placed.append((pod, node_labels))
            else:
                unknown = True
        new = {"metadata": {"namespace": self.new.get("namespace"), "labels": self.new.get("labels") or {}}}
        reason = pod_affinity.incoming_reason(affinity, anti, new, labels, placed)
        if reason == pod_affinity.AFFINITY_REASON and unknown:
            return None
        return reason

    def _term(self, term: Mapping[str, Any]) -> pod_affinity.Term:
        """A term of the deployed pod, its namespaces resolved (framework/types.go newAffinityTerm,
        filtering.go mergeAffinityTermNamespacesIfNotEmpty): its list, else its own namespace
        where it has no namespaceSelector; an empty namespaceSelector selects every namespace; a
        non-empty one adds the namespaces it selects (one list of Namespaces, a page of 500)."""
        own = str(self.new.get("namespace") or "")
        listed = frozenset(str(n) for n in term.get("namespaces") or [])
        ns_selector = term.get("namespaceSelector")
        namespaces: frozenset[str] | None = listed or frozenset({own})
        if ns_selector is not None:
            if not (ns_selector.get("matchLabels") or ns_selector.get("matchExpressions")):
                namespaces = None
            else:
                namespaces = listed | self._namespaces_selected(ns_selector)
        return pod_affinity.Term(str(term.get("topologyKey") or ""), namespaces, term.get("labelSelector"))

    def _namespaces_selected(self, selector: Mapping[str, Any]) -> frozenset[str]:
        query = selector_string(selector) or ""
        if query not in self.selected_namespaces:
            try:
                pages = self.kube.list_pages("v1", "Namespace", label_selector=query, page_size=_PAGE)
                page: dict[str, Any] = next(pages, {"items": []})
                if (page.get("metadata") or {}).get("continue"):
                    self.stopped = self.stopped or "namespaces past the first 500 a term selects"
                names = [str(n["metadata"]["name"]) for n in page.get("items") or []]
            except AuthError:
                names = []
            self.selected_namespaces[query] = frozenset(names)
        return self.selected_namespaces[query]

    def _selected(self, terms: list[pod_affinity.Term]) -> list[dict[str, Any]]:
        """The placed pods any of the deployed pod's terms selects: one list per term's selector
        and scope (its namespaces where it names 3 or fewer, else every namespace), bound and
        active pods, _TERM_PAGES pages of _PAGE at most each, read once."""
        found: dict[tuple[str, str], dict[str, Any]] = {}
        for term in terms:
            if term.selector is None:
                continue  # a nil labelSelector selects no pod
            query = selector_string(term.selector) or ""
            scopes = sorted(term.namespaces) if term.namespaces is not None and len(term.namespaces) <= 3 else [""]
            for scope in scopes:
                if (scope, query) not in self.selected:
                    where: dict[str, Any] = {"namespace": scope} if scope else {"all_namespaces": True}
                    self.selected[(scope, query)] = self._placed(_TERM_PAGES, label_selector=query, **where)
                for pod in self.selected[(scope, query)]:
                    if term.matches(pod):
                        meta = pod.get("metadata") or {}
                        found[(str(meta.get("namespace")), str(meta.get("name")))] = pod
        return list(found.values())

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
            # Pods of other namespaces without the model's labels whose cross-namespace term
            # (namespaces or namespaceSelector) names the model's namespace: only a list of every
            # placed pod finds them. Its first pages are read; past them ``stopped`` says so.
            pods += self._placed(_CLUSTER_PAGES, all_namespaces=True)
            unique = {(p["metadata"].get("namespace"), p["metadata"].get("name")): p for p in pods}
            placed = [p for p in unique.values() if (p.get("spec") or {}).get("nodeName")]
            self.elsewhere = [p for p in placed if self._selecting(p)]
        return self.elsewhere

    def _placed(self, pages: int, **scope: Any) -> list[dict[str, Any]]:
        """The bound, active pods of one list, ``pages`` pages of _PAGE at most (none where the
        user may not list them)."""
        try:
            listed = self.kube.list_pages("v1", "Pod", field_selector=_PLACED, page_size=_PAGE, **scope)
            read = list(islice(listed, pages))
        except AuthError:
            return []
        if read and (read[-1].get("metadata") or {}).get("continue") and len(read) == pages:
            where = f"namespace {scope['namespace']}" if scope.get("namespace") else "all namespaces"
            picked = f" selected by {scope['label_selector']}" if scope.get("label_selector") else ""
            self.stopped = self.stopped or f"placed pods of {where}{picked} past the first {pages * _PAGE}"
        return [p for page in read for p in page.get("items") or []]

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
                self.stopped = self.stopped or f"nodes of placed pods past the first {_NODE_GETS}"
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
