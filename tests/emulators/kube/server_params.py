"""Query-parameter parsing and small errors the HTTP handler's parts share (the parameters of
upstream kubernetes/apimachinery pkg/apis/meta/v1/types.go ListOptions, GetOptions, PatchOptions)."""

from __future__ import annotations

import re

from tests.emulators.kube.status import ApiError, bad_request, invalid


class _Dropped(Exception):
    pass


def _q1(query: dict[str, list[str]], name: str) -> str | None:
    v = query.get(name)
    return v[-1] if v else None


def _int_param(name: str, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise bad_request(f'invalid value for {name}: "{value}"') from None


def _truthy(v: str | None) -> bool:
    return v is not None and v.lower() in ("true", "1")


def pointer_bool(query: dict[str, list[str]], name: str) -> bool | None:
    """A ``*bool`` query parameter (PatchOptions.force) as the API server decodes it: None where
    it is absent; else the first value, false for "0" or "false" in any case and true for any
    other value, "" included (upstream: kubernetes/apimachinery eed236ce pkg/runtime/conversion.go
    Convert_Slice_string_To_Pointer_bool)."""
    values = query.get(name)
    if not values:
        return None
    return not (values[0] == "0" or values[0].lower() == "false")


def user_agent_manager(ua: str | None) -> str:
    """The API server's default field manager: the user agent up to the first '/'."""
    if not ua:
        return "unknown"
    return ua.split("/", 1)[0][:128] or "unknown"


def invalid_param(name: str, value: str, allowed: str) -> ApiError:
    return ApiError(400, f'{name}: Unsupported value: "{value}": supported values: {allowed}', "BadRequest")


def list_options_invalid(query: dict[str, list[str]]) -> ApiError | None:
    """A list's resourceVersionMatch checked as the API server checks it before anything is read:
    each problem a cause of one 422 Invalid for ListOptions (upstream: kubernetes/apimachinery
    v0.35.0 pkg/apis/meta/internalversion/validation/validation.go ValidateListOptions;
    kubernetes/apiserver v0.35.0 pkg/endpoints/handlers/get.go ListResource, NewInvalid)."""
    match, rv = _q1(query, "resourceVersionMatch") or "", _q1(query, "resourceVersion") or ""
    if not match:
        return None
    causes: list[tuple[str, str, str]] = []
    forbidden = "FieldValueForbidden"
    if not rv:
        causes.append((forbidden, "resourceVersionMatch", "Forbidden: " + _RVM_WITHOUT_RV))
    if _q1(query, "continue"):
        causes.append((forbidden, "resourceVersionMatch", "Forbidden: " + _RVM_WITH_CONTINUE))
    if match not in ("Exact", "NotOlderThan"):
        supported = 'supported values: "Exact", "NotOlderThan", ""'
        causes.append(("FieldValueNotSupported", "resourceVersionMatch", f'Unsupported value: "{match}": {supported}'))
    if match == "Exact" and rv == "0":
        causes.append(
            (
                forbidden,
                "resourceVersionMatch",
                'Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"',
            )
        )
    return invalid("ListOptions.meta.k8s.io", "", "meta.k8s.io", "ListOptions", causes) if causes else None


def watch_options_invalid(query: dict[str, list[str]], watch_list: bool) -> ApiError | None:
    """A watch's sendInitialEvents and resourceVersionMatch checked as the API server checks them,
    each problem a cause of one 422 Invalid for ListOptions (upstream: kubernetes/apimachinery
    eed236ce pkg/apis/meta/internalversion/validation/validation.go validateWatchOptions, given the
    WatchList gate by kubernetes/apiserver 24a394e5 pkg/endpoints/handlers/get.go)."""
    send, match = _q1(query, "sendInitialEvents"), _q1(query, "resourceVersionMatch") or ""
    causes: list[tuple[str, str, str]] = []
    forbidden = "FieldValueForbidden"
    if send is not None:
        if match != "NotOlderThan":
            causes.append((forbidden, "resourceVersionMatch", "Forbidden: " + _SEND_WITHOUT_NOT_OLDER_THAN))
        if not watch_list:
            causes.append((forbidden, "sendInitialEvents", "Forbidden: " + _SEND_WITHOUT_GATE))
    if match:
        if send is None:
            causes.append((forbidden, "resourceVersionMatch", "Forbidden: " + _RVM_WITHOUT_SEND))
        if match != "NotOlderThan":
            supported = 'supported values: "NotOlderThan"'
            causes.append(
                ("FieldValueNotSupported", "resourceVersionMatch", f'Unsupported value: "{match}": {supported}')
            )
        if _q1(query, "continue"):
            causes.append((forbidden, "resourceVersionMatch", "Forbidden: " + _RVM_WITH_CONTINUE))
    return invalid("ListOptions.meta.k8s.io", "", "meta.k8s.io", "ListOptions", causes) if causes else None


_SEND_WITHOUT_NOT_OLDER_THAN = "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"
_SEND_WITHOUT_GATE = "sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled"
_RVM_WITHOUT_SEND = "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided"
_RVM_WITHOUT_RV = "resourceVersionMatch is forbidden unless resourceVersion is provided"
_RVM_WITH_CONTINUE = "resourceVersionMatch is forbidden when continue is provided"


# What the kube-apiserver counts as long-running: the watch and proxy verbs and these subresources
# (upstream: kubernetes/kubernetes pkg/controlplane/apiserver/config.go BuildGenericConfig,
# ``BasicLongRunningRequestCheck(sets.NewString("watch", "proxy"), sets.NewString("attach", "exec",
# "proxy", "log", "portforward"))``; kubernetes/apiserver 24a394e5 pkg/server/filters/longrunning.go).
LONG_RUNNING_SUBRESOURCES = frozenset({"attach", "exec", "proxy", "log", "portforward"})


def long_running(path: str, query: dict[str, list[str]]) -> bool:
    """Whether a request is long-running as the API server's RequestInfo reads it: a GET with
    ``watch`` not "false" or "0" (the watch verb; kubernetes/apiserver 24a394e5
    pkg/endpoints/request/requestinfo.go NewRequestInfo), a /watch/ or /proxy/ path, or a
    subresource above (the third segment after the group version's ``namespaces/NS``)."""
    watch = query.get("watch")
    if watch and watch[0].lower() != "false" and watch[0] != "0":
        return True
    parts = [p for p in path.split("/") if p]
    rest = parts[2:] if parts[:1] == ["api"] else parts[3:] if parts[:1] == ["apis"] else []
    if rest[:1] in (["watch"], ["proxy"]):
        return True
    if rest[:1] == ["namespaces"] and len(rest) >= 4:
        rest = rest[2:]
    return len(rest) >= 3 and rest[2] in LONG_RUNNING_SUBRESOURCES


def request_deadline_refusal(path: str, query: dict[str, list[str]]) -> ApiError | None:
    """The 400 of a ``timeout`` query parameter that is no Go duration, on a request that is not
    long-running; a long-running one's ``timeout`` is not read (upstream: kubernetes/apiserver 24a394e5
    pkg/endpoints/filters/request_deadline.go withRequestDeadline and parseTimeout:
    ``req.URL.Query().Get("timeout")``, time.ParseDuration, "invalid timeout specified in the request
    URL - " and the parse error, apierrors.NewBadRequest). A valid one bounds the request to the smaller
    of it and the server's maximum; the emulator answers at once, so that bound is never reached."""
    # golang/go src/time/format.go ParseDuration, the emulator's own port (upstream: go_duration.py)
    from tests.emulators.kube.go_duration import seconds as go_duration

    value = (query.get("timeout") or [""])[0]
    if not value or long_running(path, query) or go_duration(value) is not None:
        return None
    # golang/go src/time/format.go ParseDuration: a number with no unit; a number whose unit is none of
    # Go's (the first one, as read after the first number); else an invalid duration
    digits = value.lstrip("+-")
    unit = re.match(r"[+-]?(?:\d+\.?\d*|\.\d+)([^\d.]+)", value)
    if digits.isascii() and digits.isdigit():
        reason = f'missing unit in duration "{value}"'
    elif unit and unit.group(1) not in ("ns", "us", "\u00b5s", "\u03bcs", "ms", "s", "m", "h"):
        reason = f'unknown unit "{unit.group(1)}" in duration "{value}"'
    else:
        reason = f'invalid duration "{value}"'
    return bad_request(f"invalid timeout specified in the request URL - time: {reason}")


# The Status the timeout filter writes when a request outlives its deadline: apierrors.NewTimeoutError("request
# did not complete within the allotted timeout", 0), json-encoded as Go's encoding/json writes metav1.Status
# (no kind or apiVersion, an empty metadata and details) with a newline, and no Content-Type set, so Go's
# net/http sniffs it as text (upstream: kubernetes/kubernetes staging/src/k8s.io/apiserver/pkg/server/filters/
# timeout.go WithTimeoutForNonLongRunningRequests and baseTimeoutWriter.timeout, mirrored as kubernetes/apiserver
# 24a394e5; kubernetes/kubernetes staging/src/k8s.io/apimachinery/pkg/api/errors/errors.go NewTimeoutError).
TIMED_OUT_BODY = (
    b'{"metadata":{},"status":"Failure","message":"Timeout: request did not complete within the allotted timeout",'
    b'"reason":"Timeout","details":{},"code":504}\n'
)
TIMED_OUT_TYPE = "text/plain; charset=utf-8"


def request_deadline(path: str, query: dict[str, list[str]], maximum: float) -> float | None:
    """Seconds a request that is not long-running may take: its ``timeout`` where that is above 0 and
    below the server's maximum (kube-apiserver --request-timeout), else the maximum; None for a
    long-running one, which has no deadline, and for a ``timeout`` refused (request_deadline_refusal)
    (upstream: kubernetes/kubernetes staging/src/k8s.io/apiserver/pkg/endpoints/filters/request_deadline.go
    withRequestDeadline, mirrored as kubernetes/apiserver 24a394e5;
    ``if userSpecifiedTimeout > 0 && userSpecifiedTimeout < requestTimeoutMaximum``, the deadline counted
    from the request's received timestamp)."""
    from tests.emulators.kube.go_duration import seconds as go_duration

    if long_running(path, query):
        return None
    value = (query.get("timeout") or [""])[0]
    given = go_duration(value) if value else 0.0
    if given is None:
        return None
    return given if 0 < given < maximum else maximum
