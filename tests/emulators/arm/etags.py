"""Optimistic concurrency on ARM writes: every resource's eTag, and the If-Match / If-None-Match
headers of PUT, PATCH and DELETE checked against it.

upstream: Azure/azure-resource-manager-rpc 69e229f v1.0/Addendum.md "ETags for Resources": the
resource provider stores and validates eTags; the tables there say which status each header gives
(a PUT with If-Match on a missing resource is 412, a PATCH on one 404, a DELETE on one 204 whatever
the headers; a mismatch on an existing one is 412; If-None-Match "*" on an existing one is 412).

AKS's own rules (upstream: MicrosoftDocs/azure-aks-docs fb060abe articles/aks/use-etags.md): an
eTag per managed cluster and per agent pool (an agent pool's in its properties, as the 2026-08-01
spec's ManagedClusterAgentPoolProfileProperties.eTag); "When you perform a cluster-level operation,
both the cluster-level eTag and agent pool eTag are updated. When you perform an agent pool
operation, only the agent pool eTag is updated"; If-None-Match "can only be empty or take a value of
`*`" and both headers together are refused, each as a BadRequest "prevalidation" failure; a
mismatch or an existing resource under If-None-Match "*" is `PreConditionFailed`. Neither source
publishes AKS's message texts: those here are the emulator's own.
"""

from __future__ import annotations

import time
import uuid
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.emulators.arm.server import ArmEmulator

MC = "microsoft.containerservice/managedclusters"
AP = "microsoft.containerservice/managedclusters/agentpools"
# A fleet member always has its eTag (upstream: Azure/azure-rest-api-specs 1713bce8 .../fleet/fleetmember.tsp,
# FleetMember `...EntityTagProperty`; examples FleetMembers_Get.json and FleetMembers_Create.json "eTag").
MEMBER = "microsoft.containerservice/fleets/members"
# Types whose spec has no eTag: a provisioned cluster instance (AKS on bare metal / Arc) is a
# ProxyResource with none, and its PUT takes no If-Match (upstream: Azure/azure-rest-api-specs
# dcbaa55c specification/hybridaks/resource-manager/Microsoft.HybridContainerService/preview/
# 2024-09-01-preview/openapi.json, definitions ProvisionedCluster and ProvisionedClusters_CreateOrUpdate).
NO_ETAG = ("microsoft.hybridcontainerservice/provisionedclusterinstances",)


def is_aks(type_name: str) -> bool:
    return type_name.lower() in (MC, AP)


def holder(type_name: str, obj: dict[str, Any]) -> dict[str, Any]:
    """Where a resource keeps its eTag: an agent pool in its properties, the rest at the top."""
    return obj.setdefault("properties", {}) if type_name.lower() == AP else obj


def current(type_name: str, obj: dict[str, Any] | None) -> str | None:
    if obj is None:
        return None
    value = (obj.get("properties") or {}).get("eTag") if type_name.lower() == AP else obj.get("eTag")
    return str(value) if value is not None else None


def new(type_name: str) -> str:
    """A fresh eTag. AKS's are bare GUIDs (use-etags.md: "5e5ffdce-356b-431b-b050-81b45eef2a12");
    other types keep the emulator's quoted counter."""
    return str(uuid.uuid4()) if is_aks(type_name) else f'"{time.time_ns():x}"'


def stamp(type_name: str, obj: dict[str, Any]) -> None:
    """A write changed the resource: it gets a new eTag, unless its type has none (NO_ETAG)."""
    if type_name.lower() in NO_ETAG:
        return
    holder(type_name, obj)["eTag"] = new(type_name)


def ensure(emu: ArmEmulator, resource_id: str, type_name: str, obj: dict[str, Any]) -> None:
    """A resource stored directly (tests seeding a world) has an eTag as one ARM wrote would; a
    cluster's agentPoolProfiles carry their pools' (ManagedClustersGet.json shows both), and a fleet
    member its own (MEMBER)."""
    if type_name.lower() == MEMBER:
        obj.setdefault("eTag", new(type_name))
        return
    if not is_aks(type_name):
        return
    if current(type_name, obj) is None:
        stamp(type_name, obj)
    if type_name.lower() == MC:
        for profile in (obj.get("properties") or {}).get("agentPoolProfiles") or []:
            child = emu.get_resource(f"{resource_id}/agentPools/{profile.get('name')}")
            profile["eTag"] = current(AP, child) or profile.get("eTag") or new(AP)


def _header(headers: dict[str, str], name: str) -> str | None:
    value = next((v for k, v in headers.items() if k.lower() == name.lower()), None)
    return value if value else None  # an empty header is no condition (the RPC's "" / absent row)


def check(
    method: str, resource_id: str, type_name: str, existing: dict[str, Any] | None, headers: dict[str, str]
) -> None:
    """Raise the ArmError ARM answers to a write whose If-Match / If-None-Match does not hold."""
    from tests.emulators.arm.server import ArmError

    if_match, if_none_match = _header(headers, "If-Match"), _header(headers, "If-None-Match")
    aks = is_aks(type_name)
    if aks and if_none_match is not None and if_none_match != "*":
        raise ArmError(400, "BadRequest", f"The If-None-Match header can only be empty or '*', not '{if_none_match}'.")
    if aks and if_match is not None and if_none_match == "*":
        raise ArmError(400, "BadRequest", "The If-Match and If-None-Match headers cannot be used together.")
    if existing is None and method in ("PATCH", "DELETE"):
        return  # 404 and 204 whatever the headers (the route answers them)
    code = "PreConditionFailed" if aks else "PreconditionFailed"
    name = resource_id.rstrip("/").rsplit("/", 1)[-1]
    if method == "PUT" and existing is not None and if_none_match == "*":
        raise ArmError(412, code, f"The resource '{name}' already exists.")
    if if_match is None:
        return
    if existing is None:
        raise ArmError(412, code, f"The resource '{name}' does not exist, and If-Match asks for one.")
    etag = current(type_name, existing)
    if if_match != "*" and if_match != etag:
        raise ArmError(412, code, f"The If-Match eTag does not match the latest eTag of '{name}'; GET it again.")
