"""AKS on bare metal (preview) against the ARM emulator: life cycle, and preview limits checked first."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.cli import invoke, list_items
from tests.emulators.arm import AKS_SERVER_APP, ArmEmulator

RG = "rg-edge"
EDGE = "edge-gpu-01"
ADMINS = "6f1e4a0b-3c2d-4e5f-8a9b-0c1d2e3f4a5b"
KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBdJq0bDkBMVWb5yq7n8Y0n8K1x0VYpZ3s5y0FQm1W3b ops@contoso"


@pytest.fixture(autouse=True)
def ssh_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A public key file in the test's working directory, passed as --ssh-key id.pub."""
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "id.pub"
    path.write_text(KEY + "\n")
    return path


def add_edge_machine(emu: ArmEmulator, name: str = EDGE) -> str:
    from tests.emulators.arm.baremetal import edge_machine

    return edge_machine(emu, RG, name)


def connected_id(emu: ArmEmulator, name: str) -> str:
    return (
        f"/subscriptions/{emu.subscription}/resourceGroups/{RG}/providers/Microsoft.Kubernetes/connectedClusters/{name}"
    )


def instance_id(emu: ArmEmulator, name: str) -> str:
    return connected_id(emu, name) + "/providers/Microsoft.HybridContainerService/provisionedClusterInstances/default"


def writes(emu: ArmEmulator) -> list[Any]:
    return [e for e in emu.request_log if e.method in ("PUT", "PATCH", "POST", "DELETE") and "/oauth2/" not in e.path]


def create(name: str = "edge1", *extra: str) -> Any:
    return invoke(
        "baremetal", "cluster", "create", name, "-g", RG, "--edge-machine", EDGE, "--ssh-key", "id.pub",
        "--admin-group", ADMINS, *extra,
    )  # fmt: skip


def test_create_makes_a_connected_cluster_and_its_instance(azure_env: ArmEmulator) -> None:
    add_edge_machine(azure_env)
    result = create("edge1", "--kubernetes-version", "1.34.2", "-o", "json")
    assert result.exit_code == 0, result
    shown = json.loads(result.stdout)
    assert (shown["name"], shown["kubernetesVersion"], shown["machine"]) == ("edge1", "1.34.2", EDGE)
    connected = azure_env.get_resource(connected_id(azure_env, "edge1"))
    assert connected is not None and connected["kind"] == "ProvisionedCluster"
    assert connected["properties"]["aadProfile"]["adminGroupObjectIDs"] == [ADMINS]
    instance = azure_env.get_resource(instance_id(azure_env, "edge1"))
    assert instance is not None and instance["properties"]["controlPlane"]["count"] == 1


def test_create_in_another_region_is_refused_before_calling_azure(azure_env: ArmEmulator) -> None:
    add_edge_machine(azure_env)
    result = create("edge1", "--location", "westeurope")
    assert result.exit_code == 2
    assert "East US only" in result.stderr
    assert writes(azure_env) == []


def test_create_on_a_missing_edge_machine_is_not_found_before_any_write(azure_env: ArmEmulator) -> None:
    result = create()
    assert result.exit_code == 3
    assert f"edge machine {EDGE} not found" in result.stderr
    assert writes(azure_env) == []


def test_a_missing_edge_machine_hint_names_the_resource_not_an_unknown_az_command(azure_env: ArmEmulator) -> None:
    """The hint named `az provisionedmachine`, which no Azure CLI group is; the template's own
    words are that the EdgeMachine must already exist, Provisioned."""
    result = create()
    assert "az provisionedmachine" not in result.stderr
    assert "Microsoft.AzureStackHCI/edgeMachines" in result.stderr.splitlines()[-1]


def test_list_shows_only_bare_metal_clusters(azure_env: ArmEmulator) -> None:
    add_edge_machine(azure_env)
    assert create("edge1").exit_code == 0
    azure_env.put_resource(connected_id(azure_env, "arc-other"), {"location": "eastus", "kind": "", "properties": {}})
    result = invoke("baremetal", "cluster", "list", "-g", RG, "-o", "json")
    assert result.exit_code == 0, result
    assert [c["name"] for c in list_items(result.stdout)] == ["edge1"]


def test_show_and_create_name_are_the_list_line(azure_env: ArmEmulator) -> None:
    add_edge_machine(azure_env)
    created = create("edge1", "-o", "name")
    assert created.exit_code == 0, created
    assert created.stdout.split() == ["baremetalcluster/edge1"]
    shown = invoke("baremetal", "cluster", "show", "edge1", "-g", RG, "-o", "name")
    assert shown.stdout.split() == invoke("baremetal", "cluster", "list", "-g", RG, "-o", "name").stdout.split()
    assert shown.stdout.split() == ["baremetalcluster/edge1"]


def test_show_of_an_unknown_cluster_is_not_found(azure_env: ArmEmulator) -> None:
    result = invoke("baremetal", "cluster", "show", "nope", "-g", RG)
    assert result.exit_code == 3
    assert "bare-metal cluster nope not found" in result.stderr


def test_upgrade_list_offers_patch_versions_only(azure_env: ArmEmulator) -> None:
    add_edge_machine(azure_env)
    assert create("edge1", "--kubernetes-version", "1.34.3").exit_code == 0
    # Azure offers only newer patches of 1.34: the listing is the running minor's.
    azure_env.update_resource(
        instance_id(azure_env, "edge1"), lambda o: o["properties"].update(kubernetesVersion="1.34.2")
    )
    result = invoke("baremetal", "cluster", "upgrade", "edge1", "-g", RG, "--list", "-o", "json")
    assert result.exit_code == 0, result
    offered = json.loads(result.stdout)
    assert (offered["currentVersion"], offered["availableUpgrades"]) == ("1.34.2", ["1.34.3"])


def test_minor_upgrade_is_refused_before_any_write(azure_env: ArmEmulator) -> None:
    add_edge_machine(azure_env)
    assert create("edge1", "--kubernetes-version", "1.34.3").exit_code == 0
    before = len(writes(azure_env))
    result = invoke("baremetal", "cluster", "upgrade", "edge1", "-g", RG, "--kubernetes-version", "1.35.0", "-y")
    assert result.exit_code == 2
    assert "patch upgrades only" in result.stderr
    assert len(writes(azure_env)) == before


def test_patch_upgrade_moves_the_instance_to_the_new_version(azure_env: ArmEmulator) -> None:
    add_edge_machine(azure_env)
    assert create("edge1", "--kubernetes-version", "1.34.3").exit_code == 0
    azure_env.update_resource(
        instance_id(azure_env, "edge1"), lambda o: o["properties"].update(kubernetesVersion="1.34.2")
    )
    result = invoke(
        "baremetal", "cluster", "upgrade", "edge1", "-g", RG, "--kubernetes-version", "1.34.3", "-y", "-o", "json"
    )
    assert result.exit_code == 0, result
    assert json.loads(result.stdout)["kubernetesVersion"] == "1.34.3"


def test_credentials_merge_the_user_kubeconfig(azure_env: ArmEmulator, tmp_path: Path) -> None:
    add_edge_machine(azure_env)
    assert create("edge1").exit_code == 0
    target = tmp_path / "config"
    result = invoke("baremetal", "cluster", "credentials", "edge1", "-g", RG, "--kubeconfig", str(target))
    assert result.exit_code == 0, result
    text = target.read_text()
    assert "current-context: edge1" in text
    assert "command: akscli" in text  # signs in with Entra through `akscli token`, not a static token
    assert "kubelogin" not in text


def test_credentials_name_output_prints_the_context_written(azure_env: ArmEmulator, tmp_path: Path) -> None:
    add_edge_machine(azure_env)
    assert create("edge1").exit_code == 0
    target = tmp_path / "config"
    result = invoke("baremetal", "cluster", "credentials", "edge1", "-g", RG, "--kubeconfig", str(target), "-o", "name")
    assert result.exit_code == 0, result
    assert result.stdout == "edge1\n"


def test_credentials_write_the_sign_in_mode_and_identity_given_as_cluster_credentials(
    azure_env: ArmEmulator, tmp_path: Path
) -> None:
    # --login msi --identity-resource-id, as kubelogin's convert-kubeconfig writes it (Azure/kubelogin
    # pkg/internal/converter/convert.go, case token.MSILogin) and as 'cluster credentials' does.
    identity = (
        f"/subscriptions/{azure_env.subscription}/resourceGroups/{RG}/providers/"
        "Microsoft.ManagedIdentity/userAssignedIdentities/edge-runner"
    )
    add_edge_machine(azure_env)
    assert create("edge1").exit_code == 0
    target = tmp_path / "config"
    args = ("--kubeconfig", str(target), "--login", "msi", "--identity-resource-id", identity)
    result = invoke("baremetal", "cluster", "credentials", "edge1", "-g", RG, *args)
    assert result.exit_code == 0, result
    exec_args = YAML(typ="safe", pure=True).load(target.read_text())["users"][0]["user"]["exec"]["args"]
    assert exec_args == ["token", "--login", "msi", "--server-id", AKS_SERVER_APP, "--identity-resource-id", identity]


def test_delete_removes_the_cluster_and_keeps_the_edge_machine(azure_env: ArmEmulator) -> None:
    add_edge_machine(azure_env)
    assert create("edge1").exit_code == 0
    result = invoke("baremetal", "cluster", "delete", "edge1", "-g", RG, "-y")
    assert result.exit_code == 0, result
    assert azure_env.get_resource(connected_id(azure_env, "edge1")) is None
    assert azure_env.get_resource(instance_id(azure_env, "edge1")) is None
    assert azure_env.get_resource(_edge_id(azure_env)) is not None


def test_delete_without_yes_and_without_a_terminal_changes_nothing(azure_env: ArmEmulator) -> None:
    add_edge_machine(azure_env)
    assert create("edge1").exit_code == 0
    result = invoke("baremetal", "cluster", "delete", "edge1", "-g", RG)
    assert result.exit_code == 2
    assert azure_env.get_resource(connected_id(azure_env, "edge1")) is not None


@pytest.mark.parametrize("version", ["1.31", "latest", "1.31.2; rm"])
def test_malformed_kubernetes_version_is_a_usage_error(azure_env: ArmEmulator, version: str) -> None:
    result = create("edge1", "--kubernetes-version", version)
    assert result.exit_code == 2
    assert "MAJOR.MINOR.PATCH" in result.stderr


def test_upgrade_to_a_version_not_offered_is_refused_before_confirmation(azure_env: ArmEmulator) -> None:
    add_edge_machine(azure_env)
    assert create("edge1", "--kubernetes-version", "1.34.3").exit_code == 0
    before = len(writes(azure_env))
    result = invoke("baremetal", "cluster", "upgrade", "edge1", "-g", RG, "--kubernetes-version", "1.34.9")
    assert result.exit_code == 2
    assert "not offered" in result.stderr and "confirmation" not in result.stderr
    assert len(writes(azure_env)) == before


def test_credentials_json_reports_what_changed_in_the_kubeconfig(azure_env: ArmEmulator, tmp_path: Path) -> None:
    add_edge_machine(azure_env)
    assert create("edge1").exit_code == 0
    target = str(tmp_path / "config")
    first = invoke("baremetal", "cluster", "credentials", "edge1", "-g", RG, "--kubeconfig", target, "-o", "json")
    assert first.exit_code == 0, first
    assert json.loads(first.stdout)["context"] == "edge1" and json.loads(first.stdout)["added"]
    again = invoke("baremetal", "cluster", "credentials", "edge1", "-g", RG, "--kubeconfig", target)
    assert "already up to date" in again.stderr


def test_delete_is_audited_with_its_target(azure_env: ArmEmulator, tmp_path: Path) -> None:
    add_edge_machine(azure_env)
    log = tmp_path / "audit.jsonl"
    assert create("edge1").exit_code == 0
    result = invoke("baremetal", "cluster", "delete", "edge1", "-g", RG, "-y", "--audit-log", str(log))
    assert result.exit_code == 0, result
    (line,) = [json.loads(x) for x in log.read_text().splitlines()]
    assert line["result"] == "success"
    assert line["target"]["cluster"] == "edge1"
    assert "baremetal cluster delete" in json.dumps(line["objects"])


def _edge_id(emu: ArmEmulator) -> str:
    return (
        f"/subscriptions/{emu.subscription}/resourceGroups/{RG}/providers/Microsoft.AzureStackHCI/edgeMachines/{EDGE}"
    )


def _while_confirming(monkeypatch: pytest.MonkeyPatch, change: Any) -> None:
    """Another client changes Azure while the user answers the confirmation."""
    from akscli.cli import common

    real = common.confirm

    def confirm(question: str, yes: bool) -> None:
        real(question, yes)
        change()

    monkeypatch.setattr(common, "confirm", confirm)


def test_upgrade_keeps_a_change_made_while_it_was_confirmed(
    azure_env: ArmEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The instance has no eTag to send as If-Match (the 2024-09-01-preview spec has none): its body
    # is read after the confirmation, so the other client's change is carried, not replaced.
    add_edge_machine(azure_env)
    assert create("edge1", "--kubernetes-version", "1.34.3").exit_code == 0
    iid = instance_id(azure_env, "edge1")
    azure_env.update_resource(iid, lambda o: o["properties"].update(kubernetesVersion="1.34.2"))
    license_ = {"azureHybridBenefit": "True"}
    _while_confirming(
        monkeypatch, lambda: azure_env.update_resource(iid, lambda o: o["properties"].update(licenseProfile=license_))
    )
    result = invoke("baremetal", "cluster", "upgrade", "edge1", "-g", RG, "-k", "1.34.3", "-y")
    assert result.exit_code == 0, result
    after = azure_env.get_resource(iid)
    assert after["properties"]["kubernetesVersion"] == "1.34.3"
    assert after["properties"]["licenseProfile"] == license_
    put = [
        e for e in writes(azure_env) if e.method == "PUT" and e.path.endswith("provisionedClusterInstances/default")
    ][-1]
    assert not any(k.lower() == "if-match" for k in put.headers) and "eTag" not in after


def test_upgrade_is_refused_when_another_upgrade_came_first(
    azure_env: ArmEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_edge_machine(azure_env)
    assert create("edge1", "--kubernetes-version", "1.34.3").exit_code == 0
    iid = instance_id(azure_env, "edge1")
    azure_env.update_resource(iid, lambda o: o["properties"].update(kubernetesVersion="1.34.2"))
    _while_confirming(
        monkeypatch,
        lambda: azure_env.update_resource(iid, lambda o: o["properties"].update(kubernetesVersion="1.34.3")),
    )
    before = len(writes(azure_env))
    result = invoke("baremetal", "cluster", "upgrade", "edge1", "-g", RG, "-k", "1.34.3", "-y")
    assert result.exit_code == 4, result
    assert result.stderr.splitlines()[0] == (
        "error: bare-metal cluster edge1 changed in Azure after akscli read it: it runs 1.34.3 now, not 1.34.2; "
        "nothing was sent"
    )
    assert len(writes(azure_env)) == before
