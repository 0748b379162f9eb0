"""What Azure said when a request failed, normalised (ArmFailure): the HTTP class, the most
specific code and its message, the URL and method, Retry-After. akscli.azure.armerrors turns it
into one AkscliError.

Two shapes reach us. A synchronous error carries its HTTP status. A failed long-running
operation does not: the operation resource always answers 200 and says ``"status": "Failed"``
(or ``"Canceled"``) with the error in its body (Azure/azure-resource-manager-rpc
``v1.0/async-api-reference.md``, "Azure-AsyncOperation Resource format"), and azure-core raises
``HttpResponseError`` with the last poll's response (Azure/azure-sdk-for-python
``sdk/core/azure-core/azure/core/polling/base_polling.py``, ``LROBasePolling.run``). For that
shape the HTTP class is recovered from the error code, so a failed create maps exactly like the
same error answered synchronously.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from akscli import redact
from akscli.azure.armbudget import arm_left_headers

# Wrapper codes whose details hold the real reason (ARM deployments, AKS preflight).
_WRAPPERS = frozenset(
    {
        "badrequest",
        "conflict",
        "deploymentfailed",
        "invalidtemplatedeployment",
        "resourcedeploymentfailure",
        "multipleerrorsoccurred",
        "preflightvalidationcheckfailed",
    }
)
# The HTTP class of codes ARM and AKS answer synchronously, for the same code in a failed
# operation (AKS error codes: MicrosoftDocs/azure-aks-docs troubleshooting articles; ARM codes:
# https://learn.microsoft.com/azure/azure-resource-manager/troubleshooting/common-deployment-errors).
_CODE_STATUS = {
    "authorizationfailed": 403,
    "linkedauthorizationfailed": 403,
    "requestdisallowedbypolicy": 403,
    "missingsubscriptionregistration": 409,
    "scopelocked": 409,
    "operationnotallowed": 409,
    "conflict": 409,
    "anotheroperationinprogress": 409,
    "operationpreempted": 409,
    "etagmismatch": 412,
    # A location or API version the type is not offered in: 400, not the 404 "...NotFound" reads as
    # (NoRegisteredProviderFound "Status=400": nebari-dev/nebari#2374; LocationNotAvailableFor...:
    # cloud-barista/cb-spider#527 "Status=400").
    "noregisteredproviderfound": 400,
    "locationnotavailableforresourcetype": 400,
    "resourcenotfound": 404,
    "resourcegroupnotfound": 404,
    "parentresourcenotfound": 404,
    "notfound": 404,
    "badrequest": 400,
    "invalidparameter": 400,
    "propertychangenotallowed": 400,
    "agentpoolk8sversionnotsupported": 400,
    "versionnotsupported": 400,
    "notsupported": 400,
    "skunotavailable": 400,
    # AKS's answer to zones a size is not offered in (MicrosoftDocs/azure-aks-docs pull request 416).
    "availabilityzonenotsupported": 400,
    "quotaexceeded": 400,
    "invalidtemplatedeployment": 400,
}


@dataclass(frozen=True)
class ArmFailure:
    """What Azure said, normalised: the HTTP class, the most specific code, its message."""

    status: int | None
    code: str
    message: str
    operation_status: str | None  # "Failed"/"Canceled" when a long-running operation ended so
    url: str
    retry_after: float | None = None  # seconds, from the answer's Retry-After (a 429's)
    method: str = ""  # the request's HTTP method, where the exception carries the request
    # The fewest requests Azure Resource Manager says are left to the subscription or tenant
    # (``arm_left``); None where the answer has no such header.
    arm_left: int | None = None

    @property
    def lcode(self) -> str:
        return self.code.lower()


def _attr(obj: Any, name: str) -> str:
    if isinstance(obj, dict):
        return str(obj.get(name) or "")
    return str(getattr(obj, name, "") or "")


def _details(obj: Any) -> list[Any]:
    details = obj.get("details") if isinstance(obj, dict) else getattr(obj, "details", None)
    return list(details or [])


def most_specific(err: Any, depth: int = 0) -> tuple[str, str]:
    """The innermost (code, message) under wrapper codes such as InvalidTemplateDeployment."""
    code, message = _attr(err, "code"), _attr(err, "message")
    if depth < 5:
        for detail in _details(err):
            dcode, dmsg = most_specific(detail, depth + 1)
            if dcode and dmsg and dcode.lower() not in _WRAPPERS:
                return dcode, dmsg
    return code, message


def _body(exc: Any) -> dict[str, Any] | None:
    response = getattr(exc, "response", None)
    try:
        body = response.json() if response is not None else None
    except Exception:
        return None
    return body if isinstance(body, dict) else None


def failure_of(exc: Any) -> ArmFailure:
    status = getattr(exc, "status_code", None)
    body = _body(exc)
    err = getattr(exc, "error", None)
    code, message = most_specific(err) if err is not None else ("", "")
    if not message and body is not None:
        inner = body.get("error")
        code, message = most_specific(inner if isinstance(inner, dict) else body)
        message = message or str(body.get("error_description", ""))
    if not message:
        message = str(getattr(exc, "message", "") or exc)
    message = redact.folded(message)  # its lines' YAML values are hidden before the fold (akscli.redact)
    # Deployment-style messages repeat the code inline: "Code: X. Message: ...".
    m = re.search(r"Code:\s*(\w+)\.?\s*Message:\s*(.*)", message)
    if m and (not code or code.lower() in _WRAPPERS or code.lower() == "operationnotallowed"):
        code, message = m.group(1), m.group(2)
    op_status = None
    if status is not None and 200 <= status < 300:
        op_status = str((body or {}).get("status") or "Failed")
        status = 409 if op_status.lower() == "canceled" else status_of_code(code)
    response = getattr(exc, "response", None)
    request = getattr(response, "request", None)
    url = str(getattr(request, "url", "") or "")
    method = str(getattr(request, "method", "") or "")
    return ArmFailure(status, code, message, op_status, url, _retry_after(response), method, arm_left(response))


def arm_left(response: Any) -> int | None:
    """The fewest requests an answer's ARM headers say are left; None if it has none."""
    left = [int(v) for v in arm_left_headers(response).values() if v.isdigit()]
    return min(left) if left else None


def _retry_after(response: Any) -> float | None:
    """The wait an answer asks for, read as the retry policy reads it (armretry.retry_after): the
    policy gives a 429 back when that wait is too long, and the error names the same wait."""
    if response is None:
        return None
    from akscli.azure.armretry import retry_after

    return retry_after(response)


def status_of_code(code: str) -> int | None:
    lcode = code.lower()
    if lcode in _CODE_STATUS:
        return _CODE_STATUS[lcode]
    if lcode.endswith("notfound"):
        return 404
    if lcode.startswith("invalid") or lcode.endswith("notsupported"):
        return 400
    return None  # a provisioning failure (VMExtensionProvisioningError, ...): no 4xx class
