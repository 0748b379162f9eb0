"""Query-parameter parsing and small errors the HTTP handler's parts share (the parameters of
upstream kubernetes/apimachinery pkg/apis/meta/v1/types.go ListOptions, GetOptions, PatchOptions)."""

from __future__ import annotations

from tests.emulators.kube.status import ApiError, bad_request


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


def user_agent_manager(ua: str | None) -> str:
    """The API server's default field manager: the user agent up to the first '/'."""
    if not ua:
        return "unknown"
    return ua.split("/", 1)[0][:128] or "unknown"


def invalid_param(name: str, value: str, allowed: str) -> ApiError:
    return ApiError(400, f'{name}: Unsupported value: "{value}": supported values: {allowed}', "BadRequest")
