"""An AKS cluster's kubeconfig through ARM (``akscli cluster credentials``), its kubelogin exec users
pointed at ``akscli token``; moved out of clusters.py, which holds the cluster's other verbs."""

from __future__ import annotations

import base64
import io
import os
from typing import TYPE_CHECKING

from akscli.azure import arm
from akscli.azure.authority import exec_flag
from akscli.azure.clusters import as_dict
from akscli.azure.token import AKS_SERVER_APP
from akscli.errors import NotFoundError

if TYPE_CHECKING:
    from azure.mgmt.containerservice import ContainerServiceClient


def user_kubeconfig(c: ContainerServiceClient, rg: str, name: str, *, admin: bool = False) -> bytes:
    if admin:
        result = arm.call(
            f"admin credentials of {name}", lambda: c.managed_clusters.list_cluster_admin_credentials(rg, name)
        )
    else:
        result = arm.call(
            f"credentials of {name}", lambda: c.managed_clusters.list_cluster_user_credentials(rg, name, format="exec")
        )
    configs = as_dict(result).get("kubeconfigs") or []
    if not configs:
        raise NotFoundError(f"Azure returned no kubeconfig for cluster {name}")
    value = configs[0]["value"]
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    return base64.b64decode(value)


def rewrite_exec_user(
    kubeconfig: bytes, *, login: str | None = None, tenant: str | None = None, identity_resource_id: str | None = None
) -> bytes:
    """Point every kubelogin exec user at ``akscli token`` (same server and tenant). With ``login`` msi,
    ``identity_resource_id`` (checked by the caller) names the user-assigned identity."""
    from ruamel.yaml import YAML

    from akscli.azure import identity

    y = YAML(typ="rt")
    y.width = 1 << 30
    # Quotes kept: an unquoted 'https://host:443' in a flow mapping is YAML 1.2 but libyaml (YAML 1.1,
    # ruamel.yaml.clib, PyYAML's CSafeLoader) refuses it.
    y.preserve_quotes = True
    data = y.load(kubeconfig.decode("utf-8"))
    # akscli token reads AZURE_AUTHORITY_HOST only in workloadidentity mode, as kubelogin does
    # (Azure/kubelogin pkg/internal/token/options.go UpdateFromEnv): the host this command signed in
    # to, where it is not the public cloud's, goes into the exec line as kubelogin's --authority-host,
    # which every mode takes (GetCloudConfiguration), so the cluster's token comes from the same Entra.
    host = exec_flag(os.environ.get("AZURE_AUTHORITY_HOST", ""))
    for user in data.get("users") or []:
        ex = (user.get("user") or {}).get("exec")
        if not ex:
            continue
        args = [str(a) for a in ex.get("args") or []]
        server = _flag(args, "--server-id") or AKS_SERVER_APP
        # As kubelogin's convert-kubeconfig does (Azure/kubelogin pkg/internal/converter/convert.go):
        # Azure CLI sign-in takes the tenant only when given explicitly, because 'az' logged in
        # with a managed identity or in Cloud Shell refuses --tenant; --environment is kept so a
        # sovereign cloud signs in to its own authority.
        # So does azd (case token.AzureDeveloperCLILogin: --tenant-id only where it is given).
        tenant_id = tenant if login in ("azurecli", "azd") else (tenant or _flag(args, "--tenant-id"))
        environment = _flag(args, "--environment")
        new_args = ["token", "--server-id", server]
        if tenant_id:
            new_args += ["--tenant-id", tenant_id]
        if environment and not identity.is_public_cloud(environment):  # the public cloud is the default
            new_args += ["--environment", environment]
        if host:
            new_args += ["--authority-host", host]
        if login:
            new_args += ["--auth", login]
            client = _flag(args, "--client-id")
            if client and login in ("devicecode", "interactive"):
                new_args += ["--client-id", client]
            # kubelogin's convert-kubeconfig writes, for msi, the --identity-resource-id it was given
            # as that flag and its value, and drops the AKS client's --client-id (upstream:
            # Azure/kubelogin pkg/internal/converter/convert.go, case token.MSILogin; convert_test.go
            # "convert from devicecode to msi with identity-resource-id override").
            if login == "msi" and identity_resource_id:
                new_args += ["--identity-resource-id", identity_resource_id]
        ex["command"] = "akscli"
        ex["args"] = new_args
        ex["apiVersion"] = "client.authentication.k8s.io/v1beta1"
        ex["installHint"] = "akscli is not installed: pip install akscli\n"
        ex["provideClusterInfo"] = False
        ex["interactiveMode"] = "IfAvailable" if login in ("devicecode", "interactive") else "Never"
        ex.pop("env", None)
    buf = io.StringIO()
    y.dump(data, buf)
    return buf.getvalue().encode("utf-8")


def _flag(args: list[str], name: str) -> str | None:
    for i, a in enumerate(args):
        if a == name and i + 1 < len(args):
            return args[i + 1]
        if a.startswith(name + "="):
            return a.split("=", 1)[1]
    return None
