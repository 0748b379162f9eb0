"""baremetal cluster create performs Microsoft's ARM template for AKS on bare metal (issue #13
item 1): the same resources, in the same order, with the same bodies; it waits for each, resumes
from the first missing one, prints every request with --dry-run, and the ARM emulator refuses
what the published API does not have (the invented ``bareMetalProfile.machineId`` of old)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.cli import invoke
from tests.emulators.arm import ArmEmulator
from tests.emulators.arm.baremetal import edge_machine
from tests.emulators.kube.crds import shared_dir

from .test_clusters import ADMINS, EDGE, KEY, RG, connected_id, create, instance_id, writes
from .test_clusters import ssh_key as ssh_key  # autouse: the key file in the working directory

TEMPLATE = shared_dir() / "data" / "arm-examples" / "aks-baremetal" / "aks-baremetal-arm.json"
# The template's resources that apply with its defaults and no Log Analytics workspace.
TEMPLATE_TYPES = [
    "Microsoft.AzureStackHCI/devicePools",
    "Microsoft.Authorization/roleAssignments",
    "Microsoft.Authorization/roleAssignments",
    "Microsoft.AzureStackHCI/logicalNetworks",
    "Microsoft.Kubernetes/connectedClusters",
    "Microsoft.HybridContainerService/provisionedClusterInstances",
    "Microsoft.KubernetesConfiguration/extensions",
]


def template_resources() -> list[dict[str, Any]]:
    resources: list[dict[str, Any]] = json.loads(TEMPLATE.read_text())["resources"]
    return [r for r in resources if "logAnalyticsWorkspaceId" not in str(r.get("condition", ""))]


def path_of(url: str) -> str:
    """The resource path of a printed request's URL (no endpoint, no api-version)."""
    return urlsplit(url).path


def type_of(path: str) -> str:
    segs = path.split("/")
    i = max(i for i, s in enumerate(segs) if s == "providers")
    return f"{segs[i + 1]}/{segs[i + 2]}"


def dry_run(*extra: str) -> list[dict[str, Any]]:
    result = create("edge1", "--dry-run", "-o", "json", *extra)
    assert result.exit_code == 0, result
    plan: list[dict[str, Any]] = json.loads(result.stdout)
    return plan


def test_dry_run_prints_the_templates_requests_in_its_order(azure_env: ArmEmulator) -> None:
    plan = dry_run()
    assert [type_of(path_of(step["url"])) for step in plan] == TEMPLATE_TYPES
    assert all(step["method"] == "PUT" and "?api-version=" in step["url"] for step in plan)
    assert writes(azure_env) == [] and not [e for e in azure_env.request_log if "/subscriptions/" in e.path]


def test_dry_run_bodies_have_the_templates_properties(azure_env: ArmEmulator) -> None:
    # The template always sends kubernetesVersion (its parameter has a default); akscli sends the one given.
    for step, resource in zip(dry_run("--kubernetes-version", "1.32.5"), template_resources(), strict=True):
        body = step["body"]
        assert set(body["properties"]) == set(resource["properties"]), (step["url"], resource["type"])
        for key in ("identity", "kind", "extendedLocation"):
            assert (key in body) == (key in resource), (step["url"], key)


def test_dry_run_works_offline_without_a_subscription(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("AZURE_SUBSCRIPTION_ID", raising=False)
    monkeypatch.setenv("AZURE_CONFIG_DIR", str(tmp_path / "no-az"))
    plan = dry_run()
    assert path_of(plan[0]["url"]).startswith("/subscriptions/{subscriptionId}/resourceGroups/rg-edge/")


def test_the_instance_body_is_the_published_one(azure_env: ArmEmulator) -> None:
    instance = next(s for s in dry_run("--control-plane-ip", "10.0.0.5") if "provisionedClusterInstances" in s["url"])
    body = instance["body"]
    assert body["extendedLocation"]["type"] == "CustomLocation"
    assert body["extendedLocation"]["name"].endswith(f"/providers/Microsoft.ExtendedLocation/customLocations/{EDGE}")
    props = body["properties"]
    assert "bareMetalProfile" not in props
    assert props["linuxProfile"]["ssh"]["publicKeys"] == [{"keyData": KEY}]
    assert props["controlPlane"] == {"count": 1, "controlPlaneEndpoint": {"hostIP": "10.0.0.5"}}
    (lnet,) = props["cloudProviderProfile"]["infraNetworkProfile"]["vnetSubnetIds"]
    assert lnet.endswith("/providers/Microsoft.AzureStackHCI/logicalNetworks/edge1-lnet")
    assert props["agentPoolProfiles"] == []


def test_create_sends_every_step_in_order_and_waits_for_each(azure_env: ArmEmulator) -> None:
    edge_machine(azure_env, RG, EDGE)
    result = create("edge1")
    assert result.exit_code == 0, result
    puts = [type_of(e.path) for e in azure_env.request_log if e.method == "PUT"]
    assert puts == TEMPLATE_TYPES
    assert "step 7/7" in result.stderr or "extension azure-policy: created" in result.stderr


def test_role_assignments_go_to_the_device_pools_identity(azure_env: ArmEmulator) -> None:
    edge_machine(azure_env, RG, EDGE)
    assert create("edge1").exit_code == 0
    pool = azure_env.list_resources("Microsoft.AzureStackHCI/devicePools")[0]
    roles = azure_env.list_resources("Microsoft.Authorization/roleAssignments")
    assert len(roles) == 2
    assert {r["properties"]["principalId"] for r in roles} == {pool["identity"]["principalId"]}
    assert {r["properties"]["roleDefinitionId"].rsplit("/", 1)[1] for r in roles} == {
        "adc3c795-c41e-4a89-a478-0b321783324c",
        "1a6f9009-515c-4455-b170-143e4c9ce229",
    }


def test_a_rerun_resumes_at_the_first_missing_step(azure_env: ArmEmulator) -> None:
    edge_machine(azure_env, RG, EDGE)
    azure_env.fail_operation("PUT", r"provisionedClusterInstances/default", "InternalError", "host went away")
    failed = create("edge1")
    assert failed.exit_code != 0 and "host went away" in failed.stderr
    before = len([e for e in azure_env.request_log if e.method == "PUT"])
    again = create("edge1")
    assert again.exit_code == 0, again
    resumed = [type_of(e.path) for e in azure_env.request_log if e.method == "PUT"][before:]
    assert resumed == TEMPLATE_TYPES[5:]
    assert "device pool edge-gpu-01 over edge machine edge-gpu-01: exists" in again.stderr


def test_a_failed_step_says_what_earlier_steps_left_and_how_to_resume(azure_env: ArmEmulator) -> None:
    edge_machine(azure_env, RG, EDGE)
    azure_env.fail_operation("PUT", r"connectedClusters/edge1$", "InternalError", "arc went away")
    failed = create("edge1")
    assert failed.exit_code != 0
    assert "step 5/7 (connected cluster edge1) failed" in failed.stderr
    assert "steps 1-4 are in Azure (device pool edge-gpu-01 over edge machine edge-gpu-01: created;" in failed.stderr
    assert "resumes at step 5" in failed.stderr


def test_every_tag_create_sends_is_a_tag_name_azure_accepts(azure_env: ArmEmulator) -> None:
    # ARM refuses < > % & \ ? / in a tag name (InvalidTagNameCharacters): an akscli.io/ key failed step 5.
    edge_machine(azure_env, RG, EDGE)
    result = create("edge1")
    assert result.exit_code == 0, result
    connected = azure_env.get_resource(connected_id(azure_env, "edge1"))
    assert connected is not None
    assert connected["tags"]["akscli-baremetal-machine"] == EDGE


def test_the_emulator_refuses_the_invented_bare_metal_profile(azure_env: ArmEmulator) -> None:
    edge_machine(azure_env, RG, EDGE)
    assert create("edge1").exit_code == 0
    from akscli.azure import arm

    client = arm.raw_client(arm.AzureTarget(azure_env.subscription, None, None))
    instance = azure_env.get_resource(instance_id(azure_env, "edge1"))
    assert instance is not None
    body = {"extendedLocation": instance["extendedLocation"], "properties": {"bareMetalProfile": {"machineId": "x"}}}
    with pytest.raises(Exception, match="bareMetalProfile"):
        arm.wait_lro(arm.raw_begin(client, "PUT", instance["id"], "2024-09-01-preview", body), "put")


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--ssh-key", "missing.pub"], "does not exist"),
        (["--admin-group", "admins"], "Entra group object ID"),
        (["--control-plane-ip", "10.0.0.300"], "--control-plane-ip"),
        (["--kubernetes-version", "1.34"], "MAJOR.MINOR.PATCH"),
    ],
)
def test_bad_input_is_one_line_before_any_request(azure_env: ArmEmulator, flags: list[str], message: str) -> None:
    result = invoke(
        "baremetal", "cluster", "create", "edge1", "-g", RG, "--edge-machine", EDGE,
        *(["--ssh-key", "id.pub"] if "--ssh-key" not in flags else []),
        *(["--admin-group", ADMINS] if "--admin-group" not in flags else []),
        *flags,
    )  # fmt: skip
    assert result.exit_code == 2, result
    assert message in result.stderr and "Traceback" not in result.stderr
    assert [e for e in azure_env.request_log if "/subscriptions/" in e.path] == []


def test_a_private_key_is_refused_and_not_echoed(azure_env: ArmEmulator, tmp_path: Path) -> None:
    (tmp_path / "id").write_text(
        "-----BEGIN OPENSSH PRIVATE KEY-----\nsecretmaterial\n-----END OPENSSH PRIVATE KEY-----\n"
    )
    result = invoke(
        "baremetal", "cluster", "create", "edge1", "-g", RG, "--edge-machine", EDGE, "--ssh-key", "id",
        "--admin-group", ADMINS,
    )  # fmt: skip
    assert result.exit_code == 2
    assert "private key" in result.stderr and "secretmaterial" not in result.stderr + result.stdout


def test_a_cluster_name_too_long_for_its_logical_network_is_refused_before_any_request(
    azure_env: ArmEmulator,
) -> None:
    # logicalNetworks.json (2024-01-01): at most 64 characters; "<name>-lnet" of a 60-character name has 65,
    # which Azure refused at step 4, after the device pool and its role assignments were made.
    edge_machine(azure_env, RG, EDGE)
    result = create("e" * 60)
    assert result.exit_code == 2, result
    assert "at most 59 characters" in result.stderr and "Traceback" not in result.stderr
    assert [e for e in azure_env.request_log if e.method == "PUT"] == []


def test_the_longest_cluster_name_gets_a_logical_network_azure_accepts(azure_env: ArmEmulator) -> None:
    edge_machine(azure_env, RG, EDGE)
    result = create("e" * 59)
    assert result.exit_code == 0, result


@pytest.mark.parametrize("name", ["e1", "edge.gpu"])
def test_an_edge_machine_name_the_hci_api_refuses_is_refused_before_any_request(
    azure_env: ArmEmulator, name: str
) -> None:
    # edgeMachine.tsp / devicePool.tsp: "^[a-zA-Z0-9-_]{3,63}$"; the device pool defaults to the machine's name.
    result = invoke(
        "baremetal", "cluster", "create", "edge1", "-g", RG, "--edge-machine", name, "--ssh-key", "id.pub",
        "--admin-group", ADMINS,
    )  # fmt: skip
    assert result.exit_code == 2, result
    assert "3-63 letters, digits" in result.stderr
    assert [e for e in azure_env.request_log if "/subscriptions/" in e.path] == []


def test_the_emulator_refuses_a_device_pool_name_the_api_refuses(azure_env: ArmEmulator) -> None:
    from akscli.azure import arm

    edge = edge_machine(azure_env, RG, EDGE)
    client = arm.raw_client(arm.AzureTarget(azure_env.subscription, None, None))
    rg = f"/subscriptions/{azure_env.subscription}/resourceGroups/{RG}"
    pool = f"{rg}/providers/Microsoft.AzureStackHCI/devicePools/p.1"
    body = {"location": "eastus", "properties": {"devices": [{"deviceResourceId": edge}]}}
    with pytest.raises(Exception, match=r"DevicePool name 'p\.1' is invalid"):
        arm.wait_lro(arm.raw_begin(client, "PUT", pool, "2024-11-01-preview", body), "put")


def _put(azure_env: ArmEmulator, path: str, api: str, body: dict[str, Any]) -> Any:
    from akscli.azure import arm

    client = arm.raw_client(arm.AzureTarget(azure_env.subscription, None, None))
    return arm.wait_lro(arm.raw_begin(client, "PUT", path, api, body), "put")


def test_the_emulator_refuses_a_connected_cluster_without_its_required_fields(azure_env: ArmEmulator) -> None:
    # connectedClusters.json 2024-01-01: identity and properties.agentPublicKeyCertificate are required.
    body = {"location": "eastus", "kind": "ProvisionedCluster", "properties": {"aadProfile": {}}}
    with pytest.raises(Exception, match="agentPublicKeyCertificate"):
        _put(azure_env, connected_id(azure_env, "edge1"), "2024-01-01", body)


def test_the_emulator_accepts_what_the_connected_cluster_spec_has(azure_env: ArmEmulator) -> None:
    body = {
        "location": "eastus",
        "kind": "ProvisionedCluster",
        "identity": {"type": "SystemAssigned"},
        "properties": {
            "agentPublicKeyCertificate": "",
            "azureHybridBenefit": "NotApplicable",
            "distributionVersion": "1.0",
            "arcAgentProfile": {"desiredAgentVersion": "0.1.0", "agentAutoUpgrade": "Enabled"},
        },
    }
    _put(azure_env, connected_id(azure_env, "edge1"), "2024-01-01", body)
    assert azure_env.get_resource(connected_id(azure_env, "edge1")) is not None
