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
from akscli.errors import NotFoundError, UsageError

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


# The modes whose exec line takes the --client-id given to the credentials commands, as kubelogin's convert
# writes it (Azure/kubelogin 66784961 pkg/internal/converter/convert.go): msi (case token.MSILogin: the flag's
# --client-id, else --identity-resource-id), devicecode and interactive (getArgValues: the flag's client over
# the kubeconfig's), workloadidentity (the flag's only: case token.WorkloadIdentityLogin; akscli token reads it
# where the webhook sets no AZURE_CLIENT_ID). akscli token reads no exec-line client id in the other modes
# (akscli.azure.token acquire).
CLIENT_ID_MODES = ("msi", "devicecode", "interactive", "workloadidentity")


def check_exec_identity(
    login: str | None,
    *,
    admin: bool = False,
    client_id: str | None = None,
    identity_resource_id: str | None = None,
    subscription: str | None = None,
    tenant: str | None = None,
) -> None:
    """The credentials commands' --client-id and --identity-resource-id, checked before anything is
    fetched: each for the modes whose exec line takes it, not with --admin, not both at once (kubelogin's
    convert would drop --identity-resource-id without a word), each a value akscli token accepts. With
    --login azurecli, the --subscription given (written into the exec line) is checked as akscli token
    checks it, and refused with --tenant, a pair akscli token (as 'az account get-access-token') refuses."""
    from akscli.azure.token import check_id
    from akscli.azure.tokenflags import check_identity_resource_id, check_subscription

    if login == "azurecli" and not admin and subscription:
        check_subscription(subscription)
        if tenant:
            raise UsageError(
                "--subscription and --tenant together with --login azurecli: 'akscli token' (as 'az account"
                " get-access-token') takes one of them",
                hint="drop --tenant (the subscription names its tenant), or give the subscription through"
                " AZURE_SUBSCRIPTION_ID to use it only to find the cluster",
            )

    if identity_resource_id is not None and (login != "msi" or admin):
        raise UsageError(
            "--identity-resource-id names the managed identity of --login msi",
            hint="add --login msi (and leave out --admin), or drop --identity-resource-id",
        )
    if client_id is not None and (login not in CLIENT_ID_MODES or admin):
        raise UsageError(
            "--client-id names the managed identity of --login msi, or the public client of devicecode or interactive,"
            " or the workload identity's app",
            hint="add --login msi, devicecode, interactive or workloadidentity (and leave out --admin), or drop"
            " --client-id",
        )
    if client_id is not None and identity_resource_id is not None:
        raise UsageError(
            "--client-id and --identity-resource-id each name the managed identity: give one",
            hint="keep --client-id (the identity's client ID) or --identity-resource-id (its ARM ID)",
        )
    if client_id is not None:
        check_id(client_id, "--client-id")
    if identity_resource_id is not None:
        check_identity_resource_id(identity_resource_id)


def rewrite_exec_user(
    kubeconfig: bytes,
    *,
    login: str | None = None,
    tenant: str | None = None,
    identity_resource_id: str | None = None,
    client_id: str | None = None,
    subscription: str | None = None,
) -> bytes:
    """Point every kubelogin exec user at ``akscli token`` (same server and tenant). With ``login`` msi,
    ``client_id`` or ``identity_resource_id`` (checked by the caller: ``check_exec_identity``) names the
    user-assigned identity; with devicecode or interactive, ``client_id`` replaces the kubeconfig's client;
    with azurecli, ``subscription`` (checked by ``check_exec_identity``) is written as kubelogin's --subscription."""
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
            # The --client-id given wins over the kubeconfig's, as convert's getArgValues (o.isSet(flagClientID)).
            client = client_id or _flag(args, "--client-id")
            if client and login in ("devicecode", "interactive"):
                new_args += ["--client-id", client]
            # The kubeconfig's --redirect-url and --login-hint are kept for interactive, as convert keeps them
            # (getArgValues; case token.InteractiveLogin): akscli token hands them to the browser sign-in.
            for kept in ("--redirect-url", "--login-hint") if login == "interactive" else ():
                value = _flag(args, kept)
                if value:
                    new_args += [kept, value]
            # kubelogin's convert-kubeconfig writes, for msi, the --client-id it was given, else the
            # --identity-resource-id, each as that flag and its value, and drops the AKS client's
            # --client-id (upstream: Azure/kubelogin pkg/internal/converter/convert.go, case token.MSILogin;
            # convert_test.go "convert from devicecode to msi with identity-resource-id override").
            # azurecli: the --subscription given, after the tenant, as convert writes it (case
            # token.AzureCLILogin: o.isSet(flagSubscriptionID)); akscli token hands it to 'az'.
            if login == "azurecli" and subscription:
                new_args += ["--subscription", subscription]
            # workloadidentity too, the flag's only (case token.WorkloadIdentityLogin: o.isSet(flagClientID)).
            if login in ("msi", "workloadidentity") and client_id:
                new_args += ["--client-id", client_id]
            elif login == "msi" and identity_resource_id:
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
