"""Where ``akscli token`` takes kubelogin's sign-in values from in the environment, moved out of
akscli.azure.token: kubelogin's AAD_* and azure-identity's AZURE_* names, Terraform's ARM_* ones with
--use-azurerm-env-vars, and the Azure Pipelines service connection's. kubectl runs the plugin before every
request: the standard library only (os)."""

from __future__ import annotations

import os

# Where kubelogin takes each sign-in value from, a later name winning over an earlier one
# (upstream: Azure/kubelogin pkg/internal/token/options.go ``UpdateFromEnv`` and
# pkg/internal/env/variables.go, commit 66784961ef44a34236a651d9b08bcdf0aa07b836): its own AAD_*
# names and azure-identity's AZURE_* ones, or with --use-azurerm-env-vars the Terraform azurerm
# provider's ARM_* ones only; with --disable-environment-override none (nor AAD_LOGIN_METHOD).
_KUBELOGIN_VARIABLES = {
    "tenant_id": ("AZURE_TENANT_ID",),
    "client_id": ("AAD_SERVICE_PRINCIPAL_CLIENT_ID", "AZURE_CLIENT_ID"),
    "client_secret": ("AAD_SERVICE_PRINCIPAL_CLIENT_SECRET", "AZURE_CLIENT_SECRET"),
    "client_certificate_path": ("AAD_SERVICE_PRINCIPAL_CLIENT_CERTIFICATE", "AZURE_CLIENT_CERTIFICATE_PATH"),
    "client_certificate_password": (
        "AAD_SERVICE_PRINCIPAL_CLIENT_CERTIFICATE_PASSWORD",
        "AZURE_CLIENT_CERTIFICATE_PASSWORD",
    ),
    "federated_token_file": ("AZURE_FEDERATED_TOKEN_FILE",),
}
_AZURERM_VARIABLES = {
    "tenant_id": ("ARM_TENANT_ID",),
    "client_id": ("ARM_CLIENT_ID",),
    "client_secret": ("ARM_CLIENT_SECRET",),
    "client_certificate_path": ("ARM_CLIENT_CERTIFICATE_PATH",),
    "client_certificate_password": ("ARM_CLIENT_CERTIFICATE_PASSWORD",),
    "federated_token_file": ("AZURE_FEDERATED_TOKEN_FILE",),
}
# azurepipelines mode: the service connection's values, each read only where no flag or variable above
# gave one (upstream: options.go ``UpdateFromEnv``, ``AzurePipelinesLogin``).
_PIPELINES_VARIABLES = {
    "client_id": "AZURESUBSCRIPTION_CLIENT_ID",
    "tenant_id": "AZURESUBSCRIPTION_TENANT_ID",
    "service_connection_id": "AZURESUBSCRIPTION_SERVICE_CONNECTION_ID",
}


def sign_in_env(variables: str, login: str | None) -> dict[str, str]:
    """The sign-in values kubelogin takes from the environment (``_KUBELOGIN_VARIABLES``), by
    field of akscli.azure.identity ``SignInEnv``, read as kubelogin reads them, with os.LookupEnv
    (options.go ``UpdateFromEnv``): a variable that is set, even to "", replaces what an earlier
    name gave (AZURE_CLIENT_SECRET="" empties AAD_SERVICE_PRINCIPAL_CLIENT_SECRET's secret); an
    empty value then counts as none. In workloadidentity mode AZURE_CLIENT_ID names the client even
    with --use-azurerm-env-vars, as in kubelogin; in azurepipelines mode the AZURESUBSCRIPTION_*
    variables fill what is still empty. Unlike kubelogin, a flag wins over the variables
    (``acquire``), but in workloadidentity mode, where the webhook's variables win as in kubelogin."""
    if variables == "none":
        return {}
    table = _AZURERM_VARIABLES if variables == "azurerm" else _KUBELOGIN_VARIABLES
    found: dict[str, str] = {}
    for field, names in table.items():
        for name in names:
            if name in os.environ:
                found[field] = os.environ[name]
    if login == "workloadidentity" and "AZURE_CLIENT_ID" in os.environ:
        found["client_id"] = os.environ["AZURE_CLIENT_ID"]
    if login == "azurepipelines":
        for field, name in _PIPELINES_VARIABLES.items():
            if not found.get(field) and name in os.environ:
                found[field] = os.environ[name]
    return found


def certificate_names(variables: str) -> tuple[str, str] | None:
    """The variables the certificate's path and password are read from (the last set name of each,
    as ``sign_in_env``), the password's named beside the path's when none is set; None without a
    certificate path."""
    table = _AZURERM_VARIABLES if variables == "azurerm" else _KUBELOGIN_VARIABLES
    paths = [n for n in table["client_certificate_path"] if os.environ.get(n)]
    if variables == "none" or not paths:
        return None
    passwords = [n for n in table["client_certificate_password"] if os.environ.get(n)]
    beside = paths[-1].removesuffix("_PATH") + "_PASSWORD"  # AZURE_, ARM_ and AAD_SERVICE_PRINCIPAL_
    return paths[-1], (passwords[-1] if passwords else beside)
