"""Small helpers shared by the Azure tests."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

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
    """Store a ready cluster (and its agentPools children) directly, as if created earlier: with what
    AKS fills in of a cluster it created, as the official GET answer has it (upstream:
    Azure/azure-rest-api-specs aks/stable/2026-08-01 examples/ManagedClustersGet.json: networkProfile,
    nodeResourceGroup, azurePortalFQDN, maxAgentPools, enableRBAC; a pool's maxPods and
    nodeImageVersion, AgentPoolsGet.json), the network being the one the ARM emulator gives a cluster
    created without one (aksrules.created_network; a ``networkProfile`` given is filled in as AKS fills
    the one sent), and from Kubernetes 1.34 the OIDC issuer AKS turns on by default (aksoidc.py)."""
    from tests.emulators.arm import aks_versions, aksoidc, aksrules

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
            "maxPods": 250 if p.get("type") == "VirtualMachines" else 110,
            "nodeImageVersion": aks_versions.NODE_IMAGE,
            **p,
        }
        profiles.append(prof)
        emu.put_resource(
            f"{rid}/agentPools/{p['name']}", {"properties": {k: v for k, v in prof.items() if k != "name"}}
        )
    network = dict(props.pop("networkProfile", None) or {})  # type: ignore[call-overload]
    aksrules.created_network(network)
    if tuple(int(x) for x in version.split(".")[:2]) >= aksoidc.DEFAULT_FROM:
        props.setdefault("oidcIssuerProfile", {"enabled": True})  # on by default from 1.34 (aksoidc.py)
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
                "azurePortalFQDN": f"{name}-dns-abc.portal.hcp.eastus.azmk8s.io",
                "nodeResourceGroup": f"MC_{rg}_{name}_eastus",
                "enableRBAC": True,
                "maxAgentPools": 100,
                "powerState": {"code": "Running"},
                "aadProfile": {"managed": True, "enableAzureRBAC": True},
                "agentPoolProfiles": profiles,
                "networkProfile": network,
                **props,
            },
        },
    )
    aksoidc.on_put_done(emu, rid, emu.get_resource(rid) or {})
    return rid


def record_pauses(monkeypatch: pytest.MonkeyPatch, record: Callable[[float], None]) -> None:
    """akscli's ARM retry waits (akscli.azure.armretry.pause) go to ``record`` instead of sleeping,
    for the threads of this test. A thread an earlier test left running keeps sleeping for real: its
    retries are not this test's waits (akscli leaves no azure-core LROPoller thread behind: --no-wait
    starts none, a cut wait stops its own; tests/azure/test_arm_poller_threads.py)."""
    from akscli.azure import armretry

    earlier = set(threading.enumerate())
    sleep = armretry.pause

    def pause(seconds: float) -> None:
        thread = threading.current_thread()
        left_running = thread in earlier and thread is not threading.main_thread()
        if left_running:
            sleep(seconds)
        else:
            record(seconds)

    monkeypatch.setattr(armretry, "pause", pause)


def entra_flag() -> tuple[str, ...]:
    """kubelogin's --authority-host naming the ARM emulator's Entra (the ``azure_env`` fixture's
    AZURE_AUTHORITY_HOST): ``akscli token`` reads that variable only in workloadidentity mode, as
    kubelogin does (Azure/kubelogin pkg/internal/token/options.go UpdateFromEnv), so a test of any
    other mode names the host on the exec line, as ``akscli cluster credentials`` writes it. None
    outside the fixture."""
    import os

    host = os.environ.get("AZURE_AUTHORITY_HOST", "")
    return ("--authority-host", host.rstrip("/") + "/") if host else ()


def add_kaito_pool(
    cluster: str = "aks1",
    *,
    workspace: str = "phi-4",
    namespace: str = "default",
    claim: str = "ws585c05ed9",
    size: str = "Standard_NC24ads_A100_v4",
    rg: str = RG,
) -> str:
    """PUT, through the ARM emulator's agentPools route, the agent pool KAITO's gpu-provisioner PUTs for a
    Workspace's NodeClaim ``claim`` (its name), as AKS then holds it. The body is the kube emulator's
    simulator's (kaito_gpu_provisioner.agent_pool: Azure/gpu-provisioner c09a56c0 pkg/providers/instance/
    instance.go newAgentPoolObject, createAgentPool) for the NodeClaim KAITO makes
    (kaito_gpu_provisioner.manifest), so both emulators hold the same pool."""
    from akscli.azure import arm, clusters
    from akscli.azure.arm import AzureTarget
    from tests.emulators.kube.controllers import kaito_gpu_provisioner

    ws = {
        "metadata": {"name": workspace, "namespace": namespace},
        "resource": {"instanceType": size, "labelSelector": {"matchLabels": {"apps": workspace}}},
        "inference": {"preset": {"name": "phi-4"}},
    }
    nodeclaim = kaito_gpu_provisioner.manifest(ws, claim, {"apps": workspace})
    nodeclaim["metadata"]["creationTimestamp"] = "2026-12-07T10:00:00Z"
    body = {"properties": kaito_gpu_provisioner.agent_pool(nodeclaim)["properties"]}
    c = clusters.client(AzureTarget())
    put = arm.call("put", lambda: c.agent_pools.begin_create_or_update(rg, cluster, claim, body))  # type: ignore[arg-type]
    arm.wait_lro(put, "put")
    return claim
