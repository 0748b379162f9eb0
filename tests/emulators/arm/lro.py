"""The ARM emulator's long-running operations, a part of ArmEmulator (server.py): a write that ARM
accepts runs as an operation that ends after ``lro_polls`` polls of its Azure-AsyncOperation or
Location URL (the headers its type declares, Retry-After where set), Succeeded with the resource
its completion returns, or Failed/Canceled with the error a test queued (``fail_operation``), the
resource's provisioningState following (Azure/azure-resource-manager-rpc v1.0
async-api-reference.md); an abort cancels the one running (``begin_cancel``). It reads
ArmEmulator's lock, store and settings (``_lock``, ``_ops``, ``_busy``, ``_lro_faults``,
``lro_polls``, ``lro_headers``, ``retry_after``, ``url``).
"""

from __future__ import annotations

import copy
import re
import uuid
from collections.abc import Callable
from typing import Any

from tests.emulators.arm.ids import parse_path, subscription_of
from tests.emulators.arm.records import ArmError, LroFault, Operation


class LongRunningOperations:
    """ArmEmulator's operations (see the module docstring)."""

    def fail_operation(
        self,
        method: str,
        path_regex: str,
        code: str,
        message: str,
        count: int = 1,
        *,
        details: list[dict[str, Any]] | None = None,
        status: str = "Failed",
    ) -> None:
        """The next matching long-running operation is accepted, then ends ``status`` (Failed or
        Canceled) with ``{code, message, details}`` as its error (the RPC's operation resource)."""
        assert status in ("Failed", "Canceled"), status
        fault = LroFault(method.upper(), re.compile(path_regex, re.I), code, message, count, details or [], status)
        with self._lock:
            self._lro_faults.append(fault)

    def complete_operation(self, resource_id: str) -> None:
        """Finish now the operation running on ``resource_id`` (a test moving time on, where a client
        that does not poll left it running)."""
        with self._lock:
            op = self._ops.get(self._busy.get(resource_id.lower(), ""))
        if op is not None:
            self._complete_now(op)

    def begin_operation(self, resource_id: str, kind: str = "update", polls: int = 1000) -> None:
        """An operation in progress on ``resource_id``, as a PUT or POST that ARM accepted leaves it until
        it is polled to its end, ``polls`` polls from now (test worlds that start from a long upgrade:
        what an abort stops)."""
        obj = self.get_resource(resource_id) or {}

        def done() -> dict[str, Any] | None:
            self.update_resource(
                resource_id, lambda o: o.setdefault("properties", {}).update(provisioningState="Succeeded")
            )
            return self.get_resource(resource_id)

        op = self._new_operation(resource_id, kind, "PUT", self._location_of(obj), "Microsoft.ContainerService", done)
        op.polls_left = polls

    def begin_cancel(
        self, resource_id: str, namespace: str, on_state: Callable[[], None] | None = None
    ) -> Operation | None:
        """An abort of the operation running on ``resource_id``; None when none runs. AKS moves the
        resource "to a Canceling state and eventually to a Canceled state when cancellation finishes",
        and the abort is itself a long-running operation: 202 with Azure-AsyncOperation and Location
        (upstream: Azure/azure-rest-api-specs e5ece900 specification/containerservice/resource-manager/
        Microsoft.ContainerService/aks/stable/2026-08-01 ManagedClusters_AbortLatestOperation and
        AgentPools_AbortLatestOperation, example ManagedClustersAbortOperation.json; azure-mgmt-
        containerservice 41.8.0 operations/_operations.py _abort_latest_operation_initial: 202 or 204).
        While it runs, the aborted operation's status is Canceling (MicrosoftDocs/azure-aks-docs
        11fb7fb8 articles/aks/manage-abort-operations.md: "should show a status of Canceling") and
        the resource's provisioningState too; the abort ends Succeeded once the aborted operation and
        the resource are Canceled (Azure/azure-resource-manager-rpc v1.0/async-api-reference.md:
        Canceled is terminal, and a Canceled operation carries an "error"). No provisioningError is
        recorded. AKS's code and message for an aborted operation are published nowhere: this
        error's are the emulator's own. ``on_state`` runs after each change of provisioningState."""
        with self._lock:
            running = self._ops.get(self._busy.get(resource_id.lower(), ""))
            if running is None or running.status != "InProgress" or running.kind == "abort":
                return None
            running.status = "Canceling"

        def state(value: str) -> None:
            self.update_resource(resource_id, lambda o: o.setdefault("properties", {}).update(provisioningState=value))
            if on_state is not None:
                on_state()

        def canceled() -> dict[str, Any] | None:
            with self._lock:
                running.status = "Canceled"
                running.error = {"code": "Canceled", "message": "The operation was canceled."}
            state("Canceled")
            return None

        state("Canceling")
        obj = self.get_resource(resource_id)
        return self._new_operation(resource_id, "abort", "POST", self._location_of(obj), namespace, canceled)

    def _take_lro_fault(self, method: str, path: str) -> LroFault | None:
        with self._lock:
            for f in self._lro_faults:
                if f.remaining > 0 and f.method in (method, "*") and f.path_regex.search(path):
                    f.remaining -= 1
                    return f
        return None

    def _new_operation(
        self,
        resource_id: str,
        kind: str,
        method: str,
        location: str,
        namespace: str,
        on_complete: Callable[[], dict[str, Any] | None],
    ) -> Operation:
        op = Operation(
            id=str(uuid.uuid4()),
            resource_id=resource_id,
            kind=kind,
            polls_left=self.lro_polls,
            location=location,
            namespace=namespace,
            subscription=subscription_of(resource_id),
            on_complete=on_complete,
        )
        fault = self._take_lro_fault(method, resource_id)
        if fault is not None:
            op.error = {"code": fault.code, "message": fault.message}
            if fault.details:
                op.error["details"] = copy.deepcopy(fault.details)
            op.failed_status = fault.status
        with self._lock:
            self._ops[op.id] = op
            self._busy[resource_id.lower()] = op.id
        return op

    def _op_urls(self, op: Operation, api_version: str) -> dict[str, str]:
        base = f"{self.url}/subscriptions/{op.subscription}/providers/{op.namespace}/locations/{op.location}"
        q = f"?api-version={api_version}"
        headers = {
            "Azure-AsyncOperation": f"{base}/operations/{op.id}{q}",
            "Location": f"{base}/operationresults/{op.id}{q}",
        }
        p = parse_path(op.resource_id)
        # An action's headers are its type's "action" entry unless the type declares the action by name.
        kind = op.kind if op.kind in ("put", "patch", "delete") else "action"
        for rx, declared in self.lro_headers:
            names = declared.get(op.kind, declared.get(kind))
            if p is not None and rx.match(p.type) and names is not None:
                headers = {k: v for k, v in headers.items() if k in names}
                break
        # Retry-After is optional in the RPC; absent, a client waits its default (60 s).
        if self.retry_after is not None:
            headers["Retry-After"] = _fmt_retry(self.retry_after)
        return headers

    def _done_status(self, type_name: str, kind: str, default: int) -> int:
        """The status a ``kind`` write ("delete", or an action's name) on ``type_name`` answers when it
        is done at once, and its Location URL once it is done (the RPC: "the exact same response
        that would have been returned had the operation been executed synchronously",
        Azure/azure-resource-manager-rpc 69e229f v1.0/async-api-reference.md): the type's own
        (``done_status``, from its REST spec's responses), else ``default``."""
        for rx, answers in self.done_status:
            if rx.match(type_name) and kind.lower() in answers:
                return answers[kind.lower()]
        return default

    def _advance(self, op_id: str) -> Operation | None:
        with self._lock:
            op = self._ops.get(op_id)
            if op is None or op.status != "InProgress":
                return op
            if op.polls_left > 0:
                op.polls_left -= 1
                return op
            self._busy.pop(op.resource_id.lower(), None)
            if op.error is None:
                try:
                    op.result = op.on_complete()
                    op.status = "Succeeded"
                    return op
                except ArmError as e:
                    op.error = e.body()["error"]
            self._fail(op)
            return op

    def _fail(self, op: Operation) -> None:
        """The operation ends Failed/Canceled: so does the resource's provisioningState
        (Azure/azure-resource-manager-rpc v1.0/async-api-reference.md, "ProvisioningState
        property"), and its type's on_failed hooks record the error."""
        op.status = op.failed_status
        error = op.error or {}
        self.update_resource(
            op.resource_id,
            lambda o: o.setdefault("properties", {}).update(provisioningState=op.failed_status),
        )
        p = parse_path(op.resource_id)
        obj = self.get_resource(op.resource_id)
        if p is not None and obj is not None:
            for h in self._hooks_for(p.type):
                if h.on_failed is not None:
                    h.on_failed(self, op.resource_id, error)

    def _complete_now(self, op: Operation) -> Operation:
        polls, op.polls_left = op.polls_left, 0
        del polls
        res = self._advance(op.id)
        assert res is not None
        return res


def _fmt_retry(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)
