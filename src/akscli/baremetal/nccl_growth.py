"""Whether the GPU nodes an NCCL test wants could grow: the cluster autoscaler's room in the scale
sets the nodes belong to, or node auto-provisioning's room under a NodePool's limits. Read only
where every GPU node is full, to tell a full pool that can grow (the test's pods wait for a new
node, which their waiting asks for) from one that cannot (refused).

- Cluster autoscaler: its status, ``kube-system/cluster-autoscaler-status`` key ``status``, a YAML
  document since cluster-autoscaler 1.30: per node group ``health.cloudProviderTarget``,
  ``minSize``, ``maxSize`` and ``scaleUp.status`` (``Backoff`` after a failed scale-up, with
  ``backoffInfo``). upstream: kubernetes/autoscaler d610672 cluster-autoscaler/clusterstate/api/
  types.go (ClusterAutoscalerStatus, NodeGroupHealthCondition, NodeGroupScaleUpCondition) and
  clusterstate/utils/status_test.yaml; AKS's cluster autoscaler writes it (MicrosoftDocs/
  azure-aks-docs fb060ab articles/aks/cluster-autoscaler.md, "kubectl get configmap -n kube-system
  cluster-autoscaler-status"). On Azure a node group is a scale set and its name is the scale set's
  (cluster-autoscaler/cloudprovider/azure/azure_scale_set.go ScaleSet.Id), which a node's
  ``spec.providerID`` names (``.../virtualMachineScaleSets/NAME/virtualMachines/N``). Before 1.30
  the status is text ("Cluster-autoscaler status at TIME:" then a ``NodeGroups:`` section, each
  group a ``Name:`` line and its ``Health:``/``ScaleUp:`` conditions, "STATUS (MESSAGE)"); the
  same facts are read from it (``_text_groups``). upstream: kubernetes/autoscaler
  cluster-autoscaler-1.29.5 (d4bbc686a) cluster-autoscaler/clusterstate/utils/status.go
  WriteStatusConfigMap, clusterstate/api/utils.go GetReadableString, clusterstate/clusterstate.go
  buildHealthStatusNodeGroup ("... cloudProviderTarget=%d (minSize=%d, maxSize=%d)", the same
  since 1.18) and buildScaleUpStatusNodeGroup (Backoff, no error message in this form); the YAML
  form came with 11a084699c ("Convert status in cluster-autoscaler-status to yaml").
- Node auto-provisioning (Karpenter): a NodePool may add a node while its ``spec.limits`` less
  ``status.resources`` leave room for the node's capacity of every limited resource. upstream:
  kubernetes-sigs/karpenter 2266468 pkg/apis/v1/nodepool.go Limits.ExceededBy,
  pkg/controllers/provisioning/scheduling/scheduler.go filterByRemainingResources. The capacity
  is read from a node of the size the test wants.

Whether a new node would offer the RDMA resource the pods ask for (``Rdma``):

- The cluster autoscaler judges a pending pod against its node group's template node. For a group
  with a node that is Ready (for a minute), schedulable and not being deleted by it, the template
  is a copy of such a node, allocatable included; else one such node it saw earlier (a cache with a
  TTL), else the cloud provider's template. upstream: kubernetes/autoscaler cluster-autoscaler-1.36.1
  (35e8a28) cluster-autoscaler/processors/nodeinfosprovider/mixed_nodeinfos_processor.go Process and
  isNodeGoodTemplateCandidate, cluster-autoscaler/simulator/node_info_utils.go createSanitizedNode.
  Which of the group's good nodes is copied is the order the autoscaler lists them in, which akscli
  cannot know: a scale set none of whose good nodes offers the resource cannot grow for the pods; one
  where only some do may not; one with no good node is built from a node akscli cannot see or from
  the scale set's tags (below), and is said to be unknown.
- Azure's template (a scale set with no good node): ``nvidia.com/gpu`` from the size's GPU count,
  and extended resources only from tags ``k8s.io_cluster-autoscaler_node-template_resources_<name>``,
  whose every ``_`` is read as ``/`` (cluster-autoscaler/cloudprovider/azure/azure_template.go
  buildNodeFromTemplate, extractAllocatableResourcesFromScaleSet; azure_util.go nodeResourcesTagName):
  a tag can name ``rdma/ib`` but not ``rdma/rdma_shared_device_a`` or ``rdma/shared_ib``. The tags
  are ARM's, not read here.
- Node auto-provisioning on Azure offers a pod only an instance type whose allocatable holds every
  resource it requests, and its instance types' capacity is cpu, memory, ephemeral-storage, pods,
  ``nvidia.com/gpu`` and ``amd.com/gpu``: no RDMA resource, so no node is added for the test's pods.
  upstream: Azure/karpenter-provider-azure 352646f pkg/providers/instancetype/instancetype.go
  computeCapacity; kubernetes-sigs/karpenter 2266468 pkg/controllers/provisioning/scheduling/
  nodeclaim.go fits, pkg/utils/resources/resources.go Fits.

Two GETs at most (the ConfigMap, each NodePool named by the nodes), whatever the cluster's size.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from akscli import validate
from akscli.errors import AkscliError, UsageError

if TYPE_CHECKING:
    from akscli.kube.client import Kube

STATUS_NAMESPACE, STATUS_NAME, STATUS_KEY = "kube-system", "cluster-autoscaler-status", "status"
NODEPOOL_LABEL = "karpenter.sh/nodepool"  # upstream: kubernetes-sigs/karpenter pkg/apis/v1/labels.go
_SCALE_SET = re.compile(r"/virtualMachineScaleSets/([^/]+)/virtualMachines/", re.IGNORECASE)
NODEPOOLS_READ = 4  # NodePools read at most (a size's nodes come from one or a few)
# The taint the cluster autoscaler puts on a node it deletes (upstream: kubernetes/autoscaler
# cluster-autoscaler/utils/taints/taints.go ToBeDeletedTaint)
TO_BE_DELETED = "ToBeDeletedByClusterAutoscaler"


def scale_set(node: Mapping[str, Any]) -> str | None:
    """The scale set a node's VM belongs to, from its providerID; None for a standalone VM."""
    match = _SCALE_SET.search(str((node.get("spec") or {}).get("providerID") or ""))
    return match.group(1) if match else None


def template_candidate(node: Mapping[str, Any]) -> bool:
    """Whether the cluster autoscaler may copy this node as its group's template: Ready,
    schedulable, not being deleted by it (isNodeGoodTemplateCandidate; its minute of stable
    readiness is not judged)."""
    from akscli.kube import scheduling

    spec = node.get("spec") or {}
    deleting = any(t.get("key") == TO_BE_DELETED for t in spec.get("taints") or [])
    return scheduling.ready(node) and not spec.get("unschedulable") and not deleting


@dataclass
class Rdma:
    """The RDMA resource the pods ask for and, per scale set, its template candidates and how many
    of them offer it."""

    resource: str
    candidates: Mapping[str, int]
    offering: Mapping[str, int]


@dataclass
class Growth:
    """``room``: how the pool can grow ("" where it cannot); ``full``: why it cannot, where known;
    ``nodepool``: the room is a NodePool's (node auto-provisioning may pick another size)."""

    room: str = ""
    full: str = ""
    nodepool: bool = False
    pool: str = ""  # the NodePool with room, and its requirements (the sizes it may launch)
    requirements: tuple[Mapping[str, Any], ...] = ()


def growth(
    kube: Kube,
    scale_sets: Iterable[str],
    nodepools: Iterable[str],
    capacity: Mapping[str, str],
    needed: int = 1,
    rdma: Rdma | None = None,
) -> Growth:
    """Whether ``needed`` nodes can be added to the scale sets or NodePools the GPU nodes come from
    (a NodePool's room is judged for one node), new nodes that offer ``rdma``'s resource."""
    out = Growth()
    fulls: list[str] = []
    pools = sorted(nodepools)[:NODEPOOLS_READ]
    if rdma is not None and pools:
        fulls.append(
            f"node auto-provisioning adds no node for pods asking for {rdma.resource}: its Azure instance "
            "types offer no RDMA resource"
        )
        pools = []
    for name in pools:
        room, full, requirements = _nodepool(kube, name, capacity)
        if room:
            return Growth(room=room, nodepool=True, pool=name, requirements=requirements)
        fulls.append(full)
    sets, caveats = sorted(scale_sets), list[str]()
    if rdma is not None:
        sets, caveats, refused = _rdma_templates(sets, rdma)
        fulls += refused
    if sets:
        room, full = _autoscaler(kube, sets, needed)
        if room:
            return Growth(room="; ".join([room, *caveats]))
        fulls.append(full)
    out.full = "; ".join(f for f in fulls if f)
    return out


def _rdma_templates(sets: list[str], rdma: Rdma) -> tuple[list[str], list[str], list[str]]:
    """The scale sets whose new node may offer the RDMA resource, what is not known of them, and
    why the others cannot grow for the pods."""
    kept, caveats, refused = [], [], []
    for name in sets:
        good, offering = rdma.candidates.get(name, 0), rdma.offering.get(name, 0)
        if good and not offering:
            refused.append(
                f"the cluster autoscaler judges a new {name} node by one of its {good} ready node(s), and none "
                f"offers {rdma.resource}"
            )
            continue
        kept.append(name)
        if offering < good:
            caveats.append(
                f"{good - offering} of {name}'s {good} ready node(s) offer no {rdma.resource}, and the cluster "
                "autoscaler may judge a new node by one of them"
            )
        elif not good:
            caveats.append(
                f"{name} has no ready node, so whether the cluster autoscaler's template for it offers "
                f"{rdma.resource} is not known here"
            )
    return kept, caveats, refused


def _nodepool(kube: Kube, name: str, capacity: Mapping[str, str]) -> tuple[str, str, tuple[Mapping[str, Any], ...]]:
    """The NodePool's room (or why it has none) and its template's requirements."""
    try:
        pool = kube.get("karpenter.sh/v1", "NodePool", name)
    except AkscliError:  # no Karpenter CRD served, or no right to read it
        return "", "", ()
    if pool is None:
        return "", "", ()
    spec = pool.get("spec") or {}
    requirements = tuple(((spec.get("template") or {}).get("spec") or {}).get("requirements") or [])
    limits = spec.get("limits") or {}
    used = (pool.get("status") or {}).get("resources") or {}
    if not limits:
        return f"NodePool {name} has no limits: node auto-provisioning can add a node", "", requirements
    for resource, limit in sorted(limits.items()):
        need = _amount(capacity.get(resource))
        left = _amount(limit) - _amount(used.get(resource))
        if need > left:
            return "", f"NodePool {name} is at its {resource} limit ({used.get(resource, 0)} of {limit} used)", ()
    return f"NodePool {name} has room under its limits for another node", "", requirements


def _autoscaler(kube: Kube, sets: list[str], needed: int) -> tuple[str, str]:
    from akscli import yamlio

    try:
        cm = kube.get("v1", "ConfigMap", STATUS_NAME, namespace=STATUS_NAMESPACE)
    except AkscliError:  # no right to read kube-system's ConfigMaps
        return "", ""
    text = ((cm or {}).get("data") or {}).get(STATUS_KEY)
    if not text:
        return "", f"no cluster autoscaler status ({STATUS_NAMESPACE}/{STATUS_NAME}) says {', '.join(sets)} can grow"
    if text.startswith(TEXT_HEADER):
        status: Any = {"nodeGroups": _text_groups(text)}
    else:
        try:
            status = yamlio.load(text, f"{STATUS_NAMESPACE}/{STATUS_NAME}")
        except AkscliError:
            status = None
    if not isinstance(status, dict):
        return "", "the cluster autoscaler's status is in neither of its forms (YAML since 1.30, text before)"
    wanted = {s.lower() for s in sets}
    groups = [g for g in status.get("nodeGroups") or [] if str(g.get("name", "")).lower() in wanted]
    if not groups:
        return "", f"the cluster autoscaler does not scale {', '.join(sets)}"
    fulls, rooms = [], []
    for group in groups:
        health = group.get("health") or {}
        target, top = _int(health.get("cloudProviderTarget")), _int(health.get("maxSize"))
        scale_up = group.get("scaleUp") or {}
        if scale_up.get("status") == "Backoff":
            why = (scale_up.get("backoffInfo") or {}).get("errorMessage") or "a scale-up failed"
            fulls.append(f"the cluster autoscaler is backing off {group['name']} ({why})")
        elif target < top:
            rooms.append((top - target, f"{group['name']} from {target} to {top} node(s)"))
        else:
            fulls.append(f"{group['name']} is at the cluster autoscaler's maximum ({top} node(s))")
    grows = " and ".join(text for _, text in rooms)
    if rooms and sum(n for n, _ in rooms) >= needed:
        return f"the cluster autoscaler can grow {grows}", ""
    if rooms:
        # the pods are kept off the full nodes: those beyond the room would wait for the timeout
        fulls.insert(0, f"the cluster autoscaler can grow only {grows}, and {needed} new node(s) are needed")
    return "", "; ".join(fulls)


TEXT_HEADER = "Cluster-autoscaler status at "
_TEXT_NAME = re.compile(r"^  Name:\s+(\S+)\s*$")
_TEXT_HEALTH = re.compile(r"^  Health:\s+\w+ \(.*cloudProviderTarget=(\d+) \(minSize=(\d+), maxSize=(\d+)\)\)\s*$")
_TEXT_SCALE_UP = re.compile(r"^  ScaleUp:\s+(\w+)")


def _text_groups(text: str) -> list[dict[str, Any]]:
    """The node groups of the text status (cluster-autoscaler before 1.30), in the YAML form's shape:
    ``name``, ``health.cloudProviderTarget/minSize/maxSize``, ``scaleUp.status``. Only the lines
    after ``NodeGroups:`` (the cluster-wide conditions above it look the same)."""
    groups: list[dict[str, Any]] = []
    _, found, section = text.partition("\nNodeGroups:\n")
    for line in section.splitlines() if found else []:
        if match := _TEXT_NAME.match(line):
            groups.append({"name": match.group(1), "health": {}, "scaleUp": {}})
        elif groups and (match := _TEXT_HEALTH.match(line)):
            target, low, top = (int(g) for g in match.groups())
            groups[-1]["health"] = {"cloudProviderTarget": target, "minSize": low, "maxSize": top}
        elif groups and (match := _TEXT_SCALE_UP.match(line)):
            groups[-1]["scaleUp"] = {"status": match.group(1)}
    return groups


def _amount(value: Any) -> Decimal:
    try:
        return validate.quantity_value(str(value)) if value is not None else Decimal(0)
    except UsageError:
        return Decimal(0)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
