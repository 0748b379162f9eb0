"""The Kubernetes versions the ARM emulator's AKS offers and the upgrades between them: the patch a
version or minor resolves to (VersionNotSupported otherwise), the upgrades from a version (newer
patches up to the next minor), a cluster's and a pool's upgradeProfiles/default (a pool never past
its control plane; the latest node image) and the location's kubernetesVersions list. Response
shapes follow ../shared/data/arm-examples/containerservice-2026-08-01 (AgentPoolsGetUpgradeProfile.json,
KubernetesVersions_List.json), the official examples of Azure/azure-rest-api-specs
specification/containerservice/resource-manager/Microsoft.ContainerService/aks/stable/2026-08-01/examples.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.emulators.arm.server import ArmError

if TYPE_CHECKING:
    from tests.emulators.arm.server import ArmEmulator

# minor -> patch versions offered, newest last; the default minor is marked in DEFAULT_MINOR.
VERSIONS: dict[str, list[str]] = {
    "1.32": ["1.32.6", "1.32.9"],
    "1.33": ["1.33.3", "1.33.5"],
    "1.34": ["1.34.1", "1.34.2"],
}
DEFAULT_MINOR = "1.33"
NODE_IMAGE = "AKSAzureLinux-V3gen2-202611.10.0"


def resolve_version(v: str | None) -> str:
    v = v or DEFAULT_MINOR
    if v in VERSIONS:
        return VERSIONS[v][-1]
    for patches in VERSIONS.values():
        if v in patches:
            return v
    raise ArmError(
        400,
        "VersionNotSupported",
        f"Version {v} is not supported in this region. Please use [az aks get-versions] "
        "command to get the supported version list in this region.",
    )


def _all_patches() -> list[str]:
    return [p for ps in VERSIONS.values() for p in ps]


def _vkey(v: str) -> tuple[int, ...]:
    return tuple(int(x) for x in v.split("."))


def upgrades_from(v: str) -> list[str]:
    cur = _vkey(v)
    return [p for p in _all_patches() if _vkey(p) > cur and _vkey(p)[1] <= cur[1] + 1]


def _upgrade_profile(emu: ArmEmulator, rid: str, obj: dict[str, Any], query: dict[str, list[str]]) -> dict[str, Any]:
    props = obj["properties"]
    cur = props["currentKubernetesVersion"]
    return {
        "id": f"{rid}/upgradeprofiles/default",
        "name": "default",
        "type": "Microsoft.ContainerService/managedClusters/upgradeprofiles",
        "properties": {
            "controlPlaneProfile": {
                "name": "master",
                "kubernetesVersion": cur,
                "osType": "Linux",
                "upgrades": [{"kubernetesVersion": v} for v in upgrades_from(cur)],
            },
            "agentPoolProfiles": [
                {
                    "name": p["name"],
                    "kubernetesVersion": p.get("currentOrchestratorVersion", cur),
                    "osType": "Linux",
                    "upgrades": [
                        {"kubernetesVersion": v}
                        for v in upgrades_from(p.get("currentOrchestratorVersion", cur))
                        if _vkey(v) <= _vkey(cur)
                    ],
                }
                for p in props.get("agentPoolProfiles", [])
            ],
        },
    }


def _pool_upgrade_profile(
    emu: ArmEmulator, rid: str, obj: dict[str, Any], query: dict[str, list[str]]
) -> dict[str, Any]:
    cluster = emu.get_resource(rid.rsplit("/", 2)[0]) or {"properties": {}}
    cp = cluster["properties"].get("currentKubernetesVersion", "0.0.0")
    cur = obj["properties"].get("currentOrchestratorVersion", cp)
    return {
        "id": f"{rid}/upgradeprofiles/default",
        "name": "default",
        "type": "Microsoft.ContainerService/managedClusters/agentPools/upgradeProfiles",
        "properties": {
            "kubernetesVersion": cur,
            "latestNodeImageVersion": NODE_IMAGE,
            "osType": "Linux",
            "upgrades": [{"kubernetesVersion": v} for v in upgrades_from(cur) if _vkey(v) <= _vkey(cp)],
        },
    }


def _kubernetes_versions(emu: ArmEmulator, path: str, query: dict[str, list[str]], body: bytes) -> tuple[int, Any]:
    values = []
    for minor, patches in VERSIONS.items():
        entry: dict[str, Any] = {
            "version": minor,
            "capabilities": {"supportPlan": ["KubernetesOfficial", "AKSLongTermSupport"]},
            "patchVersions": {p: {"upgrades": upgrades_from(p)} for p in patches},
        }
        if minor == DEFAULT_MINOR:
            entry["isDefault"] = True
        values.append(entry)
    return 200, {"values": values}
