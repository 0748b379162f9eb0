"""Azure Resource Manager: SDK client factory, long-running operations, error translation.

Every ARM call of akscli goes through ``management_client`` (official SDKs) or ``raw_client``
(API versions the SDKs lack); both share one credential, retry and polling configuration,
and every failure comes back through ``translate_arm_error`` as one line with a fix.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from akscli.azure import identity
from akscli.errors import (
    AkscliError,
    AuthError,
    ConflictError,
    NotFoundError,
    QuotaError,
    UsageError,
    WaitTimeoutError,
)

if TYPE_CHECKING:
    from azure.core.polling import LROPoller
    from azure.core.rest import HttpRequest
    from azure.mgmt.core import ARMPipelineClient

DEFAULT_ARM_ENDPOINT = "https://management.azure.com"
ARM_SCOPE = "https://management.azure.com/.default"
QUOTA_URL = "https://portal.azure.com/#view/Microsoft_Azure_Capacity/QuotaMenuBlade/~/myQuotas"
T = TypeVar("T")


@dataclass(frozen=True)
class AzureTarget:
    """Which subscription, as whom: the ``--subscription/--auth/--tenant`` flags."""

    subscription: str | None = None
    auth: str | None = None
    tenant: str | None = None

    def subscription_id(self) -> str:
        return identity.resolve_subscription(self.subscription)

    def validated(self) -> AzureTarget:
        """Check every value before anything is sent (raises UsageError)."""
        identity.check_auth(self.auth)
        identity.check_tenant(self.tenant)
        return AzureTarget(self.subscription_id(), self.auth, self.tenant)


def arm_endpoint() -> str:
    return (os.environ.get("AKSCLI_ARM_ENDPOINT") or DEFAULT_ARM_ENDPOINT).rstrip("/")


def arm_scope() -> str:
    # A sovereign cloud has its own ARM audience; the emulator accepts the public one.
    return os.environ.get("AKSCLI_ARM_SCOPE") or ARM_SCOPE


def _client_kwargs() -> dict[str, Any]:
    kw: dict[str, Any] = {
        "retry_total": int(os.environ.get("AKSCLI_ARM_RETRIES", "4")),
        "user_agent": "akscli",
    }
    interval = os.environ.get("AKSCLI_LRO_POLL_INTERVAL")
    if interval is not None:
        kw["polling_interval"] = float(interval)
    return kw


def management_client(client_class: type[T], target: AzureTarget, **kw: Any) -> T:
    """An SDK management client (e.g. ContainerServiceClient) for ``target``."""
    cred = identity.credential(target.auth, target.tenant)
    options = {**_client_kwargs(), **kw}
    return client_class(  # type: ignore[call-arg]
        cred,
        target.subscription_id(),
        base_url=arm_endpoint(),
        credential_scopes=[arm_scope()],
        **options,
    )


def raw_client(target: AzureTarget) -> ARMPipelineClient[Any, Any]:
    """An ARM pipeline client with the same credential, retries and LRO polling as the SDKs,
    for API versions no installed SDK has. Use with ``raw_call`` / ``raw_begin``."""
    from azure.core.configuration import Configuration
    from azure.core.pipeline import policies
    from azure.mgmt.core import ARMPipelineClient
    from azure.mgmt.core.policies import ARMChallengeAuthenticationPolicy, ARMHttpLoggingPolicy

    kw = _client_kwargs()
    config: Configuration[Any, Any] = Configuration()
    config.headers_policy = policies.HeadersPolicy()
    config.user_agent_policy = policies.UserAgentPolicy(sdk_moniker="akscli")
    config.proxy_policy = policies.ProxyPolicy()
    config.redirect_policy = policies.RedirectPolicy()
    config.retry_policy = policies.RetryPolicy(retry_total=kw["retry_total"])
    config.custom_hook_policy = policies.CustomHookPolicy()
    config.logging_policy = policies.NetworkTraceLoggingPolicy()
    config.http_logging_policy = ARMHttpLoggingPolicy()
    config.authentication_policy = ARMChallengeAuthenticationPolicy(
        identity.credential(target.auth, target.tenant), arm_scope()
    )
    config.polling_interval = kw.get("polling_interval", 5.0)
    client: ARMPipelineClient[Any, Any] = ARMPipelineClient(base_url=arm_endpoint(), config=config)
    client._akscli_subscription = target.subscription_id()  # type: ignore[attr-defined]
    return client


def raw_call(
    client: ARMPipelineClient[Any, Any],
    method: str,
    path: str,
    api_version: str,
    body: dict[str, Any] | None = None,
) -> dict[str, Any] | None:
    """One ARM request; returns the JSON body (None for an empty one)."""
    from azure.core.rest import HttpRequest

    params = {} if "api-version=" in path else {"api-version": api_version}
    response = _send(client, HttpRequest(method, _url(client, path), params=params, json=body))
    if not response.content:
        return None
    data = response.json()
    return data if isinstance(data, dict) else {"value": data}


def raw_begin(
    client: ARMPipelineClient[Any, Any],
    method: str,
    path: str,
    api_version: str,
    body: dict[str, Any] | None = None,
) -> LROPoller[Any]:
    """Start a long-running ARM request (PUT/PATCH/DELETE/POST action); wait with wait_lro."""
    from azure.core.polling import LROPoller
    from azure.core.rest import HttpRequest
    from azure.mgmt.core.polling.arm_polling import ARMPolling

    request = HttpRequest(method, _url(client, path), params={"api-version": api_version}, json=body)
    response = _send(client, request, _return_pipeline_response=True)

    def deserialize(pipeline_response: Any) -> Any:
        resp = pipeline_response.http_response
        try:
            return resp.json() if resp.content else None
        except ValueError:
            return None

    interval = client._config.polling_interval
    return LROPoller(client, response, deserialize, ARMPolling(interval))


def identity_of(client: Any) -> dict[str, str]:
    """Who an SDK client acts as, from its ARM token's claims (oid, upn, appid); never the token.

    The credential caches the token the client just used, so this costs no sign-in.
    """
    from akscli.kube.client import jwt_claims

    try:
        token = client._config.credential.get_token(arm_scope()).token
    except Exception:  # identity is a nice-to-have in the audit log, never a reason to fail
        return {}
    claims = jwt_claims(token)
    return {key: str(claims[key]) for key in ("oid", "upn", "appid", "preferred_username") if key in claims}


def call(what: str, fn: Callable[[], T]) -> T:
    """Run one SDK call; any failure comes back as one AkscliError naming ``what``."""
    try:
        return fn()
    except Exception as exc:
        raise translate_arm_error(exc, what=what) from exc


def _send(client: ARMPipelineClient[Any, Any], request: HttpRequest, **kw: Any) -> Any:
    """Send one request; an error status or a network failure becomes one AkscliError."""
    try:
        response = client.send_request(request, **kw)
        getattr(response, "http_response", response).raise_for_status()
    except Exception as exc:
        raise translate_arm_error(exc) from exc
    return response


def _url(client: ARMPipelineClient[Any, Any], path: str) -> str:
    if path.startswith("https://"):
        return path
    return client._base_url.rstrip("/") + "/" + path.lstrip("/")


def wait_lro(
    poller: LROPoller[T],
    what: str,
    progress: Callable[[str], None] | None = None,
    *,
    timeout: float | None = None,
) -> T:
    """Wait for a long-running operation, reporting its state; errors become AkscliErrors."""
    started = time.monotonic()
    last = ""
    try:
        while not poller.done():
            poller.wait(1.0)
            state = str(poller.status())
            elapsed = time.monotonic() - started
            if progress is not None and (state != last or int(elapsed) % 10 == 0):
                progress(f"{what}: {state} ({elapsed:.0f}s)")
                last = state
            if timeout is not None and elapsed > timeout and not poller.done():
                raise WaitTimeoutError(
                    f"{what} did not finish in {timeout:.0f}s; it continues in Azure",
                    hint="check again later, e.g. with 'akscli cluster wait'",
                )
        return poller.result()
    except AkscliError:
        raise
    except Exception as exc:
        raise translate_arm_error(exc, what=what) from exc


# ---------------------------------------------------------------- error translation

_QUOTA_FAMILY = re.compile(r"approved (?:quota for )?(\S+?) (?:Cores |vCPUs? )?quota", re.I)
_QUOTA_FIELDS = {
    "location": re.compile(r"Location:\s*([\w-]+)", re.I),
    "limit": re.compile(r"Current Limit:\s*(\d+)", re.I),
    "usage": re.compile(r"Current Usage:\s*(\d+)", re.I),
    "required": re.compile(r"Additional Required:\s*(\d+)", re.I),
    "new_limit": re.compile(r"New Limit Required:\s*(\d+)", re.I),
}


def _error_parts(exc: Any) -> tuple[int | None, str, str]:
    status = getattr(exc, "status_code", None)
    code = ""
    message = ""
    err = getattr(exc, "error", None)
    if err is not None:
        code = str(getattr(err, "code", "") or "")
        message = str(getattr(err, "message", "") or "")
        # ARM nests the useful reason in details for deployment-style errors.
        for detail in getattr(err, "details", None) or []:
            dcode = str(getattr(detail, "code", "") or "")
            dmsg = str(getattr(detail, "message", "") or "")
            if dcode and dcode not in ("BadRequest", "Conflict") and dmsg:
                code, message = dcode, dmsg
                break
    if not message:
        response = getattr(exc, "response", None)
        try:
            body = response.json() if response is not None else None
        except Exception:
            body = None
        if isinstance(body, dict):
            inner = body.get("error")
            e: dict[str, Any] = inner if isinstance(inner, dict) else body
            code = code or str(e.get("code", ""))
            message = str(e.get("message", "") or e.get("error_description", ""))
    if not message:
        message = str(getattr(exc, "message", "") or exc)
    message = " ".join(message.split())
    # Deployment-style messages repeat the code inline: "Code: X. Message: ...".
    m = re.search(r"Code:\s*(\w+)\.?\s*Message:\s*(.*)", message)
    if m and (not code or code in ("BadRequest", "Conflict", "OperationNotAllowed")):
        code, message = m.group(1), m.group(2)
    return status, code, message


def _quota(code: str, message: str) -> QuotaError:
    fam = _QUOTA_FAMILY.search(message)
    fields = {
        k: (rx.search(message).group(1) if rx.search(message) else None)  # type: ignore[union-attr]
        for k, rx in _QUOTA_FIELDS.items()
    }
    family = fam.group(1) if fam else "vCPU"
    where = f" in {fields['location']}" if fields["location"] else ""
    if fields["required"] is not None:
        detail = f": limit {fields['limit']}, in use {fields['usage']}, needs {fields['required']} more" + (
            f" (new limit at least {fields['new_limit']})" if fields["new_limit"] else ""
        )
    else:
        detail = f": {message[:300]}"
    return QuotaError(
        f"quota exceeded for {family} vCPUs{where}{detail}",
        hint=f"request a quota increase for {family}{where} at {QUOTA_URL} (or 'az quota "
        "create'), or choose a VM size or region with free quota",
    )


def translate_arm_error(exc: BaseException, what: str | None = None) -> AkscliError:
    """Turn an azure-core / azure-identity / network failure into one AkscliError."""
    if isinstance(exc, AkscliError):
        return exc
    from azure.core.exceptions import (
        ClientAuthenticationError,
        HttpResponseError,
        ResourceNotFoundError,
        ServiceRequestError,
    )

    prefix = f"{what}: " if what else ""
    if isinstance(exc, ServiceRequestError):
        return AkscliError(
            f"{prefix}cannot reach Azure Resource Manager at {arm_endpoint()}: {_short(str(exc))}",
            hint="check the network or proxy (HTTPS_PROXY) and AKSCLI_ARM_ENDPOINT",
        )
    if not isinstance(exc, HttpResponseError):
        return AkscliError(f"{prefix}{type(exc).__name__}: {_short(str(exc))}")
    status, code, message = _error_parts(exc)
    text = f"{prefix}{message}" if message else f"{prefix}{code or status}"
    lcode = code.lower()
    lmsg = message.lower()
    if isinstance(exc, ClientAuthenticationError) or status == 401:
        return AuthError(
            f"{prefix}Azure rejected the credential ({code or 'Unauthorized'}): {message}",
            hint="sign in again ('az login', or check AZURE_CLIENT_ID/AZURE_CLIENT_SECRET), "
            "or pick another credential with --auth",
        )
    if status == 403 or lcode in ("authorizationfailed", "linkedauthorizationfailed"):
        return AuthError(
            f"{prefix}not authorised: {message}",
            hint="ask for a role assignment on this scope, e.g. 'Azure Kubernetes Service "
            "Contributor Role' on the resource group",
        )
    if "quota" in lcode or ("quota" in lmsg and lcode in ("operationnotallowed", "badrequest", "")):
        return _quota(code, message)
    if lcode in ("skunotavailable", "allocationfailed", "zonalallocationfailed", "overconstrainedallocationrequest"):
        return QuotaError(
            f"{prefix}{code}: {message}",
            hint="choose another VM size, region or zones; see where it is offered with "
            "'az vm list-skus --size SIZE --all -o table'",
        )
    if isinstance(exc, ResourceNotFoundError) or status == 404:
        return NotFoundError(text, hint="check the name, resource group (-g) and subscription")
    in_progress = (
        "in progress" in lmsg
        or "inprogress" in lcode
        or lcode in ("anotheroperationinprogress", "operationpreempted", "etagmismatch")
    )
    if in_progress:
        return ConflictError(
            f"{prefix}another operation is in progress: {message}",
            hint="wait for it to finish ('akscli cluster wait -g RG -n NAME'), then retry",
        )
    if lcode == "operationnotallowed" or status == 409:
        hint = "the resource's current state does not allow this operation"
        if "stopped" in lmsg:
            hint = "start the cluster first: akscli cluster start -g RG -n NAME"
        elif "system" in lmsg and "pool" in lmsg:
            hint = "add another System mode node pool first (nodepool add --mode System)"
        return ConflictError(f"{prefix}{code}: {message}", hint=hint)
    if status == 429:
        return AkscliError(
            f"{prefix}Azure Resource Manager is throttling requests: {message}",
            hint="retry in a minute; fewer parallel commands reduce throttling",
        )
    if status is not None and 400 <= status < 500:
        return UsageError(
            f"{prefix}Azure rejected the request ({code}): {message}",
            hint="fix the value named above and run the command again",
        )
    return AkscliError(
        f"{prefix}Azure error {status} {code}: {message}", hint="retry; if it persists, check https://status.azure.com"
    )


def _short(text: str) -> str:
    return " ".join(text.split())[:300]
