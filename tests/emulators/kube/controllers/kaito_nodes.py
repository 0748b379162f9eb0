"""The nodes KAITO's node provisioner gives a Workspace, and its inference pods' scheduling fields,
so the KAITO simulator's pods go through the emulator's scheduler as the built-in controllers' do.

Upstream files as stored (kaito-project/kaito, newest commits, read 2026-12; newer than the
simulator's pinned 056b8280).

- Provisioning (upstream: kaito-project/kaito pkg/nodeprovision/gpu-provisioner/gpu_provisioner.go
  ProvisionNodes / EnsureNodesReady): the Ready nodes that carry the Workspace's
  ``resource.labelSelector.matchLabels`` and the instance type (``node.kubernetes.io/
  instance-type``) and no NodeClaim made count; for the rest a NodeClaim object is made
  (kaito_gpu_provisioner.manifest, as pkg/utils/nodeclaim/nodeclaim.go
  GenerateNodeClaimManifestWithOptions makes it), and gpu-provisioner launches it: an agent pool
  of its name and its one node (kaito_gpu_provisioner.launch), which carries the NodeClaim's labels
  and taint. Capacity is the instance type's (tests/emulators/autoscaler.py template_node). A
  NodeClaim is named ``ws`` and 9 hex digits of sha256(namespace + name + the time to the
  nanosecond), so each is new whatever the Workspace's name (pkg/utils/nodeclaim/nodeclaim.go
  GenerateNodeClaimName). gpu-provisioner makes an agent pool of the NodeClaim's name
  (Azure/gpu-provisioner pkg/providers/instance/instance.go Create: ``apName := nodeClaim.Name``),
  and AKS names its one node as a scale set instance, ``aks-<pool>-<8 digits>-vmss000000``
  (Azure/gpu-provisioner pkg/fake/azure_client.go: scale set ``aks-<nodeclaim>-<digits>-vmss``;
  tests/emulators/autoscaler.py scale_set_name, instance_suffix). ``status.workerNodes`` is the
  Workspace's nodes, sorted (pkg/workspace/controllers/workspace_controller.go
  collectNodeStatusSnapshot). A deleted Workspace's NodeClaims are deleted, and gpu-provisioner
  removes their nodes (DeprovisionNodes; kaito_gpu_provisioner.delete_claims).
- Pods (pkg/workspace/inference/preset-inferences.go defaultTolerations: ``nvidia.com/gpu``
  Exists and ``sku=gpu`` NoSchedule; the labelSelector as required node affinity,
  pkg/workspace/manifests/manifests.go; the GPUs of the instance type requested per pod). Newer
  KAITO's SetProvisionerNodeSelector also pins pods to ``kaito.sh/workspace``; not modelled.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

WORKSPACE_LABEL = "kaito.sh/workspace"
NAMESPACE_LABEL = "kaito.sh/workspacenamespace"
INSTANCE_TYPE = "node.kubernetes.io/instance-type"
# The cluster whose scale sets the node names hash (autoscaler.scale_set_name): the emulator's.
CLUSTER_ID = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/akscli-rg"
    "/providers/Microsoft.ContainerService/managedClusters/akscli-emulated"
)
TOLERATIONS = [
    {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "sku", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"},
]


# AzureGPUProvisioner.CollectNodeStatusInfo's conditions when enough nodes and NodeClaims are ready
# (kaito-project/kaito pkg/nodeprovision/gpu-provisioner/gpu_provisioner.go).
NODES_READY = ("NodesReady", "NodesReady", "Enough Nodes are ready")
NODECLAIMS_READY = ("NodeClaimReady", "NodeClaimsReady", "Enough NodeClaims are ready")
RESOURCE_READY = ("ResourceReady", "workspaceResourceStatusSuccess", "workspace resource is ready")
# kaito-project/kaito pkg/utils/nodeclaim.
# Its NodeClaimReady where too few NodeClaims are Ready and FirstNodeClaimProvisioningState finds none
# (no NodeClaim has a condition yet), which ResourceReady copies.
NOT_ENOUGH = ("NodeClaimNotReady", "Ready NodeClaims are not enough")
# Azure's answer to a PUT, as azcore prints a ResponseError (Azure/gpu-provisioner
# vendor/github.com/Azure/azure-sdk-for-go/sdk/azcore/internal/exported/response_error.go Error).
_SEPARATOR = "-" * 80
# Karpenter keeps 800 characters of a launch error (Azure/gpu-provisioner vendor/sigs.k8s.io/karpenter/
# pkg/controllers/nodeclaim/lifecycle/launch.go truncateMessage); KAITO shows 256 of those (kaito-project/
# kaito pkg/utils/nodeclaim/nodeclaim.go maxProvisioningErrorMessageLen, pkg/utils/common.go TruncateMessage).
KARPENTER_MESSAGE_LEN = 800
KAITO_MESSAGE_LEN = 256


def _truncate(message: str, limit: int, inclusive: bool) -> str:
    """Karpenter's truncateMessage keeps a message under 800 (``len < 800``); KAITO's TruncateMessage one
    of up to 256 (``len <= maxLen``); both cut the rest and add "..."."""
    fits = len(message) <= limit if inclusive else len(message) < limit
    return message if fits else message[:limit] + "..."


def launch_error(claim: str, code: str, message: str) -> str:
    """The Launched message of a NodeClaim gpu-provisioner could not launch: the agent pool PUT's
    error (Azure/gpu-provisioner pkg/providers/instance/armutils.go createAgentPool), wrapped by
    Azure/gpu-provisioner pkg/providers/instance/instance.go Create (``agentPool.BeginCreateOrUpdate
    for %q failed: %w``) and pkg/cloudprovider/cloudprovider.go Create (``creating instance, %w``);
    Karpenter sets it as Launched Unknown, reason LaunchFailed (Azure/gpu-provisioner
    vendor/sigs.k8s.io/karpenter/pkg/controllers/nodeclaim/lifecycle/launch.go launchNodeClaim, a
    plain error), cut to 800."""
    body = json.dumps({"error": {"code": code, "message": message}}, indent=2)
    azure = (
        f"PUT https://management.azure.com{CLUSTER_ID}/agentPools/{claim}\n{_SEPARATOR}\n"
        f"RESPONSE 400: 400 Bad Request\nERROR CODE: {code}\n{_SEPARATOR}\n{body}\n{_SEPARATOR}\n"
    )
    error = f'creating instance, agentPool.BeginCreateOrUpdate for "{claim}" failed: {azure}'
    return _truncate(error, KARPENTER_MESSAGE_LEN, inclusive=False)


def launch_failure(claim: str, code: str, message: str) -> str:
    """What KAITO's Workspace shows of that error: cut to 256. Azure's code and message come after the
    request URL, so the cut leaves them out: they are only on the NodeClaim."""
    return _truncate(launch_error(claim, code, message), KAITO_MESSAGE_LEN, inclusive=True)


def provisioning_state(cluster: Any, ws: dict[str, Any]) -> tuple[str, str] | None:
    """FirstNodeClaimProvisioningState (kaito-project/kaito pkg/utils/nodeclaim/nodeclaim.go): the
    reason and message (cut to 256) of the first condition of Launched, Registered, Initialized, in that
    order across the Workspace's NodeClaims not being deleted, that is not True and has a message; one
    whose reason is AwaitingReconciliation only where no other is found."""
    from tests.emulators.kube.controllers import kaito_gpu_provisioner

    claims = [c for c in kaito_gpu_provisioner.claims_of(cluster, ws) if not c["metadata"].get("deletionTimestamp")]
    pending: tuple[str, str] | None = None
    for stage in ("Launched", "Registered", "Initialized"):
        for claim in claims:
            for c in (claim.get("status") or {}).get("conditions") or []:
                if c.get("type") != stage or c.get("status") == "True" or not c.get("message"):
                    continue
                found = (str(c.get("reason") or ""), _truncate(str(c["message"]), KAITO_MESSAGE_LEN, inclusive=True))
                if c.get("reason") != "AwaitingReconciliation":
                    return found
                pending = pending or found
    return pending


# The kubelet's pressure conditions, in KAITO's order (upstream: kaito-project/kaito v0.12.0
# pkg/utils/nodes/nodes.go pressureNodeConditionTypes).
PRESSURES = ("DiskPressure", "MemoryPressure", "PIDPressure")


def pressure_warning(cluster: Any, ws: dict[str, Any]) -> str:
    """NodePressureWarning over ListWorkspaceNodes: the Workspace's nodes (its matchLabels and the
    kaito.sh/workspace and kaito.sh/workspacenamespace labels gpu-provisioner puts on them) with a
    pressure condition True, "" for none (upstream: kaito-project/kaito v0.12.0 pkg/utils/nodes/nodes.go
    NodePressureWarning, pkg/nodeprovision/nodes.go ListWorkspaceNodes, pkg/nodeprovision/gpu-provisioner/
    gpu_provisioner.go BuildNodeSelector). The emulator lists nodes by name; KAITO in its cache's order."""
    md = ws["metadata"]
    labels = {**_match_labels(ws), WORKSPACE_LABEL: str(md["name"]), NAMESPACE_LABEL: str(md["namespace"])}
    selector = ",".join(f"{k}={v}" for k, v in sorted(labels.items()))
    details = []
    for node in sorted(cluster.list("v1", "Node", label_selector=selector), key=lambda n: n["metadata"]["name"]):
        conds = (node.get("status") or {}).get("conditions") or []
        found = [p for p in PRESSURES if any(c.get("type") == p and c.get("status") == "True" for c in conds)]
        if found:
            details.append(f"{node['metadata']['name']} ({', '.join(found)})")
    return "worker node(s) under resource pressure: " + "; ".join(details) if details else ""


# CollectNodeStatusInfo's NodesReady, and ResourceReady after it, where enough nodes are Ready but
# CheckIfNodePluginsReady is not (kaito-project/kaito v0.12.0 pkg/nodeprovision/gpu-provisioner/
# gpu_provisioner.go).
PLUGINS_NOT_READY = ("NodePluginsNotReady", "waiting all node plugins to be ready")
# pkg/utils/nodes/nodes.go LabelKeyNvidia, LabelValueNvidia, CapacityNvidiaGPU.
ACCELERATOR = ("accelerator", "nvidia")
GPU = "nvidia.com/gpu"


def plugins_ready(cluster: Any, ws: dict[str, Any]) -> bool:
    """CheckIfNodePluginsReady (upstream: kaito-project/kaito v0.12.0 pkg/workspace/resource/node.go):
    for a size in KAITO's SKU table, every NodeClaim of the Workspace has its node Ready (not
    deleting), each such node carries ``accelerator: nvidia`` (KAITO adds the label where it lacks
    it, an Update of the node), a non-zero ``nvidia.com/gpu`` capacity (what the NVIDIA device plugin
    registers) and the Workspace's instance type. Nodes no NodeClaim made are not checked
    (getReadyNodesFromNodeClaims)."""
    from tests.emulators.kube import kaito_estimator
    from tests.emulators.kube.controllers import kaito_gpu_provisioner

    size = str((ws.get("resource") or {}).get("instanceType") or "")
    if not kaito_estimator.in_sku_table(size):
        return True  # GetGPUConfigBySKU finds no config: nothing to check
    for claim in kaito_gpu_provisioner.claims_of(cluster, ws):
        name = str((claim.get("status") or {}).get("nodeName") or "")
        node = cluster.get("v1", "Node", None, name) if name else None
        if node is None or node["metadata"].get("deletionTimestamp") or not _ready(node):
            return False
        labels = node["metadata"].get("labels") or {}
        if labels.get(ACCELERATOR[0]) != ACCELERATOR[1]:
            cluster.patch("v1", "Node", None, name, {"metadata": {"labels": {ACCELERATOR[0]: ACCELERATOR[1]}}})
        if str(((node.get("status") or {}).get("capacity") or {}).get(GPU) or "0") == "0":
            return False  # "node plugins not ready, %s does not have GPU capacity"
        if labels.get(INSTANCE_TYPE) != size:
            return False
    return True


def plugins_not_ready(
    cluster: Any, ws: dict[str, Any], short: bool = False
) -> tuple[tuple[dict[str, Any], ...], tuple[str, str]]:
    """The node conditions, and InferenceReady's reason and message, of a reconcile whose
    CheckIfNodePluginsReady is False (plugins_ready), or (``short``) that has fewer Ready nodes of the
    instance type than targetNodeCount (ready_nodes: EnsureNodesReady's step 2, checked before the
    plugins; NodesReady and ResourceReady False NodeNotReady). EnsureNodesReady returns (false, true), so
    reconcileNodes returns RequeueAfter 2 s before ensureService and applyInference: a new Workspace
    gets no Service and no StatefulSet; KAITO watches no Node, so the requeue is how it sees a plugin
    register (upstream: kaito-project/kaito v0.12.0 pkg/nodeprovision/gpu-provisioner/gpu_provisioner.go
    EnsureNodesReady, pkg/workspace/controllers/workspace_controller.go reconcileNodes,
    addOrUpdateWorkspace). The deferred syncWorkspaceStatus writes NodesReady and ResourceReady False
    NodePluginsNotReady (CollectNodeStatusInfo) and InferenceReady False, ResourceReady not being True
    whatever the StatefulSet: one not ready gives classifyInferencePodFailure's reason
    (applyInferenceWorkspaceStatus). Reconcile syncs the revision before addOrUpdateWorkspace."""
    from tests.emulators.kube.controllers import kaito_workload

    md = ws["metadata"]
    kaito_workload.sync_revision(cluster, ws)
    sts = cluster.get("apps/v1", "StatefulSet", md["namespace"], md["name"])
    failed = kaito_workload.pod_failure(cluster, ws) if sts is not None and not kaito_workload.ready(sts) else None
    conds = conditions(warning=pressure_warning(cluster, ws), plugins=False, short=short)
    return conds, failed or ("WorkspaceInferenceStatusPending", "Inference workload is not ready")


def conditions(
    state: tuple[str, str] | None = None, warning: str = "", plugins: bool = True, short: bool = False
) -> tuple[dict[str, Any], ...]:
    """NodesReady, NodeClaimReady, ResourceReady as CollectNodeStatusInfo derives them: all True; with
    ``plugins`` False (plugins_ready), NodesReady and ResourceReady False NodePluginsNotReady; or
    (``state``: provisioning_state's reason and message) NodesReady False NodeNotReady, and
    NodeClaimReady and ResourceReady False with that reason and message. A ``warning``
    (pressure_warning) ends NodesReady's message, its status unchanged ("Enrich NodesReady with a
    node-pressure warning", upstream: kaito-project/kaito v0.12.0 gpu_provisioner.go CollectNodeStatusInfo)."""
    from tests.emulators.kube.controllers.kaito_common import _cond

    suffix = f"; warning: {warning}" if warning else ""
    if state is None and not plugins:
        # Enough nodes and NodeClaims, a device plugin not ready: NodesReady False NodePluginsNotReady
        # (the pressure warning appended), and ResourceReady takes NodesReady's reason and message.
        # ``short``: too few Ready nodes of the instance type, NodeNotReady "Not enough Nodes are ready"
        # (CollectNodeStatusInfo's default nodeCond), the plugins not checked.
        reason, message = ("NodeNotReady", "Not enough Nodes are ready") if short else PLUGINS_NOT_READY
        return (
            _cond("NodesReady", False, reason, message + suffix),
            _cond(NODECLAIMS_READY[0], True, *NODECLAIMS_READY[1:]),
            _cond("ResourceReady", False, reason, message + suffix),
        )
    if state is None:
        kind, reason, message = NODES_READY
        return (
            _cond(kind, True, reason, message + suffix),
            *(_cond(t, True, why, text) for t, why, text in (NODECLAIMS_READY, RESOURCE_READY)),
        )
    reason, message = state
    return (
        _cond("NodesReady", False, "NodeNotReady", "Not enough Nodes are ready" + suffix),
        _cond("NodeClaimReady", False, reason, message),
        _cond("ResourceReady", False, reason, message),
    )


def _match_labels(ws: dict[str, Any]) -> dict[str, str]:
    selector = (ws.get("resource") or {}).get("labelSelector") or {}
    return {str(k): str(v) for k, v in (selector.get("matchLabels") or {}).items()}


def _ready(node: dict[str, Any]) -> bool:
    conditions = (node.get("status") or {}).get("conditions") or []
    ready = [c for c in conditions if c.get("type") == "Ready"]
    # A test's node without conditions counts as Ready, as the scheduler treats it.
    return not ready or ready[0].get("status") == "True"


def ready_nodes(cluster: Any, ws: dict[str, Any]) -> list[dict[str, Any]]:
    """The Workspace's Ready nodes (not deleting) of its instance type: EnsureNodesReady's and
    CollectNodeStatusInfo's ``readyWithInstanceType`` (upstream: kaito-project/kaito v0.12.0
    pkg/nodeprovision/gpu-provisioner/gpu_provisioner.go; ListWorkspaceNodes, pkg/nodeprovision/nodes.go,
    selects by the labelSelector and the Workspace's own labels; a node without ``kaito.sh/workspace``
    counts here, as the module docstring says)."""
    md = ws["metadata"]
    size = str((ws.get("resource") or {}).get("instanceType") or "")
    selector = ",".join(f"{k}={v}" for k, v in sorted(_match_labels(ws).items())) or None
    return [
        n
        for n in cluster.list("v1", "Node", label_selector=selector)
        if _ready(n)
        and not n["metadata"].get("deletionTimestamp")
        and (n["metadata"].get("labels") or {}).get(INSTANCE_TYPE) == size
        # Another Workspace's NodeClaim nodes are that Workspace's (ListNodeClaim selects by the
        # workspace labels): an InferenceSet's replicas do not share them.
        and (n["metadata"].get("labels") or {}).get(WORKSPACE_LABEL, md["name"]) == md["name"]
    ]


def nodeclaim_name(namespace: str, name: str) -> str:
    """GenerateNodeClaimName (pkg/utils/nodeclaim/nodeclaim.go): ``ws`` and the first 9 hex digits
    of sha256(namespace + name + time.Now() as "2006-01-02 15:04:05.000000000")."""
    now = time.time_ns()
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now // 10**9)) + f".{now % 10**9:09d}"
    return "ws" + hashlib.sha256((namespace + name + stamp).encode()).hexdigest()[:9]


def node_name(claim: str) -> str:
    """The node of gpu-provisioner's agent pool ``claim``: its scale set's first instance."""
    from tests.emulators.autoscaler import instance_suffix, scale_set_name

    return scale_set_name(CLUSTER_ID, claim) + instance_suffix(0)


def provision(
    cluster: Any,
    ws: dict[str, Any],
    count: int,
    refusal: tuple[str, str] | None = None,
    in_flight: bool = False,
    plugin: bool = True,
) -> list[str]:
    """Make the NodeClaims the Workspace lacks of ``count`` and launch them, and those made before that
    gpu-provisioner has not launched yet (kaito_gpu_provisioner; ``refusal``: Azure's error code and
    message for each agent pool PUT; ``in_flight``: the PUTs not answered yet, kaito_gpu_provisioner.begin;
    ``plugin=False``: no device plugin registers GPUs on the nodes launched, kaito_gpu_provisioner.launch);
    return the names of its nodes, sorted, as ``status.workerNodes`` reports them.

    kaito-project/kaito pkg/workspace/resource/node_claim.go CheckNodeClaims and GetNumNodeClaimsNeeded:
    the NodeClaims needed are ``count`` less the Ready nodes of the Workspace's labels and size that no
    NodeClaim made (no karpenter.sh/nodepool label), and those that exist already count."""
    from tests.emulators.kube.controllers import kaito_gpu_provisioner as provisioner

    provisioner.ensure_crd(cluster)
    md = ws["metadata"]
    match = _match_labels(ws)
    qualified = ready_nodes(cluster, ws)
    byo = [n for n in qualified if provisioner.NODEPOOL_LABEL not in (n["metadata"].get("labels") or {})]
    needed = max(0, count - len(byo))
    names = [n["metadata"]["name"] for n in qualified]
    # gpu-provisioner reconciles each NodeClaim on its own: one whose launch was in flight launches
    # once the PUT is answered.
    unlaunched = [c for c in provisioner.claims_of(cluster, ws) if provisioner.launching(c)]
    made = []
    for _ in range(max(0, needed - len(provisioner.claims_of(cluster, ws)))):
        name = nodeclaim_name(md["namespace"], md["name"])
        made.append(cluster.create(provisioner.manifest(ws, name, match)))
        claim_created(cluster, ws, name)
    for claim in [*unlaunched, *made]:
        name = claim["metadata"]["name"]
        if in_flight:
            provisioner.begin(cluster, claim)
        elif refusal is not None:
            provisioner.refuse(cluster, claim, launch_error(name, *refusal))
        else:
            names.append(provisioner.launch(cluster, claim, node_name(name), plugin)["metadata"]["name"])
    return sorted(names)


def claim_created(cluster: Any, ws: dict[str, Any], claim: str) -> None:
    """The Workspace's Normal event for each NodeClaim KAITO creates (kaito-project/kaito pkg/workspace/resource/
    node_claim.go CreateUpNodeClaims): the API server took it, whether or not it launches later."""
    md = ws["metadata"]
    key = f"{md['namespace']}/{md['name']}"
    cluster.add_event(ws, "NodeClaimCreated", f"Successfully created NodeClaim {claim} for workspace {key}")


def deprovision(cluster: Any, ws: dict[str, Any], termination: Any) -> None:
    """DeleteNodes (kaito-project/kaito pkg/nodeprovision/gpu-provisioner/gpu_provisioner.go): the
    Workspace's NodeClaims, whose nodes gpu-provisioner removes (kaito_gpu_provisioner.delete_claims;
    ``termination``: its Karpenter's, kaito_gpu_provisioner.Termination)."""
    from tests.emulators.kube.controllers import kaito_gpu_provisioner

    kaito_gpu_provisioner.ensure_crd(cluster)
    kaito_gpu_provisioner.delete_claims(cluster, ws, termination)


def pod_scheduling(ws: dict[str, Any]) -> dict[str, Any]:
    """The inference pod spec's scheduling fields: GPU request, tolerations, node affinity."""
    from akscli.model import skus  # data: Azure's SKU facts (tests/foundation/test_emulator_imports)

    sku = skus.get(str((ws.get("resource") or {}).get("instanceType") or ""))
    expressions = [{"key": k, "operator": "In", "values": [v]} for k, v in sorted(_match_labels(ws).items())]
    out: dict[str, Any] = {"tolerations": [dict(t) for t in TOLERATIONS]}
    if expressions:
        out["affinity"] = {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [{"matchExpressions": expressions}]
                }
            }
        }
    if sku is not None and sku.gpus:
        out["resources"] = {"limits": {"nvidia.com/gpu": str(sku.gpus)}, "requests": {"nvidia.com/gpu": str(sku.gpus)}}
    return out
