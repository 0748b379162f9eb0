"""The headers in which Azure Resource Manager says how many requests a subscription has left.

Read by the error that names who throttled (akscli.azure.armfailure) and by the --debug request
line (akscli.azure.armretry); a module of its own so that neither imports the other."""

from __future__ import annotations

import re
from typing import Any

# The headers in which Azure Resource Manager says how many requests the subscription (or tenant)
# has left: x-ms-ratelimit-remaining-subscription-reads, -writes, -deletes, -tenant-reads, ...,
# -subscription-resource-requests (upstream: MicrosoftDocs/azure-docs articles/azure-resource-manager/
# management/request-limits-and-throttling.md, "Remaining requests"). A provider's own budget is in
# another header, x-ms-ratelimit-remaining-resource (articles/virtual-machines/troubleshooting/
# troubleshooting-throttling-errors.md, "Call rate informational response headers").
ARM_LEFT_HEADER = re.compile(r"x-ms-ratelimit-remaining-(subscription|tenant)-[a-z-]+", re.I)


def arm_left_headers(response: Any) -> dict[str, str]:
    """An answer's ARM request-budget headers (``ARM_LEFT_HEADER``), names in lower case."""
    headers = getattr(response, "headers", None) or {}
    return {str(k).lower(): str(v).strip() for k, v in dict(headers).items() if ARM_LEFT_HEADER.fullmatch(str(k))}
