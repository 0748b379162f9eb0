"""The answers of a long-running operation's two URLs (split out of routes.py)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from tests.emulators.arm.ids import parse_path
from tests.emulators.arm.lro import _fmt_retry
from tests.emulators.arm.server import ArmError

if TYPE_CHECKING:
    from tests.emulators.arm.records import Operation
    from tests.emulators.arm.server import ArmEmulator

Response = tuple[int, dict[str, str], Any]


def answer(emu: ArmEmulator, kind: str, op_id: str, api_version: str) -> Response:
    """The two operation URLs (upstream: Azure/azure-resource-manager-rpc 69e229f
    v1.0/async-api-reference.md): Location (operationresults) answers 202 with no body while the
    operation runs, then "the exact same response that would have been returned had the operation
    been executed synchronously" (the resource for a PUT/PATCH, 204 for a DELETE, the action's
    result); Azure-AsyncOperation (operations) always 200 with the status resource. An unknown id:
    404 with the emulator's own code (no published ARM body was found)."""
    op = emu._advance(op_id)
    if op is None:
        raise ArmError(404, "OperationNotFound", f"Operation '{op_id}' was not found.")
    if kind == "operations":
        return _op_status(emu, op, api_version)
    if op.status in RUNNING:
        return 202, emu._op_urls(op, api_version), None
    if op.status in ("Failed", "Canceled"):
        # The Location URL answers a failed operation as the synchronous request would have.
        return 400, {}, {"error": op.error}
    if op.result is not None:
        return 200, {}, op.result
    if op.kind in ("put", "patch"):
        return 200, {}, emu.get_resource(op.resource_id)
    # A done DELETE or action: what the request would have answered synchronously (Azure/azure-resource-manager-rpc
    # v1.0/async-api-reference.md): 204 or its type's own status
    # (emu.done_status, from each REST spec: aks.install, fleet.install).
    return emu._done_status(_type_of(op), op.kind, 204), {}, None


def _type_of(op: Operation) -> str:
    p = parse_path(op.resource_id)
    return p.type if p is not None else ""


# The statuses of an operation that has not ended: Canceling is the one an abort puts it in until the
# cancel is done (server.begin_cancel); a client polls on (azure-core's ARMPolling ends only at Succeeded,
# Failed or Canceled, azure/core/polling/base_polling.py _FINISHED).
RUNNING = ("InProgress", "Canceling")


def _op_status(emu: ArmEmulator, op: Operation, api_version: str) -> Response:
    """The Azure-AsyncOperation resource: id, name, status, startTime, endTime once terminal,
    percentComplete (optional, 0-100), error when Failed or Canceled (upstream:
    Azure/azure-resource-manager-rpc 69e229f v1.0/async-api-reference.md "Azure-AsyncOperation
    Resource format"). percentComplete 50 while running is the emulator's figure."""
    out: dict[str, Any] = {
        "id": f"/subscriptions/{op.subscription}/providers/{op.namespace}/locations/{op.location}/operations/{op.id}",
        "name": op.id,
        "status": op.status,
        "startTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(op.start)),
    }
    headers: dict[str, str] = {}
    if op.status in RUNNING:
        if emu.retry_after is not None:
            headers["Retry-After"] = _fmt_retry(emu.retry_after)
        out["percentComplete"] = 50.0
    else:
        out["endTime"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    # "error" is required when status is Failed or Canceled (async-api-reference.md).
    if op.error is not None and op.status in ("Failed", "Canceled"):
        out["error"] = op.error
    return 200, headers, out


def accepted(emu: ArmEmulator, op: Operation, api_version: str) -> Response:
    """A POST action's operation: 202 with its URLs, or (``lro_polls`` 0) its outcome at once."""
    if emu.lro_polls <= 0 and op.error is None:
        op = emu._complete_now(op)
        if op.status == "Failed":
            return 400, {}, {"error": op.error}
        if op.result is not None:
            return 200, {}, op.result
        # An action without a result answers 204, or the status its spec gives it (emu.done_status; the
        # specs, Azure/azure-rest-api-specs specification/containerservice, are cited in aks.install and
        # fleet.install; Azure/azure-resource-manager-rpc v1.0/async-api-reference.md).
        return emu._done_status(_type_of(op), op.kind, 204), {}, None
    return 202, emu._op_urls(op, api_version), None


def sync_result(result: Any) -> Response:
    if result is None:
        return 204, {}, None
    return 200, {}, result
