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
from akscli.errors import AkscliError, NotFoundError, UsageError

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
    """Point every kubelogin exec user at ``akscli token`` (same server), its args those ``exec_args``
    writes for ``login``; the flags' values (``tenant``, ``client_id``, ``identity_resource_id``,
    ``subscription``) are checked by the caller first (``check_exec_identity``)."""
    from ruamel.yaml import YAML

    y = YAML(typ="rt")
    y.width = 1 << 30
    # Quotes kept: an unquoted 'https://host:443' in a flow mapping is YAML 1.2 but libyaml (YAML 1.1,
    # ruamel.yaml.clib, PyYAML's CSafeLoader) refuses it.
    y.preserve_quotes = True
    data = y.load(kubeconfig.decode("utf-8"))
    for user in data.get("users") or []:
        ex = (user.get("user") or {}).get("exec")
        if not ex:
            continue
        ex["command"] = "akscli"
        ex["args"] = exec_args(
            [str(a) for a in ex.get("args") or []],
            login,
            tenant=tenant,
            client_id=client_id,
            identity_resource_id=identity_resource_id,
            subscription=subscription,
        )
        ex["apiVersion"] = "client.authentication.k8s.io/v1beta1"
        ex["installHint"] = "akscli is not installed: pip install akscli\n"
        ex["provideClusterInfo"] = False
        ex["interactiveMode"] = "IfAvailable" if login in ("devicecode", "interactive") else "Never"
        ex.pop("env", None)
    buf = io.StringIO()
    y.dump(data, buf)
    return buf.getvalue().encode("utf-8")


def runs_akscli(kubeconfig: bytes) -> bool:
    """Whether a user of ``kubeconfig`` signs in through an exec plugin running ``akscli`` (as
    rewrite_exec_user writes it). A cluster without Entra ID hands out a client certificate, which
    runs nothing."""
    from ruamel.yaml import YAML

    data = YAML(typ="safe", pure=True).load(kubeconfig.decode("utf-8")) or {}
    users = (data.get("users") or []) if isinstance(data, dict) else []
    runs = [((u.get("user") or {}).get("exec") or {}).get("command") for u in users if isinstance(u, dict)]
    return "akscli" in runs


def not_on_path_warning(kubeconfig: bytes) -> str | None:
    """A line for the credentials commands when kubectl cannot run the ``akscli`` the exec user of
    ``kubeconfig`` names: kubectl looks the plugin's command up on PATH, and an akscli installed in
    a virtual environment that is not activated (the README's set-up runs ``.venv/bin/akscli``) is
    not there. None when it is, or when no user runs akscli (a client certificate)."""
    import shutil
    import sys

    if shutil.which("akscli") or not runs_akscli(kubeconfig):
        return None
    here = [os.path.dirname(os.path.abspath(sys.argv[0])) if sys.argv else "", os.path.dirname(sys.executable)]
    folder = next((d for d in here if d and os.path.isfile(os.path.join(d, "akscli"))), None)
    fix = f'export PATH="{folder}:$PATH"' if folder else "pip install akscli"
    return (
        "akscli is not on PATH, and kubectl runs 'akscli token' to sign in to this context: "
        f"kubectl fails until it is ({fix})"
    )


def exec_args(
    old: list[str],
    login: str | None,
    *,
    tenant: str | None = None,
    client_id: str | None = None,
    identity_resource_id: str | None = None,
    subscription: str | None = None,
) -> list[str]:
    """The args of ``akscli token`` for a kubelogin exec line ``old`` (ARM's format=exec kubeconfig), as
    kubelogin's convert-kubeconfig writes them for ``login`` with these flags given, in its order
    (upstream: Azure/kubelogin v0.2.19 (66784961) pkg/internal/converter/convert.go ``Convert``, the switch
    on the login method, and ``getArgValues``: a flag given wins over the kubeconfig's value)."""
    server = _flag(old, "--server-id")
    if server is not None and not server.strip():
        # kubelogin's convert-kubeconfig refuses it rather than guess which server app the cluster trusts
        # (Azure/kubelogin 66784961 pkg/internal/converter/convert.go Convert: "--server-id is required"),
        # and akscli token would refuse it at every kubectl call (token.parse_args): refused here, before the
        # kubeconfig is written. A line without the flag still gets the AKS server app (kubelogin refuses that
        # too; ARM's format=exec kubeconfig always carries it).
        raise AkscliError(
            "the kubeconfig Azure returned has an empty --server-id in its exec line: akscli cannot tell which "
            "Entra server app the cluster trusts (kubelogin convert-kubeconfig refuses it: --server-id is required)",
            "nothing was written; try again, and if Azure returns it again use "
            "'az aks get-credentials' and 'kubelogin convert-kubeconfig --server-id ID'",
        )
    server = server or AKS_SERVER_APP
    if login is None:
        return _default_chain_args(old, server, tenant)
    # convert.go: "get-token", --login, --server-id (every mode), the kubeconfig's --cache-dir (else its
    # deprecated --token-cache-dir) where it has one; then the mode's own.
    args = ["token", "--login", login, "--server-id", server]
    cache = _flag(old, "--cache-dir") or _flag(old, "--token-cache-dir")
    if cache:
        args += ["--cache-dir", cache]
    if login in ("azd", "azurecli", "workloadidentity"):
        # case token.AzureDeveloperCLILogin, token.AzureCLILogin, token.WorkloadIdentityLogin: the flags only,
        # the kubeconfig's tenant dropped (azurecli: "azure cli logged in using MSI does not allow specifying
        # tenant ID"; workloadidentity: akscli token takes the webhook's AZURE_TENANT_ID, as kubelogin).
        # workloadidentity writes --client-id before --tenant-id, azurecli --subscription after it.
        if login == "workloadidentity" and client_id:
            args += ["--client-id", client_id]
        if tenant:
            args += ["--tenant-id", tenant]
        if login == "azurecli" and subscription:
            args += ["--subscription", subscription]
    elif login in ("devicecode", "interactive", "spn"):
        # case token.DeviceCodeLogin, InteractiveLogin, ServicePrincipalLogin: --client-id and --tenant-id
        # (the flag's, else the kubeconfig's), then the kubeconfig's --environment as it is. convert fails where
        # the kubeconfig has no client or tenant ("--client-id is required"); here the line goes without them,
        # as before, and akscli token's own defaults apply.
        client = client_id or _flag(old, "--client-id")
        tenant_id = tenant or _flag(old, "--tenant-id")
        environment = _flag(old, "--environment")
        args += ["--client-id", client] if client else []
        args += ["--tenant-id", tenant_id] if tenant_id else []
        args += ["--environment", environment] if environment else []
        # interactive: the kubeconfig's --redirect-url, then its --login-hint (akscli token's browser sign-in).
        for kept in ("--redirect-url", "--login-hint") if login == "interactive" else ():
            value = _flag(old, kept)
            if value:
                args += [kept, value]
    elif login == "msi":
        # case token.MSILogin: the --client-id given, else the --identity-resource-id given; no tenant, no
        # environment (the identity endpoint is the host's), and the AKS client dropped (convert_test.go
        # "convert from devicecode to msi with identity-resource-id override").
        if client_id:
            args += ["--client-id", client_id]
        elif identity_resource_id:
            args += ["--identity-resource-id", identity_resource_id]
    return args


def _default_chain_args(old: list[str], server: str, tenant: str | None) -> list[str]:
    """Without --login, akscli token's default chain (no kubelogin mode, so nothing of convert's to follow):
    the tenant (the flag's, else the kubeconfig's, as getArgValues), a sovereign cloud's --environment, and
    the Entra host this command signed in to where it is not the public one. akscli token reads
    AZURE_AUTHORITY_HOST only in workloadidentity mode, as kubelogin (pkg/internal/token/options.go
    ``UpdateFromEnv``), so the chain would otherwise sign in to the public cloud's."""
    from akscli.azure import identity

    args = ["token", "--server-id", server]
    tenant_id = tenant or _flag(old, "--tenant-id")
    environment = _flag(old, "--environment")
    host = exec_flag(os.environ.get("AZURE_AUTHORITY_HOST", ""))
    args += ["--tenant-id", tenant_id] if tenant_id else []
    if environment and not identity.is_public_cloud(environment):  # the public cloud is the default
        args += ["--environment", environment]
    return args + (["--authority-host", host] if host else [])


def _flag(args: list[str], name: str) -> str | None:
    for i, a in enumerate(args):
        if a == name and i + 1 < len(args):
            return args[i + 1]
        if a.startswith(name + "="):
            return a.split("=", 1)[1]
    return None
