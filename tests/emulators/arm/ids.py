"""ARM resource ids: split at the last ``/providers/{namespace}`` (split out of server.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"


@dataclass(frozen=True)
class ParsedId:
    """An ARM path split at its last ``/providers/{namespace}``."""

    scope: str  # everything before the last /providers (subscription, rg or parent resource)
    namespace: str
    rest: list[str]  # alternating type/name segments after the namespace

    @property
    def types(self) -> list[str]:
        return self.rest[0::2]

    @property
    def type(self) -> str:
        return "/".join([self.namespace, *self.types])

    @property
    def is_resource(self) -> bool:
        return len(self.rest) >= 2 and len(self.rest) % 2 == 0

    def prefix(self, n: int) -> str:
        return "/".join([self.scope, "providers", self.namespace, *self.rest[:n]])


def parse_path(path: str) -> ParsedId | None:
    segs = [s for s in path.split("/") if s]
    idx = max((i for i, s in enumerate(segs) if s.lower() == "providers"), default=-1)
    if idx < 0 or idx + 1 >= len(segs):
        return None
    return ParsedId("/" + "/".join(segs[:idx]), segs[idx + 1], segs[idx + 2 :])


def subscription_of(path: str) -> str:
    m = re.match(r"/subscriptions/([^/]+)", path, re.I)
    return m.group(1) if m else DEFAULT_SUBSCRIPTION


def resource_group_of(path: str) -> str | None:
    m = re.match(r"/subscriptions/[^/]+/resourcegroups/([^/]+)", path, re.I)
    return m.group(1) if m else None
