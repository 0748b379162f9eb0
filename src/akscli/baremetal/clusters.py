"""AKS on bare metal (preview): a single-node cluster on one Arc-enabled host.

Two ARM resources make one cluster: ``Microsoft.Kubernetes/connectedClusters/NAME`` (kind
``ProvisionedCluster``) and its extension resource
``.../providers/Microsoft.HybridContainerService/provisionedClusterInstances/default``
(API 2024-09-01-preview, which no installed SDK has, hence ``arm.raw_client``). The host is a
``Microsoft.HybridCompute/machines`` resource.

The preview's limits are checked here, before anything is sent to Azure: one node per cluster
(one host), East US only, Azure Linux 3.0 or Ubuntu 24.04 hosts, and patch upgrades only.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from akscli.errors import NotFoundError, UsageError

if TYPE_CHECKING:
    from akscli.azure.arm import AzureTarget

CONNECTED_API = "2024-01-01"
HYBRID_API = "2024-09-01-preview"
MACHINE_API = "2024-07-10"
REGIONS = ("eastus",)
MAX_NODES = 1
SUPPORTED_OS = (re.compile(r"ubuntu\s*24\.04", re.I), re.compile(r"azure\s*linux\s*3(\.0)?", re.I))
MACHINE_TAG = "akscli.io/baremetal-machine"
_VERSION = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)$")
_MACHINE_ID = re.compile(
    r"^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.HybridCompute/machines/[^/]+$", re.I
)


def _region(value: str) -> str:
    return re.sub(r"\s+", "", value).lower()


def version_tuple(version: str, what: str = "--kubernetes-version") -> tuple[int, int, int]:
    m = _VERSION.match(version.strip())
    if not m:
        raise UsageError(f"invalid {what} {version!r}: expected MAJOR.MINOR.PATCH", hint="for example: 1.31.2")
    return int(m.group(1)), int(m.group(2)), int(m.group(3))


def check_region(location: str) -> str:
    region = _region(location)
    if region not in REGIONS:
        raise UsageError(
            f"AKS on bare metal (preview) is available in East US only, not {location!r}",
            hint="use --location eastus (the host's Arc resource must be in East US too)",
        )
    return region


def check_nodes(nodes: int) -> int:
    if nodes != MAX_NODES:
        raise UsageError(
            f"AKS on bare metal (preview) runs a single-node cluster per host; --nodes {nodes} is not supported",
            hint="create one cluster per Arc-enabled host (one --machine each)",
        )
    return nodes


def check_patch_upgrade(current: str, target: str) -> None:
    cur, new = version_tuple(current, "current version"), version_tuple(target)
    if new[:2] != cur[:2]:
        raise UsageError(
            f"AKS on bare metal (preview) supports patch upgrades only: {current} -> {target} changes the "
            f"{'major' if new[0] != cur[0] else 'minor'} version",
            hint=f"pick a {cur[0]}.{cur[1]}.x version: akscli baremetal cluster upgrade NAME --list",
        )
    if new <= cur:
        raise UsageError(
            f"{target} is not newer than the current version {current}",
            hint="akscli baremetal cluster upgrade NAME --list shows the available patches",
        )


def patch_upgrades(current: str, offered: list[str]) -> list[str]:
    """The offered versions that are patch upgrades of ``current`` (newest last)."""
    cur = version_tuple(current, "current version")
    keep = []
    for version in offered:
        try:
            v = version_tuple(version, "offered version")
        except UsageError:
            continue
        if v[:2] == cur[:2] and v > cur:
            keep.append(version)
    return sorted(keep, key=lambda v: version_tuple(v, "offered version"))


@dataclass(frozen=True)
class ClusterRef:
    subscription: str
    resource_group: str
    name: str

    @property
    def connected_id(self) -> str:
        return (
            f"/subscriptions/{self.subscription}/resourceGroups/{self.resource_group}"
            f"/providers/Microsoft.Kubernetes/connectedClusters/{self.name}"
        )

    @property
    def instance_id(self) -> str:
        return self.connected_id + "/providers/Microsoft.HybridContainerService/provisionedClusterInstances/default"


def check_name(name: str) -> str:
    if not re.match(r"^[a-zA-Z0-9]([-_a-zA-Z0-9]{0,61}[a-zA-Z0-9])?$", name or ""):
        raise UsageError(
            f"invalid cluster name {name!r}: 1-63 letters, digits, '-' or '_', "
            "starting and ending with a letter or digit",
            hint="for example: edge-gpu-01",
        )
    return name


def check_resource_group(rg: str | None) -> str:
    from akscli.azure import names

    if not rg:
        raise UsageError("a resource group is required", hint="pass -g/--resource-group NAME")
    return names.resource_group(rg)


def check_create_flags(
    name: str,
    resource_group: str | None,
    location: str,
    nodes: int,
    machines: list[str],
    kubernetes_version: str | None,
) -> str:
    """Every preview limit ``cluster create`` can check before calling Azure; returns the host."""
    check_name(name)
    check_resource_group(resource_group)
    check_region(location)
    check_nodes(nodes)
    if len(machines) != 1:
        raise UsageError(
            f"AKS on bare metal (preview) runs one host per cluster; {len(machines)} --machine given",
            hint="create one cluster per host",
        )
    if kubernetes_version:
        version_tuple(kubernetes_version)
    return machines[0]


def machine_id(machine: str, subscription: str, resource_group: str) -> str:
    """An Arc machine's resource ID from an ID or a name in the cluster's resource group."""
    if machine.startswith("/"):
        if not _MACHINE_ID.match(machine):
            raise UsageError(
                f"invalid --machine {machine!r}: not a Microsoft.HybridCompute/machines ID",
                hint="give the Arc machine's name or its full resource ID",
            )
        return machine
    if not re.match(r"^[-\w.]{1,64}$", machine):
        raise UsageError(f"invalid --machine {machine!r}", hint="the Arc-enabled machine's name, e.g. gpu-host-01")
    return (
        f"/subscriptions/{subscription}/resourceGroups/{resource_group}"
        f"/providers/Microsoft.HybridCompute/machines/{machine}"
    )


def check_machine(machine: dict[str, Any], location: str) -> list[str]:
    """Preview limits on the host; returns warnings for what cannot be told from ARM."""
    props = machine.get("properties") or {}
    name = machine.get("name", "the machine")
    if _region(str(machine.get("location", location))) != location:
        raise UsageError(
            f"the Arc machine {name} is in {machine.get('location')}, the cluster in {location}",
            hint="AKS on bare metal needs the host in East US",
        )
    status = props.get("status")
    if status and status != "Connected":
        raise UsageError(
            f"the Arc machine {name} is {status}, not Connected",
            hint="check the Azure Connected Machine agent on the host: azcmagent show",
        )
    os_sku = str(props.get("osSku") or props.get("osName") or "")
    if not os_sku:
        return [f"cannot tell the OS of {name} from Azure; AKS on bare metal needs Azure Linux 3.0 or Ubuntu 24.04"]
    if not any(p.search(os_sku) for p in SUPPORTED_OS):
        raise UsageError(
            f"the Arc machine {name} runs {os_sku}; AKS on bare metal (preview) needs Azure Linux 3.0 or Ubuntu 24.04",
            hint="reinstall the host with a supported OS",
        )
    return []


def connected_body(location: str, machine: str) -> dict[str, Any]:
    return {
        "location": location,
        "kind": "ProvisionedCluster",
        "identity": {"type": "SystemAssigned"},
        "tags": {MACHINE_TAG: machine.split("/")[-1]},
        "properties": {"agentPublicKeyCertificate": "", "aadProfile": {"enableAzureRBAC": False}},
    }


def instance_body(machine: str, version: str | None) -> dict[str, Any]:
    props: dict[str, Any] = {
        "controlPlane": {"count": 1},
        "agentPoolProfiles": [],
        "cloudProviderProfile": {"infraNetworkProfile": {"vnetSubnetIds": []}},
        "bareMetalProfile": {"machineId": machine},
    }
    if version:
        props["kubernetesVersion"] = version
    return {"properties": props}


# ---- calls -----------------------------------------------------------------------------------


class BareMetal:
    """The ARM calls, through ``arm.raw_client`` (same credential, retries and LRO polling)."""

    def __init__(self, target: AzureTarget) -> None:
        from akscli.azure import arm

        self.arm = arm
        self.target = target.validated()
        self.subscription = self.target.subscription_id()
        self.client = arm.raw_client(self.target)

    def ref(self, resource_group: str | None, name: str) -> ClusterRef:
        return ClusterRef(self.subscription, check_resource_group(resource_group), check_name(name))

    def _get(self, path: str, api: str) -> dict[str, Any] | None:
        try:
            return self.arm.raw_call(self.client, "GET", path, api)
        except NotFoundError:
            return None

    def _wait(
        self,
        method: str,
        path: str,
        api: str,
        body: dict[str, Any] | None,
        what: str,
        progress: Callable[[str], None] | None,
    ) -> Any:
        poller = self.arm.raw_begin(self.client, method, path, api, body)
        return self.arm.wait_lro(poller, what, progress)

    def get_machine(self, machine: str) -> dict[str, Any]:
        found = self._get(machine, MACHINE_API)
        if found is None:
            raise NotFoundError(
                f"Arc-enabled machine {machine.split('/')[-1]} not found",
                hint="onboard the host to Azure Arc first (azcmagent connect), or check -g",
            )
        return found

    def create(
        self,
        ref: ClusterRef,
        *,
        machine: str,
        location: str,
        nodes: int = 1,
        kubernetes_version: str | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> tuple[dict[str, Any], list[str]]:
        region = check_region(location)
        check_nodes(nodes)
        if kubernetes_version:
            version_tuple(kubernetes_version)
        mid = machine_id(machine, self.subscription, ref.resource_group)
        if self._get(ref.connected_id, CONNECTED_API) is not None:
            from akscli.errors import ConflictError

            raise ConflictError(
                f"cluster {ref.name} already exists in {ref.resource_group}",
                hint="pick another name, or delete it first",
            )
        warnings = check_machine(self.get_machine(mid), region)
        self._wait(
            "PUT",
            ref.connected_id,
            CONNECTED_API,
            connected_body(region, mid),
            f"creating connected cluster {ref.name}",
            progress,
        )
        self._wait(
            "PUT",
            ref.instance_id,
            HYBRID_API,
            instance_body(mid, kubernetes_version),
            f"provisioning Kubernetes on {mid.split('/')[-1]}",
            progress,
        )
        return self.show(ref), warnings

    def show(self, ref: ClusterRef) -> dict[str, Any]:
        connected = self._get(ref.connected_id, CONNECTED_API)
        if connected is None or str(connected.get("kind", "")).lower() != "provisionedcluster":
            raise NotFoundError(
                f"bare-metal cluster {ref.name} not found in resource group {ref.resource_group}",
                hint="akscli baremetal cluster list -g " + ref.resource_group,
            )
        return summarize(connected, self._get(ref.instance_id, HYBRID_API))

    def list_clusters(self, resource_group: str | None) -> Iterator[dict[str, Any]]:
        scope = f"/subscriptions/{self.subscription}"
        if resource_group:
            scope += f"/resourceGroups/{check_resource_group(resource_group)}"
        path: str | None = scope + "/providers/Microsoft.Kubernetes/connectedClusters"
        with ThreadPoolExecutor(max_workers=8) as pool:
            while path:
                page = self.arm.raw_call(self.client, "GET", path, CONNECTED_API) or {}
                clusters = [
                    c for c in page.get("value") or [] if str(c.get("kind", "")).lower() == "provisionedcluster"
                ]
                instances = pool.map(
                    lambda c: self._get(
                        c["id"] + "/providers/Microsoft.HybridContainerService/provisionedClusterInstances/default",
                        HYBRID_API,
                    ),
                    clusters,
                )
                for cluster, instance in zip(clusters, instances, strict=True):
                    yield summarize(cluster, instance)
                path = page.get("nextLink")

    def upgrades(self, ref: ClusterRef) -> tuple[str, list[str]]:
        """(current version, patch versions available)."""
        self.show(ref)
        profile = self._get(ref.instance_id + "/upgradeProfiles/default", HYBRID_API) or {}
        cp = (profile.get("properties") or {}).get("controlPlaneProfile") or {}
        current = str(cp.get("kubernetesVersion") or "")
        offered = [str(u.get("kubernetesVersion")) for u in cp.get("upgrades") or [] if u.get("kubernetesVersion")]
        return current, patch_upgrades(current, offered) if current else []

    def check_upgrade(self, ref: ClusterRef, version: str) -> str:
        """Raise UsageError unless ``version`` is a patch upgrade Azure offers; returns the current version."""
        version_tuple(version)
        current, available = self.upgrades(ref)
        check_patch_upgrade(current, version)
        if version not in available:
            raise UsageError(
                f"{version} is not offered for {ref.name} (running {current})",
                hint="available patch upgrades: " + (", ".join(available) or "none"),
            )
        return current

    def upgrade(self, ref: ClusterRef, version: str, progress: Callable[[str], None] | None = None) -> dict[str, Any]:
        self.check_upgrade(ref, version)
        instance = self._get(ref.instance_id, HYBRID_API) or {}
        body = {
            "properties": {
                k: v for k, v in (instance.get("properties") or {}).items() if k not in ("provisioningState", "status")
            }
        }
        body["properties"]["kubernetesVersion"] = version
        self._wait("PUT", ref.instance_id, HYBRID_API, body, f"upgrading {ref.name} to {version}", progress)
        return self.show(ref)

    def kubeconfig(self, ref: ClusterRef, admin: bool = False) -> bytes:
        self.show(ref)
        action = "listAdminKubeconfig" if admin else "listUserKubeconfig"
        result = (
            self._wait(
                "POST", f"{ref.instance_id}/{action}", HYBRID_API, None, f"fetching the kubeconfig of {ref.name}", None
            )
            or {}
        )
        configs = (result.get("properties") or {}).get("kubeconfigs") or []
        if not configs:
            raise NotFoundError(
                f"Azure returned no kubeconfig for {ref.name}",
                hint="the cluster may still be provisioning: akscli baremetal cluster show",
            )
        return base64.b64decode(configs[0]["value"])

    def delete(self, ref: ClusterRef, progress: Callable[[str], None] | None = None) -> None:
        self.show(ref)
        if self._get(ref.instance_id, HYBRID_API) is not None:
            self._wait("DELETE", ref.instance_id, HYBRID_API, None, f"removing Kubernetes from {ref.name}", progress)
        self._wait("DELETE", ref.connected_id, CONNECTED_API, None, f"deleting connected cluster {ref.name}", progress)


def summarize(connected: dict[str, Any], instance: dict[str, Any] | None) -> dict[str, Any]:
    props = (instance or {}).get("properties") or {}
    cprops = connected.get("properties") or {}
    rg = re.search(r"/resourceGroups/([^/]+)/", connected.get("id", ""), re.I)
    return {
        "name": connected.get("name"),
        "resourceGroup": rg.group(1) if rg else None,
        "location": connected.get("location"),
        "machine": (connected.get("tags") or {}).get(MACHINE_TAG),
        "kubernetesVersion": props.get("kubernetesVersion"),
        "provisioningState": props.get("provisioningState") or cprops.get("provisioningState"),
        "connectivityStatus": cprops.get("connectivityStatus"),
        "nodes": (props.get("controlPlane") or {}).get("count"),
        "id": connected.get("id"),
    }
