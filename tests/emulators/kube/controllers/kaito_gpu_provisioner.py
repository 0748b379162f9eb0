"""The NodeClaims KAITO makes for a Workspace, and gpu-provisioner's launch and termination of them,
for the KAITO simulator (kaito.py, kaito_nodes.py), at test speed: a NodeClaim is launched in the
reconcile that creates it (or left in flight, ``begin``), and terminated in the one that deletes it.

Upstream: kaito-project/kaito 056b8280 (the simulator's pin), Azure/gpu-provisioner c09a56c0 (it
vendors sigs.k8s.io/karpenter v1.7.0, cited as ``vendor/sigs.k8s.io/karpenter/...``).

- The object (kaito-project/kaito pkg/utils/nodeclaim/nodeclaim.go GenerateNodeClaimManifestWithOptions,
  CLOUD_PROVIDER=azure as on AKS): named by GenerateNodeClaimName (kaito_nodes.nodeclaim_name);
  cluster-scoped (the namespace it sets is dropped: karpenter.sh_nodeclaims.yaml is Cluster); labels
  ``karpenter.sh/nodepool: kaito``, ``kaito.sh/workspace``, ``kaito.sh/workspacenamespace`` and the
  Workspace's matchLabels (api/v1beta1 SanitizedMatchLabels); annotations
  ``karpenter.sh/do-not-disrupt: "true"`` and ``kaito.sh/node-image-family: ubuntu`` (the default,
  pkg/utils/consts/consts.go NodeImageFamilyUbuntu); no owner reference; spec.nodeClassRef
  ``kaito.sh/KaitoNodeClass default`` (consts.NodeClassName), the taint ``sku=gpu:NoSchedule``,
  requirements karpenter.sh/nodepool In [kaito], node.kubernetes.io/instance-type In [size],
  kubernetes.io/os In [linux], karpenter.azure.com/sku-name In [size], and
  resources.requests.storage the preset's DiskStorageRequirement (pkg/workspace/resource/node_claim.go
  determineNodeOSDiskSize; "1024Gi" where the model is unknown), which KAITO's catalog generator
  computes as int(modelFileSize + 80) Gi (presets/workspace/generator/generator.go
  calculateStorageSize, SystemFileDiskSizeGiB). akscli's models.yaml weights_gib is the catalog's
  modelFileSize (e.g. microsoft/phi-4 27.31, presets/workspace/models/model_catalog.yaml).
- The CRD: gpu-provisioner's chart installs it (Azure/gpu-provisioner
  charts/gpu-provisioner/crds/karpenter.sh_nodeclaims.yaml); the simulator stands for KAITO with
  gpu-provisioner, so it installs ../shared/crds/karpenter/karpenter.sh_nodeclaims.yaml (the same
  kind, from Azure/karpenter-provider-azure) on a cluster that lacks it (``ensure_crd``).
- The launch (vendor/sigs.k8s.io/karpenter/pkg/controllers/nodeclaim/lifecycle/controller.go adds the
  finalizer ``karpenter.sh/termination`` first; launch.go, registration.go, initialization.go):
  gpu-provisioner PUTs an agent pool named after the NodeClaim (Azure/gpu-provisioner
  pkg/providers/instance/instance.go Create, newAgentPoolObject: VMSS, the first instance type,
  count 1, Linux, OS disk the storage request, node labels ``karpenter.sh/nodepool: kaito``, the
  NodeClaim's labels, ``kaito.sh/machine-type`` gpu for a Standard_N size and
  ``kaito.sh/creation-timestamp``, taints the NodeClaim's as KEY=VALUE:EFFECT); AKS makes its node
  (tests/emulators/autoscaler.py template_node: ``aks-<pool>-<8 digits>-vmss000000``, agentpool
  labels). Launched True with the instance's labels (cloudprovider.go instanceToNodeClaim: the agent
  pool's node labels and node.kubernetes.io/instance-type; no capacity-type, capacity or
  allocatable) and the single-valued requirements' (launch.go PopulateNodeClaimDetails) and
  status.providerID the node's; registration.go syncNode gives the node the NodeClaim's labels,
  annotations and taints, ``karpenter.sh/registered: "true"`` and an owner reference to it, and sets
  Registered True and status.nodeName; Initialized True once the node is Ready; the root Ready True
  (awslabs/operatorpkg status/condition_set.go; karpenter_status.with_root).
- A refused PUT (``refusal``): launch.go launchNodeClaim sets Launched Unknown, reason
  ``LaunchFailed``, the error cut to 800 (kaito_nodes.launch_error); Registered and Initialized stay
  Unknown ``AwaitingReconciliation``; the root Ready Unknown ``ReconcilingDependents``. No node.
- Deletion (kaito-project/kaito pkg/nodeprovision/gpu-provisioner/gpu_provisioner.go DeleteNodes
  deletes each NodeClaim of the Workspace's labels not already deleting; the finalizer holds it while
  gpu-provisioner deletes the agent pool (instance.go Delete) and with it the node; then the finalizer
  goes (vendor/sigs.k8s.io/karpenter/pkg/controllers/nodeclaim/lifecycle/controller.go finalize).

- Who writes (the managedFields): KAITO creates and deletes the NodeClaim (its manager); what
  gpu-provisioner does, the NodeClaim's finalizer, labels and status and the node's adoption, is
  "karpenter"'s: its main builds Karpenter's operator (Azure/gpu-provisioner c09a56c0
  cmd/controller/main.go karpenteroperator.NewOperator), whose client's user agent is
  "karpenter/<version>" (vendor/sigs.k8s.io/karpenter/pkg/operator/operator.go AppName, UserAgent;
  its own Dockerfile's binary is /manager, which the user agent overrides). The Node's create is its
  kubelet's (karpenter_registration.py).

- A launch in flight (``begin``, the simulator's failure="launching"): Azure/gpu-provisioner
  pkg/providers/instance/instance.go Create blocks on the agent pool PUT (createAgentPool polls the
  long-running operation to its end) and then waits up to 30 s for the pool's node
  (fromRegisteredAgentPoolToInstance in a wait.Backoff of 30 steps of 1 s); Karpenter's
  lifecycle/controller.go Reconcile writes the status only after launch, registration and
  initialization return, so meanwhile the NodeClaim has its finalizer and no conditions at all (the
  Unknown AwaitingReconciliation ones awslabs/operatorpkg status/condition_set.go For fills in are in
  memory only). A later reconcile with no fault launches it (``provision`` launches the NodeClaims
  that have no node yet).
- The node's termination (vendor/sigs.k8s.io/karpenter/pkg/controllers/nodeclaim/lifecycle/
  controller.go finalize deletes the NodeClaim's nodes and waits for them; pkg/controllers/node/
  termination/controller.go finalize): registration.go syncNode gives the node the finalizer
  karpenter.sh/termination, so its delete leaves it Terminating while it is tainted
  karpenter.sh/disrupted:NoSchedule (terminator/terminator.go Taint, with the label
  node.kubernetes.io/exclude-from-external-load-balancers=karpenter) and drained: each pod waiting
  for eviction (pkg/utils/pod/scheduling.go IsWaitingEviction, IsEvictable) evicted through the
  eviction API (terminator/eviction.go; tests/emulators/kube/eviction.py evict); then the instance,
  the agent pool, deleted (cloudprovider.go Delete -> instance.go Delete), the node's finalizer
  removed, then the NodeClaim's.

- The drain's waits (``Termination``): a pass that leaves pods waiting (a budget's 429, a pod still
  terminating) is looked at again after ``requeue`` s (awaitDrain's RequeueAfter 1 s), the refused
  eviction retried by the eviction queue's backoff, until the node is drained.

Not modelled: MinDrainTime and terminationGracePeriod (KAITO's NodeClaim sets none), VolumeAttachments;
gpu-provisioner's garbage collection of agent pools (pkg/controllers/instance/garbagecollection);
the agent pool in the ARM emulator: the two emulators share no state (KAITO's pool URLs name
kaito_nodes.CLUSTER_ID whatever an ARM emulator holds), so the ARM tests store the pool ``agent_pool``
makes in a seeded cluster (tests/azure/helpers.kaito_pool): one body for both.
"""

from __future__ import annotations

from typing import Any

from tests.emulators.kube.apiserver import now_iso
from tests.emulators.kube.controllers.finalizers import add_finalizer, remove_finalizer
from tests.emulators.kube.controllers.karpenter_drain import Drain
from tests.emulators.kube.controllers.karpenter_registration import KARPENTER, register
from tests.emulators.kube.status import ApiError

NODECLAIM = ("karpenter.sh/v1", "NodeClaim")
CRD = ("apiextensions.k8s.io/v1", "CustomResourceDefinition", "nodeclaims.karpenter.sh")
# Azure/gpu-provisioner vendors kubernetes-sigs/karpenter (vendor/sigs.k8s.io/karpenter):
FINALIZER = "karpenter.sh/termination"  # vendor/sigs.k8s.io/karpenter/pkg/apis/v1/labels.go TerminationFinalizer
NODEPOOL_LABEL = "karpenter.sh/nodepool"
WORKSPACE_LABEL = "kaito.sh/workspace"
NAMESPACE_LABEL = "kaito.sh/workspacenamespace"
INSTANCE_TYPE = "node.kubernetes.io/instance-type"
SKU_NAME = "karpenter.azure.com/sku-name"
# awslabs/operatorpkg status/condition_set.go SetUnknown: a dependent not reconciled yet.
AWAITING = ("AwaitingReconciliation", "object is awaiting reconciliation")
# The emulated cluster's region (kaito_nodes.CLUSTER_ID's node resource group is ..._eastus).
LOCATION = "eastus"
NODE_RG = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/mc_akscli-rg_akscli-emulated_eastus"


def ensure_crd(cluster: Any) -> None:
    """gpu-provisioner's chart's NodeClaim CRD, where the cluster has none."""
    from tests.emulators.kube.crds import default_crd_dir, load_crd_dir

    if cluster.get(CRD[0], CRD[1], None, CRD[2]) is not None:
        return
    for crd in load_crd_dir(default_crd_dir() / "karpenter"):
        if crd["metadata"]["name"] == CRD[2]:
            try:
                cluster.create(crd)
            except ApiError as err:
                if err.code != 409:
                    raise


def storage(ws: dict[str, Any]) -> str:
    """determineNodeOSDiskSize: the preset's DiskStorageRequirement, else 1024Gi."""
    from akscli.model import catalog

    preset = (((ws.get("inference") or {}).get("preset")) or {}).get("name") or ""
    model = catalog.find(preset) if preset else None
    return f"{int(model.weights_gib + 80)}Gi" if model is not None else "1024Gi"


def manifest(ws: dict[str, Any], name: str, match_labels: dict[str, str]) -> dict[str, Any]:
    """GenerateNodeClaimManifestWithOptions for a Workspace (see the module docstring)."""
    md = ws["metadata"]
    size = str((ws.get("resource") or {}).get("instanceType") or "")
    labels = {NODEPOOL_LABEL: "kaito", WORKSPACE_LABEL: md["name"], NAMESPACE_LABEL: md["namespace"], **match_labels}
    return {
        "apiVersion": NODECLAIM[0],
        "kind": NODECLAIM[1],
        "metadata": {
            "name": name,
            "labels": labels,
            "annotations": {"karpenter.sh/do-not-disrupt": "true", "kaito.sh/node-image-family": "ubuntu"},
        },
        "spec": {
            "nodeClassRef": {"name": "default", "kind": "KaitoNodeClass", "group": "kaito.sh"},
            "taints": [{"key": "sku", "value": "gpu", "effect": "NoSchedule"}],
            "requirements": [
                {"key": NODEPOOL_LABEL, "operator": "In", "values": ["kaito"]},
                {"key": INSTANCE_TYPE, "operator": "In", "values": [size]},
                {"key": "kubernetes.io/os", "operator": "In", "values": ["linux"]},
                {"key": SKU_NAME, "operator": "In", "values": [size]},
            ],
            "resources": {"requests": {"storage": storage(ws)}},
        },
    }


def claims_of(cluster: Any, ws: dict[str, Any]) -> list[dict[str, Any]]:
    """ListNodeClaim: the NodeClaims labelled with the Workspace's name and namespace."""
    md = ws["metadata"]
    selector = f"{WORKSPACE_LABEL}={md['name']},{NAMESPACE_LABEL}={md['namespace']}"
    return list(cluster.list(*NODECLAIM, label_selector=selector))


def _conditions(claim: dict[str, Any], dependents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from tests.emulators.kube.controllers.karpenter_status import with_root

    return with_root(claim, dependents, now_iso())


def _unknown(kind: str) -> dict[str, Any]:
    return {"type": kind, "status": "Unknown", "reason": AWAITING[0], "message": AWAITING[1]}


def _finalizer_first(cluster: Any, claim: dict[str, Any]) -> None:
    """kubernetes-sigs/karpenter pkg/controllers/nodeclaim/lifecycle/controller.go Reconcile adds
    karpenter.sh/termination before the launch."""
    add_finalizer(cluster, claim, FINALIZER, manager=KARPENTER)


def refuse(cluster: Any, claim: dict[str, Any], error: str) -> None:
    """The agent pool PUT failed: Launched Unknown LaunchFailed with ``error`` (cut to 800 already)."""
    _finalizer_first(cluster, claim)
    launched = {"type": "Launched", "status": "Unknown", "reason": "LaunchFailed", "message": error}
    dependents = [launched, _unknown("Registered"), _unknown("Initialized")]
    conditions = _conditions(claim, dependents)
    cluster.patch_status(*NODECLAIM, None, claim["metadata"]["name"], {"conditions": conditions}, manager=KARPENTER)


def agent_pool(claim: dict[str, Any]) -> dict[str, Any]:
    """newAgentPoolObject (Azure/gpu-provisioner pkg/providers/instance/instance.go): the ARM agent pool
    gpu-provisioner PUTs for ``claim``, which the ARM tests also seed (tests/azure/helpers.kaito_pool)."""
    spec = claim.get("spec") or {}
    size = next(r["values"][0] for r in spec.get("requirements") or [] if r.get("key") == INSTANCE_TYPE)
    created = str(claim["metadata"].get("creationTimestamp") or now_iso())
    labels = {
        NODEPOOL_LABEL: "kaito",
        **{str(k): str(v) for k, v in (claim["metadata"].get("labels") or {}).items()},
        "kaito.sh/machine-type": "gpu" if "Standard_N" in size else "cpu",
        # CreationTimestampLayout "2006-01-02T15-04-05Z"
        "kaito.sh/creation-timestamp": created.replace(":", "-"),
    }
    storage_gi = str((spec.get("resources") or {}).get("requests", {}).get("storage") or "0Gi")
    return {
        "name": claim["metadata"]["name"],
        "properties": {
            "type": "VirtualMachineScaleSets",
            "vmSize": size,
            "osType": "Linux",
            "osSKU": "Ubuntu",
            "count": 1,
            "osDiskSizeGB": int(storage_gi.removesuffix("Gi") or 0),
            "nodeLabels": labels,
            "nodeTaints": [f"{t['key']}={t.get('value', '')}:{t['effect']}" for t in spec.get("taints") or []],
        },
    }


def launch(cluster: Any, claim: dict[str, Any], node_name: str, plugin: bool = True) -> dict[str, Any]:
    """The agent pool made and its node registered and initialized (see the module docstring).
    ``plugin=False``: no NVIDIA device plugin has registered with the node's kubelet, so it advertises
    no ``nvidia.com/gpu`` (an extended resource the kubelet reports only once a plugin registers it:
    kubernetes/kubernetes pkg/kubelet/cm/devicemanager/manager.go GetCapacity). Karpenter still calls
    it Initialized: gpu-provisioner's NodeClaim has no capacity or allocatable to wait for (above)."""
    from tests.emulators.autoscaler import template_node

    name = claim["metadata"]["name"]
    _finalizer_first(cluster, claim)
    pool = agent_pool(claim)
    node = template_node({"location": LOCATION}, pool, node_name)
    if not plugin:
        for field in ("capacity", "allocatable"):
            node["status"][field].pop("nvidia.com/gpu", None)
    subscription_rg = (
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/mc_akscli-rg_akscli-emulated_eastus"
    )
    scale_set, index = node_name[:-6], int(node_name[-6:], 36)
    provider_id = f"azure://{subscription_rg}/providers/Microsoft.Compute/virtualMachineScaleSets/{scale_set}/virtualMachines/{index}"
    # instanceToNodeClaim and PopulateNodeClaimDetails: the agent pool's node labels, the instance type,
    # the single-valued requirements, the NodeClaim's own labels last.
    singles = {
        r["key"]: r["values"][0]
        for r in (claim.get("spec") or {}).get("requirements") or []
        if r.get("operator") == "In" and len(r.get("values") or []) == 1
    }
    labels = {**pool["properties"]["nodeLabels"], INSTANCE_TYPE: pool["properties"]["vmSize"], **singles}
    labels.update(claim["metadata"].get("labels") or {})
    launched = cluster.patch(*NODECLAIM, None, name, {"metadata": {"labels": labels}}, manager=KARPENTER)
    # AKS's kubelet registers the node, then kubernetes-sigs/karpenter registration.go syncNode adopts
    # it, with the finalizer karpenter.sh/termination (karpenter_registration)
    node["spec"]["providerID"] = provider_id
    node = register(cluster, launched, node)
    dependents = [
        {"type": c, "status": "True", "reason": c, "message": ""} for c in ("Launched", "Registered", "Initialized")
    ]
    status = {"providerID": provider_id, "nodeName": node_name, "conditions": _conditions(claim, dependents)}
    cluster.patch_status(*NODECLAIM, None, name, status, manager=KARPENTER)
    return node


def begin(cluster: Any, claim: dict[str, Any]) -> None:
    """The launch in flight: the finalizer, and no status until Create returns (module docstring)."""
    _finalizer_first(cluster, claim)


def launching(claim: dict[str, Any]) -> bool:
    """Whether gpu-provisioner has not launched ``claim`` yet: no condition written, no node."""
    status = claim.get("status") or {}
    return not status.get("conditions") and not status.get("nodeName")


class Termination(Drain):
    """gpu-provisioner's own Karpenter's finalize of a deleted NodeClaim and its node (the module docstring):
    one terminator and eviction queue (karpenter_drain.Drain, karpenter_eviction.EvictionQueue: Azure/
    gpu-provisioner vendors kubernetes-sigs/karpenter v1.7.0, whose vendor/sigs.k8s.io/karpenter/pkg/
    controllers/node/termination/terminator/terminator.go Drain and eviction.go Queue are the ones the NAP
    simulator models), and a workqueue (karpenter_common.DueQueue) that looks at the NodeClaim again
    ``requeue`` s after a pass that left pods waiting: node/termination/controller.go awaitDrain returns
    RequeueAfter 1 s on a NodeDrainError, so an eviction a budget refused is tried again (the eviction
    queue's own backoff, 100 ms to 10 s) and a pod still terminating is waited for (terminator.go Drain
    counts every pod IsWaitingEviction, terminating ones too, and evicts only the IsEvictable)."""

    def __init__(self, controller: Any) -> None:
        from tests.emulators.kube.controllers.karpenter_common import DueQueue

        super().__init__(controller)
        self._queue = DueQueue(controller, self._run)

    def finalize(self, cluster: Any, claim: dict[str, Any]) -> None:
        """One pass over a deleted NodeClaim: the node drained and gone with its agent pool, then the
        NodeClaim's finalizer; else the next pass queued."""
        name = claim["metadata"]["name"]
        if _terminate(cluster, claim, self):
            remove_finalizer(cluster, claim, FINALIZER, manager=KARPENTER)
        else:
            self._queue.add(("NodeClaim", name), self.requeue)

    def _run(self, cluster: Any, key: tuple[str, str]) -> None:
        claim = cluster.get(*NODECLAIM, None, key[1])
        if claim is not None and claim["metadata"].get("deletionTimestamp"):
            self.finalize(cluster, claim)


def _terminate(cluster: Any, claim: dict[str, Any], drain: Drain) -> bool:
    """lifecycle finalize and the node's termination: whether the node (if any) is gone."""
    name = (claim.get("status") or {}).get("nodeName")
    node = cluster.get("v1", "Node", None, name) if name else None
    if node is None:
        return True
    if not node["metadata"].get("deletionTimestamp"):
        cluster.delete("v1", "Node", None, name)
    drain.taint(cluster, node)
    if not drain.drain(cluster, node):
        return False
    # instance.go Delete: the agent pool, and with it the VM, goes; then the node's finalizer
    current = cluster.get("v1", "Node", None, name)
    if current is not None:
        remove_finalizer(cluster, current, FINALIZER, manager=KARPENTER)
    return True


def delete_claims(cluster: Any, ws: dict[str, Any], termination: Termination) -> None:
    """DeleteNodes, then gpu-provisioner's termination of each (``termination``: its Karpenter's)."""
    for claim in claims_of(cluster, ws):
        name = claim["metadata"]["name"]
        if not claim["metadata"].get("deletionTimestamp"):
            cluster.delete(*NODECLAIM, None, name)
        termination.finalize(cluster, claim)
