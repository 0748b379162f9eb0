"""The first journey of the README's tour, end to end in the lab (tests.emulators.lab): create a
cluster, add a GPU pool, merge its credentials, then the real kubectl lists the nodes through the
merged context, signing in with `akscli token` as kubectl's exec plugin. The lab's AKS clusters have
no API server of their own (tests.runbooks.tour.LAB_LACKS), so here the ARM emulator's credentials
name the lab's one Kubernetes API, which takes the Entra token the ARM emulator issued for AKS's
server app (the audience the merged exec user's --server-id asks for)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.emulators import lab
from tests.emulators.arm import AKS_SERVER_APP
from tests.emulators.kube.control import User


class _EntraTokens(dict[str, User]):
    """The lab's Kubernetes API's tokens, plus every Entra token the ARM emulator issued for AKS."""

    def __init__(self, own: dict[str, User], arm: Any) -> None:
        super().__init__(own)
        self.arm = arm

    def get(self, token: str, default: Any = None) -> Any:
        claims = self.arm.tokens.get(token)
        if claims is not None and claims.get("aud") == AKS_SERVER_APP:
            return User(str(claims.get("oid") or "entra-user"), ["system:masters"])
        return super().get(token, default)


def _akscli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    akscli = str(Path(sys.executable).parent / "akscli")
    return subprocess.run([akscli, *args], capture_output=True, text=True, env=env, timeout=120)


@pytest.mark.kubectl
@pytest.mark.skipif(shutil.which("kubectl") is None, reason="needs the real kubectl")
def test_a_new_gpu_clusters_merged_credentials_let_kubectl_get_its_nodes(tmp_path: Path) -> None:
    with lab.running(tmp_path, tls=True) as world:
        world.arm.kubeconfig_server = world.kube.url
        world.arm.kubeconfig_ca_pem = world.kube.ca_pem
        world.kube.auth.tokens = _EntraTokens(world.kube.auth.tokens, world.arm)
        env = world.environment()
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        created = _akscli("cluster", "create", "ml", "-g", "rg-ml", "--sku", "base", "--location", "eastus", env=env)
        assert created.returncode == 0, created.stderr
        pool = ("nodepool", "add", "gpu", "--cluster", "ml", "-g", "rg-ml", "--gpu", "h100", "--gpus-per-node", "8")
        added = _akscli(*pool, "--min", "0", "--max", "2", env=env)
        assert added.returncode == 0, added.stderr
        merged = tmp_path / "config"
        creds = _akscli("cluster", "credentials", "ml", "-g", "rg-ml", "--kubeconfig", str(merged), env=env)
        assert creds.returncode == 0, creds.stderr
        assert creds.stderr.startswith(f"merged ml into {merged}"), creds.stderr
        env["KUBECONFIG"] = str(merged)
        nodes = subprocess.run(
            ["kubectl", "get", "nodes", "-l", "kubernetes.azure.com/agentpool=gpu", "-o", "name"],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        assert nodes.returncode == 0, nodes.stderr
        assert nodes.stdout.split() == ["node/gpu-node-0", "node/gpu-node-1"]
