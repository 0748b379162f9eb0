"""GPU nodes with XID errors, as AKS's Node Problem Detector marks them, for both doctors (through
akscli.gpu.stack.rules). Plain logic: no Typer, no rich.

What marks a node on an XID error:

- AKS's Node Problem Detector, on GPU pools with the AKS-managed driver, sets the node condition
  ``XIDErrors`` True from the driver's ``NVRM: Xid`` lines in the kernel log (upstream:
  MicrosoftDocs/azure-aks-docs fb060abe6 articles/aks/node-problem-detector.md, the node conditions
  table, and articles/aks/gpu-health-monitoring.md; it does not run on ``--gpu-driver none`` pools).
- When a condition turns True, NPD's custom plugin monitor also records a Warning event on the Node
  whose message is ``Node condition XIDErrors is now: True, reason: ..., message: "..."``
  (upstream: kubernetes/node-problem-detector 6632ca67 pkg/util/helpers.go
  GenerateConditionChangeEvent: severity Warn when True; pkg/custompluginmonitor/
  custom_plugin_monitor.go generateStatus; pkg/exporters/k8sexporter/problemclient/
  problem_client.go Eventf: involvedObject kind Node). AKS's rule reason is not published, so the
  message is what is matched.
- The NVIDIA device plugin marks the GPU unhealthy (allocatable below capacity; akscli.gpu.plugin),
  with no label, condition or event.

A node's conditions and allocatable cannot be selected by the API server (nodes have the field
selectors metadata.name and spec.unschedulable only: kubernetes/kubernetes pkg/registry/core/node/
strategy.go NodeToSelectableFields), but events can (pkg/registry/core/event/strategy.go
ToSelectableFields: involvedObject.kind, type, reason, source). So ``doctor``, which samples GPU
nodes, also reads the Warning events on Nodes (``involvedObject.kind=Node,type=Warning``, 500 a
page, 2 pages at most) and GETs the first XID_LOOKED nodes they name that it has not seen marked,
to read the condition now: at most 2 lists and 10 GETs, whatever the cluster's size. Events live an
hour (the API server's --event-ttl default), so a node marked longer ago than that is seen only if
it is in the sample. ``baremetal doctor`` reads every node's condition itself (its aks-gpu-health
finding, akscli.baremetal.findings.AKS_GPU_CONDITIONS), so only doctor's sample fills these counts.
"""

from __future__ import annotations

from itertools import islice
from typing import TYPE_CHECKING, Any

from akscli import errors
from akscli.gpu.nodes import XID_CONDITION

if TYPE_CHECKING:
    from akscli.gpu.nodes import GpuNodes
    from akscli.kube.client import Kube

CONDITION = XID_CONDITION
EVENT_PREFIX = f"Node condition {CONDITION} is now: True"
EVENT_SELECTOR = "involvedObject.kind=Node,type=Warning"
EVENT_PAGE = 500
EVENT_PAGES = 2
XID_LOOKED = 10  # nodes named by events that doctor GETs


def from_events(kube: Kube, nodes: GpuNodes) -> None:
    """Add to ``nodes`` the XID-marked nodes that NPD's recent events name (bounded; see the module).
    A user who may not list events or get nodes is not told more: the sample stands."""
    named: list[str] = []
    try:
        events = kube.list("v1", "Event", all_namespaces=True, field_selector=EVENT_SELECTOR, page_size=EVENT_PAGE)
        for event in islice(events, EVENT_PAGE * EVENT_PAGES):  # a third page is never asked for
            name = str((event.get("involvedObject") or {}).get("name") or "")
            if str(event.get("message") or "").startswith(EVENT_PREFIX) and name and name not in named:
                named.append(name)
        unseen = [n for n in named if n not in nodes.xid_seen]
        nodes.xid_unread = max(len(unseen) - XID_LOOKED, 0)
        for name in unseen[:XID_LOOKED]:
            node = kube.get("v1", "Node", name)
            if node is not None:
                nodes.add_xid(node)
    except (errors.AuthError, errors.NotInstalledError):
        return


def rule(nodes: GpuNodes, make: Any) -> Any:
    """The warning for the GPU nodes whose XIDErrors condition is True (``make`` is gpu_stack.Rule)."""
    shown = ", ".join(nodes.xid_names) + (
        f" and {nodes.xid - len(nodes.xid_names)} more" if nodes.xid > len(nodes.xid_names) else ""
    )
    first = nodes.xid_names[0]
    return make(
        "gpu-operator",
        "error",  # as baremetal doctor's aks-gpu-health finding on the same condition
        f"{nodes.xid} GPU node(s) report XID errors (Node Problem Detector's {CONDITION} condition is True): "
        f"{shown}; AKS sets it from the GPU driver's NVRM: Xid lines in the kernel log"
        + (f"; {nodes.xid_unread} more node(s) named by recent events not looked at" if nodes.xid_unread else ""),
        f"read the XID codes (kubectl describe node {first}: the {CONDITION} condition's message); for a hardware "
        f"XID, drain the node (kubectl drain {first} --ignore-daemonsets) and have the GPU reset or the VM "
        "redeployed",
        subject="gpu xid",
    )
