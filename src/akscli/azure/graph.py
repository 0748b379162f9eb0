"""Microsoft Graph reads, with the credential, retries and error translation of akscli.azure.arm.

Only what ARM cannot answer: the service principal of an application (client) ID, for a client that is
not a user-assigned identity in the subscription (an app registration, or an identity in another
subscription of the tenant: a managed identity has a service principal too). ``GET
/v1.0/servicePrincipals(appId='{appId}')`` (learn.microsoft.com/graph/api/serviceprincipal-get,
MicrosoftDocs/microsoft-graph-docs-contrib api-reference/v1.0/api/serviceprincipal-get.md) answers
its ``id`` (the object ID role assignments name), ``displayName`` and ``servicePrincipalType``
(``Application``, ``ManagedIdentity``), or 404 ``Request_ResourceNotFound``. Reading it takes
Application.Read.All (or Directory.Read.All), which a member user of the tenant has by default.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import quote

from akscli.errors import AkscliError

GRAPH_ENDPOINT = "https://graph.microsoft.com"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"


def graph_endpoint() -> str:
    # A sovereign cloud has its own Graph (graph.microsoft.us, microsoftgraph.chinacloudapi.cn); tests
    # point it at the emulator.
    return (os.environ.get("AKSCLI_GRAPH_ENDPOINT") or GRAPH_ENDPOINT).rstrip("/")


def service_principal(target: Any, app_id: str) -> dict[str, Any] | None:
    """The service principal of ``app_id`` in the signed-in tenant; None where Graph has none."""
    from azure.core import PipelineClient
    from azure.core.pipeline import policies
    from azure.core.rest import HttpRequest

    from akscli.azure import arm

    config = arm.pipeline_config(arm._client_kwargs())
    config.authentication_policy = policies.BearerTokenCredentialPolicy(
        arm._credential(target), os.environ.get("AKSCLI_GRAPH_SCOPE") or GRAPH_SCOPE
    )
    client: PipelineClient[Any, Any] = PipelineClient(base_url=graph_endpoint(), config=config)
    url = f"{graph_endpoint()}/v1.0/servicePrincipals(appId='{quote(app_id, safe='')}')"
    try:
        response = client.send_request(HttpRequest("GET", url))
        if response.status_code == 404:
            return None
        response.raise_for_status()
    except AkscliError:
        raise
    except Exception as exc:
        raise arm.translate_arm_error(exc, what="Microsoft Graph servicePrincipals") from exc
    body = response.json()
    return body if isinstance(body, dict) else None
