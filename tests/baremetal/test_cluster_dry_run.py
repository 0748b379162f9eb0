"""--dry-run on baremetal cluster upgrade and delete: the reads go out (the body and the list of
DELETEs depend on what exists), every write is printed in order and none is sent, no
confirmation is asked; --dry-run=server is refused before any request (ARM has no dry run)."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

from tests.cli import invoke
from tests.emulators.arm import ArmEmulator

from .test_clusters import RG, add_edge_machine, create, instance_id, writes
from .test_clusters import ssh_key as ssh_key  # autouse: writes the --ssh-key file id.pub


@pytest.fixture
def edge1(azure_env: ArmEmulator) -> ArmEmulator:
    add_edge_machine(azure_env)
    assert create("edge1", "--kubernetes-version", "1.34.3").exit_code == 0
    azure_env.update_resource(
        instance_id(azure_env, "edge1"), lambda o: o["properties"].update(kubernetesVersion="1.34.2")
    )
    return azure_env


def test_upgrade_dry_run_prints_the_put_with_the_new_version_and_sends_no_write(edge1: ArmEmulator) -> None:
    before = len(writes(edge1))
    result = invoke("baremetal", "cluster", "upgrade", "edge1", "-g", RG, "-k", "1.34.3", "--dry-run", tty=True)
    assert result.exit_code == 0, result
    request = json.loads(result.stdout)  # one write: one request, as every ARM dry run prints it
    assert (request["method"], urlsplit(request["url"]).path) == ("PUT", instance_id(edge1, "edge1"))
    assert urlsplit(request["url"]).query == "api-version=2024-09-01-preview"
    assert request["body"]["properties"]["kubernetesVersion"] == "1.34.3"
    assert request["body"]["extendedLocation"]["type"] == "CustomLocation"
    assert len(writes(edge1)) == before
    assert edge1.get_resource(instance_id(edge1, "edge1"))["properties"]["kubernetesVersion"] == "1.34.2"


def test_delete_dry_run_prints_every_delete_in_order_and_sends_none(edge1: ArmEmulator) -> None:
    before = len(writes(edge1))
    result = invoke("baremetal", "cluster", "delete", "edge1", "-g", RG, "--dry-run", tty=True)
    assert result.exit_code == 0, result
    requests = json.loads(result.stdout)
    assert [r["method"] for r in requests] == ["DELETE"] * 3
    assert [urlsplit(r["url"]).path.rsplit("/", 2)[-2] for r in requests] == [
        "provisionedClusterInstances",
        "connectedClusters",
        "logicalNetworks",
    ]
    assert len(writes(edge1)) == before
    assert edge1.get_resource(instance_id(edge1, "edge1")) is not None


@pytest.mark.parametrize(
    "command", [["upgrade", "edge1", "-k", "1.34.3"], ["delete", "edge1"]], ids=["upgrade", "delete"]
)
def test_server_dry_run_is_refused_before_any_request(edge1: ArmEmulator, command: list[str]) -> None:
    before = len(edge1.request_log)
    result = invoke("baremetal", "cluster", *command, "-g", RG, "--dry-run=server")
    assert result.exit_code == 2
    assert "no server-side dry run" in result.stderr
    assert len(edge1.request_log) == before


def test_delete_dry_run_o_name_names_each_resource_it_would_delete(edge1: ArmEmulator) -> None:
    # Was each DELETE's URL path; now kind/NAME, the bare-metal cluster as its show and list print it.
    result = invoke("baremetal", "cluster", "delete", "edge1", "-g", RG, "--dry-run", "-o", "name")
    assert result.exit_code == 0, result
    assert result.stdout.split() == ["baremetalcluster/edge1", "connectedcluster/edge1", "logicalnetwork/edge1-lnet"]
    shown = invoke("baremetal", "cluster", "show", "edge1", "-g", RG, "-o", "name").stdout.split()
    assert shown == result.stdout.split()[:1]


def test_upgrade_dry_run_o_name_is_the_clusters_show_name(edge1: ArmEmulator) -> None:
    result = invoke("baremetal", "cluster", "upgrade", "edge1", "-g", RG, "-k", "1.34.3", "--dry-run", "-o", "name")
    assert result.exit_code == 0, result
    assert result.stdout.split() == ["baremetalcluster/edge1"]


def test_create_dry_run_o_name_names_every_resource_of_the_template(azure_env: ArmEmulator) -> None:
    result = create("edge1", "--dry-run", "-o", "name", "--azure-policy")
    assert result.exit_code == 0, result
    kinds = [line.split("/")[0] for line in result.stdout.split()]
    assert kinds[:7] == ["devicepool", "roleassignment", "roleassignment", "logicalnetwork", "connectedcluster",
                         "baremetalcluster", "extension"]  # fmt: skip
    assert "baremetalcluster/edge1" in result.stdout.split() and "extension/azure-policy" in result.stdout.split()


@pytest.mark.parametrize("fmt", ["json", "yaml", "table"])
def test_delete_refuses_any_output_but_name_as_kubectl_delete_does(edge1: ArmEmulator, fmt: str) -> None:
    before = len(edge1.request_log)
    result = invoke("baremetal", "cluster", "delete", "edge1", "-g", RG, "-y", "-o", fmt)
    assert result.exit_code == 2, result
    assert result.stderr.count("error:") == 1
    assert len(edge1.request_log) == before
    assert edge1.get_resource(instance_id(edge1, "edge1")) is not None
