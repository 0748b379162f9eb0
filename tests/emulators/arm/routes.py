"""Request dispatch for the ARM emulator: Entra, managed identity, operations, resources."""

from __future__ import annotations

import base64
import copy
import json
import re
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from tests.emulators.arm import aksolder, apiversions, entra, etags, locations, operations, schema, throttle, workspace
from tests.emulators.arm.ids import ParsedId, parse_path
from tests.emulators.arm.lro import _fmt_retry
from tests.emulators.arm.server import AKS_SERVER_APP, ArmError, Operation
from tests.emulators.arm.write_checks import body_json, check_not_busy, check_tag_names, not_found, patched

if TYPE_CHECKING:
    from tests.emulators.arm.server import ArmEmulator

Response = tuple[int, dict[str, str], Any]

# An injected fault's code (emu.faults, a test's device) when the test gives no body: ARM's codes
# (upstream: MicrosoftDocs/azure-docs articles/azure-resource-manager/troubleshooting/
# common-deployment-errors.md), else the HTTP reason phrase; a provider's own code needs a body.
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
        return entra.openid(emu, path)
    m = re.fullmatch(r"/([^/]+)/oauth2/v2\.0/token", path)
    if m and method == "POST":
        return entra.token(emu, m.group(1), body)
    m = re.fullmatch(r"/([^/]+)/oauth2/v2\.0/devicecode", path)
    if m and method == "POST":
        return entra.devicecode(emu, m.group(1), body)
    if lower == "/msi/token":
        return entra.msi(emu, query, headers)
    if method == "POST" and lower.endswith("/oidctoken") and "/_apis/distributedtask/hubs/" in lower:
        # upstream: Azure/azure-sdk-for-python sdk/identity/azure-identity azure_pipelines.py
        return entra.pipelines_oidc(emu, query, headers)
    fault = emu.faults.take(method, path)
    if fault is not None:
        status, fault_headers, fault_body = _fault(fault.status, fault.retry_after, fault.body)
        if not lower.startswith("/subscriptions/"):
            return status, fault_headers, fault_body
        # An injected answer stands for the provider's: ARM has counted the request first and says
        # on it what the subscription has left (throttle.py; MicrosoftDocs/azure-docs articles/
        # azure-resource-manager/management/request-limits-and-throttling.md: "Throttling happens at
        # two levels", ARM's and then the resource provider's).
        limits, throttled, _ = throttle.check(emu, method, path.split("/")[2])
        if throttled is not None:
            return 429, limits, throttled
        return status, {**limits, **fault_headers}, fault_body
    if lower == "/api/v1/query" and method in ("GET", "POST"):
        # An Azure Monitor workspace's query endpoint (workspace.py; github.com/MicrosoftDocs/azure-monitor-docs
        # articles/azure-monitor/metrics/prometheus-api-promql.md "Instant queries").
        return workspace.answer(emu, method, query, headers, body)
    if not lower.startswith("/subscriptions/"):
        for meth, rx, route in emu._routes:
            if meth in (method, "*") and rx.search(path):
                status, payload = route(emu, path, query, body)
                return status, {}, payload
        return 404, {}, {"error": {"code": "NotFound", "message": f"no route for {path}"}}
    entra.check_auth(emu, headers, path)
    # A subscription ARM does not know: 404 SubscriptionNotFound, before anything under it (locations.py
    # cites ARM's answers upstream: Azure/azure-cli#33657, Azure/azure-rest-api-specs).
    locations.check_subscription(emu, path)
    # Subscription throttling (throttle.py): a token per request, 429 when the bucket is empty.
    limits, throttled, _ = throttle.check(emu, method, path.split("/")[2])
    if throttled is not None:
        return 429, limits, throttled
    try:
        answer = _subscription_request(emu, method, path, query, headers, body)
    except ArmError as e:
        answer = _err(e)
    return answer[0], {**limits, **answer[1]}, answer[2]


def _subscription_request(
    emu: ArmEmulator,
    method: str,
    path: str,
    query: dict[str, list[str]],
    headers: dict[str, str],
    body: bytes,
) -> Response:
    if apiversions.arm_own(path):
        # What ARM answers itself (resource groups, Microsoft.Resources) it refuses at a version it
        # does not have: 400 InvalidApiVersionParameter (ARM's words as quoted in inspec/inspec-azure#716
        # and Azure/azure-cli#28038; its newest versions from Azure/azure-rest-api-specs specification/
        # resources/resource-manager/Microsoft.Resources/resources/2025-04-01/resources.json; apiversions.py).
        apiversions.check_arm_own(path, _api_version(query))
    if apiversions.features_type(path) is not None:
        # Microsoft.Features refuses a version its type lacks with 404 InvalidResourceType (ARM's words
        # as quoted in Azure/azure-cli#20087; the versions: Azure/azure-rest-api-specs specification/
        # resources/resource-manager/Microsoft.Features/stable/*/features.json; apiversions.py).
        apiversions.check_features(path, _api_version(query))
    for meth, rx, route in emu._routes:
        if meth in (method, "*") and rx.search(path):
            # ARM refuses an unregistered api-version before any provider answers, whichever
            # emulator module answers this path (Compute's skus and usages: apiversions.py): 400
            # NoRegisteredProviderFound (MicrosoftDocs/azure-docs articles/azure-resource-manager/
            # troubleshooting/error-register-resource-provider.md; ARM's front door has no published
            # code, its wording is from Azure/azure-cli issues #28368 and #28499).
            p, version = parse_path(path.rstrip("/")), (query.get("api-version") or [""])[0]
            if p is not None and version:
                apiversions.check(emu, p, version, _located(body))
            status, payload = route(emu, path, query, body)
            return status, {}, payload
    return _arm(emu, method, path, query, body, headers)


def _fault(status: int, retry_after: float | None, body: dict[str, Any] | None) -> Response:
    # The body in ARM's error shape, {"error": {"code", "message"}} (upstream:
    # Azure/azure-resource-manager-rpc 69e229f v1.0/common-api-details.md "Error Response Content");
    # Retry-After in whole seconds (v1.0/async-api-reference.md: "Retry-After should be (integer)").
    headers = {}
    if retry_after is not None:
        headers["Retry-After"] = _fmt_retry(retry_after)
    if body is None:
        code = _STATUS_CODES.get(status, "Error")
        msg = "Too many requests; retry later." if status == 429 else f"Injected {status}."
        body = {"error": {"code": code, "message": msg}}
    return status, headers, body


# --------------------------------------------------------------------------- ARM
def _api_version(query: dict[str, list[str]]) -> str:
    """Every ARM request names its api-version (upstream: Azure/azure-resource-manager-rpc 69e229f
    v1.0/resource-api-reference.md "api-version"). Without it ARM answers 400 and these words, as
    users quote them (Azure/azure-sdk-for-go#22571 "RESPONSE 400 ... MissingApiVersionParameter";
    Azure/azure-dev#3914; MicrosoftDocs/feedback#2279)."""
    v = (query.get("api-version") or [""])[0]
    if not v:
        raise ArmError(
            400,
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        )
    return v


def _arm(
    emu: ArmEmulator, method: str, path: str, query: dict[str, list[str]], body: bytes, headers: dict[str, str]
) -> Response:
    api_version = _api_version(query)
    # A provider's checks see the request's api-version (schema.check_aks: AKS refuses unknown fields
    # from 2024-01-01 on and ignores them before; Azure/AKS issue #4060 and PR #4078 CHANGELOG.md).
    token = schema.REQUEST_API_VERSION.set(api_version)
    try:
        status, answer_headers, payload = _versioned(emu, method, path, query, body, headers, api_version)
        # An older AKS api-version's answer lacks what that version does not define (microsoft/api-guidelines
        # azure/Guidelines.md "YOU SHOULD NOT return properties ... not defined for the api-version";
        # the versions' models: Azure/azure-rest-api-specs specification/containerservice/resource-manager/
        # Microsoft.ContainerService/aks/stable/2026-01-01/managedClusters.json; aksolder.py).
        return status, answer_headers, aksolder.answer(api_version, payload)
    finally:
        schema.REQUEST_API_VERSION.reset(token)


def _versioned(
    emu: ArmEmulator,
    method: str,
    path: str,
    query: dict[str, list[str]],
    body: bytes,
    headers: dict[str, str],
    api_version: str,
) -> Response:
    path = path.rstrip("/")
    # An operation's URLs, .../locations/{l}/operations|operationresults/{id} (upstream:
    # Azure/azure-resource-manager-rpc 69e229f v1.0/async-api-reference.md; AKS's Location in
    # ../shared/data/arm-examples/containerservice-2026-08-01/ManagedClustersDelete.json).
    m = re.fullmatch(
        r"/subscriptions/[^/]+/providers/([^/]+)/locations/([^/]+)/(operations|operationresults)/([^/]+)",
        path,
        re.I,
    )
    if m:
        return operations.answer(emu, m.group(3).lower(), m.group(4), api_version)
    p = parse_path(path)
    if p is None:
        # Plumbing: a path the emulator does not model (no /providers/ segment) is not ARM's.
        raise ArmError(404, "NotFound", f"The resource path '{path}' is not supported.")
    if not p.rest:
        # A provider path with no resource type: ARM's 404 InvalidResourceType, in its words
        # (upstream: cloudquery/cloudquery#6629 quotes "RESPONSE 404 ... InvalidResourceType ... The
        # resource type could not be found in the namespace '...' for api version '...'.").
        raise ArmError(
            404,
            "InvalidResourceType",
            f"The resource type could not be found in the namespace '{p.namespace}' for api version '{api_version}'.",
        )
    # An api-version the type is not registered at: ARM's 400, before the provider sees the request
    # (MicrosoftDocs/azure-docs articles/azure-resource-manager/troubleshooting/error-register-resource-provider.md).
    apiversions.check(emu, p, api_version, _located(body))
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
                        raise not_found(parent, parent_type)
                    return 200, {}, handler(emu, obj["id"], obj, query)
        return _resource(emu, method, path, p, query, body, api_version, headers)
    if method == "POST" and len(p.rest) >= 3:
        return _action(emu, p, query, body, api_version)
    if method == "GET":
        return _list(emu, path, p, query)
    # Another method on a collection: 405 (upstream: Azure/azure-rest-api-specs
    # specification/resources/resource-manager/Microsoft.Resources/resources/stable/2024-03-01/
    # resources.json says ARM "will respond with a 405" where a provider does not implement a
    # method); the code and message are the emulator's own: no published ARM body was found.
    raise ArmError(405, "MethodNotAllowed", f"{method} is not supported on '{path}'.")


def _located(body: bytes) -> dict[str, Any] | None:
    """The request body when it is a JSON object (its location names the region in ARM's refusals:
    "No registered resource provider found for location {location} and API version {api-version} for
    type {resource-type}", MicrosoftDocs/azure-docs articles/azure-resource-manager/troubleshooting/
    error-register-resource-provider.md)."""
    try:
        found = json.loads(body) if body else None
    except ValueError:
        return None
    return found if isinstance(found, dict) else None


def _resource(
    emu: ArmEmulator,
    method: str,
    path: str,
    p: ParsedId,
    query: dict[str, list[str]],
    body: bytes,
    api_version: str,
    headers: dict[str, str],
) -> Response:
    from tests.emulators.arm import groups

    groups.check(emu, path)
    existing = emu.get_resource(path)
    type_name = p.type
    # GET answers the resource or 404 (upstream: Azure/azure-resource-manager-rpc 69e229f
    # v1.0/resource-api-reference.md "Get Resource"); HEAD, Resources_CheckExistence, answers 204
    # No Content or 404 Not Found (upstream: Azure/azure-rest-api-specs specification/resources/
    # resource-manager/Microsoft.Resources/resources/stable/2024-03-01/resources.json).
    if method in ("GET", "HEAD"):
        if existing is None:
            raise not_found(path, type_name)
        op_id = emu._busy.get(existing["id"].lower())
        if op_id is not None:
            # Time passes for an operation whether or not its client polls it: reading the
            # resource moves it on too (so `cluster wait` after --no-wait completes).
            emu._advance(op_id)
            existing = emu.get_resource(path)
            if existing is None:
                raise not_found(path, type_name)
        for h in emu._hooks_for(type_name):
            if h.on_read is not None:
                h.on_read(emu, existing["id"], existing)
                existing = emu.get_resource(path) or existing
        if method == "HEAD":
            return 204, {}, None
        return 200, {}, existing
    # Writes need the parent (for child and extension resources) to exist: ARM's 404
    # ParentResourceNotFound in its words (upstream: MicrosoftDocs/azure-docs
    # articles/azure-resource-manager/troubleshooting/error-parent-resource.md: "Code=ParentResourceNotFound;
    # Message=Can not perform requested operation on nested resource. Parent resource 'exampleserver' not found.").
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
        raise not_found(p.scope, "parent")
    if method not in ("PUT", "PATCH", "DELETE"):
        raise ArmError(405, "MethodNotAllowed", f"{method} is not supported on '{path}'.")
    # If-Match / If-None-Match on every write (upstream: Azure/azure-resource-manager-rpc 69e229f
    # v1.0/Addendum.md "ETags for Resources"; AKS's codes in etags.py).
    etags.check(method, path, type_name, existing, headers)
    if method == "DELETE":
        return _delete(emu, path, p, existing, api_version)
    check_not_busy(emu, path, type_name)
    req = body_json(body)
    check_tag_names(req)
    if method == "PUT":
        # A location the type is not offered in: 400 LocationNotAvailableForResourceType (locations.py).
        locations.check_location(emu, type_name, req)
    if method == "PATCH":
        if existing is None:
            raise not_found(path, type_name)
        for h in emu._hooks_for(type_name):
            if h.on_patch is not None:
                h.on_patch(emu, path, req, existing)
        new = patched(existing, req)
    else:
        new = copy.deepcopy(req)
        if existing is not None:
            # ARM keeps read-only and server-computed fields a PUT body leaves out: systemData is
            # read-only, set by ARM (upstream: Azure/azure-resource-manager-rpc 69e229f
            # v1.0/common-api-contracts.md "systemData").
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
    # systemData's fields (createdBy, createdByType User|Application|ManagedIdentity|Key, createdAt,
    # lastModified*) (upstream: Azure/azure-resource-manager-rpc 69e229f v1.0/common-api-contracts.md
    # "systemData"); the creator's name is the emulator's.
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    sd = new.setdefault("systemData", {})
    if existing is None:
        sd.update(createdAt=now, createdBy="emulator@contoso.com", createdByType="User")
    sd.update(lastModifiedAt=now, lastModifiedBy="emulator@contoso.com", lastModifiedByType="User")
    for h in emu._hooks_for(type_name):
        if h.on_put is not None:
            h.on_put(emu, new["id"], new, existing)
    busy = busy_state(emu, type_name, "create" if existing is None else "update")
    # Every write changes the eTag. ARM resources carry a top-level "eTag"; AKS agent pools carry it
    # in properties (the 2026-08-01 spec: AgentPool has no top-level eTag,
    # ManagedClusterAgentPoolProfileProperties.eTag).
    etags.stamp(type_name, new)
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
    # A PUT answers 201 Created (new) or 200 OK with a non-terminal provisioningState and an
    # Azure-AsyncOperation header (upstream: Azure/azure-resource-manager-rpc 69e229f
    # v1.0/async-api-reference.md "Creating/Updating using PUT").
    status = 201 if existing is None and method == "PUT" else 200
    op = emu._new_operation(rid, method.lower(), method, emu._location_of(new), p.namespace, done)
    if emu.lro_polls <= 0 and op.error is None:
        emu._complete_now(op)
        return status, {}, emu.get_resource(rid)
    if method == "PATCH":
        # A PATCH answers 200 with the resource only when it is done; one still running answers 202
        # Accepted with its status URLs and no body (upstream: Azure/azure-rest-api-specs
        # specification/containerservice/resource-manager/Microsoft.ContainerService/aks/stable/
        # 2026-08-01/managedClusters.json ManagedClusters_UpdateTags: 200 with a ManagedCluster, 202
        # with Azure-AsyncOperation, Location and Retry-After and no schema; its example
        # aks/stable/2026-01-01/examples/ManagedClustersUpdateTags.json (58776c0f): 202 with a
        # location header and no body; fleet/examples/2026-06-01/Gates_Update.json
        # (../shared/data/arm-examples/fleet-2026-06-01) and fleet/stable/2026-06-01/examples/
        # FleetMembers_Update.json (b9187fa5): 202 with Location and Retry-After, no body; the RPC's linter,
        # Azure/azure-openapi-validator 1a8d6302 docs/patch-response-codes.md, RPC-Patch-V1-06: "LRO
        # PATCH must have 200 and 202 and default return codes").
        return 202, emu._op_urls(op, api_version), None
    return status, emu._op_urls(op, api_version), emu.get_resource(rid)


def busy_state(emu: ArmEmulator, type_name: str, write: str) -> str:
    """The provisioningState of a resource while a ``write`` (create, update, delete) runs: the type's
    own (``emu.busy_states``, e.g. a fleet member Joining), else Creating, Updating or Deleting
    (upstream: Azure/azure-resource-manager-rpc v1.0/async-api-reference.md, "ProvisioningState
    property": any state but Succeeded, Failed and Canceled is non-terminal, an RP names its own;
    a PATCH "MUST transition to a non-terminal state like Updating", a DELETE "like Deleting")."""
    for rx, states in emu.busy_states:
        if rx.match(type_name) and write in states:
            return states[write]
    return {"create": "Creating", "update": "Updating", "delete": "Deleting"}[write]


def _delete(emu: ArmEmulator, path: str, p: ParsedId, existing: dict[str, Any] | None, api_version: str) -> Response:
    if existing is None:
        # upstream: Azure/azure-resource-manager-rpc 69e229f v1.0/resource-api-reference.md, "Delete
        # Resource": 204 (NoContent) "if the resource does not exist and the request is well formed";
        # a missing resource group is 404 from the proxy layer (groups.check, above).
        return 204, {}, None
    check_not_busy(emu, path, p.type)
    for h in emu._hooks_for(p.type):
        if h.on_delete is not None:
            h.on_delete(emu, existing["id"], existing)
    rid = existing["id"]
    deleting = busy_state(emu, p.type, "delete")
    emu.update_resource(rid, lambda o: o.setdefault("properties", {}).update(provisioningState=deleting))

    def done() -> dict[str, Any] | None:
        obj = emu.get_resource(rid)
        emu.delete_resource(rid)
        if obj is not None:
            for h in emu._hooks_for(p.type):
                if h.on_deleted is not None:
                    h.on_deleted(emu, rid, obj)
        return None

    op = emu._new_operation(rid, "delete", "DELETE", emu._location_of(existing), p.namespace, done)
    # 200 when done at once, else 202 with the Location to poll (upstream:
    # Azure/azure-resource-manager-rpc 69e229f v1.0/resource-api-reference.md "Delete Resource";
    # v1.0/async-api-reference.md "Delete Resource Asynchronously"); a type whose spec has no 200
    # for its DELETE answers its own (emu.done_status: AKS's 204, aks.install).
    if emu.lro_polls <= 0 and op.error is None:
        emu._complete_now(op)
        return emu._done_status(p.type, "delete", 200), {}, None
    return 202, emu._op_urls(op, api_version), None


def _action(emu: ArmEmulator, p: ParsedId, query: dict[str, list[str]], body: bytes, api_version: str) -> Response:
    from tests.emulators.arm import groups

    resource_id = p.prefix(len(p.rest) - 1)
    action = p.rest[-1].lower()
    type_name = "/".join([p.namespace, *p.types[:-1]]) if len(p.rest) % 2 else p.type
    groups.check(emu, resource_id + "/")  # a POST under a missing group: ResourceGroupNotFound, as a GET
    obj = emu.get_resource(resource_id)
    if obj is None:
        raise not_found(resource_id, type_name)
    for a in emu._actions:
        if a.action == action and a.type_regex.match(type_name):
            break
    else:
        # An action the type does not have: ARM routes it as an unknown type, 404 InvalidResourceType
        # (upstream: Azure/azure-rest-api-specs#14807 quotes the 404 "InvalidResourceType"); the
        # message is the emulator's own.
        raise ArmError(404, "InvalidResourceType", f"The action '{p.rest[-1]}' is not supported on '{type_name}'.")
    req = body_json(body) if body else None
    if req is not None:
        req["__query__"] = query
    elif query:
        req = {"__query__": query}
    rid = obj["id"]
    if not a.lro:
        result = a.handler(emu, rid, obj, req)
        # A handler that starts an operation of its own (an abort: server.begin_cancel) answers as an LRO.
        if isinstance(result, Operation):
            return operations.accepted(emu, result, api_version)
        return operations.sync_result(result)
    check_not_busy(emu, rid, type_name)
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
    # A synchronous action answers 200 with its result or 204; a long one 202 and a Location whose
    # answer is "what would have been a successful response" (upstream:
    # Azure/azure-resource-manager-rpc 69e229f v1.0/proxy-api-reference.md "Resource Actions",
    # v1.0/async-api-reference.md "Call Action POST Asynchronously").
    answer = operations.accepted(emu, op, api_version)
    # An action whose spec gives its 202 a schema answers the resource as it stands meanwhile
    # (aks.py: Azure/azure-rest-api-specs aks/stable/2026-08-01 AgentPools_UpgradeNodeImageVersion).
    if a.accepted_body and answer[0] == 202:
        return 202, answer[1], emu.get_resource(rid)
    return answer


def _list(emu: ArmEmulator, path: str, p: ParsedId, query: dict[str, list[str]]) -> Response:
    from tests.emulators.arm import groups

    # A list under a resource group that does not exist is 404 ResourceGroupNotFound, not an empty
    # list, as for any request under the group (upstream: learn.microsoft.com/azure/azure-resource-manager/
    # troubleshooting/error-not-found, "Resource group not found"; `az aks list -g MISSING` prints it).
    groups.check(emu, path + "/")
    type_name = p.type
    # An extension type listed at a scope (role assignments: Azure/azure-rest-api-specs specification/
    # authorization/resource-manager/Microsoft.Authorization/stable/2022-04-01/examples/
    # RoleAssignments_ListForScope.json) is answered by its hook; the hook is emulator plumbing.
    scoped = next((h.on_scope_list for h in emu._hooks_for(type_name) if h.on_scope_list is not None), None)
    if len(p.rest) == 1 and scoped is not None:
        items = scoped(emu, p.scope, query)
    elif len(p.rest) == 1:
        scope = p.scope.lower()
        items = [
            o
            for o in emu.list_resources(type_name, under=scope + "/", copies=False)
            if o["id"].lower().startswith(scope + "/") and (parse_path(o["id"]) or p).scope.lower().startswith(scope)
        ]
    else:
        parent = p.prefix(len(p.rest) - 1)
        if emu.get_resource(parent) is None:
            raise not_found(parent, "/".join([p.namespace, *p.types[:-1]]))
        items = emu.list_resources(type_name, parent, copies=False)
    for h in emu._hooks_for(type_name):
        if h.on_list is not None:
            items = h.on_list(emu, items, query)
    items.sort(key=lambda o: o["id"].lower())
    return 200, {}, page_of(emu, path, query, items)


def page_of(emu: ArmEmulator, path: str, query: dict[str, list[str]], items: list[dict[str, Any]]) -> dict[str, Any]:
    """One page of a collection GET, as ARM's resource provider contract pages: ``value`` and a
    ``nextLink`` to the same collection with ``$skipToken``, an opaque token the provider defines,
    and the client's other query parameters ($filter); no nextLink on the last page (upstream:
    Azure/azure-resource-manager-rpc v1.0/resource-api-reference.md "Get Resource" collection
    paging, commit 69e229f; nextLink as in ../shared/data/arm-examples
    fleet-2026-06-01/Fleets_ListByResourceGroup.json). The token here is the id of the last item
    sent, base64url: a page after a create or delete neither repeats nor skips an item. Page size:
    ``emu.page_size`` (100); no published AKS or Fleet page size was found."""
    token = next((v[0] for k, v in query.items() if k.lower() == "$skiptoken"), "")
    after = base64.urlsafe_b64decode(token.encode() + b"==").decode() if token else ""
    rest = [o for o in items if o["id"].lower() > after] if after else items
    with emu._lock:  # copies of the page only, made while no write changes them
        page = copy.deepcopy(rest[: emu.page_size])
    out: dict[str, Any] = {"value": page}
    if len(rest) > emu.page_size:
        last = base64.urlsafe_b64encode(page[-1]["id"].lower().encode()).decode().rstrip("=")
        kept = [(k, v[0]) for k, v in query.items() if k.lower() != "$skiptoken"]
        out["nextLink"] = f"{emu.url}{path}?{urlencode([*kept, ('$skipToken', last)])}"
    return out


__all__ = ["AKS_SERVER_APP", "dispatch"]
