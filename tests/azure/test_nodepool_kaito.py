"""`akscli nodepool` on the agent pools KAITO's gpu-provisioner makes: marked in list/show from the node
labels gpu-provisioner writes, and left to KAITO by delete and scale (akscli.azure.nodepools.kaito_owner,
refuse_kaito_pool). The pools are PUT as gpu-provisioner PUTs them (tests/azure/helpers.add_kaito_pool)."""

from __future__ import annotations

import json

from tests.azure.helpers import RG, add_kaito_pool, seed_cluster
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator


def _row(stdout: str, name: str) -> list[str]:
    return next(line for line in stdout.splitlines() if line.startswith(name + " ")).split()


def test_list_marks_the_pool_gpu_provisioner_made_as_kaitos_and_no_other(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    claim = add_kaito_pool()
    r = invoke("nodepool", "list", "-c", "aks1", "-g", RG)
    assert r.exit_code == 0, r
    assert "MANAGED BY" in r.stdout.splitlines()[0]
    assert _row(r.stdout, claim)[-1] == "kaito" and _row(r.stdout, "system")[-1] == "<none>"


def test_show_names_the_workspace_whose_nodeclaim_the_pool_serves(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    claim = add_kaito_pool(workspace="llama", namespace="ml")
    r = invoke("nodepool", "show", claim, "-c", "aks1", "-g", RG)
    assert r.exit_code == 0, r
    assert "Workspace/ml/llama" in r.stdout


def test_a_pool_with_a_workspace_label_but_no_nodepool_label_is_not_kaitos(azure_env: ArmEmulator) -> None:
    # gpu-provisioner counts a pool its own only with both (instance.go agentPoolIsOwnedByKaito and
    # agentPoolIsCreatedFromNodeClaim): a user's pool labelled kaito.sh/workspace by hand is the user's.
    labels = {"kaito.sh/workspace": "phi-4"}
    seed_cluster(azure_env, pools=[{"name": "system", "mode": "System", "count": 1, "vmSize": "Standard_D4ds_v5"},
                                   {"name": "mine", "count": 1, "vmSize": "Standard_NC24ads_A100_v4",
                                    "nodeLabels": labels}])  # fmt: skip
    r = invoke("nodepool", "list", "-c", "aks1", "-g", RG, "-o", "wide")
    assert r.exit_code == 0, r
    assert "MANAGED BY" in r.stdout.splitlines()[0] and "kaito" not in _row(r.stdout, "mine")


def test_deleting_a_kaito_pool_is_refused_before_any_delete_naming_the_workspace(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    claim = add_kaito_pool()
    r = invoke("nodepool", "delete", claim, "-c", "aks1", "-g", RG, "-y")
    assert r.exit_code == 4, r
    assert r.stderr.startswith(
        f"error: node pool {claim} was made by KAITO's gpu-provisioner for Workspace default/phi-4: deleting it "
        "makes KAITO create a new NodeClaim and pool in its place"
    ), r.stderr
    assert "akscli model delete phi-4 -n default" in r.stderr and "Traceback" not in r.stderr
    assert azure_env.requests_to(f"/agentPools/{claim}$", "DELETE") == []


def test_scaling_a_kaito_pool_is_refused_before_any_put(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    claim = add_kaito_pool()
    puts = len(azure_env.requests_to(f"/agentPools/{claim}$", "PUT"))
    r = invoke("nodepool", "scale", claim, "-c", "aks1", "-g", RG, "--count", "3", "-y")
    assert r.exit_code == 4, r
    assert "gpu-provisioner keeps one node per NodeClaim" in r.stderr
    assert "kubectl edit workspace.kaito.sh phi-4 -n default" in r.stderr
    assert len(azure_env.requests_to(f"/agentPools/{claim}$", "PUT")) == puts


def test_the_pool_put_as_gpu_provisioner_puts_it_is_a_one_node_ubuntu_gpu_pool(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    claim = add_kaito_pool()
    r = invoke("nodepool", "show", claim, "-c", "aks1", "-g", RG, "-o", "json")
    props = json.loads(r.stdout)["properties"]
    seen = (props["count"], props["osSKU"], props["mode"], props["provisioningState"])
    assert seen == (1, "Ubuntu", "User", "Succeeded")
    assert props["nodeLabels"]["kaito.sh/machine-type"] == "gpu" and props["nodeTaints"] == ["sku=gpu:NoSchedule"]
