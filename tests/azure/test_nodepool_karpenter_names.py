"""A NAME given as a Karpenter NodePool (nodepool.karpenter.sh/NAME, what `nodepool list --auto-provision
-o name` prints) to a command that acts on an Azure agent pool was stripped to NAME, and the agent pool
of that name was scaled, updated, upgraded, aborted, shown or deleted. Each verb now refuses it with
one usage line (exit 2) naming what to do instead, before anything is read or sent; the agent pool's
own nodepool/NAME still names the agent pool."""

from __future__ import annotations

import shlex

from tests.azure.helpers import RG, seed_cluster
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator

POOL = "nodepool.karpenter.sh/gpu"
ARM = f"-c aks1 -g {RG}"
# verb and its flags -> what the hint tells the user to do instead.
VERBS = {
    f"scale {POOL} {ARM} --count 5": "--max-gpus N, or kubectl edit nodepool gpu (spec.limits)",
    f"update {POOL} {ARM} --mode System": "akscli nodepool add gpu --auto-provision FLAGS",
    f"upgrade {POOL} {ARM} -k 1.34 -y": "upgrade the cluster with: akscli cluster upgrade",
    f"abort {POOL} {ARM} -y": "akscli nodepool show gpu --auto-provision",
    f"show {POOL} {ARM}": "add --auto-provision (and drop --cluster/-g) to show the NodePool",
    f"delete {POOL} {ARM} -y": "add --auto-provision (and drop --cluster/-g) to delete the NodePool",
}


def test_a_karpenter_nodepool_name_never_acts_on_the_agent_pool_of_that_name(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, pools=[{"name": "gpu", "mode": "User", "count": 2, "provisioningState": "Upgrading"}])
    for line, hint in VERBS.items():
        result = invoke("nodepool", *shlex.split(line))
        verb = line.split()[0]
        assert result.exit_code == 2, (line, result)
        assert f"error: {POOL} is a node auto-provisioning (Karpenter) NodePool; nodepool {verb} " in result.stderr
        assert hint in result.stderr, (line, result.stderr)
    assert [e for e in azure_env.request_log if "/agentPools/gpu" in e.path] == []
    # The agent pool's own -o name form still names it.
    shown = invoke("nodepool", "show", "nodepool/gpu", *shlex.split(ARM), "-o", "name")
    assert (shown.exit_code, shown.stdout) == (0, "nodepool/gpu\n"), shown
