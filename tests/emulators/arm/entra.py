"""The Entra side of the ARM emulator: token endpoint (client credentials, device code, refresh
tokens), OpenID configuration, managed identity, and ARM's 401 challenges (split out of routes.py)."""

from __future__ import annotations

import base64
import json
import secrets
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from tests.emulators.arm.server import ARM_AUDIENCES, ArmError

if TYPE_CHECKING:
    from tests.emulators.arm.server import ArmEmulator

Response = tuple[int, dict[str, str], Any]


def openid(emu: ArmEmulator, path: str) -> Response:
    tenant = path.strip("/").split("/")[0]
    base = f"{emu.url}/{tenant}"
    return (
        200,
        {},
        {
            "issuer": f"{base}/v2.0",
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "token_endpoint": f"{base}/oauth2/v2.0/token",
            "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
            "end_session_endpoint": f"{base}/oauth2/v2.0/logout",
            "jwks_uri": f"{base}/discovery/v2.0/keys",
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "tenant_region_scope": "NA",
        },
    )


def _aad_error(status: int, error: str, description: str) -> Response:
    return (
        status,
        {},
        {
            "error": error,
            "error_description": description,
            "error_codes": [7000215 if error == "invalid_client" else 90002],
            "timestamp": time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime()),
        },
    )


def _token_fault(status: int, retry_after: float | None, body: dict[str, Any] | None) -> Response:
    """An injected failure of the token endpoint (``emu.entra_faults.add("POST", "/token$", 429,
    retry_after=60)``). Entra throttles a client_credentials token request with "429 Too Many
    Requests, with a Retry-After: 60 header" (upstream: learn.microsoft.com/en-us/entra/msal/dotnet/
    advanced/client-and-server-throttling, "Server throttling"); the body it sends is the text
    "Too Many Requests", not JSON (upstream: AzureAD/microsoft-authentication-library-for-dotnet
    issue #2855, "StatusCode: 429 ResponseBody: Too Many Requests Headers: Retry-After: 60").
    No published source shows the body of Entra's 5xx, so another status answers with ``body``,
    else the reason phrase as text. Retry-After in whole seconds (MSAL: "AAD's retry_after uses
    integer format only", msal throttled_http_client.py RetryAfterParser)."""
    import http

    headers = {} if retry_after is None else {"Retry-After": str(int(retry_after))}
    if body is not None:
        return status, headers, body
    return status, {**headers, "Content-Type": "text/plain"}, http.HTTPStatus(status).phrase.encode()


def _audience(scope: str) -> str:
    for s in scope.split():
        if s.endswith("/.default"):
            return s[: -len("/.default")]
    return scope.split()[0] if scope else ""


def token(emu: ArmEmulator, tenant: str, body: bytes) -> Response:
    form = {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
    emu.token_requests.append({k: v for k, v in form.items() if "secret" not in k})
    fault = emu.entra_faults.take("POST", f"/{tenant}/oauth2/v2.0/token")
    if fault is not None:
        return _token_fault(fault.status, fault.retry_after, fault.body)
    if tenant.lower() not in (*emu.tenants, "organizations", "common"):
        return _aad_error(400, "invalid_request", f"AADSTS90002: Tenant '{tenant}' not found.")
    client_id = form.get("client_id", "")
    grant = form.get("grant_type", "")
    if grant == "urn:ietf:params:oauth:grant-type:device_code":
        return _device_token(emu, tenant, form)
    if grant == "refresh_token":
        return _refresh(emu, tenant, form)
    if grant != "client_credentials":
        return _aad_error(400, "unsupported_grant_type", f"grant_type {grant!r} not supported")
    if "client_secret" in form:
        if emu.clients.get(client_id) != form["client_secret"]:
            return _aad_error(
                401,
                "invalid_client",
                f"AADSTS7000215: Invalid client secret provided for app '{client_id}'.",
            )
    elif "client_assertion" in form:
        assertion = form["client_assertion"]
        if assertion not in emu.federated_assertions:
            return _aad_error(
                401,
                "invalid_client",
                "AADSTS700213: No matching federated identity record found for presented assertion.",
            )
    else:
        return _aad_error(401, "invalid_client", "AADSTS7000216: client credentials missing")
    aud = _audience(form.get("scope", ""))
    token, exp = emu.issue_token(aud, tenant=tenant, client_id=client_id)
    lifetime = exp - int(time.time())
    return (
        200,
        {},
        {
            "token_type": "Bearer",
            "expires_in": lifetime,
            "ext_expires_in": lifetime,
            "access_token": token,
        },
    )


def devicecode(emu: ArmEmulator, tenant: str, body: bytes) -> Response:
    form = {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
    code = secrets.token_urlsafe(16)
    user_code = secrets.token_hex(4).upper()
    emu.device_codes[code] = {"client_id": form.get("client_id", ""), "scope": form.get("scope", ""),
                              "user_code": user_code, "polls": 0, "last_poll": None}  # fmt: skip
    return (
        200,
        {},
        {
            "device_code": code,
            "user_code": user_code,
            "verification_uri": "https://microsoft.com/devicelogin",
            "expires_in": 900,
            "interval": emu.device_interval,
            "message": f"To sign in, open https://microsoft.com/devicelogin and enter {user_code}.",
        },
    )


def _device_token(emu: ArmEmulator, tenant: str, form: dict[str, str]) -> Response:
    """The user 'approves' in the browser after ``emu.device_approval_polls`` polls."""
    entry = emu.device_codes.get(form.get("device_code", ""))
    if entry is None:
        return _aad_error(400, "expired_token", "AADSTS70019: the device code has expired.")
    # RFC 8628 section 3.5: a client polling faster than `interval` gets slow_down.
    now = time.time()
    too_soon = entry["last_poll"] is not None and now - entry["last_poll"] < emu.device_interval - 0.05
    entry["last_poll"] = now
    if too_soon:
        emu.device_slow_downs += 1
        return _aad_error(400, "slow_down", "AADSTS70016: polling too fast; slow down.")
    if entry["polls"] < emu.device_approval_polls:
        entry["polls"] += 1
        return _aad_error(400, "authorization_pending", "AADSTS70016: pending end-user authorization.")
    return _user_tokens(emu, tenant, entry["client_id"], entry["scope"])


def _refresh(emu: ArmEmulator, tenant: str, form: dict[str, str]) -> Response:
    """grant_type=refresh_token: a new access token (and a rotated refresh token) for the user."""
    entry = emu.refresh_tokens.pop(form.get("refresh_token", ""), None)
    if entry is None:
        return _aad_error(400, "invalid_grant", "AADSTS70008: The refresh token has expired or is invalid.")
    return _user_tokens(emu, tenant, entry["client_id"], form.get("scope") or entry["scope"])


def _user_tokens(emu: ArmEmulator, tenant: str, client_id: str, scope: str) -> Response:
    """A user's token response (access, id, refresh token, client_info), as Entra's v2.0 token endpoint answers a
    public client that asked for offline_access."""
    token, exp = emu.issue_token(_audience(scope), tenant=tenant, client_id=client_id)
    now = int(time.time())
    user_oid = "99999999-0000-0000-0000-000000000001"
    refresh = secrets.token_urlsafe(24)
    emu.refresh_tokens[refresh] = {"client_id": client_id, "scope": scope}

    def b64(d: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()

    id_claims = {"aud": client_id, "iss": f"{emu.url}/{tenant}/v2.0", "tid": tenant, "sub": user_oid,
                 "oid": user_oid, "preferred_username": "dev@contoso.com", "iat": now, "nbf": now,
                 "exp": now + 3600}  # fmt: skip
    return (
        200,
        {},
        {
            "token_type": "Bearer",
            "scope": scope,
            "refresh_token": refresh,
            "expires_in": exp - now,
            "ext_expires_in": exp - now,
            "access_token": token,
            "id_token": f"{b64({'typ': 'JWT', 'alg': 'RS256'})}.{b64(id_claims)}.ZW11",
            "client_info": b64({"uid": user_oid, "utid": tenant}),
        },
    )


def msi(emu: ArmEmulator, query: dict[str, list[str]], headers: dict[str, str]) -> Response:
    lowered = {k.lower(): v for k, v in headers.items()}
    if lowered.get("x-identity-header") != emu.msi_header:
        return 401, {}, {"error": "invalid_request", "error_description": "bad identity header"}
    resource = (query.get("resource") or [""])[0]
    aud = resource[: -len("/.default")] if resource.endswith("/.default") else resource
    client_id = (query.get("client_id") or ["msi-system-assigned"])[0]
    resource_id = (query.get("mi_res_id") or [""])[0]
    if resource_id and "client_id" not in query:
        # App Service's endpoint names a user-assigned identity by its ARM ID in mi_res_id (upstream:
        # AzureAD/microsoft-authentication-library-for-python msal/managed_identity.py, the App Service
        # query names; learn.microsoft.com/azure/app-service/overview-managed-identity, "mi_res_id").
        # The token is that identity's. What it answers for an identity not on the resource is not
        # published; 400 invalid_request is this emulator's assumption.
        known = emu.user_assigned_identities.get(resource_id.lower())
        if known is None:
            return 400, {}, {"error": "invalid_request", "error_description": "unknown identity"}
        client_id = known
    token, exp = emu.issue_token(aud.rstrip("/"), client_id=client_id)
    return (
        200,
        {},
        {
            "access_token": token,
            "expires_on": str(exp),
            "resource": resource,
            "token_type": "Bearer",
            "client_id": client_id,
        },
    )


def pipelines_oidc(emu: ArmEmulator, query: dict[str, list[str]], headers: dict[str, str]) -> Response:
    """Azure DevOps's "Oidctoken - Create" (upstream: learn.microsoft.com/rest/api/azure/devops/
    distributedtask/oidctoken/create, api-version 7.1: POST {org}/{project}/_apis/distributedtask/hubs/
    {hub}/plans/{plan}/jobs/{job}/oidctoken?serviceConnectionId=..., answering TaskHubOidcToken
    ``{"oidcToken": ...}``), which azure-identity's AzurePipelinesCredential calls with the job's
    System.AccessToken as a bearer token (Azure/azure-sdk-for-python sdk/identity/azure-identity/
    azure/identity/_credentials/azure_pipelines.py ``build_oidc_request``). The token it hands out is
    an assertion the Entra side accepts. What Azure DevOps answers a wrong token or an unknown
    connection with is not published: here a 401 and a 404 with the reason phrase as text."""
    lowered = {k.lower(): v for k, v in headers.items()}
    if lowered.get("authorization") != f"Bearer {emu.pipeline_access_token}":
        return 401, {"Content-Type": "text/plain"}, b"Unauthorized"
    connection = (query.get("serviceConnectionId") or [""])[0]
    if connection not in emu.pipeline_connections:
        return 404, {"Content-Type": "text/plain"}, b"Not Found"
    assertion = f"ado.{secrets.token_urlsafe(16)}.oidc"
    emu.federated_assertions.add(assertion)
    return 200, {}, {"oidcToken": assertion}


def _challenge(
    emu: ArmEmulator, tenant: str, error: str, description: str, claims: str | None = None
) -> dict[str, str]:
    """ARM's 401 challenge: ``WWW-Authenticate: Bearer authorization_uri=..., error=..., error_description=...``,
    plus ``claims`` (base64 JSON) for a continuous access evaluation challenge, which azure-mgmt-core's
    ARMChallengeAuthenticationPolicy answers by asking for a new token with those claims
    (azure/mgmt/core/policies/_authentication.py; https://learn.microsoft.com/entra/identity-platform/claims-challenge)."""
    value = f'Bearer authorization_uri="{emu.url}/{tenant}", error="{error}", error_description="{description}"'
    if claims is not None:
        value += f', claims="{claims}"'
    return {"WWW-Authenticate": value}


def check_auth(emu: ArmEmulator, headers: dict[str, str], path: str) -> None:
    if not emu.require_auth:
        return
    auth = {k.lower(): v for k, v in headers.items()}.get("authorization", "")
    token = auth[7:] if auth.lower().startswith("bearer ") else ""
    claims = emu.tokens.get(token)
    sub = path.split("/")[2] if path.count("/") >= 2 else emu.subscription
    home = emu.subscription_tenants.get(sub.lower(), emu.tenant)
    if claims is None:
        raise ArmError(
            401,
            "AuthenticationFailed" if not token else "InvalidAuthenticationToken",
            "Authentication failed. The 'Authorization' header is missing or invalid.",
            headers=_challenge(emu, home, "invalid_token", "The authentication failed."),
        )
    if str(claims["aud"]).rstrip("/") not in ARM_AUDIENCES:
        raise ArmError(
            401,
            "InvalidAuthenticationTokenAudience",
            f"The access token has been obtained for wrong audience or resource '{claims['aud']}'.",
            headers=_challenge(emu, home, "invalid_token", "The access token has the wrong audience."),
        )
    if claims["exp"] < time.time():
        raise ArmError(
            401,
            "ExpiredAuthenticationToken",
            "The access token expiry has passed.",
            headers=_challenge(emu, home, "invalid_token", "The access token expiry has passed."),
        )
    if str(claims["tid"]).lower() != home.lower():
        # ARM's answer to a token of another tenant, as users see it (the message names both
        # issuers and the authority to use).
        raise ArmError(
            401,
            "InvalidAuthenticationTokenTenant",
            f"The access token is from the wrong issuer 'https://sts.windows.net/{claims['tid']}/'. It must match "
            f"the tenant 'https://sts.windows.net/{home}/' associated with this subscription. Please use the "
            f"authority (URL) 'https://login.windows.net/{home}' to get the token.",
            headers=_challenge(emu, home, "invalid_token", "The access token is from the wrong issuer."),
        )
    if token in emu.revoked_tokens:
        challenge = {"access_token": {"nbf": {"essential": True, "value": str(int(time.time()))}}}
        encoded = base64.b64encode(json.dumps(challenge).encode()).decode()
        raise ArmError(
            401,
            "InvalidAuthenticationToken",
            "The access token has been revoked (continuous access evaluation).",
            headers=_challenge(emu, home, "insufficient_claims", "Continuous access evaluation challenge", encoded),
        )
