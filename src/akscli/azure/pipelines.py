"""kubelogin's azurepipelines login: Entra workload identity federation of an Azure Pipelines
service connection, for ``akscli token`` (upstream: Azure/kubelogin
pkg/internal/token/azurepipelinescredential.go and options.go ``UpdateFromEnv``, commit
66784961ef44a34236a651d9b08bcdf0aa07b836).

The pipeline's job token comes from SYSTEM_ACCESSTOKEN, which kubelogin reads even with
--disable-environment-override; azure-identity's AzurePipelinesCredential asks Azure DevOps at
SYSTEM_OIDCREQUESTURI for the OIDC token it then presents to Entra ID (upstream:
Azure/azure-sdk-for-python sdk/identity/azure-identity/azure/identity/_credentials/azure_pipelines.py).
The job token is never printed.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from akscli.errors import UsageError
from akscli.redact import remember

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential


def credential(
    tenant: str | None, client_id: str | None, connection: str | None, common: dict[str, Any]
) -> TokenCredential:
    """azure-identity's AzurePipelinesCredential for the service ``connection`` (the sign-in
    environment's service_connection_id), or one usage line naming what is missing."""
    import azure.identity as ai

    job_token = os.environ.get("SYSTEM_ACCESSTOKEN", "")
    if not job_token:  # kubelogin: "SYSTEM_ACCESSTOKEN environment variable not set"
        raise UsageError(
            "--auth azurepipelines needs the job's token in SYSTEM_ACCESSTOKEN, which is not set",
            hint="map it in the pipeline step: env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)",
        )
    remember(job_token)  # akscli.redact: never in a message, whatever echoes it
    missing = [
        name
        for name, value in (
            ("AZURESUBSCRIPTION_TENANT_ID (or --tenant-id)", tenant),
            ("AZURESUBSCRIPTION_CLIENT_ID (or --client-id)", client_id),
            ("AZURESUBSCRIPTION_SERVICE_CONNECTION_ID (or --azure-pipelines-service-connection-id)", connection),
            ("SYSTEM_OIDCREQUESTURI", os.environ.get("SYSTEM_OIDCREQUESTURI")),
        )
        if not value
    ]
    if missing:
        raise UsageError(
            "--auth azurepipelines needs " + ", ".join(missing),
            hint="run it in an AzureCLI@2 task whose service connection uses workload identity federation",
        )
    return ai.AzurePipelinesCredential(
        tenant_id=tenant or "",  # each checked above
        client_id=client_id or "",
        service_connection_id=connection or "",
        system_access_token=job_token,
        **common,
    )
