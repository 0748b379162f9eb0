"""Request dispatch for the ARM emulator: Entra, managed identity, operations, resources."""

from __future__ import annotations

import base64
import copy
import json
import re
import secrets
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode

from tests.emulators.arm.server import (
    AKS_SERVER_APP,
    ARM_AUDIENCES,
    ArmError,
    Operation,
    ParsedId,
    _fmt_retry,
    parse_path,
)

if TYPE_CHECKING:
    from tests.emulators.arm.server import ArmEmulator

Response = tuple[int, dict[str, str], Any]

_STATUS_CODES = {
    400: "BadRequest",
    401: "AuthenticationFailed",
    403: "AuthorizationFailed",
    404: "ResourceNotFound",
    409: "Conflict",
    429: "TooManyRequests",
    500: "InternalServerError",
    503: "ServiceUnavailable",
}


def _err(e: ArmError, headers: dict[str, str] | None = None) -> Response:
    return e.status, {**e.headers, **(headers or {})}, e.body()


def dispatch(
    emu: ArmEmulator,
    method: str,
    path: str,
    query: dict[str, list[str]],
    headers: dict[str, str],
    body: bytes,
) -> Response:
    try:
        return _dispatch(emu, method, path, query, headers, body)
    except ArmError as e:
        return _err(e)


def _dispatch(
    emu: ArmEmulator,
    method: str,
    path: str,
    query: dict[str, list[str]],
    headers: dict[str, str],
    body: bytes,
) -> Response:
    lower = path.lower()
    if lower.endswith("/.well-known/openid-configuration"):
        return _openid(emu, path)
    m = re.fullmatch(r"/([^/]+)/oauth2/v2\.0/token", path)
    if m and method == "POST":
        return _token(emu, m.group(1), body)
    m = re.fullmatch(r"/([^/]+)/oauth2/v2\.0/devicecode", path)
    if m and method == "POST":
        return _devicecode(emu, m.group(1), body)
    if lower == "/msi/token":
        return _msi(emu, query, headers)
    fault = emu.faults.take(method, path)
    if fault is not None:
        return _fault(fault.status, fault.retry_after, fault.body)
    if lower.startswith("/subscriptions/"):
        _check_auth(emu, headers, path)
    for meth, rx, route in emu._routes:
        if meth in (method, "*") and rx.search(path):
            status, payload = route(emu, path, query, body)
            return status, {}, payload
    if lower.startswith("/subscriptions/"):
        return _arm(emu, method, path, query, body)
    return 404, {}, {"error": {"code": "NotFound", "message": f"no route for {path}"}}


def _fault(status: int, retry_after: float | None, body: dict[str, Any] | None) -> Response:
    headers = {}
    if retry_after is not None:
        headers["Retry-After"] = _fmt_retry(retry_after)
    if body is None:
        code = _STATUS_CODES.get(status, "Error")
        msg = "Too many requests; retry later." if status == 429 else f"Injected {status}."
        body = {"error": {"code": code, "message": msg}}
    return status, headers, body


# --------------------------------------------------------------------------- Entra
def _openid(emu: ArmEmulator, path: str) -> Response:
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


def _audience(scope: str) -> str:
    for s in scope.split():
        if s.endswith("/.default"):
            return s[: -len("/.default")]
    return scope.split()[0] if scope else ""


def _token(emu: ArmEmulator, tenant: str, body: bytes) -> Response:
    form = {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
    emu.token_requests.append({k: v for k, v in form.items() if "secret" not in k})
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


def _devicecode(emu: ArmEmulator, tenant: str, body: bytes) -> Response:
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


def _msi(emu: ArmEmulator, query: dict[str, list[str]], headers: dict[str, str]) -> Response:
    lowered = {k.lower(): v for k, v in headers.items()}
    if lowered.get("x-identity-header") != emu.msi_header:
        return 401, {}, {"error": "invalid_request", "error_description": "bad identity header"}
    resource = (query.get("resource") or [""])[0]
    aud = resource[: -len("/.default")] if resource.endswith("/.default") else resource
    client_id = (query.get("client_id") or ["msi-system-assigned"])[0]
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


def _check_auth(emu: ArmEmulator, headers: dict[str, str], path: str) -> None:
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


# --------------------------------------------------------------------------- ARM
def _api_version(query: dict[str, list[str]]) -> str:
    v = (query.get("api-version") or [""])[0]
    if not v:
        raise ArmError(
            400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required."
        )
    return v


def _arm(emu: ArmEmulator, method: str, path: str, query: dict[str, list[str]], body: bytes) -> Response:
    api_version = _api_version(query)
    path = path.rstrip("/")
    m = re.fullmatch(
        r"/subscriptions/[^/]+/providers/([^/]+)/locations/([^/]+)/(operations|operationresults)/([^/]+)",
        path,
        re.I,
    )
    if m:
        return _operation(emu, m.group(3).lower(), m.group(4), api_version)
    p = parse_path(path)
    if p is None:
        raise ArmError(404, "NotFound", f"The resource path '{path}' is not supported.")
    if not p.rest:
        raise ArmError(404, "InvalidResourceType", f"No resource type in '{path}'.")
    if p.is_resource:
        # A computed sub-resource such as upgradeProfiles/default?
        if len(p.rest) >= 4 and method == "GET":
            parent = p.prefix(len(p.rest) - 2)
            parent_type = "/".join([p.namespace, *p.types[:-1]])
            sub = "/".join(p.rest[-2:]).lower()
            for rx, subpath, handler in emu._gets:
                if subpath == sub and rx.match(parent_type):
                    obj = emu.get_resource(parent)
                    if obj is None:
                        raise _not_found(parent, parent_type)
                    return 200, {}, handler(emu, obj["id"], obj, query)
        return _resource(emu, method, path, p, query, body, api_version)
    if method == "POST" and len(p.rest) >= 3:
        return _action(emu, p, query, body, api_version)
    if method == "GET":
        return _list(emu, path, p, query)
    raise ArmError(405, "MethodNotAllowed", f"{method} is not supported on '{path}'.")


def _not_found(resource_id: str, type_name: str) -> ArmError:
    name = resource_id.rstrip("/").split("/")[-1]
    rg = re.search(r"/resourcegroups/([^/]+)", resource_id, re.I)
    where = f" under resource group '{rg.group(1)}'" if rg else ""
    return ArmError(
        404,
        "ResourceNotFound",
        f"The Resource '{type_name}/{name}'{where} was not found. For more details please go "
        "to https://aka.ms/ARMResourceNotFoundFix",
    )


def _json(body: bytes) -> dict[str, Any]:
    if not body:
        return {}
    try:
        obj = json.loads(body)
    except ValueError as e:
        raise ArmError(
            400, "InvalidRequestContent", f"The request content was invalid and could not be deserialized: {e}"
        ) from e
    if not isinstance(obj, dict):
        raise ArmError(400, "InvalidRequestContent", "The request content must be an object.")
    return obj


def _check_not_busy(emu: ArmEmulator, resource_id: str, what: str) -> None:
    op_id = emu._busy.get(resource_id.lower())
    if op_id is None:
        return
    op = emu._ops[op_id]
    raise ArmError(
        409,
        "OperationNotAllowed",
        f"Operation is not allowed because there's an in progress {op.kind} operation "
        f"(operation id {op.id}) on {what} '{resource_id.split('/')[-1]}'. Please wait for "
        "it to finish before starting a new operation.",
    )


def _merge(dst: dict[str, Any], patch: dict[str, Any]) -> None:
    for k, v in patch.items():
        if v is None:
            dst.pop(k, None)
        elif isinstance(v, dict) and isinstance(dst.get(k), dict):
            _merge(dst[k], v)
        else:
            dst[k] = copy.deepcopy(v)


def _resource(
    emu: ArmEmulator,
    method: str,
    path: str,
    p: ParsedId,
    query: dict[str, list[str]],
    body: bytes,
    api_version: str,
) -> Response:
    from tests.emulators.arm import groups

    groups.check(emu, path)
    existing = emu.get_resource(path)
    type_name = p.type
    if method in ("GET", "HEAD"):
        if existing is None:
            raise _not_found(path, type_name)
        op_id = emu._busy.get(existing["id"].lower())
        if op_id is not None:
            # Time passes for an operation whether or not its client polls it: reading the
            # resource moves it on too (so `cluster wait` after --no-wait completes).
            emu._advance(op_id)
            existing = emu.get_resource(path)
            if existing is None:
                raise _not_found(path, type_name)
        for h in emu._hooks_for(type_name):
            if h.on_read is not None:
                h.on_read(emu, existing["id"], existing)
                existing = emu.get_resource(path) or existing
        return 200, {}, existing
    # Writes need the parent (for child and extension resources) to exist.
    if len(p.rest) > 2:
        parent = p.prefix(len(p.rest) - 2)
        if emu.get_resource(parent) is None:
            raise ArmError(
                404,
                "ParentResourceNotFound",
                f"Can not perform requested operation on nested resource. Parent resource "
                f"'{parent.split('/')[-1]}' not found.",
            )
    elif "/providers/" in p.scope.lower() and emu.get_resource(p.scope) is None:
        # An extension resource (…/connectedClusters/x/providers/Microsoft.Hybrid…/…).
        raise _not_found(p.scope, "parent")
    if method == "DELETE":
        return _delete(emu, path, p, existing, api_version)
    if method not in ("PUT", "PATCH"):
        raise ArmError(405, "MethodNotAllowed", f"{method} is not supported on '{path}'.")
    _check_not_busy(emu, path, type_name.split("/")[-1])
    req = _json(body)
    if method == "PATCH":
        if existing is None:
            raise _not_found(path, type_name)
        new = copy.deepcopy(existing)
        _merge(new, req)
    else:
        new = copy.deepcopy(req)
        if existing is not None:
            # ARM keeps read-only and server-computed fields a PUT body leaves out.
            for k in ("systemData",):
                if k in existing and k not in new:
                    new[k] = existing[k]
    new["id"] = existing["id"] if existing else path
    new["name"] = p.rest[-1]
    new["type"] = type_name
    props = new.setdefault("properties", {})
    if not isinstance(props, dict):
        raise ArmError(400, "InvalidRequestContent", "'properties' must be an object.")
    props.pop("provisioningState", None)
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    sd = new.setdefault("systemData", {})
    if existing is None:
        sd.update(createdAt=now, createdBy="emulator@contoso.com", createdByType="User")
    sd.update(lastModifiedAt=now, lastModifiedBy="emulator@contoso.com", lastModifiedByType="User")
    for h in emu._hooks_for(type_name):
        if h.on_put is not None:
            h.on_put(emu, new["id"], new, existing)
    busy = "Creating" if existing is None else "Updating"
    # ARM resources carry a top-level "eTag"; AKS agent pools carry it in properties (the
    # 2026-08-01 spec: AgentPool has no top-level eTag, ManagedClusterAgentPoolProfileProperties.eTag).
    etag_holder = props if type_name.lower().endswith("managedclusters/agentpools") else new
    etag_holder["eTag"] = f'"{time.time_ns():x}"'
    rid = new["id"]

    def done() -> dict[str, Any] | None:
        emu.update_resource(rid, lambda o: o.setdefault("properties", {}).update(provisioningState="Succeeded"))
        obj = emu.get_resource(rid)
        if obj is not None:
            for h in emu._hooks_for(type_name):
                if h.on_put_done is not None:
                    h.on_put_done(emu, rid, obj)
        return None

    props["provisioningState"] = busy
    with emu._lock:
        emu._store[rid.lower()] = new
    status = 201 if existing is None and method == "PUT" else 200
    op = emu._new_operation(rid, method.lower(), method, emu._location_of(new), p.namespace, done)
    if emu.lro_polls <= 0 and op.error is None:
        emu._complete_now(op)
        return status, {}, emu.get_resource(rid)
    return status, emu._op_urls(op, api_version), emu.get_resource(rid)


def _delete(emu: ArmEmulator, path: str, p: ParsedId, existing: dict[str, Any] | None, api_version: str) -> Response:
    if existing is None:
        return 204, {}, None
    _check_not_busy(emu, path, p.type.split("/")[-1])
    for h in emu._hooks_for(p.type):
        if h.on_delete is not None:
            h.on_delete(emu, existing["id"], existing)
    rid = existing["id"]
    emu.update_resource(rid, lambda o: o.setdefault("properties", {}).update(provisioningState="Deleting"))

    def done() -> dict[str, Any] | None:
        obj = emu.get_resource(rid)
        emu.delete_resource(rid)
        if obj is not None:
            for h in emu._hooks_for(p.type):
                if h.on_deleted is not None:
                    h.on_deleted(emu, rid, obj)
        return None

    op = emu._new_operation(rid, "delete", "DELETE", emu._location_of(existing), p.namespace, done)
    if emu.lro_polls <= 0 and op.error is None:
        emu._complete_now(op)
        return 200, {}, None
    return 202, emu._op_urls(op, api_version), None


def _action(emu: ArmEmulator, p: ParsedId, query: dict[str, list[str]], body: bytes, api_version: str) -> Response:
    resource_id = p.prefix(len(p.rest) - 1)
    action = p.rest[-1].lower()
    type_name = "/".join([p.namespace, *p.types[:-1]]) if len(p.rest) % 2 else p.type
    obj = emu.get_resource(resource_id)
    if obj is None:
        raise _not_found(resource_id, type_name)
    for a in emu._actions:
        if a.action == action and a.type_regex.match(type_name):
            break
    else:
        raise ArmError(404, "InvalidResourceType", f"The action '{p.rest[-1]}' is not supported on '{type_name}'.")
    req = _json(body) if body else None
    if req is not None:
        req["__query__"] = query
    elif query:
        req = {"__query__": query}
    rid = obj["id"]
    if not a.lro:
        return _sync_result(a.handler(emu, rid, obj, req))
    _check_not_busy(emu, rid, type_name.split("/")[-1])
    if a.before is not None:
        a.before(emu, rid, obj, req)
    previous = (obj.get("properties") or {}).get("provisioningState", "Succeeded")
    if a.busy_state:
        emu.update_resource(rid, lambda o: o.setdefault("properties", {}).update(provisioningState=a.busy_state))

    def done() -> dict[str, Any] | None:
        current = emu.get_resource(rid) or obj
        result = a.handler(emu, rid, current, req)
        if a.busy_state:
            state = "Succeeded" if previous in ("Creating", "Updating") else previous
            emu.update_resource(rid, lambda o: o.setdefault("properties", {}).update(provisioningState=state))
        return result if isinstance(result, dict) else None

    op = emu._new_operation(rid, action, "POST", emu._location_of(obj), p.namespace, done)
    if emu.lro_polls <= 0 and op.error is None:
        op = emu._complete_now(op)
        if op.status == "Failed":
            return 400, {}, {"error": op.error}
        return (200, {}, op.result) if op.result is not None else (204, {}, None)
    return 202, emu._op_urls(op, api_version), None


def _sync_result(result: Any) -> Response:
    if result is None:
        return 204, {}, None
    return 200, {}, result


def _list(emu: ArmEmulator, path: str, p: ParsedId, query: dict[str, list[str]]) -> Response:
    type_name = p.type
    if len(p.rest) == 1:
        scope = p.scope.lower()
        items = [
            o
            for o in emu.list_resources(type_name)
            if o["id"].lower().startswith(scope + "/") and (parse_path(o["id"]) or p).scope.lower().startswith(scope)
        ]
    else:
        parent = p.prefix(len(p.rest) - 1)
        if emu.get_resource(parent) is None:
            raise _not_found(parent, "/".join([p.namespace, *p.types[:-1]]))
        items = emu.list_resources(type_name, parent)
    for h in emu._hooks_for(type_name):
        if h.on_list is not None:
            items = h.on_list(emu, items, query)
    items.sort(key=lambda o: o["id"].lower())
    skip = int((query.get("$skiptoken") or ["0"])[0])
    page = items[skip : skip + emu.page_size]
    out: dict[str, Any] = {"value": page}
    if skip + emu.page_size < len(items):
        q = {"api-version": query["api-version"][0], "$skiptoken": str(skip + emu.page_size)}
        out["nextLink"] = f"{emu.url}{path}?{urlencode(q)}"
    return 200, {}, out


def _operation(emu: ArmEmulator, kind: str, op_id: str, api_version: str) -> Response:
    op = emu._advance(op_id)
    if op is None:
        raise ArmError(404, "OperationNotFound", f"Operation '{op_id}' was not found.")
    if kind == "operations":
        return _op_status(emu, op, api_version)
    if op.status == "InProgress":
        return 202, emu._op_urls(op, api_version), None
    if op.status in ("Failed", "Canceled"):
        # The Location URL answers a failed operation as the synchronous request would have.
        return 400, {}, {"error": op.error}
    if op.result is not None:
        return 200, {}, op.result
    if op.kind in ("put", "patch"):
        return 200, {}, emu.get_resource(op.resource_id)
    return 204, {}, None


def _op_status(emu: ArmEmulator, op: Operation, api_version: str) -> Response:
    out: dict[str, Any] = {
        "id": f"/subscriptions/{op.subscription}/providers/{op.namespace}/locations/{op.location}/operations/{op.id}",
        "name": op.id,
        "status": op.status,
        "startTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(op.start)),
    }
    headers: dict[str, str] = {}
    if op.status == "InProgress":
        if emu.retry_after is not None:
            headers["Retry-After"] = _fmt_retry(emu.retry_after)
        out["percentComplete"] = 50.0
    else:
        out["endTime"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    # "error" is required when status is Failed or Canceled (async-api-reference.md).
    if op.error is not None and op.status in ("Failed", "Canceled"):
        out["error"] = op.error
    return 200, headers, out


__all__ = ["AKS_SERVER_APP", "dispatch"]
