"""baremetal cluster create against the states Azure publishes: the custom location's name pattern
(Microsoft.ExtendedLocation), the edge machine's provisioningState and machineState
(Microsoft.AzureStackHCI edgeMachine.tsp), and a step an interrupted run left mid-operation (the ARM
RPC: wait for a terminal provisioningState; never PUT it again)."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

from akscli.azure import arm
from akscli.azure.arm import AzureTarget
from tests.emulators.arm import ArmEmulator
from tests.emulators.arm.baremetal import edge_machine

from .test_clusters import EDGE, RG, connected_id, create, writes
from .test_clusters import ssh_key as ssh_key  # autouse: the key file in the working directory


@pytest.mark.parametrize(
    "flags",
    [
        ["--custom-location", "edge_"],  # ends with '_'
        ["--custom-location", "-edge"],  # starts with '-'
        ["--custom-location", "e" * 64],  # longer than 63
    ],
)
def test_a_custom_location_name_the_api_refuses_is_refused_before_any_request(
    azure_env: ArmEmulator, flags: list[str]
) -> None:
    edge_machine(azure_env, RG, EDGE)
    r = create("edge1", *flags)
    assert r.exit_code == 2, r
    assert f"invalid --custom-location {flags[1]!r}" in r.stderr
    assert "starting and ending with a letter or digit" in r.stderr
    assert azure_env.request_log == []


def test_a_custom_location_name_with_an_underscore_inside_is_accepted(azure_env: ArmEmulator) -> None:
    # The spec's pattern allows '_' inside; the old check refused it.
    r = create("edge1", "--custom-location", "edge_gpu_01", "--dry-run", "-o", "json")
    assert r.exit_code == 0, r
    assert json.loads(r.stdout)[0]["body"]["properties"]["customLocationName"] == "edge_gpu_01"


def test_an_edge_machine_name_that_cannot_name_the_default_custom_location_is_refused(azure_env: ArmEmulator) -> None:
    # A valid edge machine name (3-63 of letters, digits, '-', '_') that ends with '_' is no custom
    # location name, and the custom location defaults to the machine's name.
    edge_machine(azure_env, RG, "edge-gpu_")
    r = create("edge1", "--edge-machine", "edge-gpu_")
    assert r.exit_code == 2, r
    assert "the edge machine's name 'edge-gpu_' cannot name its custom location" in r.stderr
    assert "--custom-location edge-gpu" in r.stderr
    assert azure_env.request_log == []


def test_the_same_machine_with_a_custom_location_named_is_created(azure_env: ArmEmulator) -> None:
    edge_machine(azure_env, RG, "edge-gpu_")
    r = create("edge1", "--edge-machine", "edge-gpu_", "--custom-location", "edge-gpu")
    assert r.exit_code == 0, r
    location = f"/subscriptions/{azure_env.subscription}/resourceGroups/{RG}/providers/Microsoft.ExtendedLocation"
    assert azure_env.get_resource(location + "/customLocations/edge-gpu") is not None


def test_the_emulator_refuses_a_device_pool_whose_custom_location_name_the_api_refuses(
    azure_env: ArmEmulator,
) -> None:
    from akscli.errors import AkscliError

    machine = edge_machine(azure_env, RG, EDGE)
    pool = machine.replace("/edgeMachines/", "/devicePools/")
    body = {
        "location": "eastus",
        "identity": {"type": "SystemAssigned"},
        "properties": {"devices": [{"deviceResourceId": machine}], "customLocationName": "edge_"},
    }
    with pytest.raises(AkscliError, match="CustomLocation name 'edge_' is invalid"):
        arm.wait_lro(arm.raw_begin(arm.raw_client(AzureTarget()), "PUT", pool, "2024-11-01-preview", body), "pool")


@pytest.mark.parametrize("state", ["Unpurposed", "Transitioning", "Failed"])
def test_an_edge_machine_not_purposed_is_refused_before_any_write(azure_env: ArmEmulator, state: str) -> None:
    edge_machine(azure_env, RG, EDGE, machine_state=state)
    r = create("edge1")
    assert r.exit_code == 4, r
    assert f"edge machine {EDGE} is not ready for a cluster: its machineState is {state}" in r.stderr
    assert "AKS needs it Purposed" in r.stderr
    assert writes(azure_env) == []


def test_an_edge_machine_still_provisioning_is_refused_before_any_write(azure_env: ArmEmulator) -> None:
    edge_machine(azure_env, RG, EDGE, state="Provisioning")
    r = create("edge1")
    assert r.exit_code == 4, r
    assert "its provisioningState is Provisioning" in r.stderr
    assert "wait until it is Succeeded" in r.stderr
    assert writes(azure_env) == []


def test_an_edge_machine_that_reports_no_machine_state_is_left_for_azure_to_judge(azure_env: ArmEmulator) -> None:
    edge_machine(azure_env, RG, EDGE, machine_state=None)
    assert create("edge1").exit_code == 0


def _device_pool_puts(emu: ArmEmulator, pool: str) -> list[str]:
    return [e.path for e in writes(emu) if e.method == "PUT" and urlsplit(e.path).path == pool]


def test_a_rerun_waits_for_a_step_left_creating_and_does_not_put_it_again(azure_env: ArmEmulator) -> None:
    # An interrupted run left the device pool Creating: its operation is still running in Azure.
    edge_machine(azure_env, RG, EDGE)
    plan = json.loads(create("edge1", "--dry-run", "-o", "json").stdout)
    pool = urlsplit(plan[0]["url"]).path
    azure_env.lro_polls = 5
    # The PUT alone (no poller: nothing in this process polls its operation on).
    arm.raw_call(arm.raw_client(AzureTarget()), "PUT", pool, "2024-11-01-preview", plan[0]["body"])
    assert azure_env.get_resource(pool)["properties"]["provisioningState"] == "Creating"
    azure_env.lro_polls = 0
    r = create("edge1")
    assert r.exit_code == 0, r
    assert "device pool edge-gpu-01 over edge machine edge-gpu-01: exists" in r.stderr
    assert len(_device_pool_puts(azure_env, pool)) == 1  # the interrupted run's only
    assert azure_env.get_resource(connected_id(azure_env, "edge1")) is not None
    assert azure_env.get_resource(pool)["properties"]["provisioningState"] == "Succeeded"
