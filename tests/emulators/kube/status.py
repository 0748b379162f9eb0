"""Status bodies shaped like the real API server's, and the error that carries them."""

from __future__ import annotations

from typing import Any

REASONS = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    406: "NotAcceptable",
    409: "AlreadyExists",
    410: "Expired",
    415: "UnsupportedMediaType",
    422: "Invalid",
    429: "TooManyRequests",
    500: "InternalError",
    501: "NotImplemented",
    503: "ServiceUnavailable",
    504: "Timeout",
}


class ApiError(Exception):
    """An API failure; ``body()`` is the Status object the server answers with."""

    def __init__(
        self,
        code: int,
        message: str,
        reason: str | None = None,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        list_meta: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.reason = reason if reason is not None else REASONS.get(code, "Unknown")
        self.details = details
        self.headers = headers or {}
        # The Status's ListMeta: an expired continue token's successor rides here (upstream:
        # kubernetes/apiserver v0.35.0 pkg/storage/etcd3/errors.go, handleCompactedErrorForPaging).
        self.list_meta = list_meta or {}

    def body(self) -> dict[str, Any]:
        out = status_body(self.code, self.message, self.reason, self.details)
        out["metadata"] = dict(self.list_meta)
        return out


class FlowControlRejection(ApiError):
    """A request API Priority and Fairness turned away before any handler read it: 429 with a
    text body, not a Status, Retry-After in whole seconds (1 while few are dropped, more as its
    priority level drops more) and the UIDs of the FlowSchema and PriorityLevelConfiguration it
    matched (upstream: kubernetes/apiserver 24a394e5 pkg/server/filters/priority-and-fairness.go
    tooManyRequests, which calls Go's http.Error, and setResponseHeaders;
    pkg/util/flowcontrol/dropped_requests_tracker.go GetRetryAfter)."""

    TEXT = "Too many requests, please try again later.\n"
    # The suggested apf-configuration FlowSchema and priority level every user request falls to.
    FLOW_SCHEMA_UID = "8fca1e4e-2b5a-4c57-bd1f-4d0a9c3cb5a1"
    PRIORITY_LEVEL_UID = "0c8c5a7e-4b2e-4f7a-9d47-6e1c3a2f8b90"

    def __init__(self, retry_after: int = 1) -> None:
        super().__init__(
            429,
            self.TEXT.strip(),
            headers={
                "Retry-After": str(max(1, int(retry_after))),
                "X-Kubernetes-PF-FlowSchema-UID": self.FLOW_SCHEMA_UID,
                "X-Kubernetes-PF-PriorityLevel-UID": self.PRIORITY_LEVEL_UID,
                "X-Content-Type-Options": "nosniff",
            },
        )


def status_body(code: int, message: str, reason: str = "", details: dict[str, Any] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Success" if code < 400 else "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }
    if not reason:
        del out["reason"]
    if not message:
        del out["message"]
    if details is not None:
        out["details"] = _omit_empty(details)
    return out


def _omit_empty(details: dict[str, Any]) -> dict[str, Any]:
    """StatusDetails and StatusCause as Go's encoding/json writes them: every field is
    ``omitempty``, so a core kind's empty group is absent (upstream: kubernetes/apimachinery
    pkg/apis/meta/v1/types.go StatusDetails, StatusCause)."""
    out = {k: v for k, v in details.items() if v not in ("", None, 0, [])}
    if isinstance(out.get("causes"), list):
        out["causes"] = [
            {k: v for k, v in c.items() if v not in ("", None)} if isinstance(c, dict) else c for c in out["causes"]
        ]
    return out


def not_found(group_resource: str, name: str, group: str, plural: str) -> ApiError:
    return ApiError(
        404,
        f'{group_resource} "{name}" not found',
        "NotFound",
        {"name": name, "group": group, "kind": plural},
    )


def already_exists(group_resource: str, name: str, group: str, plural: str) -> ApiError:
    return ApiError(
        409,
        f'{group_resource} "{name}" already exists',
        "AlreadyExists",
        {"name": name, "group": group, "kind": plural},
    )


def conflict(group_resource: str, name: str, group: str, plural: str, why: str) -> ApiError:
    return ApiError(
        409,
        f'Operation cannot be fulfilled on {group_resource} "{name}": {why}',
        "Conflict",
        {"name": name, "group": group, "kind": plural},
    )


def invalid(group_kind: str, name: str, group: str, kind: str, causes: list[tuple[str, str, str]]) -> ApiError:
    """causes: (reason, field, message) as field.ErrorList renders them."""
    texts = [f"{f}: {m}" if f else m for _, f, m in causes]
    joined = texts[0] if len(texts) == 1 else "[" + ", ".join(texts) + "]"
    return ApiError(
        422,
        f'{group_kind} "{name}" is invalid: {joined}',
        "Invalid",
        {
            "name": name,
            "group": group,
            "kind": kind,
            "causes": [{"reason": r, "message": m, "field": f} for r, f, m in causes],
        },
    )


def bad_request(message: str) -> ApiError:
    return ApiError(400, message, "BadRequest")


def not_implemented(what: str) -> ApiError:
    return ApiError(501, f"{what} is not implemented by the akscli Kubernetes API emulator", "NotImplemented")
