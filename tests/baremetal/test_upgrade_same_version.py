"""`baremetal cluster upgrade -k V` to the version V the cluster runs does what `az aks upgrade` does
(Azure/azure-cli 0a1fa21c src/azure-cli/azure/cli/command_modules/acs/custom.py aks_upgrade) and what
akscli's AKS `cluster upgrade` does: a cluster that is not Failed has nothing to upgrade (one line on
stderr, the cluster on stdout, exit 0, nothing sent), so a pipeline pinned to V passes when run
again; a Failed cluster is sent its own version, to reconcile it. Both were exit 2 ("not newer")."""

from __future__ import annotations

import json

from tests.baremetal.test_clusters import RG, add_edge_machine, create, instance_id, writes
from tests.baremetal.test_clusters import ssh_key as ssh_key  # the autouse fixture: a key file
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator


def test_the_running_version_is_nothing_to_upgrade(azure_env: ArmEmulator) -> None:
    add_edge_machine(azure_env)
    assert create("edge1", "--kubernetes-version", "1.34.3").exit_code == 0
    before = len(writes(azure_env))
    result = invoke("baremetal", "cluster", "upgrade", "edge1", "-g", RG, "-k", "1.34.3", "-o", "name")
    assert result.exit_code == 0, result
    assert result.stdout.splitlines() == ["baremetalcluster/edge1"]
    assert result.stderr.splitlines() == [
        f"bare-metal cluster edge1 is already at 1.34.3; nothing to upgrade. akscli baremetal cluster upgrade "
        f"edge1 -g {RG} --list lists the newer patches"
    ]
    assert len(writes(azure_env)) == before


def test_a_failed_cluster_is_sent_its_own_version(azure_env: ArmEmulator) -> None:
    add_edge_machine(azure_env)
    assert create("edge1", "--kubernetes-version", "1.34.3").exit_code == 0
    azure_env.update_resource(
        instance_id(azure_env, "edge1"), lambda o: o["properties"].update(provisioningState="Failed")
    )
    before = len(writes(azure_env))
    result = invoke("baremetal", "cluster", "upgrade", "edge1", "-g", RG, "-k", "1.34.3", "-y", "-o", "json")
    assert result.exit_code == 0, result
    assert "edge1 is in a failed state: sending it its own version to reconcile it" in result.stderr
    [put] = writes(azure_env)[before:]
    assert put.method == "PUT" and put.path.endswith("/provisionedClusterInstances/default")
    assert json.loads(result.stdout)["provisioningState"] == "Succeeded"
