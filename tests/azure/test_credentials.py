"""cluster credentials: fetch, rewrite to `akscli token`, merge; then real kubectl signs in with it."""

from __future__ import annotations

import http.server
import json
import os
import shutil
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.azure.helpers import RG, entra_flag, seed_cluster
from tests.azure.test_kubeconfig import EXISTING
from tests.cli import invoke
from tests.emulators.arm import AKS_SERVER_APP, ArmEmulator


def load(path: Path) -> dict:
    return YAML(typ="safe", pure=True).load(path.read_text())


def test_credentials_merge_an_exec_user_that_runs_akscli_token(azure_env: ArmEmulator, tmp_path: Path) -> None:
    seed_cluster(azure_env)
    cfg = tmp_path / "config"
    cfg.write_text(EXISTING)
    r = invoke("cluster", "credentials", "aks1", "-g", RG, "--kubeconfig", str(cfg), "-o", "json")
    assert r.exit_code == 0, r
    result = json.loads(r.stdout)
    assert result["context"] == "aks1" and result["backup"]
    data = load(cfg)
    user = next(u for u in data["users"] if u["name"] == f"clusterUser_{RG}_aks1")
    ex = user["user"]["exec"]
    assert ex["command"] == "akscli"
    assert ex["args"] == ["token", "--server-id", AKS_SERVER_APP, "--tenant-id", azure_env.tenant, *entra_flag()]
    assert "kubelogin" not in cfg.read_text()
    assert [c["name"] for c in data["contexts"]] == ["prod", "kind", "aks1"]
    assert data["current-context"] == "aks1"
    assert azure_env.requests_to("/listClusterUserCredential$", "POST")[0].query["format"] == ["exec"]


def test_credentials_warn_when_kubectl_cannot_find_akscli_on_path(azure_env: ArmEmulator, tmp_path: Path) -> None:
    """The README's set-up runs .venv/bin/akscli without activating the venv: the exec user's
    'akscli' is then not on PATH, and kubectl fails on the context just merged. Said, with the fix."""
    seed_cluster(azure_env)
    cfg = tmp_path / "config"
    r = invoke("cluster", "credentials", "aks1", "-g", RG, "--kubeconfig", str(cfg), env={"PATH": str(tmp_path)})
    assert r.exit_code == 0, r
    assert "warning: akscli is not on PATH" in r.stderr
    assert f'export PATH="{Path(sys.executable).parent}:$PATH"' in r.stderr


def test_credentials_of_a_cluster_without_entra_id_do_not_warn_about_akscli_on_path(
    azure_env: ArmEmulator, tmp_path: Path
) -> None:
    """Without Entra ID the user kubeconfig is a client certificate: kubectl runs no 'akscli token'."""
    seed_cluster(azure_env, aadProfile=None)
    cfg = tmp_path / "config"
    r = invoke("cluster", "credentials", "aks1", "-g", RG, "--kubeconfig", str(cfg), env={"PATH": str(tmp_path)})
    assert r.exit_code == 0, r
    assert "exec:" not in cfg.read_text()
    assert "akscli is not on PATH" not in r.stderr


def test_credentials_with_a_login_mode_write_it_into_the_plugin_args(azure_env: ArmEmulator, tmp_path: Path) -> None:
    seed_cluster(azure_env)
    cfg = tmp_path / "config"
    invoke("cluster", "credentials", "aks1", "-g", RG, "--kubeconfig", str(cfg), "--login", "azurecli")
    ex = load(cfg)["users"][0]["user"]["exec"]
    assert ex["args"] == ["token", "--login", "azurecli", "--server-id", AKS_SERVER_APP]


def test_azure_cli_sign_in_takes_the_tenant_given_as_kubelogin_convert_does(
    azure_env: ArmEmulator, tmp_path: Path
) -> None:
    """kubelogin drops the kubeconfig's tenant for azurecli and writes the --tenant-id given
    (Azure/kubelogin pkg/internal/converter/convert.go): a guest whose 'az' defaults to another
    tenant still gets a token of the cluster's."""
    seed_cluster(azure_env)
    cfg = tmp_path / "config"
    args = ("cluster", "credentials", "aks1", "-g", RG, "--kubeconfig", str(cfg), "--login", "azurecli")
    r = invoke(*args, "--tenant", azure_env.tenant)
    assert r.exit_code == 0, r
    ex = load(cfg)["users"][0]["user"]["exec"]
    tenant = ["--tenant-id", azure_env.tenant]
    assert ex["args"] == ["token", "--login", "azurecli", "--server-id", AKS_SERVER_APP, *tenant]


def test_admin_credentials_go_into_a_context_of_their_own_beside_the_user_one(
    azure_env: ArmEmulator, tmp_path: Path
) -> None:
    seed_cluster(azure_env, disableLocalAccounts=False)
    cfg = tmp_path / "config"
    assert invoke("cluster", "credentials", "aks1", "-g", RG, "--kubeconfig", str(cfg)).exit_code == 0
    r = invoke("cluster", "credentials", "aks1", "-g", RG, "--kubeconfig", str(cfg), "--admin")
    assert r.exit_code == 0, r
    data = load(cfg)
    assert {c["name"]: c["context"]["user"] for c in data["contexts"]} == {
        "aks1": f"clusterUser_{RG}_aks1",
        "aks1-admin": f"clusterAdmin_{RG}_aks1",
    }
    assert data["current-context"] == "aks1-admin"


def test_fetching_again_for_a_moved_cluster_needs_overwrite_existing(azure_env: ArmEmulator, tmp_path: Path) -> None:
    seed_cluster(azure_env)
    cfg = tmp_path / "config"
    assert invoke("cluster", "credentials", "aks1", "-g", RG, "--kubeconfig", str(cfg)).exit_code == 0
    azure_env.kubeconfig_server = "https://moved.example.com:443"
    r = invoke("cluster", "credentials", "aks1", "-g", RG, "--kubeconfig", str(cfg))
    assert r.exit_code == 4 and "--overwrite-existing" in r.stderr
    r = invoke("cluster", "credentials", "aks1", "-g", RG, "--kubeconfig", str(cfg), "--overwrite-existing")
    assert r.exit_code == 0, r
    assert load(cfg)["clusters"][0]["cluster"]["server"] == "https://moved.example.com:443"


def test_admin_credentials_on_an_entra_only_cluster_are_refused_with_the_reason(
    azure_env: ArmEmulator, tmp_path: Path
) -> None:
    seed_cluster(azure_env, disableLocalAccounts=True)
    r = invoke("cluster", "credentials", "aks1", "-g", RG, "--admin", "--kubeconfig", str(tmp_path / "c"))
    assert r.exit_code == 2, r
    assert "disable local accounts" in r.stderr


def test_admin_credentials_refused_say_to_drop_admin_or_enable_local_accounts(
    azure_env: ArmEmulator, tmp_path: Path
) -> None:
    seed_cluster(azure_env, disableLocalAccounts=True)
    r = invoke("cluster", "credentials", "aks1", "-g", RG, "--admin", "--kubeconfig", str(tmp_path / "c"))
    assert r.stderr.splitlines()[-1] == (
        "hint: drop --admin: this cluster signs in with Entra ID only (the user credentials do); to allow "
        f"local accounts: 'az aks update -g {RG} -n aks1 --enable-local-accounts'"
    )


class _ApiServer(http.server.BaseHTTPRequestHandler):
    """Just enough of a Kubernetes API server to check the bearer token kubectl sends."""

    emulator: ArmEmulator

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        auth = self.headers.get("Authorization", "")
        claims = self.emulator.tokens.get(auth.removeprefix("Bearer "))
        ok = claims is not None and claims["aud"] == AKS_SERVER_APP
        body = json.dumps(
            {"major": "1", "minor": "33", "gitVersion": "v1.33.5"}
            if ok
            else {"kind": "Status", "apiVersion": "v1", "status": "Failure", "code": 401, "reason": "Unauthorized"}
        ).encode()
        self.send_response(200 if ok else 401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def api_server(azure_env: ArmEmulator) -> Iterator[str]:
    handler = type("Handler", (_ApiServer,), {"emulator": azure_env})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(azure_env.tls.cert_file, azure_env.tls.key_file)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"https://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.kubectl
@pytest.mark.skipif(shutil.which("kubectl") is None, reason="needs the real kubectl")
def test_real_kubectl_signs_in_through_akscli_token(azure_env: ArmEmulator, api_server: str, tmp_path: Path) -> None:
    seed_cluster(azure_env, disableLocalAccounts=True)
    azure_env.kubeconfig_server = api_server
    cfg = tmp_path / "config"
    assert invoke("cluster", "credentials", "aks1", "-g", RG, "--kubeconfig", str(cfg)).exit_code == 0
    env = os.environ.copy()
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["KUBECONFIG"] = str(cfg)
    p = subprocess.run(["kubectl", "version", "-o", "json"], capture_output=True, text=True, env=env, timeout=60)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["serverVersion"]["gitVersion"] == "v1.33.5"


@pytest.mark.kubectl
@pytest.mark.skipif(shutil.which("kubectl") is None, reason="needs the real kubectl")
def test_real_kubectl_signs_in_with_the_workload_identity_line_convert_writes(
    azure_env: ArmEmulator, api_server: str, tmp_path: Path
) -> None:
    """convert-kubeconfig -l workloadidentity writes no tenant (Azure/kubelogin convert.go, case
    token.WorkloadIdentityLogin): the pod's AZURE_TENANT_ID, set by the webhook, is the one signed in to."""
    seed_cluster(azure_env, disableLocalAccounts=True)
    azure_env.kubeconfig_server = api_server
    cfg = tmp_path / "config"
    r = invoke("cluster", "credentials", "aks1", "-g", RG, "--kubeconfig", str(cfg), "--login", "workloadidentity")
    assert r.exit_code == 0, r
    assert load(cfg)["users"][0]["user"]["exec"]["args"] == [
        "token",
        "--login",
        "workloadidentity",
        "--server-id",
        AKS_SERVER_APP,
    ]
    webhook_tenant = "2f3e4d5c-0000-4000-8000-00000000000b"  # the pod's, not the cluster's kubeconfig's
    azure_env.tenants.add(webhook_tenant)
    azure_env.federated_assertions.add("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJwb2QifQ.c2ln")
    (tmp_path / "sa-token").write_text("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJwb2QifQ.c2ln")
    env = {k: v for k, v in os.environ.items() if k != "AZURE_CLIENT_SECRET"}
    env |= {"PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}", "KUBECONFIG": str(cfg)}
    env |= {"AZURE_TENANT_ID": webhook_tenant, "AZURE_FEDERATED_TOKEN_FILE": str(tmp_path / "sa-token")}
    env["AZURE_AUTHORITY_HOST"] = azure_env.url + "/"  # the webhook's, which kubelogin's Validate takes
    p = subprocess.run(["kubectl", "version", "-o", "json"], capture_output=True, text=True, env=env, timeout=60)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["serverVersion"]["gitVersion"] == "v1.33.5"
    issued = [c for c in azure_env.tokens.values() if c["aud"] == AKS_SERVER_APP]
    assert [c["tid"] for c in issued] == [webhook_tenant]


@pytest.mark.parametrize("group", [("cluster",), ("fleet",), ("baremetal", "cluster")])
def test_an_unknown_login_mode_names_the_login_flag_given(group: tuple[str, ...]) -> None:
    """The credentials commands take --login: its bad value is named as --login (it said --auth)."""
    r = invoke(*group, "credentials", "x", "-g", RG, "--login", "bogus")
    assert r.exit_code == 2 and r.stderr.startswith("error: unknown --login value 'bogus'"), r


def test_credentials_warn_when_others_can_read_the_kubeconfig(azure_env: ArmEmulator, tmp_path: Path) -> None:
    """As 'az aks get-credentials' warns of a kubeconfig not 0600 (Azure/azure-cli
    src/azure-cli/azure/cli/command_modules/acs/custom.py merge_kubernetes_configurations)."""
    seed_cluster(azure_env)
    cfg = tmp_path / "config"
    cfg.write_text(EXISTING)
    os.chmod(cfg, 0o644)
    r = invoke("cluster", "credentials", "aks1", "-g", RG, "--kubeconfig", str(cfg))
    assert r.exit_code == 0, r
    assert f"warning: the kubeconfig {cfg} has mode 0644" in r.stderr and f"chmod 600 {cfg}" in r.stderr
    assert os.stat(cfg).st_mode & 0o777 == 0o644  # said, not changed: the file is the user's


def test_credentials_into_a_new_kubeconfig_do_not_warn_of_its_mode(azure_env: ArmEmulator, tmp_path: Path) -> None:
    seed_cluster(azure_env)
    cfg = tmp_path / "config"
    r = invoke("cluster", "credentials", "aks1", "-g", RG, "--kubeconfig", str(cfg))
    assert r.exit_code == 0, r
    assert "has mode" not in r.stderr and os.stat(cfg).st_mode & 0o777 == 0o600


def test_credentials_refuse_an_exec_line_with_an_empty_server_id_and_write_nothing(
    azure_env: ArmEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # kubelogin convert-kubeconfig refuses it (Azure/kubelogin pkg/internal/converter/convert.go Convert:
    # "--server-id is required"); before, akscli wrote the AKS server app in its place without a word.
    from tests.emulators.arm import akscreds

    monkeypatch.setattr(akscreds, "AKS_SERVER_APP", '""')  # ARM's exec line, its --server-id empty
    seed_cluster(azure_env)
    cfg = tmp_path / "config"
    cfg.write_text(EXISTING)
    r = invoke("cluster", "credentials", "aks1", "-g", RG, "--kubeconfig", str(cfg))
    assert r.exit_code == 1, r
    assert r.stderr.splitlines()[0].startswith("error: the kubeconfig Azure returned has an empty --server-id")
    assert cfg.read_text() == EXISTING


def test_credentials_name_output_prints_the_context_written(azure_env: ArmEmulator, tmp_path: Path) -> None:
    """-o name names the context, as `kubectl config get-contexts -o name` does (its bare name)."""
    seed_cluster(azure_env)
    cfg = tmp_path / "config"
    r = invoke("cluster", "credentials", "aks1", "-g", RG, "--kubeconfig", str(cfg), "-o", "name")
    assert r.exit_code == 0, r
    assert r.stdout == "aks1\n"
    assert load(cfg)["current-context"] == "aks1"
