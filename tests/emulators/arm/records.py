"""What the ARM emulator (server.py) keeps and plugs in: its error, injected faults, the request log,
long-running operations, and the per-type hook signatures.

The error body and the long-running operations follow ARM's resource provider contract
(upstream: Azure/azure-resource-manager-rpc v1.0/common-api-details.md, error response content;
v1.0/async-api-reference.md, Azure-AsyncOperation and the operation status resource)."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.emulators.arm.server import ArmEmulator


class ArmError(Exception):
    """Raised by hooks and handlers to answer with an ARM-shaped error body."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        target: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or []
        self.headers = headers or {}
        # upstream: Azure/azure-resource-manager-rpc v1.0/common-api-details.md (error response)
        self.target = target  # the RPC error's "target": the property the error is about

    def body(self) -> dict[str, Any]:
        err: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.target:
            err["target"] = self.target
        if self.details:
            err["details"] = self.details
        return {"error": err}


@dataclass
class Fault:
    method: str
    path_regex: re.Pattern[str]
    status: int
    remaining: int
    retry_after: float | None
    body: dict[str, Any] | None


class Faults:
    """Injected failures: the next ``count`` matching requests get ``status`` (and body)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(
        self,
        method: str,
        path_regex: str,
        status: int,
        count: int = 1,
        retry_after: float | None = None,
        body: dict[str, Any] | None = None,
    ) -> None:
        with self._lock:
            self._faults.append(Fault(method.upper(), re.compile(path_regex, re.I), status, count, retry_after, body))

    def take(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for f in self._faults:
                if f.remaining > 0 and f.method in (method, "*") and f.path_regex.search(path):
                    f.remaining -= 1
                    return f
        return None


@dataclass
class LroFault:
    method: str
    path_regex: re.Pattern[str]
    code: str
    message: str
    remaining: int
    details: list[dict[str, Any]] = field(default_factory=list)
    status: str = "Failed"  # or "Canceled": the RPC's two failed terminal states


@dataclass
class LogEntry:
    method: str
    path: str
    query: dict[str, list[str]]
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class Operation:
    id: str
    resource_id: str
    kind: str  # put | patch | delete | action
    polls_left: int
    location: str
    namespace: str
    subscription: str
    on_complete: Callable[[], dict[str, Any] | None]
    status: str = "InProgress"
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    start: float = field(default_factory=time.time)
    failed_status: str = "Failed"


ActionHandler = Callable[["ArmEmulator", str, dict[str, Any], dict[str, Any] | None], Any]
GetHandler = Callable[["ArmEmulator", str, dict[str, Any], dict[str, list[str]]], dict[str, Any]]
PutHook = Callable[["ArmEmulator", str, dict[str, Any], dict[str, Any] | None], None]
DoneHook = Callable[["ArmEmulator", str, dict[str, Any]], None]
DeleteHook = Callable[["ArmEmulator", str, dict[str, Any]], None]
ListHook = Callable[["ArmEmulator", list[dict[str, Any]], dict[str, list[str]]], list[dict[str, Any]]]
ScopeListHook = Callable[["ArmEmulator", str, dict[str, list[str]]], list[dict[str, Any]]]
RouteHandler = Callable[["ArmEmulator", str, dict[str, list[str]], bytes], tuple[int, Any]]


@dataclass
class _Action:
    type_regex: re.Pattern[str]
    action: str
    handler: ActionHandler
    lro: bool
    busy_state: str | None
    before: ActionHandler | None = None
    # its 202 carries the resource as the action leaves it meanwhile (upstream: Azure/azure-rest-api-specs
    # specification/containerservice/resource-manager/Microsoft.ContainerService/aks/stable/2026-08-01/
    # managedClusters.json, agentPools upgradeNodeImageVersion's 202 schema)
    accepted_body: bool = False


@dataclass
class TypeHooks:
    """Per-type behaviour: ``on_put`` validates/fills a body before it is stored (raise
    ArmError to refuse), ``on_put_done`` runs when the write's operation completes,
    ``on_delete`` validates a delete, ``on_deleted`` runs after removal, ``on_failed`` runs when
    an operation on the resource ends Failed or Canceled (the error is its third argument),
    ``on_read`` runs before a GET answers (time passing for the resource), ``on_list`` filters a
    collection GET by its query ($filter), ``on_scope_list`` answers an extension type's collection
    GET at a scope in place of the resources stored under it (its scope and query; the hook itself is
    emulator plumbing, the answer it serves is Azure/azure-rest-api-specs specification/authorization/
    resource-manager/Microsoft.Authorization/stable/2022-04-01/examples/RoleAssignments_ListForScope.json
    in arm/authorization.py), ``on_patch`` sees a PATCH's own body (what ``on_put`` gets is already
    merged into the stored resource) and may refuse it."""

    type_regex: re.Pattern[str]
    on_put: PutHook | None = None
    on_put_done: DoneHook | None = None
    on_delete: DeleteHook | None = None
    on_deleted: DeleteHook | None = None
    on_failed: DoneHook | None = None
    on_read: DoneHook | None = None
    on_list: ListHook | None = None
    on_scope_list: ScopeListHook | None = None
    on_patch: PutHook | None = None
