"""AKS on bare metal (preview): a single-node cluster on one edge machine.

Two ARM resources make one cluster: ``Microsoft.Kubernetes/connectedClusters/NAME`` (kind
``ProvisionedCluster``) and its extension resource
``.../providers/Microsoft.HybridContainerService/provisionedClusterInstances/default``
(API 2024-09-01-preview, which no installed SDK has, hence ``arm.raw_client``). Creating one takes
the whole sequence of Microsoft's ARM template (device pool, role assignments, logical network,
connected cluster, instance, extensions): see ``akscli.baremetal.provision``. This module reads,
upgrades, fetches credentials of and deletes those resources.

The preview's limits are checked before anything is sent to Azure: East US only (the template's
``allowedValues``), and patch upgrades only.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from akscli.concurrency import parallel_map
from akscli.errors import AlreadyAtVersion, NotFoundError, UsageError

if TYPE_CHECKING:
    from akscli.azure.arm import AzureTarget

CONNECTED_API = "2024-01-01"
HYBRID_API = "2024-09-01-preview"
LNET_API = "2024-01-01"
REGIONS = ("eastus",)  # the template's location allowedValues
# The edge machine a cluster runs on, kept on its connected cluster as a tag. Azure refuses tag
# names with < > % & \ ? / (ARM's InvalidTagNameCharacters; learn.microsoft.com
# azure-resource-manager/management/tag-resources, "Limitations"), so no akscli.io/ key here.
MACHINE_TAG = "akscli-baremetal-machine"
# MAJOR.MINOR.PATCH, optionally with the build date the template's example carries (1.34.3-20260204).
_VERSION = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)(-\d{8})?$")


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


def list_upgrades_command(name: str, resource_group: str | None) -> str:
    """The command that lists a cluster's patch upgrades, as a hint can give it to be typed."""
    return f"akscli baremetal cluster upgrade {name} -g {resource_group or 'RESOURCE_GROUP'} --list"


def check_patch_upgrade(current: str, target: str, listing: str) -> None:
    """UsageError unless ``target`` is a newer patch of ``current``; ``listing`` is the hint's command."""
    cur, new = version_tuple(current, "current version"), version_tuple(target)
    if new[:2] != cur[:2]:
        raise UsageError(
            f"AKS on bare metal (preview) supports patch upgrades only: {current} -> {target} changes the "
            f"{'major' if new[0] != cur[0] else 'minor'} version",
            hint=f"pick a {cur[0]}.{cur[1]}.x version: {listing}",
        )
    if new < cur:
        raise UsageError(
            f"{target} is older than the current version {current}",
            hint=f"{listing} shows the available patches",
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
class ArmRequest:
    """One ARM request of a bare-metal command, built before it is sent so that --dry-run prints
    exactly what would go out."""

    what: str
    method: str
    path: str
    api: str
    body: dict[str, Any] | None = None


def _same_version(a: str, b: str) -> bool:
    """Whether two versions are the same MAJOR.MINOR.PATCH (the template's build-date suffix aside)."""
    try:
        return version_tuple(a, "version") == version_tuple(b, "version")
    except UsageError:
        return a == b


def printable(requests: list[ArmRequest]) -> list[dict[str, Any]]:
    """What ``--dry-run`` prints: every request in order, as every ARM dry run prints one (method,
    URL with its api-version, body: ``arm.printed_request``)."""
    from akscli.azure import arm

    return [arm.printed_request(r.method, arm.request_url(r.path, r.api), r.body) for r in requests]


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


# ---- calls -----------------------------------------------------------------------------------


class BareMetal:
    """The ARM calls, through ``arm.raw_client`` (same credential, retries and LRO polling)."""

    def __init__(self, target: AzureTarget) -> None:
        from akscli.azure import arm

        self.arm = arm
        self.target = target.validated()
        self.subscription = self.target.subscription_id()
        self.client = arm.raw_client(self.target)
        # --timeout, shared by every operation this command waits for (arm.Deadline; None: no
        # bound), and the command that follows an operation akscli stops waiting for.
        self.deadline: arm.Deadline | None = None
        self.follow: str | None = None

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
        return self.arm.wait_lro(poller, what, progress, deadline=self.deadline, follow=self.follow)

    def get_raw(self, path: str, api: str) -> dict[str, Any] | None:
        """GET any resource; None when it does not exist."""
        return self._get(path, api)

    def put(
        self,
        path: str,
        api: str,
        body: dict[str, Any],
        what: str,
        progress: Callable[[str], None] | None = None,
    ) -> dict[str, Any] | None:
        """PUT one resource, waiting for its long-running operation when it has one."""
        result = self._wait("PUT", path, api, body, what, progress)
        return result if isinstance(result, dict) else None

    def show(self, ref: ClusterRef) -> dict[str, Any]:
        connected = self._get(ref.connected_id, CONNECTED_API)
        if connected is None or str(connected.get("kind", "")).lower() != "provisionedcluster":
            raise NotFoundError(
                f"bare-metal cluster {ref.name} not found in resource group {ref.resource_group}",
                hint="akscli baremetal cluster list -g " + ref.resource_group,
            )
        return summarize(connected, self._get(ref.instance_id, HYBRID_API))

    def list_clusters(self, resource_group: str | None) -> Iterator[dict[str, Any]]:
        for clusters in self.connected_pages(resource_group):
            instances = parallel_map(
                lambda c: self._get(
                    c["id"] + "/providers/Microsoft.HybridContainerService/provisionedClusterInstances/default",
                    HYBRID_API,
                ),
                clusters,
                8,
            )
            for cluster, instance in zip(clusters, instances, strict=True):
                yield summarize(cluster, instance)

    def connected_pages(self, resource_group: str | None) -> Iterator[list[dict[str, Any]]]:
        """The connected clusters of kind ProvisionedCluster (the bare-metal ones) of the group, else
        of the subscription, a page at a time as ARM returns them (nextLink)."""
        scope = f"/subscriptions/{self.subscription}"
        if resource_group:
            scope += f"/resourceGroups/{check_resource_group(resource_group)}"
        path: str | None = scope + "/providers/Microsoft.Kubernetes/connectedClusters"
        while path:
            page = self.arm.raw_call(self.client, "GET", path, CONNECTED_API) or {}
            yield [c for c in page.get("value") or [] if str(c.get("kind", "")).lower() == "provisionedcluster"]
            path = page.get("nextLink")

    def settled(
        self, path: str, api: str, what: str, progress: Callable[[str], None] | None = None
    ) -> dict[str, Any] | None:
        """The resource at ``path`` once no operation runs on it (None if there is none).

        A resource whose provisioningState is not terminal has an operation running (an earlier,
        interrupted run's, or someone else's): the RPC's client polls the resource until the state is
        terminal before it builds on it, as ARM's template engine does (upstream:
        Azure/azure-resource-manager-rpc 69e229f v1.0/async-api-reference.md, "ProvisioningState
        property"), and a provider refuses a second write meanwhile (AKS: 409 OperationNotAllowed,
        "Another operation ... is in progress, please wait for it to finish"). So this waits, at the
        operation poll interval (AKSCLI_LRO_POLL_INTERVAL), instead of sending the PUT again.

        Each read is a GET of the resource, not of an operation, so there is no Retry-After to
        wait: the interval is waited with the jitter of an operation's poll (armretry.POLL_JITTER),
        and the command's --timeout (``self.deadline``) ends the wait with exit 5, naming the
        resource and its state: the operation goes on in Azure."""
        from akscli.azure import armretry
        from akscli.errors import WaitTimeoutError

        interval = float(self.client._config.polling_interval)
        last = ""
        if self.deadline is not None:
            self.deadline.left()  # its clock starts with the first wait
        while True:
            found = self._get(path, api)
            state = None if found is None else (found.get("properties") or {}).get("provisioningState")
            if state is None or state in self.arm.TERMINAL_STATES:
                return found
            if progress is not None and state != last:
                progress(f"{what}: {state} (an operation already running), waiting for it")
            last = str(state)
            if self.deadline is not None and self.deadline.passed():
                follow = f"follow it with '{self.follow}', then run the command again" if self.follow else "retry"
                raise WaitTimeoutError(
                    f"{what}: still {state} after {self.deadline.text()}: an operation already running in Azure, "
                    "which akscli stopped waiting for",
                    hint=f"{follow}; nothing was sent",
                )
            wait = interval * armretry.uniform(*armretry.POLL_JITTER)
            if self.deadline is not None:
                wait = min(wait, self.deadline.left())
            armretry.pause(wait)

    def upgrade_info(self, ref: ClusterRef) -> dict[str, Any]:
        """The listing of ``baremetal cluster upgrade --list``, in the shape of AKS's ``cluster upgrade
        --list`` (azure.upgrades.upgrade_info): the name, the current version, the patch upgrades offered,
        and those of them in preview. The hybrid upgrade profile marks a preview version as AKS's does
        (upstream: Azure/azure-rest-api-specs specification/hybridaks/resource-manager/
        Microsoft.HybridContainerService/stable/2024-01-01/examples/ProvisionedClusterInstanceGetUpgradeProfile.json,
        ``controlPlaneProfile.upgrades[]`` of ``{kubernetesVersion, isPreview}``)."""
        self.show(ref)
        current, available, preview = self._upgrades(ref)
        return {"name": ref.name, "currentVersion": current, "availableUpgrades": available, "previewUpgrades": preview}

    def _upgrades(self, ref: ClusterRef) -> tuple[str, list[str], list[str]]:
        """(current version, patch versions offered, newest last, and those of them in preview)."""
        profile = self._get(ref.instance_id + "/upgradeProfiles/default", HYBRID_API) or {}
        cp = (profile.get("properties") or {}).get("controlPlaneProfile") or {}
        current = str(cp.get("kubernetesVersion") or "")
        items = [u for u in cp.get("upgrades") or [] if u.get("kubernetesVersion")]
        available = patch_upgrades(current, [str(u["kubernetesVersion"]) for u in items]) if current else []
        preview = {str(u["kubernetesVersion"]) for u in items if u.get("isPreview")}
        return current, available, [v for v in available if v in preview]

    def check_upgrade(self, ref: ClusterRef, version: str) -> tuple[str, str | None]:
        """Raise UsageError unless ``version`` is a patch upgrade Azure offers; returns the current
        version and the cluster's provisioningState. The version the cluster runs is no error, as for
        ``az aks upgrade`` (upstream:
        Azure/azure-cli 0a1fa21c src/azure-cli/azure/cli/command_modules/acs/custom.py aks_upgrade:
        "The cluster is already on version %s and is not in a failed state. No operations will
        occur", and for a Failed cluster "Proceeding with upgrade to existing version %s to attempt
        resolution of failed cluster state"): AlreadyAtVersion when the cluster is Succeeded (nothing
        to send, exit 0, as akscli's AKS ``cluster upgrade``); in any other state (Failed, Canceled, ...)
        it is sent its own version, as az sends the PUT in every state."""
        version_tuple(version)
        shown = self.show(ref)
        current, available, _preview = self._upgrades(ref)
        check_patch_upgrade(current, version, list_upgrades_command(ref.name, ref.resource_group))
        if current and version_tuple(version) == version_tuple(current, "current version"):
            if AlreadyAtVersion.applies(shown.get("provisioningState")):
                raise AlreadyAtVersion(
                    f"bare-metal cluster {ref.name} is already at {current}; nothing to upgrade",
                    hint=f"{list_upgrades_command(ref.name, ref.resource_group)} lists the newer patches",
                )
            return current, shown.get("provisioningState")
        if version not in available:
            raise UsageError(
                f"{version} is not offered for {ref.name} (running {current})",
                hint="available patch upgrades: " + (", ".join(available) or "none"),
            )
        return current, shown.get("provisioningState")

    def upgrade_request(self, ref: ClusterRef, version: str, current: str | None = None) -> ArmRequest:
        """The PUT that upgrades the cluster: its instance as Azure has it now, with the new version.

        The instance has no eTag and its PUT takes no If-Match, and there is no PATCH: the PUT
        replaces the whole instance (upstream: Azure/azure-rest-api-specs dcbaa55c specification/
        hybridaks/resource-manager/Microsoft.HybridContainerService/preview/2024-09-01-preview/
        openapi.json, ProvisionedCluster is a ProxyResource with no eTag, ProvisionedClusters_
        CreateOrUpdate has no if-match parameter, the path has get/put/delete only; the TypeSpec
        ProvisionedCluster.tsp, createOrUpdate is ArmResourceCreateOrReplaceAsync). Azure PowerShell
        upgrades it the same way: a GET, then the PUT of what it read with the new version
        (Azure/azure-powershell src/AksArc/AksArc.Autorest/custom/Invoke-AzAksArcClusterUpgrade.ps1
        calls the generated Update-AzAksArcCluster, which GETs and PUTs, as
        generated/cmdlets/UpdateAzAksArcNodepool_UpdateViaIdentityExpanded.cs shows).

        So the body is read right before it is sent (the command calls this after its
        confirmation): a change made to the instance while the user answered is carried, not
        replaced. ``current``: the version the user confirmed the upgrade from; when the instance no
        longer runs it (another upgrade came first), ConflictError (exit 4) and nothing is sent."""
        from akscli.errors import ConflictError

        instance = self._get(ref.instance_id, HYBRID_API) or {}
        props = instance.get("properties") or {}
        now = str(props.get("kubernetesVersion") or "")
        if current is not None and not _same_version(now, current):
            raise ConflictError(
                f"bare-metal cluster {ref.name} changed in Azure after akscli read it: it runs "
                f"{now or 'no version'} now, not {current}; nothing was sent",
                hint=f"see it with 'akscli baremetal cluster show {ref.name} -g {ref.resource_group}', "
                "then run the command again",
            )
        body: dict[str, Any] = {
            "extendedLocation": instance.get("extendedLocation"),
            "properties": {k: v for k, v in props.items() if k not in ("provisioningState", "status")},
        }
        body["properties"]["kubernetesVersion"] = version
        return ArmRequest(f"upgrading {ref.name} to {version}", "PUT", ref.instance_id, HYBRID_API, body)

    def send(self, request: ArmRequest, progress: Callable[[str], None] | None = None) -> Any:
        """Send one request, waiting for its long-running operation."""
        return self._wait(request.method, request.path, request.api, request.body, request.what, progress)

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

    def delete_requests(self, ref: ClusterRef) -> list[ArmRequest]:
        """The DELETEs of ``delete``, in order (reads what exists): the instance, the connected
        cluster (its extensions go with it) and the logical network create made for it; the
        device pool stays (it holds the edge machine's custom location)."""
        self.show(ref)
        requests = []
        if self._get(ref.instance_id, HYBRID_API) is not None:
            requests.append(ArmRequest(f"removing Kubernetes from {ref.name}", "DELETE", ref.instance_id, HYBRID_API))
        requests.append(ArmRequest(f"deleting connected cluster {ref.name}", "DELETE", ref.connected_id, CONNECTED_API))
        lnet = (
            f"/subscriptions/{ref.subscription}/resourceGroups/{ref.resource_group}"
            f"/providers/Microsoft.AzureStackHCI/logicalNetworks/{ref.name}-lnet"
        )
        found = self._get(lnet, LNET_API)
        if found is not None and (found.get("tags") or {}).get("aks-arc-cluster") == ref.name:
            requests.append(ArmRequest(f"deleting logical network {ref.name}-lnet", "DELETE", lnet, LNET_API))
        return requests


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
