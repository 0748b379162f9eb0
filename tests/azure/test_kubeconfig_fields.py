"""What a merge keeps of the user's kubeconfig, and what kubectl reads of the result.

kubectl rewrites a whole file from what it decoded (kubernetes/client-go tools/clientcmd/loader.go
``WriteToFile``: the Config struct written out), so it drops comments and fields it does not know;
akscli adds or replaces its own entries and leaves every other byte as it was, comments and fields
unknown to kubectl included. kubectl reads the result, and the exec user akscli writes, without a
complaint (tools/clientcmd/validation.go: an exec user's interactiveMode must be Never, IfAvailable
or Always).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from akscli.azure.clustercreds import rewrite_exec_user
from akscli.azure.kubeconfig import merge_kubeconfig

KUBECTL = shutil.which("kubectl")
needs_kubectl = pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed")
SERVER_APP = "6dae42f8-4368-4678-94ff-3960e28e3630"

CUSTOMISED = """\
# managed by the platform team
apiVersion: v1
kind: Config
preferences:
  colors: true
extensions:
- name: team
  extension: {owner: ml}
clusters:
- name: dev
  cluster:
    server: https://dev.example.com:443
    proxy-url: http://proxy.corp:3128
    extensions:
    - name: client.authentication.k8s.io/exec
      extension: {audience: dev}
contexts:
- name: dev
  context: {cluster: dev, user: dev, namespace: ml}
current-context: dev
users:
- name: dev
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: dev-login
      args: [get-token]
      env:
      - {name: DEV_MODE, value: '1'}
      interactiveMode: Always
      provideClusterInfo: true
x-owner: ml-team  # a field kubectl does not know
"""

# An AKS user kubeconfig in ARM's exec format (kubelogin devicecode), as listClusterUserCredential
# returns it with format=exec (the ARM emulator's tests/emulators/arm/akscreds.py).
ARM_EXEC = f"""\
apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: TkVX
    server: https://aks1-dns.hcp.eastus.azmk8s.io:443
  name: aks1
contexts:
- context:
    cluster: aks1
    user: clusterUser_rg_aks1
  name: aks1
current-context: aks1
kind: Config
preferences: {{}}
users:
- name: clusterUser_rg_aks1
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      args: [get-token, --environment, AzurePublicCloud, --server-id, {SERVER_APP},
        --client-id, 80faf920-1908-4b52-b5ef-a8e7bedfc67a, --tenant-id, t1, --login, devicecode]
      command: kubelogin
      env: null
      installHint: kubelogin is not installed
      interactiveMode: IfAvailable
      provideClusterInfo: false
"""


def kept_in_order(old: str, new: str) -> bool:
    """Every line of ``old`` is in ``new``, in the same order (new lines may come between)."""
    lines = iter(new.splitlines())
    return all(any(line == candidate for candidate in lines) for line in old.splitlines())


def kubectl(cfg: Path, *args: str) -> str:
    assert KUBECTL is not None
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(cfg.parent), "KUBECONFIG": str(cfg)}
    done = subprocess.run([KUBECTL, "config", *args], env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_comments_preferences_extensions_and_unknown_fields_are_kept(tmp_path: Path) -> None:
    cfg = tmp_path / "config"
    cfg.write_text(CUSTOMISED)
    merge_kubeconfig(rewrite_exec_user(ARM_EXEC.encode(), login="azurecli"), str(cfg))
    merged = cfg.read_text()
    assert kept_in_order(CUSTOMISED.replace("current-context: dev\n", ""), merged)
    assert "current-context: aks1\n" in merged


@needs_kubectl
def test_kubectl_reads_the_merged_file_with_the_users_own_exec_settings(tmp_path: Path) -> None:
    cfg = tmp_path / "config"
    cfg.write_text(CUSTOMISED)
    merge_kubeconfig(rewrite_exec_user(ARM_EXEC.encode(), login="azurecli"), str(cfg))
    assert kubectl(cfg, "get-contexts", "-o", "name").split() == ["aks1", "dev"]
    view = json.loads(kubectl(cfg, "view", "-o", "json"))
    dev = next(u["user"]["exec"] for u in view["users"] if u["name"] == "dev")
    assert (dev["interactiveMode"], dev["provideClusterInfo"]) == ("Always", True)
    assert view["preferences"] == {"colors": True}


@needs_kubectl
def test_kubectl_reads_the_exec_user_akscli_writes_for_azure_cli_sign_in(tmp_path: Path) -> None:
    """As ``kubelogin convert-kubeconfig -l azurecli`` writes it (Azure/kubelogin
    pkg/internal/converter/convert.go: apiVersion v1beta1, ``get-token --login azurecli --server-id``,
    the kubeconfig's tenant dropped, env cleared), with akscli's command and install hint and an
    explicit interactiveMode (kubelogin's omitted one reads as IfAvailable for v1beta1:
    kubernetes/client-go tools/clientcmd/api/v1/defaults.go ``SetDefaults_ExecConfig``)."""
    cfg = tmp_path / "config"
    merge_kubeconfig(rewrite_exec_user(ARM_EXEC.encode(), login="azurecli"), str(cfg))
    view = json.loads(kubectl(cfg, "view", "--minify", "-o", "json"))
    exec_user = view["users"][0]["user"]["exec"]
    assert exec_user["command"] == "akscli"
    assert exec_user["args"] == ["token", "--login", "azurecli", "--server-id", SERVER_APP]
    assert exec_user["apiVersion"] == "client.authentication.k8s.io/v1beta1"
    assert exec_user["interactiveMode"] == "Never" and exec_user["provideClusterInfo"] is False
    assert exec_user["installHint"].startswith("akscli is not installed") and exec_user["env"] is None
