"""Small helpers shared by the Azure tests."""

from __future__ import annotations

from tests.emulators.arm import DEFAULT_SUBSCRIPTION, ArmEmulator

RG = "rg-ml"
BASE = f"/subscriptions/{DEFAULT_SUBSCRIPTION}/resourceGroups/{RG}/providers/Microsoft.ContainerService"


def cluster_id(name: str, rg: str = RG) -> str:
    provider = "providers/Microsoft.ContainerService"
    return f"/subscriptions/{DEFAULT_SUBSCRIPTION}/resourceGroups/{rg}/{provider}/managedClusters/{name}"


def seed_cluster(
    emu: ArmEmulator,
    name: str = "aks1",
    rg: str = RG,
    pools: list[dict] | None = None,
    version: str = "1.33.5",
    **props: object,
) -> str:
    """Store a ready cluster (and its agentPools children) directly, as if created earlier."""
    rid = cluster_id(name, rg)
    pools = pools or [{"name": "system", "mode": "System", "count": 3, "vmSize": "Standard_D4ds_v5"}]
    profiles = []
    for p in pools:
        prof = {
            "osType": "Linux",
            "orchestratorVersion": version,
            "currentOrchestratorVersion": version,
            "provisioningState": "Succeeded",
            "powerState": {"code": "Running"},
            **p,
        }
        profiles.append(prof)
        emu.put_resource(
            f"{rid}/agentPools/{p['name']}", {"properties": {k: v for k, v in prof.items() if k != "name"}}
        )
    emu.put_resource(
        rid,
        {
            "location": "eastus",
            "sku": {"name": "Base", "tier": "Free"},
            "properties": {
                "kubernetesVersion": version,
                "currentKubernetesVersion": version,
                "dnsPrefix": f"{name}-dns",
                "fqdn": f"{name}-dns-abc.hcp.eastus.azmk8s.io",
                "powerState": {"code": "Running"},
                "aadProfile": {"managed": True, "enableAzureRBAC": True},
                "agentPoolProfiles": profiles,
                **props,
            },
        },
    )
    return rid
