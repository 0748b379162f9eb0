"""Every ARM write akscli makes, with its flags, checked against the published API of its
api-version: each property path must exist in the spec's model for that request, and each enum value
must be one of the spec's. The models are the official SDKs' (generated from
Azure/azure-rest-api-specs: azure-mgmt-containerservice 41.8.0 for AKS 2026-08-01,
azure-mgmt-containerservicefleet 4.0.0 for Fleet 2026-06-01; tests/emulators/arm/schema.py). The
bodies come from each command's --dry-run, which prints the exact request (method, URL with its
api-version, body) that the real command sends."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.azure.helpers import seed_cluster
from tests.cli import invoke
from tests.emulators.arm import baremetal, schema
from tests.emulators.arm.server import ArmEmulator, ArmError
from tests.fleet import armworld

AKS_API = "2026-08-01"
FLEET_API = "2026-06-01"

# (method, URL path ending, api-version, SDK models, model of the body): the operation's body
# parameter in the spec (ManagedClusters_CreateOrUpdate: ManagedCluster; ManagedClusters_UpdateTags:
# TagsObject; AgentPools_CreateOrUpdate: AgentPool; the Fleet operations of fleet/*.tsp).
_OPERATIONS: list[tuple[str, str, str, str]] = [
    ("PUT", r"/managedClusters/[^/]+$", AKS_API, "ManagedCluster"),
    ("PATCH", r"/managedClusters/[^/]+$", AKS_API, "TagsObject"),
    ("PUT", r"/managedClusters/[^/]+/agentPools/[^/]+$", AKS_API, "AgentPool"),
    ("PUT", r"/fleets/[^/]+$", FLEET_API, "Fleet"),
    ("PUT", r"/fleets/[^/]+/members/[^/]+$", FLEET_API, "FleetMember"),
    ("PATCH", r"/fleets/[^/]+/members/[^/]+$", FLEET_API, "FleetMemberUpdate"),
    ("PUT", r"/fleets/[^/]+/updateStrategies/[^/]+$", FLEET_API, "FleetUpdateStrategy"),
    ("PUT", r"/fleets/[^/]+/updateRuns/[^/]+$", FLEET_API, "UpdateRun"),
    ("POST", r"/fleets/[^/]+/updateRuns/[^/]+/skip$", FLEET_API, "SkipProperties"),
    ("PUT", r"/fleets/[^/]+/autoUpgradeProfiles/[^/]+$", FLEET_API, "AutoUpgradeProfile"),
    ("PATCH", r"/fleets/[^/]+/gates/[^/]+$", FLEET_API, "GatePatch"),
]


# AKS on bare metal: api-versions no installed SDK has. The shapes are the ARM emulator's, each
# transcribed from its spec (tests/emulators/arm/baremetal.py names them: devicePool.tsp,
# logicalNetworks.json, connectedClusters.json, hybridaks 2024-09-01-preview openapi.json, ...).
_BAREMETAL_OPERATIONS: list[tuple[str, str, str, baremetal.Schema, str]] = [
    ("PUT", r"/Microsoft\.AzureStackHCI/devicePools/[^/]+$", "2024-11-01-preview", baremetal.DEVICE_POOL_PROPERTIES,
     "DevicePool"),
    ("PUT", r"/Microsoft\.Authorization/roleAssignments/[^/]+$", "2022-04-01", baremetal.ROLE_PROPERTIES,
     "RoleAssignment"),
    ("PUT", r"/Microsoft\.AzureStackHCI/logicalNetworks/[^/]+$", "2024-01-01", baremetal.LNET_PROPERTIES,
     "LogicalNetwork"),
    ("PUT", r"/Microsoft\.Kubernetes/connectedClusters/[^/]+$", "2024-01-01", baremetal.CONNECTED_PROPERTIES,
     "ConnectedCluster"),
    ("PUT", r"/provisionedClusterInstances/default$", "2024-09-01-preview", baremetal.PCI_PROPERTIES,
     "ProvisionedCluster"),
    ("PUT", r"/Microsoft\.KubernetesConfiguration/extensions/[^/]+$", "2023-05-01", baremetal.EXTENSION_PROPERTIES,
     "Extension"),
]  # fmt: skip


def _api_of(url: str, api: str) -> None:
    assert f"api-version={api}" in url.partition("?")[2], f"{url}: not the api-version the models are for ({api})"


def _model_of(method: str, url: str) -> tuple[ModuleType, str]:
    path = url.partition("?")[0]
    for m, rx, api, model in _OPERATIONS:
        if m == method and re.search(rx, path):
            _api_of(url, api)
            return (schema.aks_models() if api == AKS_API else schema.fleet_models()), model
    raise AssertionError(f"{method} {url}: a write with a body this test has no model for; add it to _OPERATIONS")


def has_model(method: str, url: str) -> bool:
    """Whether a write with a body to this URL has a published model here (either table)."""
    path = url.partition("?")[0]
    return any(m == method and re.search(rx, path) for m, rx, *_ in [*_OPERATIONS, *_BAREMETAL_OPERATIONS])


def _baremetal_problems(method: str, url: str, body: dict[str, Any]) -> list[str] | None:
    path = url.partition("?")[0]
    for m, rx, api, properties, what in _BAREMETAL_OPERATIONS:
        if m == method and re.search(rx, path):
            _api_of(url, api)
            try:
                baremetal.check(baremetal.ENVELOPE, body, what)
                baremetal.check(properties, body.get("properties") or {}, what, "properties")
            except ArmError as e:
                return [e.message]
            return []
    return None


def _problems(request: dict[str, Any]) -> list[str]:
    body = request.get("body") or {}
    found = _baremetal_problems(request["method"], request["url"], body)
    if found is not None:
        return found
    module, model = _model_of(request["method"], request["url"])
    return schema.problems(module, model, body, strict=True)


def _dry_run(*args: str) -> list[dict[str, Any]]:
    result = invoke(*args, "--dry-run", "-o", "json")
    assert result.exit_code == 0, result
    out = json.loads(result.stdout)
    requests = out if isinstance(out, list) else [out]
    assert requests, "the dry run printed no request"
    return requests


# Each command as typed (shlex-split); RG is rg-ml, the cluster aks1 (seed_cluster).
AKS_WRITES = {
    "automatic": "cluster create new1 -g rg-ml",
    "automatic, kaito, tags": "cluster create new1 -g rg-ml --enable-kaito --tags team=ml",
    "base, every flag": "cluster create new1 -g rg-ml --sku base --tier standard --node-provisioning auto"
    " --os-sku AzureLinux --system-count 3 --system-vm-size Standard_D4ds_v5 --zones 1 --zones 2 --no-azure-rbac"
    " --local-accounts -k 1.33",
    "base, manual provisioning, Ubuntu2404": "cluster create new1 -g rg-ml --sku base --node-provisioning manual"
    " --os-sku Ubuntu2404",
    "lower-case values": "cluster create new1 -g rg-ml --sku base --tier premium --node-provisioning AUTO"
    " --os-sku azurelinux",
    "upgrade": "cluster upgrade aks1 -g rg-ml -k 1.34.2",
    "upgrade, control plane only": "cluster upgrade aks1 -g rg-ml -k 1.34.2 --control-plane-only",
    "pool, GPU, autoscaler, MIG": "nodepool add gpu -c aks1 -g rg-ml --gpu a100 --min 0 --max 4"
    " --gpu-instance-profile MIG2g",
    "pool, GPU, no driver, labels, taint": "nodepool add gpu -c aks1 -g rg-ml --gpu h100 --gpus-per-node 8"
    " --gpu-driver none --labels a=b --taint k=v:NoSchedule",
    "pool, GPU, driver install": "nodepool add gpu -c aks1 -g rg-ml --gpu t4 --gpu-driver install",
    "pool, spot, zones, os sku, version": "nodepool add spot -c aks1 -g rg-ml --vm-size Standard_D8ds_v5 --spot"
    " --spot-max-price -1 --zones 1,2 --os-sku Ubuntu2204 -k 1.33.5",
    "pool, spot, no price": "nodepool add spot -c aks1 -g rg-ml --vm-size Standard_D8ds_v5 --spot",
    "pool, System": "nodepool add sys2 -c aks1 -g rg-ml --vm-size Standard_D4ds_v5 --mode System",
    "pool, lower-case values": "nodepool add gpu -c aks1 -g rg-ml --gpu a100 --gpu-instance-profile mig3g"
    " --mode user --os-sku ubuntu2404 --gpu-driver NONE",
    "scale": "nodepool scale system -c aks1 -g rg-ml --count 5",
    "scale, autoscaler": "nodepool scale system -c aks1 -g rg-ml --min 1 --max 5",
    "scale, autoscaler off": "nodepool scale system -c aks1 -g rg-ml --count 2 --disable-autoscaler",
    "pool upgrade": "nodepool upgrade system -c aks1 -g rg-ml -k 1.34.2 --max-surge 33% --drain-timeout 60"
    " --node-soak-duration 10 --undrainable-node-behavior Cordon",
    "pool, upgrade settings": "nodepool add gpu -c aks1 -g rg-ml --vm-size Standard_D8ds_v5 --drain-timeout 45"
    " --node-soak-duration 5 --undrainable-node-behavior schedule",
    "pool update": "nodepool update system -c aks1 -g rg-ml --labels team=ml --taint CriticalAddonsOnly=true:NoSchedule"
    " --max-surge 1 --drain-timeout 60",
    "cluster update": "cluster update aks1 -g rg-ml --enable-kaito --tier standard --tags team=ml --no-local-accounts"
    " --auto-upgrade-channel node-image --node-os-upgrade-channel SecurityPatch",
    "cluster update, node provisioning": "cluster update aks1 -g rg-ml --node-provisioning auto",
    "automatic, hosted system, location, azure rbac": "cluster create new1 -g rg-ml --sku automatic --hosted-system"
    " --location westus3 --azure-rbac",
    "pool, managed GPU": "nodepool add gpu -c aks1 -g rg-ml --gpu a100 --enable-managed-gpu",
    "pool, GPU, no taint, autoscaler": "nodepool add gpu -c aks1 -g rg-ml --gpu t4 --no-gpu-taint"
    " --enable-cluster-autoscaler --min 1 --max 3",
    "pool update, max unavailable": "nodepool update user1 -c aks1 -g rg-ml --max-unavailable 1",
    "pool update, mode": "nodepool update user1 -c aks1 -g rg-ml --mode System",
    "pool upgrade, max unavailable": "nodepool upgrade user1 -c aks1 -g rg-ml -k 1.34.2 --max-unavailable 1"
    " --max-surge 0",
}
# A System pool and a User pool user1 (AKS takes maxUnavailable on a User pool only: azure/poolupdate.py).
_USER_POOL = [
    {"name": "system", "mode": "System", "count": 3, "vmSize": "Standard_D4ds_v5"},
    {"name": "user1", "mode": "User", "count": 2, "vmSize": "Standard_D4ds_v5"},
]
# The pool upgrade needs the control plane there first.
CONTROL_PLANE = {
    "pool update, max unavailable": {"pools": _USER_POOL},
    "pool upgrade": {"kubernetesVersion": "1.34.2", "currentKubernetesVersion": "1.34.2"},
    "pool update, mode": {"pools": _USER_POOL},
    "pool upgrade, max unavailable": {
        "pools": _USER_POOL,
        "kubernetesVersion": "1.34.2",
        "currentKubernetesVersion": "1.34.2",
    },
    # node auto-provisioning needs Azure CNI (azure/clusterupdate.py _check_nap)
    "cluster update, node provisioning": {
        "networkProfile": {"networkPlugin": "azure", "networkPluginMode": "overlay", "outboundType": "loadBalancer"}
    },
}


@pytest.mark.parametrize("case", list(AKS_WRITES))
def test_every_aks_write_body_is_in_the_published_api(azure_env: ArmEmulator, case: str) -> None:
    seed_cluster(azure_env, **CONTROL_PLANE.get(case, {}))
    for request in _dry_run(*shlex.split(AKS_WRITES[case])):
        assert _problems(request) == []


def _read_only(request: dict[str, Any]) -> list[str]:
    module, model = _model_of(request["method"], request["url"])
    return schema.read_only_paths(module, model, request.get("body") or {})


CREATES = [case for case, line in AKS_WRITES.items() if line.split()[1] in ("create", "add")]


@pytest.mark.parametrize("case", CREATES)
def test_a_create_body_carries_nothing_the_spec_marks_read_only(azure_env: ArmEmulator, case: str) -> None:
    seed_cluster(azure_env)
    for request in _dry_run(*shlex.split(AKS_WRITES[case])):
        assert _read_only(request) == []


@pytest.mark.parametrize("case", [case for case in AKS_WRITES if case not in CREATES])
def test_a_read_change_put_body_carries_nothing_the_spec_marks_read_only(azure_env: ArmEmulator, case: str) -> None:
    # What a GET read and the command sends back (cluster update and upgrade, pool scale, update and
    # upgrade): the SDK leaves read-only properties out of a model it sends (clusters.put_back); the dry run
    # prints that same body.
    seed_cluster(azure_env, **CONTROL_PLANE.get(case, {}))
    for request in _dry_run(*shlex.split(AKS_WRITES[case])):
        if request.get("body"):
            assert _read_only(request) == []


# The fleet is ml-fleet in rg-fleet (armworld), with the AKS member gpu in update group cloud.
F = "--fleet ml-fleet -g rg-fleet"
FLEET_WRITES = {
    "fleet": "fleet create fl2 -g rg-fleet --dns-prefix fl2 --hub-vm-size Standard_D4s_v4",
    "fleet, no hub": "fleet create fl2 -g rg-fleet --no-hub",
    "member join": f"fleet member join m1 {F} --cluster aks-gpu --labels a=b --update-group g",
    "member update": f"fleet member update gpu {F} --update-group canary --labels tier=gpu",
    "strategy": f"fleet rollout strategy create s1 {F} --stage 'canary;groups=cloud;max=50%;before=approval;"
    "after=wait:1h' --stage 'prod;groups=cloud2;after=approval'",
    "run": f"fleet rollout create up-1 {F} -k 1.34.2 --node-image-selection Consistent --stage 'one;groups=cloud'",
    "run, node image only": f"fleet rollout create up-1 {F} --upgrade-type NodeImageOnly",
    "lower-case values": f"fleet rollout create up-2 {F} --upgrade-type nodeimageonly"
    " --node-image-selection consistent",
    "auto-upgrade": f"fleet autoupgrade create au {F} --channel TargetKubernetesVersion"
    " --target-kubernetes-version 1.34 --disabled",
    "auto-upgrade, lower-case": f"fleet autoupgrade create au {F} --channel stable --node-image-selection consistent",
    "auto-upgrade, node image": f"fleet autoupgrade create au {F} --channel NodeImage"
    " --node-image-selection Consistent",
    "skip": f"fleet rollout skip up-1 {F} --target Member:gpu --target Group:cloud --target Stage:one"
    " --target AfterStageWait:one",
}
A = shlex.split(F)


@pytest.mark.parametrize("case", list(FLEET_WRITES))
def test_every_fleet_write_body_is_in_the_published_api(azure_env: ArmEmulator, case: str) -> None:
    armworld.make_fleet(azure_env)
    # One AKS member (update runs refuse Arc-enabled members; tested elsewhere).
    armworld.seed_member(azure_env, "gpu", armworld.aks_id(azure_env, "aks-gpu"), "cloud")
    for request in _dry_run(*shlex.split(FLEET_WRITES[case])):
        assert _problems(request) == []
        assert _read_only(request) == []


# The approval's gate must be pending first (pending_gate).
APPROVE = f"fleet approve up-1 {F}"


def test_an_approval_gate_patch_is_in_the_published_api(azure_env: ArmEmulator) -> None:
    from tests.fleet.test_arm_run_dry_run import pending_gate

    pending_gate(azure_env, "g1", "up-1")
    for request in _dry_run(*shlex.split(APPROVE)):
        assert _problems(request) == []


# The edge machine edge-gpu-01 in rg-edge (Purposed), the key id.pub in the working folder; the upgrade
# of a cluster edge1 that create made, on 1.34.2 (baremetal_world).
ADMINS = "6f1e4a0b-3c2d-4e5f-8a9b-0c1d2e3f4a5b"
BM = f"-g rg-edge --edge-machine edge-gpu-01 --ssh-key id.pub --admin-group {ADMINS}"
WORKSPACE = "/subscriptions/0/resourceGroups/rg-mon/providers/Microsoft.OperationalInsights/workspaces/ws1"
BAREMETAL_WRITES = {
    "create": f"baremetal cluster create edge2 {BM}",
    "create, every flag": f"baremetal cluster create edge2 {BM} -k 1.34.3 --control-plane-ip 10.0.0.5"
    f" --device-pool pool-1 --custom-location cl-1 --no-azure-rbac --log-analytics-workspace {WORKSPACE}",
    "upgrade": "baremetal cluster upgrade edge1 -g rg-edge -k 1.34.3 -y",
}


def baremetal_world(emu: ArmEmulator, folder: Path) -> None:
    """An edge machine and a cluster edge1 on it, on 1.34.2 with 1.34.3 offered (the versions the ARM
    emulator offers, tests/emulators/arm/hybrid.py VERSIONS); folder holds id.pub."""
    from tests.baremetal.test_clusters import KEY, create, instance_id
    from tests.emulators.arm.baremetal import edge_machine

    (folder / "id.pub").write_text(KEY + "\n")
    edge_machine(emu, "rg-edge", "edge-gpu-01")
    assert create("edge1", "--kubernetes-version", "1.34.3").exit_code == 0
    emu.update_resource(instance_id(emu, "edge1"), lambda o: o["properties"].update(kubernetesVersion="1.34.2"))


@pytest.mark.parametrize("case", list(BAREMETAL_WRITES))
def test_every_baremetal_write_body_is_in_the_published_api(
    azure_env: ArmEmulator, case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    baremetal_world(azure_env, tmp_path)
    for request in _dry_run(*shlex.split(BAREMETAL_WRITES[case])):
        assert _problems(request) == []


def test_the_baremetal_check_names_a_property_the_spec_lacks() -> None:
    request = {
        "method": "PUT",
        "url": "https://arm/subscriptions/s/resourceGroups/g/providers/Microsoft.Kubernetes/connectedClusters/c"
        "/providers/Microsoft.HybridContainerService/provisionedClusterInstances/default?api-version=2024-09-01-preview",
        "body": {"properties": {"bareMetalProfile": {"machineId": "m"}}},
    }
    assert _problems(request) == [
        "The request content was invalid: property 'properties.bareMetalProfile' is not defined for "
        "ProvisionedCluster in the published API."
    ]


def test_the_check_names_a_property_the_spec_lacks() -> None:
    body = {"properties": {"gpuProfile": {"installDriver": True}}}
    assert schema.problems(schema.aks_models(), "AgentPool", body) == [
        "property 'properties.gpuProfile.installDriver' is not defined for GPUProfile in the published API"
    ]


def test_the_check_names_an_enum_value_the_spec_lacks() -> None:
    body = {"properties": {"gpuProfile": {"driver": "install"}}}
    assert schema.problems(schema.aks_models(), "AgentPool", body) == [
        "property 'properties.gpuProfile.driver' has the value 'install'; the published API allows Install, None"
    ]


def test_the_emulator_refuses_an_enum_value_the_spec_lacks(azure_env: ArmEmulator) -> None:
    from akscli.azure import arm
    from akscli.azure.arm import AzureTarget
    from akscli.errors import AkscliError
    from tests.azure.helpers import cluster_id

    seed_cluster(azure_env)
    client = arm.raw_client(AzureTarget())
    body = {"properties": {"vmSize": "Standard_D4ds_v5", "count": 1, "mode": "user"}}
    with pytest.raises(AkscliError, match=re.escape("'properties.mode' has the value 'user'")):
        arm.wait_lro(arm.raw_begin(client, "PUT", cluster_id("aks1") + "/agentPools/p2", AKS_API, body), "add p2")


def test_the_emulator_refuses_a_skip_target_type_the_spec_lacks(azure_env: ArmEmulator) -> None:
    from akscli.azure import arm
    from akscli.azure.arm import AzureTarget
    from akscli.errors import AkscliError

    armworld.make_fleet(azure_env)
    armworld.seed_member(azure_env, "gpu", armworld.aks_id(azure_env, "aks-gpu"), "cloud")
    armworld.ok("fleet", "rollout", "create", "up-1", *A, "-k", "1.34.2")
    run = armworld.fleet_id(azure_env) + "/updateRuns/up-1/skip"
    body = {"targets": [{"type": "Cluster", "name": "gpu"}]}
    with pytest.raises(AkscliError, match=re.escape("'targets[0].type' has the value 'Cluster'")):
        arm.wait_lro(arm.raw_begin(arm.raw_client(AzureTarget()), "POST", run, FLEET_API, body), "skip")


def test_the_emulator_refuses_a_gate_patch_with_more_than_its_state(azure_env: ArmEmulator) -> None:
    from akscli.azure import arm
    from akscli.azure.arm import AzureTarget
    from akscli.errors import AkscliError
    from tests.fleet.test_arm_run_dry_run import pending_gate

    gate = pending_gate(azure_env, "g1", "up-1")
    body = {"properties": {"state": "Completed", "displayName": "x"}}
    with pytest.raises(AkscliError, match=re.escape("'properties.displayName' is not defined for GatePatchProperties")):
        arm.wait_lro(arm.raw_begin(arm.raw_client(AzureTarget()), "PATCH", gate, FLEET_API, body), "approve")


EXAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "arm-examples"
# The official request examples of the api-versions akscli sends (SOURCES.md there), with the model of
# each one's body parameter.
EXAMPLE_BODIES = {
    "containerservice-2026-08-01/AgentPoolsCreate_ManagedGPU.json": ("parameters", "AgentPool"),
    "containerservice-2026-08-01/AgentPoolsCreate_Spot.json": ("parameters", "AgentPool"),
    "containerservice-2026-08-01/AgentPoolsCreate_Update.json": ("parameters", "AgentPool"),
    "containerservice-2026-08-01/AgentPools_Update.json": ("parameters", "AgentPool"),
    "containerservice-2026-08-01/ManagedClustersCreate_GPUMIG.json": ("parameters", "ManagedCluster"),
    "containerservice-2026-08-01/ManagedClustersCreate_UpdateWithEnableAzureRBAC.json": (
        "parameters",
        "ManagedCluster",
    ),
    "fleet-2026-06-01/FleetMembers_Create.json": ("resource", "FleetMember"),
    "fleet-2026-06-01/Fleets_CreateOrUpdate.json": ("resource", "Fleet"),
    "fleet-2026-06-01/Gates_Update.json": ("properties", "GatePatch"),
    "fleet-2026-06-01/UpdateRuns_CreateOrUpdate.json": ("resource", "UpdateRun"),
    "fleet-2026-06-01/UpdateRuns_Skip.json": ("body", "SkipProperties"),
    "fleet-2026-06-01/UpdateStrategies_CreateOrUpdate.json": ("resource", "FleetUpdateStrategy"),
}


@pytest.mark.parametrize("example", list(EXAMPLE_BODIES))
def test_the_check_passes_the_official_request_example(example: str) -> None:
    # Holds the check honest: what Microsoft's own examples send, it must not refuse.
    parameter, model = EXAMPLE_BODIES[example]
    body = json.loads((EXAMPLES / example).read_text())["parameters"][parameter]
    module = schema.aks_models() if example.startswith("containerservice") else schema.fleet_models()
    assert schema.problems(module, model, body) == []


def test_the_read_only_check_names_what_the_spec_marks_read_only() -> None:
    body = {"properties": {"count": 1, "provisioningState": "Succeeded", "gpuProfile": {"driver": "None"}}}
    assert schema.read_only_paths(schema.aks_models(), "AgentPool", body) == ["properties.provisioningState"]
