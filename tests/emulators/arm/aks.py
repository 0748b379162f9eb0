"""Microsoft.ContainerService managedClusters and agentPools behaviour (API 2026-08-01).

Response shapes follow ../shared/data/arm-examples/containerservice-2026-08-01.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from tests.emulators.arm import akscreds, etags, schema
from tests.emulators.arm.aks_versions import (
    DEFAULT_MINOR,
    NODE_IMAGE,
    _kubernetes_versions,
    _pool_upgrade_profile,
    _upgrade_profile,
    _vkey,
    resolve_version,
)
from tests.emulators.arm.server import ArmError, Operation

if TYPE_CHECKING:
    from tests.emulators.arm.server import ArmEmulator

MC = r"Microsoft\.ContainerService/managedClusters"
AP = r"Microsoft\.ContainerService/managedClusters/agentPools"


def vm_size_not_allowed(vm_size: str, location: str, allowed: list[str]) -> str:
    """AKS's message for a VM size the subscription may not use in the region.

    upstream: what users report AKS answered to a create whose agent pool had such a size, a
    synchronous 400 with code BadRequest (hashicorp/terraform-provider-azurerm issue 13781, 2021:
    Code="BadRequest" Message="The VM size of AgentPoolProfile:default is not allowed in your
    subscription in location 'westus'. The available VM sizes are '...'"; hashicorp-education/
    learn-terraform-provision-aks-cluster issue 15, 2023: "The VM size of Standard_B2s is not allowed
    in your subscription in location 'westus2'. The available VM sizes are 'standard_d16pds_v5,...'";
    dotnet/core issue 8000, 2022: "... For more details, please visit https://aka.ms/aks/quotas-skus-regions").
    The list is lower case, comma-separated, quoted; the newer answers name the size, not the pool.
    """
    sizes = ",".join(sorted(s.lower() for s in allowed))
    return (
        f"The VM size of {vm_size} is not allowed in your subscription in location '{location}'. "
        f"The available VM sizes are '{sizes}' For more details, please visit https://aka.ms/aks/quotas-skus-regions"
    )


def _check_sku(emu: ArmEmulator, vm_size: str, location: str, zones: list[str] | None, pool: str) -> None:
    """A pool's size must be one the region offers this subscription (Compute's resource SKUs, as
    compute.py answers them: not listed there, or restricted for the whole region, is refused with
    AKS's BadRequest above); zones it lacks there are refused by AKS itself, at once, 400
    AvailabilityZoneNotSupported.

    upstream: MicrosoftDocs/azure-aks-docs pull request 416 (2026, merged into
    articles/aks/reliability-availability-zones-configure.md, "Node pool creation fails if the
    selected VM SKU doesn't support the requested availability zones in that region"), whose
    description quotes AKS: "AvailabilityZoneNotSupported - The zone(s) 2 for resource nodepool1 is
    not supported. The supported zones for location centralus are (empty)."; a managed-cluster PUT
    answered with StatusCode=400 Code="AvailabilityZoneNotSupported" (cloud-barista/cb-spider issue
    1246, 2024). How AKS writes a list of several supported zones is not published: here they are
    joined as the requested ones are. Compute's SkuNotAvailable (Azure/AKS issue 1444, 2020) was
    the older answer, seen through a template deployment."""
    from tests.emulators.arm import compute

    loc = location.replace(" ", "").lower()
    offered = compute.offered(emu, loc)
    usable = offered.get(vm_size.lower())
    if usable is None:
        raise ArmError(400, "BadRequest", vm_size_not_allowed(vm_size, loc, list(offered)))
    missing = [z for z in zones or [] if z not in usable]
    if missing:
        raise ArmError(
            400,
            "AvailabilityZoneNotSupported",
            f"The zone(s) {','.join(missing)} for resource {pool} is not supported. "
            f"The supported zones for location {loc} are {','.join(usable) or '(empty)'}.",
        )


_PENDING = (
    "is in progress, please wait for it to finish before starting a new operation. See "
    "https://aka.ms/aks-pending-operation for more details"
)


def _busy_state(emu: ArmEmulator, rid: str) -> str | None:
    if rid.lower() not in emu._busy:
        return None
    obj = emu.get_resource(rid) or {}
    return str((obj.get("properties") or {}).get("provisioningState") or "Updating")


def check_cluster_idle(emu: ArmEmulator, cluster_id: str, *, except_pool: str | None = None) -> None:
    """AKS serialises a cluster's operations: a pool change while the cluster is updating, two
    pool operations at once, or a cluster change (stop, upgrade) while a pool is creating is
    refused with 409 OperationNotAllowed. The messages are AKS's own, as users reported them
    (cilium/cilium#25944: "Another agentpool operation (nodepool1 - Creating) is in progress";
    Azure/azure-workload-identity#417: "Another operation (nodepool1 - Updating) is in progress")."""
    state = _busy_state(emu, cluster_id)
    if state is not None:
        raise ArmError(409, "OperationNotAllowed", f"Operation is not allowed: Another operation ({state}) {_PENDING}")
    prefix = cluster_id.lower() + "/agentpools/"
    for key in list(emu._busy):
        if key.startswith(prefix) and key != (except_pool or "").lower():
            pool = key.rsplit("/", 1)[1]
            pool_state = _busy_state(emu, key) or "Updating"
            raise ArmError(
                409,
                "OperationNotAllowed",
                f"Operation is not allowed: Another agentpool operation ({pool} - {pool_state}) {_PENDING}",
            )


def _record_failure(emu: ArmEmulator, rid: str, error: dict[str, Any]) -> None:
    """A failed operation leaves its error on the resource: ``properties.status.provisioningError``
    (ManagedClusterStatus / AgentPoolStatus in the 2026-08-01 spec; azure-mgmt-containerservice
    models ``ManagedClusterStatus.provisioning_error``, ``AgentPoolStatus.provisioning_error``)."""
    emu.update_resource(rid, lambda o: o.setdefault("properties", {}).update(status={"provisioningError": error}))


# Properties the 2026-08-01 spec says cannot change once the cluster exists (upstream:
# Azure/azure-rest-api-specs 10c88683 aks/stable/2026-08-01 managedClusters.json ManagedClusterProperties:
# dnsPrefix and fqdnSubdomain, both "This cannot be updated once the Managed Cluster has been created").
CLUSTER_CREATE_ONLY = ("dnsPrefix", "fqdnSubdomain")
# A pool's, in the same file: ManagedClusterAgentPoolProfileProperties.osDiskType, "May not be changed
# after creation". AKS picks a default at create (Ephemeral or Managed, by the size's cache disk), which
# the emulator does not model: a pool without one takes what a later PUT sends.
POOL_CREATE_ONLY = ("osDiskType",)


def _change_not_allowed(key: str) -> ArmError:
    """AKS's answer to a create-only property changed, as published for dnsPrefix (upstream:
    Azure/terraform-azurerm-avm-res-containerservice-managedcluster issue #166: 400, code
    PropertyChangeNotAllowed, "Changing property 'dnsPrefix' is not allowed.", target dnsPrefix; also
    rancher/rancher#34758). No source publishes the answer for fqdnSubdomain or osDiskType: they get
    the same code and form, which the RP gives every property it refuses to change (Azure/ACS#76:
    "Changing property 'agentPoolProfile.OSType' is not allowed.")."""
    return ArmError(400, "PropertyChangeNotAllowed", f"Changing property '{key}' is not allowed.", target=key)


def _pool_defaults(
    emu: ArmEmulator, pool: dict[str, Any], version: str, location: str, existing: dict[str, Any], name: str
) -> None:
    for key in POOL_CREATE_ONLY:
        if existing.get(key) is not None and key in pool and pool[key] != existing[key]:
            raise _change_not_allowed(key)
    if not pool.get("vmSize") and not existing.get("vmSize"):
        pool["vmSize"] = "Standard_D4ds_v5"
    vm = pool.get("vmSize") or existing.get("vmSize")
    if pool.get("vmSize") and pool.get("vmSize") != existing.get("vmSize"):
        _check_sku(emu, str(vm), location, pool.get("availabilityZones"), name)
    if pool.get("enableAutoScaling"):
        lo, hi = pool.get("minCount"), pool.get("maxCount")
        if lo is None or hi is None or lo > hi:
            raise ArmError(
                400,
                "InvalidParameter",
                "minCount and maxCount are required and minCount <= maxCount when enableAutoScaling is true.",
            )
        count = pool.get("count", lo)
        pool["count"] = min(max(count, lo), hi)
    if pool.get("scaleSetPriority") == "Spot":
        from tests.emulators.arm.aksrules import SPOT_LABEL, SPOT_TAINT

        pool["nodeLabels"] = {**(pool.get("nodeLabels") or {}), SPOT_LABEL[0]: SPOT_LABEL[1]}
        pool["nodeTaints"] = [*(t for t in pool.get("nodeTaints") or [] if t != SPOT_TAINT), SPOT_TAINT]
    pool.setdefault("count", existing.get("count", 3))
    pool.setdefault("mode", existing.get("mode", "User"))
    pool.setdefault("osType", "Linux")
    pool.setdefault("osSKU", existing.get("osSKU", "AzureLinux"))
    pool.setdefault("type", "VirtualMachineScaleSets")
    pool.setdefault("maxPods", 110 if pool.get("type") != "VirtualMachines" else 250)
    ov = pool.get("orchestratorVersion") or existing.get("orchestratorVersion") or version
    pool["orchestratorVersion"] = ov
    pool["currentOrchestratorVersion"] = resolve_version(ov)
    pool.setdefault("nodeImageVersion", existing.get("nodeImageVersion", NODE_IMAGE))
    pool.setdefault("powerState", existing.get("powerState", {"code": "Running"}))
    pool.setdefault("upgradeSettings", existing.get("upgradeSettings", {"maxSurge": "10%"}))
    pool["provisioningState"] = "Succeeded"


def _cluster_on_put(emu: ArmEmulator, rid: str, body: dict[str, Any], existing: dict[str, Any] | None) -> None:
    from tests.emulators.arm.aksrules import check_pool_name

    schema.check_aks("ManagedCluster", body)
    # A read-only property is refused unless it has its current value; one sent back as read is
    # ignored (upstream: schema.refuse_changed_read_only, schema.drop_read_only). The route has set
    # id, name, type and systemData already: only the properties are the client's.
    models, current = schema.aks_models(), (existing or {}).get("properties") if existing else None
    schema.refuse_changed_read_only(models, "ManagedClusterProperties", body.get("properties"), current, "properties")
    schema.drop_read_only(models, "ManagedClusterProperties", body.get("properties"))
    if not body.get("location"):
        raise ArmError(400, "LocationRequired", "The location property is required for this definition.")
    old = (existing or {}).get("properties", {})
    props = body["properties"]
    props.pop("status", None)  # read-only: a PUT carrying a GET's status does not set it
    if existing:
        check_cluster_idle(emu, rid)
    if existing and old.get("powerState", {}).get("code") == "Stopped":
        raise ArmError(
            400,
            "OperationNotAllowed",
            "Managed cluster is in stopped state, no operations except start and delete are allowed.",
        )
    sku = body.setdefault("sku", (existing or {}).get("sku", {"name": "Base", "tier": "Free"}))
    version = props.get("kubernetesVersion") or old.get("kubernetesVersion") or DEFAULT_MINOR
    current = resolve_version(version)
    if existing and _vkey(current) < _vkey(old.get("currentKubernetesVersion", "0.0.0")):
        raise ArmError(400, "NotSupported", "Downgrading Kubernetes version is not allowed.")
    props["kubernetesVersion"] = version
    props["currentKubernetesVersion"] = current
    name = rid.split("/")[-1]
    rg = rid.split("/")[4]
    if existing:
        for key in CLUSTER_CREATE_ONLY:
            if key in props and props[key] != old.get(key):
                raise _change_not_allowed(key)
    prefix = props.get("dnsPrefix") or old.get("dnsPrefix") or f"{name[:10]}-{rg[:16]}-000000"
    props["dnsPrefix"] = prefix
    h = hashlib.sha256(rid.lower().encode()).hexdigest()[:8]
    loc = body["location"]
    props["fqdn"] = f"{prefix}-{h}.hcp.{loc}.azmk8s.io"
    props["azurePortalFQDN"] = f"{prefix}-{h}.portal.hcp.{loc}.azmk8s.io"
    props.setdefault("nodeResourceGroup", old.get("nodeResourceGroup", f"MC_{rg}_{name}_{loc}"))
    props["powerState"] = old.get("powerState", {"code": "Running"})
    props.setdefault("enableRBAC", True)
    props["maxAgentPools"] = 100
    old_pools = {p["name"]: p for p in old.get("agentPoolProfiles", [])}
    pools = props.get("agentPoolProfiles")
    if pools is None:
        pools = list(old_pools.values())
    if not pools and sku.get("name") != "Automatic":
        raise ArmError(
            400,
            "InvalidParameter",
            "agentPoolProfiles must contain at least one System mode agent pool.",
        )
    for pool in pools:
        if not pool.get("name"):
            raise ArmError(400, "InvalidParameter", "agentPoolProfiles[].name is required.")
        check_pool_name(pool["name"])  # Azure/azure-rest-api-specs: agentPoolProfile.name, same pattern
        _pool_defaults(emu, pool, version, loc, old_pools.get(pool["name"], {}), str(pool["name"]))
        # A cluster-level operation updates the pools' eTags too (upstream: MicrosoftDocs/azure-aks-docs
        # fb060abe articles/aks/use-etags.md).
        pool["eTag"] = etags.new(etags.AP)
    if pools and not any(p.get("mode") == "System" for p in pools):
        pools[0]["mode"] = "System"
    props["agentPoolProfiles"] = pools


def _cluster_on_put_done(emu: ArmEmulator, rid: str, obj: dict[str, Any]) -> None:
    """Mirror agentPoolProfiles as agentPools child resources, as AKS does."""
    profiles = obj["properties"].get("agentPoolProfiles", [])
    for pool in profiles:
        pid = f"{rid}/agentPools/{pool['name']}"
        props = {k: v for k, v in pool.items() if k != "name"}
        emu.put_resource(pid, {"properties": props})


def _pool_on_put(emu: ArmEmulator, rid: str, body: dict[str, Any], existing: dict[str, Any] | None) -> None:
    from tests.emulators.arm.aksrules import check_pool_name

    check_pool_name(rid.rsplit("/", 1)[-1])  # Azure/azure-rest-api-specs aks 2026-08-01 agentPoolName pattern
    schema.check_aks("AgentPool", body)
    models, current = schema.aks_models(), (existing or {}).get("properties") if existing else None
    schema.refuse_changed_read_only(
        models, "ManagedClusterAgentPoolProfileProperties", body.get("properties"), current, "properties"
    )
    schema.drop_read_only(models, "ManagedClusterAgentPoolProfileProperties", body.get("properties"))
    cluster_id = rid.rsplit("/agentPools/", 1)[0] if "/agentPools/" in rid else rid.rsplit("/", 2)[0]
    cluster = emu.get_resource(cluster_id)
    assert cluster is not None  # the parent check already ran
    cprops = cluster["properties"]
    if cprops.get("powerState", {}).get("code") == "Stopped":
        raise ArmError(
            400,
            "OperationNotAllowed",
            "Managed cluster is in stopped state, no operations except start and delete are allowed.",
        )
    pool = body["properties"]
    pool.pop("status", None)  # read-only
    check_cluster_idle(emu, cluster_id, except_pool=rid)
    old = (existing or {}).get("properties", {})
    if (
        old.get("mode") == "System"
        and pool.get("mode", "System") == "User"
        and sum(p.get("mode") == "System" for p in cprops.get("agentPoolProfiles", [])) <= 1
    ):
        raise ArmError(
            400,
            "OperationNotAllowed",
            "The last System mode agent pool cannot be changed to User mode; add another System pool first.",
        )
    _pool_defaults(emu, pool, cprops["kubernetesVersion"], cluster["location"], old, rid.rsplit("/", 1)[-1])
    if _vkey(resolve_version(pool["orchestratorVersion"])) > _vkey(cprops["currentKubernetesVersion"]):
        raise ArmError(
            400,
            "NodePoolMcVersionIncompatible",
            f"Node pool version {pool['orchestratorVersion']} and control plane version "
            f"{cprops['currentKubernetesVersion']} are incompatible.",
        )
    pool["provisioningState"] = "Creating" if existing is None else "Updating"


def _pool_on_put_done(emu: ArmEmulator, rid: str, obj: dict[str, Any]) -> None:
    cluster_id, name = rid.rsplit("/", 2)[0], rid.rsplit("/", 1)[1]
    profile = {"name": name, **obj["properties"]}

    def upd(c: dict[str, Any]) -> None:
        pools = c["properties"].setdefault("agentPoolProfiles", [])
        for i, p in enumerate(pools):
            if p["name"].lower() == name.lower():
                pools[i] = profile
                break
        else:
            pools.append(profile)

    emu.update_resource(cluster_id, upd)


def _pool_on_delete(emu: ArmEmulator, rid: str, obj: dict[str, Any]) -> None:
    cluster = emu.get_resource(rid.rsplit("/", 2)[0])
    if cluster is None:
        return
    check_cluster_idle(emu, cluster["id"], except_pool=rid)
    pools = cluster["properties"].get("agentPoolProfiles", [])
    if obj["properties"].get("mode") == "System" and (sum(p.get("mode") == "System" for p in pools) <= 1):
        raise ArmError(
            400,
            "OperationNotAllowed",
            "There has to be at least one system agent pool.",
        )


def _pool_on_deleted(emu: ArmEmulator, rid: str, obj: dict[str, Any]) -> None:
    name = rid.rsplit("/", 1)[1].lower()

    def upd(c: dict[str, Any]) -> None:
        pools = c["properties"].get("agentPoolProfiles", [])
        c["properties"]["agentPoolProfiles"] = [p for p in pools if p["name"].lower() != name]

    emu.update_resource(rid.rsplit("/", 2)[0], upd)


def power_handler(state: str) -> Any:
    def handler(emu: ArmEmulator, rid: str, obj: dict[str, Any], body: dict[str, Any] | None) -> None:
        def upd(c: dict[str, Any]) -> None:
            c["properties"]["powerState"] = {"code": state}
            # Stop/start is a cluster-level write: a new eTag (upstream: azure-aks-docs use-etags.md).
            etags.stamp(etags.MC, c)
            for p in c["properties"].get("agentPoolProfiles", []):
                p["powerState"] = {"code": state}

        emu.update_resource(rid, upd)
        for pool in emu.list_resources("Microsoft.ContainerService/managedClusters/agentPools", rid):
            emu.update_resource(pool["id"], lambda o: o["properties"].update(powerState={"code": state}))
            emu.update_resource(pool["id"], lambda o: etags.stamp(etags.AP, o))
        emu.update_resource(rid, lambda c: etags.ensure(emu, rid, etags.MC, c))  # the profiles take the new ones

    return handler


def _check_node_image_upgrade(emu: ArmEmulator, rid: str, obj: dict[str, Any], body: dict[str, Any] | None) -> None:
    """upstream: MicrosoftDocs/azure-aks-docs 0ae74e39 articles/aks/start-stop-cluster.md: "You can only
    perform start or delete operations on a stopped AKS cluster. To perform other operations, like scaling
    or upgrading, you need to start your cluster first" (a PUT is refused so in _cluster_on_put and
    _pool_on_put; this is the node image upgrade, a POST action)."""
    cluster_id = rid.rsplit("/", 2)[0]
    cluster = emu.get_resource(cluster_id) or {}
    if (cluster.get("properties") or {}).get("powerState", {}).get("code") == "Stopped":
        raise ArmError(
            400,
            "OperationNotAllowed",
            "Managed cluster is in stopped state, no operations except start and delete are allowed.",
        )
    from tests.emulators.arm.aksrules import check_surge_room

    # A node image upgrade surges as a version upgrade does (upstream: MicrosoftDocs/azure-aks-docs
    # upgrade-aks-node-pools-rolling.md, the 1,000-instance rule; aksrules.check_surge_room).
    check_surge_room(obj.get("properties") or {}, name=rid.rsplit("/", 1)[-1])


def _node_image_upgrade(emu: ArmEmulator, rid: str, obj: dict[str, Any], body: dict[str, Any] | None) -> None:
    emu.update_resource(rid, lambda o: o["properties"].update(nodeImageVersion=NODE_IMAGE))
    emu.update_resource(rid, lambda o: etags.stamp(etags.AP, o))
    _pool_on_put_done(emu, rid, emu.get_resource(rid) or obj)


def _abort(emu: ArmEmulator, rid: str, obj: dict[str, Any], body: dict[str, Any] | None) -> Operation:
    """POST .../abort on a cluster or pool: the operation running on it goes Canceling, then Canceled,
    and the abort is a long-running operation of its own (server.begin_cancel: 202 with
    Azure-AsyncOperation and Location, upstream: Azure/azure-rest-api-specs e5ece900 aks/stable/2026-08-01
    examples/ManagedClustersAbortOperation.json; 204 where the emulator ends operations at once, the
    other answer the spec gives). Nothing running: 409 OperationNotAllowed, in the words users report for
    a Failed cluster (VijayRod/demo container-storage/logs/k8s-aks-op.md: "Cancel operation is not allowed
    when the ProvisioningState is Failed"); a second abort while the first runs finds the abort running
    and is refused too, in the same words. A cancel does not roll back what the operation changed
    (MicrosoftDocs/azure-aks-docs fb060abe articles/aks/manage-abort-operations.md): the body a PUT stored
    stays, its versions too."""
    pool = "/agentPools/" in rid or "/agentpools/" in rid

    def mirrored() -> None:  # the cluster's profile shows the pool's state
        if pool:
            _pool_on_put_done(emu, rid, emu.get_resource(rid) or obj)

    op = emu.begin_cancel(rid, "Microsoft.ContainerService", mirrored)
    if op is None:
        state = (obj.get("properties") or {}).get("provisioningState") or "Succeeded"
        raise ArmError(
            409, "OperationNotAllowed", f"Cancel operation is not allowed when the ProvisioningState is {state}"
        )
    return op


def _idle_cluster(emu: ArmEmulator, rid: str, obj: dict[str, Any], body: dict[str, Any] | None) -> None:
    check_cluster_idle(emu, rid)


def _cluster_on_patch(emu: ArmEmulator, rid: str, body: dict[str, Any], existing: dict[str, Any] | None) -> None:
    """AKS's only PATCH on a managed cluster is ManagedClusters_UpdateTags, whose body is a TagsObject:
    tags and nothing else (upstream: Azure/azure-rest-api-specs specification/containerservice/
    resource-manager/Microsoft.ContainerService/aks/stable/2026-08-01/managedClusters.json, the
    ``patch`` of ``.../managedClusters/{resourceName}``; azure-mgmt-containerservice 41.8.0
    ``begin_update_tags(parameters: TagsObject)``). Any other property is refused as schema.py refuses
    one (InvalidRequestContent)."""
    schema.check_aks("TagsObject", body)


def install(emu: ArmEmulator) -> None:
    import re

    emu.add_hooks(
        MC,
        on_put=_cluster_on_put,
        on_patch=_cluster_on_patch,
        on_put_done=_cluster_on_put_done,
        on_failed=_record_failure,
    )
    emu.add_hooks(
        AP,
        on_put=_pool_on_put,
        on_put_done=_pool_on_put_done,
        on_delete=_pool_on_delete,
        on_deleted=_pool_on_deleted,
        on_failed=_record_failure,
    )
    # The LRO headers each write declares in the AKS 2026-08-01 spec, as the generated SDK reads
    # them (azure-mgmt-containerservice operations/_operations.py): PUT 201 answers
    # Azure-AsyncOperation (no Location), DELETE 202 both, stop/start 202 Location only, abort 202 both
    # (examples/ManagedClustersAbortOperation.json; a pool's abort: both, the default).
    both = ("Azure-AsyncOperation", "Location")
    emu.lro_headers.insert(
        0,
        (
            re.compile(MC + "$", re.I),
            {"put": ("Azure-AsyncOperation",), "delete": both, "action": ("Location",), "abort": both},
        ),
    )
    emu.lro_headers.insert(
        0,
        (
            re.compile(AP + "$", re.I),
            {"put": ("Azure-AsyncOperation",), "delete": ("Azure-AsyncOperation", "Location")},
        ),
    )
    # Done at once, a cluster's or a pool's DELETE answers 204: the spec declares 202 and 204, no 200
    # (Azure/azure-rest-api-specs e5ece900 aks/stable/2026-08-01 examples/ManagedClustersDelete.json and
    # AgentPoolsDelete.json, ../shared/data/arm-examples/containerservice-2026-08-01; the SDK, generated
    # from it, refuses a 200: azure-mgmt-containerservice 41.8.0 ManagedClustersOperations and
    # AgentPoolsOperations._delete_initial, "status_code not in [202, 204]"). A node image upgrade
    # answers 200 with no body: AgentPools_UpgradeNodeImageVersion declares 200 without a schema and
    # 202 (managedClusters.json; AgentPoolsOperations._upgrade_node_image_version_initial:
    # [200, 202]; the SDK refuses a 204).
    emu.done_status.append((re.compile(MC + "$", re.I), {"delete": 204}))
    emu.done_status.append((re.compile(AP + "$", re.I), {"delete": 204, "upgradenodeimageversion": 200}))
    emu.register_action(MC, "stop", power_handler("Stopped"), busy_state="Stopping", before=_idle_cluster)
    emu.register_action(MC, "start", power_handler("Running"), busy_state="Starting", before=_idle_cluster)
    emu.register_action(MC, "listClusterUserCredential", akscreds.credentials(False), lro=False)
    emu.register_action(MC, "listClusterAdminCredential", akscreds.credentials(True), lro=False)
    # The node image upgrade's 202 carries the pool, UpgradingNodeImageVersion, still on its old image
    # (upstream: Azure/azure-rest-api-specs aks/stable/2026-08-01 managedClusters.json
    # AgentPools_UpgradeNodeImageVersion: 202 with schema AgentPool; example ae7700fa
    # aks/stable/2025-10-01/examples/AgentPoolsUpgradeNodeImageVersion.json).
    emu.register_action(
        AP,
        "upgradeNodeImageVersion",
        _node_image_upgrade,
        busy_state="UpgradingNodeImageVersion",
        before=_check_node_image_upgrade,
        accepted_body=True,
    )
    emu.register_action(MC, "abort", _abort, lro=False)
    emu.register_action(AP, "abort", _abort, lro=False)
    emu.register_get(MC, "upgradeProfiles/default", _upgrade_profile)
    emu.register_get(AP, "upgradeProfiles/default", _pool_upgrade_profile)
    emu.register_route(
        "GET",
        r"^/subscriptions/[^/]+/providers/Microsoft\.ContainerService/locations/[^/]+/kubernetesVersions/?$",
        _kubernetes_versions,
    )
