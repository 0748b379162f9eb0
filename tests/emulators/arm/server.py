"""ARM + Entra emulator: a real HTTPS server on 127.0.0.1 that the real Azure SDKs talk to.

The resource store is generic: any ARM id (including extension resources under a nested
``/providers/``) can be PUT, GET, PATCHed, DELETEd and listed at any collection. Writes are
long-running operations (201/202, ``Azure-AsyncOperation`` + ``Location``, ``Retry-After``,
provisioningState transitions). Per-type behaviour (defaults, validation, POST actions,
computed sub-resources such as upgrade profiles) is plugged in by ``aks.py``, ``fleet.py``
and ``hybrid.py`` and can be extended by tests with ``register_action`` / ``register_get`` /
``hooks``.
"""

from __future__ import annotations

import base64
import copy
import http.server
import json
import re
import ssl
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.emulators.arm.ids import DEFAULT_SUBSCRIPTION, parse_path
from tests.emulators.arm.lro import LongRunningOperations

# ARM's error and operation shapes (upstream: Azure/azure-resource-manager-rpc v1.0, records.py).
from tests.emulators.arm.records import (
    ActionHandler,
    Faults,
    GetHandler,
    LogEntry,
    LroFault,
    Operation,
    RouteHandler,
    TypeHooks,
    _Action,
)
from tests.emulators.arm.records import ArmError as ArmError  # re-exported: the emulator's callers raise it
from tests.emulators.arm.throttle import Throttle
from tests.emulators.arm.tls import TlsFiles, throwaway_tls
from tests.emulators.clock import PassHeld

DEFAULT_TENANT = "72f988bf-0000-0000-0000-000000000001"
DEFAULT_CLIENT_ID = "11111111-2222-3333-4444-555555555555"
DEFAULT_CLIENT_SECRET = "emulator-client-secret"
ARM_AUDIENCES = ("https://management.azure.com", "https://management.core.windows.net")
AKS_SERVER_APP = "6dae42f8-4368-4678-94ff-3960e28e3630"


class ArmEmulator(LongRunningOperations):
    """Azure Resource Manager and Entra ID on ``https://127.0.0.1:<port>``."""

    def __init__(
        self,
        *,
        lro_polls: int = 1,
        retry_after: float | None = None,
        page_size: int = 100,
        token_lifetime: int = 3600,
        subscription: str = DEFAULT_SUBSCRIPTION,
        tenant: str = DEFAULT_TENANT,
        require_auth: bool = True,
    ) -> None:
        self.lro_polls = lro_polls
        self.retry_after = retry_after
        self.page_size = page_size
        self.token_lifetime = token_lifetime
        self.subscription = subscription
        self.tenant = tenant
        # Entra tenants that exist, and the tenant each subscription belongs to (ARM checks a
        # token's tid against it).
        self.tenants: set[str] = {tenant.lower()}
        self.subscription_tenants: dict[str, str] = {subscription.lower(): tenant}
        # Continuous access evaluation: tokens revoked since issue get a claims challenge.
        self.revoked_tokens: set[str] = set()
        self.require_auth = require_auth
        # Seconds this emulator's clock runs ahead of the wall clock: tests move time on (a Fleet
        # after-stage wait elapses) without sleeping. Held for each request (Handler._handle): a
        # move a test makes while a request is answered shows from the next request, as ARM answers
        # in milliseconds, not the seconds moved (upstream: none, emulator structure; Azure runs a
        # Fleet update run on its own clock).
        self.clock = PassHeld()
        self.faults = Faults()
        # Injected failures of Entra's token endpoint (entra.token): path /TENANT/oauth2/v2.0/token.
        self.entra_faults = Faults()
        # ARM's subscription throttling (throttle.py), off unless a test or benchmark sets it.
        self.throttle: Throttle | None = None
        self.request_log: list[LogEntry] = []
        # Entra side: confidential clients (id -> secret) and accepted federated assertions.
        self.clients: dict[str, str] = {DEFAULT_CLIENT_ID: DEFAULT_CLIENT_SECRET}
        self.federated_assertions: set[str] = set()
        # Azure DevOps's OIDC token endpoint (entra.pipelines_oidc): the job's System.AccessToken it
        # takes, and the service connections (id -> client id) it hands an OIDC token for (upstream:
        # Azure/azure-sdk-for-python sdk/identity/azure-identity/azure/identity/_credentials/azure_pipelines.py).
        self.pipeline_access_token = uuid.uuid4().hex
        self.pipeline_connections: dict[str, str] = {}
        # Device code sign-in: codes handed out, and how many polls before the user approves.
        self.device_codes: dict[str, dict[str, Any]] = {}
        self.device_approval_polls = 1
        # The polling interval it hands out (RFC 8628 default 5 s; fixtures shorten it, polls sooner
        # get slow_down), and the refresh tokens it issued.
        self.device_interval = 5
        self.device_slow_downs = 0
        self.refresh_tokens: dict[str, dict[str, str]] = {}
        self.msi_header = uuid.uuid4().hex
        # User-assigned identities the managed identity endpoint knows: ARM ID (lower) -> client id, for
        # App Service's mi_res_id (upstream: AzureAD/microsoft-authentication-library-for-python
        # msal/managed_identity.py; Azure/kubelogin 66784961 pkg/internal/token/msicredential.go).
        self.user_assigned_identities: dict[str, str] = {}
        self.tokens: dict[str, dict[str, Any]] = {}
        self.token_requests: list[dict[str, str]] = []
        # What listClusterUserCredential points kubeconfigs at (a kube emulator, in tests).
        self.kubeconfig_server: str | None = None
        self.kubeconfig_ca_pem: bytes | None = None
        # What an Azure Monitor workspace's /api/v1/query answers with (workspace.py): a test sets
        # the kube emulator's Prometheus server's handle(method, path, body, headers=...).
        self.prometheus_workspace: Callable[..., tuple[int, dict[str, str], bytes]] | None = None
        # VM size -> {location: [zones]}; used by the AKS SkuNotAvailable check and Compute skus.
        self.sku_availability: dict[str, dict[str, list[str]]] = {}
        # Compute (compute.py): restrictions per size (lower) as ResourceSkuRestrictions, quota limits
        # and extra usage per (location, quota name lower), regions an unfiltered SKU list covers.
        self.sku_restrictions: dict[str, list[dict[str, Any]]] = {}
        self.quota_limits: dict[tuple[str, str], int] = {}
        self.quota_used: dict[tuple[str, str], int] = {}
        # Sizes (lower) whose SKU row says LowPriorityCapable "False": Azure's spot capacity
        # restriction (upstream: Azure/karpenter-provider-azure 352646f pkg/providers/instancetype/
        # instancetypes.go createOfferings, "spot capacity restrictions are not returned in the
        # restrictions section of the SKU API, instead the LowPriorityCapable capability is set to False").
        self.spot_incapable: set[str] = set()
        self.regions: set[str] = {"eastus", "eastus2", "westus2", "westus3", "westeurope", "swedencentral"}
        # Resource groups (subscription lower, group lower) -> location (groups.py).
        self.resource_groups: dict[tuple[str, str], str] = {}
        # Microsoft.Features registrations: (subscription, namespace, feature) lower -> state.
        self.features: dict[tuple[str, str, str], str] = {}
        self._lock = threading.RLock()
        self._store: dict[str, dict[str, Any]] = {}
        self._ops: dict[str, Operation] = {}
        self._busy: dict[str, str] = {}  # resource id (lower) -> operation id
        self._lro_faults: list[LroFault] = []
        self._actions: list[_Action] = []
        self._gets: list[tuple[re.Pattern[str], str, GetHandler]] = []
        self._routes: list[tuple[str, re.Pattern[str], RouteHandler]] = []
        self.hooks: list[TypeHooks] = []
        # Which LRO headers a resource type's writes answer with, as its REST spec declares them:
        # (type regex, {"put"|"patch"|"delete"|"action": header names}); default: both URLs.
        self.lro_headers: list[tuple[re.Pattern[str], dict[str, tuple[str, ...]]]] = []
        # The provisioningState a type shows while a write runs, where its REST spec names its own:
        # (type regex, {"create"|"update"|"delete": state}); default Creating/Updating/Deleting
        # (upstream: Azure/azure-rest-api-specs fleet/fleetmember.tsp FleetMemberProvisioningState names
        # Joining, Updating and Leaving; Azure/azure-resource-manager-rpc v1.0/async-api-reference.md).
        self.busy_states: list[tuple[re.Pattern[str], dict[str, str]]] = []
        # The status a write done at once answers, where its type's REST spec does not allow the
        # default (a DELETE 200, an action 200 with its result or 204): (type regex, {"delete"|action
        # name, lowercase: status}); lro.LongRunningOperations._done_status reads it. Each entry cites
        # its Azure/azure-rest-api-specs spec where it is added (aks.install, fleet.install).
        self.done_status: list[tuple[re.Pattern[str], dict[str, int]]] = []
        self._server: http.server.ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        # The port, kept after stop(): a request the server took just before it stopped is still
        # answered (its handler builds URLs from it), and a later one is refused by the closed socket.
        self._port: int | None = None
        self.tls: TlsFiles = throwaway_tls()
        # Entra group memberships, group object id -> member object ids (users, service principals,
        # groups), which the role assignments list's assignedTo filter follows (authorization.py).
        self.group_members: dict[str, set[str]] = {}
        # Microsoft Graph service principals by appId (authorization.service_principal; MicrosoftDocs/
        # microsoft-graph-docs-contrib api-reference/v1.0/api/serviceprincipal-get.md): a test adds an
        # app registration's or another subscription's identity here (test data, no upstream source);
        # a client ID absent answers 404.
        self.service_principals: dict[str, dict[str, Any]] = {}
        # Graph refuses every read (403 Authorization_RequestDenied), as for a caller without
        # Application.Read.All (serviceprincipal-get.md, Permissions); a test switch, no upstream behaviour.
        self.graph_denied = False
        from tests.emulators.arm import aks, aksrules, authorization, compute, fleet, groups, hybrid

        aks.install(self)
        # Role Assignments - List For Scope (Azure/azure-rest-api-specs specification/authorization/
        # resource-manager/Microsoft.Authorization/stable/2022-04-01/examples/RoleAssignments_ListForScope.json)
        authorization.install(self)
        aksrules.install(self)
        compute.install(self)
        groups.install(self)
        fleet.install(self)
        hybrid.install(self)

    # ----------------------------------------------------------------- lifecycle
    def start(self) -> ArmEmulator:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(self.tls.cert_file, self.tls.key_file)
        handler = _make_handler(self)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
        self._server = server
        self._port = int(server.server_address[1])
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> ArmEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def clock_offset(self) -> float:
        """The seconds the clock runs ahead: a request reads what it was when the request came in."""
        return self.clock.read()

    @clock_offset.setter
    def clock_offset(self, seconds: float) -> None:
        self.clock.value = seconds

    @property
    def port(self) -> int:
        assert self._port is not None, "start() the emulator first"
        return self._port

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def ca_file(self) -> str:
        return str(self.tls.ca_file)

    @property
    def msi_endpoint(self) -> str:
        return f"{self.url}/msi/token"

    # ----------------------------------------------------------------- test-side API
    def put_resource(self, resource_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """Store a resource as is (no LRO, no hooks), filling id/name/type."""
        p = parse_path(resource_id)
        assert p is not None and p.is_resource, f"not an ARM resource id: {resource_id}"
        obj = copy.deepcopy(body)
        obj.setdefault("id", resource_id)
        obj.setdefault("name", p.rest[-1])
        obj.setdefault("type", p.type)
        obj.setdefault("properties", {}).setdefault("provisioningState", "Succeeded")
        from tests.emulators.arm import etags

        # A seeded resource has its eTag as one Azure created would (upstream: Azure/azure-resource-
        # manager-rpc v1.0/Addendum.md "ETags for Resources"; tests/emulators/arm/etags.py).
        etags.ensure(self, resource_id, p.type, obj)
        self.add_resource_group(resource_id)
        with self._lock:
            self._store[resource_id.lower()] = obj
        return copy.deepcopy(obj)

    def add_resource_group(self, path: str, location: str = "eastus") -> None:
        """The group a path lies in exists (tests seeding a world; ``PUT .../resourcegroups/x`` does the same)."""
        m = re.match(r"^/subscriptions/([^/]+)/resourcegroups/([^/]+)", path, re.I)
        if m is not None:
            self.resource_groups.setdefault((m.group(1).lower(), m.group(2).lower()), location)

    def get_resource(self, resource_id: str) -> dict[str, Any] | None:
        with self._lock:
            obj = self._store.get(resource_id.lower())
            return copy.deepcopy(obj) if obj is not None else None

    def delete_resource(self, resource_id: str) -> None:
        key = resource_id.lower()
        with self._lock:
            for k in [k for k in self._store if k == key or k.startswith(key + "/")]:
                del self._store[k]

    def update_resource(self, resource_id: str, fn: Callable[[dict[str, Any]], None]) -> None:
        """Mutate a stored resource in place under the store lock (for hooks and handlers)."""
        with self._lock:
            obj = self._store.get(resource_id.lower())
            if obj is not None:
                fn(obj)

    def list_resources(
        self, type_name: str, parent: str | None = None, *, under: str = "", copies: bool = True
    ) -> list[dict[str, Any]]:
        """Copies of the stored resources of a type (below ``parent``; with ids starting ``under``,
        lower case: a scope's list looks only at its own, so that a subscription of thousands
        of clusters is not parsed and copied whole for each page of a resource group's).
        ``copies=False``: the stored objects themselves, for a caller that copies what it sends
        (a list copies one page, not the collection)."""
        out = []
        with self._lock:
            for key, obj in self._store.items():
                if under and not key.startswith(under):
                    continue
                p = parse_path(key)
                if p is None or p.type.lower() != type_name.lower():
                    continue
                if parent is not None and not key.startswith(parent.lower() + "/"):
                    continue
                out.append(copy.deepcopy(obj) if copies else obj)
        return out

    def register_action(
        self,
        resource_type_regex: str,
        action: str,
        handler: ActionHandler,
        *,
        lro: bool = True,
        busy_state: str | None = None,
        before: ActionHandler | None = None,
        accepted_body: bool = False,
    ) -> None:
        """POST ``{resource}/{action}``: ``handler(emu, resource_id, resource, body)`` returns the
        result body (or None). With ``lro`` it runs when the operation completes and the
        resource shows ``busy_state`` meanwhile; ``before`` checks the request first (raise
        ArmError to refuse it); ``accepted_body``: the 202 carries the resource in that state (an
        action whose spec gives its 202 a schema: Azure/azure-rest-api-specs managedClusters.json).
        Later registrations win."""
        self._actions.insert(
            0,
            _Action(
                re.compile(resource_type_regex + "$", re.I),
                action.lower(),
                handler,
                lro,
                busy_state,
                before,
                accepted_body,
            ),
        )

    def register_get(self, parent_type_regex: str, subpath: str, handler: GetHandler) -> None:
        """GET ``{parent}/{subpath}`` computed by ``handler(emu, parent_id, parent, query)``."""
        self._gets.insert(0, (re.compile(parent_type_regex + "$", re.I), subpath.lower(), handler))

    def register_route(self, method: str, path_regex: str, handler: RouteHandler) -> None:
        """Any other path: ``handler(emu, path, query, body) -> (status, json_body)``."""
        self._routes.insert(0, (method.upper(), re.compile(path_regex, re.I), handler))

    def add_hooks(self, type_regex: str, **kw: Any) -> None:
        self.hooks.insert(0, TypeHooks(re.compile(type_regex + "$", re.I), **kw))

    def issue_token(
        self,
        audience: str = ARM_AUDIENCES[0],
        *,
        tenant: str | None = None,
        client_id: str = DEFAULT_CLIENT_ID,
        lifetime: int | None = None,
    ) -> tuple[str, int]:
        now = int(time.time())
        exp = now + (self.token_lifetime if lifetime is None else lifetime)
        tid = tenant or self.tenant
        claims = {
            "aud": audience,
            "iss": f"{self.url}/{tid}/v2.0",
            "tid": tid,
            "appid": client_id,
            "oid": str(uuid.uuid5(uuid.NAMESPACE_URL, client_id)),
            "iat": now,
            "nbf": now,
            "exp": exp,
            "jti": uuid.uuid4().hex,
        }

        def b64(d: dict[str, Any]) -> str:
            return base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()

        token = f"{b64({'typ': 'JWT', 'alg': 'RS256', 'kid': 'emu'})}.{b64(claims)}.ZW11"
        with self._lock:
            self.tokens[token] = claims
        return token, exp

    def requests_to(self, path_regex: str, method: str | None = None) -> list[LogEntry]:
        rx = re.compile(path_regex, re.I)
        return [e for e in list(self.request_log) if rx.search(e.path) and (method is None or e.method == method)]

    # ----------------------------------------------------------------- internals
    def _hooks_for(self, type_name: str) -> list[TypeHooks]:
        return [h for h in self.hooks if h.type_regex.match(type_name)]

    def _location_of(self, obj: dict[str, Any] | None) -> str:
        loc = (obj or {}).get("location") or "eastus"
        return str(loc).replace(" ", "").lower()


def _make_handler(emu: ArmEmulator) -> type[http.server.BaseHTTPRequestHandler]:
    from tests.emulators.arm import routes

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes: without this, delayed ACKs add ~40 ms a request.
        disable_nagle_algorithm = True
        server_version = "akscli-arm-emulator"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            query = parse_qs(parts.query, keep_blank_values=True)
            with emu.clock.held():  # one request reads one clock (PassHeld)
                status, headers, payload = routes.dispatch(
                    emu, self.command, parts.path, query, dict(self.headers.items()), body
                )
            data = b""
            if payload is not None:
                if isinstance(payload, bytes):
                    data = payload
                else:
                    data = json.dumps(payload).encode()
                    headers.setdefault("Content-Type", "application/json; charset=utf-8")
            # Logged before the answer leaves, so a client that got it always finds it logged.
            emu.request_log.append(LogEntry(self.command, parts.path, query, status, dict(self.headers.items()), body))
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("x-ms-request-id", str(uuid.uuid4()))
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        do_GET = do_PUT = do_POST = do_PATCH = do_DELETE = do_HEAD = _handle

    return Handler
