"""AKS node pools (agentPools) through ARM: GPU pools, MIG, autoscaler, spot, taints.

``--gpu a100 --gpus-per-node 1`` resolves to an Azure VM size through ``akscli.model.skus`` (the
project's dated GPU SKU data). GPU pools get the ``nvidia.com/gpu=present:NoSchedule`` taint
unless told otherwise, so that only pods asking for GPUs land on the expensive nodes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from akscli import validate
from akscli.azure import arm, armerrors, etags, names
from akscli.azure.clusters import as_dict, get, put_back, running_state
from akscli.azure.poolchecks import (
    MAX_COUNT,
    _check_spot,
    _count,
    _max,
    _mig_profile,
    _min,
    _node_counts,
    _taint,
    _vm_size,
    check_managed_gpu,
    check_scale_flags,
    vm_size_for,
)
from akscli.errors import ConflictError, NotFoundError, QuotaError, UsageError
from akscli.globals import typed

if TYPE_CHECKING:
    from azure.core.polling import LROPoller
    from azure.mgmt.containerservice import ContainerServiceClient


# The GPU pools' taint. Its key is the GPU's extended resource: AKS runs the ExtendedResourceToleration
# admission plugin (upstream: MicrosoftDocs/azure-aks-docs fb060abe articles/aks/faq.yml, "What Kubernetes
# admission controllers does AKS support?"), which gives every pod requesting nvidia.com/gpu an Exists
# NoSchedule toleration of that key (kubernetes/kubernetes plugin/pkg/admission/extendedresourcetoleration/
# admission.go), so GPU pods need none written and other pods stay off. The form is nodeTaints' own
# ("key=value:NoSchedule", Azure/azure-rest-api-specs aks/stable/2026-08-01 managedClusters.json).
GPU_TAINT = "nvidia.com/gpu=present:NoSchedule"
MODES = ("System", "User")
GPU_DRIVERS = ("install", "none")
OS_SKUS = ("AzureLinux", "AzureLinux3", "AzureContainerLinux", "Ubuntu", "Ubuntu2204", "Ubuntu2404")


@dataclass
class NodePoolSpec:
    name: str
    cluster: str
    resource_group: str
    vm_size: str
    count: int | None = 1
    min_count: int | None = None
    max_count: int | None = None
    mode: str = "User"
    taints: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    gpu: bool = False
    gpu_driver: str | None = None
    managed_gpu: bool = False  # gpuProfile.nvidia.managementMode Managed (check_managed_gpu)
    gpu_instance_profile: str | None = None
    os_sku: str | None = None
    spot: bool = False
    spot_max_price: float | None = None
    zones: list[str] = field(default_factory=list)
    kubernetes_version: str | None = None
    upgrade_settings: dict[str, Any] = field(default_factory=dict)  # poolsettings.settings

    @classmethod
    def from_flags(
        cls,
        *,
        name: str,
        cluster: str,
        resource_group: str,
        vm_size: str | None = None,
        gpu: str | None = None,
        gpus_per_node: int | None = None,
        count: int | None = None,
        min_count: int | None = None,
        max_count: int | None = None,
        mode: str = "User",
        taints: list[str] | None = None,
        no_gpu_taint: bool = False,
        labels: list[str] | None = None,
        gpu_driver: str | None = None,
        managed_gpu: bool = False,
        gpu_instance_profile: str | None = None,
        os_sku: str | None = None,
        spot: bool = False,
        spot_max_price: float | None = None,
        zones: list[str] | None = None,
        kubernetes_version: str | None = None,
        upgrade_settings: dict[str, Any] | None = None,
    ) -> NodePoolSpec:
        """Validate every flag (raises UsageError) and resolve the GPU shortcut."""
        mode_v = validate.choice(mode, MODES, "--mode")
        size, sku = vm_size_for(vm_size, gpu, gpus_per_node)
        if mode_v == "System":
            names.system_vm_size(size, _vm_size())
        is_gpu = sku is not None
        cnt, lo, hi = _node_counts(count, min_count, max_count, system=mode_v == "System")
        for t in taints or [] if mode_v == "User" else []:
            validate.user_pool_taint(t)
        taint_list = [_taint(t) for t in taints or []]
        if is_gpu and not no_gpu_taint and GPU_TAINT not in taint_list:
            taint_list.append(GPU_TAINT)
        _check_spot(spot, spot_max_price, system=mode_v == "System")
        driver = validate.choice(gpu_driver, GPU_DRIVERS, "--gpu-driver") if gpu_driver else None
        if driver and not is_gpu:
            raise UsageError(
                f"--gpu-driver applies to GPU VM sizes; {size} has no GPU", hint="drop --gpu-driver or pick a GPU size"
            )
        if managed_gpu:
            check_managed_gpu(sku, size, driver, autoscaled=lo is not None)
        mig = _mig_profile(gpu_instance_profile, sku, size) if gpu_instance_profile else None
        return cls(
            name=names.nodepool_name(name),
            cluster=names.cluster_name(cluster),
            resource_group=names.resource_group(resource_group),
            vm_size=size,
            count=cnt,
            min_count=lo,
            max_count=hi,
            mode=mode_v,
            taints=taint_list,
            labels=validate.labels(labels or [], "--labels", RESERVED_LABEL_PREFIXES, "AKS"),
            gpu=is_gpu,
            gpu_driver=driver,
            managed_gpu=managed_gpu,
            gpu_instance_profile=mig,
            os_sku=validate.choice(os_sku, OS_SKUS, "--os-sku") if os_sku else None,
            spot=spot,
            spot_max_price=spot_max_price,
            zones=names.zones(zones or []),
            kubernetes_version=names.kubernetes_version(kubernetes_version) if kubernetes_version else None,
            upgrade_settings=dict(upgrade_settings or {}),
        )


# upstream: MicrosoftDocs/azure-aks-docs fb060abe articles/aks/use-labels.md, Reserved prefixes: "The
# following prefixes are AKS reserved prefixes and can't be used for any node".
RESERVED_LABEL_PREFIXES = ("kubernetes.azure.com/", "kubernetes.io/")


def build_body(spec: NodePoolSpec) -> dict[str, Any]:
    """The ARM body of ``AgentPools_CreateOrUpdate``."""
    props: dict[str, Any] = {
        "vmSize": spec.vm_size,
        "count": spec.count,
        "mode": spec.mode,
        "osType": "Linux",
        "type": "VirtualMachineScaleSets",
    }
    if spec.min_count is not None:
        props.update(enableAutoScaling=True, minCount=spec.min_count, maxCount=spec.max_count)
    if spec.taints:
        props["nodeTaints"] = list(spec.taints)
    if spec.labels:
        props["nodeLabels"] = dict(spec.labels)
    if spec.gpu_driver:
        props["gpuProfile"] = {"driver": "Install" if spec.gpu_driver == "install" else "None"}
    if spec.managed_gpu:
        # As Microsoft's example sends it (Azure/azure-rest-api-specs 1001d5a2 specification/containerservice/
        # resource-manager/Microsoft.ContainerService/aks/stable/2026-08-01/examples/AgentPoolsCreate_ManagedGPU.json;
        # managedClusters.json NvidiaGPUProfile.managementMode, ManagementMode enum Unmanaged|Managed).
        props["gpuProfile"] = {"driver": "Install", "nvidia": {"managementMode": "Managed"}}
    if spec.gpu_instance_profile:
        props["gpuInstanceProfile"] = spec.gpu_instance_profile
    if spec.os_sku:
        props["osSKU"] = spec.os_sku
    if spec.spot:
        props.update(
            scaleSetPriority="Spot",
            scaleSetEvictionPolicy="Delete",
            spotMaxPrice=spec.spot_max_price if spec.spot_max_price is not None else -1,
        )
    if spec.zones:
        props["availabilityZones"] = list(spec.zones)
    if spec.kubernetes_version:
        props["orchestratorVersion"] = spec.kubernetes_version
    if spec.upgrade_settings:
        props["upgradeSettings"] = dict(spec.upgrade_settings)
    return {"properties": props}


def get_pool(c: ContainerServiceClient, rg: str, cluster: str, name: str) -> dict[str, Any]:
    return as_dict(arm.call(f"node pool {name}", lambda: c.agent_pools.get(rg, cluster, name)))


def get_pool_or_none(c: ContainerServiceClient, rg: str, cluster: str, name: str) -> dict[str, Any] | None:
    try:
        return get_pool(c, rg, cluster, name)
    except NotFoundError:
        return None


def check_fits_cluster(spec: NodePoolSpec, cluster: Mapping[str, Any]) -> None:
    """Refuse what AKS refuses for this cluster (see refuse_autoscaler_on_nap)."""
    if spec.min_count is not None:
        # The pool NAP would make instead: a Karpenter NodePool of the same name and size, which
        # `nodepool add --auto-provision` applies on the cluster's kube context (docs/azure.md).
        nap_pool = (
            f"akscli cluster credentials {spec.cluster} -g {spec.resource_group}, then "
            f"akscli nodepool add {spec.name} --auto-provision --vm-size {spec.vm_size}"
        )
        refuse_autoscaler_on_nap(spec.cluster, cluster, spec.min_count, nap_pool=nap_pool)


def refuse_autoscaler_on_nap(name: str, cluster: Mapping[str, Any], min_count: int, *, nap_pool: str = "") -> None:
    """A cluster with node auto-provisioning takes no autoscaled pool (upstream: Azure/azure-rest-api-specs
    aks/stable/2026-08-01 NodeProvisioningMode "Auto", as azure-mgmt-containerservice 41.8.0 ships it:
    "Fixed size Node Pools can still be created, but autoscaling Node Pools cannot be"). ``nap_pool``:
    the commands that make the same nodes on demand, for the hint of a new pool."""
    props = cluster.get("properties") or {}
    if str((props.get("nodeProvisioningProfile") or {}).get("mode") or "").lower() == "auto":
        instead = (
            f"let auto-provisioning make the nodes: {nap_pool}"
            if nap_pool
            else "leave node creation to auto-provisioning"
        )
        raise UsageError(
            f"cluster {name} uses node auto-provisioning, which AKS does not allow beside an autoscaled "
            f"node pool ({_min()}/{_max()})",
            hint=f"give a fixed size with {_count()} {min_count or 1}, or {instead}",
        )


def begin_add(
    c: ContainerServiceClient,
    spec: NodePoolSpec,
    body: dict[str, Any],
    target: arm.AzureTarget | None = None,
    *,
    no_wait: bool = False,
) -> LROPoller[Any]:
    """Start adding the pool. With ``target``, first check that the region and zones offer the size and
    that the quota holds it (``capacity.check``), and a SkuNotAvailable failure says where it is offered."""
    try:
        cluster = get(c, spec.resource_group, spec.cluster)  # NotFoundError names the cluster, not the pool
    except NotFoundError as exc:
        armerrors.create_cluster_first(exc, spec.cluster, spec.resource_group)
        raise
    check_fits_cluster(spec, cluster)
    pool = get_pool_or_none(c, spec.resource_group, spec.cluster, spec.name)
    running = running_state(pool)
    if running:
        # An earlier add still running (interrupted, or --no-wait): AKS refuses another write to the pool
        # until it ends ("Another agentpool operation (NAME - Creating) is in progress").
        show = f"akscli nodepool show {spec.name} --cluster {spec.cluster} -g {spec.resource_group}"
        raise ConflictError(
            f"node pool {spec.name} is still {running}: an operation is running on it",
            # A pool being deleted is never Succeeded again: it is gone once show finds it no more.
            hint=f"wait until '{show}' no longer finds it, then add it again"
            if running == "Deleting"
            else f"wait until '{show}' shows it Succeeded",
        )
    if pool is not None:
        raise ConflictError(  # exit 4, as the 412 of a pool added since this read (clusters.begin_create)
            f"node pool {spec.name} already exists in cluster {spec.cluster}",
            hint="change its size with 'akscli nodepool scale', or delete it first",
        )
    if target is not None:
        from akscli.azure import capacity

        nodes = spec.count if spec.count is not None else (spec.min_count or 0)
        location = str(cluster.get("location") or "")
        what = f"add node pool {spec.name}"
        capacity.check(target, what, location, spec.vm_size, nodes, zones=spec.zones, spot=spec.spot)
    try:
        return send_add(c, spec, body, no_wait=no_wait)
    except QuotaError as exc:
        if target is not None and "SkuNotAvailable" in exc.message:
            from akscli.azure import capacity

            exc.hint = capacity.elsewhere(target, spec.vm_size)
        raise


def send_add(
    c: ContainerServiceClient, spec: NodePoolSpec, body: dict[str, Any], *, no_wait: bool = False
) -> LROPoller[Any]:
    """The PUT alone, with no check before it: what ``--dry-run`` has the SDK build and prints. It
    carries If-None-Match: *, so that a pool of the same name added since the check is refused
    (412), never overwritten (azure/etags.py)."""
    rg, what, conditions = spec.resource_group, f"add node pool {spec.name}", etags.headers(if_none_match="*")
    return etags.guarded(
        what,
        lambda: c.agent_pools.begin_create_or_update(
            rg, spec.cluster, spec.name, cast(Any, body), headers=conditions, polling=not no_wait
        ),
        show=etags.pool_show(rg, spec.cluster, spec.name),
        path=etags.POOL_ETAG,
        given=False,
        created=True,
    )


def list_pools(c: ContainerServiceClient, rg: str, cluster: str) -> Iterator[dict[str, Any]]:
    try:
        for p in c.agent_pools.list(rg, cluster):
            yield as_dict(p)
    except Exception as exc:
        raise arm.translate_arm_error(exc, what=f"node pools of {cluster}") from exc


# A pool KAITO's gpu-provisioner made for a NodeClaim. It writes no ARM tags, only node labels
# (Azure/gpu-provisioner c09a56c0 pkg/providers/instance/instance.go newAgentPoolObject: nodeLabels
# karpenter.sh/nodepool=kaito, every label of the NodeClaim, kaito.sh/machine-type, kaito.sh/creation-timestamp),
# and knows its own pools by two of them: agentPoolIsOwnedByKaito (kaito.sh/workspace or kaito.sh/ragengine,
# instance.go KaitoNodeLabels) and agentPoolIsCreatedFromNodeClaim (karpenter.sh/nodepool). The NodeClaim,
# and so the pool, carries the owner's namespace too (kaito-project/kaito pkg/utils/nodeclaim/nodeclaim.go
# GenerateNodeClaimManifestWithOptions; labels LabelWorkspaceNamespace, LabelRAGEngineNamespace).
KAITO_OWNERS = (("kaito.sh/workspace", "kaito.sh/workspacenamespace", "Workspace"),
                ("kaito.sh/ragengine", "kaito.sh/ragenginenamespace", "RAGEngine"))  # fmt: skip
KAITO_NODEPOOL_LABEL = "karpenter.sh/nodepool"


def kaito_owner(pool: Mapping[str, Any]) -> tuple[str, str, str] | None:
    """(kind, namespace, name) of the KAITO object whose NodeClaim gpu-provisioner made ``pool`` for,
    or None for a pool gpu-provisioner does not count as its own (the two tests above)."""
    labels = (pool.get("properties") or {}).get("nodeLabels") or {}
    if KAITO_NODEPOOL_LABEL not in labels:
        return None
    for name_key, namespace_key, kind in KAITO_OWNERS:
        if name_key in labels:
            return kind, str(labels.get(namespace_key) or ""), str(labels[name_key])
    return None


def refuse_kaito_pool(pool: Mapping[str, Any], verb: str) -> None:
    """A ConflictError for ``nodepool delete`` or ``scale`` of a pool gpu-provisioner made: KAITO undoes
    either. Its pool is one node for one NodeClaim (newAgentPoolObject: count 1), never resized (the
    provider has no update, and its IsDrifted is always empty: pkg/cloudprovider/cloudprovider.go). Once the
    node goes (the pool deleted, or scaled to 0), Karpenter's node termination deletes its NodeClaim
    (gpu-provisioner's vendor/sigs.k8s.io/karpenter/pkg/controllers/node/termination/controller.go finalize;
    pkg/controllers/instance/garbagecollection/readme.md) and KAITO creates a new one, and so a new pool,
    until the Workspace has its node count (kaito-project/kaito pkg/workspace/resource/node_claim.go
    CheckNodeClaims, CreateUpNodeClaims); a pool left without its NodeClaim is deleted by gpu-provisioner
    (garbagecollection/controller.go). Nodes a larger count adds carry the pool's karpenter.sh/nodepool
    label, which KAITO does not count as its Workspace's nodes (node_claim.go GetNumNodeClaimsNeeded): they
    idle at GPU prices."""
    owner = kaito_owner(pool)
    if owner is None:
        return
    kind, namespace, name = owner
    pool_name = pool.get("name") or ""
    what = f"node pool {pool_name} was made by KAITO's gpu-provisioner for {kind} {namespace}/{name}"
    resource = f"{kind.lower()}.kaito.sh {name} -n {namespace}"
    if verb == "delete":
        instead = f"kubectl delete {resource}"
        if kind == "Workspace":
            instead += f" (akscli model delete {name} -n {namespace} where akscli deployed it)"
        raise ConflictError(
            f"{what}: deleting it makes KAITO create a new NodeClaim and pool in its place",
            hint=f"delete the {kind} instead and gpu-provisioner deletes its pools: {instead}",
        )
    raise ConflictError(
        f"{what}: gpu-provisioner keeps one node per NodeClaim, so KAITO would not use a new count",
        hint=f"change the {kind}'s node count instead: kubectl edit {resource}",
    )


def summary(pool: Mapping[str, Any]) -> dict[str, Any]:
    from akscli.model import skus

    props = pool.get("properties") or {}
    sku = skus.get(str(props.get("vmSize", "")))
    count = int(props.get("count") or 0)
    owner = kaito_owner(pool)
    return {
        "name": pool.get("name"),
        "mode": props.get("mode"),
        "vmSize": props.get("vmSize"),
        "count": count,
        "autoscale": f"{props['minCount']}-{props['maxCount']}" if props.get("enableAutoScaling") else "off",
        "gpus": (sku.gpus if sku else 0) * count,
        "gpuModel": sku.gpu_model if sku else None,
        "version": props.get("currentOrchestratorVersion") or props.get("orchestratorVersion"),
        "osSku": props.get("osSKU"),
        "spot": props.get("scaleSetPriority") == "Spot",
        "mig": props.get("gpuInstanceProfile"),
        # Unmanaged where AKS installs the driver only; None where the pool has no NVIDIA profile.
        "gpuManagement": ((props.get("gpuProfile") or {}).get("nvidia") or {}).get("managementMode"),
        "provisioningState": props.get("provisioningState"),
        "powerState": (props.get("powerState") or {}).get("code"),
        "taints": list(props.get("nodeTaints") or []),
        "zones": list(props.get("availabilityZones") or []),
        "nodeImageVersion": props.get("nodeImageVersion"),
        # KAITO's gpu-provisioner's pool (kaito_owner): who made it, and for which Workspace or RAGEngine.
        "managedBy": "kaito" if owner else None,
        "kaitoOwner": f"{owner[0]}/{owner[1]}/{owner[2]}" if owner else None,
    }


def begin_scale(
    c: ContainerServiceClient,
    rg: str,
    cluster: str,
    name: str,
    *,
    count: int | None = None,
    min_count: int | None = None,
    max_count: int | None = None,
    disable_autoscaler: bool = False,
    if_match: str | None = None,
    no_wait: bool = False,
) -> LROPoller[Any]:
    check_scale_flags(count=count, min_count=min_count, max_count=max_count, disable_autoscaler=disable_autoscaler)
    pool = get_pool(c, rg, cluster, name)
    refuse_kaito_pool(pool, "scale")
    props = pool["properties"]
    mode = props.get("mode", "User")
    floor = 1 if mode == "System" else 0
    if min_count is not None and max_count is not None:
        lo = validate.integer(min_count, _min(), floor, MAX_COUNT)
        hi = validate.integer(max_count, _max(), max(lo, 1), MAX_COUNT)
        if not props.get("enableAutoScaling"):
            refuse_autoscaler_on_nap(cluster, get(c, rg, cluster), lo)
        props.update(enableAutoScaling=True, minCount=lo, maxCount=hi)
        props["count"] = min(max(int(props.get("count") or lo), lo), hi)
    elif count is not None:
        n = validate.integer(count, _count(), floor, MAX_COUNT)
        if props.get("enableAutoScaling") and not disable_autoscaler:
            off = typed("--disable-autoscaler", "--disable-cluster-autoscaler")
            raise UsageError(
                f"node pool {name} is autoscaled ({props.get('minCount')}-{props.get('maxCount')})",
                hint=f"change {_min()}/{_max()}, or pass {off} with {_count()}",
            )
        props["count"] = n
        if disable_autoscaler:
            # Left out, never null: minCount/maxCount are int32, not x-nullable (azure-rest-api-specs
            # aks/stable/2026-08-01); az's None on the SDK model drops the keys (Azure/azure-cli acs
            # agentpool_decorator.py update_auto_scaler_properties; model_base.py _RestField.__set__).
            props["enableAutoScaling"] = False
            props.pop("minCount", None)
            props.pop("maxCount", None)
    return put_pool(c, rg, cluster, name, pool, f"scale node pool {name}", if_match, no_wait=no_wait)


def put_pool(
    c: ContainerServiceClient,
    rg: str,
    cluster: str,
    name: str,
    pool: dict[str, Any],
    what: str,
    if_match: str | None,
    *,
    no_wait: bool = False,
) -> LROPoller[Any]:
    """PUT back a pool read and changed, under If-Match: the eTag read with it (or --if-match), so a
    change made in between is refused (412) rather than overwritten (azure/etags.py)."""
    body = put_back("AgentPool", pool)
    conditions = etags.headers(if_match or etags.of_pool(pool))
    return etags.guarded(
        what,
        lambda: c.agent_pools.begin_create_or_update(rg, cluster, name, body, headers=conditions, polling=not no_wait),
        show=etags.pool_show(rg, cluster, name),
        path=etags.POOL_ETAG,
        given=if_match is not None,
    )


def begin_delete(
    c: ContainerServiceClient, rg: str, cluster: str, name: str, *, if_match: str | None = None, no_wait: bool = False
) -> LROPoller[Any]:
    refuse_kaito_pool(get_pool(c, rg, cluster, name), "delete")
    what, conditions = f"delete node pool {name}", etags.headers(if_match)
    return etags.guarded(
        what,
        lambda: c.agent_pools.begin_delete(rg, cluster, name, headers=conditions, polling=not no_wait),
        show=etags.pool_show(rg, cluster, name),
        path=etags.POOL_ETAG,
        given=True,
    )
