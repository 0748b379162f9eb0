"""The reads behind InterPodAffinity in the pinned-deploy fit check (akscli.model.cluster_fit):
which placed pods' required anti-affinity keeps the deployed pod off a node. The filter's rules
are akscli.kube.pod_affinity. Plain logic: no Typer, no rich.

The scheduler holds every pod of the cluster in its cache and reads the anti-affinity of each
(interpodaffinity/filtering.go getExistingAntiAffinityCounts over
HavePodsWithRequiredAntiAffinityList). A client cannot ask the API server for "pods with
anti-affinity": a Pod's selectable fields are metadata.name, metadata.namespace, spec.nodeName,
spec.restartPolicy, spec.schedulerName, spec.serviceAccountName, spec.hostNetwork, status.phase,
status.podIP, status.podIPs and status.nominatedNodeName (upstream: kubernetes/kubernetes
pkg/registry/core/pod/strategy.go ToSelectableFields). Reading every pod is out of the question
at 75,000 nodes. So the check reads, for one fit check:

- the pods bound to (and nominated for) each node it counts: already listed for NodeResourcesFit,
  so their anti-affinity, whatever its topologyKey, costs no request. A placed pod's term over any
  key its own node carries covers that node, so this is exact for every pod on the node;
- the pods anywhere that carry the deployed pod's own labels (one list, label-selected, all
  namespaces, active phases, 2 pages of 500 at most): the pods whose anti-affinity selects the
  model's labels are, in practice, the model's own replicas ("one per zone"); their anti-affinity
  reaches the nodes of their zone (or any topology domain) from another node. The node of each
  one whose term selects the deployed pod is read by name (at most 10 GETs in all);
- the deployed pod's Namespace (one GET), only where a term has a namespaceSelector.

Not read: pods on other nodes that do not carry the model's labels and whose anti-affinity
selects them over a wider domain than their node (a zone). Those keep the pod Pending where the
check said it could go; the scheduler's event says so."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from akscli.errors import AuthError
from akscli.kube import pod_affinity
from akscli.kube.client import Kube

_PAGE = 500
_PAGES = 2
_NODE_GETS = 10
# upstream: pkg/scheduler/scheduler.go newPodInformer leaves out Succeeded and Failed pods.
_ACTIVE = "status.phase!=Succeeded,status.phase!=Failed"


@dataclass
class AffinityReads:
    """What one fit check has read for InterPodAffinity. ``new``: the deployed pod's namespace
    and labels."""

    kube: Kube
    new: Mapping[str, Any]
    elsewhere: list[tuple[dict[str, Any], dict[str, str]]] | None = None
    node_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    ns_labels: dict[str, str] | None = None

    def repels(self, node: Mapping[str, Any], bound: list[dict[str, Any]]) -> bool:
        """Whether a placed pod's required anti-affinity keeps the deployed pod off the node;
        ``bound``: the pods bound to it and nominated for it, already read."""
        labels = dict((node.get("metadata") or {}).get("labels") or {})
        placed = [(pod, labels) for pod in bound if pod_affinity.anti_affinity_terms(pod)]
        placed += self._elsewhere()
        if not placed:
            return False
        pairs = pod_affinity.repelled_pairs(self.new, self._namespace_labels(p for p, _ in placed), placed)
        return pod_affinity.repels(node, pairs)

    def _elsewhere(self) -> list[tuple[dict[str, Any], dict[str, str]]]:
        """The pods carrying the deployed pod's labels whose anti-affinity selects it, each with
        its node's labels: read once."""
        if self.elsewhere is None:
            self.elsewhere = []
            selector = ",".join(f"{k}={v}" for k, v in sorted((self.new.get("labels") or {}).items()))
            if not selector:
                return self.elsewhere
            try:
                pages = self.kube.list_pages(
                    "v1", "Pod", all_namespaces=True, label_selector=selector, field_selector=_ACTIVE, page_size=_PAGE
                )
                pods = [p for page in islice(pages, _PAGES) for p in page.get("items") or []]
            except AuthError:
                pods = []
            found = [p for p in pods if (p.get("spec") or {}).get("nodeName") and self._may_select(p)]
            for pod in found:
                labels = self._labels_of(str(pod["spec"]["nodeName"]))
                if labels is not None:
                    self.elsewhere.append((pod, labels))
        return self.elsewhere

    def _may_select(self, pod: Mapping[str, Any]) -> bool:
        """Whether one of the pod's terms selects the deployed pod (topology aside)."""
        terms = pod_affinity.anti_affinity_terms(pod)
        if not terms:
            return False
        ns_labels = self._namespace_labels([pod])
        return any(pod_affinity.term_selects(t, pod, self.new, ns_labels) for t in terms)

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
