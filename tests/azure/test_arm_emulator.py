"""The ARM emulator itself: what the fleet and bare-metal groups rely on, through real clients."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from akscli.azure import arm
from akscli.errors import AkscliError, AuthError, NotFoundError
from tests.emulators.arm import DEFAULT_SUBSCRIPTION, ArmEmulator

SUB = f"/subscriptions/{DEFAULT_SUBSCRIPTION}"
FLEET = f"{SUB}/resourceGroups/rg1/providers/Microsoft.ContainerService/fleets/fleet1"
CONNECTED = f"{SUB}/resourceGroups/rg1/providers/Microsoft.Kubernetes/connectedClusters/edge1"
PCI = f"{CONNECTED}/providers/Microsoft.HybridContainerService/provisionedClusterInstances/default"


def fleet_client() -> object:
    from azure.mgmt.containerservicefleet import ContainerServiceFleetMgmtClient

    return arm.management_client(ContainerServiceFleetMgmtClient, arm.AzureTarget())


def test_fleet_sdk_creates_a_fleet_member_and_an_update_run_it_can_start(azure_env: ArmEmulator) -> None:
    c = fleet_client()
    fleet = arm.wait_lro(
        c.fleets.begin_create_or_update("rg1", "fleet1", {"location": "eastus", "properties": {"hubProfile": {}}}),
        "create fleet",
    )
    assert fleet.properties.provisioning_state == "Succeeded"
    # A member joins a cluster that exists (tests/emulators/arm/fleet.py, _member_joined).
    azure_env.put_resource(f"{SUB}/resourceGroups/rg1/providers/Microsoft.ContainerService/managedClusters/a", {})
    member = {
        "properties": {
            "clusterResourceId": f"{SUB}/resourceGroups/rg1/providers/Microsoft.ContainerService/managedClusters/a",
            "group": "canary",
        }
    }
    arm.wait_lro(c.fleet_members.begin_create("rg1", "fleet1", "m1", member), "join")
    strategy = {"stages": [{"name": "s1", "groups": [{"name": "canary"}]}]}
    upgrade = {"upgrade": {"type": "Full", "kubernetesVersion": "1.33.5"}}
    run = {"properties": {"strategy": strategy, "managedClusterUpdate": upgrade}}
    arm.wait_lro(c.update_runs.begin_create_or_update("rg1", "fleet1", "run1", run), "create run")
    started = arm.wait_lro(c.update_runs.begin_start("rg1", "fleet1", "run1"), "start run")
    assert started.properties.status.status.state == "Running"
    members = started.properties.status.stages[0].groups[0].members
    assert [m.name for m in members] == ["m1"]
    assert [m.name for m in c.fleet_members.list_by_fleet("rg1", "fleet1")] == ["m1"]


def test_raw_client_drives_bare_metal_extension_resources_and_actions(azure_env: ArmEmulator) -> None:
    client = arm.raw_client(arm.AzureTarget())
    # The instance's custom location and logical network, as baremetal cluster create makes them
    # (tests/emulators/arm/baremetal.py checks they exist).
    location = f"{SUB}/resourceGroups/rg1/providers/Microsoft.ExtendedLocation/customLocations/edge"
    lnet = f"{SUB}/resourceGroups/rg1/providers/Microsoft.AzureStackHCI/logicalNetworks/edge1-lnet"
    azure_env.put_resource(location, {"location": "eastus"})
    azure_env.put_resource(lnet, {"location": "eastus"})
    connected = {
        "location": "eastus",
        "kind": "ProvisionedCluster",
        "identity": {"type": "SystemAssigned"},
        "properties": {"agentPublicKeyCertificate": ""},  # required (connectedClusters.json 2024-01-01)
    }
    arm.wait_lro(arm.raw_begin(client, "PUT", CONNECTED, "2024-01-01", connected), "cc")
    instance = {
        "extendedLocation": {"type": "CustomLocation", "name": location},
        "properties": {
            "kubernetesVersion": "1.34.2",
            "linuxProfile": {"ssh": {"publicKeys": [{"keyData": "ssh-ed25519 AAAA"}]}},
            "cloudProviderProfile": {"infraNetworkProfile": {"vnetSubnetIds": [lnet]}},
        },
    }
    arm.wait_lro(arm.raw_begin(client, "PUT", PCI, "2024-09-01-preview", instance), "provisioned cluster")
    result = arm.wait_lro(
        arm.raw_begin(client, "POST", PCI + "/listUserKubeconfig", "2024-09-01-preview"), "kubeconfig"
    )
    assert result["properties"]["kubeconfigs"][0]["value"]
    profile = arm.raw_call(client, "GET", PCI + "/upgradeProfiles/default", "2024-09-01-preview")
    assert [u["kubernetesVersion"] for u in profile["properties"]["controlPlaneProfile"]["upgrades"]] == ["1.34.3"]


def test_an_extension_resource_needs_its_parent(azure_env: ArmEmulator) -> None:
    client = arm.raw_client(arm.AzureTarget())
    with pytest.raises(NotFoundError):
        arm.raw_begin(client, "PUT", PCI, "2024-09-01-preview", {"properties": {}})


@pytest.mark.parametrize("name", ["akscli.io/machine", "a<b", "a%b", "a&b", "a\\b", "a?b"])
def test_a_tag_name_with_a_reserved_character_is_refused_like_arm(azure_env: ArmEmulator, name: str) -> None:
    client = arm.raw_client(arm.AzureTarget())
    body = {"location": "eastus", "kind": "ProvisionedCluster", "properties": {}, "tags": {name: "x"}}
    with pytest.raises(AkscliError, match="reserved characters"):
        arm.raw_begin(client, "PUT", CONNECTED, "2024-01-01", body)
    assert azure_env.get_resource(CONNECTED) is None


def test_a_resource_group_tag_name_with_a_slash_is_refused(azure_env: ArmEmulator) -> None:
    client = arm.raw_client(arm.AzureTarget())
    with pytest.raises(AkscliError, match="reserved characters"):
        body = {"location": "eastus", "tags": {"a/b": ""}}
        arm.raw_call(client, "PUT", f"{SUB}/resourcegroups/rg-tags", "2021-04-01", body)


def test_requests_without_a_token_or_for_another_audience_get_401(azure_env: ArmEmulator) -> None:
    import requests

    r = requests.get(
        f"{azure_env.url}{SUB}/providers/Microsoft.ContainerService/managedClusters?api-version=2026-08-01"
    )
    assert r.status_code == 401 and r.json()["error"]["code"] == "AuthenticationFailed"
    token, _ = azure_env.issue_token("6dae42f8-4368-4678-94ff-3960e28e3630")
    r = requests.get(
        f"{azure_env.url}{SUB}/providers/Microsoft.ContainerService/managedClusters?api-version=2026-08-01",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 401 and r.json()["error"]["code"] == "InvalidAuthenticationTokenAudience"


def test_an_expired_token_is_an_auth_error_through_the_sdk(
    azure_env: ArmEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    azure_env.token_lifetime = -10
    with pytest.raises(AuthError) as err:
        arm.raw_call(
            arm.raw_client(arm.AzureTarget()),
            "GET",
            f"{SUB}/resourceGroups/rg1/providers/Microsoft.ContainerService/fleets",
            "2026-06-01",
        )
    assert "ExpiredAuthenticationToken" in err.value.message


def test_retry_after_of_the_operation_is_honoured_by_the_sdk_poller(azure_env: ArmEmulator) -> None:
    azure_env.retry_after = 1
    azure_env.lro_polls = 1
    c = fleet_client()
    started = time.monotonic()
    arm.wait_lro(c.fleets.begin_create_or_update("rg1", "f2", {"location": "eastus"}), "create fleet")
    assert time.monotonic() - started >= 1


def test_lists_page_with_next_links(azure_env: ArmEmulator) -> None:
    azure_env.page_size = 1
    for name in ("a", "b", "c"):
        azure_env.put_resource(
            f"{SUB}/resourceGroups/rg1/providers/Microsoft.ContainerService/fleets/{name}", {"location": "eastus"}
        )
    names = [f.name for f in fleet_client().fleets.list_by_resource_group("rg1")]
    assert names == ["a", "b", "c"]


def test_a_failed_operation_marks_the_resource_failed(azure_env: ArmEmulator) -> None:
    from akscli.errors import QuotaError

    azure_env.fail_operation(
        "PUT", "/fleets/f3$", "QuotaExceeded", "Operation results in exceeding approved Fleets quota."
    )
    with pytest.raises(QuotaError):
        arm.wait_lro(fleet_client().fleets.begin_create_or_update("rg1", "f3", {"location": "eastus"}), "create fleet")
    assert (
        azure_env.get_resource(f"{SUB}/resourceGroups/rg1/providers/Microsoft.ContainerService/fleets/f3")[
            "properties"
        ]["provisioningState"]
        == "Failed"
    )


def test_the_gpu_sizes_offered_come_from_the_shared_folder_named_by_akscli_shared_dir(
    azure_env: ArmEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A clone or worktree without ../shared beside it points the emulators at it this way
    # (docs/emulator.md); the GPU sizes were read from ../shared only, so none were offered.
    from tests.emulators.arm.compute import offered

    data = tmp_path / "data"
    data.mkdir()
    (data / "azure-gpu-skus.csv").write_text("sku,region\nStandard_NC99test_v9,eastus\n", encoding="utf-8")
    monkeypatch.setenv("AKSCLI_SHARED_DIR", str(tmp_path))
    assert "standard_nc99test_v9" in offered(azure_env, "eastus")
