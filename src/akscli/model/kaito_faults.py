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
readiness/kaito_faults.py, kube/kaito_plugins.py.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from typing import Any

from akscli.errors import AkscliError
from akscli.kube import kaito_plugins
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
    if reason == "ContainerCrashLoopBackOff" and (cause := crash_cause(kube, ws, message)) is not None:
        fix = f"{cause[0]} (its previous log says so): {cause[1]}"
    return f"{object_ref(ws)} does not serve: KAITO's InferenceReady is {reason}: {message}; {fix}"


# What a crashed server's last lines say, in the words of the library that wrote them, the cause and
# what to do. Upstream: pytorch/pytorch c10/cuda/CUDACachingAllocator.cpp ("CUDA out of memory. Tried to
# allocate"); huggingface/huggingface_hub src/huggingface_hub/utils/_http.py hf_raise_for_status
# (GatedRepoError "Cannot access gated repo for url", RepositoryNotFoundError "Repository Not Found for
# url") and src/huggingface_hub/file_download.py _raise_on_head_call_error (LocalEntryNotFoundError, no
# answer from the Hub). KAITO's vLLM presets download their weights from Hugging Face as the server
# starts (kaito-project/kaito v0.12.0 pkg/model/interface.go buildVLLMInferenceCommand, --model REPO).
CAUSES = (
    (
        "CUDA out of memory",
        "the model does not fit the GPU's memory (CUDA out of memory)",
        "deploy it again on a larger --vm-size or with a shorter --max-model-len",
    ),
    (
        "Cannot access gated repo",
        "Hugging Face refused the weights download: the model is gated (GatedRepoError)",
        "deploy it again with --access-secret naming a Secret whose HF_TOKEN has been granted access",
    ),
    (
        "Repository Not Found for url",
        "Hugging Face has no such repository, or it is private (RepositoryNotFoundError)",
        "check the model's id, or give a token with access (--access-secret)",
    ),
    (
        "An error happened while trying to locate the file on the Hub",
        "the server could not reach Hugging Face to download the weights (LocalEntryNotFoundError)",
        "let the nodes reach huggingface.co over HTTPS (the cluster's egress: firewall, proxy, network rules)",
    ),
)
_LOG_LINES = 50  # the previous log's tail read


def _looping(pod: Mapping[str, Any], container: str) -> bool:
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    waiting = [
        ((cs.get("state") or {}).get("waiting") or {}).get("reason") for cs in statuses if cs.get("name") == container
    ]
    return "CrashLoopBackOff" in waiting


def crash_cause(kube: Kube, ws: Mapping[str, Any], message: str) -> tuple[str, str] | None:
    """(cause, fix) from the previous log of the first (by name) of the Workspace's pods whose
    container KAITO names in ``message`` waits in CrashLoopBackOff: one page of its pods, one log
    read of ``_LOG_LINES`` lines; None where no line is known or nothing can be read."""
    meta = ws.get("metadata") or {}
    name, namespace = str(meta.get("name") or ""), str(meta.get("namespace") or "default")
    container = message.split('"')[1] if message.count('"') >= 2 else name
    try:
        pods = kube.list("v1", "Pod", namespace=namespace, label_selector=f"kaito.sh/workspace={name}", page_size=50)
        crashing = sorted(str(p["metadata"]["name"]) for p in itertools.islice(pods, 50) if _looping(p, container))
        if not crashing:
            return None
        lines = list(kube.logs(namespace, crashing[0], container=container, tail_lines=_LOG_LINES, previous=True))
    except AkscliError:
        return None
    text = "\n".join(lines)
    return next(((cause, fix) for needle, cause, fix in CAUSES if needle in text), None)


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
