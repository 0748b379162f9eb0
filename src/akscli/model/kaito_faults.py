"""What `model status` warns of for a KAITO model, in one line each: the nodes KAITO says are under
kubelet pressure, a node whose NVIDIA device plugin KAITO waits on (NodePluginsNotReady), and an
inference pod KAITO classified (InferenceReady's reason), each with what to do. For an InferenceSet,
the same for each of its Workspaces (one list of them by label).

upstream: kaito-project/kaito v0.12.0 (commit 0894eb2b) pkg/nodeprovision/gpu-provisioner/gpu_provisioner.go
CollectNodeStatusInfo (NodesReady: NodePluginsNotReady, and the node-pressure warning at the end of its
message, the status unchanged; pkg/utils/nodes/nodes.go NodePressureWarning),
pkg/workspace/controllers/workspace_controller.go classifyInferencePodFailure, and
pkg/utils/inferenceset/inferenceset.go ListWorkspaces (an InferenceSet's Workspaces by the
``inferenceset.kaito.sh/created-by`` label in its namespace). The causes and fixes:
readiness/kaito_faults.py, kube/kaito_plugins.py, kube/kaito_crash.py (a crash loop's cause, from its
previous log).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from akscli.errors import AkscliError
from akscli.kube import kaito_crash, kaito_plugins
from akscli.kube.client import Kube
from akscli.kube.readiness import kaito_faults
from akscli.output import object_ref

# KAITO ends a Workspace's NodesReady message with this and the nodes under kubelet pressure.
_PRESSURE = "; warning: worker node(s) under resource pressure: "
# Members named in a set's warning; the rest are counted.
SHOWN = 3
SET_LABEL = "inferenceset.kaito.sh/created-by"  # pkg/utils/consts/consts.go WorkspaceCreatedByInferenceSetLabel


def node_pressure(obj: Mapping[str, Any]) -> str | None:
    """The nodes KAITO says are under kubelet pressure, from the Workspace's NodesReady; else None.
    Readiness never reads NodesReady once ResourceReady is True, so nothing else would show them."""
    for c in (obj.get("status") or {}).get("conditions") or []:
        if isinstance(c, Mapping) and c.get("type") == "NodesReady":
            _, found, nodes = str(c.get("message") or "").partition(_PRESSURE)
            return nodes if found and nodes else None
    return None


def pressure_warning(obj: Mapping[str, Any]) -> str | None:
    nodes = node_pressure(obj)
    if not nodes:
        return None
    selector = f"kaito.sh/workspace={(obj.get('metadata') or {}).get('name')}"
    return (
        f"{object_ref(obj)} runs on nodes under kubelet resource pressure: {nodes}, so the kubelet may "
        f"evict its pods (KAITO's NodesReady); see kubectl describe nodes -l {selector}"
    )


def fault(kube: Kube, ws: Mapping[str, Any]) -> str | None:
    """The Workspace's named cause and its fix, in one line; None where KAITO names none."""
    if kaito_faults.plugins_pending(ws):
        found = kaito_plugins.explain(kube, ws)  # the node and its plugin pod: two reads
        if found is not None:
            return f"{object_ref(ws)} {found.said}; {found.fix}"
        return f"{object_ref(ws)} waits for the NVIDIA device plugin on its nodes; {kaito_faults.plugin_fix(ws)}"
    classified = kaito_faults.inference_fault(ws)
    if classified is None:
        return None
    reason, message, fix = classified
    if reason == "ContainerCrashLoopBackOff" and (cause := kaito_crash.cause(kube, ws, message)) is not None:
        fix = f"{cause[0]} (its previous log says so): {cause[1]}"
    return f"{object_ref(ws)} does not serve: KAITO's InferenceReady is {reason}: {message}; {fix}"


def set_members(kube: Kube, obj: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """An InferenceSet's Workspaces, by name (one paginated list); [] for anything else or unreadable."""
    meta = obj.get("metadata") or {}
    if obj.get("kind") != "InferenceSet" or not meta.get("name"):
        return []
    try:
        found = kube.list(
            "kaito.sh/v1beta1",
            "Workspace",
            namespace=meta.get("namespace"),
            label_selector=f"{SET_LABEL}={meta['name']}",
        )
        members = [{"apiVersion": "kaito.sh/v1beta1", "kind": "Workspace", **m} for m in found]
    except AkscliError:
        return []
    return sorted(members, key=lambda m: str((m.get("metadata") or {}).get("name")))


def warning(kube: Kube, obj: Mapping[str, Any], members: Iterable[Mapping[str, Any]] = ()) -> str | None:
    """A Workspace's named cause (``fault``); for an InferenceSet, each of its Workspaces' (``members``)
    node pressure and cause, the first SHOWN of them named."""
    if obj.get("kind") == "Workspace":
        return fault(kube, obj)
    said: list[str] = []
    more = 0
    for m in members:
        if len(said) < SHOWN:
            said += [w for w in (pressure_warning(m), fault(kube, m)) if w]
        elif node_pressure(m) or kaito_faults.plugins_pending(m) or kaito_faults.inference_fault(m):
            more += 1  # counted without reading its nodes
    if not said:
        return None
    return "; ".join(said) + (f"; and {more} more of its Workspaces" if more else "")
